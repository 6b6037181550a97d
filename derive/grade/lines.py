"""A whole derivation, line by line: `derive check --model M --wrt beta --lines FILE`.

A student's derivation is a chain of equalities, one expression per line. Every line is
compared with the step's right answer (step_check.py); the first line that is not equal to
it is where the derivation goes wrong, and it is diagnosed against the line before it
(which was right), so that the mistake is named as the student typed it — "line 4 lost the
factor 2 that line 3 had". The lines after it are compared with their previous line: a
later line may follow correctly from a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.core.processes import run_or_refuse
from derive.grade.parse import ExpressionError, Parsed, parse
from derive.grade.result import CheckResult
from derive.grade.step_check import TIME_LIMIT, built_value, judge_parsed
from derive.grade.targets import Target, checkable, target
from derive.steps.derivation import Relation

MAX_LINES = 40
# A line's verdict: right (equal to the answer), wrong (the first line that is not),
# follows (equal to the line before it, which was wrong), differs (not even that).
VERDICTS = ("right", "wrong", "follows", "differs")


@dataclass(frozen=True)
class LineCheck:
    """One line: its number (from 1), verdict, and the check behind it (against the answer
    for a right line, against the line before for the others)."""

    number: int
    verdict: str
    result: CheckResult

    def as_json(self) -> dict[str, Any]:
        return {"line": self.number, "verdict": self.verdict, "check": self.result.as_json()}


@dataclass(frozen=True)
class LinesResult:
    """Every line's check, and the first wrong line (None when every line is right)."""

    lines: tuple[LineCheck, ...]
    first_wrong: int | None

    @property
    def equivalent(self) -> bool:
        return self.first_wrong is None

    def _repr_markdown_(self) -> str:
        """Each line's mark, then the first wrong line's check, for Jupyter."""
        marks = {"right": "✓", "wrong": "✗", "follows": "→", "differs": "✗"}
        label = gettext("line {number}")
        rows = [
            f"{marks[line.verdict]} {label.format(number=line.number)}: "
            f"$${line.result.given_latex or ''}$$"
            for line in self.lines
        ]
        wrong = [line for line in self.lines if line.number == self.first_wrong]
        return "\n\n".join([*rows, *(line.result._repr_markdown_() for line in wrong)])

    def as_json(self) -> dict[str, Any]:
        return {
            "equivalent": self.equivalent,
            "first_wrong_line": self.first_wrong,
            "lines": [line.as_json() for line in self.lines],
        }


def check_lines(
    texts: list[str],
    model: str,
    step: str | int | None = None,
    wrt: str | None = None,
    scale: str | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> LinesResult:
    """Check a derivation given as its lines. Empty lines and comments (# or %) are
    skipped; LaTeX's alignment (`&=`, a trailing `\\\\`) and a byte-order mark are
    dropped, so that the lines of an align environment can be pasted."""
    kept = [(number, _cleaned(line)) for number, line in enumerate(texts, 1)]
    kept = [(number, line) for number, line in kept if line]
    if not kept:
        raise InputError(gettext("the derivation has no lines"))
    if len(kept) > MAX_LINES:
        raise InputError(
            gettext("the derivation has {count} lines; at most {limit} are checked").format(
                count=len(kept), limit=MAX_LINES
            )
        )
    parsed = []
    for number, line in kept:
        try:
            parsed.append((number, parse(line, models=True)))
        except ExpressionError as error:
            raise ExpressionError(
                gettext("line {number}: {problem}").format(number=number, problem=error.problem),
                error.text,
                error.position,
            ) from None
    goal = target(model, step, wrt, scale)
    # a derivation may pass through the entry form (∂J/∂βⱼ) on its way to the row
    goal = replace(goal, relations=tuple(filter(checkable, goal.step.relations)))
    limit = None if time_limit is None else time_limit * len(parsed)
    return run_or_refuse(
        _judge_lines,
        (parsed, goal, scale),
        limit,
        gettext("the check of this derivation was {error}; simplify it"),
    )


def _cleaned(line: str) -> str:
    """A line without what is not mathematics: a BOM, a comment, & and a trailing \\\\."""
    line = line.removeprefix("\ufeff").strip()
    if line.startswith(("#", "%")):
        return ""
    return line.removesuffix("\\\\").strip().replace("&", "")


def _judge_lines(parsed: list[tuple[int, Parsed]], goal: Target, scale: str | None) -> LinesResult:
    checks: list[LineCheck] = []
    first_wrong: int | None = None
    previous: Relation | None = None
    for number, line in parsed:
        answer = judge_parsed(line, goal, scale)
        against = _against(previous, goal, line, scale)
        if first_wrong is None and not answer.equivalent:
            first_wrong = number
            checks.append(LineCheck(number, "wrong", against or answer))
        elif first_wrong is None or answer.equivalent:
            checks.append(LineCheck(number, "right", answer))
        elif against is not None and against.equivalent:
            checks.append(LineCheck(number, "follows", against))
        else:
            checks.append(LineCheck(number, "differs", against or answer))
        previous = _as_relation(line, goal, scale)
    return LinesResult(tuple(checks), first_wrong)


def _against(
    previous: Relation | None, goal: Target, line: Parsed, scale: str | None
) -> CheckResult | None:
    """The line checked against the line before it (also when one is the row and the
    other its entry form)."""
    if previous is None or _as_relation(line, goal, scale) is None:
        return None
    return judge_parsed(line, replace(goal, relations=(previous,)), scale, other_forms=True)


def _as_relation(line: Parsed, goal: Target, scale: str | None) -> Relation | None:
    """The line as a relation `lhs = line` of the step's relation of its form, or None
    when it cannot be built or fits none."""
    found = built_value(line, goal, scale)
    if found is None:
        return None
    relation, expr = found
    return Relation(relation.lhs, "=", expr)
