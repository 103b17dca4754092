"""Subjects of a request: parsed, contact details hashed, and resolved to accounts (pure).

**Hashing.** The engine never sees a customer's e-mail, phone or document number: the exchange sends
``email_hash``, ``phone_hash`` and ``document_hash``. A request names them in clear; ``contact_hash``
turns them into the same hashes (SHA-256, lower-case hex, of the normalised value: an e-mail trimmed
and lower-cased, a phone's ``+`` and digits, a document number upper-cased without spaces or dashes),
and only the hash is stored. A subject given as 64 hex digits is taken as a hash already.

**Resolving.** ``SubjectIndex`` observes the journal's events (as the desk's feed does) and keeps which
accounts used each identifier: account ids, contact and document hashes, crypto addresses by their
canonical key (``screening.chains``), deposits' transaction hashes, and KYC names for the name matcher.
Identifiers resolve to accounts in scope; a name only offers accounts for a person to review (a name is
not an identifier), as linked accounts from the entity graph do. Nothing joins a request's scope silently.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from vigil.errors import InvalidAddress, InvalidInput
from vigil.graph import EntityGraph
from vigil.model import AccountOpened, AddressBookChanged, Deposit, Event, KycSubmitted, Withdrawal
from vigil.model.enums import Chain
from vigil.model.ler import Match, Subject, SubjectKind
from vigil.screening.chains import parse_address
from vigil.screening.entries import NameEntry
from vigil.screening.entries import SubjectKind as PartyKind
from vigil.screening.names import NameIndex, NameQuery

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
NAME_THRESHOLD = 85.0  # a name match this good is offered for review
MAX_SUBJECTS = 200


def normalise(kind: SubjectKind, value: str) -> str:
    v = value.strip()
    if kind is SubjectKind.EMAIL:
        return v.lower()
    if kind is SubjectKind.PHONE:
        return re.sub(r"[\s\-().]", "", v)
    if kind is SubjectKind.DOCUMENT:
        return re.sub(r"[\s\-]", "", v).upper()
    return v


def contact_hash(kind: SubjectKind, value: str) -> str:
    """The hash the engine's events carry for an e-mail, a phone or a document number."""
    return hashlib.sha256(normalise(kind, value).encode("utf-8")).hexdigest()


_HASHED = (SubjectKind.EMAIL, SubjectKind.PHONE, SubjectKind.DOCUMENT)


def parse_subject(raw: Mapping[str, object], n: int) -> Subject:
    """One subject as a request gives it (``kind``, ``value``, ``chain``), checked and hashed; errors
    name ``subjects[n]``."""
    where = f"subjects[{n}]"
    try:
        kind = SubjectKind(str(raw.get("kind", "")))
    except ValueError:
        known = ", ".join(k.value for k in SubjectKind)
        raise InvalidInput(
            f"{str(raw.get('kind'))[:40]!r} is not a subject kind; use one of: {known}", field=where
        ) from None
    value = str(raw.get("value", "")).strip()
    chain_text = str(raw.get("chain") or "").strip().upper()
    if not value or len(value) > 500 or any(ord(c) < 32 for c in value):
        raise InvalidInput("a subject needs a value of 1 to 500 printable characters", field=where)
    if kind in _HASHED:
        if _HEX64.match(value.lower()):
            return Subject(kind, value.lower())
        if kind is SubjectKind.EMAIL and not _EMAIL.match(value):
            raise InvalidInput(f"{value[:80]!r} is not an e-mail address (or its hash)", field=where)
        if kind is SubjectKind.PHONE and not _PHONE.match(normalise(kind, value)):
            raise InvalidInput(f"{value[:80]!r} is not a phone number (or its hash)", field=where)
        return Subject(kind, contact_hash(kind, value))
    if kind in (SubjectKind.ADDRESS, SubjectKind.TX):
        try:
            chain = Chain(chain_text)
        except ValueError:
            raise InvalidInput(
                f"{chain_text[:20]!r} is not a chain Vigil knows (an address names its chain)", field=where
            ) from None
        if kind is SubjectKind.ADDRESS:
            try:
                return Subject(kind, parse_address(chain, value).key, chain.value)
            except InvalidAddress as exc:
                raise InvalidInput(f"not an address on {chain.value}: {exc.message}", field=where) from None
        return Subject(kind, value.lower() if chain.is_evm else value, chain.value)
    if kind is SubjectKind.NAME and not any(c.isalpha() for c in value):
        raise InvalidInput("a name has letters", field=where)
    return Subject(kind, value)


def parse_subjects(raw: Sequence[Mapping[str, object]]) -> tuple[Subject, ...]:
    if not raw:
        raise InvalidInput("a request names at least one subject", field="subjects")
    if len(raw) > MAX_SUBJECTS:
        raise InvalidInput(f"at most {MAX_SUBJECTS} subjects per request", field="subjects")
    return tuple(dict.fromkeys(parse_subject(s, n) for n, s in enumerate(raw)))


