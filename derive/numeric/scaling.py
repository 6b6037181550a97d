"""Standardized columns: z = (x − shift)/spread, and the way back to the data's own scale.

Numeric stage, shared by descent.py (`fit(..., standardize=True)` descends on z) and
reference.py (lstsq on z, far better conditioned): both map their coefficients back here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derive.numeric.arrays import Array


@dataclass(frozen=True)
class Scaling:
    """Centring and scaling of the columns (z = (x − shift)/spread), and the way back."""

    shift: Array
    spread: Array

    @classmethod
    def of(cls, X: Array) -> Scaling:
        spread = X.std(axis=0)
        spread[spread == 0] = 1.0  # a constant column is only centred
        return cls(X.mean(axis=0), spread)

    @classmethod
    def identity(cls, n: int) -> Scaling:
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
