"""What a numeric run hands back: a fit's `FitResult` with its `Iterates`, and read-only arrays.

Numeric stage: descent.py fills a `FitResult`, reference.py returns the least-squares
coefficients, both as read-only arrays (`frozen`); present/run_report.py and the command
line show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from derive.numeric.arrays import Array


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
