"""The slides in a real browser: keys move between slides and reveal each step's parts."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from derive.cli.main import cli


@pytest.fixture(scope="module")
def slides_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slides")
    result = CliRunner().invoke(cli, ["slides", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "slides.html"


@pytest.fixture
def deck(browser: Any, slides_file: Path) -> Iterator[tuple[Any, list[str]]]:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: problems.append(r.url) if r.url != slides_file.as_uri() else None)
    page.goto(slides_file.as_uri())
    yield page, problems
    page.close()


def _state(page: Any) -> tuple[str, int, str]:
    current = page.locator("section.slide.current")
    return (
        current.get_attribute("id"),
        current.locator(".fragment.shown").count(),
        page.evaluate("location.hash"),
    )


def test_a_title_slide_a_slide_per_step_then_the_worked_example(deck: Any) -> None:
    page, problems = deck
    kinds = page.eval_on_selector_all(
        "section.slide",
        "els => els.map(e => [...e.classList].filter(c => c !== 'slide' && c !== 'current')[0])",
    )
    assert kinds[0] == "title-slide"
    assert kinds[1:20] == ["step"] * 19
    assert len(kinds) > 25
    assert set(kinds[20:]) == {"example"}
    assert problems == []


def test_keys_reveal_the_parts_of_a_step_then_move_on(deck: Any) -> None:
    page, _problems = deck
    assert _state(page) == ("slide-1", 0, "#slide-1")
    page.keyboard.press("ArrowRight")
    assert _state(page) == ("slide-2", 0, "#slide-2")
    for revealed in (1, 2, 3):
        page.keyboard.press("Space")
        assert _state(page) == ("slide-2", revealed, "#slide-2")
    page.keyboard.press("ArrowRight")
    assert _state(page)[0] == "slide-3"
    page.keyboard.press("ArrowLeft")
    assert _state(page) == ("slide-2", 3, "#slide-2")
    page.keyboard.press("ArrowLeft")
    assert _state(page) == ("slide-2", 2, "#slide-2")


def test_home_end_and_a_number_then_enter_jump(deck: Any) -> None:
    page, _problems = deck
    total = page.locator("section.slide").count()
    page.keyboard.press("End")
    assert _state(page)[0] == f"slide-{total}"
    page.keyboard.press("Home")
    assert _state(page)[0] == "slide-1"
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    assert _state(page)[0] == "slide-12"
    assert page.locator(".counter").inner_text() == f"12 / {total}"


def test_a_reload_keeps_the_place(deck: Any) -> None:
    page, _problems = deck
    page.keyboard.press("9")
    page.keyboard.press("Enter")
    page.reload()
    assert _state(page)[0] == "slide-9"


def test_only_the_current_slide_is_shown_and_its_math_has_a_box(deck: Any, artifacts: Path) -> None:
    page, _problems = deck
    for key in ("1", "7", "Enter", "Space", "Space", "Space"):
        page.keyboard.press(key)
    visible = page.eval_on_selector_all(
        "section.slide", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)"
    )
    assert visible == ["slide-17"]
    boxes = page.eval_on_selector_all(
        "section.slide.current math",
        "els => els.map(e => e.getBoundingClientRect().width * e.getBoundingClientRect().height)",
    )
    assert boxes
    assert all(area > 0 for area in boxes)
    page.wait_for_timeout(400)  # let the reveal transition finish
    page.screenshot(path=str(artifacts / "slides-en.png"))


def test_without_javascript_the_slides_are_a_scrolling_document(
    browser: Any, slides_file: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(slides_file.as_uri())
    assert page.evaluate("document.documentElement.className") == ""
    heights = page.eval_on_selector_all(
        "section.slide", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert len(heights) > 25
    assert all(h > 0 for h in heights)
    context.close()


def test_printing_gives_one_slide_per_page(
    deck: Any, artifacts: Path, need: Callable[..., None]
) -> None:
    need("pdfinfo")
    page, _problems = deck
    page.emulate_media(media="print")
    target = artifacts / "slides-print.pdf"
    target.write_bytes(page.pdf(landscape=True, format="A4"))
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    total = page.locator("section.slide").count()
    assert re.search(rf"^Pages:\s+{total}$", info.stdout, re.MULTILINE)


# The math font stack of slides.css; step 13's slide: ∂uᵢ/∂α = −1, then ∂u/∂α = −𝟏.
MATH_FONTS = {"STIX Two Math", "Latin Modern Math", "DejaVu Math TeX Gyre"}
NUMBER_ONE = "#slide-14 .relation:nth-child(1) .rhs mn"
ONES_VECTOR = "#slide-14 .relation:nth-child(2) .rhs mn"


def test_the_ones_vector_is_drawn_bold_not_as_the_number_one(deck: Any) -> None:
    page, _problems = deck
    for key in ("1", "4", "Enter", "Space"):  # step 13, its formulas shown
        page.keyboard.press(key)
    page.wait_for_timeout(400)  # let the reveal transition finish
    vector, number = page.locator(ONES_VECTOR), page.locator(NUMBER_ONE)
    assert vector.bounding_box()["width"] > 1.05 * number.bounding_box()["width"]  # bold is wider
    assert vector.text_content() == "\U0001d7cf"  # MATHEMATICAL BOLD DIGIT ONE
    assert _platform_fonts(page, ONES_VECTOR) <= MATH_FONTS  # the math font has it: no tofu


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
