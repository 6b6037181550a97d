"""Check one step of any model: `derive check EXPR --model M (--wrt PARAM | --step N|KEY)`.

The entry point of a model's check (parse -> build -> targets -> explicit -> compare ->
model_feedback -> result): the text is parsed here, where it is bounded; the model's steps
are derived before the comparison forks into a child process with a time limit
(core/processes.py), which builds the expression on the model's own names
(vocabulary.ModelNames.for_spec), picks the step's relation of the same shape and free
indices, and judges it (compare.py). mse's `--wrt` stays the article's checker
(grader.py), its 69-case corpus unchanged.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.core.i18n import gettext
from derive.core.processes import run_or_refuse
from derive.grade.build import build
from derive.grade.compare import Judgement, judge
from derive.grade.diagnose import split_sign
from derive.grade.explicit import Indices, relation_indices
from derive.grade.feedback import factor_text
from derive.grade.grader import shape_words
from derive.grade.indexed import label_ones
from derive.grade.model_feedback import explain_model
from derive.grade.parse import Parsed, parse
from derive.grade.result import CODES, CheckResult, shape_result, verdict_of
from derive.grade.targets import Target, checkable, model_of, target
from derive.grade.value import ShapeClash, Value
from derive.grade.vocabulary import ModelNames
from derive.math.printing import latex, text
from derive.steps.derivation import Relation

TIME_LIMIT = 10.0  # seconds for one expression (in the child process)
NO_INDEX = Indices(False, False)


def check_model_step(
    source: str | bytes,
    model: str,
    step: str | int | None = None,
    wrt: str | None = None,
    scale: str | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> CheckResult:
    """Check `source` against step `step` (a number or key) of `model`, or against its
    gradient with respect to `wrt`; InputError for unreadable text, an unknown step or
    parameter, or a check stopped at `time_limit` seconds (None: no child process)."""
    parsed = parse(source, models=True)  # bounded, before any SymPy object is made
    goal = target(model, step, wrt, scale)
    return run_or_refuse(
        judge_parsed,
        (parsed, goal, scale),
        time_limit,
        gettext("the check of this expression was {error}; simplify it"),
    )


def judge_parsed(
    parsed: Parsed, goal: Target, scale: str | None, other_forms: bool = False
) -> CheckResult:
    """Build the expression on the model's names and compare it (in the child process);
    `other_forms`: the row may stand for the entry form of the same step and back (a
    derivation's lines)."""
    spec, derivation = model_of(goal.model, scale)
    last = goal.relations[-1]
    base = {
        "text": parsed.text,
        "wrt": goal.wrt or "",  # with --step, no parameter (null in the JSON)
        "scale": spec.scale or "1/m",
        "expected_latex": latex(last.rhs),
        "expected_text": text(last.rhs),
        "model": goal.model,
        "step": goal.step.number,
        "step_key": goal.step.key,
    }
    try:
        value = build(parsed, ModelNames.for_spec(spec))
    except ShapeClash as clash:
        return shape_result(base, clash.message)
    shown = label_ones(value.expr, spec.m)
    base |= {"given_latex": latex(shown), "given_text": text(shown)}
    index_problem = _index_problem(value, spec.m)
    if index_problem is not None:
        return shape_result(base, index_problem)
    found = _relation(value, goal)
    other = None
    if found is None and other_forms:
        other = _other_form(value, goal)
        found = None if other is None else (goal.relations[0], False)
    if found is None:
        return shape_result(base, _shape_problem(value, goal))
    relation, transposed = found
    base |= {"expected_latex": latex(relation.rhs), "expected_text": text(relation.rhs)}
    given = value.expr.T if transposed else value.expr
    indexed = (r for r in goal.step.relations if checkable(r) and relation_indices(r) != NO_INDEX)
    chain = next(indexed, None)
    judgement = judge(spec, derivation, relation, chain, given, other)
    return _result(base, judgement, transposed, relation)


def built_value(
    parsed: Parsed, goal: Target, scale: str | None
) -> tuple[Relation, sp.Basic] | None:
    """The step's relation of the expression's form, and the expression in its
    orientation; None when the expression cannot be built or fits no relation."""
    spec, _ = model_of(goal.model, scale)
    try:
        value = build(parsed, ModelNames.for_spec(spec))
    except ShapeClash:
        return None
    if _index_problem(value, spec.m) is not None:
        return None
    found = _relation(value, goal)
    if found is None:
        return None
    relation, transposed = found
    return relation, value.expr.T if transposed else value.expr


def _relation(value: Value, goal: Target) -> tuple[Relation, bool] | None:
    """The step's relation of the expression's shape and free indices (last first), and
    whether the expression is its transpose."""
    mine = _value_indices(value)
    latest = list(goal.relations)[::-1]  # the last relation first: the step's result
    fits = sorted(latest, key=lambda r: relation_indices(r) != mine)
    for relation in fits:  # the same free indices first; a constant fits any
        theirs = relation_indices(relation)
        if (mine.example and not theirs.example) or (mine.feature and not theirs.feature):
            continue
        shape = tuple(relation.shape)
        if tuple(value.shape) == shape:
            return relation, False
        if tuple(value.shape) == shape[::-1] and not (mine.example or mine.feature):
            return relation, True
    return None


def _other_form(value: Value, goal: Target) -> Indices | None:
    """The expression's own free indices when it is the other form of the target's only
    relation — a row or column whose entries run as the other's free index does (1×n
    and j, m×1 and i, in either direction) — else None."""
    mine = _value_indices(value)
    relation = goal.relations[0]
    sizes = (goal.spec.m, goal.spec.n)
    theirs = _entries(tuple(relation.shape), relation_indices(relation), sizes)
    return mine if _entries(tuple(value.shape), mine, sizes) == theirs else None


def _entries(
    shape: tuple[sp.Expr, sp.Expr], indices: Indices, sizes: tuple[sp.Expr, sp.Expr]
) -> tuple[sp.Expr, ...]:
    """What the entries of a form run over, in order: (n,) for a 1×n row, an n×1
    column, and a number with the free index j."""
    if indices.example or indices.feature:
        used = zip(sizes, (indices.example, indices.feature), strict=True)
        return tuple(size for size, there in used if there)
    return tuple(size for size in shape if size != 1)


def _value_indices(value: Value) -> Indices:
    return Indices(any(n == "i" for n, _ in value.indices), any(n == "j" for n, _ in value.indices))


def _index_problem(value: Value, m: sp.Expr) -> str | None:
    """Why the expression's free indices are not the steps' (i over the examples, j over
    the features), or None: X_ji for X_ij, or pᵢ (1 − pⱼ), is a slip, not a renaming."""
    for letter, size in value.indices:
        over_examples = size == m
        if letter != ("i" if over_examples else "j"):
            problem = (
                gettext("the free index {letter} runs over the examples, which the steps index i")
                if over_examples
                else gettext(
                    "the free index {letter} runs over the features, which the steps index j"
                )
            )
            return problem.format(letter=letter)
    return None


def _shape_problem(value: Value, goal: Target) -> str:
    forms = sorted({_described(r.shape, relation_indices(r)) for r in goal.relations})
    wanted = forms[0]
    for other in forms[1:]:
        wanted = gettext("{one} or {other}").format(one=wanted, other=other)
    mine = _value_indices(value)
    return gettext("your expression is {yours}, but {symbol} is {expected}").format(
        yours=_described(value.shape, mine), symbol=goal.symbol, expected=wanted
    )


def _described(shape: tuple[sp.Expr, sp.Expr], indices: Indices) -> str:
    used = (("i", indices.example), ("j", indices.feature))
    letters = "".join(name for name, there in used if there)
    if letters:
        return gettext("a number with the free index {letters}").format(letters=letters)
    return shape_words(shape)


def _result(
    base: dict[str, Any], judgement: Judgement, transposed: bool, relation: Relation
) -> CheckResult:
    codes = set(judgement.codes) | ({"layout"} if transposed else set())
    ordered = tuple(code for code in CODES if code in codes)
    verdict = verdict_of(judgement.equal, transposed)
    mistake = judgement.mistake
    factor = judgement.factor
    shown_factor = None
    if mistake is not None and mistake.how == "missing-constant":
        shown_factor = f"1/{mistake.named_text}"
    elif factor is not None and ("factor" in ordered):
        shown_factor = factor_text(split_sign(factor)[1])
    return CheckResult(
        verdict=verdict,
        diagnosis=ordered,
        message=explain_model(
            judgement,
            text(relation.lhs),
            str(base["expected_text"]),
            transposed,
            update=relation.op == "<-",
        ),
        factor=shown_factor,
        counterexample=judgement.counterexample,
        proof=judgement.proof,
        named_text=None if mistake is None else mistake.named_text,
        named_latex=None if mistake is None else mistake.named_latex,
        **base,
    )
