"""What the exchange decides about recoveries: amount tolerance, the history window, fees, four eyes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """``amount_tolerance``: how far (a share of the deposit) a claim's amount may be from the deposit's;
    ``history_hours``: how long before the deposit arrived the claimant's withdrawal elsewhere may have
    left; the fee is ``fee_share`` of the value, at least ``fee_min`` and at most ``fee_max`` (fiat, 0:
    no bound) and never more than the value; a recovery worth ``four_eyes_value`` or more (fiat) waits
    for a second person's approval. Settings: ``VIGIL_RECOVERY_*`` (docs/recovery.md)."""

    amount_tolerance: Decimal = Decimal("0.01")
    history_hours: float = 72.0
    fee_share: Decimal = Decimal("0.02")
    fee_min: Decimal = Decimal("10")
    fee_max: Decimal = Decimal("500")
    four_eyes_value: Decimal = Decimal("1000")

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.amount_tolerance < 1:
            raise ValueError(f"amount_tolerance {self.amount_tolerance} must be in [0, 1)")
        if not Decimal(0) <= self.fee_share <= 1:
            raise ValueError(f"fee_share {self.fee_share} must be in [0, 1]")
        if self.fee_min < 0 or self.fee_max < 0 or self.four_eyes_value < 0 or self.history_hours <= 0:
            raise ValueError("fees, the four-eyes value and the history window must not be negative")

    def fee(self, amount: int, fiat_value: Decimal) -> tuple[int, Decimal]:
        """The fee on a recovery of ``amount`` base units worth ``fiat_value``: (base units, fiat)."""
        fiat = fiat_value * self.fee_share
        fiat = max(fiat, self.fee_min)
        if self.fee_max > 0:
            fiat = min(fiat, self.fee_max)
        fiat = min(fiat, fiat_value).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        if fiat_value <= 0:
            return 0, Decimal("0.00")
        units = int((Decimal(amount) * fiat / fiat_value).to_integral_value(rounding=ROUND_DOWN))
        return min(units, amount), fiat

    def within(self, claimed: int | Decimal, actual: int | Decimal) -> bool:
        """``claimed`` is within the tolerance of ``actual`` (both in the same unit)."""
        return abs(Decimal(claimed) - Decimal(actual)) <= Decimal(actual) * self.amount_tolerance
