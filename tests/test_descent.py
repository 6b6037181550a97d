"""Gradient descent: the bound, convergence to least squares, gram = plain, divergence, stalls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.core.errors import DivergenceError, InputError
from derive.models.linear import Scale
from derive.numeric import descent
from derive.numeric.codegen import gradients
from derive.numeric.conditioning import Curvature
from derive.numeric.descent import NonUniqueWarning, choose_method, fit


def problem(seed: int, m: int = 200, n: int = 3, offset: float = 0.0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)) + offset
    y = X @ rng.standard_normal(n) + 0.5 + 0.1 * rng.standard_normal(m)
    return X, y


def lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The reference straight from numpy, on X̃ = [1 X]."""
    design = np.hstack([np.ones((len(X), 1)), X])
    return np.linalg.lstsq(design, y, rcond=None)[0]


def coefficients(result: descent.FitResult) -> np.ndarray:
    return np.concatenate([[result.alpha], result.beta])


@pytest.mark.parametrize("method", ["plain", "gram"])
def test_fit_converges_to_the_least_squares_solution(method: descent.Method) -> None:
    X, y = problem(0, offset=1.0)
    result = fit(X, y, method=method)
    assert result.converged
    assert result.gradient_norm <= 1e-10
    assert np.allclose(coefficients(result), lstsq(X, y), rtol=1e-8, atol=1e-10)
    assert result.costs[0] == pytest.approx(np.mean(y**2))
    assert np.all(np.diff(result.costs) <= 1e-12 * result.costs[0])  # descent never climbs


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    m=st.integers(3, 60),
    n=st.integers(1, 5),
    steps=st.integers(1, 60),
    fraction=st.floats(0.05, 0.99),
    offset=st.floats(-3, 3),
)
def test_gram_iterates_equal_plain_iterates(
    seed: int, m: int, n: int, steps: int, fraction: float, offset: float
) -> None:
    X, y = problem(seed, m=max(m, n + 2), n=n, offset=offset)
    rate = fraction * fit(X, y, iterations=0).lr_max
    plain = fit(X, y, method="plain", iterations=steps, tol=0, lr=rate)
    gram = fit(X, y, method="gram", iterations=steps, tol=0, lr=rate)
    # With tol = 0 a run ends early only when its gradient rounds to exactly zero; compare
    # the iterates up to the step where the first of the two ended.
    common = min(plain.iterations, gram.iterations)
    if plain.iterations != gram.iterations:
        assert min(plain.gradient_norm, gram.gradient_norm) == 0.0
        plain = fit(X, y, method="plain", iterations=common, tol=0, lr=rate)
        gram = fit(X, y, method="gram", iterations=common, tol=0, lr=rate)
    ours, theirs = coefficients(gram), coefficients(plain)
    assert np.linalg.norm(ours - theirs) <= 1e-10 * max(np.linalg.norm(theirs), 1e-300)
    assert np.allclose(gram.costs, plain.costs, rtol=1e-10)


def test_bound_is_two_over_the_largest_eigenvalue_of_the_hessian() -> None:
    X, y = problem(1, offset=2.0)
    design = np.hstack([np.ones((len(X), 1)), X])
    for scale, factor in ((Scale.MEAN, 2.0), (Scale.HALF_MEAN, 1.0)):
        hessian = factor / len(X) * design.T @ design
        largest = np.linalg.eigvalsh(hessian)[-1]
        result = fit(X, y, scale=scale, iterations=1)
        assert result.lr_max == pytest.approx(2 / largest, rel=1e-12)


def test_descent_just_above_the_bound_is_refused_with_the_bound() -> None:
    X, y = problem(2)
    bound = fit(X, y, iterations=1).lr_max
    with pytest.raises(DivergenceError, match=f"{bound:.6g}"):
        fit(X, y, lr=bound * (1 + 1e-9))
    with pytest.raises(DivergenceError, match="at or above the stability bound"):
        fit(X, y, lr=bound)


def test_the_bound_is_where_descent_really_starts_to_diverge() -> None:
    """Stepping by hand with the generated gradient: 1 % above the bound the cost grows."""
    X, y = problem(3)
    bound = fit(X, y, iterations=1).lr_max
    alpha, beta = 0.0, np.zeros((1, X.shape[1]))
    first = np.mean((y - alpha) ** 2)
    for _ in range(2000):
        grad_alpha, grad_beta = gradients(X, y[:, None], alpha, beta)
        alpha, beta = alpha - 1.01 * bound * grad_alpha, beta - 1.01 * bound * grad_beta
    assert np.mean((y - alpha - X @ beta[0]) ** 2) > 1e3 * first


def test_descent_just_below_the_bound_converges() -> None:
    X, y = problem(4)
    bound = fit(X, y, iterations=1).lr_max
    result = fit(X, y, lr=0.999 * bound, iterations=200_000)
    assert result.converged
    assert np.allclose(coefficients(result), lstsq(X, y), rtol=1e-8)


