"""Numbers in formulas: how the worked example shows its data, its arithmetic and results.

A companion of printing.py for numbers: terminating fractions as decimals (0.1, -13.45),
matrices in brackets, and `ShownNumber`, a number put into a formula for display, so that
`0 - 0.1 · (-7)` is shown as written instead of being evaluated by SymPy to 0.7.
"""

from __future__ import annotations

from decimal import Decimal

import sympy as sp

from derive.math.printing import Notation, TextbookPrinter, TextPrinter


def decimal(value: sp.Rational) -> str | None:
    """A rational with a terminating decimal expansion written out (0.1, -13.45), else None."""
    denominator = int(value.q)
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    return format(Decimal(int(value.p)) / Decimal(int(value.q)), "f")


class ShownNumber(sp.Symbol):
    """A number put into a formula for display: SymPy keeps `0.1·(-7)` instead of `0.7`."""

    def __new__(cls, value: sp.Rational) -> ShownNumber:
        shown: ShownNumber = super().__new__(cls, f"#{sp.Rational(value)}", real=True)
        return shown

    @property
    def value(self) -> sp.Rational:
        return sp.Rational(self.name[1:])


class _ExampleNumbers(Notation):
    """Numbers of worked examples: decimals where they terminate, negatives in parentheses."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        shown = decimal(expr)
        if shown is not None:
            return shown
        sign = "-" if expr < 0 else ""
        return sign + self.glyphs["fraction"].format(abs(int(expr.p)), int(expr.q))

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


class ExampleLatexPrinter(_ExampleNumbers, TextbookPrinter):
    """LaTeX for worked examples."""


class ExampleTextPrinter(_ExampleNumbers, TextPrinter):
    """Terminal text for worked examples."""


def example_latex(expr: sp.Basic) -> str:
    """LaTeX for numbers and matrices of a worked example (decimals, bracketed matrices)."""
    return str(ExampleLatexPrinter().doprint(expr))


def example_text(expr: sp.Basic) -> str:
    """Terminal text for numbers and matrices of a worked example."""
    return str(ExampleTextPrinter().doprint(expr))
