"""The first iteration of a model's worked example, by hand: exact numbers in the planned steps.

Numeric stage, under model_example.py, as first_iteration.py is for mse. The example's
numbers are put into each step's own relation — each definition (z, p, μ, u), the cost,
each gradient and each update — at the example's size, and SymPy evaluates them exactly:
Rationals where the arithmetic stays rational, numbers such as σ(1/10) or e^(1/5) where
it does not (rounded only for display, as `Approx`). The same iteration by the NumPy code
model_code.py generated must give the same numbers (`differences`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy import MatrixExpr

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.math.shown_numbers import ShownNumber
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.model_example_data import (
    ModelExample,
    data_rows,
    parameter_shape,
    problem_of,
    start_vector,
)
from derive.steps.derivation import Derivation

DIGITS = 30  # significant digits of an irrational value computed from its exact form
AGREEMENT = 1e-12  # the generated code must give the first iteration to this relative error


class Approx(ShownNumber):
    """A number whose decimals do not end (σ(1/10), e^(1/5)) put into a formula for
    display; `value` is a Rational DIGITS significant digits close to it, and the printer
    shows it rounded and marked ≈ (in parentheses when negative, as a ShownNumber). The
    exact number stays in the line's value."""

    def __new__(cls, value: sp.Basic) -> Approx:
        digits = format(Decimal(str(sp.N(evaluable(value), DIGITS))), "f")
        shown: Approx = sp.Symbol.__new__(cls, f"~{digits}", real=True)
        return shown

    @property
    def value(self) -> sp.Rational:
        return sp.Rational(self.name[1:])


class ApproxEntry(Approx):
    """An `Approx` that is an entry of a matrix or a result: never in parentheses."""


def approximate(value: sp.Basic) -> sp.Basic:
    """An exact result as it is displayed: a Rational as it is, any other number as an
    `ApproxEntry` (matrices entry by entry)."""

    def entry(number: sp.Basic) -> sp.Basic:
        return number if isinstance(number, sp.Rational) else ApproxEntry(number)

    return value.applyfunc(entry) if isinstance(value, sp.MatrixBase) else entry(value)


def evaluable(value: sp.Basic) -> sp.Basic:
    """`value` with σ and softplus written with exp and log, which SymPy's evalf knows."""
    return value.rewrite(sp.exp) if value.has(sp.Function) else value


def to_float(value: sp.Basic) -> Array:
    """An exact value as floats (flat), each entry evaluated to DIGITS digits first."""
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    return np.array([float(sp.N(evaluable(e), DIGITS)) for e in entries], dtype=np.float64)


@dataclass(frozen=True)
class ModelLine:
    """One line of the first iteration.

    `formula` is the right-hand side of the step's own relation (its first, the matrix
    form where it has one) and `value` its exact value at the example. For an update,
    `rule` is the general form α − η (∂J/∂α) of the update rule: the numbers shown in
    `substituted` are put into it (η and the gradient just computed), and the step's own
    formula gives the same value.
    """

    key: str  # the step: define-z, cost, gradient-alpha, update-beta
    name: str  # the key in JSON: z, cost, grad_alpha, beta_next
    lhs: sp.Basic
    op: str  # "=" or "<-"
    formula: sp.Basic
    rule: sp.Basic | None
    substituted: sp.Basic
    value: sp.Basic


@dataclass(frozen=True)
class ModelIteration:
    """The first iteration of gradient descent on a model's example, computed exactly."""

    lines: tuple[ModelLine, ...]

    def __getitem__(self, name: str) -> sp.Basic:
        for line in self.lines:
            if line.name == name:
                return line.value
        raise KeyError(name)

    def names(self) -> tuple[str, ...]:
        return tuple(line.name for line in self.lines)


def first_model_iteration(
    derivation: Derivation, spec: ModelSpec, example: ModelExample
) -> ModelIteration:
    """Put the example into the planned steps' relations, one after another, exactly."""
    m, n = example.size
    sizes = spec.sizes(m, n)
    known: dict[sp.Basic, sp.Basic] = {
        spec.eta: _rational(example.lr),
        spec.ones.xreplace(sizes): sp.ImmutableMatrix.ones(m, 1),
        spec.ones.T.xreplace(sizes): sp.ImmutableMatrix.ones(1, m),
    }
    columns = data_rows(spec, example)
    for quantity in spec.data:
        known[quantity.symbol.xreplace(sizes)] = _matrix(columns[quantity.name])
    for quantity in spec.parameters:
        rows, cols = parameter_shape(spec, quantity, m, n)
        entries = example.starting(quantity.name)
        known[quantity.symbol.xreplace(sizes)] = (
            _rational(entries[0])
            if not isinstance(quantity.symbol, sp.MatrixSymbol)
            else sp.ImmutableMatrix(rows, cols, [_rational(v) for v in entries])
        )
    for quantity in spec.constants:
        known[quantity.symbol] = quantity.default if quantity.default is not None else sp.nan
    rules = {r.lhs: r.rhs for r in derivation["update-rule"].relations}
    plan: list[tuple[str, str, sp.Basic, str, sp.Basic, sp.Basic | None]] = []
    for item in spec.intermediates:
        relation = derivation[f"define-{item.name}"].relations[0]
        plan.append((f"define-{item.name}", item.name, relation.lhs, "=", relation.rhs, None))
    cost = derivation["cost"].relations[0]
    plan.append(("cost", "cost", cost.lhs, "=", cost.rhs, None))
    for quantity in spec.parameters:
        gradient = derivation[f"gradient-{quantity.name}"].relations[0]
        plan.append(
            (
                f"gradient-{quantity.name}",
                f"grad_{quantity.name}",
                gradient.lhs,
                "=",
                gradient.rhs,
                None,
            )
        )
    for quantity in spec.parameters:
        update = derivation[f"update-{quantity.name}"].relations[0]
        plan.append(
            (
                f"update-{quantity.name}",
                f"{quantity.name}_next",
                update.lhs,
                "<-",
                update.rhs,
                rules[quantity.symbol],
            )
        )
    lines = []
    for key, name, lhs, op, formula, rule in plan:
        sized = formula.xreplace(sizes)
        matrix = isinstance(lhs, MatrixExpr)
        value = _evaluate(sized.xreplace(known), matrix)
        shown_in = formula if rule is None else rule
        substituted = _put(shown_in.xreplace(sizes), {k: _shown(v) for k, v in known.items()})
        if rule is not None:
            _agree(value, _evaluate(rule.xreplace(sizes).xreplace(known), matrix), key)
        lines.append(ModelLine(key, name, lhs, op, formula, rule, substituted, value))
        if op == "=":
            known[lhs.xreplace(sizes)] = value
    return ModelIteration(tuple(lines))


