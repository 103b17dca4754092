"""The leakage audit of the simulator (``vigil sim audit``): how far each single input, and a reference
model trained on another seed, tell each typology apart from honest events. docs/simulator.md,
"Leakage audit", says what is measured and what the numbers were."""

from vigil.leakage.audit import ALL, InputScore, ScopeAudit, TypologyAudit, audit_worlds, reference_model
from vigil.leakage.justify import DEFAULT_JUSTIFIED, load_justified, parse_justified
from vigil.leakage.rank import Direction, category_rates, encode, oriented_ap
from vigil.leakage.report import ARTEFACT, CLEAN, Flag, Report
from vigil.leakage.rows import Rows, build_rows
from vigil.leakage.runner import DEFAULT_THRESHOLD, AuditSpec, run_audit
from vigil.leakage.world import World, read_world, simulate_world, with_generator

__all__ = [
    "ALL",
    "ARTEFACT",
    "CLEAN",
    "DEFAULT_JUSTIFIED",
    "DEFAULT_THRESHOLD",
    "AuditSpec",
    "Direction",
    "Flag",
    "InputScore",
    "Report",
    "Rows",
    "ScopeAudit",
    "TypologyAudit",
    "World",
    "audit_worlds",
    "build_rows",
    "category_rates",
    "encode",
    "load_justified",
    "oriented_ap",
    "parse_justified",
    "read_world",
    "reference_model",
    "run_audit",
    "simulate_world",
    "with_generator",
]
