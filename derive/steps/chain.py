"""The chain rule of a planned model, computed: its graph, local factors and the signal.

Read by plan.py, which turns the results into steps. The cost J reaches the parameters
through one linear predictor (the pivot, z = α𝟏 + Xβᵀ); every named quantity between J
and the pivot is entrywise, so the derivative of J by one entry of the pivot is one
scalar expression in the entries of the named quantities (the signal), simplified there
to its textbook form, (pᵢ − yᵢ)/m say. Local derivatives come from math/rules.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import sympy as sp
from sympy import MatrixExpr, MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.math.entrywise import Entrywise, HeldDerivative
from derive.math.functions import FUNCTIONS
from derive.math.rules import UnknownOperator, local_derivative
from derive.models.spec import Intermediate, ModelSpec


class UnsupportedModel(InputError, ValueError):
    """A description the planner cannot derive (bad input: exit code 2)."""


@dataclass(frozen=True)
class Factor:
    """One local factor ∂w/∂v of the chain rule (w = J or a named quantity)."""

    of: sp.Basic  # J, or the entry wᵢ
    wrt: sp.Basic  # the entry vᵢ
    held: tuple[sp.Basic, ...]  # named quantities held fixed (a partial derivative)
    value: sp.Expr  # in the entries of named quantities
    because: frozenset[str]  # the rules' sentences (msgids)

    @property
    def node(self) -> sp.Expr:
        """∂w/∂v as shown: a plain derivative, or a held one where w also depends on v
        through other named quantities."""
        if self.held:
            return HeldDerivative(self.of, self.wrt, self.held)
        return sp.Derivative(self.of, self.wrt, evaluate=False)


@dataclass(frozen=True)
class Signal:
    """∂J/∂zᵢ: the paths from J to the pivot, their factors, the product and its
    simplified form c·h₁h₂… (c free of the entries), and h as a vector expression."""

    paths: tuple[tuple[Factor, ...], ...]
    product: sp.Expr
    coefficient: sp.Expr
    entry: sp.Expr  # h's entry, so that ∂J/∂zᵢ = coefficient · entry
    vector: MatrixExpr  # h
    distributed: sp.Expr | None = None  # the line between: denominators cancelled term by term


class Graph:
    """Which named quantity uses which, and the model's pivot and penalty terms."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.named = {item.symbol: item for item in spec.intermediates}
        self.parameters = tuple(q.symbol for q in spec.parameters)

    def uses(self, expr: sp.Basic) -> tuple[sp.Basic, ...]:
        """The named quantities an expression refers to, in the order they are defined."""
        found = _symbols_in(expr)
        return tuple(item.symbol for item in self.spec.intermediates if item.symbol in found)

    def reaches(self, source: sp.Basic, target: sp.Basic) -> bool:
        """Whether `source` (a name, or J) depends on `target` through the definitions."""
        definition = self.spec.cost if source == self.spec.J else self.named[source].definition
        return any(name == target or self.reaches(name, target) for name in self.uses(definition))

    @cached_property
    def pivot(self) -> Intermediate:
        holders = [
            item
            for item in self.spec.intermediates
            if _symbols_in(item.definition) & set(self.parameters)
        ]
        if len(holders) != 1 or holders[0].shape != (self.spec.m, sp.S.One):
            names = ", ".join(item.name for item in holders) or gettext("none")
            raise UnsupportedModel(
                gettext(
                    "the parameters must enter through exactly one named m×1 quantity, "
                    "such as z = alpha + X beta^T (found: {names})"
                ).format(names=names)
            )
        return holders[0]

    @cached_property
    def cost_terms(self) -> tuple[tuple[sp.Basic, ...], tuple[sp.Basic, ...]]:
        """(data terms, penalty terms): a penalty names parameters and no m-sized thing."""
        terms = self.spec.cost.args if isinstance(self.spec.cost, sp.MatAdd) else (self.spec.cost,)
        data, penalty = [], []
        for term in terms:
            direct = _symbols_in(term) & set(self.parameters)
            if not direct:
                data.append(term)
            elif any(_has_size(s, self.spec.m) for s in _symbols_in(term)):
                raise UnsupportedModel(
                    gettext(
                        "a cost term uses a parameter directly together with m-sized data; "
                        "name the linear predictor (z = alpha + X beta^T) and use it instead"
                    )
                )
            else:
                penalty.append(term)
        return tuple(data), tuple(penalty)

    def definition_entry(self, symbol: sp.Basic) -> sp.Expr:
        """The entry form (index i) of J's data terms or of a named quantity's definition."""
        i = self.spec.i
        if symbol == self.spec.J:
            data, _penalty = self.cost_terms
            return sp.Add(*(term[0, 0] for term in data))
        definition = self.named[symbol].definition
        return definition[i, 0] if isinstance(definition, MatrixExpr) else definition

    def factor(self, of: sp.Basic, wrt: sp.Basic) -> Factor:
        """∂of/∂wrt by the rule table, in named entries (σ(zᵢ) shown as pᵢ)."""
        i = self.spec.i
        wrt_entry = wrt[i, 0]
        try:
            value, because = local_derivative(self.definition_entry(of), wrt_entry)
        except UnknownOperator as error:
            raise UnsupportedModel(
                gettext("no rule to differentiate {name}: {reason}").format(
                    name=_name(of, self.spec), reason=error
                )
            ) from error
        held = tuple(
            other
            for other in self.uses(
                self.spec.cost if of == self.spec.J else self.named[of].definition
            )
            if other != wrt and self.reaches(other, wrt)
        )
        of_shown = of if of == self.spec.J else of[i, 0]
        return Factor(of_shown, wrt_entry, held, self.named_entries(value), because)

    def named_entries(self, expr: sp.Expr) -> sp.Expr:
        """Replace each named quantity's definition, entry i, by the name's entry."""
        i = self.spec.i
        for item in reversed(self.spec.intermediates):
            if isinstance(item.symbol, MatrixSymbol) and item is not self.pivot:
                expr = expr.xreplace({item.definition[i, 0]: item.symbol[i, 0]})
        return expr

    def paths(self, source: sp.Basic) -> list[list[sp.Basic]]:
        """Every path of names from `source` down to the pivot."""
        pivot = self.pivot.symbol
        definition = self.spec.cost if source == self.spec.J else self.named[source].definition
        found: list[list[sp.Basic]] = []
        for name in self.uses(definition):
            if name == pivot:
                found.append([source, pivot])
            elif self.reaches(name, pivot):
                found.extend([source, *rest] for rest in self.paths(name))
        return found


