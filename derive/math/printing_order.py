"""The order in which printing.py writes terms and factors, for any model's names.

The article's names have a reading order (y, ŷ, u, α, β, X); other names come after them
in SymPy's own (deterministic) order. Signs: a term's leading minus is taken out so that
`+ -` never appears; complements (1 − pᵢ) follow what they complement, pᵢ(1 − pᵢ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp
from sympy import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.entrywise import AsMatrix, Entrywise
from derive.math.functions import Sigmoid, Softplus

# Reading order of terms in a sum: the target, then the prediction, bias, weights.
_READING_RANK = {"y": 0, "yhat": 1, "u": 2, "alpha": 3, "beta": 4, "X": 5}
# Order of entries in a product: uᵢ Xᵢⱼ, Xᵢₖ βₖ (as in uᵀX and Xβᵀ).
_PRODUCT_RANK = {"y": 0, "yhat": 1, "u": 2, "X": 3, "beta": 4}
# Scalar functions of derive/math/functions.py: SymPy class -> name in FUNCTIONS.
_FUNCTION_NAMES: dict[type[sp.Function], str] = {
    Sigmoid: "sigmoid",
    Softplus: "softplus",
    sp.log: "log",
    sp.exp: "exp",
    sp.tanh: "tanh",
}
FUNCTION_CLASSES = tuple(_FUNCTION_NAMES)


def scalars_of(term: sp.MatMul) -> sp.Expr:
    """The product of a matrix product's scalar factors."""
    return sp.Mul(*[a for a in term.args if not isinstance(a, MatrixExpr)])


def is_negative(term: sp.Basic) -> bool:
    """A term printed with a leading minus: a negative number or coefficient in front."""
    if isinstance(term, sp.MatMul):
        return bool(scalars_of(term).could_extract_minus_sign())
    if isinstance(term, AsMatrix):
        return bool(term.value.could_extract_minus_sign())
    if isinstance(term, MatrixExpr) and not isinstance(term, MatrixElement):
        return False
    return bool(term.could_extract_minus_sign())


def negate(term: sp.Basic) -> sp.Basic:
    """The term without its leading minus, keeping the order of matrix factors."""
    if isinstance(term, sp.MatMul):
        matrices = [a for a in term.args if isinstance(a, MatrixExpr)]
        return sp.MatMul(-scalars_of(term), *matrices)
    if isinstance(term, AsMatrix):
        return AsMatrix(-term.value)
    return -term


def _scaled(term: sp.Basic) -> bool:
    """A term with a coefficient other than ±1 in front: a number (2λβ, -(2/m) uᵀX) or a
    factor free of entries (-(1/m) uᵀX), not a product of entries (yᵢ log pᵢ)."""
    scalar = scalars_of(term) if isinstance(term, sp.MatMul) else term
    if not isinstance(scalar, sp.Mul):
        return False
    number, rest = scalar.as_coeff_Mul()
    free = [f for f in sp.Mul.make_args(rest) if not f.atoms(MatrixElement, sp.Sum)]
    return bool(abs(number) != 1 or free)


def reading_order(terms: Sequence[sp.Basic]) -> list[sp.Basic]:
    """Positive terms first, lone symbols before products, then y, ŷ, u, α, β, X, others,
    then the shorter term first: yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ).

    When every term of a matrix sum (or of a sum holding a Σ) has a coefficient in front,
    the signs do not count: the gradient of a penalised cost reads −(2/m) uᵀX + 2λβ, the
    data term first, as the cost does; (1/m) μᵢ − (1/m) yᵢ keeps the positive term first.
    """
    signless = all(_scaled(term) for term in terms) and any(
        isinstance(term, MatrixExpr) or term.has(sp.Sum) for term in terms
    )
    return sorted(terms, key=lambda term: _reading_key(term, signless))


def _reading_key(term: sp.Basic, signless: bool) -> tuple[int, int, int, int, int]:
    negative = 1 if is_negative(term) else 0
    core = negate(term) if negative else term
    compound = 0 if isinstance(core, (sp.Symbol, sp.MatrixSymbol, MatrixElement)) else 1
    names = [getattr(a, "name", None) for a in sp.preorder_traversal(core)]
    ranks = [_READING_RANK[n] for n in names if n in _READING_RANK]
    rank = min(ranks, default=len(_READING_RANK))
    size = len(names)  # nodes of the term's tree
    if signless:
        return (0, compound, rank, negative, size)
    return (negative, compound, rank, 0, size)


def is_complement(factor: sp.Basic) -> bool:
    """A sum with a number in it, such as 1 − pᵢ or 𝟏 − p: it follows what it complements."""
    if isinstance(factor, sp.MatAdd):
        return any(isinstance(t, sp.OneMatrix) for t in factor.args)
    return isinstance(factor, sp.Add) and any(t.is_Number for t in factor.args)


def _complemented(factor: sp.Basic) -> sp.Basic:
    """What a complement is the complement of: pᵢ for 1 − pᵢ, p for 𝟏 − p."""
    if isinstance(factor, sp.MatAdd):
        rest = [t for t in factor.args if not isinstance(t, sp.OneMatrix)]
        return -rest[0] if len(rest) == 1 and is_negative(rest[0]) else factor
    return sp.S.One - factor


