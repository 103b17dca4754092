"""Rule expressions: parsed with Python's own grammar, compiled to closures over a small whitelist.

An expression such as ``account.withdrawal.count_24h >= params.n and not origin.is_tor`` reads:

* ``event.FIELD``: a field of the event being decided (checked against the rule's event types);
  ``event.year`` and ``event.hour`` are the event's UTC year and hour;
* ``origin.FIELD``: the network origin (``country``, ``is_tor``, ``is_vpn``, ``is_hosting``,
  ``is_anonymised``), from the event or the exchange's IP database;
* ``params.NAME``: a parameter of the rule pack, inlined at load time;
* any other dotted name: a feature of the catalog.

Allowed: ``and or not``, comparisons (``< <= > >= == != in not in``), ``+ - * /``, unary minus,
numbers, strings, ``true``/``false``, lists, and calls to registered functions. Anything else is
refused at load time with the offending text.

A missing value (None) makes comparisons and arithmetic unknown (None); ``and``/``or`` follow
three-valued logic; a rule matches only when its condition is true.
"""

from __future__ import annotations

import ast
import operator
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vigil.features import FeatureVector
from vigil.model import Event, NetworkOrigin
from vigil.rules.functions import REGISTRY


@dataclass(slots=True)
class Env:
    """What a compiled expression reads."""

    event: Event
    features: FeatureVector
    origin: NetworkOrigin | None


Compiled = Callable[[Env], Any]


class CompileError(ValueError):
    """An expression that is not valid rule language; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str = "when") -> None:
        super().__init__(message)
        self.field = field


ORIGIN_FIELDS = frozenset({"country", "is_tor", "is_vpn", "is_hosting", "is_anonymised"})
VIRTUAL_EVENT_FIELDS: dict[str, Callable[[Event], Any]] = {
    "year": lambda e: e.ts.year,
    "hour": lambda e: e.ts.hour,
    "type": lambda e: e.TYPE.value,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass(frozen=True, slots=True)
class Scope:
    """What names an expression may use: the catalog's features, event fields, the pack's params."""

    features: Mapping[str, int]
    event_fields: frozenset[str]
    params: Mapping[str, Any]


def dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def compile_expression(text: str, scope: Scope, field: str = "when") -> tuple[Compiled, frozenset[str]]:
    """Compile ``text``; returns the closure and the feature names it reads."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        try:  # an expression over several lines of a YAML block (a line break outside brackets)
            tree = ast.parse(f"({text.strip()}\n)", mode="eval")
        except SyntaxError:
            raise CompileError(f"syntax error in {text!r}: {exc.msg} at column {exc.offset}", field) from None
    used: set[str] = set()
    fn = _Compiler(scope, used, field).visit(tree.body)
    return fn, frozenset(used)


def resolve_name(name: str, scope: Scope, used: set[str], field: str) -> Compiled | Any:
    """A closure reading ``name``, or a constant for params."""
    head, _, rest = name.partition(".")
    if head == "params":
        if rest not in scope.params:
            known = ", ".join(sorted(scope.params)) or "none"
            raise CompileError(f"unknown parameter {rest!r} (the pack defines: {known})", field)
        return _Const(scope.params[rest])
    if head == "event":
        if rest in VIRTUAL_EVENT_FIELDS:
            getter = VIRTUAL_EVENT_FIELDS[rest]
            return lambda env: getter(env.event)
        if rest not in scope.event_fields:
            raise CompileError(
                f"event field {rest!r} does not exist on every event type the rule is on", field
            )
        return lambda env: getattr(env.event, rest, None)
    if head == "origin":
        if rest not in ORIGIN_FIELDS:
            raise CompileError(
                f"unknown origin field {rest!r} (one of: {', '.join(sorted(ORIGIN_FIELDS))})", field
            )
        return lambda env: None if env.origin is None else getattr(env.origin, rest)
    if name not in scope.features:
        raise CompileError(f"unknown feature {name!r} (see `vigil catalog` for the list)", field)
    used.add(name)
    index = scope.features[name]
    return lambda env: env.features.at(index)


@dataclass(frozen=True, slots=True)
class _Const:
    value: Any


def _as_fn(x: Compiled | _Const) -> Compiled:
    if isinstance(x, _Const):
        value = x.value
        return lambda env: value
    return x


