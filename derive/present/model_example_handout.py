"""The worked example of every model as the handouts and slides show it: an `ExampleView`.

Presentation, beside example_view.py (the article's mse example) and model_example_view.py
(a planned model's example for a terminal): `model_example_view` turns a `WorkedModel`
into what the templates lay out — data and start, each line of the first iteration as
formula, numbers put in and result, the iteration table, the step policy (the bound 2/λmax
or 2/L, or backtracking), the outcome (a local minimum where the cost is not convex) and
model_example_figures.py's figures. `given_example` reads the example a handout is given
(a model's `[example]` table, a teacher's CSV file) before any file is written; `fitted`
breaks lines of up to MAX_ROWS-long vectors that would be wider than a page.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeAlias

import sympy as sp

from derive.core.i18n import N_, current, gettext
from derive.core.processes import forked_map
from derive.math.printing import latex_inline, relation_parts
from derive.math.shown_numbers import rounding_note
from derive.models.description import read_toml
from derive.models.notation import Segment, fill
from derive.models.spec import ModelSpec
from derive.numeric.first_iteration import Example
from derive.numeric.model_example import WorkedModel, work_model
from derive.numeric.model_example_data import data_rows, example_of, load_model_example, source_name
from derive.numeric.model_example_first import approximate
from derive.numeric.model_problem import Slot
from derive.numeric.worked_example import DEFAULT, load_example, work
from derive.present.example_figures import start_figures
from derive.present.example_view import ExampleLine, ExampleView, Figure, example_view
from derive.present.fonts import FontWarning, figure_language
from derive.present.formulas import Formula
from derive.present.model_example_figures import NAMES, model_figures
from derive.present.model_example_view import example_latex_of, line_rounds, minimum_sentence
from derive.present.prose import EXAMPLE
from derive.steps.derivation import Derivation

INTRODUCTION = N_(
    "The data below are few, so that the first iteration can be redone with pencil, paper "
    "and a calculator. Each line takes a formula of the derivation, puts the numbers in, "
    "and works it out exactly; the table then follows the iterations that come after."
)
SIGMOID_BOUND = N_(
    "Since σ′ ≤ 1/4, the curvature of this cost is at most L = λmax/(4{m}), where λmax is "
    "the largest eigenvalue of ZᵀZ and Z is {X} with a column of ones in front: gradient "
    "descent converges when the learning rate {eta} lies between 0 and 2/L; for these data "
    "2/L = [bound]."
)
BACKTRACKING = N_(
    "The curvature of this cost has no bound that holds everywhere, so each step is found "
    "by backtracking (Armijo): it tries twice the step before ({eta} = [lr] first) and "
    "halves it until the cost falls enough; [halvings] halvings in all."
)
FIRST_HALVED = N_(
    "The first step halved {eta} to [step]: the iterate after it is not the one computed "
    "by hand above."
)
STALLED = N_("Descent stopped after {k} iterations: the gradient no longer became smaller.")
# What the figures show, by whether there is a bound and whether there are contours.
FIGURES = {
    (True, True): EXAMPLE["figures"],
    (True, False): N_(
        "The figures show the cost falling and what happens on either side of the bound."
    ),
    (False, True): N_(
        "The figures show the cost falling, the path of the weights across the contours of "
        "the cost, and the cost for several first trial steps."
    ),
    (False, False): N_(
        "The figures show the cost falling and the cost for several first trial steps."
    ),
}
# The widest a line's numbers may be, in ems of the LaTeX handout (a browser draws MathML
# about a fifth wider): on a page, and in a column of a compact handout.
WIDTH = {False: 30.0, True: 19.0}

# The worked example a handout is given: a planned model's, worked (None: it has none), or
# for mse a teacher's example, read (None: the default example).
Given: TypeAlias = Example | WorkedModel | None


def given_example(
    derivation: Derivation, model: str, path: str | None = None, target: str | None = None
) -> Given:
    """The example of `model` (a planned model's worked on its `[example]` table or on the
    teacher's CSV file `path`; for mse, that file read). A file that cannot serve is an
    `InputError` (separable labels a `SeparableError`), before anything is written."""
    spec = derivation.model
    if not isinstance(spec, ModelSpec):
        return None if path is None else load_example(path, target)
    if path is not None:
        chosen = load_model_example(spec, path, target)
    elif spec.text and "example" in read_toml(spec.text, source_name(model)):
        chosen = example_of(spec, source_name(model))
    else:
        return None  # a description without an example
    return work_model(spec, chosen, derivation=derivation)


@contextmanager
def model_example_section(
    given: Given, compact: bool = False
) -> Iterator[Callable[[], ExampleView | None]]:
    """A planned model's section under way: its figures drawn in two forked workers (none
    when compact, and the lines fitted to a column); the function yielded waits for them
    and gives the section, None for a model without an example."""
    if not isinstance(given, WorkedModel):
        yield lambda: None
        return
    groups = () if compact else (("contours",), ("cost", "rates"))  # about equally long
    if groups:
        figure_language(current())  # a missing font said here, once
    with forked_map(_drawn, given, groups) as running:
        yield lambda: fitted(
            model_example_view(given, _in_order(f for group in running.get() for f in group)),
            WIDTH[compact],
        )


def _drawn(worked: WorkedModel, names: tuple[str, ...]) -> tuple[Figure, ...]:
    """Some of the figures, in a worker, which leaves the warning on fonts to the parent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FontWarning)
        return model_figures(worked, names)


