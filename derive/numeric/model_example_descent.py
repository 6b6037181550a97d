"""Gradient descent for a model's worked example: from its start, keeping every iterate.

Numeric stage, under model_example.py. model_fit.fit_model starts from zero and keeps only
the costs; the worked example takes the very same steps (model_policy.iterates) from its
own start and keeps every iterate: a constant η (policies hessian and sigmoid, where a
bound 2/λmax or 2/L is known) or Armijo's backtracking from a first trial step (a test
checks that both give the same costs from zero). A run that grows is
stopped and reported, not refused, so that the learning-rate figure can show it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.model_fit import STALL_PATIENCE
from derive.numeric.model_policy import (
    PolicyName,
    hessian_curvature,
    iterates,
    policy_of,
    sigmoid_bound,
)
from derive.numeric.model_problem import Problem
from derive.numeric.worked_example import DIVERGED

TOL = 1e-10  # converged when ‖∇J‖ ≤ TOL·‖∇J at the start‖, as the mse example


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class ModelRun:
    """Gradient descent from the example's start: each iterate θ (one row per iterate),
    its cost, and the step η taken to reach it."""

    policy: PolicyName
    lr: float  # the constant step, or the first trial step under backtracking
    thetas: Array
    costs: Array
    steps: Array  # steps[k - 1] took iterate k - 1 to k
    halvings: int
    converged: bool
    diverged: bool
    stalled: bool

    @property
    def iterations(self) -> int:
        return len(self.costs) - 1


def descend(
    problem: Problem,
    theta: Array,
    policy: PolicyName,
    lr: float,
    iterations: int,
    tol: float = TOL,
) -> ModelRun:
    """Descent from θ by model_policy.iterates, the fit's own steps: constant steps η
    (policies hessian and sigmoid), or Armijo's backtracking from a first trial step η;
    stops when ‖∇J‖ ≤ tol·‖∇J₀‖, when the cost leaves the finite numbers or grows
    DIVERGED times beyond its start, when backtracking finds no step, or after
    `iterations`."""
    cost, gradient = problem.evaluate(theta)
    thetas, costs, steps = [theta], [cost], list[float]()
    start = float(np.linalg.norm(gradient))
    relative = 0.0 if start == 0 else 1.0
    best, since_best, halvings = relative, 0, 0
    converged = relative <= tol
    diverged = stalled = False
    limit = DIVERGED * max(1.0, abs(cost))
    descent = iterates(problem, theta, policy, lr)
    with np.errstate(over="ignore", invalid="ignore"):
        while not (converged or diverged or stalled) and len(steps) < iterations:
            reached = next(descent, None)
            if reached is None:  # backtracking found no step
                stalled = True
                break
            thetas.append(reached.theta)
            costs.append(reached.cost)
            steps.append(reached.step)
            halvings = reached.halvings
            relative = float(np.linalg.norm(reached.gradient)) / start
            if (
                not (np.isfinite(reached.cost) and np.isfinite(relative))
                or abs(reached.cost) > limit
            ):
                diverged = True
            elif relative <= tol:
                converged = True
            elif relative < best:
                best, since_best = relative, 0
            else:
                since_best += 1
                stalled = since_best >= STALL_PATIENCE
    return ModelRun(
        policy,
        lr,
        np.array(thetas),
        np.array(costs),
        np.array(steps),
        halvings,
        converged,
        diverged,
        stalled,
    )


def hessian_at(problem: Problem, theta: Array) -> Array:
    """The Hessian at θ by central differences of the generated gradient, symmetrized."""
    columns = []
    for k in range(problem.size):
        step = 1e-5 * max(1.0, abs(float(theta[k])))
        unit = np.zeros(problem.size)
        unit[k] = step
        ahead, behind = problem.evaluate(theta + unit)[1], problem.evaluate(theta - unit)[1]
        columns.append((ahead - behind) / (2 * step))
    hessian: Array = np.column_stack(columns)
    symmetric: Array = (hessian + hessian.T) / 2
    return symmetric


def bound_of(spec: ModelSpec, problem: Problem, X: Array) -> float | None:
    """The bound on a constant step: 2/λmax of a quadratic cost's Hessian, 2/L of
    logistic regression; None where the model's curvature has no global bound."""
    policy = policy_of(spec)
    if policy == "hessian":
        return hessian_curvature(problem).bound
    if policy == "sigmoid":
        return sigmoid_bound(X)
    return None
