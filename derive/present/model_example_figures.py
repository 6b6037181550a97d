"""The three figures of a planned model's worked example: cost, contours and learning rates.

Beside example_figures.py (the article's mse example, drawn in forked workers for the
handouts): the same three figures for a `WorkedModel`, drawn here one after another
(or some of them: model_example_handout.py draws them in two forked workers).
The cost per iteration and the learning-rate curves are plots.py's own figures; the
contour figure is drawn here, since plots.py's contours are mse's least-squares profile:
for a model it shows the cost over the two weights with the intercept at its best for
each pair (numeric/model_example_plane.py finds it by Newton's method), or over the intercept
and the one weight. The handouts take the figures from `model_figures`; the text is in
the current language where a font has it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from derive.core.i18n import N_, current, gettext, language
from derive.math.printing import text
from derive.numeric.contours import levels
from derive.numeric.model_example import WorkedModel, rate_runs
from derive.numeric.model_example_descent import ModelRun
from derive.numeric.model_example_plane import Plane, plane
from derive.present.example_view import Figure
from derive.present.fonts import figure_language
from derive.present.prose import CAPTIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Drawing

NAMES = ("cost", "contours", "rates")

_CAPTIONS = {
    "cost-armijo": N_(
        "The cost above its least value, J − J*, against the iteration, with backtracking "
        "from the first trial step η = {lr}, on a log scale."
    ),
    "contours-direct": N_(
        "Contours of the cost over the intercept and the weight, and the path gradient "
        "descent takes from its start to the minimum."
    ),
    "rates-sigmoid": N_(
        "The cost for several learning rates on either side of the bound 2/L, which holds "
        "for every σ: it falls faster as η grows, and above the bound descent is no longer "
        "sure to lower the cost."
    ),
    "rates-armijo": N_(
        "The cost for several first trial steps under backtracking: each step tries twice "
        "the step before and halves it until the cost falls enough."
    ),
}

# How the contour figure draws: as plots.py draws the mse example's.
_LINES = "#8a8a8a"
_LABELS = "#404040"


@dataclass(frozen=True)
class ModelDrawing:
    """One figure of a model's example, before it is written: its name, its caption and
    the matplotlib figure."""

    name: str
    caption: str
    drawing: Drawing


def model_drawings(
    worked: WorkedModel,
    runs: tuple[ModelRun, ...] | None = None,
    names: Collection[str] = NAMES,
) -> tuple[ModelDrawing, ...]:
    """The example's figures of `names`, in the order of NAMES (no contours where the
    model has no plane to draw them on: see model_example.plane); `runs` are the
    learning-rate curves (computed by `rate_runs` when not given). Drawn in the current
    language where a font has its characters, else in English."""
    rates = "rates" in names
    curves = (runs if runs is not None else rate_runs(worked)) if rates else ()
    found = plane(worked) if "contours" in names else None
    captions = _captions(worked, found)
    drawn = []
    with language(figure_language(current())):
        if "cost" in names:
            drawn.append(ModelDrawing("cost", captions["cost"], _cost(worked)))
        if found is not None:
            drawn.append(ModelDrawing("contours", captions["contours"], _contours(found)))
        if rates:
            drawn.append(ModelDrawing("rates", captions["rates"], _rates(worked, curves)))
    return tuple(drawn)


def model_figures(worked: WorkedModel, names: Collection[str] = NAMES) -> tuple[Figure, ...]:
    """The example's figures of `names` as the handouts take them: an SVG for HTML and a
    PDF for LaTeX each, with their captions."""
    from derive.present.figure_files import encode

    figures = []
    for item in model_drawings(worked, names=names):
        svg, pdf = encode(item.drawing, ("svg", "pdf"))
        figures.append(Figure(item.name, item.caption, _inline_svg(item.name, svg), pdf))
    return tuple(figures)


def _captions(worked: WorkedModel, found: Plane | None) -> dict[str, str]:
    cost = _CAPTIONS["cost-armijo"] if worked.bound is None else CAPTIONS["cost"]
    direct = found is not None and not found.profile
    contours = _CAPTIONS["contours-direct"] if direct else CAPTIONS["contours"]
    rates = {"hessian": CAPTIONS["rates"], "sigmoid": _CAPTIONS["rates-sigmoid"]}.get(
        worked.policy, _CAPTIONS["rates-armijo"]
    )
    return {
        "cost": gettext(cost).format(lr=f"{float(worked.example.lr):g}"),
        "contours": gettext(contours),
        "rates": gettext(rates),
    }


def _least(worked: WorkedModel) -> float:
    """J*: the least cost the run reached (the minimum, when it converged)."""
    finite = worked.run.costs[np.isfinite(worked.run.costs)]
    return float(finite.min())


def _cost(worked: WorkedModel) -> Drawing:
    from derive.present import plots

    return plots.cost_figure(worked.run.costs, minimum=_least(worked))


def _rates(worked: WorkedModel, curves: tuple[ModelRun, ...]) -> Drawing:
    """plots.py's learning-rate figure, its legend said as the policy has it: against the
    bound 2/λmax or 2/L, or — under backtracking, where there is no bound — the first
    trial steps and their halvings."""
    from derive.present import plots

    least = min(_least(worked), *(float(np.nanmin(c.costs)) for c in curves))
    series = [(curve.lr, curve.costs) for curve in curves]
    bound = worked.bound if worked.bound is not None else float(worked.example.lr)
    figure = plots.learning_rate_figure(series, bound=bound, minimum=least)
    legend = figure.legends[0]
    if worked.policy == "sigmoid":
        legend.set_title(
            gettext("learning rate η, against the bound 2/L = {bound}").format(bound=f"{bound:.4g}")
        )
    elif worked.bound is None:
        legend.set_title(gettext("first trial step η under backtracking"))
        for label, curve in zip(legend.get_texts(), curves, strict=True):
            label.set_text(
                gettext("η = {lr}: {halvings} halvings").format(
                    lr=f"{curve.lr:.4g}", halvings=curve.halvings
                )
            )
    return figure


def _contours(found: Plane) -> Drawing:
    """Contours of the cost over the plane, the descent path, its start and its end."""
    from derive.present.plot_parts import canvas, early_then_spread
    from derive.present.plots import draw_path, zigzags

    grid = found.grid
    figure, axes = canvas(gettext("Cost contours and the path of gradient descent"), (6.4, 4.8))
    at = levels(float(grid.values.min()), float(grid.values.max()))
    drawn = axes.contour(grid.b1, grid.b2, grid.values, levels=at, colors=_LINES, linewidths=0.8)
    axes.clabel(drawn, levels=at[1::2], fontsize=8, fmt="%.3g", colors=_LABELS)
    path = found.path[early_then_spread(len(found.path), 400)]
    draw_path(axes, path, found.intercepts, thin=zigzags(found.path))
    axes.set_xlim(found.box.low[0], found.box.high[0])
    axes.set_ylim(found.box.low[1], found.box.high[1])
    if found.box.same_scale:
        axes.set_aspect("equal", adjustable="box")
    axes.set_xlabel(_axis(found.axes[0]))
    axes.set_ylabel(_axis(found.axes[1]))
    if found.profile and found.box.same_scale:
        note = gettext("contours: cost J with the bias α at its best for each (β₁, β₂)")
    elif found.profile:
        note = gettext(
            "contours: cost J with the bias α at its best for each (β₁, β₂); "
            "the axes have different scales"
        )
    else:
        note = gettext("contours: cost J over the intercept and the weight")
    axes.set_title(note, fontsize=8, style="italic")
    figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return figure


def _axis(entry: tuple[str, int | None]) -> str:
    """A parameter's entry as an axis label: α, or β₁."""
    import sympy as sp

    name, index = entry
    symbol = text(sp.Symbol(name))
    if index is None:
        return symbol
    return symbol + "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(index))


def _inline_svg(name: str, svg: bytes) -> str:
    """An SVG file as an element of an HTML page: no XML prolog, ids unique in the page
    (as example_figures.py writes the mse example's)."""
    page = svg.decode("utf-8")
    page = page[page.index("<svg") :]
    page = re.sub(r'\bid="', f'id="{name}-', page)
    return re.sub(r'(href="#|url\(#)', rf"\g<1>{name}-", page)
