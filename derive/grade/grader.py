"""Check a hand-derived gradient: a verdict, the mistake named, and a counterexample.

The entry point of `derive check` (parse -> build -> diagnose -> check): the text is
parsed here, where it is bounded; building (bounded too) and comparing run in a forked
child with a time limit (core/processes.py). The expected gradients are those the
derivation computes (article.compute). The result is a frozen `CheckResult` of plain data:
codes, a message for a student, LaTeX and text of both gradients, and a counterexample
when they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sympy as sp

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.core.processes import run_or_refuse
from derive.grade.build import build
from derive.grade.diagnose import Comparison, Finding, split_sign
from derive.grade.feedback import explain, factor_text
from derive.grade.indexed import Ones, label_ones
from derive.grade.parse import Parsed, parse
from derive.grade.result import CODES, CheckResult, shape_result, verdict_of
from derive.grade.value import ONE, ShapeClash, Value, a_shape
from derive.grade.vocabulary import ModelNames
from derive.math.printing import latex, text
from derive.models.linear import Model, Scale, build_model
from derive.steps.article import Calculus, compute

WRT = ("alpha", "beta", "beta_j")
TIME_LIMIT = 10.0  # seconds for comparing one expression (in the child process)
# One worked example of a diagnosis, for the handouts: the sign is right (ŷ − y absorbs
# the minus) but the factor 2 is missing, exactly as under the 1/(2m) convention.
WORKED_EXAMPLE = ("1/m (yhat - y)^T X", "beta")


@dataclass(frozen=True)
class Target:
    """What a check compares with: ∂J/∂α, ∂J/∂β or ∂J/∂βⱼ, as the derivation computes it."""

    wrt: str
    symbol: str  # ∂J/∂β, for messages
    expected: sp.Basic
    shape: tuple[sp.Expr, sp.Expr]
    component: bool  # ∂J/∂βⱼ: a number that depends on the feature index j


def check_gradient(
    text: str | bytes,
    wrt: str,
    scale: Scale | str = Scale.MEAN,
    time_limit: float | None = TIME_LIMIT,
) -> CheckResult:
    """Check a hand-derived gradient of J with respect to `wrt` (alpha, beta or beta_j).

    Raise `InputError` for text that cannot be read, an unknown `wrt` or scale, or a
    check stopped at `time_limit` seconds (None: no limit, and no child process).
    """
    if wrt not in WRT:
        raise InputError(
            gettext(
                "cannot check a gradient with respect to {wrt}: use alpha, beta or beta_j"
            ).format(wrt=repr(wrt))
        )
    chosen = Scale.parse(scale)
    parsed = parse(text)  # bounded by parse.py, before any SymPy object is made
    target(chosen, wrt)  # computed here, so that the child process inherits it
    return run_or_refuse(
        _check,
        (parsed, wrt, chosen),
        time_limit,
        gettext("the check of this expression was {error}; simplify it"),
    )


def worked_example() -> CheckResult:
    """The check of WORKED_EXAMPLE, computed: one diagnosis to show in a handout."""
    text, wrt = WORKED_EXAMPLE
    return check_gradient(text, wrt)


@lru_cache(maxsize=8)
def target(scale: Scale, wrt: str) -> Target:
    """The expected gradient, from the derivation's own calculus, for one scale."""
    model = _model(scale)
    calculus = _calculus(scale)
    one, n = ONE, model.n
    if wrt == "alpha":
        return Target(wrt, "∂J/∂α", calculus.grad_alpha, (one, one), False)
    if wrt == "beta":
        return Target(wrt, "∂J/∂β", calculus.grad_beta, (one, n), False)
    return Target(wrt, "∂J/∂βⱼ", calculus.grad_beta_entry, (one, one), True)


@lru_cache(maxsize=2)
def _model(scale: Scale) -> Model:
    return build_model(scale)


@lru_cache(maxsize=2)
def _calculus(scale: Scale) -> Calculus:
    return compute(_model(scale))


def _build(parsed: Parsed, scale: Scale) -> Value | ShapeClash:
    """The built expression, or the clash of shapes that stopped it."""
    try:
        return build(parsed, ModelNames.for_article(_model(scale)))
    except ShapeClash as clash:
        return clash


def _check(parsed: Parsed, wrt: str, scale: Scale) -> CheckResult:
    """Build, then compare (in the child process). The bounds of build.py refuse fast
    (the refusal is raised in the caller again), but SymPy may still take long to
    simplify what a long text builds, such as a sum of many powers of m: the time
    limit covers building too."""
    return analyse(parsed, _build(parsed, scale), wrt, scale)


