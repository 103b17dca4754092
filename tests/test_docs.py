"""The documentation keeps up with the code: reason codes, FATF coverage and rule-pack parameters.

* docs/reason-codes.md has a ``## `code` `` section for every ``ReasonCode`` (and none for an
  unknown code unless the section is marked retired), and lists every built-in rule under the
  code it raises;
* docs/fatf-coverage.md has a row for every indicator of the FATF spec in ``../shared``, and the
  indicators the FATF pack cites are marked implemented or partial there;
* the built-in packs cite only known reason codes and document every parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED
from vigil.adapters.rule_files import BuiltinRules
from vigil.features import default_catalog
from vigil.model import ReasonCode
from vigil.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FATF_SPEC = SHARED / "specs" / "fatf_va_red_flags" / "fatf_va_red_flags_rules.yaml"
FATF_PACK = "fatf_va_2020"

CODE_HEADING = re.compile(r"^## `([^`]+)`[ \t]*$", re.MULTILINE)
RETIRED = re.compile(r"^\*\*Retired\b", re.MULTILINE)
RAISED_BY = re.compile(r"\*\*Raised by\.\*\*(.*?)(?:\n[ \t]*\n|\Z)", re.DOTALL)
INDICATOR_ID = re.compile(r"[A-Z]{3}-\d{2}[a-z]?")
BACKTICKED = re.compile(r"`([^`]+)`")
STATUSES = frozenset({"implemented", "partial", "not yet"})


# Reading the documents -------------------------------------------------------------------------


def read_doc(name: str) -> str:
    path = DOCS / name
    if not path.is_file():
        pytest.fail(f"{path} is missing")
    return path.read_text(encoding="utf-8")


def code_sections() -> list[tuple[str, str]]:
    """(code, section text) for every ``## `code` `` heading of docs/reason-codes.md, in order."""
    parts = re.split(r"^(?=## )", read_doc("reason-codes.md"), flags=re.MULTILINE)
    return [(m.group(1), part) for part in parts if (m := CODE_HEADING.match(part))]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    indicator: str
    status: str
    rules: tuple[str, ...]


def coverage_rows() -> list[CoverageRow]:
    """The rows of docs/fatf-coverage.md's table: indicator | paraphrase | status | rule ids | ..."""
    rows = []
    for line in read_doc("fatf-coverage.md").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        indicator = cells[0].strip("`")
        if len(cells) < 4 or not INDICATOR_ID.fullmatch(indicator):
            continue
        rows.append(CoverageRow(indicator, cells[2].lower(), tuple(BACKTICKED.findall(cells[3]))))
    return rows


def coverage_by_indicator() -> dict[str, CoverageRow]:
    return {row.indicator: row for row in coverage_rows()}


# Reading the spec and the packs ----------------------------------------------------------------


@cache
def fatf_indicator_ids() -> frozenset[str]:
    """Every indicator id of the FATF spec in ../shared (which must sit beside the project)."""
    if not SHARED.is_dir():
        pytest.fail(
            f"{SHARED} is missing: ../shared must sit beside the project (it holds the FATF spec "
            f"specs/fatf_va_red_flags/fatf_va_red_flags_rules.yaml)"
        )
    if not FATF_SPEC.is_file():
        pytest.fail(f"{FATF_SPEC} is missing from ../shared")
    spec: Any = yaml.safe_load(FATF_SPEC.read_text(encoding="utf-8"))
    ids = [str(ind["id"]) for category in spec["categories"] for ind in category["indicators"]]
    assert ids, f"no indicators found in {FATF_SPEC}"
    assert len(ids) == len(set(ids)), f"duplicate indicator ids in {FATF_SPEC}"
    return frozenset(ids)


@cache
def builtin_rules() -> RuleSet:
    return load_rules(BuiltinRules().read(), default_catalog())


def builtin_pack_files() -> list[tuple[str, Any]]:
    """(file name, parsed YAML) of every built-in rule file."""
    return [(s.name, yaml.safe_load(s.text)) for s in BuiltinRules().read()]


# (a) Reason codes ------------------------------------------------------------------------------


def test_every_reason_code_has_its_section() -> None:
    documented = {code for code, _ in code_sections()}
    missing = [code.value for code in ReasonCode if code.value not in documented]
    assert not missing, f"docs/reason-codes.md lacks a '## `code`' section for: {', '.join(missing)}"


