"""Streaming statistics with one protocol: ``update(x)`` and ``revert(x)`` return self, ``get()`` the value.

Every statistic here is revertible, so a time window can wrap any of them (see ``windows``).
Sums and counts over integer inputs are exact; mean and variance use Welford's update, whose
revert is exact up to floating-point rounding.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Protocol, Self, TypeVar

T_contra = TypeVar("T_contra", contravariant=True)


class Statistic(Protocol[T_contra]):
    """A revertible running statistic."""

    def update(self, x: T_contra) -> Self: ...

    def revert(self, x: T_contra) -> Self: ...

    def get(self) -> float | None: ...

    def copy(self) -> Self:
        """An independent statistic in the same state (a window reads its value at a later time on one)."""
        ...


class Count:
    """How many values were seen (the values themselves are ignored)."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def update(self, x: object) -> Self:
        self.n += 1
        return self

    def revert(self, x: object) -> Self:
        self.n -= 1
        return self

    def get(self) -> float:
        return float(self.n)

    def copy(self) -> Self:
        other = type(self)()
        other.n = self.n
        return other


class Sum:
    """Sum of integer values (exact: money is integer minor units)."""

    __slots__ = ("total",)

    def __init__(self) -> None:
        self.total = 0

    def update(self, x: int) -> Self:
        self.total += x
        return self

    def revert(self, x: int) -> Self:
        self.total -= x
        return self

    def get(self) -> float:
        return float(self.total)

    def copy(self) -> Self:
        other = type(self)()
        other.total = self.total
        return other


class Mean:
    """Arithmetic mean; ``None`` when empty."""

    __slots__ = ("mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0

    def update(self, x: float) -> Self:
        self.n += 1
        self.mean += (x - self.mean) / self.n
        return self

    def revert(self, x: float) -> Self:
        self.n -= 1
        if self.n == 0:
            self.mean = 0.0
        else:
            self.mean -= (x - self.mean) / self.n
        return self

    def get(self) -> float | None:
        return self.mean if self.n else None

    def copy(self) -> Self:
        other = type(self)()
        other.n, other.mean = self.n, self.mean
        return other


class Var:
    """Sample variance (ddof=1) by Welford's method; ``None`` below two values."""

    __slots__ = ("m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def update(self, x: float) -> Self:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)
        return self

    def revert(self, x: float) -> Self:
        if self.n <= 1:
            self.n = 0
            self.mean = 0.0
            self.m2 = 0.0
            return self
        self.n -= 1
        delta = x - self.mean
        self.mean -= delta / self.n
        self.m2 -= delta * (x - self.mean)
        self.m2 = max(self.m2, 0.0)
        return self

    def get(self) -> float | None:
        return self.m2 / (self.n - 1) if self.n >= 2 else None

    def std(self) -> float | None:
        var = self.get()
        return None if var is None else math.sqrt(var)

    def copy(self) -> Self:
        other = type(self)()
        other.n, other.mean, other.m2 = self.n, self.mean, self.m2
        return other


class Distinct:
    """Number of distinct values; revertible because it counts each value's occurrences."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[Hashable, int] = {}

    def update(self, x: Hashable) -> Self:
        counts = self.counts
        counts[x] = counts.get(x, 0) + 1
        return self

    def revert(self, x: Hashable) -> Self:
        counts = self.counts
        left = counts[x] - 1
        if left:
            counts[x] = left
        else:
            del counts[x]
        return self

    def get(self) -> float:
        return float(len(self.counts))

    def copy(self) -> Self:
        other = type(self)()
        other.counts = dict(self.counts)
        return other


STATISTICS: dict[str, type[Count | Sum | Mean | Var | Distinct]] = {
    "count": Count,
    "sum": Sum,
    "mean": Mean,
    "var": Var,
    "distinct": Distinct,
}
