"""The worked example as the handouts and slides show it: ready LaTeX, a table, figures.

Beside handout.py (model -> steps -> verify -> numeric/example -> handout -> render): it
turns a `WorkedExample` into strings the templates lay out — each line of the first
iteration as formula, formula with numbers, and result — the iteration table, and the
figures as SVG (for HTML) and PDF (for LaTeX). It computes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.core.i18n import gettext
from derive.math.printing import latex_inline, relation_parts
from derive.math.shown_numbers import example_latex, rounding_note, rounds
from derive.models.notation import Segment, fill
from derive.numeric.worked_example import WorkedExample
from derive.present.formulas import Formula
from derive.present.prose import EXAMPLE
from derive.steps.derivation import Derivation


@dataclass(frozen=True)
class ExampleLine:
    """One line of the first iteration: the formula, with the numbers in, and the result."""

    key: str
    formula: Formula
    substituted: str
    result: str


@dataclass(frozen=True)
class Figure:
    """A figure in both forms a handout needs, with its caption."""

    name: str
    caption: str
    svg: str
    pdf: bytes


@dataclass(frozen=True)
class ExampleView:
    """The worked-example section of a handout."""

    introduction: tuple[Segment, ...]
    data: tuple[tuple[str, str], ...]  # a symbol and its value, both LaTeX
    lines: tuple[ExampleLine, ...]
    columns: tuple[str, ...]  # LaTeX column heads of the iteration table
    rows: tuple[tuple[str, ...], ...]
    bound: tuple[Segment, ...]
    outcome: str
    figures: tuple[Figure, ...]


def example_view(
    derivation: Derivation, worked: WorkedExample, figures: tuple[Figure, ...] = ()
) -> ExampleView:
    """The section for one worked example."""
    model, example, run = derivation.linear, worked.example, worked.run

    def prose(template: str) -> tuple[Segment, ...]:
        return tuple(fill(gettext(template), model, latex_inline))

    def value(number: object) -> str:
        return example_latex(sp.Rational(str(number)))

    n = example.size[1]
    sentence = EXAMPLE["bound"]
    bound_text = gettext(sentence).replace("[bound]", f"{worked.bound:.4g}")
    return ExampleView(
        introduction=prose(EXAMPLE["introduction"]) + _rounding(worked),
        data=(
            (latex_inline(model.X), example_latex(_matrix(example.X))),
            (latex_inline(model.y), example_latex(_matrix(tuple((v,) for v in example.y)))),
            (latex_inline(model.alpha), value(example.alpha)),
            (latex_inline(model.beta), example_latex(_matrix((example.beta,)))),
            (latex_inline(model.eta), value(example.lr)),
        ),
        lines=tuple(
            ExampleLine(
                line.key,
                Formula(*relation_parts(line.lhs, line.op, line.formula), ""),
                example_latex(line.substituted),
                example_latex(line.value),
            )
            for line in worked.first.lines
        ),
        columns=("k", latex_inline(model.alpha), *(rf"\beta_{{{j + 1}}}" for j in range(n)), "J"),
        rows=tuple(
            (
                str(k),
                _decimal(run.alphas[k]),
                *(_decimal(b) for b in run.betas[k]),
                _decimal(run.costs[k]),
            )
            for k in worked.table()
        ),
        bound=tuple(fill(bound_text, model, latex_inline)),
        outcome=_outcome(worked),
        figures=figures,
    )


def _rounding(worked: WorkedExample) -> tuple[Segment, ...]:
    """The sentence that says what ≈ means, when a line shows a rounded number; ≈ as
    math, so that LaTeX needs no Unicode in text."""
    if not any(rounds(line.substituted) or rounds(line.value) for line in worked.first.lines):
        return ()
    before, _mark, after = rounding_note().partition("≈")
    return (Segment("text", f" {before}"), Segment("math", r"\approx"), Segment("text", after))


def _matrix(rows: tuple[tuple[object, ...], ...]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([[sp.Rational(str(v)) for v in row] for row in rows])


def _decimal(number: float) -> str:
    return f"{number:.6g}"


def _outcome(worked: WorkedExample) -> str:
    run = worked.run
    if run.converged:
        return gettext("Descent converged after {k} iterations.").format(k=run.iterations)
    if run.diverged:
        return gettext("Descent diverged after {k} iterations.").format(k=run.iterations)
    return gettext("Descent had not converged after {k} iterations.").format(k=run.iterations)
