"""Greek letters and mathematical signs in a description's prose, through LaTeX: printed as
math by pdfLaTeX (English) and XeLaTeX (Chinese), kept as characters in the PDF's
bookmarks and title, and a PDF whose fonts lack a character is not built."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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
    tex: str
    log: str
    text: str
    info: str
    bookmarks: tuple[str, ...]


@pytest.fixture(scope="module", params=["en", "zh"])
def built(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    need: Callable[..., None],
) -> Built:
    lang: str = request.param
    need("latexmk", ENGINE[lang], "pdftotext", "pdfinfo")
    out = tmp_path_factory.mktemp(lang)
    model = description(SENTENCE, out)
    result = run(
        "handout", "--model", str(model), "--lang", lang, "--format", "tex", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    engine = "-xelatex" if lang == "zh" else "-pdf"
    done = subprocess.run(
        ["latexmk", "-norc", engine, "-interaction=nonstopmode", "-halt-on-error", "handout.tex"],
        cwd=out,
        capture_output=True,
        check=False,
    )
    log = (out / "handout.log").read_text(encoding="utf-8", errors="backslashreplace")
    assert done.returncode == 0, log[-2000:]
    pdf = (out / "handout.pdf").read_bytes()
    return Built(
        lang=lang,
        tex=(out / "handout.tex").read_text(encoding="utf-8"),
        log=log,
        text=_poppler("pdftotext", pdf),
        info=_poppler("pdfinfo", pdf),
        bookmarks=bookmarks(pdf),
    )


def _poppler(tool: str, pdf: bytes) -> str:
    command = [tool, "-", "-"] if tool == "pdftotext" else [tool, "-"]
    done = subprocess.run(command, input=pdf, capture_output=True, check=True)
    return _same(done.stdout.decode("utf-8"))


def _same(text: str) -> str:
    """Text in NFKC, where poppler's µ and Ω (MICRO and OHM SIGN, by Computer Modern's
    glyph names) are Greek again (and Chinese full-width punctuation is ASCII)."""
    return unicodedata.normalize("NFKC", text)


# --- the PDF's outline, read from its objects -----------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def bookmarks(pdf: bytes) -> tuple[str, ...]:
    """The titles of the PDF's outline items (dictionaries with /Title and /Parent), also
    from compressed object streams and when /Title refers to a string object."""
    objects = _objects(pdf)
    titles = []
    for number in sorted(objects):
        body = objects[number]
        title = re.search(rb"/Title\s*(\d+) 0 R|/Title\s*([(<].*)", body, re.S)
        if title is not None and b"/Parent" in body:
            value = objects[int(title.group(1))] if title.group(1) else title.group(2)
            titles.append(_pdf_string(value))
    return tuple(titles)


def _objects(pdf: bytes) -> dict[int, bytes]:
    found = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    for body in list(found.values()):
        if re.search(rb"/Type\s*/ObjStm", body):
            first = int(re.findall(rb"/First\s+(\d+)", body)[0])
            data = zlib.decompressobj().decompress(body.split(b"stream", 1)[1].lstrip(b"\r\n"))
            header = [int(n) for n in data[:first].split()]
            ends = [*header[1::2], len(data) - first]
            for i, number in enumerate(header[::2]):
                found[number] = data[first + ends[i] : first + ends[i + 1]].strip()
    return found


def _pdf_string(value: bytes) -> str:
    if value.startswith(b"<"):
        raw = bytes.fromhex(value[1 : value.index(b">")].decode())
    else:
        raw = _literal(value)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _literal(value: bytes) -> bytes:
    """A PDF literal string "(…)" without its parentheses and escapes."""
    out, depth, i = bytearray(), 0, 0
    while True:
        char = value[i : i + 1]
        if char == b"\\":
            octal = re.match(rb"[0-7]{1,3}", value[i + 1 : i + 4])
            step = octal.group() if octal else value[i + 1 : i + 2]
            out += bytes([int(step, 8) & 0xFF]) if octal else _ESCAPED.get(step, step)
            i += 1 + len(step)
            continue
        depth += (char == b"(") - (char == b")")
        if depth == 0:
            return bytes(out[1:])
        out += char
        i += 1


# --- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize("unicode_fonts", [False, True], ids=["pdflatex", "xelatex"])
def test_every_greek_letter_and_sign_is_math_that_keeps_its_character(unicode_fonts: bool) -> None:
    for char in GREEK + SIGNS:
        escaped = tex_escape(f"a {char} b", unicode_fonts)
        math = r"\\texorpdfstring\{\\ensuremath\{.+\}\}"  # then the character, for bookmarks
        assert re.fullmatch(rf"a {math}\{{{re.escape(char)}\}} b", escaped), (char, escaped)
    assert tex_escape("σ", unicode_fonts) == r"\texorpdfstring{\ensuremath{\sigma}}{σ}"
    assert tex_escape("ϕφ", unicode_fonts) == (
        r"\texorpdfstring{\ensuremath{\phi}}{ϕ}\texorpdfstring{\ensuremath{\varphi}}{φ}"
    )


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
    for char in GREEK + SIGNS:  # all of them set by LaTeX, none missing, no "?" in the text
        assert f"}}{{{char}}}" in built.tex, char
    assert "?" not in built.text
    assert "�" not in built.text
    assert "Missing character" not in built.log
    assert "Overfull" not in built.log
    assert "Token not allowed in a PDF string" not in built.log
    title = (
        "Logistic σ and Ω: the gradient, step by step"
        if lang == "en"
        else "带 σ 和 Ω：逐步推导梯度"
    )
    assert _same(f"Title:           {title}") in built.info


def test_the_bookmarks_keep_alpha_and_beta(built: Built) -> None:
    zh = built.lang == "zh"
    goal = (
        "第 {} 步 目标：对 {} 的导数"
        if zh
        else "Step {}. The goal: the derivative with respect to {}"
    )
    assert goal.format(13, "α") in built.bookmarks
    assert goal.format(18, "β") in built.bookmarks
    assert len(built.bookmarks) == 22


def test_the_articles_bookmarks_keep_their_symbols(tmp_path: Path) -> None:
    result = run("handout", "--format", "tex", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "handout.tex").read_text(encoding="utf-8")
    partial = r"\texorpdfstring{\ensuremath{\partial}}{∂}"
    alpha = r"\texorpdfstring{\ensuremath{\alpha}}{α}"
    assert (
        rf"\stephead{{step-8}}{{Step 8. The goal: the derivative with respect to {alpha}}}" in tex
    )
    assert rf"\stephead{{step-12}}{{Step 12. The outer factor {partial}J/{partial}u}}" in tex


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
