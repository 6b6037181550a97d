"""The slides in a real browser: keys, a click or a clicker move between slides and reveal
each step's parts; o shows all slides, b a black screen, s the speaker notes in a second
window; step numbers in the address; projector and phone sizes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from browser_tools import MATH_FONTS, platform_fonts
from click.testing import CliRunner

from derive.cli.main import cli
from derive.present.handout import step_views
from derive.steps.derivation import Derivation


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
    assert _state(page) == ("slide-2", 0, "#step-1")
    for revealed in (1, 2, 3):
        page.keyboard.press("Space")
        assert _state(page) == ("slide-2", revealed, "#step-1")
    page.keyboard.press("ArrowRight")
    assert _state(page)[0] == "slide-3"
    page.keyboard.press("ArrowLeft")
    assert _state(page) == ("slide-2", 3, "#step-1")
    page.keyboard.press("ArrowLeft")
    assert _state(page) == ("slide-2", 2, "#step-1")


def test_a_clickers_page_down_and_page_up_go_forward_and_back(deck: Any) -> None:
    page, _problems = deck
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")
    assert _state(page) == ("slide-2", 1, "#step-1")
    page.keyboard.press("PageUp")
    assert _state(page) == ("slide-2", 0, "#step-1")
    page.keyboard.press("PageUp")
    assert _state(page) == ("slide-1", 0, "#slide-1")


def test_home_end_and_a_step_number_then_enter_jump(deck: Any) -> None:
    page, _problems = deck
    total = page.locator("section.slide").count()
    page.keyboard.press("End")
    assert _state(page)[0] == f"slide-{total}"
    page.keyboard.press("Home")
    assert _state(page)[0] == "slide-1"
    _type(page, "17")  # "step 17", as a student calls it out: the 18th slide
    assert _state(page) == ("slide-18", 0, "#step-17")
    assert page.locator("section.slide.current h2").inner_text().startswith("Step 17.")
    assert page.locator(".counter").inner_text() == f"18 / {total}"
    _type(page, "25")  # there is no step 25: the slides stay where they are
    assert _state(page) == ("slide-18", 0, "#step-17")


def test_a_reload_keeps_the_place_and_old_addresses_still_work(deck: Any) -> None:
    page, _problems = deck
    _type(page, "9")
    page.reload()
    assert _state(page) == ("slide-10", 3, "#step-9")
    page.goto(f"{page.url.split('#')[0]}#slide-12")  # an address from before #step-N
    assert _state(page) == ("slide-12", 3, "#step-11")
    page.keyboard.press("End")  # a slide that is not a step keeps its place in the address
    total = page.locator("section.slide").count()
    page.reload()
    assert _state(page)[0::2] == (f"slide-{total}", f"#slide-{total}")


def _type(page: Any, number: str) -> None:
    for key in (*number, "Enter"):
        page.keyboard.press(key)


def test_only_the_current_slide_is_shown_and_its_math_has_a_box(deck: Any, artifacts: Path) -> None:
    page, _problems = deck
    for key in ("1", "6", "Enter", "Space", "Space", "Space"):
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
NUMBER_ONE = "#slide-14 .relation:nth-child(1) .rhs mn"
ONES_VECTOR = "#slide-14 .relation:nth-child(2) .rhs mn"


def test_the_ones_vector_is_drawn_bold_not_as_the_number_one(deck: Any) -> None:
    page, _problems = deck
    for key in ("1", "3", "Enter", "Space"):  # step 13, its formulas shown
        page.keyboard.press(key)
    vector, number = page.locator(ONES_VECTOR), page.locator(NUMBER_ONE)
    vector.wait_for(state="visible")  # the reveal fades opacity only: sizes are final
    assert vector.bounding_box()["width"] > 1.05 * number.bounding_box()["width"]  # bold is wider
    assert vector.text_content() == "\U0001d7cf"  # MATHEMATICAL BOLD DIGIT ONE
    assert platform_fonts(page, ONES_VECTOR) <= MATH_FONTS  # the math font has it: no tofu


# --- a click, the black screen, the overview ----------------------------------------


def test_a_click_moves_on_but_not_a_click_on_a_link_or_a_control(deck: Any) -> None:
    page, problems = deck
    page.mouse.click(640, 300)
    assert _state(page) == ("slide-2", 0, "#step-1")
    page.mouse.click(200, 600)
    assert _state(page) == ("slide-2", 1, "#step-1")
    page.mouse.click(640, 300, button="right")
    assert _state(page) == ("slide-2", 1, "#step-1")
    page.eval_on_selector(  # a link to the current address, and a button: clicks for them
        "section.slide.current h2",
        "h => h.insertAdjacentHTML('afterend', "
        '\'<p><a href="#step-1" id="a-link">a link</a> <button id="a-button">b</button></p>\')',
    )
    page.click("#a-link")
    page.click("#a-button")
    assert _state(page) == ("slide-2", 1, "#step-1")
    assert problems == []


def test_b_or_a_full_stop_blacks_the_screen_and_the_same_key_brings_it_back(deck: Any) -> None:
    page, _problems = deck
    _type(page, "4")
    for key in ("b", "."):
        page.keyboard.press(key)
        cover = page.evaluate(
            "() => { const e = document.elementFromPoint(640, 360);"
            " return [e.className, getComputedStyle(e).backgroundColor] }"
        )
        assert cover == ["blank", "rgb(0, 0, 0)"]
        assert page.locator(".blank").bounding_box() == {
            "x": 0,
            "y": 0,
            "width": 1280,
            "height": 720,
        }
        page.keyboard.press("ArrowRight")  # nothing moves behind the black screen
        page.mouse.click(640, 360)
        assert _state(page) == ("slide-5", 0, "#step-4")
        page.keyboard.press(key)
        assert page.locator(".blank").is_hidden()
        assert _state(page) == ("slide-5", 0, "#step-4")
    page.keyboard.press("ArrowRight")
    assert _state(page) == ("slide-5", 1, "#step-4")


def test_o_shows_every_slide_to_jump_to(deck: Any, artifacts: Path) -> None:
    page, _problems = deck
    total = page.locator("section.slide").count()
    _type(page, "3")
    page.keyboard.press("o")
    cards = page.locator(".overview .card")
    assert page.locator(".overview").is_visible()
    assert cards.count() == total
    sixth = cards.nth(5)  # its place in the slides, then the step's number and title
    assert sixth.locator(".card-number").inner_text() == "6"
    assert sixth.locator(".card-title .number").inner_text() == "Step 5."
    assert sixth.locator(".card-title").inner_text().endswith("The prediction")
    assert page.evaluate("document.activeElement.dataset.index") == "3"  # the current slide
    page.wait_for_timeout(100)
    page.screenshot(path=str(artifacts / "slides-overview.png"))
    columns = page.evaluate(
        "() => { const c = [...document.querySelectorAll('.overview .card')];"
        " return c.filter(e => e.offsetTop === c[0].offsetTop).length }"
    )
    assert columns > 2
    for key in ("ArrowRight", "ArrowDown", "Enter"):
        page.keyboard.press(key)
    assert page.locator(".overview").is_hidden()
    assert _state(page)[0] == f"slide-{5 + columns}"
    page.keyboard.press("o")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Escape")  # closes the overview where the slides were
    assert _state(page)[0] == f"slide-{5 + columns}"
    page.keyboard.press("o")
    cards.nth(total - 2).click()
    assert page.locator(".overview").is_hidden()
    assert _state(page)[0] == f"slide-{total - 1}"


# --- the speaker notes ---------------------------------------------------------------


@pytest.fixture
def clocked(browser: Any, slides_file: Path) -> Iterator[tuple[Any, list[str]]]:
    """The slides at 1280×720 with the page clock under the test's control (the popup too)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.clock.install(time=datetime(2024, 5, 6, 9, 58, 30))
    context.clock.pause_at(datetime(2024, 5, 6, 9, 58, 30))
    problems: list[str] = []
    context.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    context.on("weberror", lambda error: problems.append(str(error.error)))
    context.on(
        "request", lambda r: problems.append(r.url) if r.url != slides_file.as_uri() else None
    )
    page = context.new_page()
    page.goto(slides_file.as_uri())
    yield page, problems
    context.close()


