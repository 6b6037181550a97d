"""A student's expression against one relation of a model's step: equal, or which mistake.

Part of `derive check --model` (targets -> explicit -> compare -> step_check). Equality is
exact at the three sizes of SIZES, with matrices of symbols (σ, exp and log stay exact;
a difference SymPy cannot cancel is tested to 40 digits, and the proof says so). A
difference is explained by the first candidate — the right answer, then each mistake of
mistakes.py — that the expression is a constant multiple of, the constant fitted across
sizes as k·mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ (diagnose.fit_ratios): −1 is a sign, 2 or 1/m a factor.
A counterexample gives small numbers of the model's kinds (labels 0/1, counts) where the
two sides differ.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp
from sympy import ImmutableMatrix

from derive.grade.diagnose import fit_ratios, split_sign
from derive.grade.explicit import (
    SIZES,
    Explicit,
    Indices,
    agree,
    close,
    numeric,
    ratio,
    relation_indices,
)
from derive.grade.mistakes import Mistake, mistakes
from derive.models.spec import ModelSpec, Quantity
from derive.steps.derivation import Derivation, Relation

COUNTEREXAMPLE_SIZE = (2, 2)
ATTEMPTS = 60
DIGITS = 6  # of an irrational value shown in a counterexample
LEARNING_RATE = sp.Rational(1, 10)  # η in the counterexample of an update step


@dataclass(frozen=True)
class ModelCounterexample:
    """Small numbers for the model's data and parameters, and both sides' values there."""

    m: int
    n: int
    values: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]  # name, rows
    given: tuple[str, ...]  # every entry, in the order of the free indices
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """The outcome: `codes` among sign, factor and mistakes.CODES; the `factor` c with
    given = c·(the right answer, or the mistake named); `proof` exact, numeric or
    counterexample."""

    equal: bool
    codes: tuple[str, ...]
    proof: str
    factor: sp.Expr | None = None
    mistake: Mistake | None = None
    counterexample: ModelCounterexample | None = None
    term_factor: bool = False  # the factor is the named term's, not the whole side's


def judge(
    spec: ModelSpec,
    derivation: Derivation,
    relation: Relation,
    chain_relation: Relation | None,
    given: sp.Basic,
    given_indices: Indices | None = None,
) -> Judgement:
    """Compare `given` with `relation`'s right-hand side; `chain_relation`, the step's
    relation with free indices, is where the chain rule's mistakes are made.
    `given_indices`, when the given expression is another form of the relation (the row
    ∂J/∂β against the entry ∂J/∂βⱼ): its own free indices, whose values run in the same
    order as the other form's entries."""
    explicit = Explicit(spec)
    indices = relation_indices(relation)
    expected = explicit.columns(relation.rhs, indices)
    mine = explicit.columns(given, indices if given_indices is None else given_indices)
    proofs: list[str | None] = []
    for g, e in zip(mine, expected, strict=True):  # the first size that differs ends it
        proofs.append(agree(g, e))
        if proofs[-1] is None:
            break
    if all(proofs):
        proof = "numeric" if "numeric" in proofs else "exact"
        return Judgement(True, (), proof)
    example = counterexample(explicit, given, relation.rhs, indices, given_indices)
    for candidate, lazy in _candidates(spec, derivation, relation, chain_relation, expected):
        factor = _factor(mine, lazy, spec)
        if factor is None and candidate is not None and candidate.code == "missing-term":
            # the term is there with a wrong factor: yours − (the rest) = c·term
            scaled = None
            if ratio(mine[0] - lazy.at(0), expected[0] - lazy.at(0)) is not None:
                rest = tuple(g - c for g, c in zip(mine, lazy.columns(), strict=True))
                term = [e - c for e, c in zip(expected, lazy.columns(), strict=True)]
                scaled = _factor(rest, _Lazy.of(term), spec)
            if scaled is not None:
                codes = _sign_and_factor(scaled)
                return Judgement(
                    False, codes, "counterexample", scaled, candidate, example, term_factor=True
                )
        if factor is None:
            continue
        codes = _sign_and_factor(factor)
        if candidate is not None:
            codes = (candidate.code, *codes)
        return Judgement(False, codes, "counterexample", factor, candidate, example)
    return Judgement(False, ("other",), "counterexample", None, None, example)


def _sign_and_factor(factor: sp.Expr) -> tuple[str, ...]:
    """sign when the constant is negative, factor when its size is not 1."""
    sign, size = split_sign(factor)
    return (("sign",) if sign < 0 else ()) + (("factor",) if size != 1 else ())


