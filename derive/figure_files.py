"""Figures as files: the bytes of a matplotlib figure, the same on every run, written
atomically.

Used by plots.py (which draws) and render.py (which puts figures into the handouts), at
the end of the flow. Metadata that would carry a date or a version is left out, SVG ids
use a fixed salt, text is drawn as outlines from the fonts that fonts.py chooses, and a
file is replaced by renaming a complete temporary file over it.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from derive import fonts
from derive.errors import InputError
from derive.i18n import gettext

# Per format, the metadata keys matplotlib would fill with a date or its version.
METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
STYLE: dict[Any, Any] = {"svg.hashsalt": "derive", "svg.fonttype": "path", "path.simplify": False}


def check_target(path: Path | str) -> Path:
    """A path a figure can be written to (.png, .svg or .pdf in an existing folder)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in METADATA:
        raise InputError(
            gettext("{path}: a figure must end in .png, .svg or .pdf").format(path=path)
        )
    if not path.parent.is_dir():
        raise InputError(
            gettext("{path}: the folder {folder} does not exist").format(
                path=path, folder=path.parent
            )
        )
    return path


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
    with mpl.rc_context({**STYLE, "font.family": family}):
        figure.savefig(buffer, format=kind, metadata=METADATA[kind])
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
    _write(target, figure_bytes(figure, target.suffix.lower().lstrip(".")))
    return target


def _write(path: Path, data: bytes) -> None:
    """Write into a temporary file beside `path`, then rename it over `path`."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise InputError(
            gettext("{path} cannot be written: {reason}").format(path=path, reason=error.strerror)
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, or what a new file gets under the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
