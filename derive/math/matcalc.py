"""Matrix-calculus helpers shared by the steps (which compute) and the checks (which verify).

SymPy differentiates matrix expressions correctly with `.diff`, but it returns some
results in another layout (a column for the gradient of a row, a Kronecker product for a
Jacobian) and cannot see that a 1×1 product equals its transpose. These helpers fix the
layout to the article's convention and bring expressions to a form where equal things
compare equal. See docs/sympy-notes.md for the traps they work around.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

import sympy as sp
from sympy import KroneckerProduct, MatrixExpr, Sum
from sympy.concrete.delta import deltasummation

Shape = tuple[sp.Expr, sp.Expr]
SCALAR: Shape = (sp.Integer(1), sp.Integer(1))


def shape_of(expr: sp.Basic) -> Shape:
    """The shape of a matrix expression; scalars count as 1×1."""
    if isinstance(expr, MatrixExpr) or getattr(expr, "is_Matrix", False):
        rows, cols = expr.shape
        return (sp.sympify(rows), sp.sympify(cols))
    return SCALAR


def derivative_shape(of: Shape, wrt: Shape) -> Shape:
    """Layout of ∂f/∂v: a scalar's gradient has v's shape; a column by a row gives a Jacobian."""
    if of == SCALAR:
        return wrt
    if wrt == SCALAR:
        return of
    if of[1] == 1 and wrt[0] == 1:
        return (of[0], wrt[1])
    raise ValueError(f"no derivative layout for a {of} function of a {wrt} variable")


class MatrixDerivative(MatrixExpr):
    """∂f/∂v kept unevaluated, with the shape of `derivative_shape`: used to state rules.

    SymPy's own `Derivative` is a scalar and cannot stand in a matrix product, so the
    matrix form of the chain rule, (∂u/∂α)ᵀ (∂J/∂u), is written with this node. The
    checks in verify.py replace it by a derivative computed along their own route.
    """

    def __new__(cls, of: sp.Basic, wrt: sp.Basic) -> MatrixDerivative:
        node: MatrixDerivative = sp.Basic.__new__(cls, of, wrt)
        return node

    @property
    def of(self) -> sp.Basic:
        return self.args[0]

    @property
    def wrt(self) -> sp.Basic:
        return self.args[1]

    @property
    def shape(self) -> Shape:
        return derivative_shape(shape_of(self.of), shape_of(self.wrt))


def _drop_unit_kronecker(expr: sp.Basic) -> sp.Basic:
    """KroneckerProduct(c·I₁, A) is c·A: SymPy leaves it unsimplified in Jacobians."""

    def constant_1x1(factor: sp.Basic) -> bool:
        return shape_of(factor) == SCALAR and not factor.atoms(sp.MatrixSymbol)

    def collapse(*factors: sp.Basic) -> sp.Basic:
        scalars = [f.as_explicit()[0, 0] for f in factors if constant_1x1(f)]
        kept = [f for f in factors if not constant_1x1(f)]
        product = kept[0] if len(kept) == 1 else KroneckerProduct(*kept)
        return sp.Mul(*scalars) * product

    return expr.replace(lambda e: isinstance(e, KroneckerProduct), lambda e: collapse(*e.args))


@lru_cache(maxsize=256)
def matrix_derivative(of: sp.Basic, wrt: sp.Basic) -> sp.Basic:
    """∂f/∂v by SymPy's `.diff`, returned in the layout of `derivative_shape`."""
    want = derivative_shape(shape_of(of), shape_of(wrt))
    result = _drop_unit_kronecker(sp.diff(of, wrt))
    if isinstance(result, MatrixExpr):
        result = sp.expand(result).doit()
    if shape_of(result) != want and shape_of(result)[::-1] == want:
        result = result.T.doit()
    if want == SCALAR and not isinstance(of, MatrixExpr):
        return collapse_deltas(result)
    return result


def collapse_deltas(expr: sp.Basic) -> sp.Basic:
    """Sum over k of KroneckerDelta(k, j)·f(k) becomes f(j), without a Piecewise on the range."""

    def collapse(body: sp.Basic, *limits: sp.Tuple) -> sp.Basic:
        if body.has(sp.KroneckerDelta) and len(limits) == 1:
            return deltasummation(body, limits[0], no_piecewise=True)
        return Sum(body, *limits)

    return sp.expand(expr).replace(lambda e: isinstance(e, Sum), lambda e: collapse(*e.args))


