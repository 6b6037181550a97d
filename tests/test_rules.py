"""The planner's rule table: each line against SymPy's own derivative, and the
bookkeeping of entries and sums."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.math.functions import FUNCTIONS, Sigmoid, Softplus
from derive.math.rules import FUNCTION_RULES, UnknownOperator, formulas, local_derivative

m, n = sp.symbols("m n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, nonnegative=True)
u = sp.MatrixSymbol("u", m, 1)
X = sp.MatrixSymbol("X", m, n)
beta = sp.MatrixSymbol("beta", 1, n)
t = sp.Symbol("t", real=True)


@pytest.mark.parametrize("function", list(FUNCTION_RULES), ids=lambda f: f.__name__)
def test_each_rule_agrees_with_sympys_derivative(function: type) -> None:
    # SymPy differentiates the function written with exp (σ, softplus rewritten), an
    # independent route from the table's line.
    found, used = local_derivative(function(t), t)
    expected = sp.diff(function(t).rewrite(sp.exp), t)
    assert sp.simplify((found - expected).rewrite(sp.exp)) == 0
    assert used == {FUNCTION_RULES[function].because}


def test_chain_through_a_composition() -> None:
    found, _used = local_derivative(sp.log(Sigmoid(3 * t**2)), t)
    assert (
        sp.simplify((found - sp.diff(sp.log(1 / (1 + sp.exp(-3 * t**2))), t)).rewrite(sp.exp)) == 0
    )


def test_a_sum_over_the_examples_keeps_only_the_term_of_the_same_example() -> None:
    cost = (u.T * u)[0, 0] / m
    assert local_derivative(cost, u[i, 0])[0] == 2 * u[i, 0] / m


def test_a_sum_over_another_index_stays_a_sum() -> None:
    prediction = (X * beta.T)[i, 0]
    assert local_derivative(prediction, beta[0, j])[0] == X[i, j]
    assert local_derivative(prediction, u[i, 0])[0] == 0


def test_an_unknown_operator_is_refused() -> None:
    with pytest.raises(UnknownOperator):
        local_derivative(sp.Abs(t), t)
    with pytest.raises(UnknownOperator):
        local_derivative(t**t, t)


def test_every_function_a_model_may_call_has_a_rule_or_is_a_power() -> None:
    for name, function in FUNCTIONS.items():
        value, _used = local_derivative(function(t), t)
        assert (
            sp.simplify((value - sp.diff(function(t).rewrite(sp.exp), t)).rewrite(sp.exp)) == 0
        ), name


def test_the_rule_formulas_are_the_table_lines() -> None:
    shown = formulas()
    assert shown["rule_sigmoid"].rhs == sp.Mul(Sigmoid(t), 1 - Sigmoid(t), evaluate=False)
    assert shown["rule_softplus"].rhs == Sigmoid(t)
    assert set(shown) == {f"rule_{rule.name}" for rule in FUNCTION_RULES.values()} | {"rule_power"}
    assert Softplus in FUNCTION_RULES
