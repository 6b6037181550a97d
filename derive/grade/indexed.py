"""Matrix nodes for the notation of `derive check`: a row Xᵢ, a sum of matrices, and ones.

Used by build.py when a hand derivation is written entry by entry (Σᵢ uᵢ Xᵢ). SymPy has
no sum of matrix expressions and no row of a matrix at a symbolic index; these two
nodes give it one, through `_entry`, so that products, transposes, `as_explicit` at
concrete sizes and the printers of printing.py (via their print methods) all work.
`Ones` only labels, for grader.py's printing, a number added to every entry of a matrix.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import MatrixExpr, OneMatrix
from sympy.core.sympify import _sympify


class Row(MatrixExpr):
    """Xᵢ, the row i of a matrix, for a symbolic index i."""

    def __new__(cls, parent: sp.MatrixSymbol, index: sp.Symbol | int) -> Row:
        node: Row = sp.Basic.__new__(cls, parent, _sympify(index))
        return node

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (sp.Integer(1), self.args[0].shape[1])

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.args[0][self.args[1], j]

    def doit(self, **hints: Any) -> sp.Basic:
        """At a concrete index of an explicit matrix, the row itself."""
        parent, index = (arg.doit(**hints) for arg in self.args)
        if isinstance(parent, sp.MatrixBase) and index.is_Integer:
            return sp.ImmutableMatrix(parent.row(int(index)))
        return Row(parent, index)

    def _derive_latex(self, printer: Any) -> str:
        return f"{printer._print(self.args[0])}_{{{printer._print(self.args[1])}}}"

    def _sympystr(self, printer: Any) -> str:
        index = printer._print(self.args[1])
        subscript = getattr(printer, "_subscript", lambda text: f"[{text}]")
        return f"{printer._print(self.args[0])}{subscript(index)}"


class MatrixSum(MatrixExpr):
    """Σ over an index of a matrix-valued body, entry by entry: (Σᵢ Aᵢ)ᵣₛ = Σᵢ (Aᵢ)ᵣₛ."""

    def __new__(cls, body: MatrixExpr, limits: sp.Tuple) -> MatrixSum:
        node: MatrixSum = sp.Basic.__new__(cls, body, sp.Tuple(*limits))
        return node

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        rows, cols = self.args[0].shape
        return (rows, cols)

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return sp.Sum(self.args[0][i, j], self.args[1])

    def _derive_latex(self, printer: Any) -> str:
        index, _low, high = self.args[1]
        body = printer._print(self.args[0])
        return f"\\sum_{{{printer._print(index)}=1}}^{{{printer._print(high + 1)}}} {body}"

    def _sympystr(self, printer: Any) -> str:
        index, _low, high = self.args[1]
        body = printer._print(self.args[0])
        return f"Σ[{printer._print(index)}=1..{printer._print(high + 1)}] {body}"


class Ones(MatrixExpr):
    """A matrix of ones that is neither 𝟏 (m×1) nor 𝟏ᵀ, labelled with its sizes: a number
    added to every entry of a 1×n row is 𝟏ₙᵀ, of an n×1 column 𝟏ₙ, of an m×n matrix 𝟏 𝟏ₙᵀ.

    For printing only (`label_ones`): the comparison keeps SymPy's `OneMatrix`, whose
    printer says 𝟏ᵀ for any row of ones, although 𝟏 is the m×1 vector.
    """

    def __new__(cls, rows: sp.Expr, cols: sp.Expr, examples: sp.Expr) -> Ones:
        node: Ones = sp.Basic.__new__(cls, _sympify(rows), _sympify(cols), _sympify(examples))
        return node

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[0], self.args[1])

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return sp.Integer(1)

    def _parts(self, subscript: Any, printer: Any) -> list[tuple[str, bool]]:
        """(𝟏 with its size as a subscript unless the size is m, transposed?) per side."""
        rows, cols, examples = self.args
        return [
            ("" if size == examples else subscript(printer._print(size)), transposed)
            for size, transposed in ((rows, False), (cols, True))
            if size != 1
        ]

    def _derive_latex(self, printer: Any) -> str:
        parts = self._parts(lambda size: f"_{{{size}}}", printer)
        return " ".join(
            f"\\mathbf{{1}}{sub}" + ("^{\\top}" if transposed else "") for sub, transposed in parts
        )

    def _sympystr(self, printer: Any) -> str:
        subscript = getattr(printer, "_subscript", lambda text: f"[{text}]")
        parts = self._parts(subscript, printer)
        return " ".join(f"𝟏{sub}" + ("ᵀ" if transposed else "") for sub, transposed in parts)


def label_ones(expr: sp.Basic, examples: sp.Expr) -> sp.Basic:
    """`expr` with every matrix of ones other than 𝟏, 𝟏ᵀ (m the number of `examples`)
    as a `Ones`, so that it prints with its sizes."""
    one = sp.Integer(1)
    usual = {(examples, one), (one, examples), (one, one)}
    labels = {}
    for ones in expr.atoms(OneMatrix):
        rows, cols = ones.shape
        if (rows, cols) not in usual:
            labels[ones] = Ones(rows, cols, examples)
    return expr.xreplace(labels)
