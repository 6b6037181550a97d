"""The linear-regression model in SymPy: sizes, symbols, prediction, error and cost.

First stage of the flow (model -> steps -> verify -> render). Everything later is built
from one `Model`: the steps differentiate its expressions, the checks expand its named
quantities (J, u, y-hat) back into the data X, y and the parameters alpha, beta.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

import sympy as sp
from sympy import MatrixExpr, MatrixSymbol, OneMatrix, Symbol

from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list


class ScaleError(InputError, ValueError):
    """An unknown cost scale: bad input (exit code 2), and a ValueError for Python callers."""


class Scale(Enum):
    """The factor in front of the sum of squared errors in the cost J."""

    MEAN = "1/m"
    HALF_MEAN = "1/(2m)"

    @classmethod
    def parse(cls, text: str | Scale) -> Scale:
        """Accept a `Scale` or its spelling ("1/m", "1/(2m)"); raise ScaleError otherwise."""
        if isinstance(text, Scale):
            return text
        spelled = text.replace(" ", "").replace("*", "")
        for scale in cls:
            if spelled == scale.value:
                return scale
        choices = join_list(scale.value for scale in cls)
        raise ScaleError(
            gettext("unknown cost scale {scale}: choose one of {choices}").format(
                scale=repr(text), choices=choices
            )
        )


@dataclass(frozen=True)
class Model:
    """Symbols and defining expressions of linear regression with cost J = c·uᵀu."""

    scale: Scale
    m: Symbol
    n: Symbol
    X: MatrixSymbol
    y: MatrixSymbol
    alpha: Symbol
    beta: MatrixSymbol
    ones: OneMatrix
    eta: Symbol
    yhat: MatrixSymbol
    u: MatrixSymbol
    J: Symbol
    i: Symbol
    j: Symbol

    @cached_property
    def coefficient(self) -> sp.Expr:
        """c in J = c·Σ uᵢ²: 1/m or 1/(2m)."""
        factor = 1 if self.scale is Scale.MEAN else 2
        return sp.Integer(1) / (factor * self.m)

    @cached_property
    def prediction(self) -> MatrixExpr:
        """ŷ = α·1 + X βᵀ, in terms of the data and the parameters."""
        return sp.MatAdd(self.alpha * self.ones, self.X * self.beta.T, evaluate=False)

    @cached_property
    def error(self) -> MatrixExpr:
        """u = y − ŷ, with ŷ kept as a name."""
        return sp.MatAdd(self.y, -self.yhat, evaluate=False)

    @cached_property
    def cost_in_u(self) -> MatrixExpr:
        """J = c·uᵀu, a 1×1 matrix in the error vector u."""
        return sp.MatMul(self.coefficient, self.u.T, self.u)

    @cached_property
    def definitions(self) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
        """Named quantities and what they stand for, outermost first."""
        return ((self.J, self.cost_in_u), (self.u, self.error), (self.yhat, self.prediction))

    @cached_property
    def parameters(self) -> tuple[sp.Basic, ...]:
        """The inputs every expression of the model is a function of."""
        return (self.X, self.y, self.alpha, self.beta, self.eta)

    def sizes(self, m: int, n: int) -> dict[Symbol, int]:
        """A substitution that fixes the symbolic sizes."""
        return {self.m: m, self.n: n}


def build_model(scale: Scale | str = Scale.MEAN) -> Model:
    """The model of docs/mathematics.md: X m×n, y m×1, α scalar, β 1×n (a row), 1 m×1 ones."""
    m, n = sp.symbols("m n", integer=True, positive=True)
    return Model(
        scale=Scale.parse(scale),
        m=m,
        n=n,
        X=MatrixSymbol("X", m, n),
        y=MatrixSymbol("y", m, 1),
        alpha=Symbol("alpha", real=True),
        beta=MatrixSymbol("beta", 1, n),
        ones=OneMatrix(m, 1),
        eta=Symbol("eta", positive=True),
        yhat=MatrixSymbol("yhat", m, 1),
        u=MatrixSymbol("u", m, 1),
        J=Symbol("J", real=True),
        i=Symbol("i", integer=True, nonnegative=True),
        j=Symbol("j", integer=True, nonnegative=True),
    )
