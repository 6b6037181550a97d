"""Gradient descent for every model of the family, with the planner's generated gradients.

Numeric stage, beside descent.py (the article's mse keeps its own `fit`): the data are
checked for the model's kinds of values (labels 0/1, counts), the step size is chosen by
what is known of the model's curvature, and the descent stops on convergence, a stall,
divergence, or — for logistic regression — separable data, where no minimiser exists.

Step sizes (model_policy.py):
- **hessian** — a quadratic cost (ridge, weighted least squares: the gradient is affine in
  the parameters, found symbolically): H from the generated gradient at the unit vectors,
  η = 2/(λmax + λmin) by default, refused at or above 2/λmax; each step costs O(n²) in the
  Gram form ∇J(θ) = ∇J(0) + Hθ, the same iterates as stepping on the data.
- **sigmoid** — logistic regression: H ⪯ X̃ᵀX̃/(4m) because σ′ ≤ 1/4, so L = λmax/(4m)
  bounds the curvature everywhere and η = 1/L (safe below 2/L) is the default.
- **armijo** — every other model (Poisson, the neuron, a description file): no global
  bound, so each step backtracks from twice the last step, halving until the cost falls by
  at least 10⁻⁴·η‖∇J‖² (Armijo's condition); the halvings are counted and reported.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from derive.core.errors import DeriveError, DivergenceError, InputError
from derive.core.i18n import gettext
from derive.math.entrywise import Entrywise
from derive.models.catalog import is_builtin
from derive.models.spec import ModelSpec
from derive.numeric import defaults
from derive.numeric.arrays import Array
from derive.numeric.conditioning import Curvature, check_arrays
from derive.numeric.model_code import model_generate
from derive.numeric.model_policy import (
    ROUNDING,
    Iterate,
    PolicyName,
    gram,
    hessian_curvature,
    iterates,
    policy_of,
    sigmoid_bound,
)
from derive.numeric.model_problem import (
    Problem,
    bind,
    check_target,
    parameter_vector,
    prediction_quantity,
    target_quantity,
)
from derive.numeric.results import frozen
from derive.numeric.scaling import Scaling

Progress = Callable[[int, float], None]

RISE_LIMIT = 5  # consecutive rising costs that count as divergence (fixed steps)
STALL_PATIENCE = 1000  # steps without a smaller gradient that count as a stall
SEPARATION_EVERY = 50  # steps between two looks for a separating hyperplane
PROGRESS_EVERY = 0.1  # seconds between progress reports
CONVEX = {"mse": True, "ridge": True, "logistic": True, "poisson": True, "neuron": False}


class SeparableError(DeriveError):
    """Logistic regression on separable data: no minimiser exists (exit code 1)."""


class UnboundedError(DeriveError):
    """A quadratic cost whose Hessian has a negative eigenvalue: it falls without bound,
    and no minimiser exists (exit code 1)."""


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class ModelFit:
    """The outcome of gradient descent on one model.

    `parameters` maps each parameter's name to its value (a float for a 1×1 parameter, a
    read-only 1-D array otherwise), on the scale of the data given. `costs[k]` is J after k
    steps. `policy` says how the step was chosen; `lr` is the constant step (hessian,
    sigmoid) or the first trial step (armijo), `lr_max` the bound where one is known;
    `halvings` counts the backtracking halvings. `convex` is False for a model with local
    minima (the neuron) and None where it is not known (a description file).
    """

    model: str
    parameters: Mapping[str, float | Array]
    costs: Array
    iterations: int
    converged: bool
    policy: PolicyName
    lr: float
    lr_max: float | None
    halvings: int
    gradient_norm: float
    tol: float
    stalled: bool
    convex: bool | None
    standardized: bool

    @property
    def cost(self) -> float:
        return float(self.costs[-1])

    @property
    def alpha(self) -> float:
        value = self.parameters["alpha"]
        return float(value) if isinstance(value, float) else float(np.ravel(value)[0])

    @property
    def beta(self) -> Array:
        return np.atleast_1d(np.asarray(self.parameters["beta"], dtype=np.float64))


def fit_model(
    spec: ModelSpec,
    X: ArrayLike,
    y: ArrayLike,
    *,
    data: Mapping[str, ArrayLike] | None = None,
    constants: Mapping[str, float] | None = None,
    lr: float | Literal["auto"] = "auto",
    iterations: int = defaults.ITERATIONS,
    tol: float = defaults.TOL,
    standardize: bool = False,
    progress: Progress | None = None,
) -> ModelFit:
    """Fit `spec` to features X (m×n) and target y by gradient descent from zero.

    `data` gives any other data the model declares (a weight column w), `constants` any
    constant other than its default (λ). Raises `InputError` for data the model cannot
    take (the first bad row named), `DivergenceError` for a step at or above a quadratic
    model's bound or a run that diverged, `SeparableError` for separable data in logistic
    regression."""
    features, target = check_arrays(X, y)
    check_target(spec, target[:, 0])
    scaling = _scaling(spec, features) if standardize else None
    used = features if scaling is None else scaling.apply(features)
    problem = bind(spec, used, target, data or {}, constants or {})
    policy = policy_of(spec)
    watch = _Watch(tol, progress)
    theta = np.zeros(problem.size)
    start_cost, start_gradient = problem.evaluate(theta)
    watch.begin(start_cost, start_gradient)
    separating = _separating(spec, problem) if _may_separate(spec) else None
    evaluate = None
    if policy == "hessian":
        curvature = hessian_curvature(problem)
        _refuse_unbounded(curvature)
        step = curvature.auto if lr == "auto" else float(lr)
        curvature.refuse(step)
        evaluate, lr_max = gram(problem, curvature), curvature.bound
    elif policy == "sigmoid":
        lr_max = sigmoid_bound(used)
        step = lr_max / 2 if lr == "auto" else float(lr)
    else:
        step, lr_max = (1.0 if lr == "auto" else float(lr)), None
    descent = iterates(problem, theta, policy, step, evaluate)
    theta, steps, halvings = _run(descent, theta, policy, iterations, watch, separating)
    if evaluate is not None:  # the last cost measured on the data, not from the moments
        watch.costs[-1] = problem.cost(theta)
    if separating is not None and watch.relative > tol:
        separating(theta, steps)
    parameters = _restore(problem, theta, scaling)
    return ModelFit(
        model=spec.key,
        parameters=parameters,
        costs=frozen(np.asarray(watch.costs)),
        iterations=steps,
        converged=watch.relative <= tol,
        policy=policy,
        lr=step,
        lr_max=lr_max,
        halvings=halvings,
        gradient_norm=watch.relative,
        tol=tol,
        stalled=watch.stalled,
        convex=CONVEX[spec.key] if is_builtin(spec) else (True if policy == "hessian" else None),
        standardized=scaling is not None,
    )


# --- the descent --------------------------------------------------------------------------


def _run(
    steps: Iterator[Iterate],
    theta: Array,
    policy: PolicyName,
    iterations: int,
    watch: _Watch,
    separating: Callable[[Array, int], None] | None,
) -> tuple[Array, int, int]:
    """Take steps until the watch says stop or `iterations` are taken; θ at the end, the
    steps taken and the halvings. Backtracking that finds no step counts as a stall."""
    step, halvings = 0, 0
    going = watch.relative > watch.tol
    with np.errstate(over="ignore", invalid="ignore"):  # the watch judges non-finite costs
        while going and step < iterations:
            reached = next(steps, None)
            if reached is None:
                watch.stalled = True
                break
            theta, halvings = reached.theta, reached.halvings
            step += 1
            going = watch.check(step, reached.cost, reached.gradient, fixed=policy != "armijo")
            if separating is not None and step % SEPARATION_EVERY == 0:
                separating(theta, step)
    return theta, step, halvings


class _Watch:
    """Records the costs; stops at ‖∇J‖ ≤ tol·‖∇J₀‖ or a stall; raises on divergence."""

    def __init__(self, tol: float, progress: Progress | None) -> None:
        self.tol = tol
        self.progress = progress
        self.costs = array("d")
        self.start = 0.0
        self.relative = 0.0
        self.rises = 0
        self.best = math.inf
        self.since_best = 0
        self.stalled = False
        self.last_report = time.perf_counter()

    def begin(self, cost: float, gradient: Array) -> None:
        if not (np.isfinite(cost) and np.isfinite(gradient).all()):
            raise InputError(
                gettext(
                    "the cost or its gradient is not finite at the start, "
                    "where every parameter is 0"
                )
            )
        self.costs.append(cost)
        self.start = float(np.linalg.norm(gradient))
        self.relative = 0.0 if self.start == 0 else 1.0

    def check(self, step: int, cost: float, gradient: Array, *, fixed: bool) -> bool:
        self.relative = float(np.linalg.norm(gradient)) / self.start
        if not (np.isfinite(cost) and np.isfinite(self.relative)):
            raise DivergenceError(
                gettext("the cost became {cost} at iteration {step}").format(cost=cost, step=step)
            )
        slack = 1e-12 * abs(self.costs[-1])
        self.rises = self.rises + 1 if cost > self.costs[-1] + slack else 0
        self.costs.append(cost)
        if fixed and self.rises >= RISE_LIMIT:
            raise DivergenceError(
                gettext("the cost rose {count} times in a row, to {cost} at {step}").format(
                    count=RISE_LIMIT, cost=f"{cost:.6g}", step=step
                )
            )
        if self.relative < self.best:
            self.best, self.since_best = self.relative, 0
        else:
            self.since_best += 1
            self.stalled = self.since_best >= STALL_PATIENCE
        now = time.perf_counter()
        if self.progress is not None and now - self.last_report >= PROGRESS_EVERY:
            self.last_report = now
            self.progress(step, self.relative)
        return self.relative > self.tol and not self.stalled


def _refuse_unbounded(curvature: Curvature) -> None:
    """A quadratic cost with a direction of negative curvature has no minimum."""
    lowest, scale = curvature.eigenvalues[0], float(np.abs(curvature.eigenvalues).max())
    if lowest < -ROUNDING * scale:
        raise UnboundedError(
            gettext(
                "the cost has no minimum: its Hessian has the negative eigenvalue {value}, "
                "so the cost falls without bound along that direction (a negative weight "
                "or constant in the cost?)"
            ).format(value=f"{lowest:.4g}")
        )


# --- separable data -----------------------------------------------------------------------


def _may_separate(spec: ModelSpec) -> bool:
    """A cost with a log of a sigmoid and no constant (no penalty): on separable data its
    infimum is approached only as the weights grow without bound."""
    if spec.constants or target_quantity(spec).kind != "binary":
        return False
    return any(isinstance(d, Entrywise) and d.name == "sigmoid" for _, d in spec.definitions)


def _separating(spec: ModelSpec, problem: Problem) -> Callable[[Array, int], None]:
    """A look at the current iterate: if its scores z separate the labels exactly, no
    minimiser exists — raise `SeparableError` with the iterate as the certificate."""
    argument = next(
        d.arg for _, d in spec.definitions if isinstance(d, Entrywise) and d.name == "sigmoid"
    )
    definitions = [(item.symbol, item.definition) for item in spec.intermediates]
    scores = model_generate([argument], problem.code.arguments, definitions)
    labels = np.asarray(
        problem.values[[q.name for q in spec.data].index(target_quantity(spec).name)]
    )
    positive = labels[:, 0] == 1

    def look(theta: Array, step: int) -> None:
        arguments = problem.arguments(theta)
        z = np.ravel(scores(*arguments)[0])
        if np.all(z[positive] > 0) and np.all(z[~positive] < 0):
            raise SeparableError(
                gettext(
                    "the data are separable: after {step} iterations the scores z are "
                    "positive for every label 1 and negative for every label 0, so "
                    "multiplying the weights by any factor above 1 lowers the cost further; "
                    "the cost falls toward 0 while the weights grow without bound, and no "
                    "minimiser exists (remove the separating feature or add a penalty)"
                ).format(step=step)
            )

    return look


# --- the way back ---------------------------------------------------------------------------


def _scaling(spec: ModelSpec, X: Array) -> Scaling:
    """Standardized features, for a model whose parameters are an intercept and one weight
    per feature (z = α + Xβᵀ, or b + Xw)."""
    ones = [q for q in spec.parameters if q.shape == (1, 1)]
    vectors = [q for q in spec.parameters if q.shape in ((1, spec.n), (spec.n, 1))]
    if len(ones) != 1 or len(vectors) != 1 or len(spec.parameters) != 2:
        raise InputError(
            gettext("--standardize needs a model with one intercept and one weight per feature")
        )
    return Scaling.of(X)


def _restore(problem: Problem, theta: Array, scaling: Scaling | None) -> dict[str, float | Array]:
    values = {slot.quantity.name: slot.value(theta) for slot in problem.slots}
    if scaling is None:
        return {
            name: value if isinstance(value, float) else frozen(value)
            for name, value in values.items()
        }
    intercept = next(s.quantity.name for s in problem.slots if not s.matrix)
    weights = next(s.quantity.name for s in problem.slots if s.matrix)
    alpha, beta = scaling.restore(float(values[intercept]), np.ravel(values[weights]))
    return {intercept: alpha, weights: frozen(beta)}


def predict_model(
    spec: ModelSpec,
    fit: ModelFit,
    X: ArrayLike,
    *,
    data: Mapping[str, ArrayLike] | None = None,
    constants: Mapping[str, float] | None = None,
) -> Array:
    """The model's prediction for each row of X with the fit's parameters (ŷ for ridge,
    p for logistic regression and the neuron, μ for Poisson regression), by the generated
    code; `InputError` for a model that names no prediction."""
    symbol = prediction_quantity(spec)
    if symbol is None:
        raise InputError(
            gettext("{model} names no prediction: no m×1 quantity without the target").format(
                model=spec.key
            )
        )
    features = np.asarray(X, dtype=np.float64)
    placeholder = np.zeros((features.shape[0], 1))
    problem = bind(spec, features, placeholder, data or {}, constants or {})
    theta = parameter_vector(problem, fit.parameters)
    position = [item.symbol for item in spec.intermediates].index(symbol)
    values = problem.code.quantities(*problem.arguments(theta))
    return np.ravel(np.asarray(values[position], dtype=np.float64))
