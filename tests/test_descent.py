"""Gradient descent: the bound, convergence to least squares, gram = plain, divergence, stalls."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derive.core.errors import DivergenceError, InputError
from derive.models.linear import Scale
from derive.numeric import descent
from derive.numeric.codegen import gradients
from derive.numeric.conditioning import Curvature
from derive.numeric.descent import NonUniqueWarning, choose_method, fit
from derive.numeric.descent_loop import Problem


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
    return Curvature(values, values, np.array([1.0, 0.0]), "H", np.eye(2))


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

    assert derive.fit.__module__ == "derive.numeric.fit_any"  # mse by this module's `fit`
    assert {"fit", "FitResult", "least_squares", "NonUniqueWarning"} <= set(derive.__all__)
    result = derive.fit(np.arange(10.0)[:, None], 3 * np.arange(10.0) - 2)
    assert isinstance(result, derive.FitResult)
    assert result.alpha == pytest.approx(-2, abs=1e-8)
    assert result.beta == pytest.approx([3], rel=1e-9)


def test_an_unknown_cost_scale_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown cost scale"):
        fit(*problem(15), scale="1/m²")


# --- the final cost: from the error, never negative (issue 12, item 3) ---------------------

RNG = np.random.default_rng(12)
LINE = np.arange(1.0, 11.0)[:, None]
THREE = RNG.standard_normal((30, 3)) * [1.0, 10.0, 100.0] + [0.0, 5.0, 50.0]
PERFECT = {
    "one feature": (LINE, 3 + 2 * LINE[:, 0]),
    "three features": (THREE, THREE @ [1.5, -2.0, 0.25] + 4.0),
    "the bias alone": (THREE, np.full(30, 2.5)),
    "nearly perfect": (THREE, THREE @ [1.5, -2.0, 0.25] + 4.0 + 1e-9 * RNG.standard_normal(30)),
}


@pytest.mark.parametrize("method", ["plain", "gram"])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("case", PERFECT)
def test_the_cost_of_a_perfect_fit_is_measured_from_its_error(
    case: str, method: descent.Method, standardize: bool
) -> None:
    """The Gram form's J = (yᵀy − 2…)/m lost such a cost to rounding: −1.4e-14, or 5e-15
    where the error gives 1e-19."""
    X, y = PERFECT[case]
    result = fit(X, y, method=method, standardize=standardize)
    assert result.converged
    error = y - result.alpha - X @ result.beta  # the oracle: the error, straight from numpy
    assert result.cost == pytest.approx(np.mean(error**2), rel=1e-9, abs=1e-28 * np.mean(y**2))
    assert result.cost <= 1e-16 * np.mean(y**2)
    assert np.all(result.costs >= 0)


# --- standardized descent on columns of any magnitude, checked by the reference (item 4) ---

M = 30
RAMP = np.linspace(1.0, 3.0, M)
NOISE = RNG.standard_normal(M)
MIXED = np.where(np.arange(M) % 2 == 0, RAMP, 1e150 * RAMP)
# (column, the factor that brings it to ordinary numbers): y depends on the column through
# the ordinary numbers, so that lstsq on them is the oracle.
COLUMNS = {
    "near 1e200": (RAMP * 1e200, 1e-200),
    "near 1e-200": (RAMP * 1e-200, 1e200),
    "1e150 and 1 mixed": (MIXED, 1e-150),
    "1e12 + noise": (1e12 + RNG.standard_normal(M), 1.0),
}


def oracle(column: np.ndarray, factor: float, y: np.ndarray) -> np.ndarray:
    """lstsq on [1, column·factor, noise]: α, β of the column, β of the noise."""
    theta = lstsq(np.column_stack([column * factor - (column * factor).mean(), NOISE]), y)
    theta[0] -= theta[1] * (column * factor).mean()
    return np.array([theta[0], theta[1] * factor, theta[2]])


@pytest.mark.parametrize("case", COLUMNS)
@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_standardized_descent_reaches_least_squares_on_a_column_of_any_magnitude(
    case: str, noise: float
) -> None:
    column, factor = COLUMNS[case]
    y = 3 + 2 * (column - column.mean()) * factor - 1.5 * NOISE + noise * np.cos(np.arange(M))
    result = fit(np.column_stack([column, NOISE]), y, standardize=True)
    assert result.converged
    assert result.cost_gap is not None
    assert result.cost_gap <= descent.COST_GAP
    assert coefficients(result) == pytest.approx(oracle(column, factor, y), rel=1e-7)


def test_a_constant_column_of_0_1_stays_out_of_a_standardized_fit() -> None:
    """The mean of thirty 0.1s is not 0.1: standardizing used to turn the column into
    ±1s, a second bias, and the weight of 0.1 into about 1e16."""
    X = np.column_stack([np.full(M, 0.1), NOISE])
    y = 2 - 1.5 * NOISE
    with pytest.warns(NonUniqueWarning, match="'c' is constant"):
        result = fit(X, y, standardize=True, names=["c", "u"])
    assert result.converged
    assert result.beta[0] == 0.0
    assert coefficients(result) == pytest.approx([2.0, 0.0, -1.5], abs=1e-9)


def test_a_fit_far_from_least_squares_is_not_converged_whatever_its_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's run: standardizing turned a column into zeros (its spread overflowed to
    ∞), descent met its tolerance on what was left, and the reference, standardized the
    same way, agreed. The reference scales on its own, and measures the cost."""
    X, y = np.column_stack([RAMP, NOISE]), 1 + 2 * RAMP - 1.5 * NOISE
    broken = descent.Scaling(np.array([RAMP.mean(), 0.0]), np.array([np.inf, 1.0]))
    monkeypatch.setattr(descent.Scaling, "of", lambda data: broken)
    with pytest.warns(NonUniqueWarning):
        result = fit(X, y, standardize=True)
    assert result.gradient_norm <= result.tol  # the gradient says converged ...
    assert not result.converged  # ... the cost says otherwise
    assert result.cost_gap is not None
    assert result.cost_gap > 0.1
    assert result.rejection is not None
    assert re.match(r"not converged after \d+ iterations?: ‖∇J‖ met the", result.rejection)
    assert "far from the minimiser" in result.rejection


