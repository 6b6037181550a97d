"""Matrix-expression nodes for the notation of models beyond the article.

`Entrywise(f, A)` is f applied to every entry of A (σ(z), log(𝟏 − p)); `SquaredNorm(v)`
is ‖v‖², a 1×1 matrix; `HeldDerivative` is a partial derivative with some named
quantities held fixed, for the chain rule through a graph (Poisson's J depends on z both
through μ and directly). Entries (`node[i, 0]`) are ordinary SymPy expressions, so every
route of the checks can expand them on its own.
"""

from __future__ import annotations

import sympy as sp
from sympy import MatrixExpr
from sympy.core.symbol import Str

from derive.math.functions import FUNCTIONS


class Entrywise(MatrixExpr):
    """f(A): the function `name` (a key of FUNCTIONS) applied to each entry of A."""

    def __new__(cls, name: str | Str, arg: MatrixExpr) -> Entrywise:
        name = name if isinstance(name, Str) else Str(name)
        if name.name not in FUNCTIONS:
            raise ValueError(f"unknown entrywise function {name.name!r}")
        node: Entrywise = sp.Basic.__new__(cls, name, arg)
        return node

    @property
    def name(self) -> str:
        return str(self.args[0].name)

    @property
    def arg(self) -> MatrixExpr:
        return self.args[1]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        rows, cols = self.arg.shape
        return (rows, cols)

    def _entry(self, i: sp.Expr, j: sp.Expr, **kwargs: object) -> sp.Expr:
        return FUNCTIONS[self.name](self.arg[i, j])

    def doit(self, **hints: object) -> MatrixExpr:
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sp.MatrixBase):
            return arg.applyfunc(FUNCTIONS[self.name])
        return Entrywise(self.name, arg)


class SquaredNorm(MatrixExpr):
    """‖v‖², the sum of the squared entries of a row or column v, as a 1×1 matrix."""

    def __new__(cls, arg: MatrixExpr) -> SquaredNorm:
        node: SquaredNorm = sp.Basic.__new__(cls, arg)
        return node

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (sp.S.One, sp.S.One)

    def as_product(self) -> MatrixExpr:
        """vᵀv for a column, vvᵀ for a row: the same number as a matrix product."""
        v = self.arg
        return v * v.T if v.shape[0] == 1 else v.T * v

    def _entry(self, i: sp.Expr, j: sp.Expr, **kwargs: object) -> sp.Expr:
        return self.as_product()[0, 0]

    def doit(self, **hints: object) -> MatrixExpr:
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sp.MatrixBase):
            return SquaredNorm(arg).as_product()
        return SquaredNorm(arg)


class HeldDerivative(sp.Expr):
    """∂f/∂v with the named quantities `held` kept fixed: (∂J/∂zᵢ)|_μ.

    A plain `Derivative` of a named quantity means the total derivative (every other name
    expanded); this node marks the partial one, which the chain rule through a graph needs.
    """

    def __new__(cls, of: sp.Basic, wrt: sp.Basic, held: tuple[sp.Basic, ...]) -> HeldDerivative:
        node: HeldDerivative = sp.Expr.__new__(cls, of, wrt, sp.Tuple(*held))
        return node

    @property
    def of(self) -> sp.Basic:
        return self.args[0]

    @property
    def wrt(self) -> sp.Basic:
        return self.args[1]

    @property
    def held(self) -> tuple[sp.Basic, ...]:
        return tuple(self.args[2])


class AsMatrix(MatrixExpr):
    """A scalar seen as a 1×1 matrix, so that it can be added to a 1×1 product (a cost
    term such as λα² beside (1/m)uᵀu)."""

    def __new__(cls, value: sp.Expr) -> AsMatrix:
        node: AsMatrix = sp.Basic.__new__(cls, sp.sympify(value))
        return node

    @property
    def value(self) -> sp.Expr:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (sp.S.One, sp.S.One)

    def _entry(self, i: sp.Expr, j: sp.Expr, **kwargs: object) -> sp.Expr:
        return self.value
