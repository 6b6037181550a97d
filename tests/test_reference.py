"""The least-squares reference: lstsq's minimiser, its least cost, and where it is public."""

from __future__ import annotations

import numpy as np
import pytest

from derive.numeric import worked_example
from derive.numeric.reference import least_squares, least_squares_cost


def problem(seed: int, m: int = 200, n: int = 3, offset: float = 0.0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)) + offset
    y = X @ rng.standard_normal(n) + 0.5 + 0.1 * rng.standard_normal(m)
    return X, y


def lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The reference straight from numpy, on X̃ = [1 X]."""
    design = np.hstack([np.ones((len(X), 1)), X])
    theta: np.ndarray = np.linalg.lstsq(design, y, rcond=None)[0]
    return theta


@pytest.mark.parametrize("standardize", [True, False])
def test_least_squares_reference_matches_numpy_lstsq(standardize: bool) -> None:
    X, y = problem(13, offset=2.0)
    alpha, beta = least_squares(X, y, standardize=standardize)
    assert np.allclose(np.concatenate([[alpha], beta]), lstsq(X, y), rtol=1e-10)


def test_the_reference_coefficients_are_read_only() -> None:
    _, beta = least_squares(*problem(14))
    with pytest.raises(ValueError, match="read-only"):
        beta[0] = 1.0


@pytest.mark.parametrize(("scale", "factor"), [("1/m", 1.0), ("1/(2m)", 0.5)])
def test_the_least_cost_is_the_cost_at_the_lstsq_minimiser(scale: str, factor: float) -> None:
    X, y = problem(15, m=40, n=2, offset=1.0)
    theta = lstsq(X, y)
    residual = y - theta[0] - X @ theta[1:]
    assert least_squares_cost(X, y, scale) == pytest.approx(factor * np.mean(residual**2))


def test_the_worked_example_takes_its_least_cost_from_the_reference() -> None:
    assert worked_example.least_squares_cost is least_squares_cost


def test_least_squares_is_public() -> None:
    import derive

    assert derive.least_squares is least_squares
    assert "least_squares" in derive.__all__
