"""The audit's verdict: flagged inputs, the exit code, a table per typology and the JSON view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vigil.leakage.audit import InputScore, ScopeAudit, TypologyAudit

CLEAN = 0  # no input over the threshold, or only justified ones
ARTEFACT = 1  # at least one input over the threshold that the justified list does not excuse
SHOWN = 5  # flagged inputs the table shows per event type (the JSON has them all)


@dataclass(frozen=True, slots=True)
class Flag:
    typology: str
    scope: str  # "all", or the event type whose contrast it separates
    input: str
    ap: float
    source: str | None  # the justification; None = an unjustified artefact


@dataclass(frozen=True, slots=True)
class Report:
    audits: tuple[TypologyAudit, ...]
    threshold: float
    justified: dict[tuple[str, str], str] = field(default_factory=dict)  # (typology, input) -> source
    worlds: dict[str, Any] = field(default_factory=dict)  # how the worlds were made (for the record)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Every input over the threshold, by typology and scope, with its justification if it has one."""
        return tuple(
            Flag(a.typology, scope.scope, s.name, s.ap, self.justified.get((a.typology, s.name)))
            for a in self.audits
            for scope in a.scopes()
            for s in scope.above(self.threshold)
        )

    @property
    def artefacts(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.source is None)

    @property
    def exit_code(self) -> int:
        return ARTEFACT if self.artefacts else CLEAN

    def view(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        return {
            "threshold": self.threshold,
            "worlds": self.worlds,
            "typologies": [_audit_view(a) for a in self.audits],
            "flags": [
                {
                    "typology": f.typology,
                    "scope": f.scope,
                    "input": f.input,
                    "ap": round(f.ap, 4),
                    "justified": f.source,
                }
                for f in self.flags
            ],
            "artefacts": len(self.artefacts),
            "exit_code": self.exit_code,
        }

    def table(self) -> str:
        """Per typology: sizes, the reference model, the top five inputs, then each event type's best
        input and any other flagged one (``!`` unjustified, ``j`` justified)."""
        lines = [f"leakage audit: inputs whose AP alone exceeds {self.threshold:g} are flagged"]
        for a in self.audits:
            o = a.overall
            if o.skipped is not None:
                lines.append(f"\n{a.typology}: skipped, {o.skipped}")
                continue
            lines.append(
                f"\n{a.typology}: {o.positives:,} labelled vs {o.negatives:,} honest events "
                f"({', '.join(a.event_types)}); base rate {o.base_rate:.4f}; "
                f"reference model AP {_ap(o.model_ap)}"
            )
            lines.extend(f"  {self._line(a.typology, s)}" for s in o.top(5))
            for scope in a.by_type:
                if scope.skipped is not None:
                    lines.append(f"  - {scope.scope}: {scope.positives} labelled, too few to score alone")
                    continue
                counts = f"{scope.positives:,} vs {scope.negatives:,}"
                lines.append(f"  - {scope.scope}: {counts}; model {_ap(scope.model_ap)}")
                if scope.note is not None:
                    lines.append(f"      ({scope.note})")
                over = scope.above(self.threshold)
                shown = over[:SHOWN] if over else scope.inputs[:1]
                lines.extend(f"      {self._line(a.typology, s)}" for s in shown)
                if len(over) > SHOWN:
                    lines.append(f"      ... and {len(over) - SHOWN} more over the threshold")
        artefacts = self.artefacts
        lines.append("")
        if artefacts:
            lines.append(f"{len(artefacts)} unjustified artefact(s), by typology (scope):")
            grouped: dict[tuple[str, str], list[Flag]] = {}
            for f in artefacts:
                grouped.setdefault((f.typology, f.scope), []).append(f)
            for (typology, scope_name), flags in grouped.items():
                inputs = ", ".join(f"{f.input} {f.ap:.4f}" for f in flags)
                lines.append(f"  {typology} ({scope_name}): {inputs}")
        else:
            lines.append("no unjustified artefact")
        return "\n".join(lines)

    def _line(self, typology: str, s: InputScore) -> str:
        mark = " " if s.ap <= self.threshold else "j" if (typology, s.name) in self.justified else "!"
        return f"{mark} {s.ap:.4f}  {s.name} ({s.direction} first, {s.source})"


def _ap(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _scope_view(scope: ScopeAudit) -> dict[str, Any]:
    view: dict[str, Any] = {
        "scope": scope.scope,
        "positives": scope.positives,
        "negatives": scope.negatives,
        "base_rate": round(scope.base_rate, 6),
    }
    if scope.skipped is not None:
        view["skipped"] = scope.skipped
        return view
    if scope.note is not None:
        view["note"] = scope.note
    view["best"] = _score_view(scope.inputs[0]) if scope.inputs else None
    view["top"] = [_score_view(s) for s in scope.top(5)]
    view["reference_model_ap"] = None if scope.model_ap is None else round(scope.model_ap, 4)
    view["inputs"] = {s.name: round(s.ap, 4) for s in scope.inputs}
    return view


def _audit_view(a: TypologyAudit) -> dict[str, Any]:
    return {
        "typology": a.typology,
        "event_types": list(a.event_types),
        **_scope_view(a.overall),
        "by_type": [_scope_view(s) for s in a.by_type],
    }


def _score_view(s: InputScore) -> dict[str, Any]:
    return {"input": s.name, "ap": round(s.ap, 4), "direction": s.direction.value, "source": s.source}
