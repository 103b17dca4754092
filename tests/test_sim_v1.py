"""Generator version 1 is frozen: the same seed and options give the bytes they gave before
version 2 existed (the digests below were computed from the code before version 2 was added)."""

from __future__ import annotations

import hashlib
import io

import pytest

from tests.conftest import LISTS
from vigil.sim import SimConfig, write_simulation

# sha256 over the sha256 of the events, labels and claims files, in that order.
PINNED = [
    (
        SimConfig(accounts=300, days=1.0, seed=5, crime_scale=40.0, generator=1),
        "d42996aa2a76273d9ec77da509d40d8b3777744d968b5b89a9dd70f493c7b891",
        (1683, 31, 0),
    ),
    (
        SimConfig(accounts=600, days=2.0, seed=3, crime_scale=100.0, drift=0.5, generator=1),
        "1d1853a6bd9b66fb8c5fcee81b392f21a5dccb2d087ae13638e2ebf3d966d674",
        (5653, 331, 4),
    ),
]


@pytest.mark.parametrize(("config", "digest", "lines"), PINNED)
def test_version_1_gives_the_bytes_it_gave_before_version_2(
    config: SimConfig, digest: str, lines: tuple[int, int, int]
) -> None:
    files = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_simulation(config, *files, lists=LISTS)
    h = hashlib.sha256()
    for f in files:
        h.update(hashlib.sha256(f.getvalue()).digest())
    assert tuple(len(f.getvalue().splitlines()) for f in files) == lines
    assert h.hexdigest() == digest
