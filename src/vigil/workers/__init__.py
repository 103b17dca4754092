"""Partitioned workers on the event bus (docs/operations.md, "Workers"): each decides the events of its
partitions and folds the shared state of every event, so that N workers decide as one process does."""

from vigil.workers.cluster import cluster_record, differences
from vigil.workers.controls import ControlSender, FreezeControl
from vigil.workers.partitions import owned, partition_of
from vigil.workers.submit import Submitter
from vigil.workers.worker import Worker

__all__ = [
    "ControlSender",
    "FreezeControl",
    "Submitter",
    "Worker",
    "cluster_record",
    "differences",
    "owned",
    "partition_of",
]
