"""A step's right-hand side and a student's expression as explicit numbers at concrete sizes.

Part of the comparison of `derive check --model` (targets -> explicit -> compare): both
sides become, at each of a few sizes, one column of entries — every entry of the matrix,
at every value of the free indices i and j — whose entries are exact SymPy expressions in
the entries of the data and the parameters (X[0,1], β[0,0], α, λ). The evaluator is the
explicit route's (verify/model_explicit.py), which reads the model's own definitions, with
the reader's own objects (a row Xᵢ, a sum of matrices, a ones vector) added.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp
from sympy import ImmutableMatrix, MatrixSymbol

from derive.grade.indexed import MatrixSum, Ones, Row
from derive.math.functions import Sigmoid, Softplus
from derive.models.spec import ModelSpec
from derive.steps.derivation import Relation
from derive.verify.model_common import sized
from derive.verify.model_explicit import ExplicitEvaluator, Keep, is_exactly_zero
from derive.verify.routes import unroll

SIZES = ((3, 2), (4, 2), (3, 4))  # m changes from the first to the second, n to the third
INDEX_NAMES = ("i", "j")  # a free index over the examples, over the features
_SEED = 20261130  # the random points of a numeric comparison: the same on every run
POINTS = (0, 1, 2)
_TINY = sp.Float("1e-40", 50)  # relative: 40 of the 50 digits agree
_LARGEST_DENOMINATOR = 10**6  # of a factor read from numbers


class StudentEvaluator(ExplicitEvaluator):
    """The explicit route's evaluator, also for the reader's rows, sums and ones."""

    def _value_Row(self, expr: Row, keep: Keep) -> ImmutableMatrix:
        parent, index = expr.args
        return ImmutableMatrix(self.value(parent, keep).row(int(index)))

    def _value_MatrixSum(self, expr: MatrixSum, keep: Keep) -> ImmutableMatrix:
        body, (index, low, high) = expr.args
        terms = [self.value(body.xreplace({index: k}), keep) for k in range(low, high + 1)]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return ImmutableMatrix(total)

    def _value_Ones(self, expr: Ones, keep: Keep) -> ImmutableMatrix:
        return ImmutableMatrix(sp.ones(*(int(size) for size in expr.shape)))


@dataclass(frozen=True)
class Indices:
    """The free indices of one side: which of i (an example) and j (a feature) occur."""

    example: bool
    feature: bool

    def points(self, m: int, n: int) -> Iterator[dict[str, int]]:
        ranges = [("i", m)] * self.example + [("j", n)] * self.feature
        for values in itertools.product(*(range(size) for _, size in ranges)):
            yield {name: value for (name, _), value in zip(ranges, values, strict=True)}


class Explicit:
    """Values of expressions of one model at the sizes of SIZES, cached per size."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self._evaluators: dict[tuple[int, int], StudentEvaluator] = {}

    def evaluator(self, size: tuple[int, int]) -> StudentEvaluator:
        if size not in self._evaluators:
            self._evaluators[size] = StudentEvaluator(self.spec, *size)
        return self._evaluators[size]

    def column(self, expr: sp.Basic, indices: Indices, size: tuple[int, int]) -> ImmutableMatrix:
        """Every entry at every value of the free indices, as one column."""
        m, n = size
        at_size = sized(self.spec, expr, m, n)
        free = _index_symbols(at_size)
        entries: list[sp.Expr] = []
        for point in indices.points(m, n):
            pinned = at_size.xreplace(
                {symbol: sp.Integer(point[symbol.name]) for symbol in free if symbol.name in point}
            )
            entries += list(self.evaluator(size).value(unroll(pinned)))
        return ImmutableMatrix(len(entries), 1, entries)

    def columns(self, expr: sp.Basic, indices: Indices) -> tuple[ImmutableMatrix, ...]:
        return tuple(self.column(expr, indices, size) for size in SIZES)

    def variables(self, size: tuple[int, int]) -> dict[str, tuple[sp.Basic, ...]]:
        """The entries of every declared quantity at one size, by name (X: X[0,0], ...)."""
        evaluator = self.evaluator(size)
        found: dict[str, tuple[sp.Basic, ...]] = {}
        for quantity in self.spec.declared:
            symbol = quantity.symbol.xreplace(self.spec.sizes(*size))
            found[quantity.name] = (
                tuple(evaluator.own(symbol)) if isinstance(symbol, MatrixSymbol) else (symbol,)
            )
        return found


