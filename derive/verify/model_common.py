"""What the relations of any model of the family mean, for the three checks of model_routes.py.

Part of verify (fifth layer). A name (J, z, p, μ) stands for its definition in the model,
except the variable a derivative is taken by and the names it holds fixed, which stay
independent variables. This module says which names, how derivatives are laid out and
what every update must equal; it holds no calculus (each route differentiates its own way).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import sympy as sp
from sympy import MatrixExpr
from sympy.matrices.exceptions import ShapeError
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.entrywise import HeldDerivative
from derive.math.matcalc import MatrixDerivative
from derive.models.spec import ModelSpec
from derive.steps.derivation import Relation
from derive.verify.routes import CheckFailed, require, unroll

Size = tuple[Any, Any]
Entry = tuple[Any, Any]


class Route(Protocol):
    """One way of evaluating a model's expressions and comparing them (as step_checks.Route)."""

    name: str

    def check(self, relation: Relation, shape: tuple[Any, Any]) -> None:
        """Raise `CheckFailed` (or any error) when the relation or its shape does not hold."""


@dataclass(frozen=True)
class DerivativeNode:
    """∂of/∂wrt with the names in `held` kept fixed (none for a plain derivative)."""

    of: sp.Basic
    wrt: sp.Basic
    held: tuple[sp.Basic, ...] = ()

    @property
    def base(self) -> sp.Basic:
        """The symbol the variable belongs to: z for zᵢ, β for βⱼ, α for α."""
        return self.wrt.parent if isinstance(self.wrt, MatrixElement) else self.wrt

    @property
    def kept(self) -> frozenset[sp.Basic]:
        """The names that stay independent variables while differentiating."""
        return frozenset((self.base, *self.held))


def is_derivative(expr: sp.Basic) -> bool:
    return isinstance(expr, (sp.Derivative, MatrixDerivative, HeldDerivative))


def derivative_node(expr: sp.Basic) -> DerivativeNode:
    """The parts of a Derivative, a MatrixDerivative or a HeldDerivative."""
    if isinstance(expr, HeldDerivative):
        return DerivativeNode(expr.of, expr.wrt, expr.held)
    if isinstance(expr, MatrixDerivative):
        return DerivativeNode(expr.of, expr.wrt)
    (variable, count), *others = expr.variable_count
    require(count == 1 and not others, "only first derivatives by one variable are checked")
    return DerivativeNode(expr.expr, variable)


def layout(of: Size, wrt: Size) -> str:
    """How ∂f/∂v is laid out: "gradient" (f is 1×1: v's shape), "by-scalar" (v is 1×1:
    f's shape) or "jacobian" (an m×1 column by a 1×n row: m×n)."""
    if (of[0], of[1]) == (1, 1):
        return "gradient"
    if (wrt[0], wrt[1]) == (1, 1):
        return "by-scalar"
    if of[1] == 1 and wrt[0] == 1:
        return "jacobian"
    raise CheckFailed(f"no derivative layout for a {of[0]}×{of[1]} by a {wrt[0]}×{wrt[1]}")


def layout_shape(kind: str, of: Size, wrt: Size) -> Size:
    return {"gradient": wrt, "by-scalar": of, "jacobian": (of[0], wrt[1])}[kind]


def layout_entries(kind: str, row: Any, col: Any) -> tuple[Entry, Entry]:
    """Which entry of f and which entry of v make entry (row, col) of ∂f/∂v."""
    if kind == "gradient":
        return (0, 0), (row, col)
    if kind == "by-scalar":
        return (row, col), (0, 0)
    return (row, 0), (0, col)


def update_reference(spec: ModelSpec, parameter: sp.Basic) -> sp.Basic:
    """θ − η ∂J/∂θ: what gradient descent moves a parameter to, by definition."""
    if isinstance(parameter, MatrixExpr):
        return sp.MatAdd(parameter, -spec.eta * MatrixDerivative(spec.J, parameter))
    return parameter - spec.eta * sp.Derivative(spec.J, parameter, evaluate=False)


