"""Greek letters and mathematical signs in a description's prose, through LaTeX: printed as
math by pdfLaTeX (English) and XeLaTeX (Chinese), and a PDF whose fonts lack a character
is not built."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_handout_files import latexmk, pdf_text

from derive.cli.main import cli
from derive.core.i18n import gettext, join_list, language
from derive.render.pdf import LatexError, build_pdf, missing_characters
from derive.render.texescape import tex_escape

HERE = Path(__file__).resolve().parent
LOGISTIC = HERE.parent / "derive" / "models" / "builtin" / "logistic.toml"
GREEK = (
    "".join(chr(c) for c in range(0x391, 0x3AA) if c != 0x3A2)  # the capitals
    + "".join(chr(c) for c in range(0x3B1, 0x3CA))  # the small letters, with the final ς
    + "ϵϑϕϖϱϰϐϴϒϝ"  # the variants
)
SIGNS = "∘‖²ᵀ⊤−·×≤≥≈∈∉∂∇Σ∑√∞→←𝟏ℝŷ₁ᵢ"
# The sentence of the test's description, and what pdftotext reads back from the PDF:
# Computer Modern names ∘ "openbullet" and ‖ "bardbl", which poppler reads as ◦ and ∥,
# ² is a raised 2, and μ and Ω come back as MICRO and OHM SIGN (compared in NFKC).
SENTENCE = {
    "en": "The probabilities: σ squeezes each score; μ, θ, ω and Ω are names; p = σ ∘ z; ‖β‖² = 0.",
    "zh": "概率：σ 把每个得分压缩到 0 和 1 之间；μ、θ、ω 和 Ω 是名字；p = σ ∘ z；‖β‖² 为 0。",
}
READ_BACK = {
    "en": ("σsqueezeseachscore", "μ,θ,ωandΩarenames", "p=σ◦z", "∥β∥2=0"),
    "zh": ("σ把每个得分", "μ、θ、ω和Ω是名字", "p=σ◦z", "∥β∥2为0"),
}
ENGINE = {"en": "pdflatex", "zh": "xelatex"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def description(sentence: dict[str, str], folder: Path) -> Path:
    """logistic.toml with `sentence` as the prose of p, every letter and sign in `about`,
    and σ and Ω in the title."""
    text = LOGISTIC.read_text(encoding="utf-8")
    text = re.sub(
        r"(?m)^title = .*$", 'title = { en = "Logistic σ and Ω", zh = "带 σ 和 Ω" }', text
    )
    text = re.sub(r"(?m)^about = .*$", f'about = "{" ".join(GREEK + SIGNS)}"', text)
    p_prose = text.index('name = "p"')
    head, tail = text[:p_prose], text[p_prose:]
    tail = re.sub(r'(?m)^en = ".*"$', f'en = "{sentence["en"]}"', tail, count=1)
    tail = re.sub(r'(?m)^zh = ".*"$', f'zh = "{sentence["zh"]}"', tail, count=1)
    path = folder / "greek.toml"
    path.write_text(head + tail, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Built:
    """A handout compiled by latexmk beside its .tex, and what its files say."""

    lang: str
    log: str
    text: str


@pytest.fixture(scope="module", params=["en", "zh"])
def built(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    need: Callable[..., None],
) -> Built:
    lang: str = request.param
    need("latexmk", ENGINE[lang], "pdftotext")
    out = tmp_path_factory.mktemp(lang)
    model = description(SENTENCE, out)
    result = run(
        "handout", "--model", str(model), "--lang", lang, "--format", "tex", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    log = latexmk(out, chinese=lang == "zh")
    return Built(
        lang=lang,
        log=log,
        text=_same(pdf_text(out / "handout.pdf")),
    )


def _same(text: str) -> str:
    """Text in NFKC, where poppler's µ and Ω (MICRO and OHM SIGN, by Computer Modern's
    glyph names) are Greek again (and Chinese full-width punctuation is ASCII)."""
    return unicodedata.normalize("NFKC", text)


# --- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize("unicode_fonts", [False, True], ids=["pdflatex", "xelatex"])
def test_every_greek_letter_and_sign_is_math(unicode_fonts: bool) -> None:
    for char in GREEK + SIGNS:
        escaped = tex_escape(f"a {char} b", unicode_fonts)
        assert re.fullmatch(r"a \\ensuremath\{.+\} b", escaped), (char, escaped)
    assert tex_escape("σ", unicode_fonts) == r"\ensuremath{\sigma}"
    assert tex_escape("ϕφ", unicode_fonts) == r"\ensuremath{\phi}\ensuremath{\varphi}"


def test_pdflatex_gets_latex_punctuation_and_a_question_mark_only_for_the_unknown() -> None:
    assert tex_escape("a … b — “c” ᚠ") == (
        r"a \dots{} b \textemdash{} \textquotedblleft{}c\textquotedblright{} ?"
    )
    assert tex_escape("……——“c” ᚠ", unicode_fonts=True) == "……——“c” ᚠ"  # ctex sets them


def test_the_missing_characters_of_both_engines_logs_are_named_once() -> None:
    log = (
        "Missing character: There is no σ (U+03C3) in font [lmroman10-regular]:mapping=t\n"
        "ex-text;!\nMissing character: There is no σ (U+03C3) in font [lmroman10-bold]!\n"
        "Missing character: There is no \\x80 in font cmr10!\n"
    )
    assert missing_characters(log) == ("σ (U+03C3)", "\\x80")
    assert missing_characters("Overfull \\hbox (1.0pt too wide) in paragraph") == ()


def test_the_handout_prints_the_greek_of_its_prose(built: Built) -> None:
    lang = built.lang
    squeezed = re.sub(r"\s+", "", built.text)
    for fragment in READ_BACK[lang]:
        assert _same(fragment) in squeezed, fragment
    assert "?" not in built.text  # every character set by LaTeX, none missing
    assert "�" not in built.text
    assert "Missing character" not in built.log
    assert "Overfull" not in built.log


def test_a_character_no_font_has_fails_the_build(need: Callable[..., None], tmp_path: Path) -> None:
    need("latexmk", "xelatex", "pdflatex")
    sentence = {"en": "Runes ᚠ.", "zh": "符文 ᚠ 与 🙂。"}
    model = description(sentence, tmp_path)
    out = tmp_path / "out"
    result = run(
        "handout", "--model", str(model), "--lang", "zh", "--format", "tex,pdf", "--out", str(out)
    )
    assert result.exit_code == 1, result.output
    with language("zh"):
        message = gettext(
            "PDF not built: the LaTeX fonts have no {characters}, which would be left blank"
        ).format(characters=join_list(["ᚠ (U+16A0)", "🙂 (U+1F642)"]))
    assert message in result.output
    assert not list(out.glob("handout.*"))  # nothing written half-way
    english = r"\documentclass{article}\begin{document}\fontencoding{OT1}\selectfont"
    english += r"\char128 \end{document}"  # cmr10 has no character 128
    with pytest.raises(LatexError, match=r"have no \\x80"):
        build_pdf(english, tmp_path)
