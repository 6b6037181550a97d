"""Building SymPy objects from the parse tree: names, entries, shapes, sums and bounds."""

from __future__ import annotations

import contextlib

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.grade.build import Builder, build
from derive.grade.indexed import MatrixSum, Row
from derive.grade.parse import ExpressionError, parse
from derive.grade.value import ONE, ShapeClash, Value, index_symbol
from derive.models.linear import build_model
from tests.test_parse import PIECES

M = build_model()


def built(text: str) -> Value:
    return build(parse(text), M)


@pytest.mark.parametrize(
    ("text", "expr"),
    [
        ("X", M.X),
        ("alpha", M.alpha),
        ("α", M.alpha),
        (r"\alpha", M.alpha),
        ("β", M.beta),
        ("y_hat", M.yhat),
        ("ŷ", M.yhat),
        (r"\hat{y}", M.yhat),
        (r"\hat{\mathbf{y}}", M.yhat),
        ("ones", sp.OneMatrix(M.m, 1)),
        ("𝟏", sp.OneMatrix(M.m, 1)),
        (r"\mathbf{1}", sp.OneMatrix(M.m, 1)),
        (r"\boldsymbol{\beta}", M.beta),
    ],
)
def test_every_spelling_of_a_name_is_the_model_symbol(text: str, expr: sp.Basic) -> None:
    assert built(text).expr == expr


def test_juxtaposition_multiplies_left_to_right_like_star() -> None:
    assert built("-2/m u^T X").expr == built("((-2)/m) * u^T * X").expr
    assert built("-2/m u^T X").expr == sp.MatMul(-2 / M.m, M.u.T, M.X)


@pytest.mark.parametrize("spelling", ["X^T", "X^⊤", "Xᵀ", "X'", "X.T", "X^{T}", r"X^{\top}"])
def test_every_transpose_spelling_transposes(spelling: str) -> None:
    assert built(spelling).expr == M.X.T


def test_decimals_are_exact() -> None:
    assert built("0.25 m").expr == M.m / 4


def test_one_transposed_is_the_row_of_ones() -> None:
    value = built("1^T u")
    assert value.shape == (ONE, ONE)
    assert value.expr == sp.OneMatrix(1, M.m) * M.u


def test_sum_of_a_column_is_ones_transposed_times_it() -> None:
    assert built("sum(u)").expr == built("ones^T u").expr


def test_a_number_added_to_a_vector_is_added_to_each_entry() -> None:
    assert built("y - alpha").expr == M.y - M.alpha * sp.OneMatrix(M.m, 1)


EI, FJ = index_symbol("i"), index_symbol("j")  # an example index, a feature index


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("y_i", M.y[EI, 0]),
        ("yᵢ", M.y[EI, 0]),
        ("X_ij", M.X[EI, FJ]),
        ("x_ij", M.X[EI, FJ]),
        ("X_{i,j}", M.X[EI, FJ]),
        ("Xᵢⱼ", M.X[EI, FJ]),
        (r"X_{ij}", M.X[EI, FJ]),
        ("beta_j", M.beta[0, FJ]),
        (r"\beta_j", M.beta[0, FJ]),
        ("y_hat_i", M.yhat[EI, 0]),
        (r"\hat{y}_i", M.yhat[EI, 0]),
        ("ones_i", ONE),
        (r"x_j^{(i)}", M.X[EI, FJ]),
        (r"\mathbf{x}^{(i)}_j", M.X[EI, FJ]),
        ("x_j^(i)", M.X[EI, FJ]),
        (r"\mathbf{x}_{j}^{(i)}", M.X[EI, FJ]),
        ("y^(i)", M.y[EI, 0]),
        (r"y^{(i)}", M.y[EI, 0]),
        (r"\hat{y}^{(i)}", M.yhat[EI, 0]),
        ("ŷ^(i)", M.yhat[EI, 0]),
        ("u^(i)", M.u[EI, 0]),
    ],
)
def test_entries_are_matrix_elements_at_their_indices(text: str, entry: sp.Basic) -> None:
    value = Builder(text, M).build(parse(text).tree)
    assert value.expr == entry
    assert value.shape == (ONE, ONE)


def test_the_example_superscript_of_x_alone_is_the_row_of_x() -> None:
    for text in (r"x^{(i)}", r"\mathbf{x}^{(i)}", "X^(i)"):
        value = Builder(text, M).build(parse(text).tree)
        assert value.expr == Row(M.X, EI)
        assert value.shape == (ONE, M.n)


def test_a_long_flat_chain_builds_without_recursion() -> None:
    # 999 terms: a builder that recursed once per link would overflow Python's stack
    assert built("+".join(["u"] * 999)).expr == 999 * M.u
    assert built("u" + "/2" * 999).expr == M.u / sp.Integer(2) ** 999
    assert built(" ".join(["m"] * 999)).expr == M.m**999


