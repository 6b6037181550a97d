"""The handout as data: what the templates show, with every formula as ready LaTeX.

Fourth stage of the flow (model -> steps -> verify -> handout -> render). It gathers
the steps, their check results and the prose into one `Handout`; formulas are printed
here by printing.py, so that the templates only lay things out and never touch SymPy.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from derive.core.errors import InputError
from derive.core.i18n import N_, current, gettext
from derive.core.version import __version__
from derive.math.printing import latex, latex_inline, text
from derive.models.linear import Model
from derive.models.notation import Segment, fill, with_slots
from derive.models.spec import ModelSpec
from derive.present.example_view import ExampleView
from derive.present.formulas import Formula, formula
from derive.present.prose import (
    CHECKS,
    EXPLANATIONS,
    INTRODUCTION,
    NOTATION,
    PLANNED_CHECKS,
    PLANNED_INTRODUCTION,
    PLANNED_NOTATION,
    PLANNED_TITLE,
    SOURCE,
    Reference,
)
from derive.steps.derivation import Derivation, Step
from derive.verify.finite_differences import NUMERIC_TOLERANCE
from derive.verify.model_routes import MODEL_EXPLICIT_SIZES, MODEL_TOLERANCE
from derive.verify.step_checks import EXPLICIT_SIZES, StepCheck

if TYPE_CHECKING:
    from derive.grade.result import CheckResult

DEFAULT_TITLE = N_("The gradient of the mean squared error, step by step")
SUBTITLE = N_("Linear regression, with the cost")
PLANNED_SUBTITLE = N_("{model}, with the cost")
MAX_TITLE = 200


@dataclass(frozen=True)
class StepView:
    """A step as the handout shows it."""

    number: int
    key: str
    heading: tuple[Segment, ...]
    title: str
    explanation: tuple[Segment, ...]
    formulas: tuple[Formula, ...]
    shape: str  # LaTeX, such as "m \\times 1"
    shape_text: str
    note: tuple[Segment, ...]
    checks: tuple[tuple[str, bool], ...]

    @property
    def anchor(self) -> str:
        return f"step-{self.number}"

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(passed for _route, passed in self.checks)


@dataclass(frozen=True)
class Handout:
    """Everything a handout template needs, in the order it is shown."""

    title: str  # the user's text, escaped by the templates
    subtitle: str  # what the model is, above its cost
    cost: Formula
    introduction: tuple[Segment, ...]
    notation: tuple[Segment, ...]
    symbols: tuple[tuple[str, str], ...]  # a symbol and its shape, as LaTeX
    steps: tuple[StepView, ...]
    checks: tuple[tuple[str, tuple[Segment, ...]], ...]
    scale: str
    generator: str
    lang: str
    example: ExampleView | None = None  # the worked-example section, when there is one
    check: CheckResult | None = None  # one hand-derived gradient, checked, to show the checker
    source: Reference | None = SOURCE  # the article the steps follow, cited at the end
    model: str = "mse"  # the model's key ("logistic") or the description file's stem
    description: str | None = None  # a description file's text, which the notebook embeds

    @property
    def verified(self) -> bool:
        return all(step.verified for step in self.steps)


def build_handout(
    derivation: Derivation, checks: Sequence[StepCheck], title: str | None = None
) -> Handout:
    """Assemble the handout of a checked derivation: the article's, or a planned model's."""
    model = derivation.model
    prose = _prose(model)
    cost = derivation["cost"].relations[0]
    planned = isinstance(model, ModelSpec)
    if isinstance(model, ModelSpec):
        keys = tuple(f"{quantity.role}-{quantity.name}" for quantity in model.declared)
        default_title = gettext(PLANNED_TITLE).format(model=model.title.get(current()))
        subtitle = gettext(PLANNED_SUBTITLE).format(model=model.title.get(current()))
        scale = model.scale or "1/m"
    else:
        keys = ("inputs", "targets", "bias", "weights")
        default_title = gettext(DEFAULT_TITLE)
        subtitle = gettext(SUBTITLE)
        scale = model.scale.value
    declared = [derivation[key].relations[0] for key in keys]
    descriptions = PLANNED_CHECKS if planned else CHECKS
    return Handout(
        title=default_title if title is None else title,
        subtitle=subtitle,
        cost=formula(cost),
        introduction=prose(PLANNED_INTRODUCTION if planned else INTRODUCTION),
        notation=prose(PLANNED_NOTATION if planned else NOTATION),
        symbols=tuple((latex(r.lhs), _shape_latex(r.shape)) for r in declared),
        steps=step_views(derivation, checks),
        checks=tuple(
            (route, tuple(fill(_facts(gettext(sentence), planned), model, latex_inline)))
            for route, sentence in descriptions.items()
        ),
        scale=scale,
        generator=f"derive {__version__}",
        lang=current(),
        source=None if planned else SOURCE,
        model=model.key if isinstance(model, ModelSpec) else "mse",
    )


def check_title(title: str) -> None:
    """Refuse a title that cannot be a one-line heading: empty, too long, control characters."""
    if not title.strip():
        raise InputError(gettext("the title is empty"))
    if len(title) > MAX_TITLE:
        raise InputError(
            gettext("the title has {count} characters; at most {limit} fit a heading").format(
                count=len(title), limit=MAX_TITLE
            )
        )
    for position, character in enumerate(title):
        if unicodedata.category(character) in ("Cc", "Cs"):
            code = f"U+{ord(character):04X}"
            raise InputError(
                gettext("the title contains a control character ({code}) at {position}").format(
                    code=code, position=position + 1
                )
            )


def step_views(
    derivation: Derivation, checks: Sequence[StepCheck] | None = None
) -> tuple[StepView, ...]:
    """The steps as the templates show them; without checks, no check line."""
    prose = _prose(derivation.model)
    found = list(checks) if checks is not None else [None] * len(derivation)
    return tuple(_view(step, check, prose) for step, check in zip(derivation, found, strict=True))


Prosing = Callable[..., tuple[Segment, ...]]


def _prose(model: Model | ModelSpec) -> Prosing:
    """Prose in the current language, with the model's symbols as LaTeX segments; a
    planned step's `slots` name the symbols of its placeholders."""

    def prose(template: str, slots: tuple[tuple[str, str], ...] = ()) -> tuple[Segment, ...]:
        return tuple(fill(with_slots(gettext(template), slots), model, latex_inline))

    return prose


