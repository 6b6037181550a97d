r"""Any model's names in textbook notation, as data for the printers of printing.py.

A name ("mu", "yhat", "w1", "lambda") is split into a letter, accents and subscripts;
the printers make a vector or matrix bold (\boldsymbol{\mu}, \hat{\mathbf{y}}), its
entries and scalars plain (\mu_{i}, λ), and name the entrywise functions (sigmoid, log, exp).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sympy.printing.conventions import split_super_sub
from sympy.printing.latex import translate
from sympy.printing.pretty.pretty_symbology import greek_unicode

# ASCII name -> Greek letter, for terminal text ("lambda" and SymPy's "lamda" -> λ).
GREEK_TEXT: dict[str, str] = dict(greek_unicode)
# Accents a name may end with ("yhat" is ŷ): LaTeX command, Unicode combining mark.
ACCENTS: dict[str, tuple[str, str]] = {
    "hat": (r"\hat", "\u0302"),
    "bar": (r"\bar", "\u0304"),
    "tilde": (r"\tilde", "\u0303"),
    "dot": (r"\dot", "\u0307"),
}

# The functions a model applies entry by entry (derive/math/functions.py): LaTeX, text.
# A function named by a word is an operator name in LaTeX (on paper the same as \log,
# \exp): latex2mathml then makes it an <mo>, which a browser spaces from its neighbours;
# as <mi>log</mi> it is drawn glued to them ("yᵀlogp"). exp is exp(z), never e^{z}.
FUNCTION_HEADS: dict[str, tuple[str, str]] = {
    "sigmoid": (r"\sigma", "\N{GREEK SMALL LETTER SIGMA}"),
    "log": (r"\operatorname{log}", "log"),
    "exp": (r"\operatorname{exp}", "exp"),
    "tanh": (r"\operatorname{tanh}", "tanh"),
    "softplus": (r"\operatorname{softplus}", "softplus"),
}
# Functions written without parentheses around a single letter: log p, log pᵢ.
BARE_ON_A_LETTER = frozenset({"log"})

LATEX_HEADS = {name: heads[0] for name, heads in FUNCTION_HEADS.items()}
TEXT_HEADS = {name: heads[1] for name, heads in FUNCTION_HEADS.items()}

# How each printer writes the notation: str.format patterns ({} is the part filled in).
LATEX_GLYPHS: dict[str, str] = {
    "paren": r"\left({}\right)",
    "transpose": "{}^{{\\top}}",
    "ones": r"\mathbf{1}",
    "sum": "\\sum_{{{}=1}}^{{{}}}",
    "partial": "\\frac{{\\partial {}}}{{\\partial {}}}",
    "held": "\\left.{}\\right|_{{{}}}",
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
    "subscript": "{}_{{{}}}",
    "bare": "{} {}",
    "function_power": "{}^{{{}}}",
    "hadamard": " \\circ ",
    "hadamard_power": "{}^{{\\circ {}}}",
    "squared_norm": "\\lVert {} \\rVert^{{2}}",
}

TEXT_GLYPHS: dict[str, str] = {
    "paren": "({})",
    "transpose": "{}ᵀ",
    "ones": "𝟏",
    "sum": "Σ[{}=1..{}]",
    "partial": "∂{}/∂{}",
    "held": "({})|{}",
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
    "subscript": "{}{}",
    "bare": "{} {}",
    "function_power": "{}^{}",
    "hadamard": " ∘ ",
    "hadamard_power": "{}∘{}",
    "squared_norm": "‖{}‖²",
}

SUBSCRIPTS = dict(zip("0123456789ijklmnpr", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₘₙₚᵣ", strict=True))
SUPERSCRIPTS = dict(zip("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻", strict=True))


@dataclass(frozen=True)
class Name:
    """A symbol's name taken apart: "yhat" is the letter y with a hat; "w1" is w with 1."""

    letter: str  # "y", "mu", "loss"
    accents: tuple[str, ...]  # innermost first: "yhat" -> ("hat",)
    subscripts: tuple[str, ...]  # "w1" -> ("1",), "y_train" -> ("train",)

    @property
    def greek(self) -> bool:
        return self.letter in GREEK_TEXT


def parse_name(name: str) -> Name:
    """The letter, accents and subscripts of a name, as SymPy reads a symbol's name."""
    base, _supers, subs = split_super_sub(name)
    accents: list[str] = []
    while True:
        accent = next((a for a in ACCENTS if base.endswith(a) and len(base) > len(a)), None)
        if accent is None:
            break
        accents.insert(0, accent)
        base = base[: -len(accent)]
    return Name(base, tuple(accents), tuple(subs))


def latex_letter(name: Name, bold: bool) -> str:
    r"""The letter with its accents: \hat{\mathbf{y}} (bold), \mu (plain)."""
    letter = str(translate(name.letter))
    if bold:
        letter = rf"\boldsymbol{{{letter}}}" if name.greek else rf"\mathbf{{{letter}}}"
    for accent in name.accents:
        letter = f"{ACCENTS[accent][0]}{{{letter}}}"
    return letter


def text_letter(name: Name) -> str:
    """The letter with its accents in Unicode: μ, ŷ (precomposed where Unicode has one)."""
    letter = GREEK_TEXT.get(name.letter, name.letter)
    marks = "".join(ACCENTS[accent][1] for accent in name.accents)
    return unicodedata.normalize("NFC", letter + marks)


def superscript(number: str) -> str | None:
    """An integer in superscript digits (², ⁻¹), or None when it is not one."""
    if not number or any(ch not in SUPERSCRIPTS for ch in number):
        return None
    return "".join(SUPERSCRIPTS[ch] for ch in number)
