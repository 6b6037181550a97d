"""The handout as a Jupyter notebook: prose cells, and code cells that redo each step.

A sibling of the HTML and LaTeX renderers (handout -> render -> files). Each step gets a
Markdown cell (its title and explanation, symbols as $…$ for the notebook's MathJax) and
a code cell that calls derive's API: it shows the step, recomputes its right-hand side
with SymPy where the step is calculus, and runs the three checks again.
"""

from __future__ import annotations

import json
from typing import Any

from derive.core.i18n import gettext
from derive.core.version import __version__
from derive.models.notation import Segment
from derive.present.handout import Handout, StepView

# The SymPy operation behind each calculus step, as a student would type it in a notebook.
RECOMPUTE = {
    "outer-factor": "M.cost_in_u.diff(M.u)",
    "inner-factor-alpha": "(M.y - M.prediction).diff(M.alpha)",
    "inner-factor-beta": "matrix_derivative(M.y - M.prediction, M.beta)",
    "gradient-alpha": "orient(matrix_derivative(M.y - M.prediction, M.alpha).T"
    " * M.cost_in_u.diff(M.u))",
    "gradient-beta": "(M.cost_in_u.diff(M.u).T * matrix_derivative(M.y - M.prediction, M.beta))"
    ".doit()",
}

SETUP = """import derive
from derive import matrix_derivative, orient
{language}
d = derive.derivation({arguments})
M = d.model
d"""


def build_notebook(handout: Handout) -> str:
    """The notebook as nbformat 4 JSON text, with no outputs (run it to fill them in)."""
    cells = [
        _markdown(
            f"# {_markdown_text((Segment('text', handout.title),))}\n\n"
            f"{_markdown_text(handout.introduction)}"
        ),
        _code(SETUP.format(arguments=_arguments(handout), language=_language_line(handout.lang))),
    ]
    recompute = RECOMPUTE if handout.model == "mse" else {}
    for step in handout.steps:
        cells.append(_markdown(_step_text(step)))
        cells.append(_code(_step_code(step, recompute)))
    for number, cell in enumerate(cells, start=1):
        cell["id"] = f"cell-{number}"
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "derive": {"version": __version__},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _arguments(handout: Handout) -> str:
    """The arguments of `derive.derivation` that give the handout's model: a built-in by
    name; a description file by its text, so that the notebook needs no other file."""
    if handout.model == "mse":
        return f"scale={handout.scale!r}"
    if handout.description is None:
        return f"scale={handout.scale!r}, model={handout.model!r}"
    read = (
        f"derive.read_description({handout.description!r}, {handout.model!r}, "
        f"'description', {handout.scale!r})"
    )
    return f"scale={handout.scale!r}, model={read}"


def _language_line(lang: str) -> str:
    return "" if lang == "en" else f"\nderive.set_language({lang!r})\n"


def _step_text(step: StepView) -> str:
    number = gettext("Step %(number)s.") % {"number": step.number}
    heading = f"## {number} {_markdown_text(step.heading)}"
    return f"{heading}\n\n{_markdown_text(step.explanation)}"


def _step_code(step: StepView, recompute: dict[str, str]) -> str:
    lines = [f"step = d[{step.key!r}]", "display(step)"]
    if step.key in recompute:
        lines += [
            f"recomputed = {recompute[step.key]}",
            "display(recomputed)",
        ]
    lines.append("derive.check_step(M, step).checks")
    return "\n".join(lines)


def _markdown_text(segments: tuple[Segment, ...]) -> str:
    """Prose for Markdown: symbols as $…$, and Markdown's own special characters escaped."""
    parts = []
    for segment in segments:
        if segment.kind == "math":
            parts.append(f"${segment.value}$")
        else:
            parts.append("".join(f"\\{c}" if c in "\\`*_[]#<>$|" else c for c in segment.value))
    return "".join(parts)


def _markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _code(source: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }
