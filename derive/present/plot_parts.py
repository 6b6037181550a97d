"""The small parts the figures of plots.py are built from.

Last stage of the flow (model -> steps -> verify -> numeric -> render -> files): a figure
on a bare Agg canvas, a log axis labelled as plain text, a checked series of numbers, and
the indices of an even (or early-then-spread) sample of a long series.
"""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, NullLocator
from numpy.typing import ArrayLike, NDArray

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.numeric.arrays import Array
from derive.present.figure_files import STYLE

Indices = NDArray[np.int64]

FEW_DECADES = 30  # a log axis spanning less than this ratio shows at most one power of 10
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def canvas(title: str, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas (no pyplot, no display), with one titled pair of axes."""
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=size, dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        figure.suptitle(title)
        axes.grid(True, which="major", alpha=0.3)
    return figure, axes


def log_scale(axes: Axes, values: Array) -> None:
    """A log scale labelled 10⁻², 10⁰, … as plain text (matplotlib's $10^{-2}$ is slow);
    when `values` span too few decades for two powers of ten, evenly spaced round values
    are labelled instead."""
    axes.set_yscale("log")
    if len(values) and values.min() > 0 and values.max() < FEW_DECADES * values.min():
        axes.yaxis.set_major_locator(MaxNLocator(5))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.6g}"))
        axes.yaxis.set_minor_locator(NullLocator())
        return
    axes.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    axes.yaxis.set_minor_formatter(NullFormatter())


def _power_of_ten(value: float, _position: int) -> str:
    if value <= 0:
        return ""
    exponent = round(math.log10(value))
    if not math.isclose(value, 10.0**exponent, rel_tol=1e-9):
        return ""
    return "10" + str(exponent).translate(_SUPERSCRIPTS)


def checked_series(values: ArrayLike, what: str) -> Array:
    """`values` as a flat float64 array; `InputError` naming `what` when there are none."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(flat) == 0:
        raise InputError(gettext("there are no {what} to draw").format(what=gettext(what)))
    return flat


def even_sample(count: int, limit: int) -> Indices:
    """Indices of at most `limit` evenly spread items of `count`, the first and the last."""
    if count <= limit:
        return np.arange(count, dtype=np.int64)
    return np.unique(np.round(np.linspace(0, count - 1, limit)).astype(np.int64))


def early_then_spread(count: int, limit: int) -> Indices:
    """Indices of every early item, then of later ones spread geometrically to the last."""
    if count <= limit:
        return np.arange(count, dtype=np.int64)
    head = limit // 2
    tail = np.round(np.geomspace(head, count - 1, limit - head)).astype(np.int64)
    return np.unique(np.concatenate([np.arange(head), tail]))
