"""Evaluation: how well Vigil's decisions catch what the simulator labelled, and what honest users pay.

Three files in (events, decisions from ``vigil replay``, labels), one ``Report`` out::

    data = load("events.jsonl", "decisions.jsonl", "labels.jsonl", window=Window.parse(since, until))
    report = evaluate(data)
    print(render_table(report)); encode_report(report); write_charts(report, "charts/")

``load`` reads millions of lines with msgspec and joins them into numpy columns (``Dataset``);
``evaluate`` is pure and computes every metric defined in ``vigil.evaluation.metrics`` (and in
docs/evaluation.md); the renderers turn the report into a terminal table, JSON or PNG charts.
Bad input is an ``InvalidRecord`` (an ``InvalidInput``) naming the file and the line.
"""

from vigil.errors import InvalidRecord
from vigil.evaluation.builder import DatasetBuilder, from_records
from vigil.evaluation.charts import write_charts
from vigil.evaluation.dataset import NO_DECISION, NO_DELAY, Dataset
from vigil.evaluation.json_report import FORMAT, encode_report, report_json
from vigil.evaluation.load import Progress, load
from vigil.evaluation.metrics import evaluate
from vigil.evaluation.records import DecisionRecord, EventRecord, LabelRecord
from vigil.evaluation.results import (
    Counts,
    Curves,
    Detection,
    Friction,
    PRPoint,
    Ratio,
    Report,
    Spread,
    TimeToAlert,
    ValueFrictionPoint,
    ValueStopped,
)
from vigil.evaluation.table import render_table
from vigil.evaluation.window import Window

__all__ = [
    "FORMAT",
    "NO_DECISION",
    "NO_DELAY",
    "Counts",
    "Curves",
    "Dataset",
    "DatasetBuilder",
    "DecisionRecord",
    "Detection",
    "EventRecord",
    "Friction",
    "InvalidRecord",
    "LabelRecord",
    "PRPoint",
    "Progress",
    "Ratio",
    "Report",
    "Spread",
    "TimeToAlert",
    "ValueFrictionPoint",
    "ValueStopped",
    "Window",
    "encode_report",
    "evaluate",
    "from_records",
    "load",
    "render_table",
    "report_json",
    "write_charts",
]
