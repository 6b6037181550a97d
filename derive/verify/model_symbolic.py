"""The symbolic check of a model's steps: index form at symbolic sizes m, n, SymPy's `diff`.

One of the three routes of model_routes.py. Every matrix expression is read entry by entry
(MatrixElement and Sum, names expanded through the model's definitions), derivatives are
SymPy's own `diff` by an entry (α, β[0, j], z[i, 0]) with the Kronecker deltas summed away,
and the two sides of a relation are compared at a generic entry (model_sums.is_zero).
Shapes are computed here too, strictly: at symbolic sizes, m×1 by m×n is an error.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp
from sympy import MatrixExpr, MatrixSymbol, Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.entrywise import HeldDerivative
from derive.math.functions import FUNCTIONS
from derive.math.matcalc import MatrixDerivative
from derive.models.spec import ModelSpec
from derive.steps.derivation import Relation
from derive.verify.model_common import (
    Names,
    Size,
    derivative_node,
    layout,
    layout_entries,
    layout_shape,
    shape_text,
    update_reference,
)
from derive.verify.model_sums import collapse_deltas, is_zero
from derive.verify.routes import CheckFailed, require

Keep = frozenset[sp.Basic]
NOTHING: Keep = frozenset()
ONE = sp.Integer(1)
_DERIVATIVES = (MatrixDerivative, HeldDerivative)


class IndexForm:
    """Shapes and entries of a model's expressions; derivatives by `sp.diff` of entries."""

    def __init__(self, spec: ModelSpec) -> None:
        self.names = Names(spec)
        self._entries: dict[tuple[sp.Basic, Any, Any, Keep], sp.Expr] = {}
        self._shapes: dict[sp.Basic, Size] = {}

    # Shapes ---------------------------------------------------------------------------

    def shape(self, expr: sp.Basic) -> Size:
        """The shape of an expression; a CheckFailed when its parts do not conform."""
        if expr not in self._shapes:
            method = getattr(self, f"_shape_{type(expr).__name__}", self._shape_other)
            rows, cols = method(expr)
            self._shapes[expr] = (sp.sympify(rows), sp.sympify(cols))
        return self._shapes[expr]

    def _shape_other(self, expr: sp.Basic) -> Size:
        if isinstance(expr, (sp.Derivative, *_DERIVATIVES)):
            node = derivative_node(expr)
            of, wrt = self.shape(node.of), self.shape(node.wrt)
            return layout_shape(layout(of, wrt), of, wrt)
        if isinstance(expr, (MatrixSymbol, sp.OneMatrix, sp.ZeroMatrix, sp.Identity)):
            rows, cols = expr.shape
            return (rows, cols)
        if isinstance(expr, MatrixExpr):
            raise CheckFailed(f"the symbolic route cannot evaluate {type(expr).__name__}")
        for arg in expr.args:
            if isinstance(arg, (sp.Expr, MatrixExpr)):
                self._scalar_shape(arg)
        return (ONE, ONE)

    def _scalar_shape(self, expr: sp.Basic) -> None:
        shape = self.shape(expr)
        require(shape == (ONE, ONE), f"a {shape_text(shape)} matrix where a number belongs")

    def _shape_MatrixElement(self, expr: MatrixElement) -> Size:
        self.shape(expr.parent)
        return (ONE, ONE)

    def _shape_Transpose(self, expr: sp.Transpose) -> Size:
        rows, cols = self.shape(expr.arg)
        return (cols, rows)

    def _shape_MatAdd(self, expr: sp.MatAdd) -> Size:
        return self._same_shapes(expr.args, "add")

    def _shape_HadamardProduct(self, expr: sp.HadamardProduct) -> Size:
        return self._same_shapes(expr.args, "multiply entrywise")

    def _same_shapes(self, args: tuple[sp.Basic, ...], what: str) -> Size:
        shapes = [self.shape(arg) for arg in args]
        for shape in shapes[1:]:
            require(
                shape == shapes[0], f"cannot {what} {shape_text(shapes[0])} and {shape_text(shape)}"
            )
        return shapes[0]

    def _shape_MatMul(self, expr: sp.MatMul) -> Size:
        matrices = [arg for arg in expr.args if isinstance(arg, MatrixExpr)]
        for arg in expr.args:
            if not isinstance(arg, MatrixExpr):
                self._scalar_shape(arg)
        shapes = [self.shape(arg) for arg in matrices]
        for left, right in itertools.pairwise(shapes):
            require(
                left[1] == right[0], f"cannot multiply {shape_text(left)} by {shape_text(right)}"
            )
        return (shapes[0][0], shapes[-1][1])

    def _shape_HadamardPower(self, expr: sp.HadamardPower) -> Size:
        self._scalar_shape(expr.exp)
        return self.shape(expr.base)

    def _shape_Entrywise(self, expr: MatrixExpr) -> Size:
        return self.shape(expr.arg)

    def _shape_SquaredNorm(self, expr: MatrixExpr) -> Size:
        rows, cols = self.shape(expr.arg)
        require(rows == 1 or cols == 1, f"‖v‖² of a {shape_text((rows, cols))} matrix")
        return (ONE, ONE)

    def _shape_AsMatrix(self, expr: MatrixExpr) -> Size:
        self._scalar_shape(expr.value)
        return (ONE, ONE)

    def _shape_Symbol(self, expr: sp.Symbol) -> Size:
        return (ONE, ONE)

    # Entries ----------------------------------------------------------------------------

    def entry(self, expr: sp.Basic, row: Any, col: Any, keep: Keep = NOTHING) -> sp.Expr:
        """Entry (row, col) of an expression, names expanded except those in `keep`."""
        key = (expr, row, col, keep)
        if key not in self._entries:
            method = getattr(self, f"_entry_{type(expr).__name__}", None)
            if isinstance(expr, (sp.Derivative, *_DERIVATIVES)):
                self._entries[key] = self.derivative(expr, row, col)
            elif method is not None:
                self._entries[key] = method(expr, row, col, keep)
            elif isinstance(expr, MatrixExpr):
                raise CheckFailed(f"the symbolic route cannot evaluate {type(expr).__name__}")
            else:
                self._entries[key] = self._scalar(expr, keep)
        return self._entries[key]

    def scalar(self, expr: sp.Basic, keep: Keep = NOTHING) -> sp.Expr:
        return self.entry(expr, 0, 0, keep)

    def _scalar(self, expr: sp.Basic, keep: Keep) -> sp.Expr:
        if isinstance(expr, MatrixElement):
            return self.entry(expr.parent, expr.i, expr.j, keep)
        if isinstance(expr, sp.Symbol) and self.names.is_name(expr) and expr not in keep:
            return self.scalar(self.names.definitions[expr], keep)
        if not expr.args:
            return expr
        return expr.func(*[self.scalar(arg, keep) if _is_value(arg) else arg for arg in expr.args])

    def _entry_MatrixSymbol(self, expr: MatrixSymbol, row: Any, col: Any, keep: Keep) -> sp.Expr:
        if self.names.is_name(expr) and expr not in keep:
            return self.entry(self.names.definitions[expr], row, col, keep)
        return expr[row, col]

    def _entry_OneMatrix(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return ONE

    def _entry_ZeroMatrix(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return sp.Integer(0)

    def _entry_Identity(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return sp.KroneckerDelta(row, col)

    def _entry_Transpose(self, expr: sp.Transpose, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return self.entry(expr.arg, col, row, keep)

    def _entry_MatAdd(self, expr: sp.MatAdd, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return sp.Add(*[self.entry(arg, row, col, keep) for arg in expr.args])

    def _entry_HadamardProduct(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return sp.Mul(*[self.entry(arg, row, col, keep) for arg in expr.args])

    def _entry_HadamardPower(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return self.entry(expr.base, row, col, keep) ** self.scalar(expr.exp, keep)

    def _entry_Entrywise(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return FUNCTIONS[expr.name](self.entry(expr.arg, row, col, keep))

    def _entry_AsMatrix(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        return self.scalar(expr.value, keep)

    def _entry_SquaredNorm(self, expr: MatrixExpr, row: Any, col: Any, keep: Keep) -> sp.Expr:
        rows, cols = self.shape(expr.arg)
        k = sp.Dummy("k", integer=True, nonnegative=True)
        if cols == 1:
            return Sum(self.entry(expr.arg, k, 0, keep) ** 2, (k, 0, rows - 1))
        return Sum(self.entry(expr.arg, 0, k, keep) ** 2, (k, 0, cols - 1))

    def _entry_MatMul(self, expr: sp.MatMul, row: Any, col: Any, keep: Keep) -> sp.Expr:
        factor = sp.Mul(*[self.scalar(a, keep) for a in expr.args if not isinstance(a, MatrixExpr)])
        matrices = [arg for arg in expr.args if isinstance(arg, MatrixExpr)]
        indices: list[Any] = [row]
        limits = []
        for matrix in matrices[:-1]:
            inner = self.shape(matrix)[1]
            if inner == 1:
                indices.append(0)
            else:
                k = sp.Dummy("k", integer=True, nonnegative=True)
                indices.append(k)
                limits.append((k, 0, inner - 1))
        indices.append(col)
        body = sp.Mul(
            *[self.entry(m, indices[t], indices[t + 1], keep) for t, m in enumerate(matrices)]
        )
        for limit in reversed(limits):
            body = Sum(body, limit)
        return factor * body

    # Derivatives -----------------------------------------------------------------------

    def derivative(self, expr: sp.Basic, row: Any, col: Any) -> sp.Expr:
        """Entry (row, col) of ∂f/∂v: f's entry differentiated by v's entry, then the kept
        names put back as what they stand for."""
        node = derivative_node(expr)
        of, wrt = self.shape(node.of), self.shape(node.wrt)
        (f_row, f_col), (v_row, v_col) = layout_entries(layout(of, wrt), row, col)
        variable = self._variable(node.wrt, v_row, v_col)
        function = self.entry(node.of, f_row, f_col, node.kept)
        result = collapse_deltas(sp.diff(function, variable))
        return self._restore(result, node.kept)

    @staticmethod
    def _variable(wrt: sp.Basic, row: Any, col: Any) -> sp.Basic:
        if isinstance(wrt, sp.Symbol):
            return wrt
        if isinstance(wrt, MatrixSymbol):
            return wrt[row, col]
        if isinstance(wrt, MatrixElement) and isinstance(wrt.parent, MatrixSymbol):
            return wrt
        raise CheckFailed("the variable of a derivative must be a symbol or its entry")

    def _restore(self, expr: sp.Basic, kept: Keep) -> sp.Basic:
        names = [name for name in kept if self.names.is_name(name)]
        if not names:
            return expr
        expr = expr.replace(
            lambda e: isinstance(e, MatrixElement) and e.parent in names,
            lambda e: self.entry(e.parent, e.i, e.j),
        )
        return expr.xreplace({s: self.scalar(s) for s in names if isinstance(s, sp.Symbol)})


def _is_value(arg: sp.Basic) -> bool:
    return isinstance(arg, (sp.Expr, MatrixExpr)) and not isinstance(arg, sp.Tuple)


class SymbolicModelRoute:
    """Index form at symbolic sizes: both sides at a generic entry must reduce to zero."""

    name = "symbolic"
    row = sp.Dummy("row", integer=True, nonnegative=True)  # a generic entry (row, col)
    col = sp.Dummy("col", integer=True, nonnegative=True)

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.form = IndexForm(spec)

    def check(self, relation: Relation, shape: tuple[Any, Any]) -> None:
        claimed = (sp.sympify(shape[0]), sp.sympify(shape[1]))
        found = self.form.shape(relation.lhs)
        if relation.op == "in":
            require(found == claimed, f"declared {shape_text(claimed)}, found {shape_text(found)}")
            return
        sides = [relation.lhs, relation.rhs]
        if relation.op == "<-":
            sides += [update_reference(self.spec, relation.lhs), relation.means]
        for side in sides[1:]:
            if side is None:
                continue
            other = self.form.shape(side)
            require(
                found == other == claimed,
                f"claimed {shape_text(claimed)}, sides are {shape_text(found)} "
                f"and {shape_text(other)}",
            )
        row = 0 if claimed[0] == 1 else self.row
        col = 0 if claimed[1] == 1 else self.col
        pairs = [(relation.lhs, relation.rhs)] if relation.op == "=" else []
        pairs += [(relation.rhs, side) for side in sides[2:] if side is not None]
        for left, right in pairs:
            difference = self.form.entry(left, row, col) - self.form.entry(right, row, col)
            require(is_zero(difference), "difference does not reduce to zero")
