"""Figures of a numeric run, drawn with matplotlib; figure_files.py turns them into files.

Last stage of the flow (model -> steps -> verify -> numeric -> render -> files): figures
only draw numbers that come from the derivation's generated code, the costs and iterates
of descent.py and the cost over a grid of contours.py; no formula is restated here. The
Agg canvas is used directly (no pyplot state); the text is in the current language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from derive.core.errors import InputError
from derive.core.i18n import N_, gettext
from derive.models.linear import Scale
from derive.numeric import contours
from derive.numeric.arrays import Array
from derive.numeric.conditioning import check_arrays
from derive.numeric.reference import least_squares
from derive.present.plot_parts import (
    canvas,
    checked_series,
    early_then_spread,
    even_sample,
    log_scale,
)

# Curves that stay apart in black-and-white print: a line style and a marker each,
# in dark colours that also differ on screen.
_STROKES: tuple[tuple[Any, str, str], ...] = (
    ("-", "o", "#1f5fa8"),
    ("--", "s", "#b2182b"),
    (":", "^", "#1b7837"),
    ("-.", "D", "#762a83"),
    ((0, (6, 2, 1, 2, 1, 2)), "v", "#8c510a"),
    ((0, (1, 1)), "x", "#000000"),
)
_INK = "#000000"
# The points marked on the contours: open shapes under the filled end of the path.
_MARKS: dict[str, dict[str, Any]] = {
    "minimiser": {"marker": "*", "markersize": 15, "markerfacecolor": "white", "zorder": 3},
    "start": {"marker": "s", "markersize": 8, "markerfacecolor": "white", "zorder": 5},
    "end": {"marker": "o", "markersize": 6, "zorder": 6},
}
_LINES = "#8a8a8a"  # contour lines: grey, behind the black path
_LABELS = "#404040"  # their values: darker, to read in print
_MOST_POINTS = 2000  # a curve with more points is drawn through an even sample of them
_PATH_POINTS = 400  # the descent path: every early iterate, then a spread of later ones
_MARKED = 10  # the first iterates of the path get a marker each
_CROSSINGS = 30  # a path zig-zags when more of its visible steps than this reverse direction
_VISIBLE = 0.02  # a step is visible when longer than this fraction of the path's extent
_GRID = 121  # contour grid points per axis
_ROUNDING = 64 * np.finfo(np.float64).eps  # J − J* below this fraction of J* is rounding


@dataclass(frozen=True)
class _PathStyle:
    """How the descent path is drawn: its line width, its markers' size, its opacity."""

    linewidth: float
    markersize: float
    alpha: float | None = None  # matplotlib's default: opaque


# A path that zig-zags across its valley many times (most steps reverse the one before,
# as with a step near the bound 2/λmax) is drawn finer and lighter, so that its crossings
# stay apart and the minimiser under them stays visible.
_PATH = _PathStyle(linewidth=0.9, markersize=3.5)
_ZIGZAG_PATH = _PathStyle(linewidth=0.3, markersize=1.8, alpha=0.55)


# --- cost per iteration -------------------------------------------------------------


def cost_figure(
    costs: ArrayLike, *, minimum: float | None = None, title: str | None = None
) -> Figure:
    """J after each step on a log scale; with `minimum` (the least cost J*), J − J*.

    Descent on a quadratic cost converges linearly, so J − J* falls on a straight line of
    the log scale, while J itself levels off at J*. Values a log scale cannot show (≤ 0,
    or J − J* within rounding of J*) are left out.
    """
    shown = _excess(checked_series(costs, N_("costs")), minimum)
    steps = np.flatnonzero(shown > _floor(minimum))
    steps = steps[even_sample(len(steps), _MOST_POINTS)]
    figure, axes = canvas(title or gettext("Cost per iteration"), (6.4, 4.0))
    line, _, colour = _STROKES[0]
    axes.plot(steps, shown[steps], linestyle=line, color=colour, linewidth=1.5)
    log_scale(axes, shown[steps])
    axes.set_xlabel(gettext("iteration k"))
    axes.set_ylabel(_cost_label(minimum))
    return figure


