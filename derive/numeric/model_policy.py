"""How a model's step size is chosen: what is known of its curvature.

Numeric stage, under model_fit.py. A quadratic cost (decided by SymPy) has a constant
Hessian, found from the generated gradient; logistic regression's Hessian is bounded by
X̃ᵀX̃/(4m) everywhere; every other model backtracks (see model_fit.py).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import sympy as sp

from derive.core.errors import DivergenceError
from derive.core.i18n import gettext
from derive.models.catalog import is_builtin
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.conditioning import Curvature, of_hessian
from derive.numeric.model_problem import Problem

PolicyName = Literal["hessian", "sigmoid", "armijo"]


def policy_of(spec: ModelSpec) -> PolicyName:
    """How the step size of `spec` is chosen (see the module's text)."""
    if is_builtin(spec, "logistic"):
        return "sigmoid"
    return "hessian" if is_quadratic(spec) else "armijo"


@cache
def is_quadratic(spec: ModelSpec) -> bool:
    """Whether J is a polynomial of degree at most 2 in the parameters' entries, decided by
    SymPy on explicit matrices at m = 3, n = 2 (every name expanded)."""
    cost = spec.cost
    for symbol, definition in spec.definitions[1:]:  # outermost first
        cost = cost.xreplace({symbol: definition})
    sizes = spec.sizes(3, 2)
    explicit = sp.sympify(cost).subs(sizes).doit()
    if isinstance(explicit, sp.MatrixExpr):
        explicit = explicit.as_explicit()
    value = explicit[0, 0] if isinstance(explicit, sp.MatrixBase) else explicit
    entries: list[sp.Basic] = []
    for quantity in spec.parameters:
        symbol = quantity.symbol.subs(sizes)
        entries += list(symbol.as_explicit()) if isinstance(symbol, sp.MatrixExpr) else [symbol]
    polynomial = sp.expand(value)
    if not polynomial.is_polynomial(*entries):
        return False
    return bool(sp.Poly(polynomial, *entries).total_degree() <= 2)


def hessian_curvature(problem: Problem) -> Curvature:
    """H of a quadratic cost: its columns are ∇J(eₖ) − ∇J(0), by the generated code."""
    _, base = problem.evaluate(np.zeros(problem.size))
    columns = []
    for k in range(problem.size):
        unit = np.zeros(problem.size)
        unit[k] = 1.0
        columns.append(problem.evaluate(unit)[1] - base)
    return of_hessian(np.column_stack(columns), "H")


def sigmoid_bound(X: Array) -> float:
    """2/L for L = λmax(X̃ᵀX̃)/(4m), X̃ = [𝟏 X]: the curvature of logistic regression is at
    most L everywhere (σ′ ≤ 1/4), so any step below 2/L lowers the cost."""
    m = X.shape[0]
    gram = np.empty((X.shape[1] + 1, X.shape[1] + 1))
    gram[0, 0] = m
    gram[0, 1:] = gram[1:, 0] = X.sum(axis=0)
    gram[1:, 1:] = X.T @ X
    return float(2.0 / (np.linalg.eigvalsh(gram)[-1] / (4 * m)))


def refuse_divergent(lr: float, found: Curvature) -> None:
    if lr >= found.bound:
        raise DivergenceError(
            gettext(
                "the learning rate {lr} is at or above the stability bound "
                "2/λmax = {bound} ({hessian}): "
                "gradient descent would diverge; use a smaller rate or 'auto'"
            ).format(lr=f"{lr:.6g}", bound=f"{found.bound:.6g}", hessian=found.hessian_text)
        )
