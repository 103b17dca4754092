"""Each region's reporting line: the amount structuring keeps its pieces under.

The lines are data with their sources (``reporting_lines.yaml`` beside this module: the regulation,
the jurisdiction, the legal amount and its conversion). A line is in the exchange's reporting
currency's cents, as ``EventContext.fiat`` is; a region the file does not name takes the default
(USD 10,000). The catalog's ``line`` bands (``Scope.line_band``) are shares of the event's region's
line, and the catalog's hash includes ``LINES.digest``, so a changed line is a changed catalog.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

FILE = "reporting_lines.yaml"


@dataclass(frozen=True, slots=True)
class ReportingLines:
    """Lines in cents by region code, and the line of a region the table does not name."""

    by_region: Mapping[str, int]
    default: int

    def of(self, region: str) -> int:
        return self.by_region.get(region, self.default)

    @property
    def digest(self) -> str:
        text = ";".join(f"{r}={c}" for r, c in sorted(self.by_region.items())) + f";*={self.default}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_lines(data: Any) -> ReportingLines:
    """The table from the file's parsed YAML; a line must be a positive whole number of cents."""
    if not isinstance(data, dict) or not isinstance(data.get("lines"), dict):
        raise ValueError(f"{FILE}: expected a mapping with 'lines'")
    default = data.get("default_cents")
    by_region: dict[str, int] = {}
    for region, entry in data["lines"].items():
        cents = entry.get("cents") if isinstance(entry, dict) else None
        if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
            raise ValueError(f"{FILE}: {region}: 'cents' must be a positive integer, got {cents!r}")
        if not entry.get("regulation") or not entry.get("source"):
            raise ValueError(f"{FILE}: {region}: a line needs its 'regulation' and 'source'")
        by_region[str(region)] = cents
    if not isinstance(default, int) or isinstance(default, bool) or default <= 0:
        raise ValueError(f"{FILE}: 'default_cents' must be a positive integer, got {default!r}")
    return ReportingLines(MappingProxyType(by_region), default)


def load_lines() -> ReportingLines:
    text = resources.files("vigil.features").joinpath(FILE).read_text(encoding="utf-8")
    return parse_lines(yaml.safe_load(text))


LINES = load_lines()