def test_a_chain_names_the_link_where_the_shapes_clash() -> None:
    with pytest.raises(ShapeClash) as caught:
        built("u + u + beta + u")
    assert "u + u + beta adds an m×1 (u + u) and a 1×n (beta)" in caught.value.message
    with pytest.raises(ShapeClash) as caught:
        built("2 u^T X u")
    assert "multiplies a 1×n (2 u^T X) by an m×1 (u)" in caught.value.message


def test_a_1_is_the_ones_vector_only_right_of_a_factor_with_m_columns() -> None:
    assert built("u^T 1").expr == M.u.T * sp.OneMatrix(M.m, 1)
    assert built("X^T 1").expr == M.X.T * sp.OneMatrix(M.m, 1)
    assert built("u^T X 1").expr == M.u.T * M.X
    assert built("2 1 u").expr == 2 * M.u


def test_a_free_feature_index_becomes_the_models_j() -> None:
    value = built("sum_i u_i X_ik")
    assert value.expr.has(M.j)
    assert value.indices == (("j", M.n),)


def test_the_row_of_x_is_a_row_node_and_a_sum_of_rows_a_matrix_sum() -> None:
    value = built("sum_i u_i X_i")
    assert isinstance(value.expr, MatrixSum)
    assert value.expr.has(Row)
    assert value.shape == (ONE, M.n)


def test_a_sum_takes_the_rest_of_its_product_as_body() -> None:
    body = built("sum_i u_i X_ij + 1").expr - 1
    assert body.dummy_eq(built("sum_i (u_i X_ij)").expr)


def test_index_ranges_follow_from_use() -> None:
    text = "sum_k X_ik beta_k"  # k indexes features, i is free and indexes examples
    value = Builder(text, M).build(parse(text).tree)
    assert value.expr.limits[0][1:] == (0, M.n - 1)
    assert value.indices == (("i", M.m),)
    with pytest.raises(ShapeClash, match="index i is free"):
        build(parse("sum_k X_ik beta_k"), M)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("u X", "multiplies an m×1 (u) by an m×n (X): the inner sizes 1 and m differ"),
        ("X y", "inner sizes n and m differ"),
        ("y + beta", "adds an m×1 (y) and a 1×n (beta)"),
        ("u / X", "only a number can divide"),
        ("X^2", "powers are for numbers"),
        ("sum(X)", "sum() needs a vector"),
        ("sum_i u_i X_ji", "runs over both the examples"),
        (r"\sum_{i=1}^{n} u_i", "runs to n"),
    ],
)
def test_shapes_that_do_not_fit_are_a_clash_that_names_the_sizes(text: str, needle: str) -> None:
    with pytest.raises(ShapeClash) as caught:
        built(text)
    assert needle in caught.value.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("z", "unknown name 'z'"),
        ("yhatt", "unknown name 'yhatt'"),
        ("x", "x needs a subscript"),
        ("alpha^-1", "negative power of the data"),
        ("u / alpha", "division by an expression in the data"),
        ("u / 0", "division by zero"),
        ("(u^T u)^5", "data factors"),
        ("y_1", "subscripts are index letters"),
        ("y_ij", "takes 1 subscript"),
        ("alpha_i", "takes 0 subscript"),
        ("sum_i " * 5 + "u_i", "more than 4 sums"),
        ("(sum(X beta^T))^4", "more than 4 sums"),
        ("sum(ones) sum(ones) sum(ones) ones^T ones u^T X", "more than 4 sums"),
        (r"\sum u_i", "a sum needs its index"),
        (r"\sum_{i=2}^{m} u_i", "all examples"),
        (r"\hat{X}", "a hat is only for"),
        (r"\beta^{(i)}", "the superscript (i) is the example: it goes on x, y, ŷ or u"),
        ("alpha^(k)", "the superscript (k) is the example"),
        (r"x^{(i)}^{(k)}", "the superscript (k) is the example"),
        (r"x_{jk}^{(i)}", "x takes 2 subscript(s), not 3"),
        (" + ".join(["u"] * 10) + " + (u^T u)^5", "data factors"),
    ],
)
def test_input_that_cannot_be_used_is_refused_with_its_column(text: str, needle: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        built(text)
    assert needle in str(caught.value)
    assert caught.value.position is not None


def test_a_long_unknown_word_is_quoted_short() -> None:
    with pytest.raises(ExpressionError) as caught:
        built("u " + "Z" * 1500)
    assert "unknown name 'ZZZZZZZZZZZZZZ…ZZZZZZZZZZZZZZ'" in str(caught.value)


def test_a_long_clash_quotes_the_operands_short() -> None:
    with pytest.raises(ShapeClash) as caught:
        built("(u + u + u + u + u + u + u + u + u + u + u + u) X")
    assert len(caught.value.message) < 200


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_building_raises_only_input_errors_or_shape_clashes(text: str) -> None:
    with contextlib.suppress(ExpressionError, ShapeClash):
        build(parse(text), M)