def index_names(expr: sp.Basic) -> Indices:
    """Which free indices an expression has (by their names, i and j)."""
    names = {symbol.name for symbol in _index_symbols(expr)}
    return Indices("i" in names, "j" in names)


def relation_indices(relation: Relation) -> Indices:
    """The free indices of a relation, on either side (∂zᵢ/∂α = 1 has i on the left)."""
    lhs, rhs = index_names(relation.lhs), index_names(relation.rhs)
    return Indices(lhs.example or rhs.example, lhs.feature or rhs.feature)


def _index_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in INDEX_NAMES}


def agree(left: ImmutableMatrix, right: ImmutableMatrix) -> str | None:
    """How two columns were found equal: "exact" (every difference cancels to 0), or
    "numeric" (a difference SymPy does not cancel, such as σ(t) against 1/(1 + e⁻ᵗ), is 0
    to 40 digits at three random points); None when they differ. The numbers come first:
    a difference that is not 0 at a random point is not sent to `cancel`."""
    if left.shape != right.shape or not _near(left, right, POINTS[:1]):
        return None
    if all(is_exactly_zero(entry) for entry in left - right):
        return "exact"
    return "numeric" if _near(left, right, POINTS[1:]) else None


def close(left: ImmutableMatrix, right: ImmutableMatrix) -> bool:
    """Equal to 40 digits at the first random point (a quick screen, not a proof)."""
    return left.shape == right.shape and _near(left, right, POINTS[:1])


def ratio(given: ImmutableMatrix, reference: ImmutableMatrix) -> sp.Rational | None:
    """The number c with given = c·reference, or None: read at a random point (a fraction
    with a denominator up to 10⁶), then confirmed to 40 digits at the other points. It
    explains a difference already shown by a counterexample, so numbers suffice."""
    if given.shape != reference.shape:
        return None
    g, r = at_point(given, POINTS[0]), at_point(reference, POINTS[0])
    found = next((a / b for a, b in zip(g, r, strict=True) if abs(b) > _TINY), None)
    if found is None:
        return None
    c = sp.nsimplify(found, rational=True, tolerance=sp.Float("1e-25"))
    if not c.is_Rational or c.q > _LARGEST_DENOMINATOR:
        return None
    return sp.Rational(c) if _near(given, reference * c, POINTS) else None


def at_point(column: ImmutableMatrix, point: int) -> list[sp.Float]:
    """The entries to 50 digits at one of the random points (the same for every column:
    a variable's value depends on its name and the point only)."""
    variables = sorted(column.free_symbols, key=sp.default_sort_key)
    values = {v: _value(v, point) for v in variables}
    return [numeric(entry.xreplace(values), 50) for entry in column]


def _near(left: ImmutableMatrix, right: ImmutableMatrix, points: tuple[int, ...]) -> bool:
    """Equal to 40 digits, relative to the entries' size (exp(z) may be 10³⁵), at each
    of the random points."""
    for point in points:
        pairs = zip(at_point(left, point), at_point(right, point), strict=True)
        for a, b in pairs:
            if not (a.is_number and b.is_number):
                return False
            if abs(a - b) > _TINY * (1 + abs(a) + abs(b)):
                return False
    return True


def _value(variable: sp.Basic, point: int) -> sp.Rational:
    rng = random.Random(f"{_SEED}:{point}:{variable}")
    return sp.Rational(rng.randint(-90, 90), rng.randint(20, 90))


def numeric(expr: sp.Expr, digits: int) -> sp.Expr:
    """A number to `digits` digits, σ and softplus written through exp first (only
    those: a rewrite of the whole expression costs more than the evaluation)."""
    written = {call: call.rewrite(sp.exp) for call in expr.atoms(Sigmoid, Softplus)}
    return sp.N(expr.xreplace(written) if written else expr, digits)
