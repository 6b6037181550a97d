"""How a model's step size is chosen, from what is known of its curvature, and the steps.

Numeric stage, under model_fit.py. A quadratic cost (decided by SymPy) has a constant
Hessian, found from the generated gradient; logistic regression's Hessian is bounded by
X̃ᵀX̃/(4m) everywhere; every other model backtracks (see model_fit.py). `iterates` takes
the steps, for the fit (model_fit.py) and for the worked example alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import sympy as sp

from derive.models.catalog import is_builtin
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.conditioning import Curvature, of_hessian
from derive.numeric.model_problem import Problem

PolicyName = Literal["hessian", "sigmoid", "armijo"]
Evaluate = Callable[[Array], tuple[float, Array]]

ARMIJO = 1e-4  # the fraction of the first-order decrease a backtracking step must achieve
ROUNDING = 64 * float(np.finfo(np.float64).eps)  # how far rounding can move a computed cost
MAX_HALVINGS = 60  # halvings in one step before the step counts as failed


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


def gram(problem: Problem, curvature: Curvature) -> Evaluate:
    """J and ∇J of a quadratic cost from its values at 0: J(0) + bᵀθ + θᵀHθ/2, b + Hθ."""
    zero = np.zeros(problem.size)
    cost0, base = problem.evaluate(zero)
    hessian = curvature.directions @ np.diag(curvature.eigenvalues) @ curvature.directions.T

    def evaluate(theta: Array) -> tuple[float, Array]:
        gradient = base + hessian @ theta
        return cost0 + float(base @ theta) + 0.5 * float(theta @ hessian @ theta), gradient

    return evaluate


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Iterate:
    """One step's outcome: θ, J and ∇J there, the η that reached it, and the halvings of
    the backtracking so far."""

    theta: Array
    cost: float
    gradient: Array
    step: float
    halvings: int


def iterates(
    problem: Problem,
    theta: Array,
    policy: PolicyName,
    lr: float,
    evaluate: Evaluate | None = None,
) -> Iterator[Iterate]:
    """Gradient descent from θ, one iterate at a time, for as long as it is asked: constant
    steps θ ← θ − η∇J (policies hessian and sigmoid; `evaluate` may be the Gram form), or
    Armijo's backtracking (each step tries twice the last and halves until `acceptable`),
    which ends when no step of MAX_HALVINGS halvings is acceptable. Non-finite values are
    passed on for the caller to judge: consume it under np.errstate(over="ignore",
    invalid="ignore")."""
    evaluate = evaluate or problem.evaluate
    cost, gradient = evaluate(theta)
    halvings, trial = 0, lr
    while True:
        if policy != "armijo":
            theta = theta - lr * gradient
            cost, gradient = evaluate(theta)
            yield Iterate(theta, cost, gradient, lr, 0)
            continue
        squared = float(gradient @ gradient)
        for _ in range(MAX_HALVINGS):
            candidate = theta - trial * gradient
            new_cost, new_gradient = problem.evaluate(candidate)
            if acceptable(cost, new_cost, trial * squared, squared, new_gradient):
                break
            trial /= 2
            halvings += 1
        else:
            return
        theta, cost, gradient = candidate, new_cost, new_gradient
        yield Iterate(theta, cost, gradient, trial, halvings)
        trial *= 2


def acceptable(
    cost: float, new_cost: float, decrease: float, squared: float, new_gradient: Array
) -> bool:
    """Armijo's condition J(θ − η∇J) ≤ J − c·η‖∇J‖²; where that decrease is below the
    rounding of J itself (near the minimum, asking ‖∇J‖ for 10⁻¹⁰ of its start), a step
    that does not raise J beyond its rounding and shrinks the gradient."""
    if not (np.isfinite(new_cost) and np.isfinite(new_gradient).all()):
        return False
    rounding = ROUNDING * max(abs(cost), abs(new_cost))
    if ARMIJO * decrease > rounding:
        return new_cost <= cost - ARMIJO * decrease
    return new_cost <= cost + rounding and float(new_gradient @ new_gradient) < squared