def _excess(values: Array, minimum: float | None) -> Array:
    """The costs to draw: J itself, or J − J* when the least cost J* is given."""
    if minimum is None:
        return values
    if not np.isfinite(minimum):
        raise InputError(
            gettext("the least cost J* must be a finite number, not {value}").format(
                value=repr(minimum)
            )
        )
    shifted: Array = values - minimum
    return shifted


def _cost_label(minimum: float | None) -> str:
    if minimum is None:
        return gettext("cost J")
    return gettext("excess cost J − J*, with J* = {minimum}").format(minimum=f"{minimum:.6g}")


def _floor(minimum: float | None) -> float:
    """The smallest value worth drawing: 0, or the rounding level of J − J*."""
    return 0.0 if minimum is None else _ROUNDING * abs(minimum)


# --- several learning rates ---------------------------------------------------------


def learning_rate_figure(
    curves: Sequence[tuple[float, ArrayLike]],
    *,
    bound: float,
    minimum: float | None = None,
    title: str | None = None,
) -> Figure:
    """The cost against the iteration (log scale) for each (η, costs), labelled with η and
    η/bound (bound = 2/λmax). A curve that grows, η above the bound, is drawn until it
    leaves the top of the axes; with `minimum` the curves show J − J* as in `cost_figure`.
    """
    if not (np.isfinite(bound) and bound > 0):
        raise InputError(
            gettext("the bound 2/λmax must be a positive number, not {value}").format(
                value=repr(bound)
            )
        )
    if not curves:
        raise InputError(gettext("a learning-rate figure needs at least one curve"))
    series = [(float(lr), _excess(checked_series(c, N_("costs")), minimum)) for lr, c in curves]
    low, high = _limits([values for _, values in series], _floor(minimum))
    figure, axes = canvas(
        title or gettext("Cost per iteration for several learning rates"), (6.4, 5.0)
    )
    for index, (lr, values) in enumerate(series):
        style = _Style(*_STROKES[index % len(_STROKES)], _rate_label(lr, bound))
        _rate_curve(axes, values, (low, high), style, stagger=index / len(series))
    log_scale(axes, np.array([low, high]))
    axes.set_ylim(low, high)
    axes.set_xlabel(gettext("iteration k"))
    axes.set_ylabel(_cost_label(minimum))
    figure.legend(
        loc="outside lower center",
        ncols=2,
        fontsize=9,
        title=gettext("learning rate η, against the bound 2/λmax = {bound}").format(
            bound=f"{bound:.4g}"
        ),
        title_fontsize=9,
        frameon=False,
    )
    return figure


def _limits(series: Sequence[Array], floor: float) -> tuple[float, float]:
    """Log-axis limits: every value of a curve that does not grow, and two decades above
    the start for one that does (beyond that it leaves the axes)."""
    finite = np.concatenate([values[np.isfinite(values)] for values in series])
    positive = finite[finite > floor]
    if len(positive) == 0:
        raise InputError(gettext("no cost of these curves can be shown on a log scale"))
    start = max((float(v[0]) for v in series if np.isfinite(v[0])), default=0.0)
    top = min(float(positive.max()), 100 * start) if start > 0 else float(positive.max())
    return float(positive.min()) / 2, top * 2


@dataclass(frozen=True)
class _Style:
    """How one curve is drawn and named."""

    line: Any  # a matplotlib line style: a name or (offset, dashes)
    marker: str
    colour: str
    label: str


