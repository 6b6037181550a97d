"""Zero tests for scalar expressions with sums over matrix entries (the symbolic model route).

Used by model_symbolic.py. Every sum is brought to one normal form: nested sums and products
of sums become one sum over all their ranges, factors free of the indices stand outside, the
ranges are sorted and the indices named canonically (Σₖ Σₗ 2aₗbₖ, Σₗₖ aₗbₖ·2 and (Σₖ bₖ)(2Σₗ aₗ)
all read the same). Sums over the same ranges are merged into one sum whose summand must
reduce to zero (a sufficient condition); sums inside a function (sigmoid(α + Σₗ Xₖₗβₗ)) are
replaced by opaque symbols, one per normal-form sum; what is left is expanded without
splitting exponentials and cancelled. A zero is a proof; a non-zero is a failure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy as sp
from sympy import Sum
from sympy.concrete.delta import deltasummation

Limit = tuple[sp.Basic, sp.Basic, sp.Basic]  # (index, low, high)
Monomial = tuple[sp.Basic, tuple[Limit, ...]]  # a product, summed over these ranges
Names = dict[tuple[sp.Tuple, int], sp.Dummy]  # the canonical index of (range, position)
Opaque = dict[sp.Basic, sp.Dummy]  # a normal-form sum inside a function -> its symbol
ONE = sp.Integer(1)
ZERO = sp.Integer(0)
MAX_RENAMINGS = 120  # orders of a term's indices tried; beyond that, the order found


def collapse_deltas(expr: sp.Basic) -> sp.Basic:
    """Σₖ δₖⱼ f(k) becomes f(j), innermost sums first, without a Piecewise on the range."""

    def collapse(total: Sum) -> sp.Basic:
        body = total.function
        for limit in reversed(total.limits):
            if body.has(sp.KroneckerDelta):
                body = deltasummation(expand(body), limit, no_piecewise=True)
            else:
                body = Sum(body, limit)
        return body

    return expr.replace(lambda e: isinstance(e, Sum), collapse)


def expand(expr: sp.Basic) -> sp.Basic:
    """Products and powers multiplied out; exp(a + b) and log(ab) left whole."""
    return sp.expand(expr, power_exp=False, log=False)


def _depth(expr: sp.Basic) -> int:
    """How deeply sums nest in an expression."""
    inner = max((_depth(arg) for arg in expr.args), default=0)
    return inner + 1 if isinstance(expr, Sum) else inner


def canonical(expr: sp.Basic) -> sp.Basic:
    """Bound indices renamed by nesting depth, so that equal sums are equal expressions."""
    if not expr.args:
        return expr
    if not isinstance(expr, Sum):
        args = [canonical(arg) for arg in expr.args]
        unchanged = all(new is old for new, old in zip(args, expr.args, strict=True))
        return expr if unchanged else expr.func(*args)
    body = canonical(expr.function)
    for index, low, high in expr.limits:  # innermost first: an inner range may use an outer index
        name = sp.Symbol(f"_k{_depth(body) + 1}", integer=True, nonnegative=True)
        body = Sum(body.xreplace({index: name}), (name, low, high))
    return body


def is_zero(expr: sp.Basic) -> bool:
    """Whether the expression reduces to zero (see the module docstring)."""
    return _is_zero(expr, {})


def _is_zero(expr: sp.Basic, opaque: Opaque) -> bool:
    rest, groups = _split(_hide_inner_sums(canonical(expr), opaque))
    if sp.cancel(sp.together(rest)) != 0:
        return False
    return all(_is_zero(body, opaque) for body in groups.values())


def _split(expr: sp.Basic) -> tuple[sp.Basic, dict[tuple[sp.Tuple, ...], sp.Basic]]:
    """The terms without sums, and the summands of the sums grouped by their ranges."""
    rest: sp.Basic = ZERO
    groups: dict[tuple[sp.Tuple, ...], sp.Basic] = {}
    names: Names = {}
    for product, limits in _monomials(expr):
        term = _Term.of(product, limits, names)
        if term.spans:
            groups[term.spans] = groups.get(term.spans, ZERO) + term.factor * term.summand
        else:
            rest += term.factor * term.summand
    return rest, groups


# Normal form: a sum of monomials, each one product summed over independent ranges --------


def _monomials(expr: sp.Basic, bound: frozenset[sp.Basic] = frozenset()) -> list[Monomial]:
    """The expression as products summed over ranges: a sum of a sum is one sum over both
    ranges, a sum of terms is split, a product of sums multiplied out. `bound` are the
    indices of the sums around the expression; a sum whose range depends on an index
    stays whole, a factor like any other. The expression's bound indices are canonical
    (never free, never the index of a sum around them); sums side by side that share an
    index get a fresh one."""
    found: list[Monomial] = []
    for term in sp.Add.make_args(expand(expr)):
        parts: list[Monomial] = [(ONE, ())]
        for factor in sp.Mul.make_args(term):
            parts = _times(parts, _opened_factor(factor, bound))
        found.extend(parts)
    return found


def _times(left: list[Monomial], right: list[Monomial]) -> list[Monomial]:
    """The products of two sums of monomials, the right one's indices renamed where taken."""
    found: list[Monomial] = []
    for a, ranges in left:
        taken = {limit[0] for limit in ranges}
        for b, more in right:
            fresh = {limit[0]: _fresh() for limit in more if limit[0] in taken}
            if fresh:
                b = b.xreplace(fresh)
                more = tuple((fresh.get(index, index), low, high) for index, low, high in more)
            found.append((a * b, ranges + more))
    return found


