r"""SymPy expressions in textbook notation: LaTeX for documents, Unicode text for terminals.

Sits between the mathematics (steps) and the presentation (render, cli): the only place
where expressions become text. One set of notation rules — bold vectors, a bold ones
vector, transposes as ⊤, the coefficient first (-\frac{2}{m}, never (-1) 2 \frac{1}{m}),
no `+ -`, terms in reading order (y − ŷ), sums from 1 to m, derivatives as ∂-fractions —
drives two printers that differ only in their symbols (`Notation.glyphs`). Any model's
names (printing_names.py), functions entry by entry, ∘ and ‖·‖² (printing_entrywise.py)
and the order of terms and factors (printing_order.py) follow the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.sets import MatrixSet
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive.math.entrywise import AsMatrix, HeldDerivative
from derive.math.matcalc import MatrixDerivative, Shape
from derive.math.printing_entrywise import EntrywiseNotation
from derive.math.printing_names import (
    GREEK_TEXT,
    LATEX_GLYPHS,
    LATEX_HEADS,
    SUBSCRIPTS,
    TEXT_GLYPHS,
    TEXT_HEADS,
    Name,
    latex_letter,
    parse_name,
    superscript,
    text_letter,
)
from derive.math.printing_order import (
    FUNCTION_CLASSES,
    is_negative,
    negate,
    product_factors,
    reading_order,
)

# Names for summation indices that SymPy invented, by the size they run to.
_INDEX_NAMES = {"m": ("i", "l"), "n": ("k", "p")}
_SPARE_INDEX_NAMES = ("r", "s", "t", "v", "w", "a", "b", "c", "d", "e", "f", "g", "h")
_BIG_FACTORS = (sp.Sum, sp.Derivative, MatrixExpr, MatrixElement, HeldDerivative, *FUNCTION_CLASSES)
_TIMES = re.compile(r"(?<!\*)\*(?!\*)")  # a product's *, not a power's **
# The length of 𝟏, the number of examples (derive/models: m, n = symbols(..., integer, positive)).
_EXAMPLES = sp.Symbol("m", integer=True, positive=True)


class Notation(EntrywiseNotation):
    """The notation rules; subclasses supply `glyphs` (formats) and `heads` (functions)."""

    _dummy_names: dict[sp.Symbol, str]
    # a row of ones that is a row in its own right (β − 𝟏), not a transposed column (𝟏ᵀu)
    _row_of_ones: bool = False

    if TYPE_CHECKING:  # provided by the SymPy printer the rules are mixed into

        def _print(self, expr: Any, **kwargs: Any) -> str: ...

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        raise NotImplementedError

    def _plain_mul(self, expr: sp.Mul) -> str:
        raise NotImplementedError

    def _letter(self, name: Name, bold: bool) -> str:
        raise NotImplementedError

    def _subscript(self, text: str) -> str:
        return text

    def _paren(self, text: str) -> str:
        return self.glyphs["paren"].format(text)

    def _named(self, name: Name, bold: bool, index: str = "") -> str:
        """y, ŷ, μ in bold (whole) or plain (entries), with the name's subscripts and the index."""
        letter = self._letter(name, bold)
        subscripts = ",".join([*name.subscripts, *([index] if index else [])])
        if not subscripts:
            return letter
        return self.glyphs["subscript"].format(letter, self._subscript(subscripts))

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        vector_or_matrix = expr.shape != (1, 1)
        return self._named(parse_name(expr.name), bold=vector_or_matrix)

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        """𝟏 (m×1); a row of ones is 𝟏ᵀ where it is that column transposed (1×m, or a factor
        of a product: 𝟏ᵀu), else a row in its own right: β − 𝟏 for a 1×n row β."""
        ones = self.glyphs["ones"]
        rows, cols = expr.shape
        transposed = rows == 1 and cols != 1 and (cols == _EXAMPLES or not self._row_of_ones)
        return self.glyphs["transpose"].format(ones) if transposed else ones

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol) and not self._closed(expr.arg):
            inner = self._paren(inner)
        return self.glyphs["transpose"].format(inner)

    def _print_MatrixElement(self, expr: MatrixElement) -> str:
        name = getattr(expr.parent, "name", None)
        indices = [
            idx for idx, size in zip((expr.i, expr.j), expr.parent.shape, strict=True) if size != 1
        ]
        index = "".join(self._print(idx) for idx in indices)
        if name is None:
            return f"{self._print(expr.parent)}[{index}]"
        return self._named(parse_name(name), bold=False, index=index)

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
        return self._partial(expr.expr, variable)

    def _print_MatrixDerivative(self, expr: MatrixDerivative) -> str:
        return self._partial(expr.of, expr.wrt)

    def _partial(self, of: sp.Basic, wrt: sp.Basic) -> str:
        """∂J/∂β; ∂(λ β βᵀ)/∂β when what is differentiated is not a name or an entry."""
        shown = self._print(of)
        if not isinstance(of, (sp.Symbol, sp.MatrixSymbol, MatrixElement)):
            shown = self._paren(shown)
        return self.glyphs["partial"].format(shown, self._print(wrt))

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
        ordered = reading_order(list(terms))
        text = self._term(ordered[0], self._print)
        for term in ordered[1:]:
            if is_negative(term):
                text += " - " + self._term(negate(term), self._factor)
            else:
                text += " + " + self._term(term, self._factor)
        return text

    def _term(self, term: sp.Basic, show: Callable[[sp.Basic], str]) -> str:
        """A term of a sum. A row of ones there, scaled or not, is a row in its own right
        (β − 𝟏, the scalar 1 broadcast to β's shape), not a transposed column as in 𝟏ᵀu."""
        before = self._row_of_ones
        self._row_of_ones = before or _ones_alone(term)
        try:
            return show(term)
        finally:
            self._row_of_ones = before

    def _factor(self, term: sp.Basic) -> str:
        """A term as a factor: sums in parentheses."""
        text = self._print(term)
        loose = isinstance(term, (sp.Add, sp.MatAdd))
        loose = loose or (isinstance(term, AsMatrix) and isinstance(term.value, sp.Add))
        return self._paren(text) if loose else text

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        scalars = [a for a in expr.args if not isinstance(a, MatrixExpr)]
        matrices = [a for a in expr.args if isinstance(a, MatrixExpr)]
        return self._coefficient_then(sp.Mul(*scalars), matrices)

    def _print_Mul(self, expr: sp.Mul) -> str:
        written = product_factors(expr, _BIG_FACTORS)
        if written is None:
            return self._plain_mul(expr)
        return self._coefficient_then(*written)

    def _coefficient_then(self, coefficient: sp.Expr, factors: list[sp.Basic]) -> str:
        """The scalar coefficient first (its sign in front), then the factors in order."""
        sign = ""
        if coefficient.could_extract_minus_sign():
            sign, coefficient = "-", -coefficient
        shown = [] if coefficient == 1 else [self._coefficient(coefficient)]
        matrices = sum(1 for f in factors if isinstance(f, MatrixExpr))
        for k, factor in enumerate(factors):
            text = self._product_factor(factor, last=k == len(factors) - 1, among=matrices)
            if isinstance(factor, (sp.Derivative, MatrixDerivative)):
                text = self.glyphs["derivative_factor"].format(text)
            shown.append(text)
        body = self.glyphs["product"].join(shown)
        return f"{sign}{self.glyphs['sign_space'] if sign else ''}{body}"

    def _product_factor(self, factor: sp.Basic, last: bool, among: int) -> str:
        """A factor of a product: sums in parentheses; a ∘ product too beside another
        matrix, 𝟏ᵀ(μ − y ∘ z); a bare log p unless it comes last."""
        if (isinstance(factor, sp.HadamardProduct) and among > 1) or self._open(factor, last):
            return self._paren(self._print(factor))
        return self._factor(factor)

    def _coefficient(self, coefficient: sp.Expr) -> str:
        """A sum in front of other factors, (yᵢ − ŷᵢ) Xᵢⱼ, keeps its parentheses."""
        return self._factor(coefficient)


