"""Gradient descent on data, run by the derivation's generated gradients.

Numeric stage, after numeric.py (model -> steps -> verify -> numeric -> render -> files).
`fit` checks the data, bounds the learning rate by the Hessian (descent converges iff
0 < η < 2/λmax(H)), then steps either on the data (O(mn) a step) or on the Gram moments
(O(n²) a step, the same iterates), and stops on convergence, divergence or a stall.
"""

from __future__ import annotations

import math
import time
import warnings
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from derive.core.errors import DivergenceError, InputError
from derive.core.i18n import gettext
from derive.models.linear import Scale
from derive.numeric import defaults
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import Moments, compiled
from derive.numeric.conditioning import Curvature, check_arrays, curvature, diagnose_singular

Method = Literal["auto", "plain", "gram"]
Evaluate = Callable[[float, Array], tuple[float, float, Array]]
Progress = Callable[[int, float], None]

RISE_LIMIT = 5  # consecutive rising costs that count as divergence
STALL_PATIENCE = 1000  # steps without a smaller gradient that count as a stall
PROGRESS_EVERY = 0.1  # seconds between progress reports


class NonUniqueWarning(UserWarning):
    """The data do not determine a unique minimiser: X̃ᵀX̃ is singular."""


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Iterates:
    """(α, β) after each step, on the scale of the data given: `alphas[k]` and the row
    `betas[k]` after k steps (k = 0 is the start), as `fit(..., record=True)` took them."""

    alphas: Array  # k + 1 values
    betas: Array  # (k + 1) × n


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class FitResult:
    """The outcome of gradient descent; coefficients are on the scale of the data given.

    `costs[k]` is J after k steps; `gradient_norm` is ‖∇J‖ relative to its value at the
    start (α = 0, β = 0); `lr_max` is the bound 2/λmax(H) of the problem descent ran on;
    `unique` is False when the data do not determine the minimiser (X̃ᵀX̃ singular);
    `iterates` holds every (α, β) of the run when it was asked for, None otherwise.
    """

    alpha: float
    beta: Array
    costs: Array
    iterations: int
    converged: bool
    lr: float
    lr_max: float
    method: str
    gradient_norm: float
    tol: float
    stalled: bool
    condition: float
    unique: bool
    iterates: Iterates | None = None

    @property
    def cost(self) -> float:
        """The cost after the last step."""
        return float(self.costs[-1])

    def predict(self, X: ArrayLike) -> Array:
        """ŷ = α + Xβᵀ for rows of features X."""
        prediction: Array = self.alpha + np.asarray(X, dtype=np.float64) @ self.beta
        return prediction

    def _repr_markdown_(self) -> str:
        """The fit as Jupyter shows it: the outcome, then the coefficients in a table."""
        if self.converged:
            outcome = f"converged after {self.iterations} iterations"
        else:
            outcome = f"not converged after {self.iterations} iterations"
        rows = [f"| $\\alpha$ | {self.alpha:.10g} |"]
        rows += [f"| $\\beta_{{{j + 1}}}$ | {b:.10g} |" for j, b in enumerate(self.beta)]
        return "\n".join(
            [
                f"**Gradient descent ({self.method})**: {outcome}; "
                f"cost $J = {self.cost:.6g}$, learning rate $\\eta = {self.lr:.6g}$ "
                f"(bound $2/\\lambda_{{\\max}} = {self.lr_max:.6g}$).",
                "",
                "| coefficient | value |",
                "|---|---|",
                *rows,
            ]
        )


