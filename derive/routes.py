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

import numpy as np
import sympy as sp
from sympy import MatrixExpr, Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.matcalc import (
    SCALAR,
    MatrixDerivative,
    Shape,
    is_zero_matrix,
    linear_sums,
    matrix_derivative,
    orient,
    shape_of,
)
from derive.model import Model
from derive.polymatrix import PolyEvaluator, PolyMatrix
from derive.steps import Relation

Definitions = tuple[tuple[sp.Basic, sp.Basic], ...]
NUMERIC_TOLERANCE = 1e-6


class CheckFailed(AssertionError):
    """A relation or a shape does not hold on a route."""


def _is_derivative(expr: sp.Basic) -> bool:
    return isinstance(expr, (sp.Derivative, MatrixDerivative))


def _parts(node: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """(function, variable) of a SymPy Derivative or a MatrixDerivative."""
    if isinstance(node, MatrixDerivative):
        return node.of, node.wrt
    return node.expr, node.variables[0]


def _base(variable: sp.Basic) -> sp.Basic:
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


def _require(condition: bool, message: str) -> None:
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
            _require(shape_of(self.value(relation.lhs)) == shape, "declared shape does not hold")
            return
        if relation.op == "<-":
            new = self.value(relation.rhs)
            _require(shape_of(new) == shape_of(relation.lhs), "update is not conformable")
            if relation.means is not None:
                self._equal(self.value(relation.means), new)
            return
        left, right = self.value(relation.lhs), self.value(relation.rhs)
        _require(shape_of(left) == shape_of(right) == shape, "sides differ in shape")
        self._equal(left, right)

    def value(self, expr: sp.Basic) -> sp.Basic:
        """The expression in X, y, α, β, η, with every derivative taken by SymPy."""
        if expr not in self._values:  # the same sides recur in several steps
            self._values[expr] = self._evaluate(expr)
        return self._values[expr]

    def _evaluate(self, expr: sp.Basic) -> sp.Basic:
        if _is_derivative(expr):
            expr = self._derivative(expr, as_matrix=True)
        else:
            expr = expr.replace(_is_derivative, lambda d: self._derivative(d, as_matrix=False))
        return expand(expr, self.model.definitions)

    def _derivative(self, node: sp.Basic, as_matrix: bool) -> sp.Basic:
        of, wrt = _parts(node)
        function = expand(of, self.model.definitions, keep=_base(wrt))
        by_entry = isinstance(wrt, MatrixElement)
        scalar = isinstance(node, sp.Derivative) and (by_entry or not as_matrix)
        if scalar and isinstance(function, MatrixExpr) and shape_of(function) == SCALAR:
            function = function[0, 0]
        return matrix_derivative(function, wrt)

    @staticmethod
    def _equal(left: sp.Basic, right: sp.Basic) -> None:
        if isinstance(left, MatrixExpr) and isinstance(right, MatrixExpr):
            _require(is_zero_matrix(left - right), "difference does not reduce to zero")
            return
        scalars = [
            orient(side)[0, 0] if isinstance(side, MatrixExpr) else side for side in (left, right)
        ]
        _require(linear_sums(scalars[0] - scalars[1]) == 0, "difference does not reduce to zero")


class _ConcreteRoute:
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
                return _unroll(expr.xreplace(sizes))

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
        return _at(point)

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
            _require(got == want, f"declared {_shape_text(want)}, found {_shape_text(got)}")
            return
        if relation.op == "<-":
            new = value(relation.rhs)
            old = value(relation.lhs)
            _require(self.shape(new) == self.shape(old), "update is not conformable")
            if relation.means is not None:
                self.equal(value(relation.means), new)
            else:
                self.descends(prepare(relation.lhs), new, definitions)
            return
        left, right = value(relation.lhs), value(relation.rhs)
        sides = (self.shape(left), self.shape(right))
        found = " and ".join(_shape_text(side) for side in sides)
        _require(sides == (want, want), f"claimed {_shape_text(want)}, sides are {found}")
        self.equal(left, right)

    def value(self, expr: sp.Basic, definitions: Definitions) -> Any:
        raise NotImplementedError

    def shape(self, value: Any) -> tuple[int, ...]:
        return tuple(value.shape)

    def equal(self, left: Any, right: Any) -> None:
        raise NotImplementedError

    def descends(self, parameter: sp.Basic, new: Any, definitions: Definitions) -> None:
        """Only the numeric route can see that an update lowers the cost."""


def _at(point: dict[sp.Symbol, int]) -> Callable[[sp.Basic], sp.Basic]:
    """Substitution of concrete index values."""

    def substitute_indices(expr: sp.Basic) -> sp.Basic:
        return expr.xreplace(point)

    return substitute_indices


def _unroll(expr: sp.Basic) -> sp.Basic:
    """Write sums with concrete limits out as additions, leaving derivative nodes untouched."""

    def unroll(total: Sum) -> sp.Basic:
        terms = [total.function]
        for index, low, high in total.limits:
            terms = [t.xreplace({index: k}) for t in terms for k in range(int(low), int(high) + 1)]
        return sp.Add(*terms)

    return expr.replace(lambda e: isinstance(e, Sum), unroll)


def _layout(
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


class ExplicitRoute(_ConcreteRoute):
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
        _require(left.shape == right.shape, f"shapes {left.shape} and {right.shape} differ")
        _require(left == right, "explicit matrices differ")


class NumericRoute(_ConcreteRoute):
    """Lambdified NumPy functions on random data; derivatives by central differences."""

    name = "numeric"
    eta = 0.01  # small enough for a descent step on standard-normal data of these sizes

    def __init__(
        self, model: Model, sizes: tuple[tuple[int, int], ...], seed: int = 20261124
    ) -> None:
        super().__init__(model, sizes)
        self.seed = seed
        self.data: dict[str, Any] = {}
        self.inputs: tuple[sp.Basic, ...] = ()
        self._functions: dict[tuple[tuple[sp.Basic, ...], sp.Basic], Callable[..., Any]] = {}

    def begin(self, m: int, n: int) -> None:
        rng = np.random.default_rng([self.seed, m, n])
        X, y = rng.standard_normal((m, n)), rng.standard_normal((m, 1))
        alpha, beta = rng.standard_normal(), rng.standard_normal((1, n))
        M, sizes = self.model, self.model.sizes(m, n)
        symbols = (M.X, M.y, M.alpha, M.beta, M.eta, M.u, M.i, M.j)
        self.inputs = tuple(s.xreplace(sizes) for s in symbols)
        self.data = {
            "X": X,
            "y": y,
            "alpha": np.float64(alpha),
            "beta": beta,
            "eta": np.float64(self.eta),
            "u": y - alpha - X @ beta.T,
            "i": 0,
            "j": 0,
        }

    def at(self, point: dict[sp.Symbol, int]) -> Callable[[sp.Basic], sp.Basic]:
        """Indices stay symbols in the lambdified functions; their values are arguments."""
        self.data = {**self.data, **{str(index): value for index, value in point.items()}}
        return _at({})

    def _function(self, expr: sp.Basic, extra: tuple[sp.Basic, ...] = ()) -> Callable[..., Any]:
        key = (self.inputs + extra, expr)
        if key not in self._functions:
            self._functions[key] = sp.lambdify(
                self.inputs + extra, expr, modules="numpy", docstring_limit=0
            )
        return self._functions[key]

    def _call(
        self, function: Callable[..., Any], data: dict[str, Any], extra: tuple[Any, ...] = ()
    ) -> np.ndarray:
        names = ("X", "y", "alpha", "beta", "eta", "u", "i", "j")
        return np.atleast_2d(np.asarray(function(*(data[k] for k in names), *extra), dtype=float))

    def value(self, expr: sp.Basic, definitions: Definitions) -> np.ndarray:
        if _is_derivative(expr):
            return self._derivative(expr, definitions)
        placeholders: dict[sp.Basic, Any] = {}

        def hold(node: sp.Basic) -> sp.Basic:
            result = self._derivative(node, definitions)
            if isinstance(node, sp.Derivative):
                _require(result.shape == (1, 1), "a scalar derivative came out as a matrix")
                symbol: sp.Basic = sp.Dummy("d")
                placeholders[symbol] = result[0, 0]
            else:
                symbol = sp.MatrixSymbol(f"d{len(placeholders)}", *result.shape)
                placeholders[symbol] = result
            return symbol

        held = expr.replace(_is_derivative, hold)
        concrete = _unroll(substitute(held, definitions))
        function = self._function(concrete, tuple(placeholders))
        return self._call(function, self.data, tuple(placeholders.values()))

    def _derivative(self, node: sp.Basic, definitions: Definitions) -> np.ndarray:
        of, wrt = _parts(node)
        function = self._function(_unroll(substitute(of, definitions, keep=_base(wrt))))
        at = self._call(function, self.data)
        entries = self._entries(wrt)

        def difference(fr: int, fc: int, vr: int, vc: int) -> float:
            name, where = entries[vr][vc]
            return float(self._central(function, name, where)[fr, fc])

        return np.array(_layout(at, (len(entries), len(entries[0])), difference), dtype=float)

    def _entries(self, variable: sp.Basic) -> list[list[tuple[str, tuple[int, ...]]]]:
        """Which input array and which entry each entry of the variable is."""
        if isinstance(variable, MatrixElement):
            row, column = (int(self._index(k)) for k in (variable.i, variable.j))
            return [[(variable.parent.name, (row, column))]]
        if isinstance(variable, sp.MatrixSymbol):
            rows, cols = (int(s) for s in variable.shape)
            return [[(variable.name, (r, c)) for c in range(cols)] for r in range(rows)]
        return [[(variable.name, ())]]

    def _index(self, index: sp.Basic) -> int:
        """A matrix index: a number, or the current value of the index i or j."""
        return int(self.data[str(index)]) if isinstance(index, sp.Symbol) else int(index)

    def _central(
        self, function: Callable[..., Any], name: str, where: tuple[int, ...]
    ) -> np.ndarray:
        x = np.asarray(self.data[name], dtype=float)
        step = 1e-6 * max(1.0, abs(float(x[where])))
        values = []
        for sign in (1, -1):
            moved = x.copy()
            moved[where] += sign * step
            values.append(self._call(function, {**self.data, name: moved}))
        difference: np.ndarray = (values[0] - values[1]) / (2 * step)
        return difference

    def equal(self, left: np.ndarray, right: np.ndarray) -> None:
        _require(left.shape == right.shape, f"shapes {left.shape} and {right.shape} differ")
        scale = max(float(np.max(np.abs(left))), float(np.max(np.abs(right))), 1e-12)
        error = float(np.max(np.abs(left - right))) / scale
        _require(error < NUMERIC_TOLERANCE, f"relative error {error:.2e} at random data")

    def descends(self, parameter: sp.Basic, new: np.ndarray, definitions: Definitions) -> None:
        cost = self._function(_unroll(substitute(self.model.J, definitions)))
        name = getattr(parameter, "name", "")
        moved = new.reshape(()) if name == "alpha" else new
        before = float(self._call(cost, self.data)[0, 0])
        after = float(self._call(cost, {**self.data, name: moved})[0, 0])
        _require(
            after < before,
            f"a step of η = {self.eta} raised the cost from {before:.6g} to {after:.6g}",
        )
