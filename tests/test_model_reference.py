"""The NumPy reference minimisers of ridge, logistic and Poisson regression, against the
numbers statsmodels and scikit-learn gave on public data (tests/data/references.json,
written by scripts/reference_values.py outside derive's dependencies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from derive.numeric.dataset import read_csv
from derive.numeric.model_reference import (
    NoMinimiserError,
    newton_fit,
    newton_reference,
    ridge_reference,
)

DATA = Path(__file__).parent / "data"
REFERENCES: dict[str, Any] = json.loads((DATA / "references.json").read_text(encoding="utf-8"))
FITTED = ["logistic-spector", "poisson-cpunish", "ridge-diabetes", "ridge-longley"]
KINDS = ["raw", "standardized"]
PROBIT: Any = "probit"  # not a family
RTOL = 1e-10  # measured: 3e-15 (spector) to 1e-12 (cpunish as given), coefficient by coefficient


def standardize(X: np.ndarray) -> np.ndarray:
    """As scripts/reference_values.py: centred, divided by the population standard deviation."""
    result: np.ndarray = (X - X.mean(axis=0)) / X.std(axis=0, ddof=0)
    return result


def problem(key: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    entry = REFERENCES[key]
    data = read_csv(DATA / entry["data"], entry["target"], entry["features"])
    assert data.features == tuple(entry["features"])
    assert len(data.y) == entry["rows"]
    return (data.X if kind == "raw" else standardize(data.X)), data.y


def ours(key: str, kind: str) -> tuple[float, np.ndarray]:
    X, y = problem(key, kind)
    model = REFERENCES[key]["model"]
    if model == "ridge":
        return ridge_reference(X, y, REFERENCES[key]["lambda"])
    return newton_reference(X, y, model)


def disagreement(actual: tuple[float, np.ndarray], expected: dict[str, Any]) -> float:
    """The largest relative difference, coefficient by coefficient (α first, then β)."""
    got = np.concatenate([[actual[0]], actual[1]])
    want = np.array([expected["alpha"], *expected["beta"]])
    assert got.shape == want.shape
    return float(np.max(np.abs(got - want) / np.abs(want)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", FITTED)
def test_the_reference_agrees_with_statsmodels_and_scikit_learn(key: str, kind: str) -> None:
    assert disagreement(ours(key, kind), REFERENCES[key][kind]) <= RTOL


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", FITTED)
def test_a_coefficient_off_by_a_thousandth_fails_the_comparison(key: str, kind: str) -> None:
    alpha, beta = ours(key, kind)
    expected = REFERENCES[key][kind]
    for index in range(len(beta) + 1):
        perturbed = np.concatenate([[alpha], beta])
        perturbed[index] *= 1.001
        assert disagreement((perturbed[0], perturbed[1:]), expected) > RTOL
    wrong = {"alpha": expected["alpha"], "beta": list(expected["beta"])}
    wrong["beta"][0] *= 1.001  # a wrong stored value fails the same way
    assert disagreement((alpha, beta), wrong) > RTOL


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", ["ridge-diabetes", "ridge-longley"])
def test_the_ridge_penalty_is_m_lambda_on_the_sum_of_squares(key: str, kind: str) -> None:
    """λ alone on the sum of squares (scikit-learn's alpha = λ, not mλ) would not agree."""
    X, y = problem(key, kind)
    wrong = ridge_reference(X, y, REFERENCES[key]["lambda"] / len(y))
    assert disagreement(wrong, REFERENCES[key][kind]) > 1e-3


def test_the_stored_fits_were_tight() -> None:
    for key in FITTED:
        for kind in KINDS:
            assert REFERENCES[key][kind]["gradient_max_abs"] < 1e-4, (key, kind)
    assert REFERENCES["logistic-spector"]["separation"] == "none"
    assert {"statsmodels", "scikit-learn", "numpy"} <= set(REFERENCES["versions"])


def test_separable_iris_data_have_no_minimiser() -> None:
    entry = REFERENCES["logistic-iris-separable"]
    data = read_csv(DATA / entry["data"], entry["target"])
    petal = data.X[:, data.features.index("petal_length")]
    assert petal[data.y == 0].max() < petal[data.y == 1].min()  # separated by one column
    assert entry["separation"] == "complete or quasi-complete"
    assert "separation" in entry["statsmodels"].lower()
    with pytest.raises(NoMinimiserError, match="separable"):
        newton_reference(data.X, data.y, "logistic")


def test_on_separable_data_the_decrement_alone_would_stop_but_the_step_does_not_shrink() -> None:
    data = read_csv(DATA / "iris_setosa_versicolor.csv", "versicolor")
    with pytest.raises(NoMinimiserError) as caught:
        newton_fit(data.X, data.y, "logistic", max_iter=60)
    decrement = float(str(caught.value).split("decrement ")[1].split(",")[0])
    step = float(str(caught.value).split("last step ")[1].split(",")[0])
    assert decrement < 1e-20  # J, g and H all fall towards 0 along the separating direction
    assert step > 0.1


def test_newton_converges_quadratically_on_real_data() -> None:
    X, y = problem("logistic-spector", "raw")
    fit = newton_fit(X, y, "logistic")
    assert fit.iterations <= 10
    assert fit.decrement <= 1e-12
    assert not fit.beta.flags.writeable


def test_ridge_without_penalty_is_least_squares() -> None:
    X, y = problem("ridge-longley", "raw")
    design = np.hstack([np.ones((len(y), 1)), standardize(X)])
    theta = np.linalg.lstsq(design, y, rcond=None)[0]
    alpha, beta = ridge_reference(standardize(X), y, 0.0)
    assert np.allclose(np.concatenate([[alpha], beta]), theta, rtol=1e-9)


def test_ridge_keeps_a_constant_column_at_zero() -> None:
    X, y = problem("ridge-diabetes", "standardized")
    widened = np.hstack([X, np.full((len(y), 1), 3.0)])
    alpha, beta = ridge_reference(widened, y, 0.1)
    expected = REFERENCES["ridge-diabetes"]["standardized"]
    assert beta[-1] == 0.0
    assert disagreement((alpha, beta[:-1]), expected) <= RTOL


@pytest.mark.parametrize(
    ("family", "target"), [("logistic", 0.0), ("logistic", 1.0), ("poisson", 0.0)]
)
def test_a_constant_target_at_the_edge_has_no_minimiser(family: Any, target: float) -> None:
    X, _ = problem("logistic-spector", "raw")
    with pytest.raises(NoMinimiserError, match="target is all"):
        newton_reference(X, np.full(len(X), target), family)


def test_a_constant_column_has_no_unique_minimiser() -> None:
    X, y = problem("poisson-cpunish", "raw")
    with pytest.raises(NoMinimiserError, match="constant"):
        newton_reference(np.hstack([X, np.ones((len(y), 1))]), y, "poisson")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda X, y: newton_reference(X, y, PROBIT), "family"),
        (lambda X, y: newton_reference(X, y + 1, "logistic"), r"\[0, 1\]"),
        (lambda X, y: newton_reference(X, y - 1, "poisson"), "≥ 0"),
        (lambda X, y: newton_reference(X[:-1], y, "poisson"), "m values"),
        (lambda X, y: ridge_reference(X, y, -0.1), "penalty"),
        (lambda X, y: ridge_reference(X * np.nan, y), "finite"),
    ],
)
def test_bad_input_is_a_value_error(call: Any, message: str) -> None:
    X, y = problem("logistic-spector", "raw")
    with pytest.raises(ValueError, match=message):
        call(X, y)
