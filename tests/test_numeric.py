"""The generated NumPy code: derived from the SymPy gradients, correct, and lean."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.models.linear import Scale, build_model
from derive.numeric.codegen import (
    Moments,
    compiled,
    error_definition,
    generate,
    gradients,
    gram_form,
)
from derive.steps.article import compute

FACTOR = {Scale.MEAN: 1.0, Scale.HALF_MEAN: 0.5}  # J = FACTOR · mean of squared errors


def cost(X: np.ndarray, y: np.ndarray, alpha: float, beta: np.ndarray, scale: Scale) -> float:
    """The cost written directly from its definition: the oracle, not generated code."""
    return FACTOR[scale] * float(np.mean((y[:, 0] - alpha - X @ beta[0]) ** 2))


def central_differences(
    X: np.ndarray, y: np.ndarray, alpha: float, beta: np.ndarray, scale: Scale
) -> np.ndarray:
    theta = np.concatenate([[alpha], beta[0]])
    result = np.empty_like(theta)
    for k in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        high = cost(X, y, up[0], up[None, 1:], scale)
        low = cost(X, y, down[0], down[None, 1:], scale)
        result[k] = (high - low) / (2 * h)
    return result


def random_problem(seed: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)) * rng.uniform(0.5, 3, n) + rng.uniform(-2, 2, n)
    y = rng.standard_normal((m, 1)) * 2 + 1
    return X, y, float(rng.standard_normal()), rng.standard_normal((1, n))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    m=st.integers(2, 40),
    n=st.integers(1, 6),
    scale=st.sampled_from(list(Scale)),
)
def test_generated_gradients_match_finite_differences(
    seed: int, m: int, n: int, scale: Scale
) -> None:
    X, y, alpha, beta = random_problem(seed, m, n)
    grad_alpha, grad_beta = gradients(X, y, alpha, beta, scale)
    expected = central_differences(X, y, alpha, beta, scale)
    got = np.concatenate([[grad_alpha], grad_beta[0]])
    assert np.allclose(got, expected, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(expected).max()))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(2, 40), n=st.integers(1, 6))
def test_gram_form_gives_the_same_cost_and_gradients(seed: int, m: int, n: int) -> None:
    X, y, alpha, beta = random_problem(seed, m, n)
    code = compiled(Scale.MEAN)
    on_data = code.on_data(X, y, alpha, beta, m)
    on_moments = code.on_moments(alpha, beta, *Moments.values(X, y), m)
    for a, b in zip(on_data, on_moments, strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9)
    assert np.isclose(on_data[0], cost(X, y, alpha, beta, Scale.MEAN), rtol=1e-12)


def test_code_is_printed_from_the_derivation_expressions() -> None:
    model = build_model(Scale.MEAN)
    calc = compute(model)
    code = compiled(Scale.MEAN)
    assert code.gradients.expressions == (calc.grad_alpha, calc.grad_beta)
    assert code.gradients.source.splitlines()[1:] == [
        "    u = (y - alpha - (X @ beta.T))",
        "    return [(-2/m)*(u.sum()), (-2/m)*(u.T @ X)]",
    ]


def test_scale_of_the_cost_reaches_the_generated_gradient() -> None:
    X, y, alpha, beta = random_problem(1, 30, 3)
    mean = gradients(X, y, alpha, beta, Scale.MEAN)
    half = gradients(X, y, alpha, beta, Scale.HALF_MEAN)
    assert half[0] == pytest.approx(mean[0] / 2, rel=1e-14)
    assert np.allclose(half[1], mean[1] / 2, rtol=1e-14)


def test_a_changed_expression_changes_the_function() -> None:
    """The code follows the expression it is given: a flipped sign flips the gradient."""
    model = build_model(Scale.MEAN)
    calc = compute(model)
    args = (model.X, model.y, model.alpha, model.beta, model.m)
    flipped = generate([-calc.grad_beta], args, [error_definition(model)])
    X, y, alpha, beta = random_problem(2, 25, 4)
    assert np.allclose(flipped(X, y, alpha, beta, 25)[0], -gradients(X, y, alpha, beta)[1])


def test_generated_code_builds_no_ones_matrix_and_no_dot_chain() -> None:
    for scale in Scale:
        code = compiled(scale)
        for generated in (code.gradients, code.on_data, code.on_moments):
            assert "ones(" not in generated.source
            assert ".dot(" not in generated.source


def test_gram_form_has_no_data_left() -> None:
    model = build_model(Scale.MEAN)
    calc = compute(model)
    moments = Moments.of(model)
    for expr in (model.cost_in_u, calc.grad_alpha, calc.grad_beta):
        reduced = gram_form(expr, model, moments)
        assert not reduced.has(model.X, model.y, model.u, sp.OneMatrix)


def test_one_gradient_evaluation_allocates_no_m_by_n_temporary() -> None:
    X, y, alpha, beta = random_problem(3, 20_000, 50)
    gradients(X, y, alpha, beta)  # compile outside the measurement
    tracemalloc.start()
    try:
        gradients(X, y, alpha, beta)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 10  # a few columns of length m, never a copy of X


def test_gradients_equal_the_hand_written_numpy() -> None:
    X, y, alpha, beta = random_problem(4, 500, 7)
    m = len(X)
    u = y - alpha - X @ beta.T
    grad_alpha, grad_beta = gradients(X, y, alpha, beta)
    assert grad_alpha == pytest.approx(-2 / m * u.sum(), rel=1e-12)
    assert np.allclose(grad_beta, -2 / m * (u.T @ X), rtol=1e-12)
