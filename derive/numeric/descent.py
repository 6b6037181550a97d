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
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from derive.core.errors import DivergenceError, InputError
from derive.core.i18n import gettext
from derive.models.linear import Scale
from derive.numeric import defaults
from derive.numeric.arrays import Array
from derive.numeric.conditioning import Curvature, check_arrays, diagnose_singular
from derive.numeric.descent_loop import Problem, Trail, descend
from derive.numeric.results import FitResult as FitResult  # re-exported: `fit` returns it
from derive.numeric.results import Iterates as Iterates  # re-exported: a FitResult holds it
from derive.numeric.results import frozen, frozen_rows
from derive.numeric.scaling import Scaling

Method = Literal["auto", "plain", "gram"]
Progress = Callable[[int, float], None]

RISE_LIMIT = 5  # consecutive rising costs that count as divergence
STALL_PATIENCE = 1000  # steps without a smaller gradient that count as a stall
PROGRESS_EVERY = 0.1  # seconds between progress reports


class NonUniqueWarning(UserWarning):
    """The data do not determine a unique minimiser: X̃ᵀX̃ is singular."""


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
    scaling = Scaling.of(data) if standardize else None
    features = data if scaling is None else scaling.apply(data)
    run = Problem.of(features, target, Scale.parse(scale))
    found = run.curvature
    if found.rank < found.size:
        warnings.warn(NonUniqueWarning(diagnose_singular(data, found, names)), stacklevel=2)
    step = found.auto if lr == "auto" else float(lr)
    _refuse_divergent(step, found)
    m, n = features.shape
    chosen = choose_method(m, n, iterations) if method == "auto" else method
    trail = Trail() if record else None
    watch = _Watch(step, found, tol, progress)
    end = descend(run.evaluator(chosen), (0.0, np.zeros((1, n))), step, iterations, watch, trail)
    alpha, beta = end.alpha, end.beta.reshape(-1)
    if scaling is not None:
        alpha, beta = scaling.restore(alpha, beta)
    return FitResult(
        alpha=alpha,
        beta=frozen(beta),
        costs=frozen(np.asarray(watch.costs)),
        iterations=end.iterations,
        converged=watch.relative <= tol,
        lr=step,
        lr_max=found.bound,
        method=chosen,
        gradient_norm=watch.relative,
        tol=tol,
        stalled=watch.stalled,
        condition=found.condition,
        unique=found.rank == found.size,
        iterates=None if trail is None else _iterates(trail, n, scaling),
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


def _refuse_divergent(lr: float, found: Curvature) -> None:
    if lr >= found.bound:
        raise DivergenceError(
            gettext(
                "the learning rate {lr} is at or above the stability bound "
                "2/λmax = {bound} ({hessian}): "
                "gradient descent would diverge; use a smaller rate or 'auto'"
            ).format(lr=f"{lr:.6g}", bound=f"{found.bound:.6g}", hessian=found.hessian_text)
        )


def _iterates(trail: Trail, n: int, scaling: Scaling | None) -> Iterates:
    """The recorded iterates, on the scale of the data given."""
    alphas, betas = trail.arrays(n)
    if scaling is not None:
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
