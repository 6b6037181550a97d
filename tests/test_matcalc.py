from __future__ import annotations

import pytest
import sympy as sp

from derive.math.matcalc import (
    MatrixDerivative,
    derivative_shape,
    is_zero_matrix,
    linear_sums,
    matrix_derivative,
    orient,
)
from derive.models.linear import build_model

M = build_model()
ONE = sp.Integer(1)


def test_gradient_of_a_scalar_has_the_shape_of_the_variable() -> None:
    assert derivative_shape((ONE, ONE), (ONE, M.n)) == (ONE, M.n)


def test_derivative_of_a_column_by_a_scalar_is_a_column() -> None:
    assert derivative_shape((M.m, ONE), (ONE, ONE)) == (M.m, ONE)


def test_jacobian_of_a_column_by_a_row_is_rows_by_columns() -> None:
    assert derivative_shape((M.m, ONE), (ONE, M.n)) == (M.m, M.n)


def test_no_layout_for_matrix_by_matrix() -> None:
    with pytest.raises(ValueError, match="no derivative layout"):
        derivative_shape((M.m, M.n), (ONE, M.n))


def test_gradient_of_a_row_variable_comes_back_as_a_row() -> None:
    cost = M.cost_in_u.xreplace({M.u: M.y - M.X * M.beta.T})
    assert matrix_derivative(cost, M.beta).shape == (1, M.n)


def test_jacobian_by_the_weights_is_minus_x() -> None:
    error = M.y - M.alpha * M.ones - M.X * M.beta.T
    assert is_zero_matrix(matrix_derivative(error, M.beta) + M.X)


def test_orientation_makes_a_scalar_product_equal_its_transpose() -> None:
    assert is_zero_matrix(M.u.T * M.ones - M.ones.T * M.u)
    assert orient(M.u.T * M.ones) == M.ones.T * M.u


def test_different_matrices_do_not_reduce_to_zero() -> None:
    assert not is_zero_matrix(M.u.T * M.X - M.y.T * M.X)


def test_sums_equal_up_to_index_names_and_linearity() -> None:
    i, k = sp.symbols("i k", integer=True)
    left = sp.Sum(2 * M.u[i, 0] + M.alpha, (i, 0, M.m - 1))
    right = 2 * sp.Sum(M.u[k, 0], (k, 0, M.m - 1)) + M.m * M.alpha
    assert linear_sums(left - right) == 0


def test_square_of_a_sum_matches_a_double_sum() -> None:
    i, k = sp.symbols("i k", integer=True)
    square = sp.Sum(M.beta[0, k], (k, 0, M.n - 1)) ** 2
    double = sp.Sum(M.beta[0, i] * M.beta[0, k], (i, 0, M.n - 1), (k, 0, M.n - 1))
    assert linear_sums(square - double) == 0


def test_different_sums_do_not_reduce_to_zero() -> None:
    i = sp.Symbol("i", integer=True)
    assert linear_sums(sp.Sum(M.u[i, 0], (i, 0, M.m - 1)) - sp.Sum(M.y[i, 0], (i, 0, M.m - 1))) != 0


def test_matrix_derivative_node_has_the_layout_shape() -> None:
    assert MatrixDerivative(M.u, M.beta).shape == (M.m, M.n)
    assert MatrixDerivative(M.J, M.beta).shape == (1, M.n)
