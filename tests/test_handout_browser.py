"""The HTML handout in a real browser: Debian's Chromium driven by Playwright, offline."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from browser_tools import MATH_FONTS, platform_fonts
from click.testing import CliRunner
from PIL import Image
from test_handout_files import headings, headings_at_the_foot, page_ends, pdf_pages, squeezed

from derive.cli.main import cli
from derive.core.i18n import gettext, language


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    title = "</title><script>alert(1)</script> & \\input{x}"
    result = CliRunner().invoke(
        cli, ["handout", "--out", str(folder), "--format", "html", "--title", title]
    )
    assert result.exit_code == 0, result.output
    return folder / "handout.html"


@pytest.fixture(scope="module")
def loaded(browser: Any, page_file: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    yield page, errors, requests
    page.close()


def test_no_console_errors_and_no_requests_but_the_file(loaded: Any, page_file: Path) -> None:
    _page, errors, requests = loaded
    assert errors == []
    assert requests == [page_file.as_uri()]


def test_there_are_19_step_sections(loaded: Any) -> None:
    page, _errors, _requests = loaded
    assert page.locator("section.step").count() == 19


def test_every_math_element_is_rendered_with_a_box(loaded: Any) -> None:
    page, _errors, _requests = loaded
    boxes = page.eval_on_selector_all(
        "math",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
    )
    assert len(boxes) > 100
    assert all(width > 0 and height > 0 for width, height in boxes)


def test_the_hostile_title_is_text_not_markup(loaded: Any) -> None:
    page, _errors, _requests = loaded
    assert page.title() == "</title><script>alert(1)</script> & \\input{x}"
    assert page.locator("script").count() == 0
    assert page.locator("h1").inner_text() == page.title()


def test_screenshot_is_saved_for_people_to_look_at(loaded: Any, artifacts: Path) -> None:
    page, _errors, _requests = loaded
    target = artifacts / "handout-html.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_it_prints_on_a4_and_letter(loaded: Any, paper: str, artifacts: Path) -> None:
    page, _errors, _requests = loaded
    page.emulate_media(media="print")
    pdf = page.pdf(format=paper, print_background=False)
    (artifacts / f"handout-print-{paper}.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 20_000


def test_the_worked_example_figures_render_inline_with_a_size(loaded: Any) -> None:
    page, _errors, _requests = loaded
    sizes = page.eval_on_selector_all(
        "figure.plot svg",
        "els => els.map(e => e.getBoundingClientRect().width * e.getBoundingClientRect().height)",
    )
    assert len(sizes) == 3
    assert all(size > 10_000 for size in sizes)
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))  # three SVGs in one page, and no id twice


# The math font stack of handout.css and slides.css.
# Step 13: ∂uᵢ/∂α = −1 (the number one), then ∂u/∂α = −𝟏 (the ones vector).
NUMBER_ONE = "#step-13 .relation:nth-child(1) .rhs mn"
ONES_VECTOR = "#step-13 .relation:nth-child(2) .rhs mn"


def test_the_ones_vector_is_drawn_bold_not_as_the_number_one(loaded: Any) -> None:
    page, _errors, _requests = loaded
    vector, number = _width_and_ink(page, ONES_VECTOR), _width_and_ink(page, NUMBER_ONE)
    assert vector[0] > 1.05 * number[0]  # a bold 1 is wider ...
    assert vector[1] > 1.2 * number[1]  # ... and darker
    assert page.locator(ONES_VECTOR).text_content() == "\U0001d7cf"  # MATHEMATICAL BOLD DIGIT ONE
    assert platform_fonts(page, ONES_VECTOR) <= MATH_FONTS  # the math font has it: no tofu


def _width_and_ink(page: Any, selector: str) -> tuple[float, int]:
    """The element's width in CSS pixels and the darkness of its screenshot."""
    element = page.locator(selector)
    gray = Image.open(io.BytesIO(element.screenshot())).convert("L")
    ink = sum((255 - value) * count for value, count in enumerate(gray.histogram()))
    return element.bounding_box()["width"], ink


