"""The worked example's three figures for the handouts and slides, drawn side by side.

Between example.py (the run) and example_view.py (what the handouts show): plots.py
draws each figure and figure_files.py encodes it as SVG (for HTML) and PDF (for LaTeX),
in forked workers while the main process goes on. The captions are in the current
language, and so is the figures' text when a font for it is installed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from derive.core.i18n import current, gettext, language
from derive.core.processes import Pending, forked_map
from derive.numeric.reference import least_squares_cost
from derive.numeric.worked_example import WorkedExample
from derive.present.example_view import Figure
from derive.present.fonts import figure_language
from derive.present.prose import CAPTIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Drawing

NAMES = ("cost", "contours", "rates")
GROUPS = (("contours",), ("cost", "rates"))  # one process each, about equally long


@contextmanager
def start_figures(
    worked: WorkedExample, scale: str = "1/m", workers: int | None = None
) -> Iterator[PendingFigures]:
    """Start drawing the figures in forked workers; stop them on exit.

    matplotlib is imported here, not with this module, so that a handout imports it
    after the checks have started in their workers, and the figures' workers inherit it.
    """
    importlib.import_module("derive.present.plots")

    lang = figure_language(current())  # here, where its warning can be seen
    with forked_map(_draw_group, (worked, scale, lang), GROUPS, workers) as running:
        yield PendingFigures(_captions(worked), running)


@dataclass(frozen=True)
class PendingFigures:
    """Figures under way; `result()` waits for them."""

    captions: dict[str, str]
    running: Pending[dict[str, tuple[bytes, bytes]]]

    def result(self) -> tuple[Figure, ...]:
        files = {name: pair for group in self.running.get() for name, pair in group.items()}
        return tuple(
            Figure(name, self.captions[name], _inline_svg(name, files[name][0]), files[name][1])
            for name in NAMES
        )


def _captions(worked: WorkedExample) -> dict[str, str]:
    captions = {name: gettext(CAPTIONS[name]) for name in NAMES}
    captions["cost"] = captions["cost"].format(lr=f"{worked.run.lr:g}")
    return captions


def _draw_group(
    shared: tuple[WorkedExample, str, str], names: tuple[str, ...]
) -> dict[str, tuple[bytes, bytes]]:
    """Figures as an SVG and a PDF file each (in a worker)."""
    from derive.present.figure_files import encode

    worked, scale, lang = shared
    files = {}
    for name in names:
        with language(lang):
            drawing = _drawing(name, worked, scale)
        svg, pdf = encode(drawing, ("svg", "pdf"))
        files[name] = (svg, pdf)
    return files


def _drawing(name: str, worked: WorkedExample, scale: str) -> Drawing:
    from derive.present import plots

    run = worked.run
    X = np.array(worked.example.X, dtype=np.float64)
    y = np.array(worked.example.y, dtype=np.float64)
    if name == "contours":
        features = worked.example.features
        return plots.contour_figure(X, y, run.alphas, run.betas, scale=scale, names=features)
    minimum = least_squares_cost(X, y, scale)
    if name == "cost":
        return plots.cost_figure(run.costs, minimum=minimum)
    curves = [(curve.lr, curve.costs) for curve in worked.curves]
    return plots.learning_rate_figure(curves, bound=worked.bound, minimum=minimum)


def _inline_svg(name: str, svg: bytes) -> str:
    """An SVG file as an element of an HTML page: no XML prolog, ids unique in the page."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="', f'id="{name}-', text)
    return re.sub(r'(href="#|url\(#)', rf"\g<1>{name}-", text)