def _rational(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def _matrix(rows: tuple[tuple[Fraction, ...], ...]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([[_rational(v) for v in row] for row in rows])


def _put(expr: sp.Basic, values: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Substitute without evaluating, so that sums and products keep their written order
    (as first_iteration.py does for mse)."""
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    args = [_put(arg, values) for arg in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _shown(value: sp.Basic) -> sp.Basic:
    """A known value as it is put into a formula: a matrix as it is (an entry whose
    decimals do not end as an `ApproxEntry`), a number as a ShownNumber or an `Approx`."""
    if isinstance(value, sp.MatrixBase):
        return approximate(value)
    return ShownNumber(value) if isinstance(value, sp.Rational) else Approx(value)


def _evaluate(expr: sp.Basic, matrix: bool) -> sp.Basic:
    """The exact value: a matrix where the step has a matrix, else a number; every entry
    a finite real number (a Rational where the arithmetic stays rational)."""
    value = expr.doit()
    if isinstance(value, MatrixExpr) and not isinstance(value, sp.MatrixBase):
        value = value.as_explicit().applyfunc(lambda entry: entry.doit())  # ∘ of explicit ones
    if isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix(value)
        if not matrix and value.shape == (1, 1):
            value = value[0, 0]
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for entry in entries:
        if not (isinstance(entry, sp.Expr) and entry.is_number and entry.free_symbols == set()):
            raise ValueError(f"the example did not evaluate to numbers: {entry}")
        if not math.isfinite(float(sp.N(evaluable(entry), DIGITS))):
            raise InputError(
                gettext(
                    "the example's first iteration reaches a number beyond float64: {value}"
                ).format(value=sp.N(evaluable(entry), 6))
            )
    return value


def _agree(value: sp.Basic, other: sp.Basic, key: str) -> None:
    """The step's own update and the general rule α − η (∂J/∂α) give the same number (to
    DIGITS digits: SymPy need not find that two exact forms are equal)."""
    a = list(value) if isinstance(value, sp.MatrixBase) else [value]
    b = list(other) if isinstance(other, sp.MatrixBase) else [other]
    for x, z in zip(a, b, strict=True):
        gap = abs(sp.N(evaluable(x - z), DIGITS))
        if gap > sp.Float(10.0 ** (5 - DIGITS)) * max(1, abs(sp.N(evaluable(x), DIGITS))):
            raise ValueError(f"{key}: the update does not match the rule: {x} and {z}")


def code_iteration(spec: ModelSpec, example: ModelExample) -> dict[str, Array]:
    """The first iteration by the functions model_code.py generated: each intermediate,
    the cost, each gradient and each update, flat, by the names of the exact lines."""
    problem = problem_of(spec, example)
    theta = start_vector(problem, example)
    values = problem.arguments(theta)
    floats: dict[str, Array] = {}
    for item, value in zip(spec.intermediates, problem.code.quantities(*values), strict=True):
        floats[item.name] = np.ravel(np.asarray(value, dtype=np.float64))
    cost, *gradients = problem.code.cost_and_gradients(*values)
    floats["cost"] = np.ravel(np.asarray(cost, dtype=np.float64))
    for slot, gradient in zip(problem.slots, gradients, strict=True):
        name = slot.quantity.name
        floats[f"grad_{name}"] = np.ravel(np.asarray(gradient, dtype=np.float64))
        start = theta[slot.start : slot.start + slot.size]
        floats[f"{name}_next"] = start - float(example.lr) * floats[f"grad_{name}"]
    return floats


def differences(first: ModelIteration, floats: Mapping[str, Array]) -> dict[str, float]:
    """For each line, max |code − exact| / max |exact| (the absolute difference where
    the exact values are all 0)."""
    found = {}
    for line in first.lines:
        exact, code = to_float(line.value), np.ravel(floats[line.name])
        scale = float(np.max(np.abs(exact)))
        gap = float(np.max(np.abs(code - exact))) if code.shape == exact.shape else math.inf
        found[line.name] = gap / scale if scale > 0 else gap
    return found
