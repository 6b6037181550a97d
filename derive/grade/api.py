"""The Python API of `derive check`: `derive.check_gradient` and `derive.check_step`.

The top of the grade package: one function per question a student asks — is my gradient
right (`check_gradient`, any model), is my step right (`check_step`), is my derivation
right line by line (`check_lines`). `check_step` keeps its older meaning too: given a
`Step` of a derivation instead of text, it runs the three verification routes on it.
"""

from __future__ import annotations

from derive.grade.grader import TIME_LIMIT
from derive.grade.grader import check_gradient as check_article
from derive.grade.lines import LinesResult, check_lines
from derive.grade.result import CheckResult
from derive.grade.step_check import check_model_step
from derive.models.linear import Model, Scale
from derive.models.spec import ModelSpec
from derive.steps.derivation import Step
from derive.verify.step_checks import ROUTES, StepCheck
from derive.verify.step_checks import check_step as verify_step

ARTICLE = "mse"

__all__ = ["LinesResult", "check_gradient", "check_lines", "check_step"]


def check_gradient(
    text: str | bytes,
    wrt: str,
    model: str = ARTICLE,
    scale: Scale | str | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> CheckResult:
    """Check a hand-derived gradient of `model`'s cost with respect to `wrt` (a parameter
    name, or `beta_j` for one entry). mse is the article's checker, as always."""
    if model == ARTICLE:
        return check_article(text, wrt, Scale.MEAN if scale is None else scale, time_limit)
    shown = None if scale is None else Scale.parse(scale).value
    return check_model_step(text, model, wrt=wrt, scale=shown, time_limit=time_limit)


def check_step(
    text: str | bytes | Model | ModelSpec,
    step: int | str | Step,
    model: str = ARTICLE,
    scale: str | None = None,
    routes: tuple[str, ...] = ROUTES,
) -> CheckResult | StepCheck:
    """Check a hand-written right-hand side of step `step` (a number or key) of `model`:
    `check_step("p_i (1 - p_i)", 11, model="logistic")`. Given a model and a `Step`
    instead, run the verification routes on that step (a `StepCheck`)."""
    if isinstance(text, (Model, ModelSpec)):
        if not isinstance(step, Step):
            raise TypeError("check_step(model, step) verifies a Step of a derivation")
        return verify_step(text, step, routes)
    if isinstance(step, Step):
        raise TypeError("check_step(text, step) takes the step's number or key")
    return check_model_step(text, model, step=step, scale=scale)