def fit(
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr: float | Literal["auto"] = "auto",
    iterations: int = defaults.ITERATIONS,
    tol: float = defaults.TOL,
    method: Method = "auto",
    standardize: bool = False,
    scale: Scale | str = Scale.MEAN,
    names: Sequence[str] | None = None,
    progress: Progress | None = None,
    record: bool = False,
) -> FitResult:
    """Fit ŷ = α + Xβᵀ by gradient descent from α = 0, β = 0.

    Stops when ‖∇J‖ ≤ tol·‖∇J at the start‖ (converged), after `iterations` steps, or when
    the gradient has stopped shrinking (stalled). `lr="auto"` is 2/(λmax + λmin) of the
    Hessian, the fastest constant step. With `standardize`, descent runs on centred,
    unit-variance features and the coefficients are mapped back. With `record`, the result
    also holds every iterate (α, β), for a picture of the path. Raises `InputError` for
    unusable data or settings, `DivergenceError` for a step at or above the bound;
    warns `NonUniqueWarning` when the minimiser is not unique.
    """
    data, target = check_arrays(X, y)
    _check_settings(lr, iterations, tol, method)
    scaling = _Scaling.of(data) if standardize else None
    features = data if scaling is None else scaling.apply(data)
    run = _Problem.of(features, target, Scale.parse(scale), _Labels(data, names))
    step = run.curvature.auto if lr == "auto" else float(lr)
    run.refuse_divergent(step)
    m, n = features.shape
    chosen = choose_method(m, n, iterations) if method == "auto" else method
    trail = _Trail() if record else None
    trace = _descend(run.evaluator(chosen), run, step, iterations, tol, progress, trail)
    alpha, beta = trace.alpha, trace.beta.reshape(-1)
    if scaling is not None:
        alpha, beta = scaling.restore(alpha, beta)
    iterates = None if trail is None else trail.iterates(features.shape[1], scaling)
    return FitResult(
        alpha=alpha,
        beta=_frozen(beta),
        costs=_frozen(np.asarray(trace.costs)),
        iterations=trace.iterations,
        converged=trace.gradient_norm <= tol,
        lr=step,
        lr_max=run.curvature.bound,
        method=chosen,
        gradient_norm=trace.gradient_norm,
        tol=tol,
        stalled=trace.stalled,
        condition=run.curvature.condition,
        unique=run.curvature.rank == run.curvature.size,
        iterates=iterates,
    )


def choose_method(m: int, n: int, iterations: int) -> Literal["plain", "gram"]:
    """The method with fewer floating-point operations for a run of `iterations` steps.

    Both methods need X̃ᵀX̃ for the learning-rate bound. Beyond it the Gram method
    computes X̃ᵀy once (about 2m(n+1) operations) and then 2(n+1)² a step; the plain
    method reads X twice a step (about 4m(n+1)). Gram wins for any run of a step or more.
    """
    plain = iterations * 4 * m * (n + 1)
    gram = 2 * m * (n + 1) + iterations * 2 * (n + 1) ** 2
    return "gram" if gram < plain else "plain"


def least_squares(X: ArrayLike, y: ArrayLike, *, standardize: bool = True) -> tuple[float, Array]:
    """The least-squares α, β by `numpy.linalg.lstsq`, the reference a fit is compared with.

    With `standardize`, lstsq runs on centred, unit-variance columns (the same minimiser,
    a far better conditioned matrix) and the coefficients are mapped back. Where the
    minimiser is not unique lstsq gives the one of least norm in the coordinates it runs
    in, which is where descent from zero in the same coordinates goes too.
    """
    data, target = check_arrays(X, y)
    scaling = _Scaling.of(data) if standardize else _Scaling.identity(data.shape[1])
    design = np.hstack([np.ones((data.shape[0], 1)), scaling.apply(data)])
    theta = np.linalg.lstsq(design, target[:, 0], rcond=None)[0]
    alpha, beta = scaling.restore(float(theta[0]), np.asarray(theta[1:], dtype=np.float64))
    return alpha, _frozen(beta)


@dataclass(frozen=True)
class _Scaling:
    """Centring and scaling of the columns (z = (x − shift)/spread), and the way back."""

    shift: Array
    spread: Array

    @classmethod
    def of(cls, X: Array) -> _Scaling:
        spread = X.std(axis=0)
        spread[spread == 0] = 1.0  # a constant column is only centred
        return cls(X.mean(axis=0), spread)

    @classmethod
    def identity(cls, n: int) -> _Scaling:
        return cls(np.zeros(n), np.ones(n))

    def apply(self, X: Array) -> Array:
        scaled: Array = (X - self.shift) / self.spread
        return scaled

    def restore(self, alpha: float, beta: Array) -> tuple[float, Array]:
        """α + zβ = α' + xβ' with β' = β/spread and α' = α − shift·β'."""
        original = beta / self.spread
        return alpha - float(original @ self.shift), original

    def restore_rows(self, alphas: Array, betas: Array) -> tuple[Array, Array]:
        """`restore` for many iterates at once: one α each, one row of `betas` each."""
        original = betas / self.spread
        restored: Array = alphas - original @ self.shift
        return restored, original