def orient(expr: MatrixExpr) -> MatrixExpr:
    """Write every 1×1 term in one fixed orientation, so that aᵀb and bᵀa compare equal.

    Of a term and its transpose the one whose text sorts first is kept; `ones`-first
    terms such as 1ᵀu sort before uᵀ1, which is the orientation the textbook uses.
    """
    expanded = sp.expand(expr).replace(
        lambda e: isinstance(e, sp.OneMatrix) and e.shape == (1, 1), lambda e: sp.Identity(1)
    )
    if not isinstance(expanded, MatrixExpr) or shape_of(expanded) != SCALAR:
        return expanded

    def oriented(term: sp.Basic) -> sp.Basic:
        flipped = term.T.doit()
        return min(term, flipped, key=_orientation_key)

    terms = expanded.args if isinstance(expanded, sp.MatAdd) else (expanded,)
    return sp.MatAdd(*[oriented(t) for t in terms]).doit()


def _orientation_key(term: sp.Basic) -> tuple[int, str]:
    """Prefer terms whose first matrix factor is a row of ones, then plain text order."""
    factors = term.args if isinstance(term, sp.MatMul) else (term,)
    matrices = [f for f in factors if isinstance(f, MatrixExpr)]
    leads_with_ones = bool(matrices) and isinstance(matrices[0], sp.OneMatrix)
    return (0 if leads_with_ones else 1, sp.srepr(term))


def is_zero_matrix(expr: sp.Basic) -> bool:
    """True when a matrix expression reduces to the zero matrix after orientation."""
    reduced = orient(expr)
    return bool(getattr(reduced, "is_ZeroMatrix", False)) or reduced == 0


def linear_sums(expr: sp.Basic) -> sp.Basic:
    """A normal form for scalar expressions with sums over matrix entries.

    Every term becomes coefficient · Sum(monomial, limits...) with one flat list of limits,
    sums of sums and products of sums merged, and the summation indices renamed in a
    fixed way. Two such expressions are equal when the normal form of their difference
    expands to zero (a zero is proof; a non-zero may still be an unrecognised identity).
    """
    total = sp.Integer(0)
    for coefficient, body, limits in _terms(expr):
        if limits:
            renamed_body, renamed_limits = _canonical_indices(body, limits)
            total += coefficient * Sum(renamed_body, *renamed_limits)
        else:
            total += coefficient * body
    return sp.expand(total)


Term = tuple[sp.Expr, sp.Expr, tuple[sp.Tuple, ...]]


def _terms(expr: sp.Basic) -> list[Term]:
    """Expand into (coefficient free of indices, monomial, summation limits) terms."""
    result: list[Term] = []
    for term in sp.Add.make_args(sp.expand(expr)):
        partial: list[Term] = [(sp.Integer(1), sp.Integer(1), ())]
        for factor in _factors(term):
            pieces = (
                _sum_terms(factor) if isinstance(factor, Sum) else [(factor, sp.Integer(1), ())]
            )
            partial = [
                (c1 * c2, b1 * b2, l1 + l2) for c1, b1, l1 in partial for c2, b2, l2 in pieces
            ]
        result.extend(partial)
    return result


def _factors(term: sp.Basic) -> list[sp.Basic]:
    """The factors of a product, with a power of a sum written as repeated factors."""
    result: list[sp.Basic] = []
    for factor in sp.Mul.make_args(term):
        base, power = factor.as_base_exp()
        if isinstance(base, Sum) and power.is_Integer and power > 0:
            result.extend([base] * int(power))
        else:
            result.append(factor)
    return result


def _sum_terms(total: Sum) -> list[Term]:
    """The terms of one sum, with fresh index names so that products of sums cannot clash."""
    body = total.function
    limits = []
    for index, low, high in total.limits:
        fresh = sp.Dummy(str(index), integer=True)
        body = body.xreplace({index: fresh})
        limits.append(sp.Tuple(fresh, low, high))
    result: list[Term] = []
    for coefficient, monomial, inner in _terms(body):
        kept = list(inner)
        for limit in limits:
            if monomial.has(limit[0]) or coefficient.has(limit[0]):
                kept.append(limit)
            else:  # a sum of a constant is the constant times the number of terms
                coefficient *= limit[2] - limit[1] + 1
        bound = [lim[0] for lim in kept]
        free, dependent = (
            coefficient.as_independent(*bound, as_Add=False) if bound else (coefficient, 1)
        )
        result.append((free, dependent * monomial, tuple(kept)))
    return result


def _canonical_indices(
    body: sp.Expr, limits: tuple[sp.Tuple, ...]
) -> tuple[sp.Expr, list[sp.Tuple]]:
    """Rename indices to fixed names; among orderings of the names keep the smallest text."""
    best: tuple[str, sp.Expr, list[sp.Tuple]] | None = None
    for order in permutations(limits):
        names = {lim[0]: sp.Symbol(f"_k{pos}", integer=True) for pos, lim in enumerate(order)}
        renamed_body = body.xreplace(names)
        renamed = sorted((sp.Tuple(names[lim[0]], lim[1], lim[2]) for lim in limits), key=sp.srepr)
        key = sp.srepr(renamed_body) + sp.srepr(renamed)
        if best is None or key < best[0]:
            best = (key, renamed_body, renamed)
    assert best is not None
    return best[1], best[2]
