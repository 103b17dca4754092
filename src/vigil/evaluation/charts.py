"""The report's curves as PNG charts: ``precision_recall.png`` and ``value_vs_friction.png``.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot, so no global state and no
GUI backend); saving a PNG uses Agg. The PNG metadata carries no software version, so the same
report gives the same bytes on the same matplotlib.

The value-friction chart overlays the regions' curves on the overall one when there are at most
``MAX_REGION_LINES`` regions; with more, it draws small multiples (one panel per region, the
overall curve in grey behind each) so that it stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vigil.evaluation.results import Report, ValueFrictionPoint

PRECISION_RECALL = "precision_recall.png"
VALUE_VS_FRICTION = "value_vs_friction.png"
MAX_REGION_LINES = 6

_STYLES = ("-", "--", ":", "-.")
_FRICTION = "friction: legitimate withdrawals with score >= threshold"
_VALUE = "illicit exit value with score >= threshold"


def write_charts(report: Report, directory: str | Path) -> tuple[Path, Path]:
    """Write both charts into ``directory`` (created if needed); returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = out / PRECISION_RECALL, out / VALUE_VS_FRICTION
    for figure, path in zip((_precision_recall(report), _value_vs_friction(report)), paths, strict=True):
        figure.savefig(path, format="png", metadata={"Software": None})
    return paths


def _figure(**kwargs: Any) -> Any:
    # Imported here: matplotlib takes a noticeable time to import, and only the charts need it.
    from matplotlib.figure import Figure

    return Figure(dpi=100, layout="constrained", **kwargs)


def _precision_recall(report: Report) -> Any:
    fig = _figure(figsize=(8, 6))
    ax = fig.subplots()
    drawn = 0
    for i, (name, points) in enumerate(report.curves.precision_recall.items()):
        if points:
            style = _STYLES[(i // 10) % len(_STYLES)]
            recall, precision = [p.recall for p in points], [p.precision for p in points]
            ax.plot(recall, precision, marker=".", linestyle=style, label=name)
            drawn += 1
    ax.set(
        xlabel="recall: labelled events with score >= threshold",
        ylabel="precision against legitimate events",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
        title="Precision and recall per typology, over the score threshold",
    )
    _finish(ax, drawn)
    return fig


def _value_vs_friction(report: Report) -> Any:
    overall = report.curves.value_vs_friction
    regions = report.curves.value_vs_friction_by_region
    title = "Illicit value stopped against friction to honest users"
    if len(regions) <= MAX_REGION_LINES:
        fig = _figure(figsize=(8, 6))
        ax = fig.subplots()
        drawn = _plot_value(ax, overall, "overall", linewidth=2.5, color="black")
        for name, points in regions.items():
            drawn += _plot_value(ax, points, name, linewidth=1.2, linestyle="--")
        ax.set(xlabel=_FRICTION, ylabel=_VALUE, ylim=(0, 1.02), title=title)
        ax.set_xlim(left=0)
        _finish(ax, drawn)
        return fig
    cols = 3
    rows = math.ceil((len(regions) + 1) / cols)
    fig = _figure(figsize=(10, 3 * rows))
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
    panels = [("overall", overall), *regions.items()]
    for ax, (name, points) in zip(axes, panels, strict=False):
        if name != "overall":
            _plot_value(ax, overall, "overall", linewidth=1.0, color="0.7")
        drawn = _plot_value(ax, points, name, linewidth=2.0, color="black" if name == "overall" else None)
        ax.set_title(name, fontsize="medium")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        _finish(ax, drawn, legend=False)
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    fig.supxlabel(_FRICTION)
    fig.supylabel(_VALUE)
    fig.suptitle(f"{title}, by region (grey: overall)")
    return fig


def _plot_value(ax: Any, points: Sequence[ValueFrictionPoint], name: str, **style: Any) -> int:
    xy = [(p.friction, p.value_share) for p in points if p.friction is not None and p.value_share is not None]
    if not xy:
        return 0
    ax.plot([x for x, _ in xy], [y for _, y in xy], marker=".", label=name, **style)
    return 1


def _finish(ax: Any, drawn: int, *, legend: bool = True) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    if not drawn:
        ax.text(0.5, 0.5, "no data to draw", ha="center", va="center", transform=ax.transAxes)
    elif legend:
        ax.legend(loc="best", fontsize="small")
