"""What `derive steps` prints: the steps as terminal text or as JSON records.

Presentation for the command line (cli.py stays thin): it receives the steps and their
check results and formats them with the Unicode text printer, in the current language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from derive.i18n import gettext
from derive.printing import relation_latex, relation_text, shape_text
from derive.steps import Derivation
from derive.verify import StepCheck


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
    scale = result.model.scale.value
    lines = [
        gettext("Gradient of J = {scale} · Σ (yᵢ − ŷᵢ)², step by step").format(scale=scale),
        "",
    ]
    for step, check in zip(result, checks, strict=True):
        lines.append(f"{step.number:>2}. {step.title}   [{_shape(shape_text(step.shape))}]")
        lines.extend(f"      {relation_text(r.lhs, r.op, r.rhs)}" for r in step.relations)
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


def _shape(shape: tuple[str, str]) -> str:
    return gettext("scalar") if shape == ("1", "1") else f"{shape[0]}×{shape[1]}"
