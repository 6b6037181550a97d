"""Figures as files: the bytes of a matplotlib figure, the same on every run, written
atomically.

Used for what plots.py draws, by example_figures.py (the handouts' figures) and cli.py
(`derive run --plot`), at the end of the flow. Metadata that would carry a date or a
version is left out, SVG ids use a fixed salt, text is drawn as outlines from the fonts
that fonts.py chooses (characters no installed font has give one `FontWarning`), and a
file is replaced by renaming a complete temporary file over it (atomic.py).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from derive.core.atomic import check_place, replace_files
from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.present import fonts

# Per format, the metadata keys matplotlib would fill with a date or its version.
METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
_MISSING_GLYPH = "missing from font"  # matplotlib's warning for a character no font has
STYLE: dict[Any, Any] = {"svg.hashsalt": "derive", "svg.fonttype": "path", "path.simplify": False}


def check_target(path: Path | str) -> Path:
    """A path a figure can be written to (.png, .svg or .pdf in an existing folder)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in METADATA:
        raise InputError(
            gettext("{path}: a figure must end in .png, .svg or .pdf").format(path=path)
        )
    return check_place(path)


def figure_bytes(figure: Figure, kind: str) -> bytes:
    """The figure as an "svg", "pdf" or "png" file; the same figure gives the same bytes."""
    if kind not in METADATA:
        raise InputError(
            gettext("a figure is written as png, svg or pdf, not {kind}").format(kind=repr(kind))
        )
    texts = figure.findobj(Text)
    family = fonts.families(text.get_text() for text in texts)
    for text in texts:
        text.set_fontfamily(family)
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mpl.rc_context({**STYLE, "font.family": family}):
            figure.savefig(buffer, format=kind, metadata=METADATA[kind])
    missing = [w for w in caught if _MISSING_GLYPH in str(w.message)]
    for warning in caught:
        if warning not in missing:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if missing:
        message = gettext(
            "some characters of the figure have no font here and show as boxes; install "
            "the Debian package {package}"
        ).format(package=fonts.PACKAGE)
        warnings.warn(fonts.FontWarning(message), stacklevel=2)
    return buffer.getvalue()


def encode(figure: Figure, kinds: Sequence[str]) -> tuple[bytes, ...]:
    """The figure as a file of each kind; the layout is worked out for the first and kept
    for the others (the same places, and half the time of the layout)."""
    files = []
    for kind in kinds:
        files.append(figure_bytes(figure, kind))
        figure.set_layout_engine("none")
    return tuple(files)


def save(figure: Figure, path: Path | str) -> Path:
    """Write the figure to `path` in the format its suffix names, replacing it atomically."""
    target = check_target(path)
    data = figure_bytes(figure, target.suffix.lower().lstrip("."))
    replace_files(target.parent, {target.name: data})
    return target