def signal(graph: Graph) -> Signal:
    """∂J/∂zᵢ along every path, multiplied out and simplified."""
    paths = tuple(
        tuple(graph.factor(path[k], path[k + 1]) for k in range(len(path) - 1))
        for path in sorted(graph.paths(graph.spec.J), key=len, reverse=True)
    )
    if not paths:
        raise UnsupportedModel(gettext("the cost does not depend on the parameters"))
    product = sp.Add(*(sp.Mul(*(f.value for f in path)) for path in paths))
    coefficient, entry = textbook(product, graph.spec)
    vector = vectorize(entry, graph.spec)
    return Signal(paths, product, coefficient, entry, vector, distributed(product))


def distributed(product: sp.Expr) -> sp.Expr | None:
    """The logistic line a student needs to see: a factor that is a sum of fractions
    (yᵢ/pᵢ − (1 − yᵢ)/(1 − pᵢ)), each term multiplied by the other factors on its own so that
    its denominator cancels: −(1/m)(yᵢ(1 − pᵢ) − (1 − yᵢ)pᵢ). None where there is no such sum."""
    factors = sp.Mul.make_args(product)
    sums = [f for f in factors if isinstance(f, sp.Add) and divides_by_entries(f)]
    if len(sums) != 1:
        return None
    (fractions,) = sums
    others = [f for f in factors if f is not fractions]
    coefficient = sp.Mul(*(f for f in others if not _has_entry(f)))
    rest = sp.Mul(*(f for f in others if _has_entry(f)))
    terms = []
    for term in fractions.args:
        negative = term.could_extract_minus_sign()
        magnitude = (-term if negative else term) * rest  # SymPy cancels the denominator
        if divides_by_entries(magnitude):
            return None
        terms.append(sp.Mul(-1, magnitude, evaluate=False) if negative else magnitude)
    return coefficient * sp.Add(*terms, evaluate=False)


def divides_by_entries(expr: sp.Expr) -> bool:
    """Whether an expression divides by entries (yᵢ/pᵢ), not only by numbers (1/m)."""
    return bool(sp.denom(sp.together(expr)).atoms(MatrixElement))


