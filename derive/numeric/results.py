"""What a numeric run hands back: a fit's `FitResult` with its `Iterates`, and read-only arrays.

Numeric stage: descent.py fills a `FitResult`, reference.py returns the least-squares
coefficients, both as read-only arrays (`frozen`); present/run_report.py and the command
line show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from derive.core.i18n import gettext, ngettext
from derive.numeric.arrays import Array

COST_GAP = 1e-6  # converged only if J − J* is at most this fraction of J with the bias alone


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
    `cost_gap` is (J − J*)/J_bias, how far the cost is above the least cost J* as a
    fraction of the cost with the bias alone, measured by the reference when ‖∇J‖ met the
    tolerance (None otherwise); above COST_GAP the run has not converged, and `rejection`
    is the one line that says so and why.
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
    cost_gap: float | None = None

    @property
    def cost(self) -> float:
        """The cost after the last step."""
        return float(self.costs[-1])

    @property
    def rejection(self) -> str | None:
        """Why a run whose ‖∇J‖ met the tolerance has not converged (its cost is too far
        above least squares), as the one line of its outcome in the current language; None
        for any other run."""
        if self.cost_gap is None or self.cost_gap <= COST_GAP:
            return None
        sentence = ngettext(
            "not converged after {k} iteration: ‖∇J‖ met the tolerance, but the cost "
            "J = {cost} is above the least-squares cost by {gap} of the cost with the bias "
            "alone (more than {limit}), so the coefficients are far from the minimiser",
            "not converged after {k} iterations: ‖∇J‖ met the tolerance, but the cost "
            "J = {cost} is above the least-squares cost by {gap} of the cost with the bias "
            "alone (more than {limit}), so the coefficients are far from the minimiser",
            self.iterations,
        )
        return sentence.format(
            k=self.iterations, cost=f"{self.cost:.6g}", gap=f"{self.cost_gap:.2g}", limit=COST_GAP
        )

    def predict(self, X: ArrayLike) -> Array:
        """ŷ = α + Xβᵀ for rows of features X."""
        prediction: Array = self.alpha + np.asarray(X, dtype=np.float64) @ self.beta
        return prediction

    def _repr_markdown_(self) -> str:
        """The fit as Jupyter shows it, in the current language: the outcome, then the
        coefficients in a table."""
        if self.rejection is not None:
            outcome = self.rejection
        elif self.converged:
            outcome = ngettext(
                "converged after {k} iteration", "converged after {k} iterations", self.iterations
            ).format(k=self.iterations)
        else:
            outcome = gettext("not converged after {k} iterations").format(k=self.iterations)
        rows = [f"| $\\alpha$ | {self.alpha:.10g} |"]
        rows += [f"| $\\beta_{{{j + 1}}}$ | {b:.10g} |" for j, b in enumerate(self.beta)]
        headline = gettext(
            "**Gradient descent ({method})**: {outcome}; cost {cost}, learning rate {lr} "
            "(bound {bound})."
        )
        return "\n".join(
            [
                headline.format(
                    method=self.method,
                    outcome=outcome,
                    cost=f"$J = {self.cost:.6g}$",
                    lr=f"$\\eta = {self.lr:.6g}$",
                    bound=f"$2/\\lambda_{{\\max}} = {self.lr_max:.6g}$",
                ),
                "",
                "| {coefficient} | {value} |".format(
                    coefficient=gettext("coefficient"), value=gettext("value")
                ),
                "|---|---|",
                *rows,
            ]
        )


def frozen(values: Array) -> Array:
    """A read-only copy of `values`, flattened."""
    result = np.array(values, dtype=np.float64).reshape(-1)
    result.flags.writeable = False
    return result


def frozen_rows(values: Array) -> Array:
    """A read-only copy of `values`, keeping its shape."""
    result = np.array(values, dtype=np.float64)
    result.flags.writeable = False
    return result
