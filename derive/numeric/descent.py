"""Gradient descent on data, run by the derivation's generated gradients.

Numeric stage, after numeric.py (model -> steps -> verify -> numeric -> render -> files).
`fit` checks the data, bounds the learning rate by the Hessian (descent converges iff
0 < η < 2/λmax(H)), refuses a run that needs far more steps than it may take, then steps
either on the data (O(mn) a step) or on the Gram moments (O(n²) a step, the same
iterates), stops on convergence, divergence or a stall, and checks a converged run's cost
against the least-squares reference of reference.py.
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

from derive.core.errors import DeriveError, DivergenceError, InputError
from derive.core.i18n import gettext
from derive.models.linear import Scale
from derive.numeric import defaults
from derive.numeric.arrays import Array
from derive.numeric.conditioning import Curvature, check_arrays, check_weights, diagnose_singular
from derive.numeric.descent_loop import Evaluate, Problem, Trail, descend, residual_cost
from derive.numeric.reference import excess_cost
from derive.numeric.results import COST_GAP, FitResult, Iterates, frozen, frozen_rows
from derive.numeric.scaling import Scaling

Method = Literal["auto", "plain", "gram"]
Progress = Callable[[int, float], None]

RISE_LIMIT = 5  # consecutive rising costs that count as divergence
STALL_PATIENCE = 1000  # steps without a smaller gradient that count as a stall
PROGRESS_EVERY = 0.1  # seconds between progress reports
FAR_PAST = 10  # a run needing more than this many times its limit of steps is refused
SHORT_RUN = 1000  # a run allowed at most this many steps is always taken (it is quick)


class NonUniqueWarning(UserWarning):
    """The data do not determine a unique minimiser: X̃ᵀX̃ is singular."""


class TooFewIterationsError(DeriveError):
    """A run that needs far more steps than it may take, refused before its first step.
    The command line exits with code 1 (a clean "no", not bad input)."""


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
    also holds every iterate (α, β), for a picture of the path. The final cost is measured
    from the error u = y − ŷ. A run that met its tolerance counts as converged only if its
    cost is within COST_GAP of least squares (see `FitResult.rejection`). Raises
    `InputError` for unusable data or settings, `DivergenceError` for a step at or above
    the bound, `TooFewIterationsError` when the run would need more than FAR_PAST times
    `iterations` steps (runs of up to SHORT_RUN steps are always taken); warns
    `NonUniqueWarning` when the minimiser is not unique.
    """
    data, target = check_arrays(X, y)
    _check_settings(lr, iterations, tol, method)
    scaling = Scaling.of(data) if standardize else None
    features = data if scaling is None else scaling.apply(data)
    run = Problem.of(features, target, Scale.parse(scale))
    found = run.curvature
    if found.rank < found.size:
        warnings.warn(NonUniqueWarning(diagnose_singular(data, found, names)), stacklevel=2)
    step = found.auto if lr == "auto" else float(lr)
    found.refuse(step)
    m, n = features.shape
    chosen = choose_method(m, n, iterations) if method == "auto" else method
    evaluate = run.evaluator(chosen)
    _refuse_too_long(evaluate, found, _Limits(step, iterations, tol), standardize)
    trail = Trail() if record else None
    watch = _Watch(step, found, tol, progress)
    end = descend(evaluate, (0.0, np.zeros((1, n))), step, iterations, watch, trail)
    alpha, beta = end.alpha, end.beta.reshape(-1)
    if scaling is not None:
        with np.errstate(over="ignore"):  # a weight beyond float64 is reported just below
            alpha, beta = scaling.restore(alpha, beta)
        check_weights(beta, names)
    costs = _costs(watch.costs, residual_cost(data, target, alpha, beta[None, :], run.scale))
    reached = watch.relative <= tol
    gap = excess_cost(data, target, alpha, beta) if reached else None
    return FitResult(
        alpha=alpha,
        beta=frozen(beta),
        costs=frozen(costs),
        iterations=end.iterations,
        converged=reached and gap is not None and gap <= COST_GAP,
        lr=step,
        lr_max=found.bound,
        method=chosen,
        gradient_norm=watch.relative,
        tol=tol,
        stalled=watch.stalled,
        condition=found.condition,
        unique=found.rank == found.size,
        iterates=None if trail is None else _iterates(trail, n, scaling),
        cost_gap=gap,
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
class _Limits:
    """What a run may do: its step η, its most steps, and the tolerance it must reach."""

    lr: float
    iterations: int
    tol: float


def _refuse_too_long(
    evaluate: Evaluate, found: Curvature, limits: _Limits, standardized: bool
) -> None:
    """Refuse at once a run whose own lower bound on the steps it needs (from the Hessian
    and the gradient at the start) is more than FAR_PAST times its limit."""
    if limits.iterations <= SHORT_RUN or limits.tol == 0:
        return
    _, grad_alpha, grad_beta = evaluate(0.0, np.zeros((1, found.size - 1)))
    gradient = np.concatenate([[grad_alpha], np.ravel(grad_beta)])
    needed = found.steps_needed(limits.lr, limits.tol, gradient)
    if needed <= FAR_PAST * limits.iterations:
        return
    if standardized:
        advice = gettext(
            "even on standardized features; allow more iterations (--iterations) "
            "or a larger tolerance (--tol)"
        )
    else:
        advice = gettext(
            "standardize the features (--standardize) or allow more iterations (--iterations)"
        )
    raise TooFewIterationsError(
        gettext(
            "gradient descent would need at least {needed} iterations to bring ‖∇J‖ to "
            "{tol} of its start (the Hessian's condition number is {condition}), more than "
            "{factor} times the limit of {limit}: {advice}"
        ).format(
            needed=f"{needed:.2g}",
            tol=f"{limits.tol:g}",
            condition=f"{found.condition:.2g}",
            factor=FAR_PAST,
            limit=limits.iterations,
            advice=advice,
        )
    )


def _costs(history: Sequence[float], final: float) -> Array:
    """The costs of a run, none negative: the last one measured from the error u = y − ŷ
    of the coefficients reported, on the data given (the Gram form's J = (yᵀy − 2…)/m
    loses a cost near 0 to rounding, even below 0), and any earlier one that rounding
    took below 0 set to 0."""
    costs = np.maximum(np.asarray(history, dtype=np.float64), 0.0)
    costs[-1] = final
    return costs


def _iterates(trail: Trail, n: int, scaling: Scaling | None) -> Iterates:
    """The recorded iterates, on the scale of the data given."""
    alphas, betas = trail.arrays(n)
    if scaling is not None:
        with np.errstate(over="ignore", invalid="ignore"):  # the end was checked finite
            alphas, betas = scaling.restore_rows(alphas, betas)
    return Iterates(frozen(alphas), frozen_rows(betas))


def _norm(grad_alpha: float, grad_beta: Array) -> float:
    """‖∇J‖ = √((∂J/∂α)² + ∂J/∂β·∂J/∂β), ∂J/∂β a 1×n row."""
    row = grad_beta[0]
    return math.sqrt(grad_alpha * grad_alpha + float(row @ row))


class _Watch:
    """The watch of a fit: records the costs; stops a run whose ‖∇J‖ has fallen to `tol` of
    its start (converged), raises for one whose costs leave the finite numbers or keep
    rising (divergence), and stops one whose gradient has stopped shrinking (a stall)."""

    def __init__(
        self, lr: float, found: Curvature, tol: float, progress: Progress | None = None
    ) -> None:
        self.lr = lr
        self.curvature = found
        self.tol = tol
        self.progress = progress
        self.costs = array("d")  # 8 bytes a step, for runs of millions
        self.slack = 0.0
        self.start = 0.0
        self.relative = 0.0  # ‖∇J‖ relative to its start
        self.rises = 0
        self.best = np.inf
        self.since_best = 0
        self.stalled = False
        self.last_report = 0.0

    def begin(self, cost: float, grad_alpha: float, grad_beta: Array) -> bool:
        self.costs.append(cost)
        self.slack = 1e-12 * abs(cost)  # rounding, far below any real rise
        self.start = _norm(grad_alpha, grad_beta)
        self.relative = 0.0 if self.start == 0 else 1.0
        self.last_report = time.perf_counter()
        return self.relative > self.tol

    def check(self, step: int, cost: float, grad_alpha: float, grad_beta: Array) -> bool:
        self.relative = _norm(grad_alpha, grad_beta) / self.start
        self.observe(step, cost, self.relative)
        if self.progress is not None and self.report_due():
            self.progress(step, self.relative)
        return self.relative > self.tol and not self.stalled

    def observe(self, step: int, cost: float, relative: float) -> None:
        """Record the cost after `step`; raise for divergence, note a stall."""
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
