"""The registry of functions a rule may call. Every function is pure; a missing input gives None.

Add a function with ``@register``: its name, arity and first docstring line become part of the
rule language (``vigil rules functions`` lists them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    fn: Callable[..., Any]
    min_args: int
    max_args: int | None
    doc: str
    null_safe: bool  # True when the function handles None itself (otherwise None in -> None out)


REGISTRY: dict[str, Function] = {}


def register(
    min_args: int, max_args: int | None = -1, *, null_safe: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        name = fn.__name__.rstrip("_")
        upper = min_args if max_args == -1 else max_args
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        REGISTRY[name] = Function(name, fn, min_args, upper, doc, null_safe)
        return fn

    return wrap


@register(1)
def minutes(n: float) -> float:
    """minutes(n): n minutes in seconds."""
    return n * 60.0


@register(1)
def hours(n: float) -> float:
    """hours(n): n hours in seconds."""
    return n * 3600.0


@register(1)
def days(n: float) -> float:
    """days(n): n days in seconds."""
    return n * 86400.0


@register(1)
def abs_(x: float) -> float:
    """abs(x): absolute value."""
    return abs(x)


@register(1, None)
def min_(*xs: float) -> float:
    """min(a, b, ...): the smallest argument."""
    return min(xs)


@register(1, None)
def max_(*xs: float) -> float:
    """max(a, b, ...): the largest argument."""
    return max(xs)


@register(1, None, null_safe=True)
def coalesce(*xs: Any) -> Any:
    """coalesce(a, b, ...): the first argument that is not missing."""
    return next((x for x in xs if x is not None), None)


@register(1, null_safe=True)
def is_missing(x: Any) -> bool:
    """is_missing(x): true when a feature or field has no value for this event."""
    return x is None


@register(1)
def lower(text: str) -> str:
    """lower(text): text in lower case."""
    return text.lower()


@register(2)
def contains_any(text: str, terms: Iterable[str]) -> bool:
    """contains_any(text, [terms]): true when text contains any term as a whole word, ignoring case."""
    words = set(_WORD.findall(text.casefold()))
    return any(term.casefold() in words for term in terms)


@register(2)
def years_between(earlier_year: float, later_year: float) -> float:
    """years_between(earlier, later): whole years from one calendar year to another."""
    return float(int(later_year) - int(earlier_year))
