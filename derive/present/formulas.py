"""A displayed relation as the handouts and slides show it: LaTeX sides and a plain reading.

Used by handout.py (the steps) and example_view.py (the worked example's lines), so that
both print relations one way, through math/printing.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.math.printing import relation_parts, relation_text
from derive.steps.derivation import Relation


@dataclass(frozen=True)
class Formula:
    """One displayed relation: its sides and sign as LaTeX, and its plain Unicode reading."""

    lhs: str
    op: str
    rhs: str
    text: str

    @property
    def latex(self) -> str:
        return f"{self.lhs} {self.op} {self.rhs}"


def formula(relation: Relation) -> Formula:
    r = relation
    return Formula(*relation_parts(r.lhs, r.op, r.rhs), relation_text(r.lhs, r.op, r.rhs))
