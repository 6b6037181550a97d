"""A worksheet and its answer key as data: which right-hand sides are blank, and each box.

Presentation, beside handout.py (model -> steps -> verify -> handout -> render): from a
checked derivation's `Handout` it chooses the blanks of `derive handout --worksheet
--blanks SPEC` (the calculus steps, all computed steps, the worked example's first
iteration, or steps named by key or number) and describes each box: its height for
handwriting, the shape of the answer as a hint, and the command that checks it. The
templates (render/worksheets.py) lay a `Sheet` out; it never holds a blank's answer.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from derive.core.errors import InputError
from derive.core.i18n import N_, gettext, join_list
from derive.grade.targets import checkable, is_calculus
from derive.math.printing import text
from derive.present.example_view import ExampleView
from derive.present.formulas import formula
from derive.present.handout import Handout, without_rules
from derive.steps.derivation import Derivation, Step

# --blanks calculus (grade/targets.is_calculus): the factors of the chain rule and the
# gradients they make, with the updates that would give a gradient away.
MODES = ("calculus", "all", "example")
# Never blank: the question itself (the cost, under the title) and what a step aims at.
GIVEN_KEYS = ("cost",)
GIVEN_PREFIXES = ("aim-",)
LINE_CM = 0.8  # a line of handwriting
MIN_LINES = 2  # every box holds at least two
MAX_LINES = 4
SCALAR = N_("scalar")
WORKSHEET = N_("Worksheet")
ANSWERS = N_("Answers")
WORKSHEET_NOTE = N_(
    "Write the right-hand side of each step with a box, then check it with the command "
    "beneath the box (the “…” stands for what you wrote)."
)
ANSWERS_NOTE = N_("The answer key: the steps marked “Answer” are the worksheet's boxes.")
# A matrix of numbers in the worked example: its rows and the columns of its first row.
_MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.DOTALL)
_TALL = (r"\frac", r"\sum", r"\begin", r"\left")


@dataclass(frozen=True)
class Choice:
    """The blanks chosen by --blanks: steps by number, or the example's first iteration."""

    steps: tuple[int, ...]
    example: bool = False


@dataclass(frozen=True)
class Blank:
    """One empty box: the relation it replaces (step and place), its height in cm, the
    shape of the answer in words ("1×n", "scalar") and the command that checks it."""

    number: int
    index: int
    height: float
    shape: str
    command: str

    @property
    def style(self) -> str:
        return f"height: {self.height:.1f}cm"

    @property
    def tex_height(self) -> str:
        return f"{self.height:.1f}cm"


@dataclass(frozen=True)
class Sheet:
    """What the templates need to make a worksheet (`answers` False) or its key (True)."""

    blanks: tuple[Blank, ...]  # the steps' boxes
    lines: tuple[tuple[str, Blank], ...]  # the example's boxes, by line key
    hidden: tuple[str, ...]  # example lines whose formula is an answer: shown by value only
    answers: bool = False

    @property
    def label(self) -> str:
        return gettext(ANSWERS if self.answers else WORKSHEET)

    @property
    def note(self) -> str:
        return gettext(ANSWERS_NOTE if self.answers else WORKSHEET_NOTE)

    def marked(self, number: int) -> bool:
        """Whether the step has a box on the worksheet (and a mark in the key)."""
        return any(blank.number == number for blank in self.blanks)

    def blank(self, number: int, index: int) -> Blank | None:
        """The box in place of the step's `index`-th relation's right-hand side, if any."""
        found = [b for b in self.blanks if (b.number, b.index) == (number, index)]
        return found[0] if found else None

    def line(self, key: str) -> Blank | None:
        """The box in place of an example line's numbers, if any."""
        return dict(self.lines).get(key)

    def hides(self, key: str) -> bool:
        """Whether an example line's formula is an answer, which the worksheet leaves out."""
        return not self.answers and key in self.hidden

    @property
    def example(self) -> bool:
        return bool(self.lines)


def blankable(step: Step) -> bool:
    """A step with a right-hand side `derive check --step` can judge (grade/targets.py):
    not a declaration, not a rule with derivatives left in it, not the cost, not an aim."""
    if not any(checkable(relation) for relation in step.relations):
        return False
    return step.key not in GIVEN_KEYS and not step.key.startswith(GIVEN_PREFIXES)


def choose_blanks(derivation: Derivation, spec: str) -> Choice:
    """--blanks SPEC: calculus, all, example, or a comma list of step keys or numbers;
    an `InputError` naming an unknown one and the valid keys."""
    wanted = spec.strip()
    if wanted == "example":
        return Choice((), example=True)
    if wanted in ("calculus", "all"):
        test = is_calculus if wanted == "calculus" else blankable
        chosen = [s.number for s in derivation if blankable(s) and test(s)]
        return Choice(_with_updates(derivation, chosen))
    valid = {s.key: s.number for s in derivation if blankable(s)}
    numbers: list[int] = []
    for item in (part.strip() for part in spec.split(",")):
        number = valid.get(item)
        if number is None and item.isdigit() and int(item) in valid.values():
            number = int(item)
        if number is None:
            raise InputError(
                gettext("unknown step {step} in --blanks: choose {modes}, or from {keys}").format(
                    step=repr(item), modes=join_list(MODES), keys=join_list(valid)
                )
            )
        numbers.append(number)
    return Choice(_with_updates(derivation, numbers))


