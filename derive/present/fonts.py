"""Fonts for the text of the figures: DejaVu Sans, and a CJK font for what it lacks.

Used by figure_files.py when a figure is saved (the last stage of the flow). matplotlib draws
each character from the first font of a text's family list that has it. DejaVu Sans,
matplotlib's own font, has the Latin and Greek letters and the signs of the figures; a
CJK font found on the system is added behind it only for a figure whose text needs it
(Chinese titles and labels, or a feature named in Chinese), so English figures keep
their bytes. matplotlib's font cache may predate the fonts (it is built once, when
matplotlib first runs), so a known CJK font file is registered by its path.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from derive.core.i18n import CJK, gettext

LATIN = "DejaVu Sans"
# Simplified-Chinese faces, best first, and the files that hold them (Debian's packages
# fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming).
CJK_FACES = {
    "Noto Sans CJK SC": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf"),
    "Source Han Sans SC": ("SourceHanSansSC-Regular.otf", "SourceHanSans-Regular.ttc"),
    "WenQuanYi Zen Hei": ("wqy-zenhei.ttc",),
    "WenQuanYi Micro Hei": ("wqy-microhei.ttc",),
    "AR PL UMing CN": ("uming.ttc",),
    # matplotlib before 3.11 reads only the first face of a .ttc: Noto's Japanese one,
    # which has the same Chinese characters in slightly different forms.
    "Noto Sans CJK JP": ("NotoSansCJK-Regular.ttc",),
}
PACKAGE = "fonts-noto-cjk"  # what to install when no face is found


def families(texts: Iterable[str]) -> list[str]:
    """The font list for a figure with these texts: DejaVu Sans, then a CJK face if a
    character is not in DejaVu Sans and a CJK face is installed."""
    covered = _latin_characters()
    if all(_drawn_by_latin(character, covered) for text in texts for character in text):
        return [LATIN]
    face = cjk_face()
    return [LATIN] if face is None else [LATIN, face]


def _drawn_by_latin(character: str, covered: frozenset[int]) -> bool:
    """True for a character DejaVu Sans draws, and for spaces and control characters,
    which no font draws."""
    return ord(character) in covered or character.isspace() or not character.isprintable()


@cache
def _latin_characters() -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(LATIN, fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


@cache
def cjk_face() -> str | None:
    """The name of an installed CJK face that matplotlib can use, or None."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for face in CJK_FACES:
        if face in known:
            return face
    wanted = {name for names in CJK_FACES.values() for name in names}
    for path in sorted(font_manager.findSystemFonts()):  # sorted: the same pick every run
        if Path(path).name in wanted:
            font_manager.fontManager.addfont(path)
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((face for face in CJK_FACES if face in known), None)


class FontWarning(UserWarning):
    """The figures' text is drawn in English: no font for the language is installed."""


def figure_language(lang: str) -> str:
    """The language to write figures in: `lang`, or English with a `FontWarning` when
    `lang` is written in CJK characters and no CJK face is installed."""
    if lang not in CJK or cjk_face() is not None:
        return lang
    message = gettext(
        "the figures' text is in English: no Chinese font found; install the Debian "
        "package {package}"
    ).format(package=PACKAGE)
    warnings.warn(FontWarning(message), stacklevel=2)
    return "en"
