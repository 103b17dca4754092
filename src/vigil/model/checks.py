"""What a string or a number on an event may be: identifiers, free text, regions, amounts, codes.

Every check raises ``ValueError("<field>: <message>")`` so the edge can name the field; messages never
echo a long or unprintable value back as it came (it is described, with its length or the code point
at fault). The limits are documented in docs/api.md ("What an event may contain").

- An **identifier** (``event_id``, ``account_id``, ``device_id``, hashes, ...) is 1 to ``ID_LIMIT``
  printable characters (``str.isprintable``: no control, format, separator or unassigned code point, so
  no NUL, newline, bidirectional override or zero-width character), without leading or trailing spaces.
- **Free text** (a memo, a failure reason, a name) is at most ``TEXT_LIMIT`` characters, with no control
  characters (newlines included), no lone surrogates and no bidirectional embedding, override or
  isolate; marks that scripts need (zero-width joiners, left-to-right and right-to-left marks) are kept.
- A **region** is 1 to 32 ASCII letters, digits, ``_`` or ``-``; which regions exist is the edge's
  vocabulary (``VIGIL_REGIONS``), not the model's.
- An **amount** in base units is below ``AMOUNT_LIMIT``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import fields

ID_LIMIT = 200
TEXT_LIMIT = 1000
LIST_LIMIT = 100  # items of a list field (an API key's IP allowlist)
# 10^12 whole units of an 18-decimal token in one event: above any single real transfer of a listed
# asset (and far above what fiat values can express: FIAT_LIMIT), below what overflows int64 pairs.
AMOUNT_LIMIT = 10**30
_REGION = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Unicode's explicit directional embeddings, overrides and isolates (UAX #9): they reorder what follows.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def fail(field: str, message: str) -> None:
    raise ValueError(f"{field}: {message}")


def _describe(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, unicodedata.category(c))}"


def check_id(field: str, value: str) -> None:
    """An identifier: printable, bounded, not blank, no spaces around it."""
    if 0 < len(value) <= ID_LIMIT and value.isprintable() and value.strip() == value:
        return
    if not value:
        fail(field, "must not be empty")
    if len(value) > ID_LIMIT:
        fail(field, f"{len(value):,} characters is over the limit of {ID_LIMIT} for an identifier")
    for i, c in enumerate(value):
        if not c.isprintable():
            fail(field, f"has {_describe(c)} at position {i}: identifiers are printable characters only")
    if not value.strip():
        fail(field, "must not be blank")
    fail(field, "has leading or trailing spaces")


def check_text(field: str, value: str, limit: int = TEXT_LIMIT) -> None:
    """Free text: bounded, no control characters, lone surrogates or bidirectional overrides."""
    if len(value) > limit:
        fail(field, f"{len(value):,} characters is over the limit of {limit}")
    if value.isprintable():
        return
    for i, c in enumerate(value):
        if c in _BIDI or unicodedata.category(c) in ("Cc", "Cs"):
            fail(
                field, f"has {_describe(c)} at position {i}: no control or bidirectional override characters"
            )


def check_region(value: str) -> None:
    if _REGION.fullmatch(value) is None:
        shown = (
            repr(value) if len(value) <= 40 and value.isprintable() else f"a value of {len(value)} characters"
        )
        fail("region", f"{shown} is not a region code (1 to 32 ASCII letters, digits, '_' or '-')")


def check_code(field: str, value: str, *, length: int, what: str) -> None:
    """A code of ``length`` upper-case ASCII letters (a country, a currency)."""
    if len(value) != length or not value.isascii() or not value.isalpha() or not value.isupper():
        shown = repr(value) if len(value) <= 10 else f"a value of {len(value)} characters"
        fail(field, f"{shown} is not {what}")


def check_amount(value: int) -> None:
    if not 0 < value < AMOUNT_LIMIT:
        # str() of a huge int is slow (and refused past 4,300 digits): describe it by its size instead
        shown = str(value) if value.bit_length() <= 128 else f"a number of about {_digits(value):,} digits"
        fail("amount", f"{shown} must be a positive integer in the asset's base units, below 10^30")


def _digits(value: int) -> int:
    return int(abs(value).bit_length() * 0.30103) + 1


# Every string field of an event is an identifier, free text, or checked by its own rule (in model/events.py);
# a new string field must be added to one of these sets (the module refuses to load otherwise).
_IDS = frozenset(
    {
        "event_id",
        "account_id",
        "device_id",
        "referrer_account_id",
        "counterparty_account_id",
        "key_id",
        "email_hash",
        "phone_hash",
        "document_hash",
        "face_hash",
        "tx_hash",
    }
)
_TEXTS = frozenset(
    {
        "full_name",
        "document_type",
        "occupation",
        "rejection_reason",
        "failure_reason",
        "channel",
        "method",
        "memo",
        "label",
        "payment_method",
    }
)
_OWN_RULE = frozenset(
    {
        "region",
        "country",
        "ip",
        "asset",
        "pair",
        "address",
        "source_address",
        "destination_address",
        "deposit_address",
        "fiat_currency",
        "document_country",
        "nationality",
        "sex",
    }
)


def string_checks(cls: type) -> tuple[tuple[str, Callable[[str, str], None]], ...]:
    checks: list[tuple[str, Callable[[str, str], None]]] = []
    for f in fields(cls):
        if f.type not in ("str", "str | None") or f.name in _OWN_RULE:
            continue
        if f.name in _IDS:
            checks.append((f.name, check_id))
        elif f.name in _TEXTS:
            checks.append((f.name, check_text))
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: a string field must be an identifier or free text")
    return tuple(checks)
