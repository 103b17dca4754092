"""The report's curves as PNG charts: ``precision_recall.png`` and ``value_vs_friction.png``.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot, so no global state and no
GUI backend); saving a PNG uses Agg. The PNG metadata carries no software version, so the same
report gives the same bytes on the same matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vigil.evaluation.results import Report, ValueFrictionPoint

PRECISION_RECALL = "precision_recall.png"
VALUE_VS_FRICTION = "value_vs_friction.png"
MAX_REGION_LINES = 6
"""Above this many regions the value-friction chart shows the overall curve only (it stays readable)."""

_STYLES = ("-", "--", ":", "-.")


def write_charts(report: Report, directory: str | Path) -> tuple[Path, Path]:
    """Write both charts into ``directory`` (created if needed); returns their paths."""
    # Imported here: matplotlib takes a noticeable time to import, and only this function needs it.
    from matplotlib.figure import Figure

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)

    pr = Figure(figsize=(8, 6), dpi=100, layout="constrained")
    ax = pr.subplots()
    drawn = 0
    for i, (name, points) in enumerate(report.curves.precision_recall.items()):
        if points:
            ax.plot(
                [p.recall for p in points],
                [p.precision for p in points],
                marker=".",
                linestyle=_STYLES[(i // 10) % len(_STYLES)],
                label=name,
            )
            drawn += 1
    ax.set(
        xlabel="recall: labelled events with score >= threshold",
        ylabel="precision against legitimate events",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
        title="Precision and recall per typology, over the score threshold",
    )
    _finish(ax, drawn)
    pr_path = out / PRECISION_RECALL
    pr.savefig(pr_path, format="png", metadata={"Software": None})

    vf = Figure(figsize=(8, 6), dpi=100, layout="constrained")
    ax = vf.subplots()
    drawn = _plot_value(ax, report.curves.value_vs_friction, "overall", linewidth=2.5, color="black")
    regions = report.curves.value_vs_friction_by_region
    if len(regions) <= MAX_REGION_LINES:
        for name, region_points in regions.items():
            drawn += _plot_value(ax, region_points, name, linewidth=1.2, linestyle="--")
    ax.set(
        xlabel="friction: legitimate withdrawals with score >= threshold",
        ylabel="illicit exit value with score >= threshold",
        ylim=(0, 1.02),
        title="Illicit value stopped against friction to honest users",
    )
    ax.set_xlim(left=0)
    _finish(ax, drawn)
    vf_path = out / VALUE_VS_FRICTION
    vf.savefig(vf_path, format="png", metadata={"Software": None})
    return pr_path, vf_path


def _plot_value(ax: Any, points: Sequence[ValueFrictionPoint], name: str, **style: Any) -> int:
    xy = [(p.friction, p.value_share) for p in points if p.friction is not None and p.value_share is not None]
    if not xy:
        return 0
    ax.plot([x for x, _ in xy], [y for _, y in xy], marker=".", label=name, **style)
    return 1


def _finish(ax: Any, drawn: int) -> None:
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(loc="best", fontsize="small")
    else:
        ax.text(0.5, 0.5, "no data to draw", ha="center", va="center", transform=ax.transAxes)
