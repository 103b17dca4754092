"""The cluster's record: what every worker (and server) of one stream must agree on.

The first worker to join a stream stores it (``EventBus.join``); a later one whose record differs is
refused (``ClusterMismatch``): its decisions would not be its peers'.
"""

from __future__ import annotations

from vigil.engine import Engine
from vigil.version import __version__

COMPARED = ("engine", "catalog", "rules", "partitions", "flag_lag", "workers")


def cluster_record(engine: Engine, *, partitions: int, workers: int) -> dict[str, str]:
    return {
        "engine": __version__,
        "catalog": engine.catalog.hash,
        "rules": engine.rules.version,
        "partitions": str(partitions),
        "flag_lag": str(engine.flag_lag),
        "workers": str(workers),
    }


def differences(
    stored: dict[str, str], mine: dict[str, str], fields: tuple[str, ...] = COMPARED
) -> list[str]:
    """Each field where ``mine`` differs from the ``stored`` record, spelled for people."""
    return [
        f"{name} {mine.get(name)!r} (the cluster's is {stored.get(name)!r})"
        for name in fields
        if stored.get(name) != mine.get(name)
    ]
