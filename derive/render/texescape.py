"""Plain text made safe for LaTeX, for the LaTeX templates (render.py).

Every character of user or prose text is printed as itself: LaTeX's special characters
are escaped, hyphens are kept from joining into dashes, the mathematical letters and
signs of derive's messages (α, ᵀ, 𝟏, Σ, ŷ, …) become LaTeX math, control characters are
dropped, and for pdfLaTeX any other character outside Latin-1, which its fonts cannot
show, becomes a question mark.
"""

from __future__ import annotations

import re

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
# The mathematics of derive's text printer, as LaTeX math.
_MATH = {
    "×": r"\times",
    "−": "-",
    "·": r"\cdot",
    "←": r"\leftarrow",
    "∈": r"\in",
    "⊤": r"\top",
    "α": r"\alpha",
    "β": r"\beta",
    "η": r"\eta",
    "λ": r"\lambda",
    "Σ": r"\Sigma",
    "∂": r"\partial",
    "∇": r"\nabla",
    "‖": r"\|",
    "ᵀ": r"^{\top}",
    "²": "^{2}",
    "𝟏": r"\mathbf{1}",
    "ℝ": r"\mathbb{R}",
    "ŷ": r"\hat{y}",
    **{
        sub: f"_{{{plain}}}"
        for sub, plain in zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₘₙₚᵣ", "0123456789ijklmnpr", strict=True)
    },
}
_KNOWN = {**_SPECIALS, **{ch: rf"\ensuremath{{{tex}}}" for ch, tex in _MATH.items()}}
_PATTERN = re.compile("|".join(re.escape(ch) for ch in sorted(_KNOWN, key=len, reverse=True)))
_JOINED_HYPHENS = re.compile(r"-(?=-)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")


class TexMarkup(str):
    """A string that is already LaTeX and must not be escaped again."""

    __slots__ = ()


def tex_escape(value: object, unicode_fonts: bool = False) -> TexMarkup:
    """`value` as LaTeX that prints it; `unicode_fonts` for XeLaTeX, which shows any script."""
    if isinstance(value, TexMarkup):
        return value
    text = _CONTROL.sub("", str(value))
    text = _PATTERN.sub(lambda match: _KNOWN[match.group(0)], text)
    text = _JOINED_HYPHENS.sub("-{}", text)  # --scale stays two hyphens, not a dash
    if not unicode_fonts:
        text = _BEYOND_LATIN1.sub("?", text)
    return TexMarkup(text)


def tex_code(value: object, unicode_fonts: bool = False) -> TexMarkup:
    """Text for \\texttt: escaped, with straight quotes and unjoined hyphens."""
    text = str(tex_escape(value, unicode_fonts))
    text = text.replace("'", r"\textquotesingle{}").replace("`", r"\textasciigrave{}")
    return TexMarkup(text.replace("-", "-{}"))


def tex_math(source: str) -> TexMarkup:
    """Ready LaTeX from the printer, passed through unchanged."""
    return TexMarkup(source)