class _Lazy:
    """A candidate's columns, computed size by size: most candidates are ruled out at the
    first size, and the other two are never evaluated."""

    def __init__(self, explicit: Explicit | None, expr: sp.Basic, indices: Indices) -> None:
        self.explicit, self.expr, self.indices = explicit, expr, indices
        self._columns: dict[int, ImmutableMatrix] = {}

    @classmethod
    def of(cls, columns: list[ImmutableMatrix]) -> _Lazy:
        done = cls(None, sp.S.Zero, Indices(False, False))
        done._columns = dict(enumerate(columns))
        return done

    def at(self, k: int) -> ImmutableMatrix:
        if k not in self._columns:
            if self.explicit is None:
                raise KeyError(k)
            self._columns[k] = self.explicit.column(self.expr, self.indices, SIZES[k])
        return self._columns[k]

    def columns(self) -> tuple[ImmutableMatrix, ...]:
        return tuple(self.at(k) for k in range(len(SIZES)))


def _candidates(
    spec: ModelSpec,
    derivation: Derivation,
    relation: Relation,
    chain_relation: Relation | None,
    expected: tuple[ImmutableMatrix, ...],
) -> Iterator[tuple[Mistake | None, _Lazy]]:
    yield None, _Lazy.of(list(expected))
    seen = [expected[0]]
    sources = [relation]
    if chain_relation is not None and chain_relation != relation:
        sources.append(chain_relation)
    same_spec = Explicit(spec)
    for source in sources:
        indices = relation_indices(source)
        for mistake in mistakes(spec, derivation, source):
            explicit = Explicit(mistake.spec) if mistake.spec != spec else same_spec
            lazy = _Lazy(explicit, mistake.expr, indices)
            first = lazy.at(0)
            if first.is_zero_matrix or any(close(first, old) for old in seen):
                continue
            seen.append(first)
            yield mistake, lazy


def _factor(
    given: tuple[ImmutableMatrix, ...], reference: _Lazy, spec: ModelSpec
) -> sp.Expr | None:
    """The factor c(m, n) with given = c·reference at every size; the first size first."""
    ratios = []
    for k, mine in enumerate(given):
        found = ratio(mine, reference.at(k))
        if found is None:
            return None
        ratios.append(sp.Rational(found))
    return fit_ratios(ratios, spec.m, spec.n)


def counterexample(
    explicit: Explicit,
    given: sp.Basic,
    expected: sp.Basic,
    indices: Indices,
    given_indices: Indices | None = None,
) -> ModelCounterexample | None:
    """Small numbers of the model's kinds at which the two sides differ, or None."""
    size = COUNTEREXAMPLE_SIZE
    mine = explicit.column(given, indices if given_indices is None else given_indices, size)
    right = explicit.column(expected, indices, size)
    variables = explicit.variables(size)
    rng = random.Random(len(variables))
    for _ in range(ATTEMPTS):
        drawn = {q.name: _draw(q, len(variables[q.name]), rng) for q in explicit.spec.declared}
        at = {
            symbol: value
            for q in explicit.spec.declared
            for symbol, value in zip(variables[q.name], drawn[q.name], strict=True)
        }
        rate = explicit.spec.eta  # an update step's learning rate
        uses_rate = mine.has(rate) or right.has(rate)
        if uses_rate:
            at[rate] = LEARNING_RATE
        g, e = mine.xreplace(at), right.xreplace(at)
        if any(_differs(a, b) for a, b in zip(g, e, strict=True)):
            shown = tuple(
                (q.name, _rows(drawn[q.name], q, explicit.spec.sizes(*size)))
                for q in explicit.spec.declared
            ) + ((("eta", ((str(LEARNING_RATE),),)),) if uses_rate else ())
            return ModelCounterexample(*size, shown, tuple(map(_shown, g)), tuple(map(_shown, e)))
    return None


def _draw(quantity: Quantity, count: int, rng: random.Random) -> list[sp.Rational]:
    if quantity.role == "constant":
        default = quantity.default if quantity.default is not None else sp.S.One
        return [sp.Rational(default)] * count
    low, high = {
        "binary": (0, 1),
        "counts": (0, 4),
        "positive": (1, 3),
    }.get(quantity.kind, (-1, 2) if quantity.role == "parameter" else (-2, 3))
    return [sp.Integer(rng.randint(low, high)) for _ in range(count)]


def _differs(a: sp.Expr, b: sp.Expr) -> bool:
    difference = numeric(a - b, 30)
    if not difference.is_number or difference.has(sp.zoo, sp.nan, sp.oo):
        return False  # a division by zero at these numbers: not a counterexample
    return bool(abs(difference) > sp.Float("1e-20") * (1 + abs(numeric(b, 30))))


def _rows(
    values: list[sp.Rational], quantity: Quantity, sizes: dict[sp.Symbol, int]
) -> tuple[tuple[str, ...], ...]:
    rows, cols = (int(size.xreplace(sizes)) for size in quantity.shape)
    return tuple(tuple(str(values[r * cols + c]) for c in range(cols)) for r in range(rows))


def _shown(value: sp.Expr) -> str:
    """Exact when rational (1/3), else ≈ six significant digits."""
    simple = sp.nsimplify(value) if value.is_Rational else value
    if simple.is_Rational:
        return str(simple)
    return f"≈{float(numeric(value, 20)):.{DIGITS}g}"