def _view(step: Step, check: StepCheck | None, prose: Prosing) -> StepView:
    return StepView(
        number=step.number,
        key=step.key,
        heading=prose(step.heading, step.slots),
        title=step.title,
        explanation=_explanation(step, prose),
        formulas=tuple(formula(r) for r in step.relations),
        shape=_shapes_latex(step),
        shape_text=_shapes_text(step),
        note=() if step.note_template is None else prose(step.note_template),
        checks=() if check is None else tuple((r.route, r.passed) for r in check.results),
    )


def without_rules(derivation: Derivation, step: Step) -> tuple[Segment, ...]:
    """A planned step's explanation without the sentences that state a rule of calculus
    (σ′(t) = σ(t)(1 − σ(t))): on a worksheet, the rule with zᵢ for t is the blank's answer."""
    kept = tuple(template for template in step.explanation if "{rule_" not in template)
    if kept == step.explanation:
        return _explanation(step, _prose(derivation.model))
    return _explanation(replace(step, explanation=kept), _prose(derivation.model)) if kept else ()


def _explanation(step: Step, prose: Prosing) -> tuple[Segment, ...]:
    """The article's explanation of the step, or a planned step's sentences in order and
    then the description's own words about it (plain text, never a template)."""
    if not step.explanation:
        return prose(EXPLANATIONS[step.key])
    segments: list[Segment] = []
    space = "" if current() == "zh" else " "  # Chinese sentences follow without a space
    for template in step.explanation:
        if segments:
            segments.append(Segment("text", space))
        segments.extend(prose(template, step.slots))
    own = step.prose.get(current()).strip() if step.prose is not None else ""
    if own:
        segments.append(Segment("text", space + _sentence(own)))
    return tuple(segments)


def _sentence(words: str) -> str:
    """A description's words as a sentence: a capital first, a full stop last."""
    words = words[0].upper() + words[1:]
    if words[-1] in ".!?。！？":
        return words
    return words + ("。" if current() == "zh" else ".")


def _facts(sentence: str, planned: bool = False) -> str:
    """Put the sizes and the tolerance the checks really use into their description."""
    explicit, tolerance = (
        (MODEL_EXPLICIT_SIZES, MODEL_TOLERANCE)
        if planned
        else (
            EXPLICIT_SIZES,
            NUMERIC_TOLERANCE,
        )
    )
    sizes = ", ".join(f"({m}, {n})" for m, n in explicit)
    parts = f"{round(1 / tolerance):,}"
    return sentence.replace("[sizes]", sizes).replace("[parts]", parts)


def _shapes_latex(step: Step) -> str:
    """The step's shape; where its relations differ in shape, each beside what it is of."""
    if not step.mixed_shapes:
        return _shape_latex(step.shape)
    shown = dict.fromkeys((latex(r.lhs), _shape_latex(r.shape)) for r in step.relations)
    return r";\quad ".join(rf"{lhs}\colon {shape}" for lhs, shape in shown)


def _shapes_text(step: Step) -> str:
    if not step.mixed_shapes:
        return "×".join(text(size) for size in step.shape)
    shown = dict.fromkeys(
        (text(r.lhs), "×".join(text(size) for size in r.shape)) for r in step.relations
    )
    return "; ".join(f"{lhs}: {shape}" for lhs, shape in shown)


def _shape_latex(shape: tuple[object, object]) -> str:
    return rf"{latex(shape[0])} \times {latex(shape[1])}"
