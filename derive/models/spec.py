"""A model of the family as data: data, parameters, constants, named intermediates, cost.

Built from a description file (description.py) or a built-in one (catalog.py) and read by
the planner (steps/plan.py), the checks (verify/) and the presentation. Everything here is
a SymPy object of known shape; nothing is evaluated from user text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp
from sympy import MatrixSymbol, OneMatrix, Symbol

ROLES = ("data", "parameter", "constant")
# What values a data symbol holds, so that numeric checks sample data of the right kind.
KINDS = ("real", "binary", "counts", "positive")
LANGUAGES = ("en", "zh")


def shape_of_symbol(symbol: sp.Basic) -> tuple[sp.Expr, sp.Expr]:
    """A MatrixSymbol's shape; a Symbol is 1×1."""
    if isinstance(symbol, MatrixSymbol):
        rows, cols = symbol.shape
        return (rows, cols)
    return (sp.S.One, sp.S.One)


@dataclass(frozen=True)
class Prose:
    """A sentence or paragraph in each language (missing languages fall back to English)."""

    en: str = ""
    zh: str = ""

    def get(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en) or self.en


@dataclass(frozen=True)
class Quantity:
    """A declared symbol: data (X, y, w), a parameter (α, β) or a constant (λ)."""

    name: str  # the identifier, ASCII: "beta", "lambda", "X"
    symbol: sp.Basic  # a Symbol (1×1) or a MatrixSymbol
    role: str
    kind: str = "real"
    default: sp.Rational | None = None  # constants only
    prose: Prose = field(default_factory=Prose)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return shape_of_symbol(self.symbol)


@dataclass(frozen=True)
class Intermediate:
    """A named quantity `name = definition`, defined from earlier names only."""

    name: str
    symbol: sp.Basic  # a MatrixSymbol, or a Symbol when it is 1×1
    definition: sp.Basic  # a matrix expression of the same shape (a scalar when 1×1)
    source: str  # the text of the description, for messages and `derive models NAME`
    prose: Prose = field(default_factory=Prose)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return shape_of_symbol(self.symbol)


@dataclass(frozen=True, repr=False)
class ModelSpec:
    """One model: J = cost, a 1×1 matrix expression in the names declared before it."""

    key: str  # "logistic", or the file's stem
    title: Prose
    m: Symbol
    n: Symbol
    data: tuple[Quantity, ...]
    parameters: tuple[Quantity, ...]
    constants: tuple[Quantity, ...]
    intermediates: tuple[Intermediate, ...]
    cost: sp.Basic  # a 1×1 matrix expression
    cost_source: str
    prose: Prose = field(default_factory=Prose)  # what the cost measures
    scale: str | None = None  # "1/m" or "1/(2m)" where the model has both scales
    J: Symbol = field(default_factory=lambda: Symbol("J", real=True))
    eta: Symbol = field(default_factory=lambda: Symbol("eta", positive=True))
    i: Symbol = field(default_factory=lambda: Symbol("i", integer=True, nonnegative=True))
    j: Symbol = field(default_factory=lambda: Symbol("j", integer=True, nonnegative=True))
    text: str = field(default="", compare=False)  # the description as written, if read

    def __repr__(self) -> str:
        return f"ModelSpec({self.key!r})"

    @cached_property
    def ones(self) -> OneMatrix:
        """𝟏, the m×1 ones vector."""
        return OneMatrix(self.m, 1)

    @cached_property
    def declared(self) -> tuple[Quantity, ...]:
        return self.data + self.parameters + self.constants

    @cached_property
    def definitions(self) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
        """Named quantities and what they stand for, outermost (J) first; expanding them
        in this order leaves only declared symbols."""
        named = tuple((item.symbol, item.definition) for item in reversed(self.intermediates))
        return ((self.J, self.cost), *named)

    def symbol(self, name: str) -> sp.Basic:
        """The symbol of a declared name or an intermediate; KeyError otherwise."""
        for quantity in self.declared:
            if quantity.name == name:
                return quantity.symbol
        for intermediate in self.intermediates:
            if intermediate.name == name:
                return intermediate.symbol
        raise KeyError(name)

    def sizes(self, m: int, n: int) -> dict[Symbol, int]:
        """A substitution that fixes the symbolic sizes."""
        return {self.m: m, self.n: n}
