"""What `derive example --model M` prints: a planned model's worked example as text or JSON.

Presentation, beside terminal.py (whose example_text and example_json keep the article's
mse example byte for byte): it receives a `WorkedModel` (numeric/model_example.py) and
only formats it — the data and the start, each line of the first iteration as formula,
numbers put in and result, the agreement with the generated NumPy code, the step policy,
the iteration table, the outcome, and whether the end is a minimum (local, for a cost that
is not convex). Numbers whose decimals do not end (σ(1/10), or 2/3) are shown rounded to
6 significant digits and marked ≈; the values behind them stay exact.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import sympy as sp

from derive.core.i18n import N_, current, gettext, join_list
from derive.math.printing import relation_text, text
from derive.math.shown_numbers import (
    ExampleLatexPrinter,
    ExampleTextPrinter,
    rounded,
    rounding_note,
    rounds,
)
from derive.numeric.model_example import WorkedModel
from derive.numeric.model_example_data import data_rows
from derive.numeric.model_example_first import (
    AGREEMENT,
    Approx,
    ApproxEntry,
    ModelLine,
    approximate,
    to_float,
)
from derive.numeric.model_problem import Slot
from derive.present.terminal import run_outcome
from derive.present.width import rjust

_HEADINGS = {  # the mse example's headings, by whether there is one feature
    False: N_("Worked example: {m} examples, {n} features ({features}), target {target}"),
    True: N_("Worked example: {m} examples, 1 feature ({features}), target {target}"),
}


class _Numbers:
    """The printers' handling of the numbers model_example_first.py rounds for display (mixed
    into the printers of shown_numbers.py): an `Approx` put into a formula is in
    parentheses when negative, as a ShownNumber; an `ApproxEntry` never is."""

    glyphs: ClassVar[dict[str, str]]

    def _print_Approx(self, expr: Approx) -> str:
        shown = self.glyphs["rounded"].format(rounded(expr.value))
        return f"({shown})" if expr.value < 0 else shown

    def _print_ApproxEntry(self, expr: ApproxEntry) -> str:
        return self.glyphs["rounded"].format(rounded(expr.value))


class _TextPrinter(_Numbers, ExampleTextPrinter):
    """Terminal text for a model's worked example."""


class _LatexPrinter(_Numbers, ExampleLatexPrinter):
    """LaTeX for a model's worked example (for the handouts)."""


def example_text_of(expr: sp.Basic) -> str:
    """Terminal text for numbers, matrices and formulas with numbers put in."""
    return str(_TextPrinter().doprint(expr))


def example_latex_of(expr: sp.Basic) -> str:
    """LaTeX for numbers, matrices and formulas with numbers put in."""
    return str(_LatexPrinter().doprint(expr))


def line_rounds(line: ModelLine) -> bool:
    """Whether the line shows a number rounded and marked ≈."""
    return any(
        rounds(expr) or bool(expr.atoms(Approx))
        for expr in (line.substituted, approximate(line.value))
    )


# --- text ---------------------------------------------------------------------------------


