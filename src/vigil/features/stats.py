"""Streaming statistics with one protocol: ``update(x)`` and ``revert(x)`` return self, ``get()`` the value.

Every statistic here is revertible, so a time window can wrap any of them (see ``windows``).
Sums and counts over integer inputs are exact; mean and variance use Welford's update, whose
revert is exact up to floating-point rounding.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any, Protocol, Self, TypeVar

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

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_count, (type(self), self.n)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_sum, (type(self), self.total)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_mean, (type(self), self.n, self.mean)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_var, (type(self), self.n, self.mean, self.m2)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_distinct, (type(self), self.counts)


STATISTICS: dict[str, type[Count | Sum | Mean | Var | Distinct]] = {
    "count": Count,
    "sum": Sum,
    "mean": Mean,
    "var": Var,
    "distinct": Distinct,
}


# Snapshots pickle millions of these: a restore function per class is about a third faster to load
# than pickle's default for slotted objects (a dict of slots per object), and a fifth smaller.
_new = object.__new__


def _restore_count(cls: type[Count], n: int) -> Count:
    obj = _new(cls)
    obj.n = n
    return obj


def _restore_sum(cls: type[Sum], total: int) -> Sum:
    obj = _new(cls)
    obj.total = total
    return obj


def _restore_mean(cls: type[Mean], n: int, mean: float) -> Mean:
    obj = _new(cls)
    obj.n, obj.mean = n, mean
    return obj


def _restore_var(cls: type[Var], n: int, mean: float, m2: float) -> Var:
    obj = _new(cls)
    obj.n, obj.mean, obj.m2 = n, mean, m2
    return obj


def _restore_distinct(cls: type[Distinct], counts: dict[Hashable, int]) -> Distinct:
    obj = _new(cls)
    obj.counts = counts
    return obj
