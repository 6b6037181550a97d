"""Functions in a hand-derived gradient: calls, the derivative of a link, e^x and norms.

Part of the build stage of `derive check` (parse -> build -> diagnose -> check), between
chains.py (chains of + and ·, ∘) and build.py (the other operators), for the notation of
every model (parse(..., models=True)): exp(z), σ(z), \\log p_i, e^{z_i}, σ'(z), ‖β‖².
A call of a matrix is `Entrywise(name, arg)`, of a number `FUNCTIONS[name](arg)`, as in
a model description (derive/models/expressions.py); parse.py bounds how deep calls nest.
"""

from __future__ import annotations

import lark
import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatrixExpr, OneMatrix

from derive.core.i18n import gettext
from derive.grade.chains import Chains
from derive.grade.parse import MAX_EXPONENT, Node, Tree
from derive.grade.value import ONE, Value, scalar, shape_text
from derive.math.entrywise import Entrywise, SquaredNorm
from derive.math.functions import FUNCTIONS

# A function as written (token text, without a backslash or \operatorname{…}) -> FUNCTIONS.
FUNCTION_NAMES = {
    "sigmoid": "sigmoid",
    "σ": "sigmoid",
    "sigma": "sigmoid",
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "tanh": "tanh",
    "softplus": "softplus",
    "square": "square",
}


def function_name(token: Node) -> str:
    """The FUNCTIONS key of a function token: \\sigma, σ, \\operatorname{ln} -> sigmoid, log."""
    if not isinstance(token, lark.Token):
        raise TypeError("a function is a token")
    word = str(token).lstrip("\\")
    if "{" in word:
        word = word[word.index("{") + 1 : word.rindex("}")]
    return FUNCTION_NAMES[word.strip()]


def _entrywise_ones(shape: tuple[sp.Expr, sp.Expr]) -> OneMatrix:
    return OneMatrix(shape[0], shape[1])


class Calls(Chains):
    """One method per node of a function (`_call`, `_derivative`, `_exp_power`, `_norm`)."""

    def _apply(self, name: str, value: Value, node: Node) -> Value:
        """f(value): entry by entry for a matrix; a number that is not real is refused."""
        value = scalar(value)
        if value.is_matrix:
            entrywise = Entrywise(name, value.expr)
            return Value(entrywise, value.shape, value.degree, value.indices, sums=value.sums)
        result = FUNCTIONS[name](value.expr)
        if result.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I):
            problem = gettext("{function} of {value} is not a real number")
            self.fail(problem.format(function=name, value=value.expr), node)
        return Value(result, (ONE, ONE), value.degree, value.indices, sums=value.sums)

    def _call(self, node: Tree) -> Value:
        """exp(z), σ(z), \\log p_i, softplus(z)."""
        token, argument = node.children
        return self._apply(function_name(token), self.build(argument), node)

    def _derivative(self, node: Tree) -> Value:
        """f'(z): σ' = σ(1 − σ), exp' = exp, tanh' = 1 − tanh², log' = 1/z, softplus' = σ,
        square' = 2z; entry by entry for a matrix."""
        token, _prime, argument = node.children
        name = function_name(token)
        value = scalar(self.build(argument))
        if name == "exp":
            return self._apply("exp", value, node)
        if name == "softplus":
            return self._apply("sigmoid", value, node)
        if name == "square":
            return Value(2 * value.expr, value.shape, value.degree, value.indices, sums=value.sums)
        if name == "log":
            if not value.is_matrix:
                if value.expr.is_zero:
                    self.fail(gettext("division by zero"), argument)
                expr: sp.Basic = 1 / value.expr
            else:
                expr = HadamardPower(value.expr, -1)
            return Value(expr, value.shape, value.degree, value.indices, sums=value.sums)
        inner = self._apply(name, value, node).expr  # sigmoid or tanh
        if isinstance(inner, MatrixExpr):
            ones = _entrywise_ones(value.shape)
            if name == "sigmoid":
                expr = HadamardProduct(inner, ones - inner)
            else:
                expr = ones - HadamardProduct(inner, inner)
        else:
            expr = inner * (1 - inner) if name == "sigmoid" else 1 - inner**2
        degree, sums = 2 * value.degree, 2 * value.sums
        return Value(expr, value.shape, degree, value.indices, sums=sums)

    def _exp_power(self, node: Tree) -> Value:
        """e^{x}, e^x: the exponential (e^2 is exp(2)); a model's own name e keeps its power."""
        _token, exponent_node = node.children
        exponent = scalar(self.build(exponent_node))
        if "e" not in self.vocabulary.spellings:
            return self._apply("exp", exponent, node)
        base = self.names[self.vocabulary.spellings["e"]]
        k = exponent.expr
        if exponent.is_matrix or not (k.is_Integer and abs(int(k)) <= MAX_EXPONENT):
            self.fail(
                gettext("an exponent is a whole number from -{limit} to {limit}").format(
                    limit=MAX_EXPONENT
                ),
                exponent_node,
            )
        if base.is_matrix:
            power = gettext(
                "{what} is {shape}: powers are for numbers (write uᵀu for a sum of squares)"
            )
            raise self.clash(power.format(what="e", shape=shape_text(base.shape)), node)
        return Value(base.expr ** int(k), base.shape, base.degree * abs(int(k)))

    def _norm(self, node: Tree) -> Value:
        """‖v‖², norm(v)^2, norm2(v): SquaredNorm(v), a 1×1 matrix; a number squared."""
        (argument,) = node.children
        value = scalar(self.build(argument))
        degree, sums = 2 * value.degree, value.sums + 1
        if not value.is_matrix:
            return Value(value.expr**2, (ONE, ONE), degree, value.indices, sums=value.sums)
        if ONE not in value.shape:
            problem = gettext("‖…‖^2 takes a row or a column, not {shape}")
            raise self.clash(problem.format(shape=shape_text(value.shape)), argument)
        return Value(SquaredNorm(value.expr), (ONE, ONE), degree, value.indices, sums=sums)
