"""``parse_address``: one table from chain to parser, and the :class:`Address` value it returns.

Every chain of :class:`vigil.model.Chain` has exactly one parser here (a test checks the table
is complete), so a new chain cannot be screened by accident with another chain's rules. Parsers
take the stripped text and return its canonical spelling or raise ``AddressFormatError``; this
module adds the chain, the family and the public ``InvalidAddress``.

The hot path (every withdrawal destination, every list row) is: strip, three checks every
format shares (empty, too long, non-ASCII; each one C-level test), one dict lookup, the parser,
one slotted object. Diagnosis that only an error needs (whitespace inside) runs after a parser
has refused the text, never before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from vigil.errors import InvalidAddress
from vigil.model import Chain
from vigil.screening.chains import cashaddr, evm, monero, others, stellar, ton, utxo
from vigil.screening.chains.common import AddressFormatError, Parser, describe_char, first_non_ascii

EVM_FAMILY: Final = "EVM"
# Longer than any address Vigil parses (a CashAddr of a 64-byte hash with its prefix is 124
# characters); refusing early keeps a pasted document from costing a quadratic base58 decode.
MAX_LENGTH: Final = 150
_WHITESPACE: Final = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed address: its chain, its family and its one canonical spelling.

    ``family`` is ``"EVM"`` for every EVM chain and the chain's value otherwise: an EVM account is
    the same key on Ethereum, BSC, Polygon and the rest, so one listed on one chain matches on all
    (and a withdrawal on BSC to an address listed on Ethereum is a hit). Addresses of other
    chains never compare equal across chains, even when the strings coincide (one ``1...``
    string is an address on BTC and on BSV, with two keys).
    """

    chain: Chain
    family: str
    canonical: str

    @property
    def key(self) -> str:
        """``FAMILY:canonical``: what list indexes and screening look-ups are keyed by."""
        return f"{self.family}:{self.canonical}"


_PARSERS: Final[dict[Chain, Parser]] = {
    Chain.BTC: utxo.parse_btc,
    Chain.LTC: utxo.parse_ltc,
    Chain.BSV: utxo.parse_bsv,
    Chain.BTG: utxo.parse_btg,
    Chain.DOGE: utxo.parse_doge,
    Chain.DASH: utxo.parse_dash,
    Chain.XVG: utxo.parse_xvg,
    Chain.ZEC: utxo.parse_zec,
    Chain.BCH: cashaddr.parse_bch,
    Chain.TRON: others.parse_tron,
    Chain.XRP: others.parse_xrp,
    Chain.SOL: others.parse_sol,
    Chain.XMR: monero.parse_xmr,
    Chain.XLM: stellar.parse_xlm,
    Chain.TON: ton.parse_ton,
    **{chain: evm.parse_evm for chain in Chain if chain.is_evm},
}
_FAMILIES: Final = {chain: EVM_FAMILY if chain.is_evm else chain.value for chain in Chain}


def family_of(chain: Chain) -> str:
    """The key family of ``chain``: ``"EVM"`` for EVM chains, otherwise the chain's value."""
    return _FAMILIES[chain]


def parse_address(chain: Chain, text: str) -> Address:
    """Validate ``text`` as an address on ``chain`` and return its canonical form.

    Leading and trailing whitespace is ignored. Anything else that is not a valid address of the
    chain (empty, whitespace inside, wrong alphabet, length, prefix or version, bad checksum)
    raises :class:`vigil.errors.InvalidAddress` naming the chain, the text and what is wrong.
    """
    stripped = text.strip()
    try:
        if not stripped:
            raise AddressFormatError("is empty")
        if len(stripped) > MAX_LENGTH:
            raise AddressFormatError(f"is {len(stripped)} characters long, longer than any address")
        if not stripped.isascii():
            # Every format is ASCII; refusing the rest here means no codec meets case mappings
            # that change a string's length or library calls that reject non-ASCII their own way.
            raise AddressFormatError(f"{describe_char(stripped, first_non_ascii(stripped))} is not ASCII")
        canonical = _PARSERS[chain](stripped)
    except AddressFormatError as error:
        message = str(error)
        if _WHITESPACE.search(stripped):
            message = "contains whitespace inside the address"
        raise InvalidAddress(message, chain=chain.value, address=text) from None
    return Address(chain, _FAMILIES[chain], canonical)
