"""Standardizing columns: stable for any magnitude, exact for a constant, unchanged otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from derive.numeric.scaling import Scaling

M = 40
RNG = np.random.default_rng(20)
NOISE = RNG.standard_normal(M)
RAMP = np.linspace(1.0, 3.0, M)

# Columns that the textbook mean and standard deviation cannot standardize: their squares
# overflow (1e200) or vanish (1e-200), or they span 150 decades.
EXTREME = {
    "near 1e200": RAMP * 1e200,
    "near 1e-200": RAMP * 1e-200,
    "negative, near 1e200": -RAMP * 1e200,
    "1e150 and 1 mixed": np.where(np.arange(M) % 2 == 0, 1e150 * RAMP, RAMP),
    "near 1e-300": RAMP * 1e-300,
    "near the largest float": RAMP * 5e307,
}


@pytest.mark.parametrize("column", EXTREME.values(), ids=EXTREME.keys())
def test_extreme_columns_are_standardized_without_overflow(column: np.ndarray) -> None:
    """Mean 0 and variance 1 to rounding (the suite turns any RuntimeWarning into an error)."""
    X = np.column_stack([column, NOISE])
    z = Scaling.of(X).apply(X)
    assert np.isfinite(z).all()
    assert np.allclose(z.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(z.std(axis=0), 1.0, rtol=1e-12)


def test_the_scale_of_a_column_is_its_standard_deviation_whatever_its_magnitude() -> None:
    ordinary = Scaling.of(RAMP[:, None])
    for factor in (1e200, 1e-200, 2.0**-1070):
        scaled = Scaling.of(RAMP[:, None] * factor)
        assert scaled.spread[0] == pytest.approx(ordinary.spread[0] * factor, rel=1e-14)
        assert scaled.shift[0] == pytest.approx(ordinary.shift[0] * factor, rel=1e-14)


def test_a_column_far_from_zero_keeps_its_noise() -> None:
    """1e12 + noise: the data hold the noise to about 1e-4; the mean of such values is
    off by about that much, so the variance is off by its square (harmless: the scaling
    only preconditions descent, and the way back uses the same numbers)."""
    X = (1e12 + NOISE)[:, None]
    z = Scaling.of(X).apply(X)[:, 0]
    assert np.corrcoef(z, NOISE)[0, 1] > 1 - 1e-7
    assert z.std() == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("value", [0.1, 4.0, 0.0, -7e250, 3e-250])
def test_a_constant_column_becomes_exactly_zero(value: float) -> None:
    """0.1 is the trap: the mean of forty 0.1s is not 0.1, and their standard deviation
    comes out 1.4e-17 rather than 0, which made z a column of ±1s (a second bias)."""
    X = np.column_stack([np.full(M, value), NOISE])
    scaling = Scaling.of(X)
    z = scaling.apply(X)
    assert np.array_equal(z[:, 0], np.zeros(M))
    assert scaling.spread[0] == 1.0
    _, beta = scaling.restore(2.0, np.array([5.0, 1.0]))
    assert beta[0] == 5.0  # a weight on a zero column stays what descent left it


def test_ordinary_columns_get_the_very_numbers_of_mean_and_std() -> None:
    """Dividing by a power of two is exact, so runs on ordinary data do not move a bit."""
    X = RNG.standard_normal((50, 4)) * [1.0, 1e3, 1e-3, 7.0] + [0.0, 5.0, 1e12, -3.0]
    scaling = Scaling.of(X)
    assert np.array_equal(scaling.shift, X.mean(axis=0))
    assert np.array_equal(scaling.spread, X.std(axis=0))


def test_restore_maps_coefficients_back_to_the_data_scale() -> None:
    X = np.column_stack([RAMP * 1e200, NOISE])
    scaling = Scaling.of(X)
    z = scaling.apply(X)
    alpha, beta = scaling.restore(0.5, np.array([2.0, -1.0]))
    assert alpha + X @ beta == pytest.approx(0.5 + z @ [2.0, -1.0], rel=1e-12, abs=1e-12)


def test_the_spread_is_numpys_std_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        m, n = int(rng.integers(1, 2000)), int(rng.integers(1, 6))
        X = rng.normal(size=(m, n)) * 10.0 ** rng.integers(-100, 100, size=n)
        X += rng.normal(size=n) * 10.0 ** rng.integers(-3, 3, size=n)
        largest = np.abs(X).max(axis=0)
        power = np.ldexp(1.0, np.frexp(largest)[1] - 1)
        expected = (X / power).std(axis=0) * power
        found = Scaling.of(X).spread
        constant = X.min(axis=0) == X.max(axis=0)
        assert np.array_equal(found[~constant], expected[~constant])
