"""Disclosure packages: the data in scope and only that, in a deterministic, signed archive (pure).

``build_package`` takes a request and the journal records of its accounts and writes a tar archive
(POSIX ustar, files in name order, every header fixed: mode 0644, owner 0, mtime the request's receipt)
holding, for the kinds of data the legal basis allows (``ler.legal``):

- ``summary.txt``: a readable account of the request and of what the package holds;
- ``request.json``: the request as logged (agency, reference, basis, period, subjects as hashed);
- ``kyc.json``/``kyc.csv``: identity submissions and results up to the period's end (``kyc``);
- ``events.json``/``events.csv``: the accounts' other events within the period (``events``);
- ``decisions.json``/``decisions.csv``: Vigil's decisions on those events, with reasons (``decisions``);
- ``addresses.csv``: crypto addresses the accounts used within the period (``addresses``);
- ``linked_accounts.csv``: accounts a person confirmed into scope and what links them (``linked_accounts``);
- ``manifest.json``: every other file's SHA-256 and size, the exchange's public key;
- ``manifest.sig``: the Ed25519 signature of ``manifest.json`` by the exchange's key (hex), detached
  from what it signs.

Only the request's accounts, only events with times in the period (KYC: up to its end) and only the
allowed kinds are read; nothing else enters. The same request and records give the same bytes (Ed25519
signatures are deterministic), so a package can be regenerated and compared byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vigil.codec import encode_event
from vigil.errors import ConfigError, InvalidInput
from vigil.model import AddressBookChanged, Decision, Deposit, Event, KycResult, KycSubmitted, Withdrawal
from vigil.model.ler import DataKind, LerRequest

Records = Callable[[str], Sequence[tuple[Event, Decision]]]  # an account's journal records
Linked = Sequence[tuple[str, str, str]]  # (account in scope, linked account confirmed, how)


class Signer:
    """The exchange's Ed25519 key (private: signs; its public half goes into every manifest)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> Signer:
        """A PEM (PKCS#8) private key, or its 32 raw bytes (hex or binary)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the signing key {path}: {exc.strerror}") from None
        try:
            if data.lstrip().startswith(b"-----BEGIN"):
                key = serialization.load_pem_private_key(data, password=None)
                if not isinstance(key, Ed25519PrivateKey):
                    raise ConfigError(f"{path} is not an Ed25519 key")
                return cls(key)
            raw = bytes.fromhex(data.decode("ascii").strip()) if len(data.strip()) == 64 else data
            return cls(Ed25519PrivateKey.from_private_bytes(raw))
        except (ValueError, UnicodeDecodeError):
            raise ConfigError(f"{path} is not an Ed25519 private key (PEM, or 32 bytes raw or hex)") from None

    def pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


@dataclass(frozen=True, slots=True)
class Package:
    archive: bytes
    sha256: str  # of the archive
    files: tuple[str, ...]
    signature: str  # hex: the detached signature of manifest.json
    accounts: tuple[str, ...]
    kinds: tuple[str, ...]


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue().encode("utf-8")


_EVENT_COLUMNS = ("event_id", "type", "account_id", "ts", "asset", "amount", "fiat_value", "chain", "address")


def _event_row(e: Event) -> list[object]:
    address = (
        getattr(e, "source_address", None)
        or getattr(e, "destination_address", None)
        or getattr(e, "address", None)
    )
    chain = getattr(e, "chain", None)
    return [
        e.event_id,
        e.TYPE.value,
        e.account_id,
        _iso(e.ts_us),
        getattr(e, "asset", None),
        getattr(e, "amount", None),
        getattr(e, "fiat_value", None),
        chain.value if chain else None,
        address,
    ]


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "event_id": d.event_id,
        "account_id": d.account_id,
        "outcome": d.outcome.label,
        "score": d.score,
        "reasons": [{"code": r.code.value, "detail": r.detail} for r in d.reasons],
    }


def _address(e: Event) -> tuple[str, str, str] | None:
    if isinstance(e, Deposit) and e.chain is not None and e.source_address:
        return (e.chain.value, e.source_address, "deposit source")
    if isinstance(e, Withdrawal) and e.chain is not None and e.destination_address:
        return (e.chain.value, e.destination_address, "withdrawal destination")
    if isinstance(e, AddressBookChanged):
        return (e.chain.value, e.address, "address book")
    return None


def _files(
    request: LerRequest, kinds: Sequence[DataKind], records: Records, linked: Linked
) -> dict[str, bytes]:
    lo, hi = request.period_from_us, request.period_until_us
    kyc: list[Event] = []
    events: list[tuple[Event, Decision]] = []
    for account in request.accounts:
        for event, decision in records(account):
            if event.account_id != account:
                continue  # a record of another account is never in scope
            if isinstance(event, KycSubmitted | KycResult):
                if event.ts_us <= hi:
                    kyc.append(event)
            elif lo <= event.ts_us <= hi:
                events.append((event, decision))
    kyc.sort(key=lambda e: (e.ts_us, e.event_id))
    events.sort(key=lambda ed: (ed[0].ts_us, ed[0].event_id))
    files: dict[str, bytes] = {}
    if DataKind.KYC in kinds:
        files["kyc.json"] = _json([json.loads(encode_event(e)) for e in kyc])
        files["kyc.csv"] = _csv(
            _EVENT_COLUMNS[:4], ([e.event_id, e.TYPE.value, e.account_id, _iso(e.ts_us)] for e in kyc)
        )
    if DataKind.EVENTS in kinds:
        files["events.json"] = _json([json.loads(encode_event(e)) for e, _ in events])
        files["events.csv"] = _csv(_EVENT_COLUMNS, (_event_row(e) for e, _ in events))
    if DataKind.DECISIONS in kinds:
        decided = [_decision(d) for _, d in events]
        files["decisions.json"] = _json(decided)
        files["decisions.csv"] = _csv(
            ("event_id", "account_id", "outcome", "score", "reason_codes"),
            (
                [
                    d["event_id"],
                    d["account_id"],
                    d["outcome"],
                    d["score"],
                    " ".join(r["code"] for r in d["reasons"]),
                ]
                for d in decided
            ),
        )
    if DataKind.ADDRESSES in kinds:
        used: dict[tuple[str, str, str, str], list[int]] = {}
        for e, _ in events:
            found = _address(e)
            if found is not None:
                seen = used.setdefault((e.account_id, *found), [e.ts_us, e.ts_us, 0])
                seen[1], seen[2] = e.ts_us, seen[2] + 1
        files["addresses.csv"] = _csv(
            ("account_id", "chain", "address", "how", "first_seen", "last_seen", "count"),
            ([*k, _iso(v[0]), _iso(v[1]), v[2]] for k, v in sorted(used.items())),
        )
    if DataKind.LINKED in kinds:
        in_scope = set(request.accounts)
        rows = sorted(r for r in linked if r[0] in in_scope and r[1] in in_scope)
        files["linked_accounts.csv"] = _csv(("account_id", "linked_account_id", "how"), rows)
    return files


def _request_json(request: LerRequest, kinds: Sequence[DataKind]) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "received_at": _iso(request.received_us),
        "agency": request.agency,
        "officer": request.officer,
        "jurisdiction": request.jurisdiction,
        "legal_basis": request.legal_basis.value,
        "legal_reference": request.legal_reference,
        "kind": request.kind.value,
        "period": {"from": _iso(request.period_from_us), "until": _iso(request.period_until_us)},
        "subjects": [s.label() for s in request.subjects],
        "accounts": list(request.accounts),
        "data_kinds": [k.value for k in kinds],
    }


def _lines(name: str, content: bytes) -> str:
    rows = content.count(b"\n") - (1 if name.endswith(".csv") else 0)
    return f"{rows} rows" if name.endswith(".csv") else f"{len(content)} bytes"


def _summary(request: LerRequest, kinds: Sequence[DataKind], files: dict[str, bytes], exchange: str) -> bytes:
    lines = [
        f"Disclosure by {exchange} in answer to request {request.request_id}",
        "",
        f"Agency:         {request.agency} ({request.jurisdiction}), officer {request.officer}",
        f"Legal basis:    {request.legal_basis.value}, reference {request.legal_reference}",
        f"Period:         {_iso(request.period_from_us)} to {_iso(request.period_until_us)}",
        f"Accounts:       {', '.join(request.accounts)}",
        f"Data disclosed: {', '.join(k.value for k in kinds)}",
        "",
        "Files:",
        *(f"  {name}: {_lines(name, files[name])}" for name in sorted(files)),
        "",
        "manifest.json lists each file's SHA-256; manifest.sig is the Ed25519 signature of manifest.json",
        "by the exchange's key, whose public half manifest.json gives (and the exchange publishes).",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _tar(files: dict[str, bytes], mtime: int) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    return out.getvalue()


def build_package(
    request: LerRequest,
    records: Records,
    signer: Signer,
    *,
    linked: Linked = (),
    exchange: str = "the exchange",
) -> Package:
    """The package for ``request`` (see the module); ``InvalidInput`` when it has nothing to disclose."""
    kinds = request.data_kinds
    if not kinds:
        raise InvalidInput(
            f"a {request.legal_basis.value} allows no data to be disclosed", field="legal_basis"
        )
    if not request.accounts:
        raise InvalidInput("no account is in scope: resolve the subjects first", field="subjects")
    files = _files(request, kinds, records, linked)
    files["request.json"] = _json(_request_json(request, kinds))
    files["summary.txt"] = _summary(request, kinds, files, exchange)
    manifest = {
        "request_id": request.request_id,
        "public_key": signer.public.hex(),
        "algorithm": "ed25519",
        "files": [
            {"name": n, "sha256": hashlib.sha256(files[n]).hexdigest(), "size": len(files[n])}
            for n in sorted(files)
        ],
    }
    files["manifest.json"] = _json(manifest)
    signature = signer.sign(files["manifest.json"]).hex()
    files["manifest.sig"] = (signature + "\n").encode("ascii")
    archive = _tar(files, request.received_us // 1_000_000)
    return Package(
        archive,
        hashlib.sha256(archive).hexdigest(),
        tuple(sorted(files)),
        signature,
        request.accounts,
        tuple(k.value for k in kinds),
    )


def read_archive(archive: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            out = {}
            for member in tar.getmembers():
                f = tar.extractfile(member)
                if f is None:
                    raise InvalidInput(f"{member.name} is not a file", field="archive")
                out[member.name] = f.read()
            return out
    except tarfile.TarError as exc:
        raise InvalidInput(f"not a package archive: {exc}", field="archive") from None


def verify_package(archive: bytes, public_key: bytes | None = None) -> list[str]:
    """Problems with a package (empty: it verifies): the manifest's hashes against the files, and the
    signature against ``public_key`` (default: the one the manifest names, which proves integrity only)."""
    files = read_archive(archive)
    try:
        manifest = json.loads(files["manifest.json"])
        signature = bytes.fromhex(files["manifest.sig"].decode("ascii").strip())
    except (KeyError, ValueError) as exc:
        return [f"no readable manifest and signature: {exc}"]
    problems = []
    listed = {f["name"] for f in manifest.get("files", [])}
    for f in manifest.get("files", []):
        content = files.get(f["name"])
        if content is None:
            problems.append(f"{f['name']} is listed but missing")
        elif hashlib.sha256(content).hexdigest() != f["sha256"]:
            problems.append(f"{f['name']} does not match its SHA-256")
    extra = set(files) - listed - {"manifest.json", "manifest.sig"}
    problems += [f"{name} is not in the manifest" for name in sorted(extra)]
    key = public_key if public_key is not None else bytes.fromhex(str(manifest.get("public_key", "")))
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, files["manifest.json"])
    except (InvalidSignature, ValueError):
        problems.append("the signature of manifest.json does not verify")
    return problems
