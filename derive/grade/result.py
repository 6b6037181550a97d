"""The outcome of a check, for every front end: a frozen `CheckResult` of plain data.

Last stage of `derive check` (grader.py for the article's gradients, step_check.py for any
step of any model): codes, a message for a student, LaTeX and text of both sides, a
counterexample when they differ; its JSON, its Markdown for Jupyter, the command line that
reruns it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from derive.core.i18n import N_, gettext, join_list
from derive.grade.compare import ModelCounterexample
from derive.grade.diagnose import Counterexample
from derive.models.linear import Scale

DIAGNOSES = {  # the codes of the mistakes, in order, as shown (in English, the codes)
    "sign": N_("sign"),
    "factor": N_("factor"),
    "layout": N_("layout"),
    "shape": N_("shape"),
    "missing-bias": N_("missing-bias"),
    "missing-term": N_("missing-term"),
    "missing-inner-factor": N_("missing-inner-factor"),
    "link-derivative": N_("link-derivative"),
    "wrong-intermediate": N_("wrong-intermediate"),
    "other": N_("other"),
}
CODES = tuple(DIAGNOSES)
# The verdicts, as shown (in English, the code itself, which is also the JSON's value).
VERDICTS = {
    "equivalent": N_("equivalent"),
    "equivalent-up-to-layout": N_("equivalent-up-to-layout"),
    "not-equivalent": N_("not-equivalent"),
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check; `verdict` is equivalent, equivalent-up-to-layout or
    not-equivalent, `diagnosis` the codes of the mistakes (in the order of CODES).
    `model` and `step` are set for a check of a model's step (`--model`, `--step`);
    `named_text` is the term, factor or intermediate a diagnosis names."""

    text: str
    wrt: str
    scale: str
    verdict: str
    diagnosis: tuple[str, ...]
    message: str
    expected_latex: str
    expected_text: str
    given_latex: str | None = None
    given_text: str | None = None
    factor: str | None = None
    difference_latex: str | None = None
    difference_text: str | None = None
    counterexample: Counterexample | ModelCounterexample | None = None
    proof: str | None = None  # symbolic, concrete, exact, numeric or counterexample
    model: str | None = None  # as named on the command line
    step: int | None = None  # the step's number, with --step
    step_key: str | None = None
    named_text: str | None = None
    named_latex: str | None = None

    @property
    def equivalent(self) -> bool:
        """True also when equal up to layout (a column for a row): exit code 0."""
        return self.verdict != "not-equivalent"

    @property
    def shown_verdict(self) -> str:
        """The verdict in the current language (in English, its code)."""
        return gettext(VERDICTS[self.verdict])

    @property
    def headline(self) -> str:
        """The verdict and the mistakes' codes, in the current language: `not-equivalent
        [factor]` in English (the codes of the JSON), 不正确（常数因子） in Chinese."""
        if not self.diagnosis:
            return self.shown_verdict
        names = join_list(gettext(DIAGNOSES[code]) for code in self.diagnosis)
        return gettext("{verdict} [{diagnosis}]").format(
            verdict=self.shown_verdict, diagnosis=names
        )

    @property
    def command(self) -> str:
        """The command line that runs this check."""
        scale = "" if self.scale == Scale.MEAN.value else f" --scale {shlex.quote(self.scale)}"
        if self.model is None:
            return f"derive check {shlex.quote(self.text)} --wrt {self.wrt}{scale}"
        what = f"--wrt {self.wrt}" if self.wrt else f"--step {self.step}"
        model = shlex.quote(self.model)
        return f"derive check {shlex.quote(self.text)} --model {model} {what}{scale}"

    def _repr_markdown_(self) -> str:
        """The check as Jupyter shows it: the verdict, both gradients, the message."""
        mark = "✓" if self.equivalent else "✗"
        lines = [f"**{mark} {self.headline}**", ""]
        if self.given_latex is not None:
            lines += [f"{gettext('yours')}: $${self.given_latex}$$", ""]
        lines += [f"{gettext('correct')}: $${self.expected_latex}$$", "", self.message]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The JSON object of `derive check --json` (the keys of the issue come first)."""
        example = self.counterexample
        return {
            "wrt": self.wrt or None,
            "equivalent": self.equivalent,
            "verdict": self.verdict,
            "diagnosis": list(self.diagnosis),
            "factor": self.factor,
            "message": self.message,
            "given_latex": self.given_latex,
            "expected_latex": self.expected_latex,
            "counterexample": None if example is None else _counterexample_json(example),
            "input": self.text,
            "scale": self.scale,
            "given_text": self.given_text,
            "expected_text": self.expected_text,
            "difference_latex": self.difference_latex,
            "difference_text": self.difference_text,
            "proof": self.proof,
            **({} if self.model is None else self._model_json()),
        }

    def _model_json(self) -> dict[str, Any]:
        """The keys of a check of a model's step (the article's JSON is as it was)."""
        return {
            "model": self.model,
            "step": self.step,
            "step_key": self.step_key,
            "named_text": self.named_text,
            "named_latex": self.named_latex,
        }


def verdict_of(equal: bool, transposed: bool) -> str:
    """The verdict of a comparison, transposed when the expression was compared transposed."""
    if not equal:
        return "not-equivalent"
    return "equivalent-up-to-layout" if transposed else "equivalent"


def shape_result(base: dict[str, Any], problem: str) -> CheckResult:
    """The result of an expression whose shape cannot be compared: one sentence."""
    message = gettext("The shapes do not fit: {problem}.").format(problem=problem)
    return CheckResult(verdict="not-equivalent", diagnosis=("shape",), message=message, **base)


def _counterexample_json(example: Counterexample | ModelCounterexample) -> dict[str, Any]:
    if isinstance(example, ModelCounterexample):
        return {
            "m": example.m,
            "n": example.n,
            "values": {name: [list(row) for row in rows] for name, rows in example.values},
            "given": list(example.given),
            "expected": list(example.expected),
        }
    return {
        "m": example.m,
        "n": example.n,
        "X": [list(row) for row in example.X],
        "y": list(example.y),
        "alpha": example.alpha,
        "beta": list(example.beta),
        "given": [list(row) for row in example.given],
        "expected": [list(row) for row in example.expected],
    }