def test_a_column_too_small_for_unstandardized_descent_is_not_converged() -> None:
    """1e-200 squared vanishes: unstandardized, X̃ᵀX̃ has no trace of the column."""
    X, y = np.column_stack([RAMP * 1e-200, NOISE]), 1 + 2 * RAMP - 1.5 * NOISE
    with pytest.warns(NonUniqueWarning):
        result = fit(X, y)
    assert result.gradient_norm <= result.tol
    assert not result.converged
    assert result.rejection is not None


def test_a_target_far_from_zero_met_its_tolerance_far_from_least_squares() -> None:
    """y = 2·10¹² + a little: ‖∇J‖ at the start is all the bias's, so 1e-10 of it still
    leaves the weights far off; before, such a run was reported converged."""
    X = np.column_stack([RAMP, NOISE])
    result = fit(X, 2e12 + RAMP - 1.5 * NOISE, standardize=True)
    assert result.gradient_norm <= result.tol
    assert not result.converged
    assert result.rejection is not None


def test_a_converged_run_is_within_the_cost_gap_and_has_no_rejection() -> None:
    result = fit(*problem(19, offset=2.0))
    assert result.converged
    assert result.cost_gap is not None
    assert result.cost_gap < 1e-12
    assert result.rejection is None
    assert fit(*problem(19), iterations=3).cost_gap is None  # not judged: not converged


# --- a run that needs far more steps than allowed is refused at once (item 10) -------------

LONGLEY = np.loadtxt(
    Path(__file__).parent / "data" / "longley.csv", delimiter=",", skiprows=1, dtype=float
)
LONGLEY_X, LONGLEY_Y = LONGLEY[:, 1:], LONGLEY[:, 0]
LONGLEY_STEPS = 126_987  # standardized, to the default tolerance (README, Numeric runs)


def test_a_run_needing_far_more_steps_than_allowed_is_refused_before_its_first_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_step(*args: object, **kwargs: object) -> None:
        raise AssertionError("a refused run must not take a step")

    monkeypatch.setattr(descent, "descend", no_step)
    with pytest.raises(descent.TooFewIterationsError) as refused:
        fit(LONGLEY_X, LONGLEY_Y)
    message = str(refused.value)
    assert "at least 1.2e+13 iterations" in message
    assert "more than 10 times the limit of 1000000" in message
    assert "--standardize" in message
    assert "\n" not in message
    with pytest.raises(descent.TooFewIterationsError, match=r"--iterations\) or a larger"):
        fit(LONGLEY_X, LONGLEY_Y, standardize=True, iterations=LONGLEY_STEPS // 20)


def test_a_run_whose_need_is_near_its_limit_still_runs() -> None:
    allowed = LONGLEY_STEPS // 5  # within FAR_PAST = 10 of what it needs
    result = fit(LONGLEY_X, LONGLEY_Y, standardize=True, iterations=allowed)
    assert result.iterations == allowed
    assert not result.converged


@pytest.mark.parametrize("settings_", [{"iterations": 50}, {"iterations": 10**6, "tol": 0.0}])
def test_short_runs_and_runs_without_a_tolerance_are_never_refused(
    settings_: dict[str, Any],
) -> None:
    """A short run is quick and shows how descent starts; tol = 0 asks for every step."""
    limit = settings_["iterations"] if "tol" not in settings_ else 3
    result = fit(LONGLEY_X, LONGLEY_Y, **{**settings_, "iterations": limit})
    assert result.iterations == limit


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), offset=st.floats(-4, 4))
def test_the_steps_a_run_needs_are_a_lower_bound_and_close(
    seed: int, n: int, offset: float
) -> None:
    """The estimate that refuses runs never exceeds what a run really takes."""
    X, y = problem(seed, m=30, n=n, offset=offset)
    result = fit(X, y, tol=1e-8)
    assume(result.converged)
    run = Problem.of(X, y[:, None], Scale.MEAN)
    _, grad_alpha, grad_beta = run.evaluator("plain")(0.0, np.zeros((1, n)))
    start = np.concatenate([[grad_alpha], np.ravel(grad_beta)])
    needed = run.curvature.steps_needed(result.lr, 1e-8, start)
    assert needed <= result.iterations + 1
    assert needed >= result.iterations / 3


def test_a_weight_beyond_float64_is_an_input_error_naming_its_column() -> None:
    """x near 1e-310 with y = 2·(x/1e-310): the weight, 2e310, cannot be written."""
    X = np.column_stack([RAMP * 1e-310, NOISE])
    with pytest.raises(InputError, match="the weight of 'x' is beyond float64"):
        fit(X, 1 + 2 * RAMP - 1.5 * NOISE, standardize=True, names=["x", "u"])
