"""The planner: any model description turned into steps, each right-hand side computed.

Second stage of the flow for planned models (model description -> plan -> verify ->
render); the article's 19 steps (article.py) are the curated presentation of this plan
for mse. The plan: declarations, definitions, the cost, the update rule; the chain rule
from J to the linear predictor with one step per local factor and the simplified
product (chain.py); then per parameter the goal, its chain rule (plus a direct term where
it is penalized), the inner factor, the gradient in matrix and entry form, the update.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp
from sympy import MatrixExpr, MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.sets import MatrixSet

from derive.core.i18n import N_, gettext
from derive.math.entrywise import AsMatrix
from derive.math.matcalc import MatrixDerivative, shape_of
from derive.math.printing import text
from derive.math.rules import local_derivative
from derive.models.notation import fill_text, generic_entry, with_slots
from derive.models.spec import ModelSpec, Prose, Quantity
from derive.steps.chain import Graph, Signal, UnsupportedModel, divides_by_entries, signal
from derive.steps.derivation import Derivation, Relation, Step
from derive.steps.plan_prose import PROSE


def plan(spec: ModelSpec) -> Derivation:
    """The steps of a model, numbered from 1."""
    for parameter in spec.parameters:
        if parameter.shape not in ((1, 1), (1, spec.n), (spec.n, 1)):
            shape = "×".join(str(size) for size in parameter.shape)
            raise UnsupportedModel(
                gettext(
                    "the parameter {name} is {shape}: a parameter is a number (1×1), a row "
                    "(1×n) or a column (n×1)"
                ).format(name=parameter.name, shape=shape)
            )
    graph = Graph(spec)
    planner = _Planner(spec, graph, signal(graph))
    steps = tuple(
        planner.step(number, draft) for number, draft in enumerate(planner.drafts(), start=1)
    )
    return Derivation(model=spec, steps=steps)


@dataclass(frozen=True)
class _Draft:
    """A step before it is numbered: its key, kind (for the prose), relations, the names
    its prose's slots stand for, the extra sentences (msgids) and the description's words."""

    key: str
    kind: str
    relations: tuple[Relation, ...]
    slots: tuple[tuple[str, str], ...] = ()
    extra: tuple[str, ...] = ()
    prose: Prose | None = None


class _Planner:
    def __init__(self, spec: ModelSpec, graph: Graph, found: Signal) -> None:
        self.spec, self.graph, self.signal = spec, graph, found
        self.pivot = graph.pivot.symbol
        self.penalty = _total(graph.cost_terms[1])

    def step(self, number: int, draft: _Draft) -> Step:
        heading, explanation = PROSE[draft.kind]
        # the update rule shows the shape of its last rule (β's, like the article's step 7)
        shape = draft.relations[-1 if draft.kind == "update-rule" else 0].shape
        return Step(
            number=number,
            key=draft.key,
            heading=heading,
            title=fill_text(with_slots(gettext(heading), draft.slots), self.spec, text),
            relations=draft.relations,
            shape=shape,
            source_shape=shape,
            explanation=(explanation, *draft.extra),
            slots=draft.slots,
            prose=draft.prose,
        )

    def drafts(self) -> Iterator[_Draft]:
        S = self.spec
        for quantity in S.declared:
            slots = _slots(quantity=quantity.name)
            if quantity.role == "constant":
                slots += _slots(quantity_value=f"{quantity.name}_value")
            yield _Draft(
                f"{quantity.role}-{quantity.name}",
                quantity.role,
                (_declare(quantity),),
                slots,
                prose=quantity.prose or None,
            )
        for item in S.intermediates:
            relations = [Relation(item.symbol, "=", item.definition)]
            if isinstance(item.symbol, MatrixSymbol):
                entry = generic_entry(item.symbol, S)
                relations.append(Relation(entry, "=", item.definition[entry.i, entry.j]))
            yield _Draft(
                f"define-{item.name}",
                "define",
                tuple(relations),
                _slots(quantity=item.name, quantity_i=f"{item.name}_i"),
                prose=item.prose,
            )
        cost_sum = S.cost[0, 0] if isinstance(S.cost, MatrixExpr) else S.cost
        yield _Draft(
            "cost",
            "cost",
            (Relation(S.J, "=", S.cost), Relation(S.J, "=", cost_sum)),
            prose=S.prose,
        )
        yield _Draft(
            "update-rule",
            "update-rule",
            tuple(Relation(p.symbol, "<-", self.rule(p)) for p in S.parameters),
        )
        yield from self.signal_drafts()
        for parameter in S.parameters:
            yield from self.parameter_drafts(parameter)

    def rule(self, parameter: Quantity) -> sp.Basic:
        S, theta = self.spec, parameter.symbol
        if isinstance(theta, MatrixSymbol):
            return sp.MatAdd(theta, -S.eta * MatrixDerivative(S.J, theta))
        return theta - S.eta * sp.Derivative(S.J, theta, evaluate=False)

    def signal_drafts(self) -> Iterator[_Draft]:
        S, sig = self.spec, self.signal
        pivot_entry = self.pivot[S.i, 0]
        goal = sp.Derivative(S.J, pivot_entry, evaluate=False)
        chain = sp.Add(
            *(sp.Mul(*(f.node for f in path), evaluate=False) for path in sig.paths),
            evaluate=False,
        )
        pivot = self.graph.pivot.name
        names = _slots(pivot=pivot, pivot_i=f"{pivot}_i", dJ_dpivot=f"dJ_d{pivot}")
        matrix_form = Relation(
            MatrixDerivative(S.J, self.pivot), "=", sp.MatMul(sig.coefficient, sig.vector)
        )
        if len(sig.paths) == 1 and len(sig.paths[0]) == 1 and not sig.paths[0][0].held:
            # J uses the pivot directly, through no named quantity: no chain, one factor
            (factor,) = sig.paths[0]
            relations = [Relation(goal, "=", factor.value)]
            simplified = sp.Mul(sig.coefficient, sig.entry, evaluate=False)
            if text(simplified) != text(factor.value):
                relations.append(Relation(goal, "=", simplified))
            because = tuple(sorted(factor.because))
            yield _Draft("signal", "signal-direct", (*relations, matrix_form), names, because)
            return
        several = (PROSE_SEVERAL_PATHS,) if len(sig.paths) > 1 else ()
        kind = "chain-rule-signal-penalized" if self.penalty is not None else "chain-rule-signal"
        yield _Draft("chain-rule-signal", kind, (Relation(goal, "=", chain),), names, several)
        seen: set[tuple[sp.Basic, sp.Basic]] = set()
        for path in sig.paths:
            for factor in path:
                if (factor.of, factor.wrt) in seen:
                    continue
                seen.add((factor.of, factor.wrt))
                of_name = "J" if factor.of == S.J else str(factor.of.parent)
                slots = _slots(
                    of=of_name, wrt=str(factor.wrt.parent), wrt_i=f"{factor.wrt.parent}_i"
                )
                kind = "factor-held" if factor.held else "factor"
                yield _Draft(
                    f"factor-{of_name}-{factor.wrt.parent}",
                    kind,
                    (Relation(factor.node, "=", factor.value),),
                    slots,
                    tuple(sorted(factor.because)),
                )
        relations = [Relation(goal, "=", sig.product)]
        if sig.distributed is not None:
            relations.append(Relation(goal, "=", sig.distributed))
        simplified = sp.Mul(sig.coefficient, sig.entry, evaluate=False)
        if text(simplified) != text(sig.product):  # shown twice only when it changed
            relations.append(Relation(goal, "=", simplified))
        relations.append(matrix_form)
        before = any(divides_by_entries(f.value) for path in sig.paths for f in path)
        after = divides_by_entries(sig.entry)
        cancelled = (PROSE_CANCELLED,) if before and not after else ()
        yield _Draft("signal", "signal", tuple(relations), names, cancelled)

    def parameter_drafts(self, parameter: Quantity) -> Iterator[_Draft]:
        S, theta, name = self.spec, parameter.symbol, parameter.name
        entry = generic_entry(theta, S)
        is_matrix = isinstance(theta, MatrixSymbol)
        # the matrix forms of the chain rule need ∂z/∂θ, a Jacobian: a row θ only
        is_row = is_matrix and shape_of(theta)[0] == 1
        whole = (
            MatrixDerivative(S.J, theta) if is_matrix else sp.Derivative(S.J, theta, evaluate=False)
        )
        slots = _slots(
            param=name,
            param_i=f"{name}_i",
            pivot=self.graph.pivot.name,
            pivot_i=f"{self.graph.pivot.name}_i",
            dJ_dparam=f"dJ_d{name}",
        )
        space = MatrixSet(*shape_of(theta), sp.S.Reals) if is_matrix else sp.S.Reals
        yield _Draft(f"aim-{name}", "aim", (Relation(whole, "in", space),), slots)

        pivot_entry = self.pivot[S.i, 0]
        direct = self.penalty is not None and self.penalty.has(theta)
        through = self.pivot_depends(theta)
        inner_value, _because = local_derivative(self.graph.pivot.definition[S.i, 0], entry)
        entry_terms, matrix_terms = [], []
        if through:
            term = sp.Derivative(S.J, pivot_entry, evaluate=False) * sp.Derivative(
                pivot_entry, entry, evaluate=False
            )
            entry_terms.append(sp.Sum(term, (S.i, 0, S.m - 1)))
            if is_row:
                matrix_terms.append(
                    sp.MatMul(
                        MatrixDerivative(S.J, self.pivot).T, MatrixDerivative(self.pivot, theta)
                    )
                )
        if direct:
            assert self.penalty is not None
            entry_terms.append(sp.Derivative(self.penalty[0, 0], entry, evaluate=False))
            if is_row:
                matrix_terms.append(MatrixDerivative(self.penalty, theta))
        d_entry = sp.Derivative(S.J, entry, evaluate=False) if is_matrix else whole
        relations = [Relation(d_entry, "=", sp.Add(*entry_terms, evaluate=False))]
        if is_row:
            relations.insert(0, Relation(whole, "=", _total(tuple(matrix_terms))))
        extra = (PROSE_DIRECT,) if direct else ()
        yield _Draft(f"chain-rule-{name}", "chain-rule", tuple(relations), slots, extra)

        gradient: list[sp.Basic] = []
        entry_gradient: list[sp.Expr] = []
        if through:
            number, inner_rest = inner_value.as_coeff_Mul()  # -1 for u = y − c𝟏: in front
            body = self.signal.entry
            if inner_rest != 1:
                body = sp.Mul(body, inner_rest, evaluate=False)
            entry_gradient.append(
                sp.Mul(self.signal.coefficient * number, sp.Sum(body, (S.i, 0, S.m - 1)))
            )
            inner = [Relation(sp.Derivative(pivot_entry, entry, evaluate=False), "=", inner_value)]
            if is_row:
                jacobian = self.jacobian(theta)
                inner.append(Relation(MatrixDerivative(self.pivot, theta), "=", jacobian))
            yield _Draft(f"inner-factor-{name}", "inner-factor", tuple(inner), slots)
            gradient.append(self.pullback(theta))
        if direct:
            assert self.penalty is not None
            value, because = local_derivative(self.penalty[0, 0], entry)
            shown = vectorize_row(value, theta) if is_matrix else value
            rel = [Relation(sp.Derivative(self.penalty[0, 0], entry, evaluate=False), "=", value)]
            if is_matrix:
                rel.insert(0, Relation(MatrixDerivative(self.penalty, theta), "=", shown))
            yield _Draft(f"penalty-{name}", "penalty", tuple(rel), slots, tuple(sorted(because)))
            gradient.append(shown if is_matrix else AsMatrix(value))
            entry_gradient.append(value)

        total = _total(tuple(gradient))
        assert total is not None
        relations = [Relation(whole, "=", total)]
        in_entries = sp.Add(*entry_gradient, evaluate=False)
        relations.append(Relation(d_entry, "=", in_entries))
        kind = "gradient" if is_matrix else "gradient-scalar"
        yield _Draft(f"gradient-{name}", kind, tuple(relations), slots)
        rule = self.rule(parameter)
        update = (
            sp.MatAdd(theta, _times(-S.eta, total), evaluate=False)
            if is_matrix
            else rule.xreplace({whole: in_entries})
        )
        yield _Draft(
            f"update-{name}", "update", (Relation(theta, "<-", update, means=rule),), slots
        )

    def pivot_depends(self, theta: sp.Basic) -> bool:
        return bool(self.graph.pivot.definition.has(theta))

    def jacobian(self, theta: sp.Basic) -> sp.Basic:
        """∂z/∂θ for z linear in θ: A for a term Aθᵀ (or Aθ)."""
        for term in _terms(self.graph.pivot.definition):
            scalars, matrices = _split(term)
            if matrices and matrices[-1] in (theta, sp.Transpose(theta)) and theta not in scalars:
                return (
                    sp.MatMul(*scalars, *matrices[:-1]) if len(matrices) > 1 else sp.Mul(*scalars)
                )
        raise UnsupportedModel(
            gettext("{name} must enter the linear predictor as A·{name}^T").format(name=str(theta))
        )

    def pullback(self, theta: sp.Basic) -> sp.Basic:
        """∂J/∂θ in matrix form from the signal c·h by the rule of the term holding θ:
        α𝟏 gives c·𝟏ᵀh, Aθᵀ gives c·hᵀA, Aθ gives c·Aᵀh."""
        c, h, S = self.signal.coefficient, self.signal.vector, self.spec
        for term in _terms(self.graph.pivot.definition):
            if not term.has(theta):
                continue
            scalars, matrices = _split(term)
            if matrices == [S.ones] and not isinstance(theta, MatrixSymbol):
                k = sp.Mul(*scalars) / theta  # the number in front of θ𝟏
                if not k.has(theta):
                    return sp.MatMul(c * k, S.ones.T, h)
            if matrices and matrices[-1] == sp.Transpose(theta):
                return sp.MatMul(c * sp.Mul(*scalars), sp.Transpose(h), *matrices[:-1])
            if matrices and matrices[-1] == theta:
                left = matrices[0] if len(matrices) == 2 else sp.MatMul(*matrices[:-1])
                return sp.MatMul(c * sp.Mul(*scalars), sp.Transpose(left), h)
        raise UnsupportedModel(
            gettext("{name} must enter the linear predictor as alpha + X {name}^T").format(
                name=str(theta)
            )
        )


def vectorize_row(value: sp.Expr, theta: sp.Basic) -> sp.Basic:
    """2λβⱼ -> 2λβ: an expression in one entry of a vector parameter, as the vector."""
    entries = value.atoms(MatrixElement)
    if len(entries) != 1 or any(e.parent != theta for e in entries):
        raise UnsupportedModel(gettext("the penalty's derivative is not entrywise"))
    (entry,) = entries
    coefficient = sp.simplify(value / entry)
    if coefficient.has(entry):
        raise UnsupportedModel(gettext("the penalty must be quadratic in the parameter"))
    return sp.MatMul(coefficient, theta)


def _declare(quantity: Quantity) -> Relation:
    symbol = quantity.symbol
    if isinstance(symbol, MatrixSymbol):
        return Relation(symbol, "in", MatrixSet(*shape_of(symbol), sp.S.Reals))
    return Relation(symbol, "in", sp.S.Reals)


def _times(factor: sp.Expr, matrix: sp.Basic) -> sp.Basic:
    """factor·matrix with the numbers merged in front: −η·(1/m)(p − y)ᵀX -> −(η/m)(p − y)ᵀX."""
    if isinstance(matrix, sp.MatMul):
        scalars, matrices = _split(matrix)
        return sp.MatMul(factor * sp.Mul(*scalars), *matrices)
    return sp.MatMul(factor, matrix)


def _slots(**names: str) -> tuple[tuple[str, str], ...]:
    return tuple(names.items())


def _terms(expr: sp.Basic) -> tuple[sp.Basic, ...]:
    return expr.args if isinstance(expr, sp.MatAdd) else (expr,)


def _split(term: sp.Basic) -> tuple[list[sp.Basic], list[sp.Basic]]:
    args = term.args if isinstance(term, sp.MatMul) else (term,)
    scalars = [a for a in args if not isinstance(a, MatrixExpr)]
    matrices = [a for a in args if isinstance(a, MatrixExpr)]
    return scalars, matrices


def _total(terms: tuple[sp.Basic, ...]) -> sp.Basic | None:
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)


PROSE_SEVERAL_PATHS = N_(
    "{J} reaches {pivot} along more than one path; the chain rule adds one product per path."
)
PROSE_CANCELLED = N_(
    "Multiplied term by term, the denominators of the factors cancel (the second line); what "
    "is left collapses to the short form, which is why the result is so simple."
)
PROSE_DIRECT = N_(
    "{param} also appears in {J} directly, in the penalty term; the derivative of that term "
    "is added to the chain-rule sum."
)
