"""The mistakes learners make in a model's calculus, as data: what each one turns the right
answer into.

Part of `derive check --model` (targets -> explicit -> compare, with the candidates made
here). Each `Mistake` is the step's right-hand side as it would read after one slip — a
term of the cost forgotten, the derivative of a link written as the link itself or dropped,
an inner factor (X, σ′) dropped, an intermediate replaced by its argument (the linear score
z where the probability p = σ(z) belongs), the bias left out — built from the derivation's
own relations: the chain rule steps say which local factors a result is a product of.
The comparison then asks whether the student's expression is a constant multiple of one
of them (the constant says sign and factor too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import sympy as sp
from sympy import MatrixExpr, MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.entrywise import Entrywise, HeldDerivative
from derive.math.functions import FUNCTIONS
from derive.math.matcalc import MatrixDerivative
from derive.math.printing import latex, text
from derive.models.spec import ModelSpec
from derive.steps.derivation import Derivation, Relation

# The codes, in the order they are tried and shown (after sign and factor, which a
# constant multiple of the right answer, or of a mistake, tells).
CODES = (
    "missing-bias",
    "missing-term",
    "link-derivative",
    "missing-inner-factor",
    "wrong-intermediate",
)


@dataclass(frozen=True)
class Mistake:
    """One slip: its code, what it names (a term, a factor, an intermediate) and the model
    and right-hand side to evaluate in its place."""

    code: str  # of CODES, or "factor" for a constant left out
    how: str  # the sentence's key: the code, or link-derivative's "dropped"
    named_text: str
    named_latex: str
    expr: sp.Basic
    spec: ModelSpec  # the model (with one definition changed, for wrong-intermediate)
    instead_of: str = ""  # wrong-intermediate: the intermediate `named_text` stands in for


def mistakes(spec: ModelSpec, derivation: Derivation, relation: Relation) -> Iterator[Mistake]:
    """The candidates for one target relation, in the order of CODES (lazily)."""
    yield from _missing_bias(spec, relation)
    yield from _missing_terms(spec, relation, relation.rhs)
    yield from _own_slips(spec, relation)
    yield from _chain_slips(spec, derivation, relation)
    yield from _wrong_intermediates(spec, relation)
    yield from _missing_terms(spec, relation, _multiplied_out(relation.rhs))
    yield from _missing_constants(spec, relation)


def _missing_bias(spec: ModelSpec, relation: Relation) -> Iterator[Mistake]:
    """A scalar parameter (the intercept α) left out of the model: set to 0."""
    for quantity in spec.parameters:
        if not isinstance(quantity.symbol, MatrixSymbol) and relation.lhs.has(quantity.symbol):
            continue  # ∂J/∂α itself: leaving α out is not a slip of its value
        if not isinstance(quantity.symbol, MatrixSymbol):
            intermediates = tuple(
                replace(item, definition=item.definition.xreplace({quantity.symbol: 0}))
                for item in spec.intermediates
            )
            changed = replace(spec, intermediates=intermediates)
            symbol = quantity.symbol
            yield Mistake(
                "missing-bias", "missing-bias", text(symbol), latex(symbol), relation.rhs, changed
            )


def _missing_terms(spec: ModelSpec, relation: Relation, rhs: sp.Basic) -> Iterator[Mistake]:
    """Each term of a sum of two or more left out (ridge's 2λβ, or the data term); tried
    last on the sum multiplied out: (1/m)(p − y)ᵀX loses −(1/m)yᵀX as (1/m)pᵀX."""
    if not isinstance(rhs, (sp.Add, sp.MatAdd)):
        return
    for term in rhs.args:
        rest = [other for other in rhs.args if other is not term]
        left = sp.MatAdd(*rest) if isinstance(rhs, sp.MatAdd) else sp.Add(*rest)
        yield Mistake("missing-term", "missing-term", text(term), latex(term), left, spec)


def _multiplied_out(expr: sp.Basic) -> sp.Basic:
    try:
        return expr.expand()
    except (TypeError, ValueError, AttributeError):
        return expr


def _own_slips(spec: ModelSpec, relation: Relation) -> Iterator[Mistake]:
    """The local factor itself mistaken: σ(zᵢ) written for ∂pᵢ/∂zᵢ = σ′(zᵢ)."""
    named_text, named_latex = _equation(relation.lhs, relation.rhs)
    for code, how, value in _slips(spec, relation.lhs):
        yield Mistake(code, how, named_text, named_latex, value, spec)


def _chain_slips(spec: ModelSpec, derivation: Derivation, relation: Relation) -> Iterator[Mistake]:
    """The result written as its chain of local factors, with one factor changed: a link's
    derivative f′ written as f (or, for exp, whose derivative is itself, left out), a
    link's derivative or an inner factor dropped. The other factors take the values their
    steps computed."""
    chains = _chain_rules(derivation)
    expanded = _expand(relation.lhs, chains, set())
    if expanded is None:
        return
    # a factor no step computed under the same name (a penalty's derivative, whose sum
    # index is a dummy of its own) stays a derivative, which the evaluator takes itself
    known = _computed(derivation)
    leaves = sorted(_leaves(expanded), key=sp.default_sort_key)
    chain = expanded.xreplace(known)
    for leaf in leaves:
        for code, how, value in _slips(spec, leaf):
            changed = expanded.xreplace({**known, leaf: value})
            if changed == chain:
                continue
            # the rest of the result (ridge's penalty) is kept: the target minus the chain
            # as it is, plus the chain with the slip
            named_text, named_latex = _equation(leaf, known.get(leaf, leaf))
            shifted = _shifted(relation.rhs, chain, changed)
            yield Mistake(code, how, named_text, named_latex, shifted, spec)


def _wrong_intermediates(spec: ModelSpec, relation: Relation) -> Iterator[Mistake]:
    """An intermediate f(B) replaced by its argument B: z (the linear score, ŷ of linear
    regression) where p = σ(z) or μ = exp(z) belongs — everywhere (also inside u = y − p),
    or only where the answer names it (σ′ = p(1 − p) written z(1 − z))."""
    for item in spec.intermediates:
        if not isinstance(item.definition, Entrywise):
            continue
        argument = item.definition.arg
        intermediates = tuple(
            replace(other, definition=argument) if other is item else other
            for other in spec.intermediates
        )
        named = (text(argument), latex(argument))
        for expr, model in (
            (relation.rhs, replace(spec, intermediates=intermediates)),
            (relation.rhs.xreplace({item.symbol: argument}), spec),
        ):
            yield Mistake(
                "wrong-intermediate", "wrong-intermediate", *named, expr, model, text(item.symbol)
            )


def _missing_constants(spec: ModelSpec, relation: Relation) -> Iterator[Mistake]:
    """A constant of the model (λ) left out where it multiplies: 2β for 2λβ."""
    for quantity in spec.constants:
        symbol = quantity.symbol
        if relation.rhs.has(symbol):
            left = relation.rhs.xreplace({symbol: sp.S.One})
            yield Mistake("factor", "missing-constant", text(symbol), latex(symbol), left, spec)


def _equation(lhs: sp.Basic, rhs: sp.Basic) -> tuple[str, str]:
    return f"{text(lhs)} = {text(rhs)}", f"{latex(lhs)} = {latex(rhs)}"


def _shifted(rhs: sp.Basic, chain: sp.Basic, changed: sp.Basic) -> sp.Basic:
    """rhs − chain + changed: the target with its chain part swapped for the slipped one."""
    if isinstance(rhs, MatrixExpr):
        return sp.MatAdd(rhs, -chain, changed)
    return sp.Add(rhs, -chain, changed)


def _chain_rules(derivation: Derivation) -> dict[sp.Basic, sp.Basic]:
    """The chain rule steps' relations: a derivative and the product of factors it is."""
    return {
        relation.lhs: relation.rhs
        for step in derivation
        if step.key.startswith("chain-rule-")
        for relation in step.relations
        if relation.op == "="
    }


def _expand(
    node: sp.Basic, chains: dict[sp.Basic, sp.Basic], seen: set[sp.Basic]
) -> sp.Basic | None:
    """A derivative written through the chain rules down to the local factors."""
    if node not in chains or node in seen:
        return None
    body = chains[node]
    inner = {
        part: expanded
        for part in body.atoms(sp.Derivative, HeldDerivative, MatrixDerivative)
        if (expanded := _expand(part, chains, seen | {node})) is not None
    }
    return body.xreplace(inner)


def _computed(derivation: Derivation) -> dict[sp.Basic, sp.Basic]:
    """Every derivative a step computed (a local factor, an inner factor, a penalty's)."""
    return {
        relation.lhs: relation.rhs
        for step in derivation
        if not step.key.startswith("chain-rule-")
        for relation in step.relations
        if relation.op == "=" and not relation.rhs.has(sp.Derivative, MatrixDerivative)
    }


def _leaves(expr: sp.Basic) -> set[sp.Basic]:
    return set(expr.atoms(sp.Derivative, HeldDerivative, MatrixDerivative))


def _slips(spec: ModelSpec, leaf: sp.Basic) -> Iterator[tuple[str, str, sp.Basic]]:
    """(code, how, value in place of the local factor ∂A/∂B) for one factor."""
    if not isinstance(leaf, sp.Derivative):
        return
    of, (wrt, _count) = leaf.args[0], leaf.args[1]
    definition = _definition_of(spec, of)
    if isinstance(definition, Entrywise) and isinstance(wrt, MatrixElement):
        if _its_own_derivative(definition.name):
            yield "link-derivative", "link-derivative-dropped", sp.S.One
        else:
            yield "link-derivative", "link-derivative", of
            yield "missing-inner-factor", "missing-inner-factor", sp.S.One
        return
    if _is_parameter(spec, wrt) and definition is not None:
        yield "missing-inner-factor", "missing-inner-factor", sp.S.One


def _its_own_derivative(name: str) -> bool:
    """Whether the entrywise function is its own derivative (exp): then the slip is to
    leave the factor out, as writing f for f′ changes nothing. SymPy's derivative of exp
    is exp itself, the same expression, so no simplification is needed."""
    t = sp.Symbol("t", real=True)
    function = FUNCTIONS[name]
    return bool(sp.diff(function(t), t) == function(t))


def _definition_of(spec: ModelSpec, entry: sp.Basic) -> sp.Basic | None:
    parent = entry.parent if isinstance(entry, MatrixElement) else entry
    for item in spec.intermediates:
        if item.symbol == parent:
            return item.definition
    return None


def _is_parameter(spec: ModelSpec, wrt: sp.Basic) -> bool:
    parent = wrt.parent if isinstance(wrt, MatrixElement) else wrt
    return any(quantity.symbol == parent for quantity in spec.parameters)
