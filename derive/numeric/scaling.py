"""Standardized columns: z = (x − shift)/spread, and the way back to the data's own scale.

Numeric stage, used by descent.py (`fit(..., standardize=True)` descends on z and maps its
coefficients back here). reference.py scales columns its own way, so that a fault here
cannot hide behind a reference that shares it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derive.numeric.arrays import Array


def _spread(values: Array) -> Array:
    """`values.std(axis=0)`, the same numbers bit for bit (NumPy's own steps: the mean,
    the deviations, their squares, their mean, its root), computed in `values` itself, which
    it overwrites: one array of the size of X at a time, not two."""
    centre = np.add.reduce(values, axis=0, keepdims=True)
    np.true_divide(centre, values.shape[0], out=centre)
    values -= centre
    np.square(values, out=values)
    spread: Array = np.sqrt(np.add.reduce(values, axis=0) / values.shape[0])
    return spread


@dataclass(frozen=True)
class Scaling:
    """Centring and scaling of the columns (z = (x − shift)/spread), and the way back."""

    shift: Array
    spread: Array

    @classmethod
    def of(cls, X: Array) -> Scaling:
        """The mean and standard deviation of each column, computed without overflow or
        underflow: each column is first divided by a power of two at least half its
        largest magnitude (1e200 squared would overflow, 1e-200 squared would vanish; a
        power of two divides exactly, so other columns get the very same numbers as
        without it). A constant column is only moved to zero, exactly."""
        low, high = X.min(axis=0), X.max(axis=0)
        largest = np.maximum(np.abs(low), np.abs(high))
        power = np.ldexp(1.0, np.frexp(largest)[1] - 1)  # largest/power in [1, 2)
        scaled = X / power
        shift = scaled.mean(axis=0) * power
        spread = _spread(scaled) * power
        constant = low == high
        return cls(np.where(constant, low, shift), np.where(constant | (spread == 0), 1.0, spread))

    @classmethod
    def identity(cls, n: int) -> Scaling:
        return cls(np.zeros(n), np.ones(n))

    def apply(self, X: Array) -> Array:
        scaled: Array = X - self.shift
        scaled /= self.spread  # in place: one copy of X, not two
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
