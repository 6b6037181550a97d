"""A derivation checked line by line, for a terminal: each line's verdict, then where it
goes wrong, with the diagnosis and a counterexample (`derive check --lines`).

Part of the presentation layer; the judging is grade/lines.py.
"""

from __future__ import annotations

from derive.core.i18n import N_, gettext
from derive.grade.lines import LinesResult
from derive.present.terminal import check_text

MARKS = {"right": "✓", "wrong": "✗", "follows": "→", "differs": "✗"}
WORDS = {
    "right": N_("right"),
    "wrong": N_("the first wrong line"),
    "follows": N_("follows from the line before"),
    "differs": N_("does not follow from the line before"),
}


def lines_text(done: LinesResult) -> str:
    """One line per line of the derivation, then the first wrong line in full."""
    label = gettext("line {number}")  # outside the f-string, where babel finds it
    shown = [
        f"{MARKS[line.verdict]} {label.format(number=line.number)}: "
        f"{line.result.text.strip()}   [{gettext(WORDS[line.verdict])}]"
        for line in done.lines
    ]
    if done.first_wrong is None:
        shown += ["", gettext("Every line is right, and the last equals the answer.")]
        return "\n".join(shown)
    wrong = next(line for line in done.lines if line.number == done.first_wrong)
    before = [line.number for line in done.lines if line.number < done.first_wrong]
    if before:
        head = gettext("Line {number} is where it goes wrong: it is not equal to line {previous}.")
        head = head.format(number=wrong.number, previous=before[-1])
    else:
        head = gettext("Line {number} is where it goes wrong: it is not equal to the answer.")
        head = head.format(number=wrong.number)
    return "\n".join([*shown, "", head, "", check_text(wrong.result)])
