"""Plain text made safe for LaTeX, for the LaTeX templates (handouts.py), which load hyperref.

Every character of user or prose text is printed as itself: LaTeX's special characters
are escaped, hyphens are kept from joining into dashes, Greek letters and mathematical
signs (α, σ, Ω, ᵀ, 𝟏, ∘, ≤, …) become LaTeX math, control characters are dropped, and
for pdfLaTeX typographic punctuation becomes LaTeX's and any other character outside
Latin-1, which its fonts cannot show, a question mark.
"""

from __future__ import annotations

import re
from functools import partial

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# Greek letters as TeX draws them: ε and φ are TeX's \varepsilon and \varphi (ϵ and ϕ are
# \epsilon and \phi); the capitals that look Latin are upright Latin letters, as in TeX.
_GREEK = {
    "αβγδεζηθικλμνξοπρςστυφχψω": r"\alpha \beta \gamma \delta \varepsilon \zeta \eta \theta "
    r"\iota \kappa \lambda \mu \nu \xi o \pi \rho \varsigma \sigma \tau \upsilon \varphi \chi "
    r"\psi \omega",
    "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ": r"\mathrm{A} \mathrm{B} \Gamma \Delta \mathrm{E} \mathrm{Z} "
    r"\mathrm{H} \Theta \mathrm{I} \mathrm{K} \Lambda \mathrm{M} \mathrm{N} \Xi \mathrm{O} \Pi "
    r"\mathrm{P} \Sigma \mathrm{T} \Upsilon \Phi \mathrm{X} \Psi \Omega",
    "ϵϑϕϖϱϰϐϴϒϝ": r"\epsilon \vartheta \phi \varpi \varrho \varkappa \beta \Theta \Upsilon "
    r"\digamma",
}
# Raised and lowered characters, as super- and subscripts.
_SCRIPTS = {
    "ᵀ": r"^{\top}",
    "′": r"^{\prime}",
    **{up: f"^{{{plain}}}" for up, plain in zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿⁱ", "0123456789+-ni", strict=True)},
    **{
        sub: f"_{{{plain}}}"
        for sub, plain in zip(
            "₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₒₓₕᵢⱼₖₗₘₙₚᵣₛₜᵤᵥ", "0123456789+-aeoxhijklmnprstuv", strict=True
        )
    },
}
# The signs of derive's text printer and of the descriptions' prose, as LaTeX math.
_SIGNS = {
    "×": r"\times",
    "−": "-",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "∘": r"\circ",
    "⊙": r"\odot",
    "⊗": r"\otimes",
    "∗": r"\ast",
    "←": r"\leftarrow",
    "→": r"\rightarrow",
    "⇒": r"\Rightarrow",
    "↦": r"\mapsto",
    "∈": r"\in",
    "∉": r"\notin",
    "⊤": r"\top",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "\N{TILDE OPERATOR}": r"\sim",
    "∝": r"\propto",
    "≪": r"\ll",
    "≫": r"\gg",
    "∂": r"\partial",
    "∇": r"\nabla",
    "∆": r"\Delta",
    "∑": r"\sum",
    "∏": r"\prod",
    "∫": r"\int",
    "√": r"\surd",
    "∞": r"\infty",
    "∀": r"\forall",
    "∃": r"\exists",
    "∅": r"\emptyset",
    "‖": r"\|",
    "∥": r"\parallel",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "\N{SCRIPT SMALL L}": r"\ell",
    "𝟏": r"\mathbf{1}",
    "ℝ": r"\mathbb{R}",
    "\N{DOUBLE-STRUCK CAPITAL N}": r"\mathbb{N}",
    "\N{DOUBLE-STRUCK CAPITAL Z}": r"\mathbb{Z}",
    "ŷ": r"\hat{y}",
    "ȳ": r"\bar{y}",
}
_MATH = {
    **{
        ch: tex
        for chars, names in _GREEK.items()
        for ch, tex in zip(chars, names.split(), strict=True)
    },
    **_SCRIPTS,
    **_SIGNS,
}
# Typographic punctuation that pdfLaTeX's T1 fonts draw through LaTeX's own commands;
# XeLaTeX prints the characters (and ctex sets them the Chinese way).
_PDFLATEX_TEXT = {
    "…": r"\dots{}",
    "—": r"\textemdash{}",
    "\N{EN DASH}": r"\textendash{}",
    "“": r"\textquotedblleft{}",
    "”": r"\textquotedblright{}",
    "\N{LEFT SINGLE QUOTATION MARK}": r"\textquoteleft{}",
    "’": r"\textquoteright{}",
}
# Math in the text. (PDF bookmarks drop it, as they always have: keeping the characters
# there with \texorpdfstring would change the article's LaTeX, which stays byte for byte.)
_KNOWN = {**_SPECIALS, **{ch: rf"\ensuremath{{{tex}}}" for ch, tex in _MATH.items()}}
_BY_ENGINE = {True: _KNOWN, False: {**_KNOWN, **_PDFLATEX_TEXT}}
_PATTERN = re.compile(
    "|".join(re.escape(ch) for ch in sorted({*_KNOWN, *_PDFLATEX_TEXT}, key=len, reverse=True))
    + r"|[^\x00-\xff]"
)
_JOINED_HYPHENS = re.compile(r"-(?=-)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class TexMarkup(str):
    """A string that is already LaTeX and must not be escaped again."""

    __slots__ = ()


def tex_escape(value: object, unicode_fonts: bool = False) -> TexMarkup:
    """`value` as LaTeX that prints it; `unicode_fonts` for XeLaTeX, which shows any script."""
    if isinstance(value, TexMarkup):
        return value
    text = _CONTROL.sub("", str(value))
    text = _PATTERN.sub(partial(_replace, unicode_fonts=unicode_fonts), text)
    text = _JOINED_HYPHENS.sub("-{}", text)  # --scale stays two hyphens, not a dash
    return TexMarkup(text)


def _replace(match: re.Match[str], unicode_fonts: bool) -> str:
    """A character's LaTeX; without Unicode fonts, "?" for one beyond Latin-1 that no rule knows."""
    char = match.group(0)
    return _BY_ENGINE[unicode_fonts].get(char, char if unicode_fonts else "?")


def tex_code(value: object, unicode_fonts: bool = False) -> TexMarkup:
    """Text for \\texttt: escaped, with straight quotes and unjoined hyphens."""
    text = str(tex_escape(value, unicode_fonts))
    text = text.replace("'", r"\textquotesingle{}").replace("`", r"\textasciigrave{}")
    return TexMarkup(text.replace("-", "-{}"))


def tex_math(source: str) -> TexMarkup:
    """Ready LaTeX from the printer, passed through unchanged."""
    return TexMarkup(source)
