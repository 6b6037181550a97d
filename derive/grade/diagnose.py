"""Comparing a hand-derived gradient with the derived one: equality, explanation, numbers.

Third stage of `derive check` (parse -> build -> diagnose -> check). Both sides are
written in the coordinates of the error: y becomes u + α𝟏 + Xβᵀ and ŷ becomes α𝟏 + Xβᵀ,
a change of variables that can be undone, under which the gradient is short (-(2/m) uᵀX)
and a difference reads as the mistake. Equality is decided as an identity at symbolic
sizes (matcalc's normal forms) and exactly, with explicit matrices of symbols, at several
concrete sizes. A difference is explained by a factor k·mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ (m/(m−1)
for a 2/(m−1) written for 2/m), fitted across sizes, in front of the gradient or of the
gradient without the bias.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TypeVar

import sympy as sp
from sympy import ImmutableMatrix, MatrixExpr, OneMatrix, Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.grade.indexed import MatrixSum, label_ones
from derive.math.matcalc import is_zero_matrix, linear_sums, orient
from derive.models.linear import Model

T = TypeVar("T")
SIZES = ((3, 2), (4, 2), (3, 4))  # m changes from the first to the second, n to the third
CONFIRM = (5, 3)  # a size the fit has not seen
EXPONENTS = range(-3, 4)  # a in mᵃ, b in nᵇ
SHIFTS = (-1, 1)  # m − 1 and m + 1: divisors a student may write for m
SHIFT_EXPONENTS = range(-2, 3)  # c in (m − 1)ᶜ, d in (m + 1)ᵈ
REFERENCES = ("gradient", "missing-bias")
DATA_RANGE = (-2, 3)  # entries of the counterexample's X, y, α, β
COUNTEREXAMPLE_ATTEMPTS = 200


@dataclass(frozen=True)
class Counterexample:
    """Small integer data at which the two gradients differ, and both values (exact)."""

    m: int
    n: int
    X: tuple[tuple[int, ...], ...]
    y: tuple[int, ...]
    alpha: int
    beta: tuple[int, ...]
    given: tuple[tuple[str, ...], ...]
    expected: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Finding:
    """The outcome of a comparison.

    `reference` is what the given expression is proportional to ("gradient", or
    "missing-bias": the gradient with y − Xβᵀ for the error), with the `factor`;
    None when nothing simple explains the difference. `proof` says how the claim
    (equal, or proportional to the reference) was established: "symbolic" (an identity
    at symbolic sizes, also exact at concrete sizes), "concrete" (exact at the concrete
    sizes only), or "counterexample" when only the difference is claimed.
    """

    equal: bool
    reference: str | None
    factor: sp.Expr | None
    proof: str
    difference: sp.Basic | None = None
    counterexample: Counterexample | None = None


class Comparison:
    """A given expression against the expected one, both made scalar or 1×n rows."""

    def __init__(self, model: Model, given: sp.Basic, expected: sp.Basic) -> None:
        self.model = model
        self.given = as_compared(error_coordinates(given, model))
        self.expected = as_compared(expected)
        self.component = self.expected.has(model.j) and not isinstance(self.expected, MatrixExpr)
        bias = OneMatrix(model.m, 1) * model.alpha
        self.references = {
            "gradient": self.expected,
            "missing-bias": as_compared(
                index_through(expected.xreplace({model.u: model.u + bias}))
            ),
        }
        self._values: dict[tuple[str, int, int], ImmutableMatrix] = {}

    def run(self) -> Finding:
        given = [self.values("given", size) for size in SIZES]
        expected = [self.values("gradient", size) for size in SIZES]
        if all(_same(g, e) for g, e in zip(given, expected, strict=True)):
            proof = self.confirm("gradient", sp.Integer(1))
            if proof is not None:
                return Finding(equal=True, reference="gradient", factor=sp.Integer(1), proof=proof)
        difference = self.difference()
        example = self.counterexample()
        for name in REFERENCES:
            factor = fit_factor(given, [self.values(name, size) for size in SIZES], self.model)
            if factor is None or factor == 0:
                continue
            proof = self.confirm(name, factor)
            if proof is not None:
                return Finding(False, name, factor, proof, difference, example)
        return Finding(False, None, None, "counterexample", difference, example)

    def values(self, which: str, size: tuple[int, int]) -> ImmutableMatrix:
        """The explicit value (a matrix of polynomials) of one side at one size, cached."""
        key = (which, *size)
        if key not in self._values:
            expr = self.given if which == "given" else self.references[which]
            self._values[key] = explicit(expr, self.model, *size, component=self.component)
        return self._values[key]

    def confirm(self, name: str, factor: sp.Expr) -> str | None:
        """Check given = factor·reference symbolically, else at a size the fit did not use."""
        reference = self.references[name]
        if self.symbolic_zero(self.given - factor * reference):
            return "symbolic"
        m, n = CONFIRM
        scaled = factor.xreplace(_sizes(self.model, m, n))
        if _same(self.values("given", CONFIRM), scaled * self.values(name, CONFIRM)):
            return "concrete"
        return None

    def symbolic_zero(self, expr: sp.Basic) -> bool:
        """True when the difference reduces to zero at symbolic sizes (False: not shown)."""
        if isinstance(expr, MatrixExpr):
            if with_sums_held(is_zero_matrix, expr):
                return True
            expr = expr[0, self.model.j]
        return bool(linear_sums(expr) == 0)

    def difference(self) -> sp.Basic:
        """Given minus expected, simplified, in the coordinates of the error."""
        difference = self.given - self.expected
        if isinstance(difference, MatrixExpr):
            return label_ones(with_sums_held(orient, difference), self.model.m)
        merged = linear_sums(difference)  # sums over the same range become one sum
        indices = {s: sp.Dummy(s.name, integer=True) for s in merged.atoms(sp.Symbol)}
        renamed = merged.xreplace({s: d for s, d in indices.items() if s.name.startswith("_k")})
        return sp.collect(renamed, sorted(renamed.atoms(Sum), key=sp.srepr))

    def counterexample(self) -> Counterexample | None:
        """Small integers for X, y, α, β at which the two sides differ (seeded, reproducible).

        The first size where the explicit values differ is used; the range of the random
        integers widens slowly, for differences that vanish on many small integers.
        """
        for m, n in (*SIZES, CONFIRM):
            given, expected = self.values("given", (m, n)), self.values("gradient", (m, n))
            if _same(given, expected):
                continue
            rng = random.Random(f"derive-check-{m}x{n}")
            for attempt in range(COUNTEREXAMPLE_ATTEMPTS):
                data = _data(rng, m, n, widen=attempt // 20)
                at = _substitution(data, self.model, m, n)
                left, right = given.xreplace(at), expected.xreplace(at)
                if left != right:
                    return Counterexample(m, n, *data, given=_exact(left), expected=_exact(right))
        return None


def error_coordinates(expr: sp.Basic, model: Model) -> sp.Basic:
    """y as u + α𝟏 + Xβᵀ and ŷ as α𝟏 + Xβᵀ, entries of sums indexed through."""
    prediction = sp.MatAdd(model.alpha * OneMatrix(model.m, 1), model.X * model.beta.T)
    swapped = expr.xreplace({model.y: sp.MatAdd(model.u, prediction), model.yhat: prediction})
    return index_through(swapped)


def index_through(expr: sp.Basic) -> sp.Basic:
    """Entries of compound matrices, (u + α𝟏)ᵢ, as expressions in entries: uᵢ + α."""
    return expr.replace(
        lambda e: isinstance(e, MatrixElement) and not isinstance(e.parent, sp.MatrixSymbol),
        lambda e: e.parent[e.i, e.j],
    )


def as_compared(expr: sp.Basic) -> sp.Basic:
    """A 1×1 matrix as its entry; larger matrices expanded."""
    if isinstance(expr, MatrixExpr):
        expanded = with_sums_held(sp.expand, expr)  # flat first: entries are far cheaper
        return expanded[0, 0] if expr.shape == (1, 1) else expanded
    return expr


def with_sums_held(function: Callable[[sp.Basic], T], expr: sp.Basic) -> T:
    """`function(expr)` with every scalar Sum held as a plain symbol meanwhile.

    Expanding a matrix expression evaluates its scalar sums (SymPy's `Sum.doit`, a
    search for closed forms that can take seconds); held, they are factors like any other.
    """
    held = {total: sp.Dummy("held") for total in expr.atoms(Sum)}
    result = function(expr.xreplace(held))
    if isinstance(result, sp.Basic):
        restored: T = result.xreplace({symbol: total for total, symbol in held.items()})
        return restored
    return result


def explicit(expr: sp.Basic, model: Model, m: int, n: int, component: bool) -> ImmutableMatrix:
    """The value at sizes m, n as a matrix of polynomials in the entries (X_0_1, u_2_0, ...).

    A component (an expression in the feature index j) becomes the row of its n values.
    """
    sized = expr.xreplace(_sizes(model, m, n))
    if component:
        return ImmutableMatrix(
            [[_concrete(sized.xreplace({model.j: sp.Integer(col)}))[0, 0] for col in range(n)]]
        )
    return _concrete(sized)


def _sizes(model: Model, m: int, n: int) -> dict[sp.Symbol, sp.Integer]:
    return {model.m: sp.Integer(m), model.n: sp.Integer(n)}


def _concrete(expr: sp.Basic) -> ImmutableMatrix:
    """Sums written out, matrices as explicit matrices of entry symbols, products computed."""
    unrolled = expr.replace(lambda e: isinstance(e, (Sum, MatrixSum)), _unroll)
    mapping: dict[sp.Basic, sp.Basic] = {
        symbol: _entry_matrix(symbol) for symbol in unrolled.atoms(sp.MatrixSymbol)
    }
    for constant in unrolled.atoms(OneMatrix, sp.ZeroMatrix, sp.Identity):
        mapping[constant] = ImmutableMatrix(constant.as_explicit())
    value = unrolled.xreplace(mapping).doit()
    if not getattr(value, "is_Matrix", False):
        value = ImmutableMatrix([[value]])
    return ImmutableMatrix(value).applyfunc(sp.expand)


def _unroll(total: Sum | MatrixSum) -> sp.Basic:
    """A sum with concrete limits as the addition of its terms."""
    if isinstance(total, MatrixSum):
        body, limits = total.args[0], (total.args[1],)
    else:
        body, limits = total.function, total.limits
    terms = [body]
    for index, low, high in limits:
        terms = [
            t.xreplace({index: sp.Integer(k)})
            for t in terms
            for k in range(int(low), int(high) + 1)
        ]
    return sp.MatAdd(*terms) if isinstance(total, MatrixSum) else sp.Add(*terms)


def _entry_matrix(symbol: sp.MatrixSymbol) -> ImmutableMatrix:
    rows, cols = (int(size) for size in symbol.shape)
    return ImmutableMatrix(rows, cols, lambda r, c: entry_symbol(symbol.name, r, c))


def entry_symbol(name: str, row: int, col: int) -> sp.Symbol:
    return sp.Symbol(f"{name}_{row}_{col}", real=True)


def _same(left: ImmutableMatrix, right: ImmutableMatrix) -> bool:
    if left.shape != right.shape:
        return False
    return all(sp.expand(a - b) == 0 for a, b in zip(left, right, strict=True))


def proportion(given: ImmutableMatrix, reference: ImmutableMatrix) -> sp.Rational | None:
    """The number c with given = c·reference (entries are expanded polynomials), or None."""
    if given.shape != reference.shape:
        return None
    for position, entry in enumerate(reference):
        if entry == 0:
            continue
        terms = entry.as_coefficients_dict()
        monomial, coefficient = min(terms.items(), key=lambda item: sp.srepr(item[0]))
        found = given[position].as_coefficients_dict().get(monomial, 0)
        ratio = sp.Rational(found) / coefficient
        return ratio if _same(given, ratio * reference) else None
    return None


def fit_factor(
    given: Sequence[ImmutableMatrix], reference: Sequence[ImmutableMatrix], model: Model
) -> sp.Expr | None:
    """c = k·mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ with given = c·reference at each of SIZES, or None."""
    ratios = [proportion(g, r) for g, r in zip(given, reference, strict=True)]
    if any(r is None for r in ratios):
        return None
    return fit_ratios([sp.Rational(r) for r in ratios], model.m, model.n)


def fit_ratios(ratios: Sequence[sp.Rational], m: sp.Symbol, n: sp.Symbol) -> sp.Expr | None:
    """c = k·mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ taking the values `ratios` at the sizes of SIZES, or None.

    The ratio of the values at m = 4 and m = 3 is 2^(2a−c−2d)·3^(c−a)·5^d, so at most one
    (a, c, d) of the bounded ranges fits it; b follows from n = 4 against n = 2.
    """
    if ratios[0] == 0:
        return None
    r0, r1, r2 = ratios
    (m0, n0), (m1, _), (_, n2) = SIZES
    b = next((b for b in EXPONENTS if r2 / r0 == sp.Rational(n2, n0) ** b), None)
    shape = next((g for g in _size_factors(m) if r1 / r0 == _at(g, m, m1) / _at(g, m, m0)), None)
    if shape is None or b is None:
        return None
    k = r0 / (_at(shape, m, m0) * sp.Integer(n0) ** b)
    return k * shape * n**b


def split_sign(factor: sp.Expr) -> tuple[int, sp.Expr]:
    """(−1 or 1, the factor without its sign): the sign of a fitted factor is its number's,
    since mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ is positive at every size with m ≥ 2."""
    coefficient, rest = sp.factor(factor).as_coeff_Mul()  # 2(m+1), not 2m + 2
    sign = -1 if coefficient < 0 else 1
    return sign, sign * coefficient * rest


def _size_factors(m: sp.Symbol) -> list[sp.Expr]:
    """mᵃ·(m−1)ᶜ·(m+1)ᵈ over the bounded exponents, the simplest (fewest shifts) first."""
    powers = sorted(
        product(SHIFT_EXPONENTS, repeat=len(SHIFTS)),
        key=lambda powers: (sum(abs(p) for p in powers), powers),
    )
    return [
        m**a * sp.Mul(*((m + shift) ** p for shift, p in zip(SHIFTS, ps, strict=True)))
        for ps in powers
        for a in EXPONENTS
    ]


def _at(expr: sp.Expr, m: sp.Symbol, size: int) -> sp.Expr:
    return expr.xreplace({m: sp.Integer(size)})


Data = tuple[tuple[tuple[int, ...], ...], tuple[int, ...], int, tuple[int, ...]]


def _data(rng: random.Random, m: int, n: int, widen: int) -> Data:
    low, high = DATA_RANGE

    def draw() -> int:
        return rng.randint(low - widen, high + widen)

    X = tuple(tuple(draw() for _ in range(n)) for _ in range(m))
    return X, tuple(draw() for _ in range(m)), draw(), tuple(draw() for _ in range(n))


def _substitution(data: Data, model: Model, m: int, n: int) -> dict[sp.Symbol, int]:
    """Entry symbols -> numbers, u computed from the data as y − α𝟏 − Xβᵀ."""
    X, y, alpha, beta = data
    at: dict[sp.Symbol, int] = {model.alpha: alpha}
    for r in range(m):
        at[entry_symbol("y", r, 0)] = y[r]
        at[entry_symbol("u", r, 0)] = y[r] - alpha - sum(X[r][c] * beta[c] for c in range(n))
        for c in range(n):
            at[entry_symbol("X", r, c)] = X[r][c]
    for c in range(n):
        at[entry_symbol("beta", 0, c)] = beta[c]
    return at


def _exact(values: ImmutableMatrix) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(values[r, c]) for c in range(values.cols)) for r in range(values.rows))
