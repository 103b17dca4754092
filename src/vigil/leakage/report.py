"""The audit's verdict: flagged inputs, the exit code, a table per typology and the JSON view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vigil.leakage.audit import InputScore, TypologyAudit

CLEAN = 0  # no input over the threshold, or only justified ones
ARTEFACT = 1  # at least one input over the threshold that the justified list does not excuse


@dataclass(frozen=True, slots=True)
class Flag:
    typology: str
    input: str
    ap: float
    source: str | None  # the justification; None = an unjustified artefact


@dataclass(frozen=True, slots=True)
class Report:
    audits: tuple[TypologyAudit, ...]
    threshold: float
    justified: dict[tuple[str, str], str] = field(default_factory=dict)
    worlds: dict[str, Any] = field(default_factory=dict)  # how the worlds were made (for the record)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Every input over the threshold, by typology, with its justification if it has one."""
        return tuple(
            Flag(a.typology, s.name, s.ap, self.justified.get((a.typology, s.name)))
            for a in self.audits
            for s in a.above(self.threshold)
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
                {"typology": f.typology, "input": f.input, "ap": round(f.ap, 4), "justified": f.source}
                for f in self.flags
            ],
            "artefacts": len(self.artefacts),
            "exit_code": self.exit_code,
        }

    def table(self) -> str:
        """One block per typology: sizes, the reference model, the top five inputs (flags marked)."""
        lines = [f"leakage audit: inputs whose AP alone exceeds {self.threshold:g} are flagged"]
        for a in self.audits:
            if a.skipped is not None:
                lines.append(f"\n{a.typology}: skipped, {a.skipped}")
                continue
            model = "n/a" if a.model_ap is None else f"{a.model_ap:.4f}"
            lines.append(
                f"\n{a.typology}: {a.positives:,} labelled vs {a.negatives:,} honest events "
                f"({', '.join(a.event_types)}); base rate {a.base_rate:.4f}; reference model AP {model}"
            )
            for s in a.top(5):
                lines.append(
                    f"  {self._mark(a.typology, s)} {s.ap:.4f}  {s.name} ({s.direction} first, {s.source})"
                )
        artefacts = self.artefacts
        lines.append("")
        if artefacts:
            lines.append(f"{len(artefacts)} unjustified artefact(s):")
            lines.extend(f"  {f.typology}: {f.input} AP {f.ap:.4f}" for f in artefacts)
        else:
            lines.append("no unjustified artefact")
        return "\n".join(lines)

    def _mark(self, typology: str, score: InputScore) -> str:
        if score.ap <= self.threshold:
            return " "
        return "j" if (typology, score.name) in self.justified else "!"


def _audit_view(a: TypologyAudit) -> dict[str, Any]:
    view: dict[str, Any] = {
        "typology": a.typology,
        "positives": a.positives,
        "negatives": a.negatives,
        "event_types": list(a.event_types),
        "base_rate": round(a.base_rate, 6),
    }
    if a.skipped is not None:
        view["skipped"] = a.skipped
        return view
    best = a.inputs[0] if a.inputs else None
    view["best"] = None if best is None else _score_view(best)
    view["top"] = [_score_view(s) for s in a.top(5)]
    view["reference_model_ap"] = None if a.model_ap is None else round(a.model_ap, 4)
    view["inputs"] = {s.name: round(s.ap, 4) for s in a.inputs}
    return view


def _score_view(s: InputScore) -> dict[str, Any]:
    return {"input": s.name, "ap": round(s.ap, 4), "direction": s.direction.value, "source": s.source}
