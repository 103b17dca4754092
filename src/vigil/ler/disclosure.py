"""Disclosure: the signed package of what a verified request may receive, recorded on the request and
audited with the archive's SHA-256 (``package.py`` builds it from the journal's records)."""

from __future__ import annotations

from vigil.errors import Conflict, NotReady
from vigil.ler.package import Package, build_package
from vigil.ler.service import MAX_RECORDS, Act, LerDesk, verified
from vigil.model import Decision, Event
from vigil.model.ler import LerData, LerRequest, RequestKind, Step


class Disclosures:
    def __init__(self, ler: LerDesk) -> None:
        self.ler = ler

    def disclose(self, request_id: str, act: Act) -> Package:
        """The signed package of what the request may receive; recorded and audited (with its SHA-256)."""
        request = self.ler.request(request_id)
        verified(request)
        if request.kind not in (RequestKind.INFORMATION, RequestKind.EMERGENCY):
            raise Conflict(f"request {request_id} is a {request.kind.value} request: it receives no data")
        if self.ler.signer is None:
            raise NotReady("no signing key: set VIGIL_LER_SIGNING_KEY (vigil ler keygen writes one)")
        package = build_package(
            request,
            self._records,
            self.ler.signer,
            linked=self._linked(request),
            exchange=self.ler.policy.exchange,
        )
        data: LerData = {
            "sha256": package.sha256,
            "accounts": list(package.accounts),
            "kinds": list(package.kinds),
        }
        self.ler.apply(request_id, act, lambda r: [(Step.DISCLOSED, data)])
        return package

    def _records(self, account_id: str) -> list[tuple[Event, Decision]]:
        journal = self.ler.sources.journal
        return [] if journal is None else journal.account_history(account_id, MAX_RECORDS, trace=False)

    @staticmethod
    def _linked(request: LerRequest) -> list[tuple[str, str, str]]:
        rows = []
        for m in request.matches:
            if m.subject.startswith("account:") and m.how.startswith("linked"):
                rows.append((m.subject.removeprefix("account:"), m.account_id, m.how))
        return rows