def test_auto_rate_is_below_the_bound_and_fastest() -> None:
    X, y = problem(5, offset=1.5)
    auto = fit(X, y)
    assert 0 < auto.lr < auto.lr_max
    slower = fit(X, y, lr=auto.lr / 2)
    assert slower.converged
    assert auto.iterations < slower.iterations


def test_running_out_of_iterations_is_not_convergence() -> None:
    X, y = problem(6, offset=3.0)
    result = fit(X, y, iterations=5)
    assert not result.converged
    assert result.iterations == 5
    assert len(result.costs) == 6
    assert result.gradient_norm > result.tol


def test_standardized_fit_reports_coefficients_on_the_original_scale() -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 3)) * [1e3, 1e-2, 5] + [1e4, 0, -7]
    y = X @ [2e-3, 40, 0.3] + 1 + rng.standard_normal(300)
    result = fit(X, y, standardize=True)
    assert result.converged
    assert np.allclose(coefficients(result), lstsq(X, y), rtol=1e-8)
    assert result.predict(X) == pytest.approx(X @ result.beta + result.alpha)


def test_a_run_keeps_no_iterates_unless_asked() -> None:
    assert fit(*problem(16), iterations=3).iterates is None


@pytest.mark.parametrize(("method", "standardize"), [("plain", False), ("gram", True)])
def test_recorded_iterates_are_the_path_whose_costs_the_run_reports(
    method: descent.Method, standardize: bool
) -> None:
    X, y = problem(17, m=50, n=2, offset=3.0)
    result = fit(X, y, iterations=40, tol=0, method=method, standardize=standardize, record=True)
    assert result.iterates is not None
    alphas, betas = result.iterates.alphas, result.iterates.betas
    assert alphas.shape == (41,)
    assert betas.shape == (41, 2)
    assert alphas[0] == 0.0
    assert np.array_equal(betas[0], [0.0, 0.0])
    assert alphas[-1] == pytest.approx(result.alpha, rel=1e-12)
    assert betas[-1] == pytest.approx(result.beta, rel=1e-12)
    # each iterate, on the original scale, has the cost the run reports for its step
    errors = y[:, None] - alphas[None, :] - X @ betas.T
    assert np.allclose(np.mean(errors**2, axis=0), result.costs, rtol=1e-10)


def test_recording_changes_nothing_else() -> None:
    X, y = problem(18, n=2)
    plain, recorded = fit(X, y, iterations=30), fit(X, y, iterations=30, record=True)
    assert np.array_equal(plain.costs, recorded.costs)
    assert (plain.alpha, plain.beta.tolist()) == (recorded.alpha, recorded.beta.tolist())
    assert recorded.iterates is not None
    with pytest.raises(ValueError, match="read-only"):
        recorded.iterates.betas[0, 0] = 1.0


@pytest.mark.parametrize(
    ("make_singular", "needle"),
    [
        (lambda X: X.__setitem__((slice(None), 2), 4.0), "'c' is constant"),
        (lambda X: X.__setitem__((slice(None), 2), X[:, 0]), "'a' and 'c' are identical"),
        (
            lambda X: X.__setitem__((slice(None), 2), 2 * X[:, 0] - X[:, 1] + 1),
            "the bias column, 'a', 'b' and 'c' are linearly dependent",
        ),
    ],
)
@pytest.mark.parametrize("standardize", [False, True])
def test_singular_data_warn_and_still_reach_a_minimiser(
    make_singular: Callable[[np.ndarray], None], needle: str, standardize: bool
) -> None:
    X, y = problem(8)
    make_singular(X)
    with pytest.warns(NonUniqueWarning, match="minimiser is not unique") as caught:
        result = fit(X, y, names=["a", "b", "c"], standardize=standardize)
    if not standardize:
        assert needle in str(caught[0].message)
    assert result.converged
    reference = np.hstack([np.ones((len(X), 1)), X]) @ lstsq(X, y)
    assert np.allclose(result.predict(X), reference, rtol=1e-7, atol=1e-8)
    assert result.cost == pytest.approx(np.mean((y - reference) ** 2), rel=1e-9)


def test_duplicated_column_gives_the_minimum_norm_solution_like_lstsq() -> None:
    X, y = problem(9)
    X[:, 1] = X[:, 0]
    with pytest.warns(NonUniqueWarning):
        result = fit(X, y)
    assert not result.unique
    assert np.allclose(coefficients(result), lstsq(X, y), rtol=1e-7)


