"""The first iteration of the worked example, by hand: exact numbers in the derivation's formulas.

Numeric stage, under worked_example.py (which loads the example and runs descent after
this iteration). The data are exact decimal fractions, as written; every number of the
iteration is a SymPy Rational, computed by putting them into the expressions of steps 5,
9, 10, 14 and 17 and the rule of step 7, at the example's own size (any m×n).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy import MatrixExpr

from derive.math.shown_numbers import ShownNumber
from derive.steps.derivation import Derivation


@dataclass(frozen=True)
class Example:
    """Data and starting point of a worked example, as exact fractions."""

    X: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    alpha: Fraction
    beta: tuple[Fraction, ...]
    lr: Fraction
    features: tuple[str, ...]
    target: str

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.X), len(self.X[0]))


@dataclass(frozen=True)
class Line:
    """One line of the worked iteration: the formula, with the numbers in, and the result."""

    key: str
    formula: sp.Basic  # the derivation's expression (right-hand side)
    lhs: sp.Basic  # what it computes, as the derivation names it
    op: str  # "=" or "<-"
    substituted: sp.Basic  # the formula with the example's numbers in it, not evaluated
    value: sp.Basic  # the exact result (a Rational or an ImmutableMatrix)


@dataclass(frozen=True)
class FirstIteration:
    """The first iteration of gradient descent on an example, computed exactly."""

    lines: tuple[Line, ...]

    def __getitem__(self, key: str) -> sp.Basic:
        for line in self.lines:
            if line.key == key:
                return line.value
        raise KeyError(key)


def _matrix(rows: tuple[tuple[Fraction, ...], ...]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([[_number(v) for v in row] for row in rows])


def _number(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def first_iteration(derivation: Derivation, example: Example) -> FirstIteration:
    """Put the example into the derivation's formulas, one after another, exactly."""
    M = derivation.linear
    m, n = example.size
    sizes = M.sizes(m, n)
    known: dict[sp.Basic, sp.Basic] = {
        M.X.xreplace(sizes): _matrix(example.X),
        M.y.xreplace(sizes): _matrix(tuple((v,) for v in example.y)),
        M.alpha: _number(example.alpha),
        M.beta.xreplace(sizes): _matrix((example.beta,)),
        M.eta: _number(example.lr),
        M.ones.xreplace(sizes): sp.ImmutableMatrix.ones(m, 1),
        M.ones.T.xreplace(sizes): sp.ImmutableMatrix.ones(1, m),
    }
    rules = {r.lhs: r.rhs for r in derivation["update-rule"].relations}
    grad_alpha = sp.Derivative(M.J, M.alpha, evaluate=False)
    grad_beta = derivation["gradient-beta"].relations[0]
    plan = (
        ("prediction", M.yhat, "=", derivation["prediction"].relations[0].rhs),
        ("error", M.u, "=", derivation["error"].relations[0].rhs),
        ("cost", M.J, "=", derivation["cost-in-error"].relations[1].rhs),
        ("grad_alpha", grad_alpha, "=", derivation["gradient-alpha"].relations[0].rhs),
        ("grad_beta", grad_beta.lhs, "=", grad_beta.rhs),
        ("alpha_next", M.alpha, "<-", rules[M.alpha]),
        ("beta_next", M.beta, "<-", rules[M.beta]),
    )
    lines = []
    for key, lhs, op, formula in plan:
        sized = formula.xreplace(sizes)
        shown = _put(sized, {k: _shown(v) for k, v in known.items()})
        value = _evaluate(sized.xreplace(known), isinstance(lhs, MatrixExpr))
        lines.append(Line(key, formula, lhs, op, shown, value))
        if op == "=":
            known[lhs.xreplace(sizes)] = value
    return FirstIteration(tuple(lines))


def _put(expr: sp.Basic, values: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """Substitute without evaluating, so that sums and products keep their written order."""
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    args = [_put(arg, values) for arg in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _shown(value: sp.Basic) -> sp.Basic:
    """A number kept as it is when substituted, so that the display shows the arithmetic."""
    return value if isinstance(value, sp.MatrixBase) else ShownNumber(value)


def _evaluate(expr: sp.Basic, matrix: bool) -> sp.Basic:
    """The exact value: a matrix of Rationals where the derivation has a matrix (β and
    ∂J/∂β stay 1×1 matrices with one feature), else a Rational (uᵀu is the number J)."""
    value = expr.doit()
    if isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix(value)
        if not matrix and value.shape == (1, 1):
            value = value[0, 0]
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    if not all(isinstance(entry, sp.Rational) for entry in entries):
        raise ValueError(f"the example did not evaluate to exact numbers: {value}")
    return value
