"""Rules as data: a small expression language compiled to closures, evaluated with a trace (pure)."""

from vigil.rules.compiler import CompileError
from vigil.rules.functions import REGISTRY as FUNCTIONS
from vigil.rules.loader import Source, load_rules
from vigil.rules.ruleset import Evaluation, Rule, RuleSet, Thresholds

__all__ = ["FUNCTIONS", "CompileError", "Evaluation", "Rule", "RuleSet", "Source", "Thresholds", "load_rules"]