def _in_order(figures: Iterable[Figure]) -> tuple[Figure, ...]:
    return tuple(sorted(figures, key=lambda figure: NAMES.index(figure.name)))


@contextmanager
def mse_example_section(
    derivation: Derivation, given: Given, scale: str, compact: bool = False
) -> Iterator[Callable[[], ExampleView]]:
    """The mse example's section under way: worked here on `given` (the default example
    when None), its figures drawn in workers meanwhile (none when compact); the function
    yielded waits for them. A teacher's data are fitted, INTRODUCTION their first sentence."""
    worked = work(derivation, given if isinstance(given, Example) else DEFAULT)

    def section(drawn: tuple[Figure, ...]) -> ExampleView:
        view = example_view(derivation, worked, drawn)
        if given is None:
            return view
        own = (Segment("text", gettext(INTRODUCTION)), *view.introduction[1:])
        return fitted(replace(view, introduction=own), WIDTH[compact])

    if compact:
        yield lambda: section(())
        return
    with start_figures(worked, scale) as drawing:
        yield lambda: section(drawing.result())


def model_example_view(worked: WorkedModel, figures: tuple[Figure, ...] = ()) -> ExampleView:
    """A planned model's worked-example section in the current language; without figures,
    no sentence about them."""
    spec, example, run = worked.spec, worked.example, worked.run
    rows = data_rows(spec, example)
    data = [
        (latex_inline(q.symbol), example_latex_of(sp.ImmutableMatrix(rows[q.name])))
        for q in spec.data
    ]
    data += [(latex_inline(s.quantity.symbol), _start(worked, s)) for s in worked.slots]
    data += [
        (latex_inline(q.symbol), example_latex_of(q.default))
        for q in spec.constants
        if q.default is not None
    ]
    data.append((latex_inline(spec.eta), example_latex_of(sp.Rational(example.lr))))
    introduction = fill(gettext(INTRODUCTION), spec, latex_inline)
    if any(line_rounds(line) for line in worked.first.lines):
        before, _mark, after = rounding_note().partition("≈")  # ≈ as math, as example_view.py
        introduction += [
            Segment("text", f" {before}"),
            Segment("math", r"\approx"),
            Segment("text", after),
        ]
    return ExampleView(
        introduction=tuple(introduction),
        data=tuple(data),
        lines=tuple(
            ExampleLine(
                line.key,
                Formula(*relation_parts(line.lhs, line.op, _shown(line.rule, line.formula)), ""),
                example_latex_of(line.substituted),
                example_latex_of(approximate(line.value)),
            )
            for line in worked.first.lines
        ),
        columns=("k", *(name for slot in worked.slots for name in _entry_names(slot)), "J"),
        rows=tuple(
            (str(k), *(f"{v:.6g}" for v in run.thetas[k]), f"{run.costs[k]:.6g}")
            for k in worked.table()
        ),
        bound=_bound(worked, figures),
        outcome=_outcome(worked),
        figures=figures,
    )


def figure_sentences() -> tuple[str, ...]:
    """Every sentence on its figures a section's `bound` can end with, in the current
    language, mse's first (a compact handout leaves it out with the figures)."""
    return tuple(dict.fromkeys(gettext(sentence) for sentence in FIGURES.values()))


