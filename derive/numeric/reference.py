"""The least-squares reference: the independent minimiser that runs are compared with.

Numeric stage, beside descent.py: `numpy.linalg.lstsq` solves the normal problem directly,
without descent, so `derive run` can report how far a fit is from it, the plots can mark
it, and the worked example can measure each cost against the least cost J*. It scales the
columns its own way (not scaling.py's), and `excess_cost` lets `fit` check its outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import compiled
from derive.numeric.conditioning import check_arrays, check_weights
from derive.numeric.results import frozen

CHUNK_ROWS = 8_192  # rows taken at a time by `excess_cost`: memory O(CHUNK_ROWS·n)


def least_squares(X: ArrayLike, y: ArrayLike, *, standardize: bool = True) -> tuple[float, Array]:
    """The least-squares α, β by `numpy.linalg.lstsq`, the reference a fit is compared with.

    With `standardize`, lstsq runs on centred columns of norm 1 (the same minimiser, a far
    better conditioned matrix) and the coefficients are mapped back. Where the minimiser
    is not unique lstsq gives the one of least norm in the coordinates it runs in, which
    is where descent from zero in the same coordinates goes too (centred columns of norm 1
    are standardized columns up to one common factor).
    """
    data, target = check_arrays(X, y)
    if not standardize:
        design = np.hstack([np.ones((data.shape[0], 1)), data])
        theta = np.asarray(np.linalg.lstsq(design, target[:, 0], rcond=None)[0])
        return float(theta[0]), frozen(theta[1:])
    columns = _Sums.of(data, target).columns
    design = np.hstack([np.ones((data.shape[0], 1)), columns.apply(data)])
    theta = np.linalg.lstsq(design, target[:, 0], rcond=None)[0]
    with np.errstate(over="ignore"):  # a weight beyond float64 is reported just below
        alpha, beta = columns.restore(float(theta[0]), np.asarray(theta[1:], dtype=np.float64))
    check_weights(beta)
    return alpha, frozen(beta)


def least_squares_cost(X: ArrayLike, y: ArrayLike, scale: Scale | str = Scale.MEAN) -> float:
    """J at the least-squares minimiser (lstsq on the data as given), by the generated cost:
    the least cost J*, the floor of every run."""
    data, target = check_arrays(X, y)
    alpha, beta = least_squares(data, target, standardize=False)
    cost = compiled(scale).on_data(data, target, alpha, beta[None, :], data.shape[0])[0]
    return scalar(cost)


def excess_cost(X: Array, y: Array, alpha: float, beta: Array) -> float:
    """How far the fit (α, β) is above the least cost J* on data X (m×n), y (m×1):
    (J − J*)/J_bias, the excess as a fraction of the cost with the bias alone.

    For least squares J(θ) − J* = c·‖X̃(θ − θ*)‖²/m exactly, so the excess is measured from
    the coefficients, without the cancellation of two costs: in the reference's own
    centred columns z of norm 1, X̃(θ − θ*) = (θ₀ − ȳ)𝟏 + Z(θ_z − θ*_z), whose squared
    norm is m(θ₀ − ȳ)² + ΔᵀCΔ with C = ZᵀZ, and J_bias = c·‖y − ȳ‖²/m; θ*_z solves
    Cθ = Zᵀ(y − ȳ) (least norm where C is singular, which leaves the excess unchanged).
    O(mn²) time like one XᵀX, memory O(n²) beyond a block of rows. What rounding alone
    puts into the fit's bias in these coordinates (α and the columns' means cancel) is not
    counted. 0 for a constant target, whose every fit is judged by its gradient alone.
    """
    sums = _Sums.of(X, y)
    scaled = np.asarray(beta, dtype=np.float64).reshape(-1) * sums.columns.power / sums.size
    weights = np.where(sums.columns.constant, 0.0, scaled * sums.columns.norm)
    bias = alpha / sums.size + float(scaled @ sums.columns.centre)
    if sums.spread == 0:
        return 0.0
    best = np.asarray(np.linalg.lstsq(sums.gram, sums.moment, rcond=None)[0], dtype=np.float64)
    difference = weights - best
    excess = X.shape[0] * (bias - sums.mean) ** 2 + float(difference @ sums.gram @ difference)
    rounding = _rounding(alpha / sums.size, scaled * sums.columns.centre, X.shape[0])
    return float(max(excess - rounding, 0.0) / sums.spread)


def _rounding(alpha: float, shifts: Array, m: int) -> float:
    """How much rounding alone can put into m(θ₀ − ȳ)²: θ₀ = α + Σ βⱼ·meanⱼ is a sum of
    n + 1 terms that cancel (a column of 10¹² + noise), each known to ε of its size."""
    delta = (len(shifts) + 2) * float(np.finfo(np.float64).eps)
    delta *= abs(alpha) + float(np.abs(shifts).sum()) + 1.0
    return m * delta * delta


def _blocks(X: Array, y: Array) -> Iterator[tuple[Array, Array]]:
    for start in range(0, X.shape[0], CHUNK_ROWS):
        yield X[start : start + CHUNK_ROWS], y[start : start + CHUNK_ROWS]


def _power(values: Array) -> Array:
    """For each column (of a vector: for it), a power of two at least half its largest
    magnitude: dividing by it is exact and leaves magnitudes below 2."""
    largest = np.maximum(np.abs(values.min(axis=0)), np.abs(values.max(axis=0)))
    power: Array = np.ldexp(1.0, np.frexp(largest)[1] - 1)
    return power


@dataclass(frozen=True)
class _Columns:
    """The reference's own scaling, not scaling.py's: each column divided by a power of
    two near its largest magnitude (exact; no square overflows or vanishes), centred, and
    divided by the norm of the centred column; a constant column becomes exactly 0."""

    power: Array
    centre: Array
    norm: Array
    constant: Array

    def apply(self, X: Array) -> Array:
        centred: Array = (X / self.power - self.centre) / self.norm
        centred[:, self.constant] = 0.0
        return centred

    def restore(self, alpha: float, theta: Array) -> tuple[float, Array]:
        """α' + xβ' = α + zθ: β' = θ/(norm·power), α' = α − Σ θ·centre/norm."""
        weights = np.where(self.constant, 0.0, theta / self.norm)
        return alpha - float(weights @ self.centre), weights / self.power


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class _Sums:
    """The reference's columns and target, and their products in two passes over the rows:
    C = ZᵀZ, Zᵀ(y − ȳ) and ‖y − ȳ‖², the target divided by a power of two `size`."""

    columns: _Columns
    size: float
    mean: float
    gram: Array
    moment: Array
    spread: float

    @classmethod
    def of(cls, X: Array, y: Array) -> _Sums:
        m, n = X.shape
        low, high, total = np.full(n, np.inf), np.full(n, -np.inf), np.zeros(n)
        for rows, _ in _blocks(X, y):  # sums of the data as given: check_arrays saw them finite
            low, high = np.minimum(low, rows.min(axis=0)), np.maximum(high, rows.max(axis=0))
            total += rows.sum(axis=0)
        power = _power(np.vstack([low, high]))
        size = float(_power(y)[0])
        first, mean = total / m / power, float(y.sum()) / m / size
        gram, moment, sums, spread = np.zeros((n, n)), np.zeros(n), np.zeros(n), 0.0
        for rows, part in _blocks(X, y):
            centred, target = rows / power - first, part[:, 0] / size - mean
            gram += centred.T @ centred
            moment += target @ centred
            sums += centred.sum(axis=0)
            spread += float(target @ target)
        gram -= np.outer(sums, sums) / m  # the first pass's mean, corrected
        constant = low == high
        norm = np.where(constant, 1.0, np.sqrt(np.maximum(np.diag(gram), 0.0)))
        gram[constant, :], gram[:, constant] = 0.0, 0.0
        columns = _Columns(power, first + sums / m, norm, constant)
        return cls(columns, size, mean, gram / np.outer(norm, norm), moment / norm, spread)