@pytest.mark.parametrize(
    ("X", "y", "needle"),
    [
        (np.ones((1, 1)), np.ones(1), "only 1 data row"),
        (np.ones((3, 3)), np.ones(3), "3 rows are too few for 3 features"),
        (np.ones((4, 0)), np.ones(4), "no features"),
        (np.array([[1.0], [np.nan], [2.0]]), np.ones(3), r"X\[1\] is nan"),
        (np.array([[1.0, 2], [np.inf, 1], [2, 3]]), np.ones(3), r"X\[1, 0\] is inf"),
        (np.arange(3.0)[:, None], np.array([1, -np.inf, 2]), r"y\[1\] is -inf"),
        (np.array([[1e300], [-1e300], [1e300]]), np.ones(3), "too large"),
        (np.ones(3), np.ones(3), "2-D"),
        (np.ones((3, 1)), np.ones(4), "one value per row"),
        (np.array([["a"], ["b"], ["c"]]), np.ones(3), "must be numbers"),
    ],
)
def test_unusable_arrays_raise_input_error(X: np.ndarray, y: np.ndarray, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        fit(X, y)


@pytest.mark.parametrize(
    ("settings_", "needle"),
    [
        ({"lr": 0.0}, "learning rate"),
        ({"lr": -1.0}, "learning rate"),
        ({"lr": float("nan")}, "learning rate"),
        ({"iterations": -1}, "iterations"),
        ({"tol": -1e-3}, "tolerance"),
        ({"method": "newton"}, "unknown method"),
    ],
)
def test_unusable_settings_raise_input_error(settings_: dict[str, Any], needle: str) -> None:
    X, y = problem(10)
    with pytest.raises(InputError, match=needle):
        fit(X, y, **settings_)


def curvature_with_bound(bound: float) -> Curvature:
    values = np.array([1.0, 2.0 / bound])
    return Curvature(values, values, np.array([1.0, 0.0]), "H")


def started_watch(lr: float, bound: float, tol: float = 0.0) -> Any:
    """A fit's watch after a start with J = 10 and ‖∇J‖ = 1."""
    watch = descent._Watch(lr, curvature_with_bound(bound), tol)
    assert watch.begin(10.0, 1.0, np.zeros((1, 1))) == (tol < 1)
    return watch


def test_watch_stops_a_run_whose_cost_is_no_longer_finite() -> None:
    watch = started_watch(0.5, 0.4)
    with pytest.raises(DivergenceError, match=r"inf at iteration 3.*bound is 2/λmax = 0\.4"):
        watch.check(3, np.inf, 0.5, np.zeros((1, 1)))


def test_watch_stops_a_run_whose_cost_keeps_rising() -> None:
    watch = started_watch(0.1, 0.4)
    for step, cost in enumerate([9.0, 9.5, 10.0, 11.0, 12.0], start=1):
        watch.check(step, cost, 0.5, np.zeros((1, 1)))
    with pytest.raises(DivergenceError, match="rose 5 times in a row"):
        watch.check(6, 13.0, 0.5, np.zeros((1, 1)))


def test_watch_stops_a_stalled_run_when_the_gradient_stops_shrinking() -> None:
    watch = started_watch(0.1, 0.4)
    assert watch.check(1, 9.0, 1e-12, np.zeros((1, 1)))
    for step in range(2, descent.STALL_PATIENCE + 1):
        assert watch.check(step, 9.0, 2e-12, np.zeros((1, 1)))
        assert not watch.stalled
    assert not watch.check(descent.STALL_PATIENCE + 1, 9.0, 2e-12, np.zeros((1, 1)))
    assert watch.stalled


def test_watch_stops_a_run_at_the_tolerance_relative_to_the_start() -> None:
    watch = started_watch(0.1, 0.4, tol=1e-3)
    assert watch.check(1, 9.0, 3e-3, np.array([[4e-3]]))  # ‖∇J‖ = 5e-3
    assert not watch.check(2, 8.0, 3e-4, np.array([[4e-4]]))  # ‖∇J‖ = 5e-4
    assert watch.relative == pytest.approx(5e-4)


def test_an_unreachable_tolerance_ends_in_a_stall_not_a_long_wait() -> None:
    X, y = problem(11, offset=1.0)
    result = fit(X, y, tol=1e-30, iterations=10**6)
    assert result.stalled
    assert not result.converged
    assert result.iterations < 10**5
    assert np.allclose(coefficients(result), lstsq(X, y), rtol=1e-8)


def test_progress_is_reported_during_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(descent, "PROGRESS_EVERY", 0.0)
    reports: list[tuple[int, float]] = []
    X, y = problem(12, offset=3.0)
    fit(X, y, progress=lambda step, relative: reports.append((step, relative)))
    assert reports
    assert [step for step, _ in reports] == sorted({step for step, _ in reports})


def test_the_gram_method_is_chosen_for_any_real_run() -> None:
    assert choose_method(10**6, 20, 1) == "gram"
    assert choose_method(50, 3, 100) == "gram"
    assert choose_method(10**6, 20, 0) == "plain"


def test_result_arrays_are_read_only() -> None:
    result = fit(*problem(14), iterations=3)
    with pytest.raises(ValueError, match="read-only"):
        result.beta[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        result.costs[0] = 1.0


def test_fit_and_its_result_are_public() -> None:
    import derive

    assert derive.fit is fit
    assert {"fit", "FitResult", "least_squares", "NonUniqueWarning"} <= set(derive.__all__)
    result = derive.fit(np.arange(10.0)[:, None], 3 * np.arange(10.0) - 2)
    assert isinstance(result, derive.FitResult)
    assert result.alpha == pytest.approx(-2, abs=1e-8)
    assert result.beta == pytest.approx([3], rel=1e-9)


def test_an_unknown_cost_scale_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown cost scale"):
        fit(*problem(15), scale="1/m²")
