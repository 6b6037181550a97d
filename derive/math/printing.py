r"""SymPy expressions in textbook notation: LaTeX for documents, Unicode text for terminals.

Sits between the mathematics (steps) and the presentation (render, cli): the only place
where expressions become text. One set of notation rules — bold vectors, a bold ones
vector, transposes as ⊤, the coefficient first (-\frac{2}{m}, never (-1) 2 \frac{1}{m}),
no `+ -`, terms in reading order (y − ŷ), sums from 1 to m, derivatives as ∂-fractions —
drives two printers that differ only in their symbols (`Notation.glyphs`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.sets import MatrixSet
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive.math.matcalc import MatrixDerivative, Shape

# Reading order of terms in a sum: the target, then the prediction, bias, weights.
_READING_RANK = {"y": 0, "yhat": 1, "u": 2, "alpha": 3, "beta": 4, "X": 5}
# Order of entries in a product: uᵢ Xᵢⱼ, Xᵢₖ βₖ (as in uᵀX and Xβᵀ).
_PRODUCT_RANK = {"y": 0, "yhat": 1, "u": 2, "X": 3, "beta": 4}
# Names for summation indices that SymPy invented, by the size they run to.
_INDEX_NAMES = {"m": ("i", "l"), "n": ("k", "p")}
_SPARE_INDEX_NAMES = ("r", "s", "t", "v", "w", "a", "b", "c", "d", "e", "f", "g", "h")
_BIG_FACTORS = (sp.Sum, sp.Derivative, MatrixExpr, MatrixElement)


class Notation:
    """The notation rules; subclasses supply `glyphs` (formats) and `names` (symbols)."""

    glyphs: ClassVar[dict[str, str]]
    # model name -> (whole, entry format with one {} for the index)
    names: ClassVar[dict[str, tuple[str, str]]]
    _dummy_names: dict[sp.Symbol, str]

    if TYPE_CHECKING:  # provided by the SymPy printer the rules are mixed into

        def _print(self, expr: Any, **kwargs: Any) -> str: ...

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        raise NotImplementedError

    def _plain_mul(self, expr: sp.Mul) -> str:
        raise NotImplementedError

    def _subscript(self, text: str) -> str:
        return text

    def _paren(self, text: str) -> str:
        return self.glyphs["paren"].format(text)

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return str(self.names.get(expr.name, (expr.name, ""))[0])

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        ones = self.glyphs["ones"]
        row = expr.shape[0] == 1 and expr.shape[1] != 1
        return self.glyphs["transpose"].format(ones) if row else ones

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol):
            inner = self._paren(inner)
        return self.glyphs["transpose"].format(inner)

    def _print_MatrixElement(self, expr: MatrixElement) -> str:
        name = getattr(expr.parent, "name", None)
        indices = [
            idx for idx, size in zip((expr.i, expr.j), expr.parent.shape, strict=True) if size != 1
        ]
        index = "".join(self._print(idx) for idx in indices)
        if name not in self.names:
            return f"{self._print(expr.parent)}[{index}]"
        return self.names[name][1].format(self._subscript(index))

    def _print_Symbol(self, expr: sp.Symbol, **kwargs: Any) -> str:
        if expr in self._dummy_names:
            return self._dummy_names[expr]
        return self._plain_symbol(expr)

    _print_Dummy = _print_Symbol

    def _print_Sum(self, expr: sp.Sum) -> str:
        heads, named = [], []
        for index, low, high in expr.limits:
            size = high - low + 1
            if isinstance(index, sp.Dummy) and index not in self._dummy_names:
                in_use = set(self._dummy_names.values())
                # the usual names for the size first, spare ones for sums nested deeper
                options = (*_INDEX_NAMES.get(str(size), ("r", "s")), *_SPARE_INDEX_NAMES)
                self._dummy_names[index] = next(o for o in options if o not in in_use)
                named.append(index)
            heads.append(self.glyphs["sum"].format(self._print(index), self._print(size)))
        body = self._factor(expr.function)
        for index in named:
            del self._dummy_names[index]
        return " ".join(heads) + " " + body

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        ((variable, _count),) = expr.variable_count
        return self.glyphs["partial"].format(self._print(expr.expr), self._print(variable))

    def _print_MatrixDerivative(self, expr: MatrixDerivative) -> str:
        return self.glyphs["partial"].format(self._print(expr.of), self._print(expr.wrt))

    def _print_MatrixSet(self, expr: MatrixSet) -> str:
        rows, cols = expr.shape
        return self.glyphs["space"].format(self._print(rows), self._print(cols))

    def _print_Reals(self, expr: sp.Set) -> str:
        return self.glyphs["reals"]

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        rows = [
            self.glyphs["column_separator"].join(self._print(entry) for entry in expr.row(r))
            for r in range(expr.rows)
        ]
        return self.glyphs["matrix"].format(self.glyphs["row_separator"].join(rows))

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        return self._print_terms(expr.args)

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        return self._print_terms(expr.args)

    def _print_terms(self, terms: Iterable[sp.Basic]) -> str:
        ordered = sorted(terms, key=_reading_key)
        text = self._print(ordered[0])
        for term in ordered[1:]:
            if _is_negative(term):
                text += " - " + self._factor(_negate(term))
            else:
                text += " + " + self._factor(term)
        return text

    def _factor(self, term: sp.Basic) -> str:
        """A term as a factor: sums in parentheses."""
        text = self._print(term)
        return self._paren(text) if isinstance(term, (sp.Add, sp.MatAdd)) else text

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        scalars = [a for a in expr.args if not isinstance(a, MatrixExpr)]
        matrices = [a for a in expr.args if isinstance(a, MatrixExpr)]
        return self._coefficient_then(sp.Mul(*scalars), matrices)

    def _print_Mul(self, expr: sp.Mul) -> str:
        big = [a for a in expr.args if isinstance(a, _BIG_FACTORS)]
        if not big:
            return self._plain_mul(expr)
        small = [a for a in expr.args if a not in big]
        if all(isinstance(a, MatrixElement) for a in big):
            big.sort(key=lambda a: _PRODUCT_RANK.get(a.parent.name, len(_PRODUCT_RANK)))
        return self._coefficient_then(sp.Mul(*small), big)

    def _coefficient_then(self, coefficient: sp.Expr, factors: list[sp.Basic]) -> str:
        """The scalar coefficient first (its sign in front), then the factors in order."""
        sign = ""
        if coefficient.could_extract_minus_sign():
            sign, coefficient = "-", -coefficient
        shown = [] if coefficient == 1 else [self._coefficient(coefficient)]
        for factor in factors:
            text = self._factor(factor)
            if isinstance(factor, (sp.Derivative, MatrixDerivative)):
                text = self.glyphs["derivative_factor"].format(text)
            shown.append(text)
        body = self.glyphs["product"].join(shown)
        return f"{sign}{self.glyphs['sign_space'] if sign else ''}{body}"

    def _coefficient(self, coefficient: sp.Expr) -> str:
        """A sum in front of other factors, (yᵢ − ŷᵢ) Xᵢⱼ, keeps its parentheses."""
        return self._factor(coefficient)


class TextbookPrinter(Notation, LatexPrinter):
    """LaTeX in the notation of a linear-algebra textbook."""

    printmethod = "_derive_latex"
    glyphs: ClassVar[dict[str, str]] = {
        "paren": r"\left({}\right)",
        "transpose": "{}^{{\\top}}",
        "ones": r"\mathbf{1}",
        "sum": "\\sum_{{{}=1}}^{{{}}}",
        "partial": "\\frac{{\\partial {}}}{{\\partial {}}}",
        "space": "\\mathbb{{R}}^{{{} \\times {}}}",
        "reals": r"\mathbb{R}",
        "derivative_factor": "{}",
        "product": " ",
        "sign_space": " ",
        "matrix": "\\begin{{bmatrix}} {} \\end{{bmatrix}}",
        "times": " \\cdot ",
        "fraction": "\\frac{{{}}}{{{}}}",
        "row_separator": " \\\\ ",
        "column_separator": " & ",
    }
    names: ClassVar[dict[str, tuple[str, str]]] = {
        "X": (r"\mathbf{X}", "X_{{{}}}"),
        "y": (r"\mathbf{y}", "y_{{{}}}"),
        "yhat": (r"\hat{\mathbf{y}}", r"\hat{{y}}_{{{}}}"),
        "u": (r"\mathbf{u}", "u_{{{}}}"),
        "beta": (r"\boldsymbol{\beta}", r"\beta_{{{}}}"),
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})
        self._dummy_names = {}

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        return str(LatexPrinter._print_Symbol(self, expr))

    def _plain_mul(self, expr: sp.Mul) -> str:
        return str(LatexPrinter._print_Mul(self, expr))


class InlineTextbookPrinter(TextbookPrinter):
    """LaTeX for symbols inside running text: derivatives as slashes, not stacked fractions."""

    glyphs: ClassVar[dict[str, str]] = {
        **TextbookPrinter.glyphs,
        "partial": "\\partial {}/\\partial {}",
    }


_GREEK = {"alpha": "α", "beta": "β", "eta": "η"}
_SUBSCRIPTS = dict(zip("0123456789ijklmnpr", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₘₙₚᵣ", strict=True))


class TextPrinter(Notation, StrPrinter):
    """Unicode text for terminals: ŷ = α𝟏 + Xβᵀ, ∂J/∂α = -(2/m) 𝟏ᵀu."""

    glyphs: ClassVar[dict[str, str]] = {
        "paren": "({})",
        "transpose": "{}ᵀ",
        "ones": "𝟏",
        "sum": "Σ[{}=1..{}]",
        "partial": "∂{}/∂{}",
        "space": "ℝ^({}×{})",
        "reals": "ℝ",
        "derivative_factor": "({})",
        "product": " ",
        "sign_space": "",
        "matrix": "[{}]",
        "times": " · ",
        "fraction": "{}/{}",
        "row_separator": "; ",
        "column_separator": " ",
    }
    names: ClassVar[dict[str, tuple[str, str]]] = {
        "X": ("X", "X{}"),
        "y": ("y", "y{}"),
        "yhat": ("ŷ", "ŷ{}"),
        "u": ("u", "u{}"),
        "beta": ("β", "β{}"),
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})
        self._dummy_names = {}

    def _subscript(self, text: str) -> str:
        if all(ch in _SUBSCRIPTS for ch in text):
            return "".join(_SUBSCRIPTS[ch] for ch in text)
        return f"[{text}]"

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        return str(_GREEK.get(expr.name, expr.name))

    def _plain_mul(self, expr: sp.Mul) -> str:
        return str(StrPrinter._print_Mul(self, expr))

    def _coefficient(self, coefficient: sp.Expr) -> str:
        text = self._print(coefficient).replace("*", "")
        return f"({text})" if "/" in text or " " in text else text

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == 2:
            return self._factor(expr.base) + "²"
        return str(StrPrinter._print_Pow(self, expr, rational))


def _is_negative(term: sp.Basic) -> bool:
    """A term printed with a leading minus: a negative number or coefficient in front."""
    if isinstance(term, sp.MatMul):
        scalars = [a for a in term.args if not isinstance(a, MatrixExpr)]
        return bool(sp.Mul(*scalars).could_extract_minus_sign())
    return bool(term.could_extract_minus_sign())


def _negate(term: sp.Basic) -> sp.Basic:
    """The term without its leading minus, keeping the order of matrix factors."""
    if isinstance(term, sp.MatMul):
        scalars = [a for a in term.args if not isinstance(a, MatrixExpr)]
        matrices = [a for a in term.args if isinstance(a, MatrixExpr)]
        return sp.MatMul(-sp.Mul(*scalars), *matrices)
    return -term


def _reading_key(term: sp.Basic) -> tuple[int, int, int]:
    """Positive terms first, lone symbols before products, then y, ŷ, u, α, β, X."""
    negative = 1 if _is_negative(term) else 0
    core = _negate(term) if negative else term
    compound = 0 if isinstance(core, (sp.Symbol, sp.MatrixSymbol, MatrixElement)) else 1
    names = [getattr(a, "name", None) for a in sp.preorder_traversal(core)]
    ranks = [_READING_RANK[n] for n in names if n in _READING_RANK]
    return (negative, compound, min(ranks, default=len(_READING_RANK)))


LATEX_RELATIONS = {"=": "=", "<-": r"\leftarrow", "in": r"\in"}
TEXT_RELATIONS = {"=": "=", "<-": "←", "in": "∈"}


def latex(expr: sp.Basic) -> str:
    """Textbook LaTeX for one expression."""
    return str(TextbookPrinter().doprint(expr))


def latex_inline(expr: sp.Basic) -> str:
    """Textbook LaTeX for a symbol in running text."""
    return str(InlineTextbookPrinter().doprint(expr))


def text(expr: sp.Basic) -> str:
    """Unicode text for one expression."""
    return str(TextPrinter().doprint(expr))


def relation_parts(lhs: sp.Basic, op: str, rhs: sp.Basic) -> tuple[str, str, str]:
    """The LaTeX of a relation's two sides and of its sign, for aligned display."""
    return (latex(lhs), LATEX_RELATIONS[op], latex(rhs))


def relation_latex(lhs: sp.Basic, op: str, rhs: sp.Basic) -> str:
    r"""`lhs = rhs`, `lhs \leftarrow rhs` or `lhs \in rhs` in LaTeX."""
    return " ".join(relation_parts(lhs, op, rhs))


def relation_text(lhs: sp.Basic, op: str, rhs: sp.Basic) -> str:
    """`lhs = rhs`, `lhs ← rhs` or `lhs ∈ rhs` in Unicode text."""
    return f"{text(lhs)} {TEXT_RELATIONS[op]} {text(rhs)}"


def shape_text(shape: Shape) -> tuple[str, str]:
    """A shape as two strings, such as ("m", "1")."""
    return (text(shape[0]), text(shape[1]))
