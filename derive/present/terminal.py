"""What `derive steps`, `derive example` and `derive check` print: terminal text or JSON.

Presentation for the command line (cli.py stays thin): it receives the steps and their
check results and formats them with the Unicode text printer, in the current language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp

from derive.core.i18n import N_, current, gettext, join_list
from derive.grade.compare import ModelCounterexample
from derive.math.printing import relation_latex, relation_text, shape_text, text
from derive.math.shown_numbers import example_text as example_text_of
from derive.math.shown_numbers import rounding_note, rounds
from derive.models.spec import ModelSpec
from derive.numeric.worked_example import Trajectory, WorkedExample
from derive.present.width import ljust, rjust, width, wrap
from derive.steps.derivation import Derivation, Relation
from derive.verify.step_checks import StepCheck

if TYPE_CHECKING:
    from derive.grade.result import CheckResult


def steps_json(result: Derivation, checks: Sequence[StepCheck]) -> list[dict[str, Any]]:
    """One JSON object per step: number, key, title, latex, shape, checks and details."""
    records = []
    for step, check in zip(result, checks, strict=True):
        relations = [
            {
                "latex": relation_latex(r.lhs, r.op, r.rhs),
                "text": relation_text(r.lhs, r.op, r.rhs),
                "shape": list(shape_text(r.shape)),
            }
            for r in step.relations
        ]
        records.append(
            {
                "number": step.number,
                "key": step.key,
                "title": step.title,
                "latex": relations[0]["latex"],
                "shape": list(shape_text(step.shape)),
                "checks": check.checks,
                "relations": relations,
                "source_shape": list(shape_text(step.source_shape)),
                "shape_note": step.shape_note,
                "failures": {r.route: r.detail for r in check.results if not r.passed},
            }
        )
    return records


def steps_text(result: Derivation, checks: Sequence[StepCheck]) -> str:
    """The steps for a terminal: title and shape, the relations, the checks."""
    lines = [_heading(result), ""]
    for step, check in zip(result, checks, strict=True):
        lines.append(f"{step.number:>2}. {step.title}   [{_shape(shape_text(step.shape))}]")
        lines.extend(_relation_line(r, step.mixed_shapes) for r in step.relations)
        if step.shape_note:
            lines.append("      " + gettext("note: {note}").format(note=step.shape_note))
        marks = "  ".join(f"{'✓' if r.passed else '✗'} {gettext(r.route)}" for r in check.results)
        lines.append("      " + gettext("checks: {marks}").format(marks=marks))
        lines.extend(
            "      "
            + gettext("{route} failed: {detail}").format(route=gettext(r.route), detail=r.detail)
            for r in check.results
            if not r.passed
        )
        lines.append("")
    passed = sum(check.passed for check in checks)
    lines.append(
        gettext("{passed} of {total} steps pass all checks.").format(
            passed=passed, total=len(checks)
        )
    )
    return "\n".join(lines)


def models_text(models: Sequence[ModelSpec]) -> str:
    """One line per model: its name, its title and its cost."""
    names = max(width(model.key) for model in models)
    titles = max(width(model.title.get(current())) for model in models)
    return "\n".join(
        f"{ljust(model.key, names)}  {ljust(model.title.get(current()), titles)}  "
        f"J = {text(model.cost)}"
        for model in models
    )


def _heading(result: Derivation) -> str:
    model = result.model
    if isinstance(model, ModelSpec):
        cost = text(model.cost)
        return gettext("{model}: the gradient of J = {cost}, step by step").format(
            model=model.title.get(current()), cost=cost
        )
    return gettext("Gradient of J = {scale} · Σ (yᵢ − ŷᵢ)², step by step").format(
        scale=model.scale.value
    )


def _relation_line(relation: Relation, with_shape: bool) -> str:
    """A relation of a step, with its own shape when the step's relations differ in shape."""
    line = f"      {relation_text(relation.lhs, relation.op, relation.rhs)}"
    return f"{line}   [{_shape(shape_text(relation.shape))}]" if with_shape else line


def _shape(shape: tuple[str, str]) -> str:
    return gettext("scalar") if shape == ("1", "1") else f"{shape[0]}×{shape[1]}"


# --- derive example ---------------------------------------------------------------------


_HEADINGS = {  # by whether there is one feature (the catalogs have no plural forms)
    False: N_("Worked example: {m} examples, {n} features ({features}), target {target}"),
    True: N_("Worked example: {m} examples, 1 feature ({features}), target {target}"),
}


def example_text(worked: WorkedExample) -> str:
    """The worked example for a terminal: the data, the first iteration, an iteration table."""
    example, run = worked.example, worked.run
    m, n = example.size
    lines = [
        gettext(_HEADINGS[n == 1]).format(
            m=m, n=n, features=join_list(example.features), target=example.target
        ),
        "",
        f"X = {_numbers(example.X)}    y = {_numbers(tuple((v,) for v in example.y))}",
        f"α = {_numbers(example.alpha)}    β = {_numbers((example.beta,))}    "
        f"η = {_numbers(example.lr)}",
        "",
        gettext("First iteration"),
    ]
    for line in worked.first.lines:
        lines.append(f"  {relation_text(line.lhs, line.op, line.formula)}")
        lines.append(f"    = {example_text_of(line.substituted)}")
        lines.append(f"    = {example_text_of(line.value)}")
    if any(rounds(line.substituted) or rounds(line.value) for line in worked.first.lines):
        lines.append(f"  {rounding_note()}")
    lines += ["", _iterations_heading(worked), _table_row("k", "α", *_beta_names(n), "J")]
    for k in worked.table():
        values = [_decimal(run.alphas[k]), *(_decimal(b) for b in run.betas[k])]
        lines.append(_table_row(str(k), *values, _decimal(run.costs[k])))
    lines += ["", _outcome(run)]
    return "\n".join(lines)


def example_json(worked: WorkedExample) -> dict[str, Any]:
    """The worked example as one JSON object (numbers as floats)."""
    example, first, run = worked.example, worked.first, worked.run
    return {
        "X": [[float(v) for v in row] for row in example.X],
        "y": [float(v) for v in example.y],
        "alpha": float(example.alpha),
        "beta": [float(v) for v in example.beta],
        "lr": float(example.lr),
        "prediction": _floats(first["prediction"]),
        "cost": _floats(first["cost"]),
        "grad_alpha": _floats(first["grad_alpha"]),
        "grad_beta": _floats(first["grad_beta"]),
        "alpha_next": _floats(first["alpha_next"]),
        "beta_next": _floats(first["beta_next"]),
        "bound": worked.bound,
        "converged": run.converged,
        "history": [
            {
                "iteration": k,
                "alpha": float(run.alphas[k]),
                "beta": [float(b) for b in run.betas[k]],
                "cost": float(run.costs[k]),
            }
            for k in range(run.iterations + 1)
        ],
    }


def _floats(value: Any) -> Any:
    """An exact value as JSON: a number, or a flat list for a row or a column."""
    if isinstance(value, sp.MatrixBase):
        return [float(v) for v in value]
    return float(value)


def _numbers(value: Any) -> str:
    if isinstance(value, tuple):
        return example_text_of(
            sp.ImmutableMatrix([[sp.Rational(str(v)) for v in row] for row in value])
        )
    return example_text_of(sp.Rational(str(value)))


def _decimal(value: float) -> str:
    return f"{value:.6g}"


def _beta_names(n: int) -> list[str]:
    return [f"β{''.join('₀₁₂₃₄₅₆₇₈₉'[int(d)] for d in str(j + 1))}" for j in range(n)]


def _table_row(*cells: str) -> str:
    """Cells right-aligned in columns of 12, a space apart (so that none can touch)."""
    return " " + "".join(f" {rjust(cell, 12)}" for cell in cells)


def _iterations_heading(worked: WorkedExample) -> str:
    return gettext(
        "Iterations with η = {lr}; descent converges for 0 < η < 2/λmax = {bound}"
    ).format(lr=_numbers(worked.example.lr), bound=f"{worked.bound:.4g}")


def _outcome(run: Trajectory) -> str:
    return run_outcome(run.iterations, run.converged, run.diverged)


def run_outcome(k: int, converged: bool, diverged: bool, stalled: bool = False) -> str:
    """How a worked example's descent ended, after k iterations."""
    if converged:
        return gettext("converged after {k} iterations: ‖∇J‖ fell to 1e-10 of its start").format(
            k=k
        )
    if diverged:
        return gettext("diverged: the cost grew without bound after {k} iterations").format(k=k)
    if stalled:
        return gettext("stopped after {k} iterations: ‖∇J‖ no longer becomes smaller").format(k=k)
    return gettext("not converged after {k} iterations").format(k=k)


# --- derive check ---------------------------------------------------------------------


def check_text(result: CheckResult) -> str:
    """A check for a terminal: the verdict, both gradients, the message, a counterexample."""
    mark = "✓" if result.equivalent else "✗"
    lines = [f"{mark} {result.headline}"]
    yours, correct = _labels(gettext("yours"), gettext("correct"))
    if result.given_text is not None:
        lines.append(f"  {yours}{result.given_text}")
    lines.append(f"  {correct}{result.expected_text}")
    lines.extend(["", *wrap(result.message, 88)])
    example = result.counterexample
    if isinstance(example, ModelCounterexample):
        lines.extend(["", _counterexample_head(example.m, example.n)])
        lines += [f"  {name} = {_value(rows)}" for name, rows in example.values]
        lines += [f"  {yours}{_rows((example.given,))}", f"  {correct}{_rows((example.expected,))}"]
    elif example is not None:
        lines.extend(
            [
                "",
                _counterexample_head(example.m, example.n),
                f"  X = {_rows(example.X)}",
                f"  y = {_rows((example.y,))}ᵀ   α = {example.alpha}"
                f"   β = {_rows((example.beta,))}",
                f"  {yours}{_rows(example.given)}",
                f"  {correct}{_rows(example.expected)}",
            ]
        )
    return "\n".join(lines)


def _value(rows: Sequence[Sequence[object]]) -> str:
    """A number as itself, a column as a transposed row, a matrix by its rows."""
    if len(rows) == 1 and len(rows[0]) == 1:
        return str(rows[0][0])
    if all(len(row) == 1 for row in rows):
        return _rows(([row[0] for row in rows],)) + "ᵀ"
    return _rows(rows)


def _counterexample_head(m: int, n: int) -> str:
    return gettext("Counterexample (m = {m}, n = {n}):").format(m=m, n=n)


def _labels(*words: str) -> list[str]:
    """`word:` for each word, padded so that the values after them line up."""
    labels = [gettext("{label}:").format(label=word) for word in words]
    columns = max(width(label) for label in labels) + 2
    return [ljust(label, columns) for label in labels]


def _rows(rows: Sequence[Sequence[object]]) -> str:
    """[[1, 2], [3, 4]] for a matrix, [1, 2] for a single row."""
    shown = ["[" + ", ".join(str(value) for value in row) + "]" for row in rows]
    return shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"
