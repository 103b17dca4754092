"""Which uncredited deposit a claim names, and whether its evidence agrees with it (pure).

Each check raises an error naming what is wrong: no deposit with that hash, one on another chain,
one that was credited, another asset or amount, withdrawal evidence that disagrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from vigil.errors import Conflict, InvalidInput, InvalidProof
from vigil.model.claims import UncreditedDeposit
from vigil.recovery.policy import RecoveryPolicy
from vigil.recovery.requests import ClaimRequest, HistoryProof
from vigil.screening.chains.parse import parse_address

_US_PER_HOUR = 3_600_000_000


def find_deposit(
    req: ClaimRequest, known: Sequence[UncreditedDeposit], policy: RecoveryPolicy
) -> UncreditedDeposit:
    """The uncredited deposit ``req`` names among the deposits of its tx hash (``known``)."""
    if not known:
        raise InvalidInput(
            f"no deposit with tx {req.tx_hash} reached the exchange (on any chain): nothing to recover",
            field="tx_hash",
        )
    on_chain = [d for d in known if d.chain is req.chain]
    if not on_chain:
        chains = ", ".join(sorted({d.chain.value for d in known}))
        raise InvalidInput(
            f"tx {req.tx_hash} is a deposit on {chains}, not on {req.chain.value}: wrong chain", field="chain"
        )
    open_ = [d for d in on_chain if d.reason is not None]
    if not open_:
        raise Conflict(
            f"the deposit of tx {req.tx_hash} on {req.chain.value} was credited: there is nothing to recover"
        )
    if req.asset is not None:
        of_asset = [d for d in open_ if d.asset == req.asset]
        if not of_asset:
            assets = ", ".join(sorted({d.asset for d in open_}))
            raise InvalidInput(
                f"the uncredited deposit of tx {req.tx_hash} is {assets}, not {req.asset}", field="asset"
            )
        open_ = of_asset
    fitting = [d for d in open_ if amount_fits(req, d, policy)]
    if not fitting:
        d = open_[0]
        said = f"{req.amount} base units" if req.amount is not None else f"{req.fiat_value} (fiat)"
        has = f"{d.amount} base units of {d.asset}" if req.amount is not None else f"{d.fiat_value} (fiat)"
        raise InvalidInput(
            f"amount mismatch: the claim says {said}, the deposit of tx {req.tx_hash} is {has}"
            f" (tolerance {policy.amount_tolerance * 100:g}%)",
            field="amount" if req.amount is not None else "fiat_value",
        )
    return min(fitting, key=lambda d: abs(Decimal(req.amount or 0) - d.amount))


def amount_fits(req: ClaimRequest, d: UncreditedDeposit, policy: RecoveryPolicy) -> bool:
    if req.amount is not None and not policy.within(req.amount, d.amount):
        return False
    return req.fiat_value is None or policy.within(req.fiat_value, d.fiat_value)


def check_history(proof: HistoryProof, d: UncreditedDeposit, policy: RecoveryPolicy) -> None:
    """The withdrawal evidence agrees with the deposit: its tx, asset and amount, a departure before
    the arrival and within the window, the exchange's address and memo when both sides name them."""
    if proof.tx_hash is not None and proof.tx_hash != d.tx_hash:
        raise InvalidProof(
            f"the withdrawal's tx {proof.tx_hash} is not the deposit's {d.tx_hash}", field="proof.tx_hash"
        )
    if proof.asset != d.asset:
        raise InvalidProof(f"the withdrawal was {proof.asset}, the deposit is {d.asset}", field="proof.asset")
    if not policy.within(proof.amount, d.amount):
        raise InvalidProof(
            f"the withdrawal of {proof.amount} base units is not the deposit's {d.amount}",
            field="proof.amount",
        )
    if proof.sent_at_us > d.ts_us:
        raise InvalidProof("the withdrawal left after the deposit arrived", field="proof.sent_at")
    if d.ts_us - proof.sent_at_us > policy.history_hours * _US_PER_HOUR:
        raise InvalidProof(
            f"the withdrawal left more than {policy.history_hours:g} hours before the deposit arrived",
            field="proof.sent_at",
        )
    if proof.to_address is not None and d.deposit_address is not None:
        try:
            same = (
                parse_address(d.chain, proof.to_address).canonical
                == parse_address(d.chain, d.deposit_address).canonical
            )
        except InvalidInput:
            same = False
        if not same:
            raise InvalidProof(
                f"the withdrawal went to {proof.to_address}, not to the address the deposit reached",
                field="proof.to_address",
            )
    if proof.memo is not None and d.memo is not None and proof.memo != d.memo:
        raise InvalidProof(f"the withdrawal's memo {proof.memo!r} is not the deposit's", field="proof.memo")
