"""Loading the three files of an evaluation run: events, decisions (``vigil replay``), labels.

Events are read first (they define the event ids), then decisions and labels are joined to them.
Every problem is an ``InvalidRecord`` naming the file and, for a row, its line: malformed JSON, a
missing or mistyped field, an unknown outcome, a bad decimal, a duplicate id, a decision or label
for an event the events file lacks, a label or decision naming another account than its event, a
labelled event of the window without decision, a delay that does not end after its event, and
an empty file. An empty labels file is an error too: without
ground truth every number of the evaluation would be empty or zero, which would read as a result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec

from vigil.evaluation.builder import DatasetBuilder
from vigil.evaluation.dataset import Dataset
from vigil.evaluation.jsonl import read_blocks
from vigil.evaluation.records import DecisionRecord, EventRecord, LabelRecord
from vigil.evaluation.window import Window

Progress = Callable[[str, int], None]
"""Told ``(file, rows read so far)`` after each block, e.g. to draw a counter on stderr."""

_EVENTS = msgspec.json.Decoder(EventRecord)
_DECISIONS = msgspec.json.Decoder(DecisionRecord)
_LABELS = msgspec.json.Decoder(LabelRecord)


def load(
    events: str | Path,
    decisions: str | Path,
    labels: str | Path,
    *,
    progress: Progress | None = None,
    window: Window | None = None,
) -> Dataset:
    """Read and join the three JSON-lines files, keep the ``window`` (default: the run, without the
    simulator's history); raises ``InvalidRecord`` (an ``InvalidInput``)."""
    builder = DatasetBuilder(events=str(events), decisions=str(decisions), labels=str(labels), window=window)
    rows = 0
    for event_block in read_blocks(events, _EVENTS):
        builder.add_events(event_block)
        rows += len(event_block.records)
        if progress is not None:
            progress(str(events), rows)
    builder.close_events()
    rows = 0
    for decision_block in read_blocks(decisions, _DECISIONS):
        builder.add_decisions(decision_block)
        rows += len(decision_block.records)
        if progress is not None:
            progress(str(decisions), rows)
    rows = 0
    for label_block in read_blocks(labels, _LABELS):
        builder.add_labels(label_block)
        rows += len(label_block.records)
        if progress is not None:
            progress(str(labels), rows)
    return builder.finish()
