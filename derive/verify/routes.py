"""The three evaluation routes behind verify.py: symbolic, explicit and numeric.

Each route turns a relation's sides into values its own way. Named quantities (J, u, ŷ)
are expanded through the model's definitions, except the variable a derivative is taken
by (∂J/∂uᵢ keeps u). Derivative nodes are evaluated by the route: SymPy matrix calculus,
entry-by-entry `diff` of explicit matrices, or central finite differences.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import sympy as sp
from sympy import MatrixExpr, Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.math.matcalc import (
    SCALAR,
    MatrixDerivative,
    Shape,
    is_zero_matrix,
    linear_sums,
    matrix_derivative,
    orient,
    shape_of,
)
from derive.models.linear import Model
from derive.steps.derivation import Relation
from derive.verify.polymatrix import PolyEvaluator, PolyMatrix

Definitions = tuple[tuple[sp.Basic, sp.Basic], ...]


class CheckFailed(AssertionError):
    """A relation or a shape does not hold on a route."""


def is_derivative(expr: sp.Basic) -> bool:
    return isinstance(expr, (sp.Derivative, MatrixDerivative))


def parts(node: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """(function, variable) of a SymPy Derivative or a MatrixDerivative."""
    if isinstance(node, MatrixDerivative):
        return node.of, node.wrt
    return node.expr, node.variables[0]


def base_of(variable: sp.Basic) -> sp.Basic:
    """The symbol a variable belongs to: u for uᵢ, β for βⱼ."""
    return variable.parent if isinstance(variable, MatrixElement) else variable


def substitute(expr: sp.Basic, definitions: Definitions, keep: sp.Basic | None = None) -> sp.Basic:
    """Replace J, u and ŷ by what they stand for, all but `keep`."""
    for name, value in definitions:
        if name != keep:
            expr = expr.xreplace({name: value})
    return expr


def expand(expr: sp.Basic, definitions: Definitions, keep: sp.Basic | None = None) -> sp.Basic:
    """`substitute`, then tidy matrix sums and index compound matrices entry by entry."""
    expr = substitute(expr, definitions, keep)
    if isinstance(expr, MatrixExpr) and not expr.has(sp.Derivative, MatrixDerivative):
        expr = expr.doit()  # flattens the nested matrix sums that substitution leaves
    return expr.replace(
        lambda e: isinstance(e, MatrixElement) and not isinstance(e.parent, sp.MatrixSymbol),
        lambda e: e.parent[e.i, e.j],
    )


def require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "×".join(str(size) for size in shape)


class SymbolicRoute:
    """SymPy at symbolic sizes: matrix identities reduce to the zero matrix."""

    name = "symbolic"

    def __init__(self, model: Model) -> None:
        self.model = model
        self._values: dict[sp.Basic, sp.Basic] = {}

    def check(self, relation: Relation, shape: Shape) -> None:
        if relation.op == "in":
            require(shape_of(self.value(relation.lhs)) == shape, "declared shape does not hold")
            return
        if relation.op == "<-":
            new = self.value(relation.rhs)
            require(shape_of(new) == shape_of(relation.lhs), "update is not conformable")
            if relation.means is not None:
                self._equal(self.value(relation.means), new)
            return
        left, right = self.value(relation.lhs), self.value(relation.rhs)
        require(shape_of(left) == shape_of(right) == shape, "sides differ in shape")
        self._equal(left, right)

    def value(self, expr: sp.Basic) -> sp.Basic:
        """The expression in X, y, α, β, η, with every derivative taken by SymPy."""
        if expr not in self._values:  # the same sides recur in several steps
            self._values[expr] = self._evaluate(expr)
        return self._values[expr]

    def _evaluate(self, expr: sp.Basic) -> sp.Basic:
        if is_derivative(expr):
            expr = self._derivative(expr, as_matrix=True)
        else:
            expr = expr.replace(is_derivative, lambda d: self._derivative(d, as_matrix=False))
        return expand(expr, self.model.definitions)

    def _derivative(self, node: sp.Basic, as_matrix: bool) -> sp.Basic:
        of, wrt = parts(node)
        function = expand(of, self.model.definitions, keep=base_of(wrt))
        by_entry = isinstance(wrt, MatrixElement)
        scalar = isinstance(node, sp.Derivative) and (by_entry or not as_matrix)
        if scalar and isinstance(function, MatrixExpr) and shape_of(function) == SCALAR:
            function = function[0, 0]
        return matrix_derivative(function, wrt)

    @staticmethod
    def _equal(left: sp.Basic, right: sp.Basic) -> None:
        if isinstance(left, MatrixExpr) and isinstance(right, MatrixExpr):
            require(is_zero_matrix(left - right), "difference does not reduce to zero")
            return
        scalars = [
            orient(side)[0, 0] if isinstance(side, MatrixExpr) else side for side in (left, right)
        ]
        require(linear_sums(scalars[0] - scalars[1]) == 0, "difference does not reduce to zero")


class ConcreteRoute:
    """Shared by the explicit and numeric routes: concrete sizes, unrolled sums, index loops."""

    name = ""

    def __init__(self, model: Model, sizes: tuple[tuple[int, int], ...]) -> None:
        self.model = model
        self.sizes = sizes

    def check(self, relation: Relation, shape: Shape) -> None:
        for m, n in self.sizes:
            sizes = self.model.sizes(m, n)
            definitions = tuple(
                (k.xreplace(sizes), v.xreplace(sizes)) for k, v in self.model.definitions
            )
            want = tuple(int(s.xreplace(sizes)) for s in shape)

            def size(expr: sp.Basic, sizes: dict[sp.Symbol, int] = sizes) -> sp.Basic:
                return unroll(expr.xreplace(sizes))

            means = None if relation.means is None else size(relation.means)
            sized = Relation(size(relation.lhs), relation.op, size(relation.rhs), means)
            self.begin(m, n)
            for point in self._index_points(sized, m, n):
                self.check_at(sized, self.at(point), definitions, want)

    def _index_points(self, relation: Relation, m: int, n: int) -> Iterator[dict[sp.Symbol, int]]:
        """Every value of the free indices i (an example) and j (a feature) in a relation."""
        exprs = [e for e in (relation.lhs, relation.rhs, relation.means) if e is not None]
        found = set().union(*(e.atoms(sp.Symbol) for e in exprs))
        ranges = {self.model.i: m, self.model.j: n}
        indices = [index for index in ranges if index in found]
        for values in itertools.product(*(range(ranges[index]) for index in indices)):
            yield dict(zip(indices, values, strict=True))

    def begin(self, m: int, n: int) -> None:
        """Prepare for one concrete size (the numeric route draws its data here)."""

    def at(self, point: dict[sp.Symbol, int]) -> Callable[[sp.Basic], sp.Basic]:
        """How expressions are prepared for one value of the free indices."""
        return at_point(point)

    def check_at(
        self,
        relation: Relation,
        prepare: Callable[[sp.Basic], sp.Basic],
        definitions: Definitions,
        want: tuple[int, ...],
    ) -> None:
        def value(expr: sp.Basic) -> Any:
            return self.value(prepare(expr), definitions)

        if relation.op == "in":
            got = self.shape(value(relation.lhs))
            require(got == want, f"declared {_shape_text(want)}, found {_shape_text(got)}")
            return
        if relation.op == "<-":
            new = value(relation.rhs)
            old = value(relation.lhs)
            require(self.shape(new) == self.shape(old), "update is not conformable")
            if relation.means is not None:
                self.equal(value(relation.means), new)
            else:
                self.descends(prepare(relation.lhs), new, definitions)
            return
        left, right = value(relation.lhs), value(relation.rhs)
        sides = (self.shape(left), self.shape(right))
        found = " and ".join(_shape_text(side) for side in sides)
        require(sides == (want, want), f"claimed {_shape_text(want)}, sides are {found}")
        self.equal(left, right)

    def value(self, expr: sp.Basic, definitions: Definitions) -> Any:
        raise NotImplementedError

    def shape(self, value: Any) -> tuple[int, ...]:
        return tuple(value.shape)

    def equal(self, left: Any, right: Any) -> None:
        raise NotImplementedError

    def descends(self, parameter: sp.Basic, new: Any, definitions: Definitions) -> None:
        """Only the numeric route can see that an update lowers the cost."""


def at_point(point: dict[sp.Symbol, int]) -> Callable[[sp.Basic], sp.Basic]:
    """Substitution of concrete index values."""

    def substitute_indices(expr: sp.Basic) -> sp.Basic:
        return expr.xreplace(point)

    return substitute_indices


def unroll(expr: sp.Basic) -> sp.Basic:
    """Write sums with concrete limits out as additions, leaving derivative nodes untouched."""

    def unroll(total: Sum) -> sp.Basic:
        terms = [total.function]
        for index, low, high in total.limits:
            terms = [t.xreplace({index: k}) for t in terms for k in range(int(low), int(high) + 1)]
        return sp.Add(*terms)

    return expr.replace(lambda e: isinstance(e, Sum), unroll)


def layout(
    function: Any, variable_shape: tuple[int, int], entry: Callable[[int, int, int, int], Any]
) -> list[list[Any]]:
    """Arrange ∂fᵣ/∂vₛ in the layout of `derivative_shape` (entry(fr, fc, vr, vc))."""
    f_rows, f_cols = function.shape
    v_rows, v_cols = variable_shape
    if (f_rows, f_cols) == (1, 1):
        return [[entry(0, 0, r, c) for c in range(v_cols)] for r in range(v_rows)]
    if (v_rows, v_cols) == (1, 1):
        return [[entry(r, c, 0, 0) for c in range(f_cols)] for r in range(f_rows)]
    if f_cols == 1 and v_rows == 1:
        return [[entry(r, 0, 0, c) for c in range(v_cols)] for r in range(f_rows)]
    raise CheckFailed(f"no derivative layout for {f_rows}×{f_cols} by {v_rows}×{v_cols}")


class ExplicitRoute(ConcreteRoute):
    """Explicit matrices of exact polynomials at concrete sizes, differentiated entry by entry."""

    name = "explicit"

    def __init__(self, model: Model, sizes: tuple[tuple[int, int], ...]) -> None:
        super().__init__(model, sizes)
        self._evaluators: dict[tuple[int, int], PolyEvaluator] = {}

    def begin(self, m: int, n: int) -> None:
        if (m, n) not in self._evaluators:  # one per size, so that its cache serves all steps
            M, sizes = self.model, self.model.sizes(m, n)
            matrices = tuple(s.xreplace(sizes) for s in (M.X, M.y, M.beta, M.u, M.yhat))
            definitions = tuple((k.xreplace(sizes), v.xreplace(sizes)) for k, v in M.definitions)
            self._evaluators[(m, n)] = PolyEvaluator(matrices, (M.alpha, M.eta), definitions)
        self.evaluator = self._evaluators[(m, n)]

    def value(self, expr: sp.Basic, definitions: Definitions) -> PolyMatrix:
        return self.evaluator.evaluate(expr)

    def equal(self, left: PolyMatrix, right: PolyMatrix) -> None:
        require(left.shape == right.shape, f"shapes {left.shape} and {right.shape} differ")
        require(left == right, "explicit matrices differ")