def _rate_curve(
    axes: Axes, values: Array, limits: tuple[float, float], style: _Style, stagger: float
) -> None:
    """One curve, cut where it leaves the axes; its markers start `stagger` of the way to
    the next, so that the markers of curves on top of each other stay apart."""
    low, high = limits
    steps = np.arange(len(values))
    outside = np.flatnonzero(~np.isfinite(values) | (values > high))
    if len(outside):  # draw up to the first value beyond the top, placed just above it
        end = int(outside[0])
        values = np.append(values[:end], 10 * high)
        steps = steps[: end + 1]
    keep = np.flatnonzero(values >= low)
    keep = keep[even_sample(len(keep), _MOST_POINTS)]
    every = max(1, len(keep) // 8)
    axes.plot(
        steps[keep],
        values[keep],
        linestyle=style.line,
        marker=style.marker,
        color=style.colour,
        linewidth=1.4,
        markersize=5,
        markerfacecolor="white",
        markevery=(int(stagger * every), every),
        label=style.label,
    )


def _rate_label(lr: float, bound: float) -> str:
    """η and its ratio to the bound, with digits enough not to round a near miss to 1."""
    ratio = lr / bound
    digits = 2
    while ratio != 1 and round(ratio, digits) == 1 and digits < 6:
        digits += 1
    return gettext("η = {lr} ({ratio} × bound)").format(lr=f"{lr:.4g}", ratio=f"{ratio:.{digits}f}")


# --- contours over the two weights --------------------------------------------------


def contour_figure(
    X: ArrayLike,
    y: ArrayLike,
    alphas: ArrayLike,
    betas: ArrayLike,
    *,
    scale: Scale | str = Scale.MEAN,
    names: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Contours of the cost over (β₁, β₂) of data with two features, and the descent path.

    The bias is held at its best value for each (β₁, β₂) (the profile cost, said on the
    figure); the path is (β₁, β₂) of each iterate (`alphas`, `betas`), its first iterates
    marked, start and end labelled, and the least-squares minimiser marked. `names`
    names the two features on the axes.
    """
    data, target = check_arrays(X, y)
    if data.shape[1] != 2:
        raise InputError(
            gettext("a contour plot needs exactly 2 features, not {count}").format(
                count=data.shape[1]
            )
        )
    path_alphas, path = _path(alphas, betas)
    best = np.asarray(least_squares(data, target)[1], dtype=np.float64)  # lstsq: independent
    cost = contours.ProfileCost(data, target, Scale.parse(scale))
    box = contours.region(np.vstack([path, best]), cost.curvature())
    grid = cost.grid(box, _GRID)
    at = contours.levels(float(grid.values.min()), float(grid.values.max()))
    shown = path[early_then_spread(len(path), _PATH_POINTS)]
    places = contours.label_places(cost, best, box, at[1::2], _along(shown))
    figure, axes = canvas(
        title or gettext("Cost contours and the path of gradient descent"), (6.4, 4.8)
    )
    _draw_contours(axes, grid, at, places)
    draw_path(axes, shown, path_alphas, thin=zigzags(path))
    _mark(axes, best, "minimiser", gettext("least-squares minimiser"))
    _finish_plane(axes, box, names)
    return figure


def _path(alphas: ArrayLike, betas: ArrayLike) -> tuple[Array, Array]:
    """The iterates as k values of α and a k×2 array of (β₁, β₂), checked."""
    path_alphas = np.asarray(alphas, dtype=np.float64).reshape(-1)
    path = np.asarray(betas, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise InputError(
            gettext("the path needs one (β₁, β₂) row per iterate, not shape {shape}").format(
                shape=path.shape
            )
        )
    if len(path_alphas) != len(path):
        raise InputError(
            gettext("{alphas} values of α for {betas} iterates of β").format(
                alphas=len(path_alphas), betas=len(path)
            )
        )
    if not (np.isfinite(path).all() and np.isfinite(path_alphas).all()):
        raise InputError(gettext("the path of a diverged run cannot be drawn on the contours"))
    return path_alphas, path


def _draw_contours(axes: Axes, grid: contours.Grid, at: Array, places: Array) -> None:
    """Grey contour lines of the profile cost, every other one labelled with its value at
    `places` (matplotlib's own choice when there are none)."""
    drawn = axes.contour(grid.b1, grid.b2, grid.values, levels=at, colors=_LINES, linewidths=0.8)
    manual = [tuple(place) for place in places] if len(places) else False
    axes.clabel(drawn, levels=at[1::2], fontsize=8, fmt="%.3g", colors=_LABELS, manual=manual)


def _along(points: Array, per_segment: int = 8) -> Array:
    """Points on the segments between successive points, for keeping labels off a path."""
    if len(points) < 2:
        return points
    fractions = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None, None]
    spread = points[:-1] + fractions * (points[1:] - points[:-1])
    return np.vstack([spread.reshape(-1, 2), points[-1:]])


def zigzags(path: Array) -> bool:
    """Whether the path crosses its valley back and forth more than _CROSSINGS times:
    steps long enough to see, each at more than 90° to the step before it."""
    steps = np.diff(path, axis=0)
    extent = float(np.linalg.norm(path.max(axis=0) - path.min(axis=0)))
    reverses = np.einsum("ij,ij->i", steps[:-1], steps[1:]) < 0
    visible = np.linalg.norm(steps[1:], axis=1) > _VISIBLE * extent
    return int(np.count_nonzero(reverses & visible)) > _CROSSINGS


def draw_path(axes: Axes, path: Array, alphas: Array, *, thin: bool = False) -> None:
    """The path (β₁, β₂) through the iterates (finer and lighter when `thin`: a path that
    zig-zags): the first ones marked, start and end labelled with their iteration k
    (`alphas` has one α for every iterate of the run)."""
    style = _ZIGZAG_PATH if thin else _PATH
    axes.plot(
        path[:, 0],
        path[:, 1],
        color=_INK,
        marker="o",
        markevery=list(range(min(_MARKED, len(path)))),
        zorder=4,
        label=gettext("descent path (β of each iterate)"),
        linewidth=style.linewidth,
        markersize=style.markersize,
        alpha=style.alpha,
    )
    first, last = (f"{alpha:.3g}" for alpha in (alphas[0], alphas[-1]))
    _mark(axes, path[0], "start", gettext("start, k = 0 (α = {alpha})").format(alpha=first))
    end = gettext("end, k = {k} (α = {alpha})").format(k=len(alphas) - 1, alpha=last)
    _mark(axes, path[-1], "end", end)
    _label_start(axes, path)


def _mark(axes: Axes, point: Array, kind: str, label: str) -> None:
    axes.plot(*point, linestyle="none", color=_INK, label=label, **_MARKS[kind])


def _label_start(axes: Axes, path: Array) -> None:
    """ "start" beside the first iterate, on the side away from the first step."""
    step = path[min(1, len(path) - 1)] - path[0]
    away = np.where(step > 0, -1, 1)  # each axis keeps its sign whatever its scale
    axes.annotate(
        gettext("start"),
        path[0],
        xytext=(7 * away[0], 7 * away[1]),
        textcoords="offset points",
        ha="right" if away[0] < 0 else "left",
        va="top" if away[1] < 0 else "bottom",
        fontsize=9,
        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        zorder=7,
    )


def _finish_plane(axes: Axes, box: contours.Region, names: Sequence[str] | None) -> None:
    axes.set_xlim(box.low[0], box.high[0])
    axes.set_ylim(box.low[1], box.high[1])
    if box.same_scale:
        axes.set_aspect("equal", adjustable="box")
    if names is None:
        axes.set_xlabel("β₁")
        axes.set_ylabel("β₂")
    else:
        weight = gettext("{beta} (weight of {name})")
        axes.set_xlabel(weight.format(beta="β₁", name=_plain(names[0])))
        axes.set_ylabel(weight.format(beta="β₂", name=_plain(names[1])))
    if box.same_scale:
        note = gettext("contours: cost J with the bias α at its best for each (β₁, β₂)")
    else:
        note = gettext(
            "contours: cost J with the bias α at its best for each (β₁, β₂); "
            "the axes have different scales"
        )
    axes.set_title(note, fontsize=8, style="italic")
    axes.figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)


def _plain(text: str) -> str:
    """Text that matplotlib shows as written (a $ would start mathematics)."""
    return text.replace("$", r"\$")
