"""The numeric stage: the derivation's own expressions, compiled into NumPy functions.

Flow: model -> steps -> verify -> numeric -> render -> files. `lambdify` prints the SymPy
objects of the derivation (u of step 9, the cost of step 10, ∂J/∂α of step 14, ∂J/∂β of
step 17) as NumPy code. `ArrayPrinter` prints them as one would write them by hand, so they
run as fast as hand-written NumPy; `gram_form` expands the same expressions and replaces
the products of the data (XᵀX, 𝟏ᵀX, yᵀX, ...) by moments computed once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

import numpy as np
import sympy as sp
from sympy import MatAdd, MatMul, MatrixSymbol, OneMatrix, Transpose
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from derive.math.matcalc import orient
from derive.models.linear import Model, Scale, build_model
from derive.numeric.arrays import Array, scalar
from derive.steps.article import compute


def _ones_multiple(term: sp.Basic) -> sp.Basic | None:
    """c for a term c·𝟏 (a multiple of a ones matrix), None for any other term."""
    if isinstance(term, OneMatrix):
        return sp.S.One
    if isinstance(term, MatMul):
        coefficient, matrices = term.as_coeff_matrices()
        if len(matrices) == 1 and isinstance(matrices[0], OneMatrix):
            return coefficient
    return None


def _coefficient(term: sp.Basic) -> sp.Expr:
    """The scalar factor of a term of a matrix sum (1 for a bare matrix)."""
    if isinstance(term, MatMul):
        return term.as_coeff_matrices()[0]
    return term if not isinstance(term, sp.MatrixExpr) else sp.S.One


def _negative(term: sp.Basic) -> bool:
    return bool(_coefficient(term).could_extract_minus_sign())


class ArrayPrinter(NumPyPrinter):
    """NumPy code for the derivation's matrix expressions, with no m×n or m×m temporaries.

    `c·A·B` is `c*(A @ B)` (the scalar scales the small result), `𝟏ᵀv` is a column sum,
    `a·𝟏` in a sum is the broadcast scalar `a`, `A + (−B)` is `A - B`, and a 1×1 product
    is a Python float. SymPy's own printer builds ones matrices and chains `.dot` calls,
    about 1.7× slower.
    """

    def _print_MatMul(self, expr: MatMul) -> str:
        coefficient, factors = expr.as_coeff_matrices()
        matrices = [f for f in factors if not isinstance(f, sp.Identity)]
        if not matrices:
            return str(self.parenthesize(coefficient, PRECEDENCE["Mul"]))
        body = self._product(matrices, scalar=expr.shape == (1, 1))
        if coefficient == 1:
            return f"({body})"
        return f"({self._print(coefficient)})*({body})"

    def _product(self, matrices: Sequence[sp.Basic], scalar: bool) -> str:
        """A product of matrices; a 1×1 product as a Python float (cheap to scale and add)."""
        leading_row_of_ones = isinstance(matrices[0], OneMatrix) and matrices[0].shape[0] == 1
        if leading_row_of_ones and len(matrices) > 1:
            rest = self._operand(matrices[1:])
            return f"{rest}.sum()" if scalar else f"{rest}.sum(axis=0, keepdims=True)"
        body = " @ ".join(self._operand([m]) for m in matrices)
        return f"({body}).item()" if scalar and len(matrices) > 1 else body

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == -1:  # 1/m rather than m**(-1.0)
            return f"1/{self.parenthesize(expr.base, PRECEDENCE['Pow'])}"
        return str(super()._print_Pow(expr, rational=rational))

    def _operand(self, matrices: Sequence[sp.Basic]) -> str:
        """One factor, or a product of factors, as an operand of `@` or of a method call."""
        if len(matrices) == 1 and isinstance(matrices[0], MatrixSymbol | Transpose):
            return str(self._print(matrices[0]))
        return f"({self._print(MatMul(*matrices))})"

    def _print_MatAdd(self, expr: MatAdd) -> str:
        common = reduce(sp.gcd, [_coefficient(term) for term in expr.args])
        if common != 1 and common != 0:  # c·A + c·B is printed c*(A + B): fewer array products
            inner = MatAdd(*[(1 / common) * term for term in expr.args])
            return f"({self._print(common)})*{self._sum(inner.args)}"
        return self._sum(expr.args)

    def _sum(self, addends: Sequence[sp.Basic]) -> str:
        terms = sorted(addends, key=_negative)  # positive terms first, as in y - α - Xβᵀ
        broadcast = any(_ones_multiple(t) is None for t in terms)
        text = ""
        for position, term in enumerate(terms):
            negative = _negative(term)
            magnitude = -term if negative else term
            scalar = _ones_multiple(magnitude) if broadcast else None
            shown = magnitude if scalar is None else scalar
            printed = (
                self._print(shown)
                if isinstance(shown, sp.MatrixExpr)
                else self.parenthesize(shown, PRECEDENCE["Mul"])
            )
            sign = ("-" if negative else "") if position == 0 else (" - " if negative else " + ")
            text += f"{sign}{printed}"
        return f"({text})"


@dataclass(frozen=True)
class Generated:
    """A NumPy function that lambdify generated from SymPy expressions, with its source."""

    expressions: tuple[sp.Basic, ...]
    arguments: tuple[sp.Basic, ...]
    source: str
    function: Callable[..., list[Any]]

    def __call__(self, *values: Any) -> list[Any]:
        return self.function(*values)


def generate(
    expressions: Sequence[sp.Basic],
    arguments: Sequence[sp.Basic],
    definitions: Sequence[tuple[sp.Basic, sp.Basic]] = (),
) -> Generated:
    """lambdify `expressions` of `arguments`; each (name, value) definition is one assignment.

    The definitions are the derivation's own named quantities (u = y − ŷ), so the generated
    code computes u once and shares it, as the handout does.
    """
    printer = ArrayPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}
    )
    function = sp.lambdify(
        list(arguments),
        list(expressions),
        modules="numpy",
        printer=printer,
        cse=lambda exprs: (list(definitions), exprs),
        docstring_limit=0,
    )
    return Generated(tuple(expressions), tuple(arguments), inspect.getsource(function), function)


def error_definition(model: Model) -> tuple[sp.Basic, sp.Basic]:
    """u = y − α𝟏 − Xβᵀ: the error of step 9 with the prediction of step 5 written out."""
    return (model.u, MatAdd(model.y, -model.prediction).doit())


@dataclass(frozen=True)
class Moments:
    """Symbols for the products of the data that the Gram form needs, and what they stand for."""

    XtX: MatrixSymbol  # XᵀX, n×n
    sum_X: MatrixSymbol  # 𝟏ᵀX, 1×n
    ytX: MatrixSymbol  # yᵀX, 1×n
    sum_y: MatrixSymbol  # 𝟏ᵀy, 1×1
    yty: MatrixSymbol  # yᵀy, 1×1

    @classmethod
    def of(cls, model: Model) -> Moments:
        n = model.n
        return cls(
            XtX=MatrixSymbol("XtX", n, n),
            sum_X=MatrixSymbol("sum_X", 1, n),
            ytX=MatrixSymbol("ytX", 1, n),
            sum_y=MatrixSymbol("sum_y", 1, 1),
            yty=MatrixSymbol("yty", 1, 1),
        )

    def products(self, model: Model) -> dict[tuple[sp.Basic, sp.Basic], sp.Basic]:
        """Adjacent factors of a product, and the moment that replaces them."""
        X, y, row = model.X, model.y, model.ones.T
        return {
            (X.T, X): self.XtX,
            (row, X): self.sum_X,
            (X.T, model.ones): self.sum_X.T,
            (y.T, X): self.ytX,
            (X.T, y): self.ytX.T,
            (row, y): self.sum_y,
            (y.T, model.ones): self.sum_y,
            (y.T, y): self.yty,
        }

    @staticmethod
    def values(X: Array, y: Array) -> tuple[Array, Array, Array, float, float]:
        """The moments of data X (m×n) and y (m×1), in the order of the symbols.

        The 1×1 moments are plain floats: the generated code only scales and adds them.
        Data too large for float64 give infinite moments, for the caller to report.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            sum_y, yty = y.sum(), (y.T @ y).item()
            return (X.T @ X, X.sum(axis=0, keepdims=True), y.T @ X, float(sum_y), float(yty))


