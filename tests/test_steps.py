"""The claims of the 19 steps, against answers written out by hand in the tests."""

from __future__ import annotations

import sympy as sp

import derive
from derive.math.matcalc import MatrixDerivative, is_zero_matrix, linear_sums
from derive.models.linear import Scale
from derive.steps.article import derivation
from derive.steps.derivation import Derivation

# Shapes from the table in docs/mathematics.md, as (rows, columns); "m" and "n" are the sizes.
EXPECTED_SHAPES = {
    1: ("m", "n"),
    2: ("m", 1),
    3: (1, 1),
    4: (1, "n"),
    5: ("m", 1),
    6: (1, 1),
    7: (1, "n"),
    8: (1, 1),
    9: ("m", 1),
    10: (1, 1),
    11: (1, 1),
    12: ("m", 1),
    13: ("m", 1),  # ∂u/∂α = −𝟏, the matrix form; its entries ∂uᵢ/∂α are scalars
    14: (1, 1),
    15: (1, "n"),
    16: ("m", "n"),
    17: (1, "n"),
    18: (1, 1),
    19: (1, "n"),
}


def _shape(d: Derivation, pair: tuple[object, object]) -> tuple[sp.Expr, sp.Expr]:
    names = {"m": d.model.m, "n": d.model.n}
    return tuple(names[p] if isinstance(p, str) else sp.Integer(p) for p in pair)


def test_there_are_19_steps_numbered_in_order_with_unique_keys(scaled: Derivation) -> None:
    assert [s.number for s in scaled] == list(range(1, 20))
    assert len({s.key for s in scaled}) == 19
    assert all(s.title and s.relations for s in scaled)


def test_every_step_has_the_shape_of_the_design_table(scaled: Derivation) -> None:
    for step in scaled:
        assert step.shape == _shape(scaled, EXPECTED_SHAPES[step.number]), step.key


def test_steps_can_be_looked_up_by_number_and_by_key(mean: Derivation) -> None:
    assert mean[17] is mean["gradient-beta"]


def test_a_shape_that_differs_from_the_source_is_explained(scaled: Derivation) -> None:
    differing = [s.number for s in scaled if s.shape != s.source_shape]
    assert differing == [11, 13, 14]
    for number in (11, 14):
        assert "(m, 1)" in (scaled[number].shape_note or "")
    assert "(1, 1)" in (scaled[13].shape_note or "")


def _coefficient(d: Derivation) -> sp.Expr:
    return 2 * d.model.coefficient


def test_outer_factor_is_twice_the_coefficient_times_u(scaled: Derivation) -> None:
    rhs = scaled["outer-factor"].relations[0].rhs
    assert is_zero_matrix(rhs - _coefficient(scaled) * scaled.model.u)


def test_outer_factor_entry_is_twice_the_coefficient_times_u_i(scaled: Derivation) -> None:
    M = scaled.model
    rhs = scaled["outer-factor"].relations[1].rhs
    assert sp.expand(rhs - _coefficient(scaled) * M.u[M.i, 0]) == 0


def test_inner_factors_are_minus_one_and_minus_x(scaled: Derivation) -> None:
    M = scaled.model
    assert scaled["inner-factor-alpha"].relations[0].rhs == -1
    assert is_zero_matrix(scaled["inner-factor-alpha"].relations[1].rhs + M.ones)
    assert is_zero_matrix(scaled["inner-factor-beta"].relations[0].rhs + M.X)
    assert scaled["inner-factor-beta"].relations[1].rhs == -M.X[M.i, M.j]


def test_gradient_alpha_is_minus_two_c_ones_transpose_u(scaled: Derivation) -> None:
    M = scaled.model
    rhs = scaled["gradient-alpha"].relations[0].rhs
    assert is_zero_matrix(rhs + _coefficient(scaled) * M.ones.T * M.u)


def test_gradient_alpha_as_a_sum_of_errors(scaled: Derivation) -> None:
    M = scaled.model
    rhs = scaled["gradient-alpha"].relations[1].rhs
    expected = -_coefficient(scaled) * sp.Sum(M.y[M.i, 0] - M.yhat[M.i, 0], (M.i, 0, M.m - 1))
    assert linear_sums(rhs - expected) == 0


def test_gradient_beta_is_minus_two_c_u_transpose_x(scaled: Derivation) -> None:
    M = scaled.model
    rhs = scaled["gradient-beta"].relations[0].rhs
    assert rhs.shape == (1, M.n)
    assert is_zero_matrix(rhs + _coefficient(scaled) * M.u.T * M.X)


def test_updates_move_against_the_gradient(scaled: Derivation) -> None:
    M = scaled.model
    c2 = _coefficient(scaled)
    alpha = scaled["update-alpha"].relations[0].rhs
    expected = M.alpha + c2 * M.eta * sp.Sum(M.y[M.i, 0] - M.yhat[M.i, 0], (M.i, 0, M.m - 1))
    assert linear_sums(alpha - expected) == 0
    beta = scaled["update-beta"].relations[0].rhs
    assert is_zero_matrix(beta - M.beta - c2 * M.eta * (M.y - M.yhat).T * M.X)


def test_scale_changes_every_calculus_result_consistently() -> None:
    halved = derivation(Scale.HALF_MEAN)
    M = halved.model
    rhs = halved["gradient-beta"].relations[0].rhs
    assert is_zero_matrix(rhs + (1 / M.m) * M.u.T * M.X)


def test_chain_rule_steps_state_products_of_derivatives(mean: Derivation) -> None:
    matrix_form = mean["chain-rule-beta"].relations[0].rhs
    assert all(isinstance(f, (MatrixDerivative, sp.Transpose)) for f in matrix_form.args)
    summed = mean["chain-rule-alpha"].relations[0].rhs
    assert isinstance(summed, sp.Sum)
    assert len(summed.function.atoms(sp.Derivative)) == 2


def test_update_steps_are_checked_against_the_rule_of_step_7(mean: Derivation) -> None:
    rules = {r.lhs: r.rhs for r in mean["update-rule"].relations}
    assert mean["update-alpha"].relations[0].means == rules[mean.model.alpha]
    assert mean["update-beta"].relations[0].means == rules[mean.model.beta]


def test_a_step_shows_itself_in_jupyter_as_aligned_latex(mean: Derivation) -> None:
    shown = mean["gradient-beta"]._repr_latex_()
    assert shown.startswith("$$\\begin{aligned}")
    assert r"- \frac{2}{m} \mathbf{u}^{\top} \mathbf{X}" in shown


def test_the_derivation_shows_itself_in_jupyter_as_html() -> None:
    shown = derive.derivation()._repr_html_()
    assert shown is not None
    assert shown.count('<section class="step"') == 19
    assert "<math" in shown
    assert "Checked:" not in shown  # nothing was checked yet


def test_each_shape_of_a_step_is_shown_where_its_relations_differ() -> None:
    from derive.present.terminal import steps_text
    from derive.verify.step_checks import StepCheck

    steps = derivation()
    unchecked = [StepCheck(step.number, step.key, ()) for step in steps]
    shown = steps_text(steps, unchecked)
    assert "13. The inner factor ∂u/∂α   [m×1]" in shown
    assert "      ∂uᵢ/∂α = -1   [scalar]\n      ∂u/∂α = -𝟏   [m×1]" in shown
    assert "      X ∈ ℝ^(m×n)\n" in shown  # a step of one shape: no shape per line
    assert steps["inner-factor-alpha"].mixed_shapes
    assert not steps["inputs"].mixed_shapes