def function_parts(expr: sp.Basic) -> tuple[str, sp.Basic] | None:
    """("log", p) for log(p) entry by entry or log(pᵢ); None when `expr` is no function."""
    if isinstance(expr, Entrywise):
        return (expr.name, expr.arg)
    name = next((n for cls, n in _FUNCTION_NAMES.items() if isinstance(expr, cls)), None)
    return None if name is None else (name, expr.args[0])


def is_function(factor: sp.Basic) -> bool:
    """log pᵢ, exp(zᵢ), tanh(zᵢ): a function applied to a scalar, or entry by entry."""
    return function_parts(factor) is not None


def _entry_name(factor: sp.Basic) -> str | None:
    """The name of an entry pᵢ, of a vector p or of its transpose pᵀ (∘ multiplies these)."""
    if isinstance(factor, sp.Transpose):
        factor = factor.arg
    if isinstance(factor, MatrixElement):
        factor = factor.parent
    return str(factor.name) if isinstance(factor, sp.MatrixSymbol) else None


def ordered_factors(factors: Sequence[sp.Basic]) -> list[sp.Basic]:
    """Entries (uᵢ pᵢ, uᵢ Xᵢⱼ), then complements, then functions: (1 − yᵢ) log(1 − pᵢ);
    a complement right after what it complements: pᵢ (1 − pᵢ), and a sigmoid's too."""
    return sorted(factors, key=_factor_key(factors))


def _factor_key(factors: Sequence[sp.Basic]) -> Callable[[sp.Basic], tuple[int, int, int]]:
    def key(factor: sp.Basic) -> tuple[int, int, int]:
        if is_complement(factor):
            partner = _complemented(factor)
            if partner != factor and partner in factors:
                first, second, _ = key(partner)
                return (first, second, 1)
            return (1, 0, 0)
        name = _entry_name(factor)
        if name is not None:
            return (0, _PRODUCT_RANK.get(name, len(_PRODUCT_RANK)), 0)
        return (2, 0, 0) if is_function(factor) else (3, 0, 0)

    return key


def product_factors(expr: sp.Mul, big: tuple[type, ...]) -> tuple[sp.Expr, list[sp.Basic]] | None:
    """A product as (scalar coefficient, factors in the order they are written), or None
    when it is written as SymPy writes it: a fraction (yᵢ/pᵢ) or scalars alone (2η/m).

    Sums of entries come first, (yᵢ − ŷᵢ) Xᵢⱼ, then the factors: entries and functions in
    reading order, a complement right after what it complements, uᵢ pᵢ (1 − pᵢ). A product
    built unevaluated around other products keeps its builder's order of those products.
    """
    if any(_divides_by_an_entry(a) for a in _flat(expr)):
        return None
    plain, factors = _split(expr, big)
    if not any(isinstance(a, big) or _heavy(a) for a in factors):
        return None
    return sp.Mul(*plain), factors


def _split(expr: sp.Mul, big: tuple[type, ...]) -> tuple[list[sp.Basic], list[sp.Basic]]:
    """The scalars of a product (its coefficient) and its other factors, in written order."""
    plain: list[sp.Basic] = []
    factors: list[sp.Basic] = []
    for a in expr.args:
        if isinstance(a, sp.Mul):
            inner_plain, inner_factors = _split(a, big)
            plain += inner_plain
            factors += inner_factors
        elif isinstance(a, big) or a.has(*big):
            factors.append(a)
        else:
            plain.append(a)
    if any(isinstance(a, sp.Mul) for a in expr.args):
        return plain, factors
    sums = [a for a in factors if isinstance(a, sp.Add) and not is_complement(a)]
    rest = [a for a in factors if a not in sums]
    if all(_entry_name(a) or is_function(a) or is_complement(a) for a in rest):
        rest = ordered_factors(rest)
    return plain, [*sums, *rest]


def _flat(expr: sp.Mul) -> list[sp.Basic]:
    """The factors of a product, a product built inside it (unevaluated) opened in place."""
    return [f for a in expr.args for f in (_flat(a) if isinstance(a, sp.Mul) else [a])]


def _divides_by_an_entry(factor: sp.Basic) -> bool:
    """1/pᵢ or (1 − pᵢ)⁻¹: the product is a fraction, yᵢ/pᵢ."""
    exponent = factor.exp if isinstance(factor, sp.Pow) else sp.S.One
    return bool(exponent.is_negative) and factor.has(MatrixElement)


def _heavy(factor: sp.Basic) -> bool:
    """A sum that is not written over a denominator: one with a Σ or a fraction in it,
    −(1/m) (yᵢ/pᵢ − (1 − yᵢ)/(1 − pᵢ)); (pᵢ − yᵢ)/m stays a fraction."""
    if not isinstance(factor, sp.Add):
        return False
    return factor.has(sp.Sum) or any(_divides_by_an_entry(a) for a in sp.preorder_traversal(factor))
