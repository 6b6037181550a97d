"""The sentences of a check of a model's step: what the codes of a `Judgement` mean.

Part of `derive check --model` (targets -> explicit -> compare -> step_check, whose
message is written here). Each mistake names what it is about — the term left out, the
local factor dropped or written as the link itself, the intermediate replaced — in the
model's own symbols, and a factor is said as typed (2, 1/m).
"""

from __future__ import annotations

import sympy as sp

from derive.core.i18n import N_, gettext, join_sentences
from derive.grade.compare import Judgement
from derive.grade.diagnose import split_sign
from derive.grade.feedback import factor_text

MISTAKE_SENTENCES = {
    "missing-bias": N_(
        "The intercept {named} is missing: your expression equals the right one with {named} = 0."
    ),
    "missing-term": N_("A term is missing: {symbol} also has the term {named}."),
    "term-factor": N_("The term {named} has a wrong factor: yours has it {times} times."),
    "link-derivative": N_(
        "The derivative of the link is wrong: where the chain rule multiplies "
        "by {named}, yours has the link itself."
    ),
    "link-derivative-dropped": N_(
        "The derivative of the link is missing: the chain rule "
        "multiplies by {named}, and your expression leaves it out."
    ),
    "missing-inner-factor": N_(
        "An inner factor is missing: the chain rule multiplies by {named}, "
        "and your expression leaves it out."
    ),
    "missing-constant": N_("The constant {named} is missing where it multiplies."),
    "wrong-intermediate": N_(
        "An intermediate is wrong: your expression has {wrong} where {right} belongs."
    ),
}


def explain_model(
    judgement: Judgement, symbol: str, expected: str, layout: bool, update: bool = False
) -> str:
    """The message of a check of a model's step, in the current language; `update` for
    the right-hand side of an update rule α ← α − η ∂J/∂α, written out."""
    statement = f"{symbol} ← {expected}"
    if judgement.equal and update:
        sentence = gettext("Correct: your expression is the update {statement}.")
        return sentence.format(statement=statement)
    if judgement.equal:
        if layout:
            sentence = gettext(
                "Correct up to layout: your expression is the transpose of {symbol} = {expected}."
            )
        else:
            sentence = gettext("Correct: your expression equals {symbol} = {expected}.")
        note = (
            gettext(" (SymPy did not cancel the difference; it is 0 to 40 digits at 3 points.)")
            if judgement.proof == "numeric"
            else ""
        )
        return sentence.format(symbol=symbol, expected=expected) + note
    sentences = [
        gettext("Not the update {statement}.").format(statement=statement)
        if update
        else gettext("Not equal to {symbol} = {expected}.").format(symbol=symbol, expected=expected)
    ]
    if layout:
        sentences.append(
            gettext("Your expression has the transposed shape; the rest compares it transposed.")
        )
    mistake = judgement.mistake
    factor = judgement.factor
    if mistake is not None:
        key = "term-factor" if judgement.term_factor else mistake.how
        times = "" if factor is None else factor_text(factor)
        sentences.append(
            gettext(MISTAKE_SENTENCES[key]).format(
                named=mistake.named_text,
                symbol=symbol,
                times=times,
                wrong=mistake.named_text,
                right=mistake.instead_of,
            )
        )
    if factor is not None and not judgement.term_factor:
        sentences.extend(_factor_sentences(factor, mistake is not None))
    if "other" in judgement.codes:
        sentences.append(
            gettext(
                "It is not off by a sign, a constant factor, a transpose, a missing term, "
                "a missing or wrong factor of the chain rule or a wrong intermediate."
            )
        )
    return join_sentences(sentences)


def _factor_sentences(factor: sp.Expr, after_mistake: bool) -> list[str]:
    sign, size = split_sign(factor)
    found = []
    if sign < 0:
        found.append(
            gettext("Besides, the sign is wrong.")
            if after_mistake
            else gettext("The sign is wrong: yours is −1 times the right one.")
        )
    if size != 1:
        sentence = (
            gettext("Besides, a constant factor is wrong: yours is {factor} times it.")
            if after_mistake
            else gettext("A constant factor is wrong: yours is {factor} times the right one.")
        )
        found.append(sentence.format(factor=factor_text(size)))
    return found
