"""The least-squares reference: lstsq's minimiser, its least cost, and where it is public."""

from __future__ import annotations

import numpy as np
import pytest

from derive.core.errors import InputError
from derive.numeric.reference import excess_cost, least_squares, least_squares_cost
from derive.numeric.scaling import Scaling


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


def test_the_worked_example_least_cost_is_the_reference_one() -> None:
    X = np.array([[0, 1], [1, 0], [2, 2], [3, 1]], dtype=float)
    y = np.array([2, 2, 6, 5], dtype=float)
    assert least_squares_cost(X, y) == pytest.approx(0.0625, rel=1e-12)  # README's J*
    assert least_squares_cost(X, y, "1/(2m)") == pytest.approx(0.03125, rel=1e-12)


def test_least_squares_is_public() -> None:
    import derive

    assert derive.least_squares is least_squares
    assert "least_squares" in derive.__all__


# --- its own scaling, independent of descent's, stable for any magnitude (issue 12, item 4) --

M = 30
RNG = np.random.default_rng(21)
RAMP, NOISE = np.linspace(1.0, 3.0, M), RNG.standard_normal(M)
# (column, the factor that brings it to ordinary numbers, for the oracle)
COLUMNS = {
    "near 1e200": (RAMP * 1e200, 1e-200),
    "near 1e-200": (RAMP * 1e-200, 1e200),
    "1e150 and 1 mixed": (np.where(np.arange(M) % 2 == 0, RAMP, 1e150 * RAMP), 1e-150),
    "1e12 + noise": (1e12 + RNG.standard_normal(M), 1.0),
}


def data(case: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X = [column, noise], y, and the oracle: lstsq on the column brought to ordinary
    numbers and centred by hand, mapped back."""
    column, factor = COLUMNS[case]
    ordinary = (column - column.mean()) * factor
    y = 3 + 2 * ordinary - 1.5 * NOISE + 0.05 * np.cos(np.arange(M))
    theta = lstsq(np.column_stack([ordinary, NOISE]), y)
    expected = np.array([theta[0] - theta[1] * factor * column.mean(), theta[1] * factor, theta[2]])
    return np.column_stack([column, NOISE]), y, expected


@pytest.mark.parametrize("case", COLUMNS)
def test_the_reference_is_right_for_columns_of_any_magnitude(case: str) -> None:
    X, y, expected = data(case)
    alpha, beta = least_squares(X, y)
    assert np.concatenate([[alpha], beta]) == pytest.approx(expected, rel=1e-9)


def test_the_reference_does_not_share_the_scaling_of_descent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault in descent's standardization (scaling.py) must not reach the reference."""
    X, y = problem(22, offset=3.0)
    before = least_squares(X, y)

    def broken(X: np.ndarray) -> Scaling:
        return Scaling(np.zeros(X.shape[1]), np.full(X.shape[1], np.inf))

    monkeypatch.setattr(Scaling, "of", broken)
    after = least_squares(X, y)
    assert after[0] == before[0]
    assert np.array_equal(after[1], before[1])


def test_a_constant_column_gets_no_weight_in_the_standardized_reference() -> None:
    X = np.column_stack([np.full(M, 0.1), NOISE])
    alpha, beta = least_squares(X, 2 - 1.5 * NOISE)
    assert beta[0] == 0.0
    assert [alpha, beta[1]] == pytest.approx([2.0, -1.5], rel=1e-12)


# --- the excess of a fit's cost over least squares, which `fit` checks itself with ---------


def excess_oracle(X: np.ndarray, y: np.ndarray, alpha: float, beta: np.ndarray) -> float:
    """(J − J*)/J_bias from costs computed straight from their errors."""
    theta = lstsq(X, y)
    least = np.mean((y - theta[0] - X @ theta[1:]) ** 2)
    fitted = np.mean((y - alpha - X @ beta) ** 2)
    return float((fitted - least) / np.var(y))


@pytest.mark.parametrize("offset", [0.0, 50.0])
def test_the_excess_of_a_fit_is_its_cost_above_the_least_as_a_share_of_the_variance(
    offset: float,
) -> None:
    X, y = problem(23, m=60, offset=offset)
    theta = lstsq(X, y)
    assert excess_cost(X, y[:, None], float(theta[0]), theta[1:]) < 1e-12
    for shift in ([0.1, 0.0, 0.0, 0.0], [0.0, 0.3, -0.2, 0.05], [1.0, 1.0, 1.0, 1.0]):
        alpha, beta = theta[0] + shift[0], theta[1:] + shift[1:]
        got = excess_cost(X, y[:, None], float(alpha), beta)
        assert got == pytest.approx(excess_oracle(X, y, alpha, beta), rel=1e-6)


@pytest.mark.parametrize("case", COLUMNS)
def test_the_excess_is_measured_for_columns_of_any_magnitude(case: str) -> None:
    X, y, expected = data(case)
    assert excess_cost(X, y[:, None], expected[0], expected[1:]) < 1e-9
    weightless = excess_cost(X, y[:, None], float(y.mean()), np.zeros(2))
    assert weightless > 0.5  # the bias alone leaves most of the variance


def test_the_excess_ignores_what_the_data_do_not_determine() -> None:
    """Two equal columns: any split of their weight is a minimiser."""
    X, y = problem(24, n=2)
    X = np.column_stack([X[:, 0], X[:, 0], X[:, 1]])
    theta = lstsq(X, y)
    moved = theta[1:] + np.array([5.0, -5.0, 0.0])
    assert excess_cost(X, y[:, None], float(theta[0]), moved) < 1e-12


def test_a_constant_target_has_no_excess_to_measure() -> None:
    X, _ = problem(25)
    assert excess_cost(X, np.full((len(X), 1), 4.0), 4.0, np.zeros(3)) == 0.0


def test_a_reference_weight_beyond_float64_is_an_input_error() -> None:
    X = np.column_stack([RAMP * 1e-310, NOISE])
    with pytest.raises(InputError, match="the weight of column 0 is beyond float64"):
        least_squares(X, 1 + 2 * RAMP - 1.5 * NOISE)
