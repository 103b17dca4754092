"""What ``vigil train`` prints about the operating point it chose in each region, and what it costs."""

from __future__ import annotations

from vigil.ml.artifact import Trained
from vigil.ml.thresholds import Cut

HEADER = (
    f"  {'region':8} {'review':>8} {'hold':>8}  {'honest held':>19}  {'false alerts/1k':>24}  "
    f"{'caught at review':>16} {'at hold':>14}  budget"
)


def _held(cut: Cut) -> str:
    return f"{cut.legit_held:.3%} ({cut.held:,}/{cut.legit_withdrawals:,})"


def _alerts(cut: Cut) -> str:
    return f"{cut.false_alerts_per_1000:.2f} ({cut.false_alerts:,}/{cut.account_days:,} a-d)"


def _verdict(cut: Cut) -> str:
    over = []
    if not cut.held_met:
        over.append(f"held over {cut.budget.max_held:.3%}")
    if not cut.alerts_met:
        over.append(f"false alerts over {cut.budget.max_false_alerts:g}/1k")
    verdict = "met" if not over else "NOT MET: " + ", ".join(over) + " (closest point shown)"
    return verdict + (
        "" if cut.own else "; global thresholds (too few rows or too small a budget of its own)"
    )


def line(region: str, cut: Cut) -> str:
    """One region's operating point: thresholds, cost to honest users, what it catches, the verdict."""
    caught = f"{cut.caught_review:.1%} ({cut.value_review:.0%} val)"
    held = f"{cut.caught_hold:.1%} ({cut.value_hold:.0%} val)"
    return (
        f"  {region:8} {cut.review:8.3g} {cut.hold:8.3g}  {_held(cut):>19}  {_alerts(cut):>24}  "
        f"{caught:>16} {held:>14}  {_verdict(cut)}"
    )


def operating_points(trained: Trained) -> list[str]:
    """The table of every region's operating point, and a closing line naming the unmet budgets."""
    out = [f"goal: {trained.goal}", "operating points on the calibration window (illicit events and value):"]
    out.append(HEADER)
    out += [line(region, cut) for region, cut in sorted(trained.cuts.items())]
    return out


def unmet(trained: Trained) -> list[str]:
    """The regions whose budget the chosen thresholds do not meet on the calibration window."""
    return sorted(region for region, cut in trained.cuts.items() if not cut.met)