def _frozen(values: Array) -> Array:
    result = np.array(values, dtype=np.float64).reshape(-1)
    result.flags.writeable = False
    return result


def _check_settings(lr: float | str, iterations: int, tol: float, method: str) -> None:
    if lr != "auto" and not (isinstance(lr, int | float) and np.isfinite(lr) and lr > 0):
        raise InputError(
            gettext("the learning rate must be 'auto' or a positive number, not {lr}").format(
                lr=repr(lr)
            )
        )
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
        raise InputError(
            gettext("the number of iterations must be a whole number ≥ 0, not {value}").format(
                value=repr(iterations)
            )
        )
    if not (isinstance(tol, int | float) and np.isfinite(tol) and tol >= 0):
        raise InputError(
            gettext("the tolerance must be a number ≥ 0, not {value}").format(value=repr(tol))
        )
    if method not in ("auto", "plain", "gram"):
        raise InputError(
            gettext("unknown method {method}: choose auto, plain or gram").format(
                method=repr(method)
            )
        )


@dataclass(frozen=True)
class _Labels:
    """The data as given (before standardizing) and the names of its columns, for messages."""

    data: Array
    names: Sequence[str] | None


@dataclass(frozen=True)
class _Problem:
    """Data in the shapes the generated code takes, their moments and their curvature."""

    X: Array
    y: Array
    scale: Scale
    moments: tuple[Array, Array, Array, float, float]
    curvature: Curvature

    @classmethod
    def of(cls, X: Array, y: Array, scale: Scale, labels: _Labels) -> _Problem:
        moments = Moments.values(X, y)
        found = curvature(moments, X.shape[0], scale)
        if found.rank < found.size:
            message = diagnose_singular(labels.data, found, labels.names)
            warnings.warn(NonUniqueWarning(message), stacklevel=3)
        return cls(X, y, scale, moments, found)

    def refuse_divergent(self, lr: float) -> None:
        if lr >= self.curvature.bound:
            raise DivergenceError(
                gettext(
                    "the learning rate {lr} is at or above the stability bound "
                    "2/λmax = {bound} ({hessian}): "
                    "gradient descent would diverge; use a smaller rate or 'auto'"
                ).format(
                    lr=f"{lr:.6g}",
                    bound=f"{self.curvature.bound:.6g}",
                    hessian=self.curvature.hessian_text,
                )
            )

    def evaluator(self, method: str) -> Evaluate:
        """(α, β) -> (J, ∂J/∂α, ∂J/∂β) by the generated code of the method."""
        code = compiled(self.scale)
        m = self.X.shape[0]
        if method == "gram":
            on_moments, values = code.on_moments.function, self.moments

            def by_moments(alpha: float, beta: Array) -> tuple[float, float, Array]:
                cost, grad_alpha, grad_beta = on_moments(alpha, beta, *values, m)
                return scalar(cost), scalar(grad_alpha), grad_beta

            return by_moments
        on_data, X, y = code.on_data.function, self.X, self.y

        def on_the_data(alpha: float, beta: Array) -> tuple[float, float, Array]:
            cost, grad_alpha, grad_beta = on_data(X, y, alpha, beta, m)
            return scalar(cost), scalar(grad_alpha), grad_beta

        return on_the_data


