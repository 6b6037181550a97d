"""Explicit matrices of exact polynomials, evaluated from SymPy expressions at concrete sizes.

Used by the explicit check route (routes.py). A small interpreter walks the expression
tree — sums, products, transposes, entries, ones — and computes every entry as a
polynomial over the rationals in the entries of X, y, β, u and in α, η, with SymPy's
sparse polynomial rings. It shares no code with SymPy's matrix-expression algebra, so
it is an independent check of it, and it is fast enough to run at several sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any

import sympy as sp
from sympy import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.polys.domains import QQ
from sympy.polys.rings import PolyElement, PolyRing, ring

Entries = tuple[tuple[PolyElement, ...], ...]


class NotConformable(ValueError):
    """Two matrices whose sizes do not allow the operation."""


@dataclass(frozen=True)
class PolyMatrix:
    """A matrix whose entries are exact polynomials; scalars are 1×1."""

    rows: Entries

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.rows[0]))

    def __getitem__(self, index: tuple[int, int]) -> PolyElement:
        return self.rows[index[0]][index[1]]

    def map(self, function: Any) -> PolyMatrix:
        return PolyMatrix(tuple(tuple(function(p) for p in row) for row in self.rows))

    @property
    def T(self) -> PolyMatrix:
        return PolyMatrix(tuple(zip(*self.rows, strict=True)))

    def __add__(self, other: PolyMatrix) -> PolyMatrix:
        if self.shape != other.shape:
            raise NotConformable(f"cannot add {_size(self)} and {_size(other)}")
        return PolyMatrix(
            tuple(
                tuple(a + b for a, b in zip(r, s, strict=True))
                for r, s in zip(self.rows, other.rows, strict=True)
            )
        )

    def __matmul__(self, other: PolyMatrix) -> PolyMatrix:
        if self.shape[1] != other.shape[0]:
            raise NotConformable(f"cannot multiply {_size(self)} by {_size(other)}")
        columns = other.T.rows
        return PolyMatrix(
            tuple(
                tuple(sum(a * b for a, b in zip(r, c, strict=True)) for c in columns)
                for r in self.rows
            )
        )

    def scale(self, factor: PolyElement) -> PolyMatrix:
        return self.map(lambda p: p * factor)


def _size(matrix: PolyMatrix) -> str:
    return f"{matrix.shape[0]}×{matrix.shape[1]}"


Definitions = tuple[tuple[sp.Basic, sp.Basic], ...]


class PolyEvaluator:
    """Evaluates SymPy expressions at concrete sizes to `PolyMatrix` values.

    Named quantities (J, u, ŷ) are evaluated through their definitions, except the one a
    derivative is taken by: ∂J/∂uᵢ differentiates J written in the entries of u, then
    puts u = y − ŷ back in. Derivatives follow the layout of matcalc.derivative_shape.
    """

    def __init__(
        self,
        matrices: tuple[sp.MatrixSymbol, ...],
        scalars: tuple[sp.Symbol, ...],
        definitions: Definitions,
    ) -> None:
        names: list[str] = []
        for matrix in matrices:
            rows, cols = (int(size) for size in matrix.shape)
            names += [f"{matrix.name}_{r}_{c}" for r in range(rows) for c in range(cols)]
        names += [symbol.name for symbol in scalars]
        self.ring: PolyRing = ring(names, QQ)[0]
        generators = dict(zip(names, self.ring.gens, strict=True))
        self.symbols = {symbol: generators[symbol.name] for symbol in scalars}
        self.matrices = {
            matrix: PolyMatrix(
                tuple(
                    tuple(generators[f"{matrix.name}_{r}_{c}"] for c in range(int(matrix.shape[1])))
                    for r in range(int(matrix.shape[0]))
                )
            )
            for matrix in matrices
        }
        self.definitions = dict(definitions)
        self._cache: dict[tuple[sp.Basic, sp.Basic | None], PolyMatrix] = {}

    def scalar(self, value: PolyElement) -> PolyMatrix:
        return PolyMatrix(((value,),))

    def evaluate(self, expr: sp.Basic, kept: sp.Basic | None = None) -> PolyMatrix:
        """The value of an expression with concrete sizes, concrete indices and no sums."""
        key = (expr, kept)
        if key not in self._cache:
            self._cache[key] = self._evaluate(expr, kept)
        return self._cache[key]

    def _evaluate(self, expr: sp.Basic, kept: sp.Basic | None) -> PolyMatrix:
        if expr in self.definitions and expr != kept:
            return self.evaluate(self.definitions[expr], kept)
        if isinstance(expr, sp.Rational):
            return self.scalar(self.ring(QQ(int(expr.p), int(expr.q))))
        handler = getattr(self, f"_eval_{type(expr).__name__}", None)
        if handler is None:
            raise ValueError(f"the explicit route cannot evaluate {type(expr).__name__}")
        result: PolyMatrix = handler(expr, kept)
        return result

    def _eval_MatrixSymbol(self, expr: sp.MatrixSymbol, kept: sp.Basic | None) -> PolyMatrix:
        return self.matrices[expr]

    def _eval_Symbol(self, expr: sp.Symbol, kept: sp.Basic | None) -> PolyMatrix:
        return self.scalar(self.symbols[expr])

    def _eval_OneMatrix(self, expr: sp.OneMatrix, kept: sp.Basic | None) -> PolyMatrix:
        rows, cols = (int(size) for size in expr.shape)
        return PolyMatrix(tuple(tuple(self.ring.one for _ in range(cols)) for _ in range(rows)))

    def _eval_Identity(self, expr: sp.Identity, kept: sp.Basic | None) -> PolyMatrix:
        size = int(expr.shape[0])
        one, zero = self.ring.one, self.ring.zero
        return PolyMatrix(
            tuple(tuple(one if r == c else zero for c in range(size)) for r in range(size))
        )

    def _eval_Transpose(self, expr: sp.Transpose, kept: sp.Basic | None) -> PolyMatrix:
        return self.evaluate(expr.arg, kept).T

    def _eval_MatrixElement(self, expr: MatrixElement, kept: sp.Basic | None) -> PolyMatrix:
        parent = self.evaluate(expr.parent, kept)
        return self.scalar(parent[int(expr.i), int(expr.j)])

    def _eval_MatAdd(self, expr: sp.MatAdd, kept: sp.Basic | None) -> PolyMatrix:
        return reduce(lambda a, b: a + b, (self.evaluate(arg, kept) for arg in expr.args))

    def _eval_MatMul(self, expr: sp.MatMul, kept: sp.Basic | None) -> PolyMatrix:
        factor = self.ring.one
        product: PolyMatrix | None = None
        for arg in expr.args:
            value = self.evaluate(arg, kept)
            if not isinstance(arg, MatrixExpr):
                factor *= self._number(value)
            else:
                product = value if product is None else product @ value
        return self.scalar(factor) if product is None else product.scale(factor)

    def _eval_Add(self, expr: sp.Add, kept: sp.Basic | None) -> PolyMatrix:
        terms = (self._number(self.evaluate(arg, kept)) for arg in expr.args)
        return self.scalar(sum(terms, self.ring.zero))

    def _eval_Mul(self, expr: sp.Mul, kept: sp.Basic | None) -> PolyMatrix:
        factors = (self._number(self.evaluate(arg, kept)) for arg in expr.args)
        return self.scalar(reduce(lambda a, b: a * b, factors))

    def _eval_Pow(self, expr: sp.Pow, kept: sp.Basic | None) -> PolyMatrix:
        base, exponent = expr.args
        if not (exponent.is_Integer and exponent >= 0):
            raise ValueError(f"the explicit route cannot raise to the power {exponent}")
        return self.scalar(self._number(self.evaluate(base, kept)) ** int(exponent))

    def _eval_Derivative(self, expr: sp.Derivative, kept: sp.Basic | None) -> PolyMatrix:
        return self.derivative(expr.expr, expr.variables[0])

    def _eval_MatrixDerivative(self, expr: sp.Basic, kept: sp.Basic | None) -> PolyMatrix:
        return self.derivative(expr.args[0], expr.args[1])

    def derivative(self, of: sp.Basic, wrt: sp.Basic) -> PolyMatrix:
        """∂f/∂v entry by entry, then with v's definition put back in."""
        base = wrt.parent if isinstance(wrt, MatrixElement) else wrt
        function = self.evaluate(of, base)
        variable = self.evaluate(wrt, base)
        generators = [
            variable[r, c] for r in range(variable.shape[0]) for c in range(variable.shape[1])
        ]
        if any(not g.is_generator for g in generators):
            raise ValueError("the variable of a derivative must be a symbol or an entry")
        result = _layout(function, variable)
        if base in self.definitions:
            own = self.evaluate(base, base)
            value = self.evaluate(base)
            pairs = [
                (own[r, c], value[r, c]) for r in range(own.shape[0]) for c in range(own.shape[1])
            ]
            result = result.map(lambda p: p.compose(pairs))
        return result

    @staticmethod
    def _number(value: PolyMatrix) -> PolyElement:
        if value.shape != (1, 1):
            raise NotConformable(f"a {_size(value)} matrix where a number belongs")
        return value[0, 0]


def _layout(function: PolyMatrix, variable: PolyMatrix) -> PolyMatrix:
    """∂f/∂v: a scalar's gradient has v's shape; a column by a row gives the Jacobian."""
    (f_rows, f_cols), (v_rows, v_cols) = function.shape, variable.shape

    def grid(rows: int, cols: int, entry: Any) -> PolyMatrix:
        return PolyMatrix(tuple(tuple(entry(r, c) for c in range(cols)) for r in range(rows)))

    if (f_rows, f_cols) == (1, 1):
        return grid(v_rows, v_cols, lambda r, c: function[0, 0].diff(variable[r, c]))
    if (v_rows, v_cols) == (1, 1):
        return grid(f_rows, f_cols, lambda r, c: function[r, c].diff(variable[0, 0]))
    if f_cols == 1 and v_rows == 1:
        return grid(f_rows, v_cols, lambda r, c: function[r, 0].diff(variable[0, c]))
    raise NotConformable(f"no derivative layout for {_size(function)} by {_size(variable)}")