def test_s_opens_speaker_notes_that_follow_the_slides(
    clocked: tuple[Any, list[str]], mean: Derivation, artifacts: Path
) -> None:
    page, problems = clocked
    with page.expect_popup() as opened:
        page.keyboard.press("s")
    notes = opened.value
    notes.wait_for_load_state()
    assert notes.url.endswith("slides.html#notes")
    assert notes.locator("section.slide").first.is_hidden()
    _type(page, "16")
    page.keyboard.press("ArrowRight")  # a step's parts do not change the notes
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # step 17
    heading = page.locator("section.slide.current h2").inner_text()
    assert heading.startswith("Step 17.")
    notes.wait_for_function(
        "h => document.querySelector('.notes-current h2')?.innerText === h", arg=heading
    )
    said = notes.locator(".notes-current .explanation").inner_text()
    assert said == page.locator("section.slide.current .explanation").inner_text()
    view = step_views(mean)[16]  # the Handout's prose of step 17
    assert [s.value.strip() in said for s in view.explanation if s.kind == "text"] == [True] * len(
        [s for s in view.explanation if s.kind == "text"]
    )
    upcoming = page.locator("#slide-19 h2").text_content()
    assert notes.locator(".notes-next-title").text_content() == upcoming
    assert notes.locator(".notes-position").inner_text() == page.locator(".counter").inner_text()
    notes.keyboard.press("PageDown")  # the presenter's keys in the notes window move the slides
    assert _state(page) == ("slide-18", 1, "#step-17")
    page.keyboard.press("b")
    notes.locator(".notes-blank").wait_for(state="visible")
    page.keyboard.press("b")
    notes.locator(".notes-blank").wait_for(state="hidden")
    page.clock.run_for("01:05")
    assert notes.locator(".notes-clock").inner_text() == "09:59"
    assert notes.locator(".notes-timer").inner_text() == "1:05"
    notes.wait_for_timeout(100)
    notes.screenshot(path=str(artifacts / "slides-notes.png"))
    notes.locator(".notes-timer").click()  # starts the timer again
    assert notes.locator(".notes-timer").inner_text() == "0:00"
    page.keyboard.press("End")
    notes.locator(".notes-last").wait_for(state="visible")
    assert notes.locator(".notes-next").is_hidden()
    assert problems == []