class _Trail:
    """Records the iterates of a run that asked for them, 8 bytes a number."""

    def __init__(self) -> None:
        self.alphas = array("d")
        self.betas = array("d")

    def add(self, alpha: float, beta: Array) -> None:
        self.alphas.append(alpha)
        self.betas.extend(beta[0])

    def iterates(self, n: int, scaling: _Scaling | None) -> Iterates:
        alphas = np.asarray(self.alphas, dtype=np.float64)
        betas = np.asarray(self.betas, dtype=np.float64).reshape(-1, n)
        if scaling is not None:
            alphas, betas = scaling.restore_rows(alphas, betas)
        return Iterates(_frozen(alphas), _frozen_rows(betas))


def _frozen_rows(values: Array) -> Array:
    result = np.array(values, dtype=np.float64)
    result.flags.writeable = False
    return result


@dataclass(frozen=True)
class _Trace:
    alpha: float
    beta: Array
    costs: array[float]
    iterations: int
    gradient_norm: float
    stalled: bool


def _descend(
    evaluate: Evaluate,
    problem: _Problem,
    lr: float,
    iterations: int,
    tol: float,
    progress: Progress | None,
    trail: _Trail | None = None,
) -> _Trace:
    """Step α ← α − η ∂J/∂α, β ← β − η ∂J/∂β until converged, out of steps or stalled."""
    alpha, beta = 0.0, np.zeros((1, problem.X.shape[1]))
    cost, grad_alpha, grad_beta = evaluate(alpha, beta)
    start = _norm(grad_alpha, grad_beta)
    relative = 0.0 if start == 0 else 1.0
    watch = _Watch(cost, lr, problem.curvature)
    step = 0
    if trail is not None:
        trail.add(alpha, beta)
    with np.errstate(over="ignore", invalid="ignore"):  # the watch reports non-finite costs
        while relative > tol and step < iterations and not watch.stalled:
            alpha -= lr * grad_alpha
            beta = beta - lr * grad_beta
            cost, grad_alpha, grad_beta = evaluate(alpha, beta)
            step += 1
            relative = _norm(grad_alpha, grad_beta) / start
            watch.check(step, cost, relative)
            if trail is not None:
                trail.add(alpha, beta)
            if progress is not None and watch.report_due():
                progress(step, relative)
    return _Trace(alpha, beta, watch.costs, step, relative, watch.stalled)


def _norm(grad_alpha: float, grad_beta: Array) -> float:
    row = grad_beta[0]
    return math.sqrt(grad_alpha * grad_alpha + float(row @ row))


class _Watch:
    """Records the costs; stops a run whose costs leave the finite numbers or keep
    rising (divergence), and notes one whose gradient has stopped shrinking (a stall)."""

    def __init__(self, first_cost: float, lr: float, found: Curvature) -> None:
        self.costs = array("d", [first_cost])  # 8 bytes a step, for runs of millions
        self.lr = lr
        self.curvature = found
        self.slack = 1e-12 * abs(first_cost)  # rounding, far below any real rise
        self.rises = 0
        self.best = np.inf
        self.since_best = 0
        self.stalled = False
        self.last_report = time.perf_counter()

    def check(self, step: int, cost: float, relative: float) -> None:
        if not (np.isfinite(cost) and np.isfinite(relative)):
            self._diverged(
                gettext("the cost became {cost} at iteration {step}").format(cost=cost, step=step)
            )
        self.rises = self.rises + 1 if cost > self.costs[-1] + self.slack else 0
        self.costs.append(cost)
        if self.rises >= RISE_LIMIT:
            self._diverged(
                gettext("the cost rose {count} times in a row, to {cost} at {step}").format(
                    count=RISE_LIMIT, cost=f"{cost:.6g}", step=step
                )
            )
        if relative < self.best:
            self.best, self.since_best = relative, 0
        else:
            self.since_best += 1
            self.stalled = self.since_best >= STALL_PATIENCE

    def report_due(self) -> bool:
        now = time.perf_counter()
        if now - self.last_report < PROGRESS_EVERY:
            return False
        self.last_report = now
        return True

    def _diverged(self, what: str) -> None:
        raise DivergenceError(
            gettext(
                "{what}: gradient descent diverged with learning rate {lr} "
                "(the stability bound is 2/λmax = {bound})"
            ).format(what=what, lr=f"{self.lr:.6g}", bound=f"{self.curvature.bound:.6g}")
        )