def model_example_text(worked: WorkedModel) -> str:
    """The worked example for a terminal: the data, the first iteration, the iterations."""
    example, run, spec = worked.example, worked.run, worked.spec
    m, n = example.size
    lines = [
        spec.title.get(current()),
        gettext(_HEADINGS[n == 1]).format(
            m=m, n=n, features=join_list(example.features), target=example.target
        ),
        "",
        "    ".join(
            f"{text(q.symbol)} = {example_text_of(_column_matrix(worked, q.name))}"
            for q in spec.data
        ),
        "    ".join(
            [
                *(
                    f"{text(slot.quantity.symbol)} = {_start(worked, slot)}"
                    for slot in worked.slots
                ),
                *(
                    f"{text(q.symbol)} = {example_text_of(q.default)}"
                    for q in spec.constants
                    if q.default is not None
                ),
                f"η = {example_text_of(_rational(example.lr))}",
            ]
        ),
        "",
        gettext("First iteration"),
    ]
    for line in worked.first.lines:
        lines.append(f"  {relation_text(line.lhs, line.op, line.formula)}")
        if line.rule is not None:
            lines.append(f"    = {text(line.rule)}")
        lines.append(f"    = {example_text_of(line.substituted)}")
        lines.append(f"    = {example_text_of(approximate(line.value))}")
    if any(line_rounds(line) for line in worked.first.lines):
        lines.append(f"  {rounding_note()}")
    lines += ["", _agreement(worked), "", _iterations_heading(worked)]
    names = [name for slot in worked.slots for name in _entry_names(slot)]
    lines.append(_table_row("k", *names, "J"))
    for k in worked.table():
        values = [_decimal(v) for v in run.thetas[k]]
        lines.append(_table_row(str(k), *values, _decimal(run.costs[k])))
    lines += ["", _outcome(worked)]
    minimum = minimum_sentence(worked)
    if minimum:
        lines.append(minimum)
    return "\n".join(lines)


def _column_matrix(worked: WorkedModel, name: str) -> sp.ImmutableMatrix:
    rows = data_rows(worked.spec, worked.example)[name]
    return sp.ImmutableMatrix([[_rational(v) for v in row] for row in rows])


def _start(worked: WorkedModel, slot: Slot) -> str:
    entries = [_rational(v) for v in worked.example.starting(slot.quantity.name)]
    if not slot.matrix:
        return example_text_of(entries[0])
    return example_text_of(sp.ImmutableMatrix(*slot.shape, entries))


def _rational(value: object) -> sp.Rational:
    return sp.Rational(str(value))


def _entry_names(slot: Slot) -> list[str]:
    symbol = text(slot.quantity.symbol)
    if not slot.matrix:
        return [symbol]
    return [f"{symbol}{_subscript(j + 1)}" for j in range(slot.size)]


def _subscript(number: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(number))


def _decimal(value: float) -> str:
    return f"{value:.6g}"


def _table_row(*cells: str) -> str:
    """Cells right-aligned in columns of 12, a space apart (as the mse example's table)."""
    return " " + "".join(f" {rjust(cell, 12)}" for cell in cells)


def _agreement(worked: WorkedModel) -> str:
    difference = f"{worked.difference:.2g}"
    if worked.agrees:
        return gettext(
            "The NumPy code generated from the steps gives the same numbers (largest "
            "relative difference {difference})."
        ).format(difference=difference)
    return gettext(
        "The NumPy code generated from the steps gives other numbers: a relative "
        "difference of {difference}, above {limit}."
    ).format(difference=difference, limit=f"{AGREEMENT:g}")


def _iterations_heading(worked: WorkedModel) -> str:
    lr = example_text_of(_rational(worked.example.lr))
    if worked.policy == "hessian" and worked.bound is not None:
        return gettext(
            "Iterations with η = {lr}; descent converges for 0 < η < 2/λmax = {bound}"
        ).format(lr=lr, bound=f"{worked.bound:.4g}")
    if worked.policy == "sigmoid" and worked.bound is not None:
        return gettext(
            "Iterations with η = {lr}; σ′ ≤ 1/4 bounds the curvature by L = λmax(X̃ᵀX̃)/(4m), "
            "so descent converges for 0 < η < 2/L = {bound}"
        ).format(lr=lr, bound=f"{worked.bound:.4g}")
    heading = gettext(
        "Iterations with backtracking (Armijo): the cost's curvature has no bound, so each "
        "step tries twice the step before (η = {lr} first) and halves it until the cost "
        "falls enough; {halvings} halvings in all"
    ).format(lr=lr, halvings=worked.run.halvings)
    first = worked.first_step
    if first is None or first == float(worked.example.lr):
        return heading
    return (
        heading
        + "\n"
        + gettext(
            "The first step halved η to {step}: the iterate after it is not the one computed "
            "by hand above."
        ).format(step=f"{first:.6g}")
    )


