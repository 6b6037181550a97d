"""A derivation as data: relations, steps, and the derivation that holds them in order.

A step holds SymPy relations, a shape computed from SymPy objects and its prose; it is
made by article.py (the 19 steps) and read by every later package (verify, numeric, grade,
present, render), none of which changes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.sets import MatrixSet

from derive.math.matcalc import Shape, shape_of
from derive.math.printing import latex, relation_parts
from derive.models.linear import Model
from derive.models.spec import ModelSpec, Prose

OPERATORS = ("=", "<-", "in")


@dataclass(frozen=True)
class Relation:
    """`lhs op rhs` with op "=" (identity), "<-" (update) or "in" (declaration of a shape).

    `means` is what an update's right-hand side must equal when it is a consequence of an
    earlier rule (steps 18 and 19 against the rule of step 7); None for the rule itself.
    """

    lhs: sp.Basic
    op: str
    rhs: sp.Basic
    means: sp.Basic | None = None

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown relation operator {self.op!r}")

    @property
    def shape(self) -> Shape:
        """Shape of what the relation states, computed from the SymPy objects."""
        if self.op == "in":
            return (
                tuple(self.rhs.shape) if isinstance(self.rhs, MatrixSet) else (sp.S.One, sp.S.One)
            )
        return shape_of(self.lhs if self.op == "<-" else self.rhs)


@dataclass(frozen=True)
class Step:
    """One step: its number, a stable key, a title, the relations it states, its shape.

    `heading` and `note_template` are prose with `{alpha}`-style placeholders (see
    notation.py); `title` and `shape_note` are the same filled in as Unicode text.
    `source_shape` is the shape note of the source article; where it differs from the
    computed `shape`, the note says why.
    """

    number: int
    key: str
    heading: str
    title: str
    relations: tuple[Relation, ...]
    shape: Shape
    source_shape: Shape
    note_template: str | None = None
    shape_note: str | None = None
    # Steps of a planned model (plan.py) carry their own prose: msgids joined in order,
    # whose `{slot}` placeholders name the model's symbols through `slots` (slot -> name),
    # and the description's own sentence about the step, shown as plain text.
    explanation: tuple[str, ...] = ()
    slots: tuple[tuple[str, str], ...] = ()
    prose: Prose | None = None

    @property
    def mixed_shapes(self) -> bool:
        """Whether the step's relations state things of different shapes (a matrix and
        its entry, say), so that each shape is shown beside its relation."""
        return len({relation.shape for relation in self.relations}) > 1

    def _repr_latex_(self) -> str:
        """The step's relations, aligned, for Jupyter and other LaTeX-aware displays."""
        rows = [
            " & ".join(relation_parts(r.lhs, r.op, r.rhs)[:2]) + " " + latex(r.rhs)
            for r in self.relations
        ]
        return "$$\\begin{aligned} " + " \\\\ ".join(rows) + " \\end{aligned}$$"


@dataclass(frozen=True)
class Derivation:
    """The model and its steps, in order: the article's 19, or a planned model's."""

    model: Model | ModelSpec
    steps: tuple[Step, ...]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    view: Callable[[Derivation], str] | None = field(default=None, compare=False, repr=False)

    def _repr_html_(self) -> str | None:
        """The steps with their explanations and formulas, for Jupyter: the `view` that
        the public `derive.derivation()` gives (rendering sits downstream of the steps)."""
        return None if self.view is None else self.view(self)

    @property
    def linear(self) -> Model:
        """The article's linear model, for the tools that take only it so far (the worked
        example); a TypeError for a planned model."""
        if not isinstance(self.model, Model):
            raise TypeError(f"the model {self.model.key} is not the article's linear model")
        return self.model

    def __getitem__(self, key: int | str) -> Step:
        """A step by its number or by its key."""
        for step in self.steps:
            if key in (step.number, step.key):
                return step
        raise KeyError(key)
