"""The worked example of a planned model: one iteration by hand, exactly, then the iterations.

Numeric stage, beside worked_example.py (which keeps the article's mse example): for
ridge, logistic, Poisson, the neuron or a description file. The example's data and start
(model_example_data.py) go through the planned steps exactly (model_example_first.py),
the same iteration goes through the generated NumPy code, and descent then runs from the
start with the model's step policy (model_example_descent.py): a constant η under the
bound 2/λmax (a quadratic cost) or 2/L (logistic regression, σ′ ≤ 1/4), Armijo's
backtracking otherwise. At the end, the Hessian says whether it is a minimum, and the
model whether that minimum is the only one (the neuron's cost is not convex).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from derive.core.errors import DeriveError
from derive.models.catalog import is_builtin
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.model_example_data import (
    ModelExample,
    arrays,
    problem_of,
    start_vector,
)
from derive.numeric.model_example_descent import TOL, ModelRun, bound_of, descend, hessian_at
from derive.numeric.model_example_first import (
    AGREEMENT,
    ModelIteration,
    code_iteration,
    differences,
    first_model_iteration,
)
from derive.numeric.model_fit import CONVEX, SeparableError, fit_model
from derive.numeric.model_policy import PolicyName, is_quadratic, policy_of
from derive.numeric.model_problem import Slot, target_quantity
from derive.numeric.worked_example import ITERATIONS, shown_iterations
from derive.steps.choose import derive_model
from derive.steps.derivation import Derivation

RATE_FRACTIONS = (0.25, 0.6, 0.95, 1.02, 1.5)  # learning rates compared, as fractions of a bound
TRIAL_FACTORS = (0.1, 1.0, 10.0, 100.0)  # first trial steps compared under backtracking
CURVE_ITERATIONS = 2000  # the most iterations of each curve of the learning-rate figure


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class WorkedModel:
    """Everything a model's worked example shows: the exact first iteration and the same
    by the generated code, the step policy and its bound, the run from the example's start,
    and — when it converged — the smallest eigenvalue of the Hessian at its end (positive:
    a minimum) and whether the model's cost is convex (`local`: a local minimum only)."""

    spec: ModelSpec
    example: ModelExample
    derivation: Derivation
    first: ModelIteration
    floats: dict[str, Array]
    differences: dict[str, float]
    policy: PolicyName
    bound: float | None
    run: ModelRun
    slots: tuple[Slot, ...]
    convex: bool | None
    curvature: float | None

    @property
    def difference(self) -> float:
        """The largest relative difference between the exact and the generated iteration."""
        return max(self.differences.values())

    @property
    def agrees(self) -> bool:
        return self.difference <= AGREEMENT

    @property
    def local(self) -> bool | None:
        """True for a model whose cost is not convex (the neuron): the end is a local
        minimum; False for a convex one; None where convexity is not known."""
        return None if self.convex is None else not self.convex

    @property
    def first_step(self) -> float | None:
        """The step the run took first (under backtracking, η or η halved)."""
        return float(self.run.steps[0]) if len(self.run.steps) else None

    @property
    def minimum(self) -> float | None:
        """The least cost reached, J*, when the run converged."""
        return float(np.min(self.run.costs)) if self.run.converged else None

    def parameters(self, k: int) -> dict[str, float | Array]:
        """Each parameter's value after k steps (a float for 1×1, else its flat entries)."""
        theta = self.run.thetas[k]
        return {
            slot.quantity.name: np.array(theta[slot.start : slot.start + slot.size])
            if slot.matrix
            else float(theta[slot.start])
            for slot in self.slots
        }

    def table(self, head: int = 5, rows: int = 12) -> tuple[int, ...]:
        """Which iterations a table shows: the first few, then every k-th, and the last."""
        return shown_iterations(self.run.iterations, head, rows)


def work_model(
    spec: ModelSpec,
    example: ModelExample,
    lr: Fraction | None = None,
    iterations: int = ITERATIONS,
    tol: float = TOL,
    derivation: Derivation | None = None,
) -> WorkedModel:
    """Compute a model's worked example: exactly for the first iteration, in floats after
    it. `SeparableError` (from fit_model) when descent did not converge because the labels
    are separable."""
    chosen = example if lr is None else example.with_lr(lr)
    steps = derivation if derivation is not None else derive_model(spec)
    first = first_model_iteration(steps, spec, chosen)
    floats = code_iteration(spec, chosen)
    problem = problem_of(spec, chosen)
    X, y, data = arrays(chosen)
    policy = policy_of(spec)
    run = descend(problem, start_vector(problem, chosen), policy, float(chosen.lr), iterations, tol)
    if not (run.converged or run.diverged) and target_quantity(spec).kind == "binary":
        _diagnose_separable(spec, X, y, data, iterations)
    curvature = None
    if run.converged:
        curvature = float(np.linalg.eigvalsh(hessian_at(problem, run.thetas[-1]))[0])
    return WorkedModel(
        spec=spec,
        example=chosen,
        derivation=steps,
        first=first,
        floats=floats,
        differences=differences(first, floats),
        policy=policy,
        bound=bound_of(spec, problem, X),
        run=run,
        slots=problem.slots,
        convex=_convex(spec),
        curvature=curvature,
    )


def _convex(spec: ModelSpec) -> bool | None:
    """Known for the built-in models; a quadratic cost (whose Hessian the example finds
    positive definite) is convex; otherwise unknown."""
    if is_builtin(spec):
        return CONVEX[spec.key]
    return True if is_quadratic(spec) else None


def _diagnose_separable(
    spec: ModelSpec, X: Array, y: Array, data: Mapping[str, Array], iterations: int
) -> None:
    """fit_model's look for separable labels, where the example's run did not converge:
    its `SeparableError` says why no minimiser exists."""
    try:
        fit_model(spec, X, y, data=data, iterations=iterations)
    except SeparableError:
        raise
    except DeriveError:
        return


def rate_runs(worked: WorkedModel, iterations: int = CURVE_ITERATIONS) -> tuple[ModelRun, ...]:
    """Runs from the example's start for several learning rates: the example's and
    fractions of the bound on either side of it; under backtracking, several first trial
    steps."""
    problem = problem_of(worked.spec, worked.example)
    theta = start_vector(problem, worked.example)
    lr = float(worked.example.lr)
    if worked.bound is None:
        rates = sorted({lr * factor for factor in TRIAL_FACTORS})
    else:
        rates = sorted({lr, *(f * worked.bound for f in RATE_FRACTIONS)})
    count = min(iterations, max(worked.run.iterations, 1))
    return tuple(descend(problem, theta, worked.policy, rate, count) for rate in rates)