def textbook(expr: sp.Expr, spec: ModelSpec) -> tuple[sp.Expr, sp.Expr]:
    """(c, h) with expr = c·h, c free of entries, h a product of entries and of sums whose
    number is positive (𝟏 − pᵢ), and c positive where a difference can take its sign
    ((pᵢ − yᵢ)/m rather than −(yᵢ − pᵢ)/m)."""
    entries = sorted(expr.atoms(MatrixElement), key=sp.default_sort_key)
    plain = {e: sp.Dummy(f"e{k}") for k, e in enumerate(entries)}
    back = {v: k for k, v in plain.items()}
    written = expr.xreplace(plain)
    # The shorter of the product with common factors pulled out (keeps 1 − aᵢ² whole)
    # and the product cancelled and factored (where the denominators of log terms go).
    reduced = min(
        (sp.factor_terms(written), sp.factor(sp.cancel(sp.together(written)))), key=sp.count_ops
    )
    coefficient, factors = sp.S.One, []
    for factor in sp.Mul.make_args(reduced):
        if not factor.free_symbols & set(back):
            coefficient *= factor
        else:
            factors.append(factor)
    oriented = []
    for factor in factors:
        constant, _rest = factor.as_coeff_add()
        if isinstance(factor, sp.Add) and constant.is_negative:
            factor, coefficient = -factor, -coefficient
        oriented.append(factor)
    if coefficient.could_extract_minus_sign():
        for index, factor in enumerate(oriented):
            if isinstance(factor, sp.Add) and factor.as_coeff_add()[0] == 0:
                oriented[index], coefficient = sp.expand(-factor), -coefficient
                break
    rank = _rank(spec)
    oriented.sort(
        key=lambda f: (isinstance(f, sp.Add), rank(f.xreplace(back)), sp.default_sort_key(f))
    )
    entry = sp.Mul(*(f.xreplace(back) for f in oriented), evaluate=False) if oriented else sp.S.One
    return coefficient, entry


def _rank(spec: ModelSpec) -> Callable[[sp.Basic], int]:
    """Order of the factors of h: data first, then the named quantities nearest J."""
    order = [q.symbol for q in spec.data] + [q.symbol for q in reversed(spec.intermediates)]

    def rank(factor: sp.Basic) -> int:
        parents = [e.parent for e in factor.atoms(MatrixElement)]
        positions = [order.index(p) for p in parents if p in order]
        return min(positions, default=len(order))

    return rank


def vectorize(entry: sp.Expr, spec: ModelSpec) -> MatrixExpr:
    """The m×1 vector whose entry i is `entry`: uᵢpᵢ(1 − pᵢ) -> u ∘ p ∘ (𝟏 − p)."""
    i, ones = spec.i, spec.ones
    if isinstance(entry, MatrixElement) and entry.i == i:
        return entry.parent
    if isinstance(entry, sp.Mul):
        scalars = [f for f in entry.args if not _has_entry(f)]
        vectors = [vectorize(f, spec) for f in entry.args if _has_entry(f)]
        body = vectors[0] if len(vectors) == 1 else sp.HadamardProduct(*vectors)
        return sp.MatMul(sp.Mul(*scalars), body) if scalars else body
    if isinstance(entry, sp.Add):
        terms = [vectorize(t, spec) if _has_entry(t) else t * ones for t in entry.args]
        return sp.MatAdd(*terms)
    if isinstance(entry, sp.Pow) and entry.exp.is_Integer:
        return sp.HadamardPower(vectorize(entry.base, spec), entry.exp)
    for name, function in FUNCTIONS.items():
        if len(entry.args) == 1 and entry == function(entry.args[0]):
            return Entrywise(name, vectorize(entry.args[0], spec))
    raise UnsupportedModel(gettext("cannot write {entry} as a vector").format(entry=sp.sstr(entry)))


def _has_entry(expr: sp.Basic) -> bool:
    return bool(expr.atoms(MatrixElement))


def _symbols_in(expr: sp.Basic) -> set[sp.Basic]:
    return set(expr.atoms(sp.Symbol, MatrixSymbol))


def _has_size(symbol: sp.Basic, size: sp.Expr) -> bool:
    return isinstance(symbol, MatrixSymbol) and size in symbol.shape


def _name(symbol: sp.Basic, spec: ModelSpec) -> str:
    return "J" if symbol == spec.J else str(symbol)
