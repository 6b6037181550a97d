"""The NumPy code of a planned model: its cost, its gradients and its named quantities.

Numeric stage, beside codegen.py (which serves the article's mse): the planner's gradient
steps (`gradient-alpha`, `gradient-beta`, ...) are lambdified as they stand. The
description's intermediates (z, p, μ, u) are assignments under their own names; a column
that two results share (the signal p − y of ∂J/∂α and ∂J/∂β) is computed once, as `r`; a
quantity used only once is written where it is used, so that NumPy can reuse its array.
The code reads like NumPy written by hand: one pass over X for z, one for each gradient,
no m×n temporary. The cost is rewritten for evaluation only where the written form loses
digits or overflows: log σ(t) = −softplus(−t) and log(1 − σ(t)) = −softplus(t),
softplus(t) = logaddexp(0, t), so a confident wrong prediction costs a large finite
number instead of log(0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from sympy import MatAdd, MatMul, MatrixExpr, OneMatrix

from derive.math.entrywise import AsMatrix, Entrywise, SquaredNorm
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.codegen import ArrayPrinter, Generated
from derive.steps.choose import derive_model


def _sigmoid(x: Array) -> Array:
    """σ(x) = (1 + tanh(x/2))/2: one transcendental a value and no overflow for any x."""
    result: Array = 0.5 + 0.5 * np.tanh(0.5 * x)
    return result


def _softplus(x: Array) -> Array:
    """log(1 + eˣ) without overflow."""
    result: Array = np.logaddexp(0.0, x)
    return result


# The functions of a model's notation, by the names the printer writes.
NAMESPACE: dict[str, Callable[..., Any]] = {
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "square": np.square,
}


class ModelPrinter(ArrayPrinter):
    """ArrayPrinter with the family's nodes: f(A) entry by entry, A ∘ B, ‖v‖²."""

    def _print_Entrywise(self, expr: Entrywise) -> str:
        return f"{expr.name}({self._print(expr.arg)})"

    def _print_Sigmoid(self, expr: sp.Expr) -> str:
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_Softplus(self, expr: sp.Expr) -> str:
        return f"softplus({self._print(expr.args[0])})"

    def _print_HadamardProduct(self, expr: MatrixExpr) -> str:
        return "(" + "*".join(self._factor(arg) for arg in expr.args) + ")"

    def _print_HadamardPower(self, expr: MatrixExpr) -> str:
        return f"({self._factor(expr.base)}**{self._print(expr.exp)})"

    def _print_SquaredNorm(self, expr: SquaredNorm) -> str:
        operand = self._factor(expr.arg)
        return f"({operand}*{operand}).sum()"

    def _print_AsMatrix(self, expr: AsMatrix) -> str:
        return f"({self._print(expr.value)})"

    def _operand(self, matrices: Sequence[sp.Basic]) -> str:
        if len(matrices) == 1 and not isinstance(matrices[0], MatMul):
            return self._factor(matrices[0])
        return super()._operand(matrices)

    def _factor(self, arg: sp.Basic) -> str:
        printed = str(self._print(arg))
        return printed if _atomic(printed) else f"({printed})"


def _atomic(text: str) -> bool:
    """Whether `text` needs no parentheses as an operand: a name, a name's transpose, or
    text wrapped whole in one pair of parentheses."""
    if text.removesuffix(".T").isidentifier():
        return True
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and position < len(text) - 1:
            return False
    return True


def _negated(arg: MatrixExpr) -> MatrixExpr:
    return MatMul(sp.S.NegativeOne, arg).doit()


def _complement_of_sigmoid(arg: sp.Basic) -> MatrixExpr | None:
    """t for 𝟏 − σ(t) (in either order of terms), None for anything else."""
    if not isinstance(arg, MatAdd) or len(arg.args) != 2:
        return None
    ones = [a for a in arg.args if isinstance(a, OneMatrix)]
    rest = [a for a in arg.args if not isinstance(a, OneMatrix)]
    if len(ones) != 1 or len(rest) != 1:
        return None
    coefficient, matrices = rest[0].as_coeff_matrices() if isinstance(rest[0], MatMul) else (1, [])
    if coefficient == -1 and len(matrices) == 1:
        inner = matrices[0]
        if isinstance(inner, Entrywise) and inner.name == "sigmoid":
            return inner.arg
    return None


def stable_cost(spec: ModelSpec) -> sp.Basic:
    """The cost with every log of a sigmoid written as a softplus (see the module's text);
    an intermediate is expanded only where it stands inside such a log."""
    sigmoids = {
        item.symbol: item.definition
        for item in spec.intermediates
        if isinstance(item.definition, Entrywise) and item.definition.name == "sigmoid"
    }

    def rewrite(node: Entrywise) -> MatrixExpr:
        if node.name != "log":
            return node
        inner = node.arg.xreplace(sigmoids)
        if isinstance(inner, Entrywise) and inner.name == "sigmoid":
            return _negated(Entrywise("softplus", _negated(inner.arg)))
        complement = _complement_of_sigmoid(inner)
        if complement is not None:
            return _negated(Entrywise("softplus", complement))
        if isinstance(inner, Entrywise) and inner.name == "exp":
            return inner.arg
        return node

    rewritten = spec.cost.replace(lambda e: isinstance(e, Entrywise), rewrite)
    return rewritten.replace(  # a sign taken out of a log joins the product around it
        lambda e: isinstance(e, MatMul | MatAdd), lambda e: type(e)(*e.args, evaluate=True)
    )


