"""The handout files end to end, with the real tools: latexmk, pdfTeX, pdftotext, pdfinfo."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.i18n import gettext, language
from derive.present.prose import EXAMPLE, SOURCE
from derive.steps.derivation import Derivation

Need = Callable[..., None]
HOSTILE_TITLE = r"\input{/etc/passwd} \write18{touch pwned} </title><script>alert(1)</script> 100%"


def _handout(folder: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["handout", "--out", str(folder), *args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("handout")
    _handout(folder)
    return folder


# Handouts in both languages, on both papers, and compact: their options by name.
VARIANTS = {
    "en-a4": ("--lang", "en"),
    "en-letter": ("--lang", "en", "--paper", "letter"),
    "zh-a4": ("--lang", "zh"),
    "zh-letter": ("--lang", "zh", "--paper", "letter"),
    "en-a4-compact": ("--lang", "en", "--compact"),
    "zh-letter-compact": ("--lang", "zh", "--paper", "letter", "--compact"),
}
FULL = [name for name in VARIANTS if "compact" not in name]
SHEETS = {"a4": (595, 842), "letter": (612, 792)}  # in points, rounded


@pytest.fixture(scope="module")
def variant(
    tmp_path_factory: pytest.TempPathFactory, written: Path, need: Need
) -> Callable[[str], Path]:
    """`variant("zh-letter")`: the folder of that handout (HTML, LaTeX, PDF), made once."""
    made = {"en-a4": written}

    def made_once(name: str) -> Path:
        need("latexmk", "pdftotext", "pdfinfo", "xelatex" if "zh" in name else "pdflatex")
        if name not in made:
            made[name] = tmp_path_factory.mktemp(name)
            _handout(made[name], *VARIANTS[name])
        return made[name]

    return made_once


def latexmk(folder: Path, chinese: bool) -> str:
    """Compile folder/handout.tex alone, as a user would; its log, after a clean exit."""
    engine = "-xelatex" if chinese else "-pdf"
    command = ["latexmk", "-norc", engine, "-interaction=nonstopmode", "-halt-on-error"]
    done = subprocess.run([*command, "handout.tex"], cwd=folder, capture_output=True, check=False)
    log = (folder / "handout.log").read_text(encoding="utf-8", errors="backslashreplace")
    assert done.returncode == 0, log[-2000:]
    return log


def pdf_text(pdf: Path, *options: str) -> str:
    done = subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return unicodedata.normalize("NFC", done.stdout)


def pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    """The number of pages of a PDF and the size of its first, in points."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"Pages:\s+(\d+)", info.stdout)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    assert pages is not None
    assert size is not None
    return int(pages.group(1)), (float(size.group(1)), float(size.group(2)))


def squeezed(text: str) -> str:
    """Text to compare across HTML, pdfTeX and Chromium: compatibility forms (math italic
    letters as letters), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_ends(pdf: Path, columns: int = 1, count: int = 3) -> list[list[str]]:
    """The last `count` lines of text at the foot of every page (of every column, left to
    right), squeezed, page numbers left out."""
    pages, (width, height) = pdf_pages(pdf)
    ends = []
    for page in range(1, pages + 1):
        for column in range(columns):
            crop = ("-x", str(int(column * width / columns)), "-y", "0")
            crop += ("-W", str(int(width / columns)), "-H", str(int(height)))
            text = pdf_text(pdf, "-f", str(page), "-l", str(page), *(crop if columns > 1 else ()))
            lines = [squeezed(line) for line in text.splitlines()]
            ends.append([line for line in lines if line and not line.isdigit()][-count:])
    return ends


class _Headings(HTMLParser):
    """The text of every h2 and h3 of an HTML file (section and step headings)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("h2", "h3"):
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found[-1] += data


def headings(html: Path) -> set[str]:
    parser = _Headings()
    parser.feed(html.read_text(encoding="utf-8"))
    return {squeezed(text) for text in parser.found}