class _Compiler:
    def __init__(self, scope: Scope, used: set[str], field: str) -> None:
        self.scope = scope
        self.used = used
        self.field = field

    def visit(self, node: ast.expr) -> Compiled:
        return _as_fn(self.value(node))

    def value(self, node: ast.expr) -> Compiled | _Const:
        method = getattr(self, f"v_{type(node).__name__}", None)
        if method is None:
            raise CompileError(f"{ast.unparse(node)!r} is not allowed in a rule expression", self.field)
        return method(node)  # type: ignore[no-any-return]

    def v_Constant(self, node: ast.Constant) -> _Const:
        if not isinstance(node.value, (int, float, str, bool)) and node.value is not None:
            raise CompileError(f"constant {node.value!r} is not allowed", self.field)
        return _Const(node.value)

    def v_Name(self, node: ast.Name) -> Compiled | _Const:
        lowered = {"true": True, "false": False, "null": None}
        if node.id in lowered:
            return _Const(lowered[node.id])
        return resolve_name(node.id, self.scope, self.used, self.field)

    def v_Attribute(self, node: ast.Attribute) -> Compiled | _Const:
        name = dotted(node)
        if name is None:
            raise CompileError(f"{ast.unparse(node)!r} is not a name", self.field)
        return resolve_name(name, self.scope, self.used, self.field)

    def v_List(self, node: ast.List) -> _Const:
        return self._sequence(node.elts)

    def v_Tuple(self, node: ast.Tuple) -> _Const:
        return self._sequence(node.elts)

    def _sequence(self, elts: list[ast.expr]) -> _Const:
        items = []
        for elt in elts:
            value = self.value(elt)
            if not isinstance(value, _Const):
                raise CompileError(f"list items must be constants: {ast.unparse(elt)!r}", self.field)
            items.append(value.value)
        return _Const(frozenset(items) if all(isinstance(i, str) for i in items) else tuple(items))

    def v_UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        inner = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: None if (v := inner(env)) is None else not v
        if isinstance(node.op, ast.USub):
            return lambda env: None if (v := inner(env)) is None else -v
        raise CompileError(f"operator in {ast.unparse(node)!r} is not allowed", self.field)

    def v_BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.visit(v) for v in node.values]
        if isinstance(node.op, ast.And):

            def all_(env: Env) -> bool | None:
                unknown = False
                for part in parts:
                    v = part(env)
                    if v is None:
                        unknown = True
                    elif not v:
                        return False
                return None if unknown else True

            return all_

        def any_(env: Env) -> bool | None:
            unknown = False
            for part in parts:
                v = part(env)
                if v is None:
                    unknown = True
                elif v:
                    return True
            return None if unknown else False

        return any_

    def v_Compare(self, node: ast.Compare) -> Compiled:
        operands = [self.visit(node.left), *(self.visit(c) for c in node.comparators)]
        ops = [_COMPARE[type(op)] for op in node.ops if type(op) in _COMPARE]
        if len(ops) != len(node.ops):
            raise CompileError(f"comparison in {ast.unparse(node)!r} is not allowed", self.field)
        if len(ops) == 1:
            left, right, op = operands[0], operands[1], ops[0]

            def compare1(env: Env) -> bool | None:
                a = left(env)
                if a is None:
                    return None
                b = right(env)
                return None if b is None else op(a, b)

            return compare1

        def compare(env: Env) -> bool | None:
            a = operands[0](env)
            for op, nxt in zip(ops, operands[1:], strict=True):
                b = nxt(env)
                if a is None or b is None:
                    return None
                if not op(a, b):
                    return False
                a = b
            return True

        return compare

    def v_BinOp(self, node: ast.BinOp) -> Compiled:
        op = _ARITH.get(type(node.op))
        if op is None:
            raise CompileError(f"operator in {ast.unparse(node)!r} is not allowed", self.field)
        left, right = self.visit(node.left), self.visit(node.right)
        is_div = isinstance(node.op, ast.Div)

        def arith(env: Env) -> Any:
            a = left(env)
            if a is None:
                return None
            b = right(env)
            if b is None or (is_div and not b):
                return None
            return op(a, b)

        return arith

    def v_Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise CompileError(
                f"{ast.unparse(node)!r}: call registered functions by name, without keywords", self.field
            )
        spec = REGISTRY.get(node.func.id)
        if spec is None:
            raise CompileError(
                f"unknown function {node.func.id!r} (known: {', '.join(sorted(REGISTRY))})", self.field
            )
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise CompileError(
                f"{spec.name}() takes {spec.min_args}..{spec.max_args} arguments, got {n}", self.field
            )
        args = [self.visit(a) for a in node.args]
        fn = spec.fn
        if spec.null_safe:
            return lambda env: fn(*(a(env) for a in args))

        def call(env: Env) -> Any:
            values = [a(env) for a in args]
            if any(v is None for v in values):
                return None
            return fn(*values)

        return call


def template_names(template: str) -> list[str]:
    """The ``{name}`` fields of a detail template."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]
