"""Sentences for a student: what a check found, in words, from its codes and its finding.

Used by check.py after diagnose.py has compared the expressions; nothing is computed
here. Each code has its sentence; a factor that is exactly the other cost convention
(1/m against 1/(2m)) says so and how to check under it.
"""

from __future__ import annotations

import sympy as sp

from derive.core.i18n import N_, gettext, join_sentences
from derive.grade.diagnose import CONFIRM, SIZES, Finding, split_sign
from derive.math.printing import text
from derive.models.linear import Scale

CONCRETE_NOTE = N_(
    " (The {claim} was checked exactly at the sizes m×n = {sizes}; the symbolic "
    "simplification did not confirm it, so it is not proved for every size.)"
)
COMMON_FACTORS = {
    "m": N_("the 1/m in front of the sum is missing"),
    "1/m": N_("there is one 1/m too many"),
    "2": N_("there is one factor 2 too many"),
}


def explain(
    codes: tuple[str, ...], finding: Finding, symbol: str, expected: str, scale: Scale
) -> str:
    """The message of a check: one or more sentences, in the order of the codes."""
    note = ""
    if finding.proof == "concrete":
        sizes = ", ".join(f"{m}×{n}" for m, n in (*SIZES, CONFIRM))
        claim = gettext("equality") if finding.equal else gettext("explanation")
        note = gettext(CONCRETE_NOTE).format(claim=claim, sizes=sizes)
    if finding.equal:
        if "layout" in codes:
            return _layout_equal(symbol, expected) + note
        correct = gettext("Correct: your expression equals {symbol} = {expected}.")
        return correct.format(symbol=symbol, expected=expected) + note
    sentences = [
        gettext("Not equal to {symbol} = {expected}.").format(symbol=symbol, expected=expected)
    ]
    if "layout" in codes:
        sentences.append(
            gettext(
                "Your expression is an n×1 column, the layout of Xᵀu; with β a 1×n row, the "
                "gradient is the 1×n row uᵀX. The rest compares your expression transposed."
            )
        )
    if "missing-bias" in codes:
        sentences.append(
            gettext(
                "The bias is missing: you used y − Xβᵀ where the error is u = y − ŷ = y − α𝟏 − Xβᵀ."
            )
        )
    factor = finding.factor
    if factor is not None and "other" not in codes:
        sentences.extend(_factor_sentences(codes, factor, scale))
    if "other" in codes:
        other = gettext(
            "It is not off by a sign, a constant factor, a transpose or a missing bias. "
            "Your expression minus the correct one simplifies to {difference} "
            "(with u = y − ŷ)."
        )
        sentences.append(other.format(difference=text(finding.difference)))
    return join_sentences(sentences) + note


def _layout_equal(symbol: str, expected: str) -> str:
    sentence = gettext(
        "Correct up to layout: your expression is the n×1 column whose transpose is "
        "{symbol} = {expected}. The numbers are the same; with β a 1×n row the gradient "
        "is written as a 1×n row too (uᵀX rather than Xᵀu)."
    )
    return sentence.format(symbol=symbol, expected=expected)


def _factor_sentences(codes: tuple[str, ...], factor: sp.Expr, scale: Scale) -> list[str]:
    if "missing-bias" in codes:
        compared = gettext("the gradient without the bias")
    else:
        compared = gettext("the correct one")
    sentences = []
    if "sign" in codes:
        flipped = gettext(
            "The sign is flipped: your expression has the opposite sign of {compared}. "
            "A common cause is taking the error as ŷ − y, or losing the minus that comes "
            "from differentiating u = y − ŷ."
        )
        sentences.append(flipped.format(compared=compared))
    if "factor" in codes:
        size = factor_text(split_sign(factor)[1])
        if "sign" in codes:
            lead = gettext("Apart from the sign, your expression is {size} times {compared}")
        else:
            lead = gettext("Off by a constant factor: your expression is {size} times {compared}")
        sentence = lead.format(size=size, compared=compared)
        clause = sentence + _factor_reason(size, scale, "sign" in codes)
        sentences.append(gettext("{clause}.").format(clause=clause))
    return sentences


def _factor_reason(size: str, scale: Scale, sign: bool) -> str:
    """Why a factor may have appeared, when it is one of the usual ones."""
    other = Scale.HALF_MEAN if scale is Scale.MEAN else Scale.MEAN
    if (size, scale) in (("1/2", Scale.MEAN), ("2", Scale.HALF_MEAN)):
        if sign:
            that = gettext(
                ": with the sign corrected, that would be the gradient under the other "
                "convention, J = {scale}·Σ uᵢ²; if that is your cost, check with --scale {scale}"
            )
        else:
            that = gettext(
                ": that is exactly the gradient under the other convention, J = {scale}·Σ uᵢ²; "
                "if that is your cost, check with --scale {scale}"
            )
        return that.format(scale=other.value)
    if "(m-1)" in size.partition("/")[2]:
        reason = gettext(
            ": m − 1 stands where the cost has m; J = {scale}·Σ uᵢ² divides by m, the number "
            "of examples (dividing by m − 1 belongs to the sample variance, not to this cost)"
        )
        return reason.format(scale=scale.value)
    if size == "1/2":
        return gettext(": the 2 that comes from differentiating the square uᵢ² is missing")
    if size in COMMON_FACTORS:
        return gettext(": {reason}").format(reason=gettext(COMMON_FACTORS[size]))
    return ""


def factor_text(factor: sp.Expr) -> str:
    """A positive factor k·mᵃ·nᵇ·(m−1)ᶜ·(m+1)ᵈ as typed: 2, 1/2, m, 1/m, 2m, 1/(2m), m/2,
    m^2, m/(m-1), 2(m+1)/m."""
    coefficient, rest = sp.factor(factor).as_coeff_Mul()  # m/(2(m-1)), not m/(2m-2)
    powers = rest.as_powers_dict()
    top, bottom = (
        _split(sp.Rational(coefficient).p, powers, 1),
        _split(sp.Rational(coefficient).q, powers, -1),
    )
    numerator = "".join(top) or "1"
    if not bottom:
        return numerator
    denominator = "".join(bottom)
    return f"{numerator}/({denominator})" if len(bottom) > 1 else f"{numerator}/{denominator}"


def _split(number: int, powers: dict[sp.Basic, sp.Expr], sign: int) -> list[str]:
    """The parts of a numerator (sign 1) or denominator (sign -1): the number, then m, n."""
    parts = [str(number)] if number != 1 else []
    for base in sorted(powers, key=lambda base: (isinstance(base, sp.Add), str(base))):
        exponent = int(powers[base]) * sign
        if base != 1 and exponent > 0:
            name = f"({str(base).replace(' ', '')})" if isinstance(base, sp.Add) else str(base)
            parts.append(name if exponent == 1 else f"{name}^{exponent}")
    return parts