def headings_at_the_foot(ends: list[list[str]], known: set[str]) -> list[tuple[int, str]]:
    """The headings (or a heading's first line) among the last lines of a page or column."""
    return [
        (number, line)
        for number, lines in enumerate(ends)
        for line in lines
        if line in known or any(len(line) >= 8 and heading.startswith(line) for heading in known)
    ]


def test_all_three_files_are_written(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex")
    assert sorted(p.name for p in written.iterdir()) == [
        "figures",
        "handout.html",
        "handout.pdf",
        "handout.tex",
    ]
    assert sorted(p.name for p in (written / "figures").iterdir()) == [
        "contours.pdf",
        "cost.pdf",
        "rates.pdf",
    ]


@pytest.mark.parametrize("name", VARIANTS)
def test_the_tex_compiles_alone_with_latexmk_without_errors_or_overfull_lines(
    variant: Callable[[str], Path], name: str, tmp_path: Path
) -> None:
    written = variant(name)
    (tmp_path / "handout.tex").write_bytes((written / "handout.tex").read_bytes())
    if (written / "figures").exists():
        shutil.copytree(written / "figures", tmp_path / "figures")
    log = latexmk(tmp_path, chinese=name.startswith("zh"))
    assert "Overfull \\hbox" not in log
    assert not re.search(r"^! ", log, re.MULTILINE)


def test_the_pdf_shows_every_step_title_and_the_key_formulas(
    need: Need, written: Path, mean: Derivation
) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    text = pdf_text(written / "handout.pdf")
    for step in mean:
        assert f"Step {step.number}. {step.title}" in text
    squeezed = re.sub(r"\s+", "", text)
    for fragment in ("ŷ=α1+Xβ⊤", "u=y−ŷ", "u⊤X", "1⊤u", "(y−ŷ)⊤X", "∂J"):
        assert fragment in squeezed, fragment
    for mark in ("Checked:", "✓symbolic", "✓explicit", "✓numeric"):
        assert squeezed.count(mark) == 19, mark
    assert "check with --scale 1/(2m)" in " ".join(text.split())  # hyphens, not a dash


def test_the_pdf_has_a_handful_of_a4_pages(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex", "pdfinfo")
    info = subprocess.run(
        ["pdfinfo", str(written / "handout.pdf")], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found is not None
    assert 4 <= int(found.group(1)) <= 12
    assert "(A4)" in info


def test_two_runs_write_identical_bytes(need: Need, written: Path, tmp_path: Path) -> None:
    need("latexmk", "pdflatex")
    _handout(tmp_path)
    for name in ("handout.html", "handout.tex", "handout.pdf", "figures/contours.pdf"):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_a_hostile_title_comes_out_literally(need: Need, tmp_path: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    _handout(tmp_path, "--title", HOSTILE_TITLE)
    assert not (tmp_path / "pwned").exists()
    title = " ".join(pdf_text(tmp_path / "handout.pdf").split("Linear regression")[0].split())
    assert title == HOSTILE_TITLE
    html = (tmp_path / "handout.html").read_text()
    assert "<script>" not in html
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_bad_format_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["handout", "--out", str(tmp_path / "o"), "--format", "docx"])
    assert result.exit_code == 2
    assert "unknown format docx" in result.output
    assert not (tmp_path / "o").exists()


def test_a_latex_error_is_reported_with_the_lines_of_its_log(need: Need, tmp_path: Path) -> None:
    need("latexmk", "pdflatex")
    from derive.render.pdf import LatexError, build_pdf

    broken = "\\documentclass{article}\n\\begin{document}\n\\undefinedcommand\n\\end{document}\n"
    with pytest.raises(LatexError) as caught:
        build_pdf(broken, tmp_path)
    message = str(caught.value)
    assert "Undefined control sequence" in message
    assert "\\undefinedcommand" in message
    assert list(tmp_path.iterdir()) == []  # the scratch folder is gone


def test_without_latex_the_command_still_succeeds_and_names_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derive.render import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["handout", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "handout.html", "handout.tex"]
    assert "install the Debian packages latexmk texlive-latex-recommended" in result.output


def test_the_pdf_has_the_worked_example_with_its_numbers(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    text = pdf_text(written / "handout.pdf")
    assert "A worked example" in text
    squeezed = re.sub(r"\s+", "", text)
    for number in ("14.935", "1.445", "0.985", "−13.45", "0.1896", "0.75"):
        assert number in squeezed, number
    assert "Theiterationsthatfollow" in squeezed
    for title in (
        "Costcontoursandthepathofgradientdescent",
        "Costperiterationforseverallearningrates",
    ):
        assert title in squeezed, title  # the figures' own text, inside the PDF


@pytest.mark.parametrize("name", VARIANTS)
def test_the_pdf_is_on_the_paper_asked_for(variant: Callable[[str], Path], name: str) -> None:
    _pages, size = pdf_pages(variant(name) / "handout.pdf")
    paper = "letter" if "letter" in name else "a4"
    assert (round(size[0]), round(size[1])) == SHEETS[paper]


@pytest.mark.parametrize("name", VARIANTS)
def test_no_page_ends_with_a_heading(variant: Callable[[str], Path], name: str) -> None:
    folder = variant(name)
    known = headings(folder / "handout.html")
    assert len(known) >= 25  # the 19 steps and the sections
    ends = page_ends(folder / "handout.pdf", columns=2 if "compact" in name else 1)
    assert headings_at_the_foot(ends, known) == []


@pytest.mark.parametrize("name", FULL)
def test_the_figures_stay_in_the_worked_example(variant: Callable[[str], Path], name: str) -> None:
    """Each figure after the iterations, before "check your own derivation", and that
    heading on the page of the slip it checks (not one page before, the figures between)."""
    folder = variant(name)
    html = (folder / "handout.html").read_text(encoding="utf-8")
    captions = [squeezed(unescape(text)) for text in re.findall(r"<figcaption>(.*?)</", html)]
    assert len(captions) == 3
    with language(name[:2]):
        table, check = (
            squeezed(gettext("The iterations that follow")),
            squeezed(gettext("Check your own derivation")),
        )
        slip = squeezed(gettext("correct")) + ":"
    pages = [squeezed(page) for page in pdf_text(folder / "handout.pdf").split("\f")]
    text = "".join(pages)  # the heading is in the contents too: its last occurrence
    assert all(text.find(table) < text.find(caption) < text.rfind(check) for caption in captions)
    last = [page for page in pages if check in page][-1]
    assert slip in last


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_compact_handout_has_half_the_pages_or_fewer_and_no_figures(
    variant: Callable[[str], Path], lang: str
) -> None:
    compact = variant(
        next(name for name in VARIANTS if name.startswith(lang) and "compact" in name)
    )
    paper = "letter" if "letter" in compact.name else "a4"
    full, _size = pdf_pages(variant(f"{lang}-{paper}") / "handout.pdf")
    pages, _size = pdf_pages(compact / "handout.pdf")
    assert 2 * pages <= full, (pages, full)
    assert sorted(p.name for p in compact.iterdir()) == [
        "handout.html",
        "handout.pdf",
        "handout.tex",
    ]
    assert "includegraphics" not in (compact / "handout.tex").read_text(encoding="utf-8")
    with language(lang):
        about = squeezed(gettext(EXAMPLE["figures"]))
    assert about in squeezed(pdf_text(variant(f"{lang}-{paper}") / "handout.pdf"))
    text = squeezed(pdf_text(compact / "handout.pdf"))
    assert about not in text
    assert "0.1896" in text  # the rest of the sentence on the bound stays


@pytest.mark.parametrize("name", ["en-a4", "zh-a4"])
def test_the_source_article_is_cited(variant: Callable[[str], Path], name: str) -> None:
    folder = variant(name)
    with language(name[:2]):
        author = gettext(SOURCE.author)
    for output in (pdf_text(folder / "handout.pdf"), (folder / "handout.html").read_text()):
        text = squeezed(output)
        for part in (author, SOURCE.title, SOURCE.venue, str(SOURCE.year), SOURCE.url):
            assert squeezed(part) in text, part
        assert ("梯度下降算法背后的数学直觉" in text) == (name == "zh-a4")