def slide_groups(view: ExampleView) -> list[list[str]]:
    """The keys of the first iteration's lines, a slide each, the updates (←) on one
    slide together: for the mse example, [["prediction"], …, ["alpha_next", "beta_next"]]."""
    groups: list[list[str]] = []
    previous = False
    for line in view.lines:
        update = line.formula.op == r"\leftarrow"
        if update and previous:
            groups[-1].append(line.key)
        else:
            groups.append([line.key])
        previous = update
    return groups


def _bound(worked: WorkedModel, figures: tuple[Figure, ...]) -> tuple[Segment, ...]:
    """The step policy's sentence, then what the figures show (when there are figures)."""
    spec, bound, lr = worked.spec, worked.bound, sp.Rational(worked.example.lr)
    marks = {"[bound]": f"{bound or 0:.4g}", "[lr]": example_latex_of(lr)}
    if worked.policy == "hessian" and bound is not None:
        sentence = gettext(EXAMPLE["bound"])  # mse's, without its own sentence on figures
        sentence = sentence.removesuffix(gettext(EXAMPLE["figures"])).rstrip()
    elif worked.policy == "sigmoid" and bound is not None:
        sentence = gettext(SIGMOID_BOUND)
    else:
        sentence = gettext(BACKTRACKING).replace("[halvings]", str(worked.run.halvings))
        step = worked.first_step
        if step is not None and step != float(lr):
            sentence = _then(sentence, gettext(FIRST_HALVED).replace("[step]", f"{step:.6g}"))
    for mark, value in marks.items():
        sentence = sentence.replace(mark, value)
    if figures:
        contours = any(figure.name == "contours" for figure in figures)
        sentence = _then(sentence, gettext(FIGURES[(bound is not None, contours)]))
    return tuple(fill(sentence, spec, latex_inline))


def _outcome(worked: WorkedModel) -> str:
    """How descent ended and, when it converged, whether the end is a minimum (a local
    one for a cost that is not convex)."""
    run = worked.run
    if run.converged:
        ended = gettext("Descent converged after {k} iterations.")
    elif run.diverged:
        ended = gettext("Descent diverged after {k} iterations.")
    elif run.stalled:
        ended = gettext(STALLED)
    else:
        ended = gettext("Descent had not converged after {k} iterations.")
    minimum = minimum_sentence(worked)
    ended = ended.format(k=run.iterations)
    return ended if minimum is None else _then(ended, minimum)


def _then(sentence: str, following: str) -> str:
    """Two sentences, a space apart unless the first ends with a full-width stop (。)."""
    return sentence + ("" if sentence.endswith(("。", "！", "？")) else " ") + following


def _shown(rule: sp.Basic | None, formula: sp.Basic) -> sp.Basic:
    """What a line shows first: an update's general rule α − η ∂J/∂α (as mse's), else the
    step's own formula."""
    return formula if rule is None else rule


def _start(worked: WorkedModel, slot: Slot) -> str:
    entries = [sp.Rational(v) for v in worked.example.starting(slot.quantity.name)]
    if not slot.matrix:
        return example_latex_of(entries[0])
    return example_latex_of(sp.ImmutableMatrix(*slot.shape, entries))


def _entry_names(slot: Slot) -> list[str]:
    """The table's heads for a parameter's entries: α, or β₁ β₂ (a matrix row by row)."""
    symbol = latex_inline(sp.Symbol(slot.quantity.name))
    return [f"{symbol}_{{{j + 1}}}" for j in range(slot.size)] if slot.matrix else [symbol]


# --- lines that fit -----------------------------------------------------------------------


@dataclass(frozen=True)
class FittedView(ExampleView):
    """An `ExampleView` of up to MAX_ROWS examples (a model's, a teacher's data) whose
    lines too wide for a page are broken into rows (see `fitted`); `tex` has each line's
    numbers for LaTeX, rows a little apart, the first on the line's baseline. The LaTeX
    handout shrinks what still does not fit. The data are shown in one row (`data_row`)."""

    tex: tuple[str, ...] = ()

    @property
    def data_row(self) -> str:
        return r" \qquad ".join(f"{{{name} = {value}}}" for name, value in self.data)