def _with_updates(derivation: Derivation, numbers: list[int]) -> tuple[int, ...]:
    """The chosen steps and the update steps of the gradients among them: α ← α − η·∂J/∂α
    written out would give the blank gradient away."""
    keys = {derivation[number].key for number in numbers}
    updates = [
        step.number
        for step in derivation
        if step.key.startswith("update-") and f"gradient-{step.key.removeprefix('update-')}" in keys
    ]
    return tuple(sorted({*numbers, *updates}))


def check_command(model: str, step: int, scale: str = "1/m") -> str:
    """The command that checks a step derived by hand; the model as the user gave it."""
    words = ["derive", "check", "--model", shlex.quote(model), "--step", str(step)]
    if scale != "1/m":
        words += ["--scale", shlex.quote(scale)]
    return " ".join(words) + ' "…"'


def example_command(model: str, source: str | None, target: str | None) -> str:
    """The command that prints the worked example's numbers, to check them against."""
    words = ["derive", "example", "--model", shlex.quote(model)]
    if source is not None:
        words += ["--example", shlex.quote(source)]
    if target is not None:
        words += ["--target", shlex.quote(target)]
    return " ".join(words)


def box_lines(answer: str, shape: tuple[object, object]) -> int:
    """Lines of handwriting a box holds: two, one more for a tall answer (a fraction, a
    sum, brackets) or a matrix, one more for a long one."""
    tall = any(mark in answer for mark in _TALL) or all(str(size) != "1" for size in shape)
    long = len(answer) > 48
    return min(MAX_LINES, MIN_LINES + int(tall) + int(long))


def shape_words(shape: tuple[object, object]) -> str:
    """A shape as a hint: "scalar" for 1×1, else "m×1"."""
    sizes = [text(size) if not isinstance(size, (int, str)) else str(size) for size in shape]
    return gettext(SCALAR) if sizes == ["1", "1"] else "×".join(sizes)


def build_sheet(
    derivation: Derivation,
    document: Handout,
    choice: Choice,
    commands: tuple[str, str, str],
) -> Sheet:
    """The worksheet's boxes; `commands` are the model as given, the scale, and the
    command that prints the worked example."""
    model, scale, example = commands
    blanks: list[Blank] = []
    answers: set[str] = set()
    for number in choice.steps:
        step = derivation[number]
        for index, relation in enumerate(step.relations):
            if not checkable(relation):
                continue
            answer = formula(relation).rhs
            answers.add(answer)
            height = box_lines(answer, relation.shape) * LINE_CM
            words = shape_words(relation.shape)
            blanks.append(Blank(number, index, height, words, check_command(model, number, scale)))
    keys = {derivation[number].key for number in choice.steps}
    view = document.example
    lines: list[tuple[str, Blank]] = []
    hidden: list[str] = []
    for line in () if view is None else view.lines:
        if choice.example:
            rows, words = _numbers_shape(line.result)
            height = max(MIN_LINES, rows) * LINE_CM
            lines.append((line.key, Blank(0, 0, height, words, example)))
        elif line.key in keys or line.formula.rhs in answers:
            hidden.append(line.key)
    return Sheet(tuple(blanks), tuple(lines), tuple(hidden))


def _numbers_shape(result: str) -> tuple[int, str]:
    """Rows of an example line's value and its shape in words (from its LaTeX)."""
    found = _MATRIX.search(result)
    if found is None:
        return 1, gettext(SCALAR)
    rows = found.group(1).split(r"\\")
    return len(rows), f"{len(rows)}×{rows[0].count('&') + 1}"


def worksheet_handout(document: Handout, sheet: Sheet, derivation: Derivation) -> Handout:
    """The handout a worksheet shows: no checked example of a hand derivation (it shows
    a correct gradient); a blank step's explanation without the rule of calculus it
    applies (the rule is its answer with t for zᵢ); and, when the example's numbers are
    blank, none of them in its table either (the cost at the start and the first
    iterate)."""
    example = document.example
    if sheet.example and example is not None:
        example = _without_first_iterate(example)
    steps = tuple(
        replace(view, explanation=without_rules(derivation, derivation[view.number]))
        if sheet.marked(view.number)
        else view
        for view in document.steps
    )
    return replace(document, check=None, example=example, steps=steps)


def _without_first_iterate(view: ExampleView) -> ExampleView:
    """The table with the first iteration's numbers left out: the cost of row 0, row 1."""
    rows = []
    for row in view.rows:
        if row[0] == "0":
            row = (*row[:-1], "")
        elif row[0] == "1":
            row = (row[0], *("" for _ in row[1:]))
        rows.append(row)
    return replace(view, rows=tuple(rows))