def test_no_section_documents_an_unknown_code_unless_retired() -> None:
    known = {code.value for code in ReasonCode}
    unknown = [code for code, text in code_sections() if code not in known and not RETIRED.search(text)]
    assert not unknown, (
        f"docs/reason-codes.md documents codes that are not ReasonCode values: {', '.join(unknown)} "
        "(a retired code keeps its section with a line starting '**Retired**')"
    )


def test_every_code_is_documented_once() -> None:
    codes = [code for code, _ in code_sections()]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    assert not twice, f"docs/reason-codes.md documents these codes more than once: {', '.join(twice)}"


def test_every_builtin_rule_is_listed_under_the_code_it_raises() -> None:
    sections = dict(code_sections())
    missing = []
    for rule in builtin_rules().rules:
        match = RAISED_BY.search(sections.get(rule.reason.value, ""))
        if match is None or rule.id not in BACKTICKED.findall(match.group(1)):
            missing.append(f"{rule.id} (under {rule.reason.value})")
    assert not missing, f"docs/reason-codes.md 'Raised by' does not name: {', '.join(missing)}"


# (b), (c) FATF coverage ------------------------------------------------------------------------


def test_every_fatf_indicator_has_a_coverage_row() -> None:
    rows = coverage_by_indicator()
    missing = sorted(fatf_indicator_ids() - rows.keys())
    assert not missing, f"docs/fatf-coverage.md has no row for: {', '.join(missing)}"


def test_coverage_rows_name_known_indicators_with_a_status() -> None:
    rows = coverage_rows()
    unknown = sorted({row.indicator for row in rows} - fatf_indicator_ids())
    assert not unknown, f"docs/fatf-coverage.md has rows for indicators not in the spec: {', '.join(unknown)}"
    indicators = [row.indicator for row in rows]
    twice = sorted({i for i in indicators if indicators.count(i) > 1})
    assert not twice, f"docs/fatf-coverage.md has several rows for: {', '.join(twice)}"
    bad = [f"{row.indicator}: {row.status!r}" for row in rows if row.status not in STATUSES]
    assert not bad, f"status must be one of {sorted(STATUSES)}: {', '.join(bad)}"


def test_indicators_cited_by_the_fatf_pack_exist_and_are_covered() -> None:
    spec_ids = fatf_indicator_ids()
    rows = coverage_by_indicator()
    problems = []
    for rule in builtin_rules().rules:
        if rule.pack != FATF_PACK:
            continue
        if rule.indicator is None:
            problems.append(f"{rule.id} cites no indicator")
            continue
        if rule.indicator not in spec_ids:
            problems.append(f"{rule.id} cites {rule.indicator}, not an indicator of the FATF spec")
            continue
        row = rows.get(rule.indicator)
        if row is None or row.status not in ("implemented", "partial"):
            status = "has no row" if row is None else f"is marked {row.status!r}"
            problems.append(f"{rule.id} implements {rule.indicator}, which {status} in docs/fatf-coverage.md")
        elif rule.id not in row.rules:
            problems.append(f"{rule.id} is not named in the {rule.indicator} row of docs/fatf-coverage.md")
    assert not problems, "\n".join(problems)


def test_coverage_names_only_existing_rules() -> None:
    ids = {rule.id for rule in builtin_rules().rules}
    stale = sorted({f"{row.indicator}: {r}" for row in coverage_rows() for r in row.rules if r not in ids})
    assert not stale, f"docs/fatf-coverage.md names rules that do not exist: {', '.join(stale)}"


# (d), (e) Built-in packs -----------------------------------------------------------------------


def test_builtin_packs_cite_only_reason_codes() -> None:
    rules = builtin_rules()  # loading refuses an unknown code; check what was loaded too
    assert rules.rules
    known = set(ReasonCode)
    cited = {
        str(rd["reason"])
        for _, data in builtin_pack_files()
        if isinstance(data, dict)
        for rd in data.get("rules") or []
    }
    assert cited == {rule.reason.value for rule in rules.rules}
    unknown = sorted(rule.id for rule in rules.rules if rule.reason not in known)
    assert not unknown, f"rules citing codes that are not ReasonCode values: {', '.join(unknown)}"


def test_every_pack_param_has_a_doc() -> None:
    undocumented = []
    for name, data in builtin_pack_files():
        params = data.get("params") if isinstance(data, dict) else None
        for param, definition in (params or {}).items():
            doc = definition.get("doc") if isinstance(definition, dict) else None
            if not isinstance(doc, str) or not doc.strip():
                undocumented.append(f"{name}: {param}")
    assert not undocumented, f"parameters without a doc: {', '.join(undocumented)}"