def _opened_factor(factor: sp.Basic, bound: frozenset[sp.Basic]) -> list[Monomial]:
    """A factor as monomials: a sum (or a positive power of one) opened, others as they are."""
    base, power = factor.as_base_exp()
    if not (isinstance(base, Sum) and power.is_Integer and power > 0 and _opens(base, bound)):
        return [(factor, ())]
    parts: list[Monomial] = [(ONE, ())]
    for _ in range(int(power)):
        parts = _times(parts, _opened(base, bound))
    return parts


def _opens(total: Sum, bound: frozenset[sp.Basic]) -> bool:
    """Whether the sum's ranges are independent of every index around and inside it."""
    indices = bound | set(total.variables)
    return not any(sp.Tuple(low, high).free_symbols & indices for _, low, high in total.limits)


def _opened(total: Sum, bound: frozenset[sp.Basic]) -> list[Monomial]:
    """A sum's summand as monomials, each summed over the sum's ranges too."""
    fresh = {index: _fresh() for index in total.variables if index in bound}
    if fresh:  # an index that shadows one around it
        total = total.xreplace(fresh)
    limits = tuple((index, low, high) for index, low, high in total.limits)
    inside = bound | set(total.variables)
    return [(body, limits + more) for body, more in _monomials(total.function, inside)]


def _fresh() -> sp.Dummy:
    return sp.Dummy("k", integer=True, nonnegative=True)


def _uses(expr: sp.Basic, index: sp.Basic) -> bool:
    """Whether `index` is free in the expression (a sum that binds it again may count)."""
    if expr == index:
        return True
    if isinstance(expr, Sum) and index in expr.variables:
        return any(_uses(bound, index) for limit in expr.limits for bound in limit[1:])
    return any(_uses(arg, index) for arg in expr.args)


