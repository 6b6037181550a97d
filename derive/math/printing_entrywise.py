r"""The notation of models beyond the article, mixed into the printers of printing.py.

Functions entry by entry (sigmoid, log p, exp(zᵢ)), Hadamard products and powers (y ∘ z,
v^{∘2}), squared norms (‖β‖²), scalars as 1×1 matrices, and partial derivatives with
named quantities held fixed ((∂J/∂zᵢ)|μ), in the glyphs of each printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.entrywise import AsMatrix, Entrywise, HeldDerivative, SquaredNorm
from derive.math.printing_names import BARE_ON_A_LETTER
from derive.math.printing_order import function_parts, ordered_factors

# Leaves of an expression: a function's argument written without parentheses (log p).
LETTERS = (sp.MatrixSymbol, sp.OneMatrix, MatrixElement, sp.Symbol)


class EntrywiseNotation:
    """sigmoid, log, exp, tanh, softplus; ∘ and ∘k; ‖v‖²; AsMatrix; held derivatives."""

    glyphs: ClassVar[dict[str, str]]
    # a function of derive/math/functions.py -> its head: \sigma, \operatorname{log}, ...
    heads: ClassVar[dict[str, str]]

    if TYPE_CHECKING:  # provided by the printer the notation is mixed into

        def _print(self, expr: Any, **kwargs: Any) -> str: ...

        def _paren(self, text: str) -> str: ...

    def _print_HeldDerivative(self, expr: HeldDerivative) -> str:
        """(∂J/∂zᵢ)|μ: the partial derivative with the named quantities μ held fixed."""
        partial = self.glyphs["partial"].format(self._print(expr.of), self._print(expr.wrt))
        held = ", ".join(self._print(name) for name in expr.held)
        return self.glyphs["held"].format(partial, held)

    def _apply(self, name: str, arg: sp.Basic, exp: str | None = None) -> str:
        """sigmoid(z), log p, log(𝟏 − p), exp(zᵢ); with `exp`, the function's power: log² pᵢ."""
        head = self.heads[name]
        if exp is not None:
            head = self.glyphs["function_power"].format(head, exp)
        if name in BARE_ON_A_LETTER and isinstance(arg, LETTERS):
            return self.glyphs["bare"].format(head, self._print(arg))
        return head + self._paren(self._print(arg))

    def _print_Entrywise(self, expr: Entrywise) -> str:
        if expr.name == "square":
            return self._hadamard_power(expr.arg, sp.Integer(2))
        return self._apply(expr.name, expr.arg)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        return self._apply("log", expr.args[0], exp)

    def _print_exp(self, expr: sp.exp, exp: str | None = None) -> str:
        return self._apply("exp", expr.args[0], exp)

    def _print_tanh(self, expr: sp.tanh, exp: str | None = None) -> str:
        return self._apply("tanh", expr.args[0], exp)

    def _print_Sigmoid(self, expr: sp.Function, exp: str | None = None) -> str:
        return self._apply("sigmoid", expr.args[0], exp)

    def _print_Softplus(self, expr: sp.Function, exp: str | None = None) -> str:
        return self._apply("softplus", expr.args[0], exp)

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        """u ∘ p ∘ (𝟏 − p): sums and products in parentheses, complements after what they
        complement, functions last."""
        factors = ordered_factors(expr.args)
        last = len(factors) - 1
        shown = [self._among_factors(f, k == last) for k, f in enumerate(factors)]
        return self.glyphs["hadamard"].join(shown)

    def _among_factors(self, factor: sp.Basic, last: bool) -> str:
        text = self._print(factor)
        products = (sp.MatAdd, sp.MatMul, sp.HadamardProduct)
        return (
            self._paren(text) if isinstance(factor, products) or self._open(factor, last) else text
        )

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        return self._hadamard_power(expr.base, expr.exp)

    def _hadamard_power(self, base: sp.Basic, exponent: sp.Basic) -> str:
        shown = self._print(base)
        if not isinstance(base, LETTERS) and not self._closed(base):
            shown = self._paren(shown)
        return self.glyphs["hadamard_power"].format(shown, self._exponent(exponent))

    def _exponent(self, exponent: sp.Basic) -> str:
        return self._print(exponent)

    def _print_SquaredNorm(self, expr: SquaredNorm) -> str:
        return self.glyphs["squared_norm"].format(self._print(expr.arg))

    def _print_AsMatrix(self, expr: AsMatrix) -> str:
        return self._print(expr.value)

    def _closed(self, expr: sp.Basic) -> bool:
        """Written inside its own brackets, so that ᵀ or a power may follow: exp(z), ‖β‖²,
        log(𝟏 − p) (not log p, not v∘²)."""
        if isinstance(expr, SquaredNorm):
            return True
        parts = function_parts(expr)
        return parts is not None and parts[0] != "square" and not self._bare(expr)

    @staticmethod
    def _bare(expr: sp.Basic) -> bool:
        """A function written without parentheses: log p, log pᵢ."""
        parts = function_parts(expr)
        return parts is not None and parts[0] in BARE_ON_A_LETTER and isinstance(parts[1], LETTERS)

    def _open(self, factor: sp.Basic, last: bool) -> bool:
        """A bare log p in a product: in parentheses unless it comes last, (log p) y."""
        return self._bare(factor) and not last