def gram_form(expr: sp.Basic, model: Model, moments: Moments) -> sp.Basic:
    """`expr` with u expanded and every product of data replaced by a moment: O(n²) to evaluate."""
    expanded = orient(sp.expand(expr.xreplace(dict([error_definition(model)]))).doit())
    pairs = moments.products(model)

    def rewrite(product: MatMul) -> sp.Basic:
        factors = list(product.args)
        position = 0
        while position < len(factors) - 1:
            moment = pairs.get((factors[position], factors[position + 1]))
            if moment is None:
                position += 1
            else:
                factors[position : position + 2] = [moment]
        return MatMul(*factors).doit()

    result = expanded.replace(lambda e: isinstance(e, MatMul), rewrite)
    if result.has(model.X, model.y, model.u):
        raise ValueError(f"{expr} has a product of the data that is not a moment: {result}")
    return result


@dataclass(frozen=True)
class Compiled:
    """The cost and both gradients of one cost scale, on the data and in Gram form."""

    model: Model
    moments: Moments
    gradients: Generated  # (X, y, α, β, m) -> [∂J/∂α, ∂J/∂β]
    on_data: Generated  # (X, y, α, β, m) -> [J, ∂J/∂α, ∂J/∂β]
    on_moments: Generated  # (α, β, XtX, sum_X, ytX, sum_y, yty, m) -> [J, ∂J/∂α, ∂J/∂β]


def compiled(scale: Scale | str = Scale.MEAN) -> Compiled:
    """The NumPy functions of the derivation for one cost scale, generated once."""
    return _compiled(Scale.parse(scale))


@cache
def _compiled(scale: Scale) -> Compiled:
    model = build_model(scale)
    calc = compute(model)
    moments = Moments.of(model)
    data_args = (model.X, model.y, model.alpha, model.beta, model.m)
    moment_args = (model.alpha, model.beta, *_fields(moments), model.m)
    in_u = (model.cost_in_u, calc.grad_alpha, calc.grad_beta)
    definition = [error_definition(model)]
    return Compiled(
        model=model,
        moments=moments,
        gradients=generate(in_u[1:], data_args, definition),
        on_data=generate(in_u, data_args, definition),
        on_moments=generate([gram_form(e, model, moments) for e in in_u], moment_args),
    )


def _fields(moments: Moments) -> tuple[MatrixSymbol, ...]:
    return (moments.XtX, moments.sum_X, moments.ytX, moments.sum_y, moments.yty)


def gradients(
    X: Array, y: Array, alpha: float, beta: Array, scale: Scale | str = Scale.MEAN
) -> tuple[float, Array]:
    """∂J/∂α and ∂J/∂β (1×n) at (α, β) on data X (m×n), y (m×1), by the generated code."""
    grad_alpha, grad_beta = compiled(scale).gradients(X, y, alpha, beta, X.shape[0])
    return scalar(grad_alpha), grad_beta