class TextbookPrinter(Notation, LatexPrinter):
    """LaTeX in the notation of a linear-algebra textbook."""

    printmethod = "_derive_latex"
    glyphs: ClassVar[dict[str, str]] = LATEX_GLYPHS
    heads: ClassVar[dict[str, str]] = LATEX_HEADS

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})
        self._dummy_names = {}

    def _letter(self, name: Name, bold: bool) -> str:
        return latex_letter(name, bold)

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        return str(LatexPrinter._print_Symbol(self, expr))

    def _plain_mul(self, expr: sp.Mul) -> str:
        return str(LatexPrinter._print_Mul(self, expr))

    def _print_Pow(self, expr: sp.Pow, **kwargs: Any) -> str:
        """1/xᵏ as a fraction (LaTeX's own printer hands it to the product's, which is
        ours and reads a lone power as a factor)."""
        if expr.exp.is_Integer and expr.exp < -1:
            return f"\\frac{{1}}{{{self._print(sp.Pow(expr.base, -expr.exp))}}}"
        return str(LatexPrinter._print_Pow(self, expr, **kwargs))


class InlineTextbookPrinter(TextbookPrinter):
    """LaTeX for symbols inside running text: derivatives as slashes, not stacked fractions."""

    glyphs: ClassVar[dict[str, str]] = {
        **TextbookPrinter.glyphs,
        "partial": "\\partial {}/\\partial {}",
    }


