"""The value of a part of a hand-derived gradient while it is built, and its shape.

Shared by the stages of `derive check` that build (names.py, build.py) and judge
(check.py): a `Value` carries a SymPy object with its shape, free indices and bounds;
a `ShapeClash` reports parts whose sizes do not fit (a diagnosis, not an input error).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import sympy as sp
from sympy import MatrixExpr

from derive.core.errors import DeriveError
from derive.core.i18n import gettext

ONE = sp.Integer(1)
Shape = tuple[sp.Expr, sp.Expr]


class ShapeClash(DeriveError):
    """Parts of the expression whose sizes do not fit; `position` is where, in the text."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Value:
    """A built part: its SymPy object, shape, degree in the data and free indices.

    `indices` maps each free index letter to the size it runs over (m or n); `one` marks
    the literal 1, which transposed (1ᵀ) is the row of ones; `sums` counts the sums one
    term multiplies together once entries are written out (uᵀX is one, and y or ŷ
    bring one, Xβᵀ, when written in the error u).
    """

    expr: sp.Basic
    shape: Shape
    degree: int = 0
    indices: tuple[tuple[str, sp.Expr], ...] = ()
    one: bool = False
    sums: int = 0

    @property
    def is_matrix(self) -> bool:
        return isinstance(self.expr, MatrixExpr)


def index_symbol(letter: str) -> sp.Symbol:
    """The symbol of an index letter while it is free in the part being built."""
    return sp.Symbol(letter, integer=True)


def shape_text(shape: Shape) -> str:
    """m×n, 1×1: a shape as printed in messages."""
    return "1×1" if shape == (ONE, ONE) else f"{shape[0]}×{shape[1]}"


def a_shape(shape: Shape) -> str:
    """The shape with its article as read aloud: a 1×n, an m×1."""
    if str(shape[0]) in ("m", "n"):
        return gettext("an {shape}").format(shape=shape_text(shape))
    return gettext("a {shape}").format(shape=shape_text(shape))


def scalar(value: Value) -> Value:
    """A 1×1 matrix as a scalar (its only entry); anything else unchanged."""
    if value.is_matrix and value.shape == (ONE, ONE):
        return replace(value, expr=value.expr[0, 0])
    return value


class Indexed(Protocol):
    """Anything with free indices: a `Value`, or a product while it is folded."""

    @property
    def indices(self) -> tuple[tuple[str, sp.Expr], ...]: ...


def merge_indices(*parts: Indexed, where: int | None = None) -> tuple[tuple[str, sp.Expr], ...]:
    """The free indices of parts combined; one letter cannot run over both m and n."""
    ranges: dict[str, sp.Expr] = {}
    for part in parts:
        for letter, size in part.indices:
            if ranges.setdefault(letter, size) != size:
                both = gettext(
                    "the index {letter} runs over both the examples (1..m) and the features (1..n)"
                )
                raise ShapeClash(both.format(letter=letter), where)
    return tuple(sorted(ranges.items()))
