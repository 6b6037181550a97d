"""What the Chromium tests measure on a page: the fonts an element was drawn with, the
MathML tokens that show a character, the ink of a screenshot (shared by the handout,
slides, printing and model tests)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

# The math font stack of handout.css and slides.css.
MATH_FONTS = {"STIX Two Math", "Latin Modern Math", "DejaVu Math TeX Gyre"}


def platform_fonts(page: Any, selector: str) -> set[str]:
    """The families Chromium drew the element's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"] for font in fonts}


def glyphs(page: Any, char: str) -> list[str]:
    """Selectors of the MathML tokens that show exactly `char` (each given an id)."""
    return list(
        page.evaluate(
            """char => [...document.querySelectorAll('mi, mo')]
                .filter(e => e.textContent === char)
                .map((e, k) => { e.id = 'glyph-' + char.codePointAt(0) + '-' + k;
                                 return '#' + e.id; })""",
            char,
        )
    )


def ink(page: Any, selector: str) -> int:
    """How dark the element's screenshot is: 0 for an empty box."""
    gray = Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("L")
    return sum((255 - value) * count for value, count in enumerate(gray.histogram()))
