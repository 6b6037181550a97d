"""Zero tests for scalar expressions with sums over matrix entries (the symbolic model route).

Used by model_symbolic.py. Bound indices get canonical names; sums over the same range are
merged into one sum whose summand must reduce to zero (a sufficient condition); sums inside
a function (sigmoid(α + Σₗ Xₖₗβₗ)) are replaced by opaque symbols; what is left is expanded
without splitting exponentials and cancelled. A zero is a proof; a non-zero is a failure.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Sum
from sympy.concrete.delta import deltasummation


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
        return expr.func(*[canonical(arg) for arg in expr.args])
    body = canonical(expr.function)
    for index, low, high in reversed(expr.limits):
        name = sp.Symbol(f"_k{_depth(body) + 1}", integer=True, nonnegative=True)
        body = Sum(body.xreplace({index: name}), (name, low, high))
    return body


def is_zero(expr: sp.Basic) -> bool:
    """Whether the expression reduces to zero (see the module docstring)."""
    return _is_zero(canonical(expr), {})


def _is_zero(expr: sp.Basic, opaque: dict[sp.Basic, sp.Symbol]) -> bool:
    rest, groups = _split(expand(_hide_inner_sums(expr, opaque)))
    if sp.cancel(sp.together(rest)) != 0:
        return False
    return all(_is_zero(canonical(body), opaque) for body in groups.values())


def _hide_inner_sums(expr: sp.Basic, opaque: dict[sp.Basic, sp.Symbol]) -> sp.Basic:
    """Sums that stand inside a function or a non-polynomial power become opaque symbols."""
    if isinstance(expr, Sum) or not expr.has(Sum):
        return expr
    polynomial = isinstance(expr, (sp.Add, sp.Mul)) or (
        isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 0
    )
    if polynomial:
        return expr.func(*[_hide_inner_sums(arg, opaque) for arg in expr.args])

    def hide(total: Sum) -> sp.Symbol:
        key = canonical(total)
        return opaque.setdefault(key, sp.Dummy(f"s{len(opaque)}"))

    return _replace_outermost(expr, hide)


def _replace_outermost(expr: sp.Basic, hide: Callable[[Sum], sp.Basic]) -> sp.Basic:
    if isinstance(expr, Sum):
        return hide(expr)
    if not expr.args or not expr.has(Sum):
        return expr
    return expr.func(*[_replace_outermost(arg, hide) for arg in expr.args])


def _split(expr: sp.Basic) -> tuple[sp.Basic, dict[tuple[sp.Tuple, ...], sp.Basic]]:
    """The terms without sums, and the summands of the sums grouped by their ranges."""
    rest: sp.Basic = sp.Integer(0)
    groups: dict[tuple[sp.Tuple, ...], sp.Basic] = {}
    names: dict[tuple[sp.Tuple, int], sp.Symbol] = {}
    for term in sp.Add.make_args(expr):
        factors, sums = _factors(term)
        if not sums:
            rest += term
            continue
        body: sp.Basic = sp.Mul(*factors)
        ranges: list[sp.Tuple] = []
        for total in sums:
            summand = total.function
            for index, low, high in total.limits:
                span = sp.Tuple(low, high)
                if index not in summand.free_symbols:
                    body *= high - low + 1
                    continue
                key = (span, sum(1 for r in ranges if r == span))
                name = names.setdefault(key, sp.Dummy("g", integer=True, nonnegative=True))
                summand = summand.xreplace({index: name})
                ranges.append(span)
            body *= summand
        if not ranges:
            rest += body
            continue
        group = tuple(ranges)
        groups[group] = groups.get(group, sp.Integer(0)) + body
    return rest, groups


def _factors(term: sp.Basic) -> tuple[list[sp.Basic], list[Sum]]:
    """A product's factors other than sums, and its sums (a power of a sum repeated)."""
    factors: list[sp.Basic] = []
    sums: list[Sum] = []
    for factor in sp.Mul.make_args(term):
        base, power = factor.as_base_exp()
        if isinstance(base, Sum) and power.is_Integer and power > 0:
            sums.extend([base] * int(power))
        else:
            factors.append(factor)
    return factors, sums