class TextPrinter(Notation, StrPrinter):
    """Unicode text for terminals: ŷ = α𝟏 + Xβᵀ, ∂J/∂α = -(2/m) 𝟏ᵀu, exp(z), ‖β‖²."""

    glyphs: ClassVar[dict[str, str]] = TEXT_GLYPHS
    heads: ClassVar[dict[str, str]] = TEXT_HEADS

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})
        self._dummy_names = {}

    def _letter(self, name: Name, bold: bool) -> str:
        return text_letter(name)

    def _subscript(self, text: str) -> str:
        if all(ch in SUBSCRIPTS for ch in text):
            return "".join(SUBSCRIPTS[ch] for ch in text)
        return f"[{text}]"

    def _exponent(self, exponent: sp.Basic) -> str:
        shown = self._print(exponent)
        return superscript(shown) or f"^({shown})"

    def _plain_symbol(self, expr: sp.Symbol) -> str:
        return str(GREEK_TEXT.get(expr.name, expr.name))

    def _plain_mul(self, expr: sp.Mul) -> str:
        """Scalars side by side as in a coefficient: λα², 2η/m (not λ*α²)."""
        return _TIMES.sub("", str(StrPrinter._print_Mul(self, expr)))

    def _coefficient(self, coefficient: sp.Expr) -> str:
        text = self._print(coefficient).replace("*", "")
        return f"({text})" if "/" in text or " " in text else text

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        """xᵏ with superscript digits for a whole k other than −1 (m³, pᵢ⁻³): `**` would be
        lost where scalars stand side by side."""
        shown = superscript(str(expr.exp)) if expr.exp.is_Integer and expr.exp != -1 else None
        if shown is not None:
            base = self._factor(expr.base)
            return (self._paren(base) if self._bare(expr.base) else base) + shown
        return str(StrPrinter._print_Pow(self, expr, rational))


def _ones_alone(term: sp.Basic) -> bool:
    """A term that is a row of ones, or a scalar times it: the only matrix in the term."""
    factors = term.args if isinstance(term, sp.MatMul) else (term,)
    matrices = [a for a in factors if isinstance(a, MatrixExpr)]
    return len(matrices) == 1 and isinstance(matrices[0], sp.OneMatrix)


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
