"""Figures of a numeric run, drawn with matplotlib and written byte for byte reproducibly.

Last stage of the flow (model -> steps -> verify -> numeric -> render -> files): figures
receive numbers from descent.py and only draw them. The Agg canvas is used directly (no
pyplot state), metadata that would carry a date or a version is left out, SVG ids use a
fixed salt, and a file is replaced atomically, so a failed write leaves the old one whole.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from derive.errors import InputError

# Per format, the metadata keys matplotlib would fill with a date or its version.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
_STYLE: dict[Any, Any] = {"svg.hashsalt": "derive", "svg.fonttype": "path", "path.simplify": False}


def check_target(path: Path | str) -> Path:
    """A path a figure can be written to (.png, .svg or .pdf in an existing folder)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in _METADATA:
        raise InputError(f"{path}: a figure must end in .png, .svg or .pdf")
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {path.parent} does not exist")
    return path


def cost_curve(costs: ArrayLike, path: Path | str, *, title: str = "Cost per iteration") -> Path:
    """Draw J against the iteration on a log scale and write it to `path` (.png/.svg/.pdf)."""
    target = check_target(path)
    values = np.asarray(costs, dtype=np.float64)
    steps = np.arange(len(values))
    shown = values > 0  # a log scale cannot show a cost of exactly zero
    with mpl.rc_context(_STYLE):
        figure = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.plot(steps[shown], values[shown], color="#1f5fa8", linewidth=1.5)
        axes.set_yscale("log")
        axes.set_xlabel("iteration k")
        axes.set_ylabel("cost J")
        axes.set_title(title)
        axes.grid(True, which="major", alpha=0.3)
        _save(figure, target)
    return target


def _save(figure: Figure, path: Path) -> None:
    """Write into a temporary file beside `path`, then rename it over `path`."""
    kind = path.suffix.lower().lstrip(".")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise InputError(f"{path} cannot be written: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            figure.savefig(stream, format=kind, metadata=_METADATA[kind])
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
