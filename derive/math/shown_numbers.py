"""Numbers in formulas: how the worked example shows its data, its arithmetic and results.

A companion of printing.py for numbers: every number as a decimal, exact where it
terminates (0.1, -13.45), else rounded to ROUNDED_DIGITS significant digits and marked
≈ (2/3 is ≈0.666667); matrices in brackets; and `ShownNumber`, a number put into a
formula for display, so that `0 - 0.1 · (-7)` is shown as written, not evaluated to 0.7.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import ClassVar

import sympy as sp

from derive.core.i18n import N_, gettext
from derive.math.printing import Notation, TextbookPrinter, TextPrinter


def decimal(value: sp.Rational) -> str | None:
    """A rational with a terminating decimal expansion written out in full, however many
    digits it has (0.1, -13.45, 24.9401749760608875), else None."""
    numerator, denominator = int(value.p), int(value.q)
    places = 0
    while 10**places % denominator:  # 2^a·5^b divides 10^places from places = max(a, b) on
        if places > denominator.bit_length():  # another prime divides the denominator
            return None
        places += 1
    digits = abs(numerator) * 10**places // denominator
    sign = 1 if numerator < 0 else 0
    return format(Decimal((sign, tuple(map(int, str(digits))), -places)), "f")


ROUNDED_DIGITS = 6  # significant digits of a number whose decimals do not end (as in the tables)
ROUNDED_NOTE = N_(
    "Numbers marked ≈ are rounded to {digits} significant digits (their decimals do not "
    "end); the computation itself is exact."
)


def rounded(value: sp.Rational, digits: int = ROUNDED_DIGITS) -> str:
    """A rational rounded to `digits` significant digits, written out: 2/3 -> 0.666667,
    -137/15 -> -9.13333, 10**7/3 -> 3333330 (the ≈ mark is the printer's)."""
    with localcontext() as context:
        context.prec = digits  # a division is rounded to the context's precision
        return format(Decimal(int(value.p)) / Decimal(int(value.q)), "f")


def rounds(expr: sp.Basic) -> bool:
    """Whether the example printers round (and mark ≈) some number of `expr`."""
    shown = [number.value for number in expr.atoms(ShownNumber)]
    return any(decimal(number) is None for number in [*expr.atoms(sp.Rational), *shown])


def rounding_note() -> str:
    """The sentence that says what ≈ means, in the current language."""
    return gettext(ROUNDED_NOTE).format(digits=ROUNDED_DIGITS)


class ShownNumber(sp.Symbol):
    """A number put into a formula for display: SymPy keeps `0.1·(-7)` instead of `0.7`."""

    def __new__(cls, value: sp.Rational) -> ShownNumber:
        shown: ShownNumber = super().__new__(cls, f"#{sp.Rational(value)}", real=True)
        return shown

    @property
    def value(self) -> sp.Rational:
        return sp.Rational(self.name[1:])


class _ExampleNumbers(Notation):
    """Numbers of worked examples: decimals, exact where they terminate and else rounded
    and marked (glyph "rounded"); negatives in parentheses where they are put in."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        shown = decimal(expr)
        if shown is not None:
            return shown
        return self.glyphs["rounded"].format(rounded(expr))

    _print_Half = _print_Rational
    _print_Integer = _print_Rational

    def _print_ShownNumber(self, expr: ShownNumber) -> str:
        text = self._print_Rational(expr.value)
        return f"({text})" if expr.value < 0 else text

    def _print_Mul(self, expr: sp.Mul) -> str:
        factors = list(expr.args)
        if not all(isinstance(f, (ShownNumber, sp.Number)) for f in factors):
            return super()._print_Mul(expr)
        sign = ""
        if factors[0] == -1:
            sign, factors = "-", factors[1:]
        shown = [self._print(f) for f in factors]
        return sign + self.glyphs["times"].join(shown)

    def _coefficient_then(self, coefficient: sp.Expr, factors: list[sp.Basic]) -> str:
        """A rounded negative coefficient keeps its sign after the mark: ≈-0.666667 𝟏ᵀ u."""
        rounded_negative = isinstance(coefficient, sp.Rational) and coefficient < 0
        if not rounded_negative or decimal(coefficient) is not None:
            return super()._coefficient_then(coefficient, factors)
        rest = super()._coefficient_then(sp.Integer(1), factors)
        return self._print(coefficient) + self.glyphs["product"] + rest


class ExampleLatexPrinter(_ExampleNumbers, TextbookPrinter):
    """LaTeX for worked examples."""

    glyphs: ClassVar[dict[str, str]] = {
        **TextbookPrinter.glyphs,
        "rounded": "{{\\approx}}{{{}}}",  # ≈ as an ordinary symbol: no space, sign kept unary
    }


class ExampleTextPrinter(_ExampleNumbers, TextPrinter):
    """Terminal text for worked examples."""

    glyphs: ClassVar[dict[str, str]] = {**TextPrinter.glyphs, "rounded": "≈{}"}


def example_latex(expr: sp.Basic) -> str:
    """LaTeX for numbers and matrices of a worked example (decimals, bracketed matrices)."""
    return str(ExampleLatexPrinter().doprint(expr))


def example_text(expr: sp.Basic) -> str:
    """Terminal text for numbers and matrices of a worked example."""
    return str(ExampleTextPrinter().doprint(expr))