def test_the_notes_find_the_slides_again_after_a_reload(clocked: tuple[Any, list[str]]) -> None:
    page, _problems = clocked
    with page.expect_popup() as opened:
        page.keyboard.press("s")
    notes = opened.value
    notes.wait_for_load_state()
    page.reload()
    page.clock.run_for(1000)  # the notes say hello every second; the reloaded slides answer
    _type(page, "2")
    notes.wait_for_function(
        "() => document.querySelector('.notes-current h2')?.innerText.startsWith('Step 2.')"
    )


# --- projector and phone sizes -------------------------------------------------------

# Every element of the current slide inside the slide's content box; the slide not scrolled.
OVERFLOW = """() => {
  const slide = document.querySelector('section.slide.current');
  const box = slide.getBoundingClientRect(), style = getComputedStyle(slide);
  const inside = r => r.left >= box.left + parseFloat(style.paddingLeft) - 1
    && r.right <= box.right - parseFloat(style.paddingRight) + 1
    && r.top >= box.top + parseFloat(style.paddingTop) - 1
    && r.bottom <= box.bottom - parseFloat(style.paddingBottom) + 1;
  const out = [...slide.querySelectorAll('*')]
    .filter(e => !e.closest('svg') || e.tagName === 'svg')
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width * r.height > 0 && !inside(r))
    .map(([e, r]) => e.tagName + '.' + e.className);
  return {id: slide.id, out: out, scrolls: slide.scrollHeight > slide.clientHeight};
}"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_on_a_projector_every_slide_fits_and_tables_and_figures_are_large(
    browser: Any, slides_file: Path, size: tuple[int, int]
) -> None:
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(slides_file.as_uri())
    total = page.locator("section.slide").count()
    for number in range(1, total + 1):
        page.evaluate(f"location.hash = '#slide-{number}'")  # every part shown
        assert page.evaluate(OVERFLOW) == {"id": f"slide-{number}", "out": [], "scrolls": False}
    page.evaluate(
        "location.hash = '#' + document.querySelector('table.iterations').closest('section').id"
    )
    sizes = page.evaluate(
        "[getComputedStyle(document.querySelector('section.slide.current')).fontSize,"
        " getComputedStyle(document.querySelector('table.iterations td')).fontSize]"
    )
    slide_font, table_font = (float(value.removesuffix("px")) for value in sizes)
    assert table_font >= slide_font  # the numbers as large as the slide's text
    for figure in page.locator("figure.plot").all():
        page.evaluate(
            "id => location.hash = '#' + document.getElementById(id).closest('section').id",
            figure.get_attribute("id"),
        )
        assert figure.locator("svg").bounding_box()["height"] >= 0.7 * height
    page.close()


def test_on_a_phone_nothing_is_wider_than_the_screen(
    browser: Any, slides_file: Path, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 667})
    page.goto(slides_file.as_uri())
    total = page.locator("section.slide").count()
    for number in range(1, total + 1):
        page.evaluate(f"location.hash = '#slide-{number}'")
        widths = page.evaluate(
            "() => { const s = document.querySelector('section.slide.current');"
            " return [document.documentElement.scrollWidth, s.scrollWidth - s.clientWidth] }"
        )
        assert widths == [375, 0], number
    page.evaluate(
        "location.hash = '#' + document.querySelector('.table-box').closest('section').id"
    )
    table = page.locator(".table-box")
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 375
    page.wait_for_timeout(100)
    page.screenshot(path=str(artifacts / "slides-phone.png"))
    page.close()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 667})
    plain = context.new_page()
    plain.goto(slides_file.as_uri())
    assert plain.evaluate("document.documentElement.scrollWidth") == 375
    context.close()