class Names:
    """The model's named quantities and what they stand for, at symbolic or fixed sizes."""

    def __init__(self, spec: ModelSpec, sizes: dict[sp.Symbol, int] | None = None) -> None:
        fix = sizes or {}
        self.spec = spec
        self.order = tuple((k.xreplace(fix), v.xreplace(fix)) for k, v in spec.definitions)
        self.definitions = dict(self.order)
        self.declared = tuple(q.symbol.xreplace(fix) for q in spec.declared)
        self.intermediates = tuple(item.symbol.xreplace(fix) for item in spec.intermediates)
        self._expanded: dict[tuple[sp.Basic, frozenset[sp.Basic]], sp.Basic] = {}

    def is_name(self, symbol: sp.Basic) -> bool:
        return symbol in self.definitions

    def expand(self, expr: sp.Basic, keep: frozenset[sp.Basic] = frozenset()) -> sp.Basic:
        """Every name replaced by its definition, J first, except the names in `keep`."""
        key = (expr, keep)
        if key not in self._expanded:
            for name, value in self.order:
                if name not in keep:
                    expr = expr.xreplace({name: value})
            self._expanded[key] = expr
        return self._expanded[key]


def sized(spec: ModelSpec, expr: sp.Basic, m: int, n: int) -> sp.Basic:
    """The expression at fixed sizes, with its sums written out as additions."""
    return unroll(expr.xreplace(spec.sizes(m, n)))


def sized_relation(spec: ModelSpec, relation: Relation, m: int, n: int) -> Relation:
    means = None if relation.means is None else sized(spec, relation.means, m, n)
    return Relation(
        sized(spec, relation.lhs, m, n), relation.op, sized(spec, relation.rhs, m, n), means
    )


def index_points(spec: ModelSpec, relation: Relation, m: int, n: int) -> Iterator[dict[Any, int]]:
    """Every value of the free indices i (an example, < m) and j (a feature, < n)."""
    exprs = [e for e in (relation.lhs, relation.rhs, relation.means) if e is not None]
    free = set().union(*(e.atoms(sp.Symbol) for e in exprs))  # no sums are left
    ranges = {spec.i: m, spec.j: n}
    indices = [index for index in ranges if index in free]
    for values in itertools.product(*(range(ranges[index]) for index in indices)):
        yield dict(zip(indices, values, strict=True))


def shape_text(shape: tuple[Any, ...]) -> str:
    return "×".join(str(size) for size in shape)


class ConcreteModelRoute:
    """Shared by the explicit and numeric routes: fixed sizes, sums written out, and every
    value of the free indices i and j; the subclass says what a value is and when two agree."""

    name = ""

    def __init__(self, spec: ModelSpec, sizes: tuple[tuple[int, int], ...]) -> None:
        self.spec = spec
        self.sizes = sizes

    def check(self, relation: Relation, shape: tuple[Any, Any]) -> None:
        for m, n in self.sizes:
            fixed = self.spec.sizes(m, n)
            want = tuple(int(sp.sympify(size).xreplace(fixed)) for size in shape)
            try:
                at_size = sized_relation(self.spec, relation, m, n)
            except ShapeError as error:
                raise CheckFailed(f"not conformable at m = {m}, n = {n}: {error}") from error
            self.begin(m, n)
            for point in index_points(self.spec, at_size, m, n):
                self.check_at(self.at(at_size, point), want)

    def check_at(self, relation: Relation, want: tuple[int, ...]) -> None:
        found = self.shape(self.value(relation.lhs))
        if relation.op == "in":
            require(found == want, f"declared {shape_text(want)}, found {shape_text(found)}")
            return
        new = self.value(relation.rhs)
        other = self.shape(new)
        require(
            found == other == want,
            f"claimed {shape_text(want)}, sides are {shape_text(found)} and {shape_text(other)}",
        )
        if relation.op == "=":
            self.equal(self.value(relation.lhs), new)
            return
        self.equal(self.value(update_reference(self.spec, relation.lhs)), new)
        if relation.means is not None:
            self.equal(self.value(relation.means), new)
        self.descends(relation.lhs, new)

    def at(self, relation: Relation, point: dict[Any, int]) -> Relation:
        """The relation at one value of the free indices."""
        means = None if relation.means is None else relation.means.xreplace(point)
        lhs, rhs = relation.lhs.xreplace(point), relation.rhs.xreplace(point)
        return Relation(lhs, relation.op, rhs, means)

    def begin(self, m: int, n: int) -> None:
        """Prepare for one size (the explicit route makes its symbols, the numeric its data)."""

    def value(self, expr: sp.Basic) -> Any:
        raise NotImplementedError

    def shape(self, value: Any) -> tuple[int, ...]:
        return tuple(int(size) for size in value.shape)

    def equal(self, left: Any, right: Any) -> None:
        raise NotImplementedError

    def descends(self, parameter: sp.Basic, new: Any) -> None:
        """Only the numeric route can see that an update lowers the cost."""