@dataclass(frozen=True)
class _Term:
    """factor · Σ summand over `limits`: the factor free of the indices, the ranges sorted,
    the indices given the names of `names` (one per range and position), in the order of
    the indices within each range that comes first by SymPy's sort key. Terms that differ
    only in the names or order of their indices become equal."""

    factor: sp.Basic
    summand: sp.Basic
    limits: tuple[Limit, ...]

    @property
    def spans(self) -> tuple[sp.Tuple, ...]:
        return tuple(sp.Tuple(low, high) for _, low, high in self.limits)

    @classmethod
    def of(cls, product: sp.Basic, limits: tuple[Limit, ...], names: Names) -> _Term:
        live: list[tuple[sp.Basic, sp.Tuple]] = []
        for index, low, high in limits:
            if _uses(product, index):
                live.append((index, sp.Tuple(low, high)))
            else:  # a range the product does not depend on: its length
                product *= high - low + 1
        factors = sp.Mul.make_args(canonical(product))
        inside = [any(_uses(f, index) for index, _ in live) for f in factors]
        factor = sp.Mul(*[f for f, used in zip(factors, inside, strict=True) if not used])
        summand = sp.Mul(*[f for f, used in zip(factors, inside, strict=True) if used])
        return cls(factor, *_renamed(summand, live, names))


def _renamed(
    summand: sp.Basic, live: list[tuple[sp.Basic, sp.Tuple]], names: Names
) -> tuple[sp.Basic, tuple[Limit, ...]]:
    """The summand with its indices named by range and position (see _Term), and the ranges."""
    spans = sorted({span for _, span in live}, key=sp.default_sort_key)
    classes = [[index for index, s in live if s == span] for span in spans]
    slots = [(span, k) for span, c in zip(spans, classes, strict=True) for k in range(len(c))]
    targets = [names.setdefault(slot, _index()) for slot in slots]
    renamed = [
        summand.xreplace(dict(zip(order, targets, strict=True))) for order in _orders(classes)
    ]
    first = renamed[0] if len(renamed) == 1 else min(renamed, key=sp.default_sort_key)
    return first, tuple(
        (name, span[0], span[1]) for name, (span, _) in zip(targets, slots, strict=True)
    )


def _index() -> sp.Dummy:
    return sp.Dummy("g", integer=True, nonnegative=True)


def _orders(classes: list[list[sp.Basic]]) -> Iterator[tuple[sp.Basic, ...]]:
    """The orders of the indices tried: every order within each range, or if there are too
    many, the order found."""
    if math.prod(math.factorial(len(c)) for c in classes) > MAX_RENAMINGS:
        yield tuple(itertools.chain(*classes))
        return
    for order in itertools.product(*[itertools.permutations(c) for c in classes]):
        yield tuple(itertools.chain(*order))


# Sums inside functions --------------------------------------------------------------


def _hide_inner_sums(expr: sp.Basic, opaque: Opaque) -> sp.Basic:
    """Sums that stand inside a function or a non-polynomial power become opaque symbols."""
    if isinstance(expr, Sum) or not expr.has(Sum):
        return expr
    polynomial = isinstance(expr, (sp.Add, sp.Mul)) or (
        isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 0
    )
    if polynomial:
        return expr.func(*[_hide_inner_sums(arg, opaque) for arg in expr.args])
    return _replace_outermost(expr, lambda total: _opaque(total, opaque))


def _opaque(total: Sum, opaque: Opaque) -> sp.Basic:
    """A sum as factors times opaque symbols, one for each normal-form sum."""
    names: Names = {}
    found: sp.Basic = ZERO
    for product, limits in _monomials(total):
        term = _Term.of(product, limits, names)
        if not term.limits:
            found += term.factor * term.summand
            continue
        key = canonical(Sum(term.summand, *term.limits))
        found += term.factor * opaque.setdefault(key, sp.Dummy(f"s{len(opaque)}"))
    return found


def _replace_outermost(expr: sp.Basic, hide: Callable[[Sum], sp.Basic]) -> sp.Basic:
    if isinstance(expr, Sum):
        return hide(expr)
    if not expr.args or not expr.has(Sum):
        return expr
    return expr.func(*[_replace_outermost(arg, hide) for arg in expr.args])
