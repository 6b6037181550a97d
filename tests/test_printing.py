"""Textbook notation in LaTeX and in terminal text."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.math.printing import latex, relation_latex, relation_text, shape_text, text
from derive.models.linear import build_model
from derive.steps.derivation import Derivation

M = build_model()


def test_ones_vector_is_bold_and_transposes_use_top() -> None:
    assert latex(M.ones.T * M.u) == r"\mathbf{1}^{\top} \mathbf{u}"


def test_coefficient_is_a_single_fraction_in_front() -> None:
    assert latex(sp.MatMul(-2 / M.m, M.u.T, M.X)) == r"- \frac{2}{m} \mathbf{u}^{\top} \mathbf{X}"


def test_terms_are_in_reading_order_without_plus_minus() -> None:
    error = M.y - M.alpha * M.ones - M.X * M.beta.T
    shown = latex(error)
    assert shown == r"\mathbf{y} - \alpha \mathbf{1} - \mathbf{X} \boldsymbol{\beta}^{\top}"
    assert "+ -" not in shown


def test_hat_and_bold_greek() -> None:
    assert latex(M.error) == r"\mathbf{y} - \hat{\mathbf{y}}"
    assert latex(M.beta) == r"\boldsymbol{\beta}"


def test_sums_run_from_one_to_m() -> None:
    total = sp.Sum(M.u[M.i, 0] ** 2, (M.i, 0, M.m - 1))
    assert latex(total) == r"\sum_{i=1}^{m} u_{i}^{2}"
    assert text(total) == "Σ[i=1..m] uᵢ²"


def test_no_latex_in_the_derivation_has_plus_minus_or_default_transpose(mean: Derivation) -> None:
    for step in mean:
        for r in step.relations:
            shown = relation_latex(r.lhs, r.op, r.rhs)
            for artefact in ("+ -", "^{T}", "(-1)", "_i_"):
                assert artefact not in shown, shown


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("gradient-alpha", "∂J/∂α = -(2/m) 𝟏ᵀ u"),
        ("gradient-beta", "∂J/∂β = -(2/m) uᵀ X"),
        ("update-beta", "β ← β + (2η/m) (y - ŷ)ᵀ X"),
        ("prediction", "ŷ = α 𝟏 + X βᵀ"),
    ],
)
def test_terminal_text_of_key_steps(mean: Derivation, key: str, expected: str) -> None:
    r = mean[key].relations[0]
    assert relation_text(r.lhs, r.op, r.rhs) == expected


def test_update_arrow_and_membership_in_latex(mean: Derivation) -> None:
    r = mean["update-rule"].relations[0]
    assert r"\leftarrow" in relation_latex(r.lhs, r.op, r.rhs)
    d = mean["inputs"].relations[0]
    assert relation_latex(d.lhs, d.op, d.rhs) == r"\mathbf{X} \in \mathbb{R}^{m \times n}"


def test_shapes_print_as_pairs_of_strings() -> None:
    assert shape_text((M.m, sp.Integer(1))) == ("m", "1")


def test_a_sum_in_front_of_an_entry_keeps_its_parentheses() -> None:
    i, j = M.i, M.j
    product = (M.y[i, 0] - M.yhat[i, 0]) * M.X[i, j]
    assert latex(product) == r"\left(y_{i} - \hat{y}_{i}\right) X_{ij}"
    assert text(product) == "(yᵢ - ŷᵢ) Xᵢⱼ"


def test_sums_nested_deeper_than_the_index_names_still_print() -> None:
    a, b, c = (sp.Dummy(name, integer=True) for name in "abc")
    nested = sp.Sum(
        sp.Sum(sp.Sum(M.X[a, M.j] * M.X[b, M.j] * M.X[c, M.j], (c, 0, M.m - 1)), (b, 0, M.m - 1)),
        (a, 0, M.m - 1),
    )
    assert text(nested) == "Σ[i=1..m] Σ[l=1..m] Σ[r=1..m] Xᵣⱼ Xₗⱼ Xᵢⱼ"
