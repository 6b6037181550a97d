"""The explicit check of a model's steps: matrices of symbols at concrete sizes, exactly.

One of the three routes of model_routes.py. A small interpreter turns every expression into
an explicit SymPy matrix whose entries are expressions in the entries of the data and the
parameters (X[0,1], β[0,2], α, λ), with no floating point; a derivative is SymPy's `diff`
entry by entry; two sides agree when every entry of their difference cancels to 0. A
product or sum of matrices whose sizes do not conform is an error here.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import sympy as sp
from sympy import ImmutableMatrix, MatrixExpr, MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.functions import FUNCTIONS
from derive.models.spec import ModelSpec
from derive.verify.model_common import (
    ConcreteModelRoute,
    Names,
    derivative_node,
    is_derivative,
    layout,
    layout_entries,
    layout_shape,
    shape_text,
)
from derive.verify.routes import CheckFailed, require

Keep = frozenset[sp.Basic]
NOTHING: Keep = frozenset()


def _size(value: ImmutableMatrix) -> str:
    return shape_text(value.shape)


def _scalar(value: Any) -> ImmutableMatrix:
    return ImmutableMatrix([[value]])


class ExplicitEvaluator:
    """Explicit values at one size: names through their definitions, except kept names,
    which are matrices of their own symbols (z[0,0], z[1,0], ...)."""

    def __init__(self, spec: ModelSpec, m: int, n: int) -> None:
        self.names = Names(spec, spec.sizes(m, n))
        self._values: dict[tuple[sp.Basic, Keep], ImmutableMatrix] = {}

    def value(self, expr: sp.Basic, keep: Keep = NOTHING) -> ImmutableMatrix:
        key = (expr, keep)
        if key not in self._values:
            self._values[key] = self._evaluate(expr, keep)
        return self._values[key]

    def number(self, expr: sp.Basic, keep: Keep = NOTHING) -> sp.Expr:
        value = self.value(expr, keep)
        require(value.shape == (1, 1), f"a {_size(value)} matrix where a number belongs")
        return value[0, 0]

    def _evaluate(self, expr: sp.Basic, keep: Keep) -> ImmutableMatrix:
        if is_derivative(expr):
            return self.derivative(expr)
        if self.names.is_name(expr) and expr not in keep:
            return self._definition(expr, keep)
        method = getattr(self, f"_value_{type(expr).__name__}", None)
        if method is not None:
            result: ImmutableMatrix = method(expr, keep)
            return result
        if isinstance(expr, MatrixExpr):
            raise CheckFailed(f"the explicit route cannot evaluate {type(expr).__name__}")
        if not expr.args:
            return _scalar(expr)
        args = [
            self.number(arg, keep) if isinstance(arg, (sp.Expr, MatrixExpr)) else arg
            for arg in expr.args
        ]
        return _scalar(expr.func(*args))

    def _definition(self, name: sp.Basic, keep: Keep) -> ImmutableMatrix:
        value = self.value(self.names.definitions[name], keep)
        want = name.shape if isinstance(name, MatrixSymbol) else (1, 1)
        require(value.shape == tuple(want), f"{name} is {shape_text(want)}, its definition not")
        return value

    def own(self, symbol: sp.Basic) -> ImmutableMatrix:
        """The matrix of a symbol's own entries, as independent variables."""
        if not isinstance(symbol, MatrixSymbol):
            return _scalar(symbol)
        rows, cols = (int(size) for size in symbol.shape)
        return ImmutableMatrix(
            rows, cols, lambda r, c: sp.Symbol(f"{symbol.name}[{r},{c}]", real=True)
        )

    def _value_MatrixSymbol(self, expr: MatrixSymbol, keep: Keep) -> ImmutableMatrix:
        return self.own(expr)

    def _value_OneMatrix(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        return ImmutableMatrix(sp.ones(*(int(size) for size in expr.shape)))

    def _value_ZeroMatrix(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        return ImmutableMatrix(sp.zeros(*(int(size) for size in expr.shape)))

    def _value_Identity(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        return ImmutableMatrix(sp.eye(int(expr.shape[0])))

    def _value_Transpose(self, expr: sp.Transpose, keep: Keep) -> ImmutableMatrix:
        return self.value(expr.arg, keep).T

    def _value_MatAdd(self, expr: sp.MatAdd, keep: Keep) -> ImmutableMatrix:
        values = [self.value(arg, keep) for arg in expr.args]
        for value in values[1:]:
            require(
                value.shape == values[0].shape, f"cannot add {_size(values[0])} and {_size(value)}"
            )
        return reduce(lambda a, b: a + b, values)

    def _value_MatMul(self, expr: sp.MatMul, keep: Keep) -> ImmutableMatrix:
        factor = sp.Mul(*[self.number(a, keep) for a in expr.args if not isinstance(a, MatrixExpr)])
        values = [self.value(a, keep) for a in expr.args if isinstance(a, MatrixExpr)]

        def times(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
            require(a.shape[1] == b.shape[0], f"cannot multiply {_size(a)} by {_size(b)}")
            return a * b

        return reduce(times, values) * factor

    def _value_HadamardProduct(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        values = [self.value(arg, keep) for arg in expr.args]

        def times(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
            require(a.shape == b.shape, f"cannot multiply {_size(a)} and {_size(b)} entrywise")
            return a.multiply_elementwise(b)

        return reduce(times, values)

    def _value_HadamardPower(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        exponent = self.number(expr.exp, keep)
        return self.value(expr.base, keep).applyfunc(lambda entry: entry**exponent)

    def _value_Entrywise(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        return self.value(expr.arg, keep).applyfunc(FUNCTIONS[expr.name])

    def _value_SquaredNorm(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        value = self.value(expr.arg, keep)
        require(1 in value.shape, f"‖v‖² of a {_size(value)} matrix")
        return _scalar(sp.Add(*[entry**2 for entry in value]))

    def _value_AsMatrix(self, expr: MatrixExpr, keep: Keep) -> ImmutableMatrix:
        return _scalar(self.number(expr.value, keep))

    def _value_MatrixElement(self, expr: MatrixElement, keep: Keep) -> ImmutableMatrix:
        parent = self.value(expr.parent, keep)
        where = (expr.i, expr.j)
        require(all(index.is_Integer for index in where), f"an entry {where} without numbers")
        row, col = (int(index) for index in where)
        rows, cols = parent.shape
        require(0 <= row < rows and 0 <= col < cols, f"entry {where} outside {_size(parent)}")
        return _scalar(parent[row, col])

    def _value_Sum(self, expr: sp.Sum, keep: Keep) -> ImmutableMatrix:
        terms = [expr.function]
        for index, low, high in expr.limits:
            terms = [t.xreplace({index: k}) for t in terms for k in range(int(low), int(high) + 1)]
        return _scalar(sp.Add(*[self.number(term, keep) for term in terms]))

    def derivative(self, expr: sp.Basic) -> ImmutableMatrix:
        """∂f/∂v entry by entry, with the kept names then put back as what they stand for."""
        node = derivative_node(expr)
        function = self.value(node.of, node.kept)
        variable = self.value(node.wrt, node.kept)
        require(
            all(isinstance(entry, sp.Symbol) for entry in variable),
            "the variable of a derivative must be a symbol or its entry",
        )
        kind = layout(function.shape, variable.shape)
        rows, cols = layout_shape(kind, function.shape, variable.shape)

        def entry(row: int, col: int) -> sp.Expr:
            (f_row, f_col), (v_row, v_col) = layout_entries(kind, row, col)
            return sp.diff(function[f_row, f_col], variable[v_row, v_col])

        result = ImmutableMatrix(rows, cols, entry)
        pairs: dict[sp.Basic, sp.Basic] = {}
        for name in node.kept:
            if self.names.is_name(name):
                pairs |= dict(zip(self.own(name), self.value(name), strict=True))
        return result.xreplace(pairs)


def is_exactly_zero(expr: sp.Expr) -> bool:
    """Exact: expanded without splitting exponentials, then over one denominator."""
    expanded = sp.expand(expr, power_exp=False, log=False)
    return bool(expanded == 0 or sp.cancel(sp.together(expanded)) == 0)


class ExplicitModelRoute(ConcreteModelRoute):
    """Explicit matrices of symbols at concrete sizes, derivatives entry by entry, exact."""

    name = "explicit"

    def __init__(self, spec: ModelSpec, sizes: tuple[tuple[int, int], ...]) -> None:
        super().__init__(spec, sizes)
        self._evaluators: dict[tuple[int, int], ExplicitEvaluator] = {}

    def begin(self, m: int, n: int) -> None:
        if (m, n) not in self._evaluators:  # one per size, so that its cache serves all steps
            self._evaluators[(m, n)] = ExplicitEvaluator(self.spec, m, n)
        self.evaluator = self._evaluators[(m, n)]

    def value(self, expr: sp.Basic) -> ImmutableMatrix:
        return self.evaluator.value(expr)

    def equal(self, left: ImmutableMatrix, right: ImmutableMatrix) -> None:
        require(left.shape == right.shape, f"shapes {_size(left)} and {_size(right)} differ")
        for a, b in zip(left, right, strict=True):
            require(is_exactly_zero(a - b), "explicit matrices differ")