# The printer's LaTeX token by token, with the space before it (a + or − after a space is
# binary): a matrix of numbers whole (they do not nest), \left or \right and its
# delimiter, a command, a character.
_TOKEN = re.compile(
    r"(?P<space>\s*)(?:\\begin\{bmatrix\}(?P<matrix>.*?)\\end\{bmatrix\}"
    r"|\\(?P<side>left|right)(?P<delimiter>\\?.)|\\(?P<command>[a-zA-Z]+|.)|(?P<char>\S))",
    re.DOTALL,
)
_MATRIX = re.compile(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", re.DOTALL)
# Widths in ems of Computer Modern, near enough to tell where a line would not fit.
_WIDE = {"approx": 0.78, "circ": 0.5, "cdot": 0.28, "top": 0.6, "quad": 1.0, "sigma": 0.6}
_CHARS = {"+": 0.78, "-": 0.78, "=": 0.78, "(": 0.39, ")": 0.39, "{": 0.0, "}": 0.0, "^": 0.0}
_BINARY = {"+", "-", "circ", "cdot"}  # a medium space (0.44 em) on either side
_BREAKS = {"+", "-", "circ"}


def fitted(view: ExampleView, width: float) -> FittedView:
    """The view with each line's numbers in rows of at most `width` ems where operators
    allow, broken before a +, − or ∘ of the least depth of parentheses that makes them fit
    (an `array`, which latex2mathml makes a MathML table)."""
    rows = [_broken(line.substituted, width) for line in view.lines]
    pairs = zip(view.lines, rows, strict=True)
    lines = tuple(replace(line, substituted=_array(_alone(row))) for line, row in pairs)
    tex = tuple(_array(row, r"\begin{array}[t]{@{}l@{}} ", r" \\[4pt] ") for row in rows)
    fields = {name: getattr(view, name) for name in ExampleView.__dataclass_fields__}
    return FittedView(**(fields | {"lines": lines}), tex=tex)


def _alone(rows: list[str]) -> list[str]:
    """For MathML: each matrix in a group of its own, so that its brackets stretch to its
    own height, not to the tallest thing beside it (latex2mathml makes them fences)."""
    return [_MATRIX.sub(lambda found: "{" + found.group(0) + "}", row) for row in rows]


def _array(rows: list[str], begin: str = r"\begin{array}{l} ", between: str = r" \\ ") -> str:
    return rows[0] if len(rows) == 1 else begin + between.join(rows) + r" \end{array}"


def _width(latex: str) -> float:
    total = 0.0
    for token in _TOKEN.finditer(latex):
        if token["matrix"] is not None:
            cells = [row.split("&") for row in token["matrix"].split(r"\\")]
            columns = [max(_width(row[j]) for row in cells) for j in range(len(cells[0]))]
            total += sum(columns) + 0.9 * len(columns) + 0.3
        elif token["side"] is not None:
            total += 0.0 if token["delimiter"] == "." else 0.75
        else:
            name = token["command"] or token["char"]
            total += _WIDE.get(name, 0.0) if token["command"] else _CHARS.get(name, 0.5)
            total += 0.88 if name in _BINARY and token["space"] else 0.0
    return total


def _broken(latex: str, width: float) -> list[str]:
    """The rows of one line's numbers (one row when it fits or cannot be broken)."""
    places: list[tuple[int, int]] = []  # before each operator: (depth of \left, position)
    depth = plain = 0
    for token in _TOKEN.finditer(latex):
        name = token["command"] or token["char"]
        if token["side"] is not None:
            depth += 1 if token["side"] == "left" else -1
        elif name in ("(", ")", "{", "}"):
            plain += 1 if name in "({" else -1
        elif name in _BREAKS and token["space"] and not plain:
            places.append((depth, token.start()))
    rows = [latex]
    for deepest in sorted({d for d, _ in places}) if _width(latex) > width else ():
        rows = _rows(latex, [p for d, p in places if d <= deepest], width)
        if all(_width(row) <= width for row in rows):
            break
    return rows


def _rows(latex: str, places: list[int], width: float) -> list[str]:
    """Greedily, a row ended before the operator after which it would be too wide; each
    \\left open at its end closed with \\right. and opened again on the next row."""
    ends, start = [], 0
    for k, place in enumerate(places):
        following = places[k + 1] if k + 1 < len(places) else len(latex)
        if place > start and _width(latex[start:following]) + 1.0 > width:
            ends.append(place)
            start = place
    rows, opened = [], 0
    for begin, end in zip([0, *ends], [*ends, len(latex)], strict=True):
        row = latex[begin:end].strip()
        shown = (r"\quad " + r"\left. " * opened + "{} " if begin else "") + row
        opened += row.count(r"\left") - row.count(r"\right")
        rows.append(shown + (r" \right." * opened if end < len(latex) else ""))
    return rows
