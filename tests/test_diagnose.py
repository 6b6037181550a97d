"""Comparing expressions: explicit values, the fitted factor, error coordinates, counterexamples."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.grade.diagnose import (
    SIZES,
    Comparison,
    error_coordinates,
    explicit,
    fit_factor,
    proportion,
    split_sign,
)
from derive.models.linear import build_model
from derive.steps.article import compute

M = build_model()
GRADIENT = compute(M).grad_beta  # -(2/m) uᵀX


def test_explicit_values_are_polynomials_in_named_entries() -> None:
    value = explicit(M.u.T * M.X, M, 2, 1, component=False)
    u0, u1 = sp.symbols("u_0_0 u_1_0", real=True)
    x0, x1 = sp.symbols("X_0_0 X_1_0", real=True)
    assert value == sp.ImmutableMatrix([[u0 * x0 + u1 * x1]])


def test_a_component_becomes_the_row_of_its_values() -> None:
    value = explicit(M.beta[0, M.j], M, 3, 2, component=True)
    assert value == sp.ImmutableMatrix([sp.symbols("beta_0_0 beta_0_1", real=True)])


def test_y_is_rewritten_through_the_error() -> None:
    rewritten = error_coordinates(M.y - M.yhat, M)
    assert sp.expand(rewritten).doit() == M.u


def test_proportion_finds_the_constant_or_none() -> None:
    a = sp.ImmutableMatrix([[sp.Symbol("a") + 2 * sp.Symbol("b")]])
    assert proportion(-3 * a, a) == -3
    assert proportion(a + sp.ImmutableMatrix([[1]]), a) is None
    assert proportion(sp.ImmutableMatrix([[0]]), a) == 0


@pytest.mark.parametrize(
    "factor",
    [
        *(sp.Integer(2), sp.Rational(1, 2), M.m, 1 / M.m, -2 * M.m, M.n / 3, M.m**2 / M.n),
        *(M.m / (M.m - 1), -M.m / (M.m - 1), (M.m - 1) / M.m, 2 * (M.m + 1) / M.m),
        *(M.m / (2 * (M.m - 1)), (M.m - 1) ** 2 / M.m**2, M.n * M.m / (M.m + 1) ** 2),
    ],
)
def test_a_factor_k_m_to_a_n_to_b_times_shifts_of_m_is_fitted_across_sizes(
    factor: sp.Expr,
) -> None:
    values = [explicit(GRADIENT, M, m, n, component=False) for m, n in SIZES]
    scaled = [(factor * GRADIENT).xreplace(M.sizes(m, n)) for m, n in SIZES]
    given = [explicit(s, M, m, n, component=False) for s, (m, n) in zip(scaled, SIZES, strict=True)]
    fitted = fit_factor(given, values, M)
    assert fitted is not None
    assert sp.cancel(fitted - factor) == 0


@pytest.mark.parametrize("factor", [M.m**2 + 1, (M.m - 1) ** 3, (M.m + 3) / M.m])
def test_a_factor_outside_the_bounded_family_is_not_fitted(factor: sp.Expr) -> None:
    values = [explicit(GRADIENT, M, m, n, component=False) for m, n in SIZES]
    given = [factor.xreplace(M.sizes(m, n)) * v for v, (m, n) in zip(values, SIZES, strict=True)]
    assert fit_factor(given, values, M) is None


def test_a_fit_that_another_size_refutes_explains_nothing() -> None:
    # At m = 3 and 4, m − 2 looks like m(m − 1)/6; the fifth size, m = 5, says otherwise.
    finding = Comparison(M, -2 / (M.m - 2) * M.u.T * M.X, GRADIENT).run()
    assert (finding.equal, finding.reference, finding.factor) == (False, None, None)


def test_the_slip_of_the_sample_variance_is_the_factor_m_over_m_minus_1() -> None:
    finding = Comparison(M, -2 / (M.m - 1) * M.u.T * M.X, GRADIENT).run()
    assert (finding.reference, finding.factor, finding.proof) == (
        "gradient",
        M.m / (M.m - 1),
        "symbolic",
    )
    assert split_sign(-finding.factor) == (-1, M.m / (M.m - 1))


def test_a_difference_that_vanishes_at_the_first_size_is_shown_at_another() -> None:
    given = GRADIENT + (M.m - 3) * M.ones.T * M.X  # equal to the gradient when m = 3
    finding = Comparison(M, given, GRADIENT).run()
    assert not finding.equal
    assert finding.counterexample is not None
    assert finding.counterexample.m != 3


def test_equality_is_proved_symbolically() -> None:
    given = -2 / M.m * (M.y - M.yhat).T * M.X
    finding = Comparison(M, given, GRADIENT).run()
    assert finding.equal
    assert finding.proof == "symbolic"
