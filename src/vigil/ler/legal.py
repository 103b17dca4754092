"""What each legal basis allows: the kinds of data a disclosure may hold, and the kinds of request it
can carry (pure). An example policy the exchange's counsel adjusts; requests are checked against it at
intake, so a package can never hold more than its basis allows.
"""

from __future__ import annotations

from vigil.errors import InvalidInput
from vigil.model.ler import DataKind, LegalBasis, RequestKind

_ALL = frozenset(DataKind)
# A subpoena reaches subscriber records; orders and warrants reach activity; an emergency what locates a
# person in danger; a preservation letter or a freeze order discloses nothing by itself.
ALLOWED_DATA: dict[LegalBasis, frozenset[DataKind]] = {
    LegalBasis.SUBPOENA: frozenset({DataKind.KYC, DataKind.ADDRESSES}),
    LegalBasis.COURT_ORDER: frozenset(
        {DataKind.KYC, DataKind.EVENTS, DataKind.DECISIONS, DataKind.ADDRESSES}
    ),
    LegalBasis.SEARCH_WARRANT: _ALL,
    LegalBasis.MLAT: _ALL,
    LegalBasis.EMERGENCY: frozenset({DataKind.KYC, DataKind.EVENTS, DataKind.ADDRESSES}),
    LegalBasis.FREEZE_ORDER: frozenset(),
    LegalBasis.PRESERVATION_LETTER: frozenset(),
}

ALLOWED_KINDS: dict[RequestKind, frozenset[LegalBasis]] = {
    RequestKind.INFORMATION: frozenset(
        {LegalBasis.SUBPOENA, LegalBasis.COURT_ORDER, LegalBasis.SEARCH_WARRANT, LegalBasis.MLAT}
    ),
    RequestKind.PRESERVATION: frozenset(LegalBasis),
    RequestKind.FREEZE: frozenset(
        {LegalBasis.FREEZE_ORDER, LegalBasis.COURT_ORDER, LegalBasis.SEARCH_WARRANT, LegalBasis.MLAT}
    ),
    RequestKind.UNFREEZE: frozenset(
        {LegalBasis.FREEZE_ORDER, LegalBasis.COURT_ORDER, LegalBasis.SEARCH_WARRANT, LegalBasis.MLAT}
    ),
    RequestKind.EMERGENCY: frozenset({LegalBasis.EMERGENCY}),
}


def parse_basis(text: str) -> LegalBasis:
    if not text.strip():
        raise InvalidInput(
            "a request needs its legal basis (subpoena, court_order, ...)", field="legal_basis"
        )
    try:
        return LegalBasis(text.strip())
    except ValueError:
        known = ", ".join(b.value for b in LegalBasis)
        raise InvalidInput(
            f"{text[:60]!r} is not a legal basis; use one of: {known}", field="legal_basis"
        ) from None


def check_scope(kind: RequestKind, basis: LegalBasis, data: tuple[DataKind, ...]) -> tuple[DataKind, ...]:
    """The data kinds asked for, checked against the basis (none asked: all the basis allows)."""
    if basis not in ALLOWED_KINDS[kind]:
        fits = ", ".join(sorted(b.value for b in ALLOWED_KINDS[kind]))
        raise InvalidInput(
            f"a {kind.value} request cannot rest on a {basis.value}; it needs: {fits}", field="legal_basis"
        )
    allowed = ALLOWED_DATA[basis]
    if not data:
        return tuple(k for k in DataKind if k in allowed)
    beyond = [k.value for k in data if k not in allowed]
    if beyond:
        may = ", ".join(k.value for k in DataKind if k in allowed) or "nothing"
        raise InvalidInput(
            f"a {basis.value} does not allow {', '.join(beyond)} (it allows: {may})", field="data_kinds"
        )
    return tuple(k for k in DataKind if k in data)
