"""The models' formulas as the HTML handout shows them: the printer's LaTeX turned into
MathML (derive/render/handouts.py `mathml`), drawn by Debian's Chromium with the handout's
style sheet. The new symbols (sigma, ∘, ‖) must come out of a math font with a width."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from browser_tools import MATH_FONTS, glyphs, ink, platform_fonts
from test_printing_models import FORMS

from derive.math.printing import latex
from derive.render.handouts import mathml, template_dir

WORDS = ("log", "exp")  # the function names FORMS writes
SIGMA, RING, NORM = "\N{GREEK SMALL LETTER SIGMA}", "\N{RING OPERATOR}", "\N{DOUBLE VERTICAL LINE}"


def _page() -> str:
    css = (template_dir() / "handout.css").read_text(encoding="utf-8")
    rows = "\n".join(
        f'<p id="{form.key}"><span class="key">{escape(form.key)}</span> '
        f"{mathml(latex(form.expr), display='inline')}</p>"
        for form in FORMS
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>formulas</title><style>{css}</style></head><body>{rows}</body></html>"
    )


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.set_content(_page())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    yield page
    page.close()


def test_every_formula_is_drawn_with_a_box(page: Any) -> None:
    for form in FORMS:
        box = page.locator(f"#{form.key} math").bounding_box()
        assert box is not None, form.key
        assert box["width"] > 20, (form.key, box)
        assert box["height"] > 8, (form.key, box)


@pytest.mark.parametrize(
    ("char", "least"),
    [(SIGMA, 2), (RING, 4), (NORM, 2)],
    ids=["sigma", "hadamard-ring", "norm-bars"],
)
def test_the_new_symbols_come_from_a_math_font_with_a_width(
    page: Any, char: str, least: int, artifacts: Path
) -> None:
    found = glyphs(page, char)
    assert len(found) >= least  # sigma in two formulas; ∘ in five; ‖ twice in ‖β‖²
    measured = []
    for selector in found:
        box = page.locator(selector).bounding_box()
        fonts = platform_fonts(page, selector)
        measured.append({"width": round(box["width"], 2), "fonts": sorted(fonts)})
        assert box["width"] > 2, (char, box)
        assert ink(page, selector) > 0, char
        assert fonts, char
        assert fonts <= MATH_FONTS, (char, fonts)  # no fallback font, no tofu
    name = f"printing-glyph-{ord(char):04X}.json"
    (artifacts / name).write_text(json.dumps(measured, indent=1), encoding="utf-8")


def test_function_names_do_not_touch_their_neighbours(page: Any, artifacts: Path) -> None:
    """yᵀ log p, (𝟏 − y)ᵀ log(𝟏 − p), 𝟏ᵀ(exp(z) − y ∘ z): a browser draws <mi>log</mi>
    beside <mi>p</mi> as "logp"; as operator names they keep a reader's space."""
    gaps = page.evaluate(
        """names => [...document.querySelectorAll('mi, mo')]
            .filter(e => names.includes(e.textContent))
            .map(e => [e.textContent, e.getBoundingClientRect(),
                       e.previousElementSibling?.getBoundingClientRect(),
                       e.nextElementSibling?.getBoundingClientRect()])
            .map(([name, box, before, after]) => [name,
                 before ? box.left - before.right : null,
                 after ? after.left - box.right : null])""",
        list(WORDS),
    )
    (artifacts / "printing-function-gaps.json").write_text(json.dumps(gaps), encoding="utf-8")
    assert {name for name, _before, _after in gaps} == set(WORDS)
    for name, before, after in gaps:
        assert before is None or before > 1, (name, before)
        assert after is None or after > 1, (name, after)


def test_screenshot_of_the_formulas_is_saved_for_people_to_look_at(
    page: Any, artifacts: Path
) -> None:
    target = artifacts / "printing-models.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