def _key(chain: Chain, address: str) -> str | None:
    try:
        return parse_address(chain, address).key
    except InvalidAddress:
        return None


@dataclass(frozen=True, slots=True)
class Resolution:
    matches: tuple[Match, ...]  # accounts in scope (identifiers)
    offered: tuple[Match, ...]  # for a person to review (names, linked accounts)
    unmatched: tuple[str, ...]  # subjects (labels) that found nothing


class SubjectIndex:
    """Which accounts used each identifier, built from the journal's events (``observe``)."""

    def __init__(self) -> None:
        self.position = 0  # the journal position observed up to
        self.accounts: set[str] = set()
        self._by: dict[tuple[SubjectKind, str], set[str]] = {}
        self.names: dict[str, str] = {}  # account -> its latest KYC name
        self._name_index: NameIndex | None = None

    def _add(self, kind: SubjectKind, value: str | None, account: str) -> None:
        if value:
            self._by.setdefault((kind, value), set()).add(account)

    def observe(self, event: Event) -> None:
        a = event.account_id
        self.accounts.add(a)
        if isinstance(event, AccountOpened):
            self._add(SubjectKind.EMAIL, event.email_hash, a)
            self._add(SubjectKind.PHONE, event.phone_hash, a)
        elif isinstance(event, KycSubmitted):
            self._add(SubjectKind.DOCUMENT, event.document_hash, a)
            if event.full_name:
                self.names[a] = event.full_name
                self._name_index = None
        elif isinstance(event, Deposit) and event.chain is not None:
            if event.source_address:
                self._add(SubjectKind.ADDRESS, _key(event.chain, event.source_address), a)
            self._add(
                SubjectKind.TX,
                event.tx_hash.lower() if event.tx_hash and event.chain.is_evm else event.tx_hash,
                a,
            )
        elif isinstance(event, Withdrawal) and event.chain is not None and event.destination_address:
            self._add(SubjectKind.ADDRESS, _key(event.chain, event.destination_address), a)
        elif isinstance(event, AddressBookChanged):
            self._add(SubjectKind.ADDRESS, _key(event.chain, event.address), a)

    def lookup(self, subject: Subject) -> list[str]:
        if subject.kind is SubjectKind.ACCOUNT:
            return [subject.value] if subject.value in self.accounts else []
        return sorted(self._by.get((subject.kind, subject.value), ()))

    def name_matches(self, name: str, limit: int = 20) -> list[tuple[str, float]]:
        if not self.names:
            return []
        if self._name_index is None:
            entries = [NameEntry("kyc", a, PartyKind.PERSON, n) for a, n in sorted(self.names.items())]
            self._name_index = NameIndex.build(entries)
        found = self._name_index.search(NameQuery(name), limit=limit, threshold=NAME_THRESHOLD)
        return [(m.entry_id, m.score) for m in found]


def resolve(
    subjects: Iterable[Subject],
    index: SubjectIndex,
    address_users: Callable[[str], Sequence[str]] | None = None,
    graph: EntityGraph | None = None,
    linked_limit: int = 20,
) -> Resolution:
    """Accounts for each subject; ``address_users`` adds the accounts the engine recorded per address
    key (``ScreeningStore.accounts_for_address``); ``graph`` offers the matched accounts' neighbours."""
    matches: dict[tuple[str, str], Match] = {}
    offered: dict[str, Match] = {}
    unmatched: list[str] = []
    for s in subjects:
        label = s.label()
        if s.kind is SubjectKind.NAME:
            found = index.name_matches(s.value)
            for account, score in found:
                offered.setdefault(account, Match(account, label, f"name {score:.1f}"))
            if not found:
                unmatched.append(label)
            continue
        accounts = set(index.lookup(s))
        if s.kind is SubjectKind.ADDRESS and address_users is not None:
            accounts |= set(address_users(s.value))
        how = {
            "account": "account id",
            "email": "e-mail hash",
            "phone": "phone hash",
            "document": "document hash",
            "address": "address",
            "tx": "transaction hash",
        }[s.kind.value]
        for account in sorted(accounts):
            matches.setdefault((account, label), Match(account, label, how))
        if not accounts:
            unmatched.append(label)
    in_scope = {m.account_id for m in matches.values()}
    if graph is not None:
        for account in sorted(in_scope):
            a = graph.index.get(account)
            if a is None:
                continue
            near = sorted(graph.adjacency[a].items(), key=lambda kv: (-kv[1], graph.names[kv[0]]))[
                :linked_limit
            ]
            for b, _weight in near:
                other = graph.names[b]
                if other in in_scope or other in offered:
                    continue
                kinds = ", ".join(sorted(k.value for k in graph.kinds_between(a, b)))
                offered[other] = Match(other, f"account:{account}", f"linked ({kinds})")
    for account in in_scope:
        offered.pop(account, None)
    return Resolution(tuple(matches.values()), tuple(offered.values()), tuple(unmatched))
