"""The HTML handout in a real browser: Debian's Chromium driven by Playwright, offline."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from derive.cli.main import cli


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
MATH_FONTS = {"STIX Two Math", "Latin Modern Math", "DejaVu Math TeX Gyre"}
# Step 13: ∂uᵢ/∂α = −1 (the number one), then ∂u/∂α = −𝟏 (the ones vector).
NUMBER_ONE = "#step-13 .relation:nth-child(1) .rhs mn"
ONES_VECTOR = "#step-13 .relation:nth-child(2) .rhs mn"


def test_the_ones_vector_is_drawn_bold_not_as_the_number_one(loaded: Any) -> None:
    page, _errors, _requests = loaded
    vector, number = _width_and_ink(page, ONES_VECTOR), _width_and_ink(page, NUMBER_ONE)
    assert vector[0] > 1.05 * number[0]  # a bold 1 is wider ...
    assert vector[1] > 1.2 * number[1]  # ... and darker
    assert page.locator(ONES_VECTOR).text_content() == "\U0001d7cf"  # MATHEMATICAL BOLD DIGIT ONE
    assert _platform_fonts(page, ONES_VECTOR) <= MATH_FONTS  # the math font has it: no tofu


def _width_and_ink(page: Any, selector: str) -> tuple[float, int]:
    """The element's width in CSS pixels and the darkness of its screenshot."""
    element = page.locator(selector)
    gray = Image.open(io.BytesIO(element.screenshot())).convert("L")
    ink = sum((255 - value) * count for value, count in enumerate(gray.histogram()))
    return element.bounding_box()["width"], ink


def _platform_fonts(page: Any, selector: str) -> set[str]:
    """The families Chromium drew the element's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"] for font in fonts}