def _outcome(worked: WorkedModel) -> str:
    run = worked.run
    return run_outcome(run.iterations, run.converged, run.diverged, run.stalled)


def minimum_sentence(worked: WorkedModel) -> str | None:
    """Whether the end is a minimum, and whether it is the only one."""
    if worked.curvature is None:
        return None
    value = f"{worked.curvature:.3g}"
    if worked.curvature <= 0:
        return gettext(
            "The Hessian at the end is not positive definite (smallest eigenvalue {value}): "
            "the end need not be a minimum."
        ).format(value=value)
    if worked.local is True:
        return gettext(
            "The Hessian at the end is positive definite (smallest eigenvalue {value}): a "
            "minimum. The cost is not convex, so it is a local minimum, the one reached from "
            "this start."
        ).format(value=value)
    if worked.local is False:
        return gettext(
            "The Hessian at the end is positive definite (smallest eigenvalue {value}): a "
            "minimum. The cost is convex, so it is the only one."
        ).format(value=value)
    return gettext(
        "The Hessian at the end is positive definite (smallest eigenvalue {value}): a "
        "minimum. derive does not know whether the cost is convex: it may be a local minimum."
    ).format(value=value)


# --- JSON ---------------------------------------------------------------------------------


def model_example_json(worked: WorkedModel) -> dict[str, Any]:
    """The worked example as one JSON object (numbers as floats). The keys of the mse
    example — X, y, each parameter's start by its name (alpha, beta), lr, cost,
    grad_<parameter>, <parameter>_next, bound, converged, history — and the model's own:
    model, each other data column and each intermediate by its name (z, p, mu, u, yhat),
    constants, numpy_difference (the largest relative difference of the generated code's
    first iteration), policy (hessian, sigmoid or armijo), halvings, first_step, local
    (true: the cost is not convex and the end is a local minimum; null: not known) and
    hessian_min (the smallest eigenvalue of the Hessian at the end; null unless
    converged). A name of the model that is already a key gets a _ after it."""
    example, run = worked.example, worked.run
    record: dict[str, Any] = {
        "model": worked.spec.key,
        "X": [[float(v) for v in row] for row in example.X],
        "y": [float(v) for v in example.y],
    }
    for name, column in example.data:
        _add(record, name, [float(v) for v in column])
    for slot in worked.slots:
        values = [float(v) for v in example.starting(slot.quantity.name)]
        _add(record, slot.quantity.name, values if slot.matrix else values[0])
    record["constants"] = {
        q.name: float(q.default) for q in worked.spec.constants if q.default is not None
    }
    record["lr"] = float(example.lr)
    matrices = {line.name: line.lhs for line in worked.first.lines}
    for line in worked.first.lines:
        value = to_float(line.value)
        entries = [float(v) for v in value]
        is_matrix = isinstance(matrices[line.name], sp.MatrixExpr)
        _add(record, line.name, entries if is_matrix else entries[0])
    record |= {
        "numpy_difference": worked.difference,
        "policy": worked.policy,
        "bound": worked.bound,
        "halvings": run.halvings,
        "first_step": worked.first_step,
        "converged": run.converged,
        "local": worked.local,
        "hessian_min": worked.curvature,
        "history": [_history(worked, k) for k in range(run.iterations + 1)],
    }
    return record


def _add(record: dict[str, Any], name: str, value: Any) -> None:
    while name in record:
        name += "_"
    record[name] = value


def _history(worked: WorkedModel, k: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"iteration": k}
    for name, value in worked.parameters(k).items():
        entry[name] = (
            [float(v) for v in np.ravel(value)] if isinstance(value, np.ndarray) else value
        )
    entry["cost"] = float(worked.run.costs[k])
    entry["step"] = None if k == 0 else float(worked.run.steps[k - 1])
    return entry