def model_generate(
    expressions: Sequence[sp.Basic],
    arguments: Sequence[sp.Basic],
    definitions: Sequence[tuple[sp.Basic, sp.Basic]],
) -> Generated:
    """lambdify with the family's printer; each definition is one assignment."""
    import inspect

    printer = ModelPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}
    )
    shared, body = _shared(expressions, definitions)
    assignments, body = _inlined(_needed(body, [*definitions, *shared]), body)
    function = sp.lambdify(
        list(arguments),
        body,
        modules=[NAMESPACE, "numpy"],
        printer=printer,
        cse=lambda exprs: (assignments, exprs),
        docstring_limit=0,
    )
    return Generated(tuple(expressions), tuple(arguments), inspect.getsource(function), function)


def _columns(expr: sp.Basic) -> list[sp.Basic]:
    """The column vectors computed inside `expr` (not names, not 𝟏)."""
    return [
        node
        for node in sp.preorder_traversal(expr)
        if isinstance(node, MatrixExpr)
        and not isinstance(node, sp.MatrixSymbol | OneMatrix)
        and node.shape[1] == 1
        and node.shape[0] != 1
    ]


def _shared(
    expressions: Sequence[sp.Basic], definitions: Sequence[tuple[sp.Basic, sp.Basic]]
) -> tuple[list[tuple[sp.Basic, sp.Basic]], list[sp.Basic]]:
    """A column computed in more than one place (the signal p − y of ∂J/∂α and ∂J/∂β) is
    computed once, as `r`: the largest such column first, then again on what is left."""
    body = list(expressions)
    taken = {str(symbol) for symbol, _ in definitions}
    shared: list[tuple[sp.Basic, sp.Basic]] = []
    while True:
        counts: dict[sp.Basic, int] = {}
        for expr in body:
            for node in _columns(expr):
                counts[node] = counts.get(node, 0) + 1
        repeated = [node for node, count in counts.items() if count > 1]
        if not repeated:
            return shared, body
        largest = max(repeated, key=lambda node: (sp.count_ops(node), str(node)))
        names = ("r" if k == 0 else f"r{k}" for k in range(len(taken) + 1))
        name = next(candidate for candidate in names if candidate not in taken)
        taken.add(name)
        symbol = sp.MatrixSymbol(name, *largest.shape)
        shared.append((symbol, largest))
        body = [expr.xreplace({largest: symbol}) for expr in body]


def _inlined(
    assignments: list[tuple[sp.Basic, sp.Basic]], body: list[sp.Basic]
) -> tuple[list[tuple[sp.Basic, sp.Basic]], list[sp.Basic]]:
    """A named quantity used once is written where it is used: its array is then a
    temporary NumPy can reuse, not one kept alive to the end of the function."""
    kept = list(assignments)
    for symbol, value in reversed(assignments):
        others = [*body, *(v for s, v in kept if s != symbol)]
        uses = sum(1 for e in others for node in sp.preorder_traversal(e) if node == symbol)
        if uses != 1:
            continue
        kept = [(s, v.xreplace({symbol: value})) for s, v in kept if s != symbol]
        body = [e.xreplace({symbol: value}) for e in body]
    return kept, body


def _needed(
    expressions: Sequence[sp.Basic], definitions: Sequence[tuple[sp.Basic, sp.Basic]]
) -> list[tuple[sp.Basic, sp.Basic]]:
    """The definitions the expressions use, directly or through later definitions."""
    used: set[sp.Basic] = set()
    for expr in expressions:
        used |= expr.atoms(sp.Symbol, sp.MatrixSymbol)
    kept = []
    for symbol, value in reversed(definitions):
        if symbol in used:
            kept.append((symbol, value))
            used |= value.atoms(sp.Symbol, sp.MatrixSymbol)
    return kept[::-1]


@dataclass(frozen=True)
class ModelCode:
    """The generated functions of one model, all of the same arguments (`arguments`: the
    data, the parameters, the constants, then m):

    - `cost_and_gradients` → [J, ∂J/∂θ for each parameter θ], the gradients as planned;
    - `gradients` → [∂J/∂θ ...];
    - `cost` → [J], evaluated stably;
    - `quantities` → the value of each intermediate, in the description's order.
    """

    spec: ModelSpec
    arguments: tuple[sp.Basic, ...]
    cost_and_gradients: Generated
    gradients: Generated
    cost: Generated
    quantities: Generated


def model_code(spec: ModelSpec) -> ModelCode:
    """The NumPy functions of `spec`, generated from its planned derivation."""
    return _model_code(spec)


@cache
def _model_code(spec: ModelSpec) -> ModelCode:
    steps = derive_model(spec)
    gradients = tuple(steps[f"gradient-{q.name}"].relations[0].rhs for q in spec.parameters)
    arguments = (*(q.symbol for q in spec.declared), spec.m)
    definitions = [(item.symbol, item.definition) for item in spec.intermediates]
    cost = stable_cost(spec)
    return ModelCode(
        spec=spec,
        arguments=arguments,
        cost_and_gradients=model_generate([cost, *gradients], arguments, definitions),
        gradients=model_generate(gradients, arguments, definitions),
        cost=model_generate([cost], arguments, definitions),
        quantities=model_generate(
            [item.symbol for item in spec.intermediates], arguments, definitions
        ),
    )