@pytest.fixture(scope="module")
def printed(
    tmp_path_factory: pytest.TempPathFactory, browser: Any, need: Callable[..., None]
) -> Callable[[str, bool, str], tuple[Path, Path]]:
    """`printed("zh", True, "Letter")`: the HTML handout (compact or not) and what Chromium
    prints of it on that paper, each made once."""
    need("pdftotext", "pdfinfo")
    pages: dict[tuple[str, bool, str], tuple[Path, Path]] = {}

    def made_once(lang: str, compact: bool, paper: str) -> tuple[Path, Path]:
        html = tmp_path_factory.getbasetemp() / f"print-{lang}-{compact}" / "handout.html"
        if not html.exists():
            options = ["--lang", lang, "--format", "html", *(["--compact"] if compact else [])]
            result = CliRunner().invoke(cli, ["handout", "--out", str(html.parent), *options])
            assert result.exit_code == 0, result.output
        if (lang, compact, paper) not in pages:
            page = browser.new_page()
            page.goto(html.as_uri())
            page.emulate_media(media="print")
            pdf = html.parent / f"print-{paper}.pdf"
            pdf.write_bytes(page.pdf(format=paper))
            page.close()
            pages[lang, compact, paper] = html, pdf
        return pages[lang, compact, paper]

    return made_once


PRINTS = [
    (lang, compact, paper)
    for lang in ("en", "zh")
    for compact in (False, True)
    for paper in ("A4", "Letter")
]


@pytest.mark.parametrize(("lang", "compact", "paper"), PRINTS)
def test_no_printed_page_ends_with_a_heading(
    printed: Callable[[str, bool, str], tuple[Path, Path]], lang: str, compact: bool, paper: str
) -> None:
    html, pdf = printed(lang, compact, paper)
    known = headings(html)
    assert len(known) >= 25
    ends = page_ends(pdf, columns=2 if compact else 1)
    if not compact:  # page 1 ends with the contents, whose entries are named as the sections
        with language(lang):
            assert squeezed(gettext("Contents")) in _pages_text(pdf)[0]
        ends = ends[1:]
    assert headings_at_the_foot(ends, known) == []


@pytest.mark.parametrize(("lang", "paper"), [("en", "A4"), ("zh", "Letter")])
def test_no_caption_is_torn_from_its_figure_to_the_top_of_a_page(
    printed: Callable[[str, bool, str], tuple[Path, Path]], lang: str, paper: str
) -> None:
    """A figure is drawn above its caption: a caption in the top quarter of a page would
    have its figure on the page before. (The figures' words are drawn, not text.)"""
    html, pdf = printed(lang, False, paper)
    captions = re.findall(r"<figcaption>(.*?)</", html.read_text(encoding="utf-8"))
    starts = [squeezed(unescape(caption))[:10] for caption in captions]
    assert len(starts) == 3
    assert all(start in "".join(_pages_text(pdf)) for start in starts)
    pages, (width, height) = pdf_pages(pdf)
    for page in range(1, pages + 1):
        top = ["-f", str(page), "-l", str(page), "-W", str(int(width)), "-H", str(int(height / 4))]
        text = squeezed(_pdftotext(pdf, "-x", "0", "-y", "0", *top))
        assert not [start for start in starts if start in text], page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compact_prints_on_half_the_pages_or_fewer_without_figures(
    printed: Callable[[str, bool, str], tuple[Path, Path]], lang: str
) -> None:
    for paper in ("A4", "Letter"):
        full, _size = pdf_pages(printed(lang, False, paper)[1])
        html, pdf = printed(lang, True, paper)
        pages, _size = pdf_pages(pdf)
        assert 2 * pages <= full, (paper, pages, full)
    assert "<figure" not in html.read_text(encoding="utf-8")


def _pdftotext(pdf: Path, *options: str) -> str:
    command = ["pdftotext", *options, str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _pages_text(pdf: Path) -> list[str]:
    return [squeezed(page) for page in _pdftotext(pdf).split("\f")]