def analyse(parsed: Parsed, built: Value | ShapeClash, wrt: str, scale: Scale) -> CheckResult:
    """Compare the built expression with the target (runs in the child process)."""
    goal = target(scale, wrt)
    model = _model(scale)
    base = {
        "text": parsed.text,
        "wrt": wrt,
        "scale": scale.value,
        "expected_latex": latex(goal.expected),
        "expected_text": text(goal.expected),
    }
    if isinstance(built, ShapeClash):
        return shape_result(base, built.message)
    value = built
    shown = label_ones(value.expr, model.m)
    given = {"given_latex": latex(shown), "given_text": text(shown)}
    problem, transposed = _shape_problem(value, goal, model)
    if problem is not None:
        result = shape_result({**base, **given}, problem)
    else:
        expr = value.expr.T if transposed else value.expr
        finding = Comparison(model, expr, goal.expected).run()
        result = _result({**base, **given}, finding, transposed, goal, scale)
    return replace(result, message=result.message + _ones_note(shown))


def _ones_note(shown: sp.Basic) -> str:
    """What 𝟏ₙᵀ and the like stand for, when the expression adds a number to a matrix
    other than a vector over the examples (where the number's label is 𝟏 or 𝟏ᵀ)."""
    note = gettext(" {ones} is {what} of ones: a number added to {what} is added to every entry.")
    return "".join(
        note.format(ones=text(ones), what=shape_words(ones.shape))
        for ones in sorted(shown.atoms(Ones), key=sp.default_sort_key)
    )


def _shape_problem(value: Value, goal: Target, model: Model) -> tuple[str | None, bool]:
    """(why the shapes cannot be compared, or None; whether to compare the transpose)."""
    component = bool(value.indices)
    yours = shape_words(value.shape)
    if goal.component:
        if value.shape == (ONE, ONE):
            return None, False
        if value.shape == (ONE, model.n):
            entry = gettext(
                "your expression is {yours}, but {symbol} is one number (the j-th entry); "
                "to check the whole gradient, use --wrt beta"
            )
        else:
            entry = gettext(
                "your expression is {yours}, but {symbol} is one number (the j-th entry)"
            )
        return entry.format(yours=yours, symbol=goal.symbol), False
    if component:
        return (
            gettext(
                "your expression has the free index j: it is the j-th entry of a gradient; "
                "check it with --wrt beta_j"
            ),
            False,
        )
    if value.shape == goal.shape:
        return None, False
    if value.shape == goal.shape[::-1]:
        return None, True
    differ = gettext("your expression is {yours}, but {symbol} is {expected}")
    problem = differ.format(yours=yours, symbol=goal.symbol, expected=shape_words(goal.shape))
    return problem + _shape_hint(value), False


def shape_words(shape: tuple[sp.Expr, sp.Expr]) -> str:
    if shape == (ONE, ONE):
        return gettext("a number (1×1)")
    rows, cols = shape
    if rows == ONE:
        return gettext("{a_shape} row").format(a_shape=a_shape(shape))
    if cols == ONE:
        return gettext("{a_shape} column").format(a_shape=a_shape(shape))
    return gettext("{a_shape} matrix").format(a_shape=a_shape(shape))


def _shape_hint(value: Value) -> str:
    rows, cols = value.shape
    if cols == ONE and rows != ONE:
        return gettext(" (one entry per example: is a sum over the examples missing?)")
    return ""


def _result(
    base: dict[str, Any], finding: Finding, transposed: bool, goal: Target, scale: Scale
) -> CheckResult:
    codes = _codes(finding, transposed)
    verdict = verdict_of(finding.equal, transposed)
    factor = finding.factor
    difference = finding.difference
    return CheckResult(
        verdict=verdict,
        diagnosis=codes,
        message=explain(codes, finding, goal.symbol, base["expected_text"], scale),
        factor=None if "factor" not in codes or factor is None else _size_text(factor),
        difference_latex=None if difference is None else latex(difference),
        difference_text=None if difference is None else text(difference),
        counterexample=finding.counterexample,
        proof=finding.proof,
        **base,
    )


def _size_text(factor: sp.Expr) -> str:
    """The factor without its sign, as typed: 2, 1/m, m/(m-1)."""
    return factor_text(split_sign(factor)[1])


def _codes(finding: Finding, transposed: bool) -> tuple[str, ...]:
    found = set()
    if transposed:
        found.add("layout")
    if not finding.equal:
        if finding.reference is None or finding.factor is None:
            found.add("other")
        else:
            if finding.reference == "missing-bias":
                found.add("missing-bias")
            sign, size = split_sign(finding.factor)
            if sign < 0:
                found.add("sign")
            if size != 1:
                found.add("factor")
    return tuple(code for code in CODES if code in found)
