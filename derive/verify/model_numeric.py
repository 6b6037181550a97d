"""The numeric check of a model's steps: lambdified NumPy on random data, central differences.

One of the three routes of model_routes.py. Expressions become NumPy functions through
`lambdify` (with a printer for ∘, f(A), ‖v‖² that refuses to broadcast mismatched shapes);
data are drawn per `Quantity.kind` from a fixed seed, parameters small so that nothing
saturates, constants at their defaults; a derivative is a central difference in each entry
of its variable, with kept names passed in as independent inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from sympy import MatrixExpr, MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.numpy import NumPyPrinter

from derive.models.spec import ModelSpec, Quantity
from derive.verify.model_common import (
    ConcreteModelRoute,
    Names,
    derivative_node,
    is_derivative,
    layout,
    layout_entries,
    layout_shape,
)
from derive.verify.routes import require

NUMERIC_TOLERANCE = 1e-6  # |left − right| ≤ tolerance · max(|left|, |right|, NUMERIC_FLOOR)
NUMERIC_FLOOR = 1e-3
NUMERIC_STEP = 1e-5  # central differences move an entry x by ±step · max(1, |x|)
NUMERIC_ETA = 1e-2  # the learning rate of an update, small enough to lower the cost
PARAMETER_RANGE = (-0.5, 0.5)  # parameters drawn here: sigmoid and exp stay far from flat
SEED = 20261124


def _same_shapes(*arrays: Any) -> None:
    shapes = {np.shape(a) for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"shapes {' and '.join(str(s) for s in sorted(shapes))} differ")


def _add(*arrays: Any) -> Any:
    _same_shapes(*arrays)
    return sum(arrays[1:], arrays[0])


def _hadamard(*arrays: Any) -> Any:
    _same_shapes(*arrays)
    result = arrays[0]
    for array in arrays[1:]:
        result = result * array
    return result


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


HELPERS: dict[str, Callable[..., Any]] = {
    "_add": _add,
    "_hadamard": _hadamard,
    "_power": np.power,
    "_squared_norm": lambda v: np.array([[float(np.sum(np.square(v)))]]),
    "_as_matrix": lambda value: np.reshape(np.asarray(value, dtype=float), (1, 1)),
    "_exp": np.exp,
    "_log": np.log,
    "_tanh": np.tanh,
    "_sigmoid": _sigmoid,
    "_softplus": lambda x: np.logaddexp(0, x),
    "_square": np.square,
}


class StrictPrinter(NumPyPrinter):
    """NumPy code for the family's matrix nodes; sums and entrywise products of matrices
    check that the shapes agree instead of broadcasting."""

    def _call(self, name: str, *args: sp.Basic) -> str:
        return f"{name}({', '.join(self._print(arg) for arg in args)})"

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        return self._call("_add", *expr.args)

    def _print_HadamardProduct(self, expr: MatrixExpr) -> str:
        return self._call("_hadamard", *expr.args)

    def _print_HadamardPower(self, expr: MatrixExpr) -> str:
        return self._call("_power", expr.base, expr.exp)

    def _print_Entrywise(self, expr: MatrixExpr) -> str:
        return self._call(f"_{expr.name}", expr.arg)

    def _print_Sigmoid(self, expr: sp.Expr) -> str:
        return self._call("_sigmoid", *expr.args)

    def _print_Softplus(self, expr: sp.Expr) -> str:
        return self._call("_softplus", *expr.args)

    def _print_SquaredNorm(self, expr: MatrixExpr) -> str:
        return self._call("_squared_norm", expr.arg)

    def _print_AsMatrix(self, expr: MatrixExpr) -> str:
        return self._call("_as_matrix", expr.value)


def sample(quantity: Quantity, shape: tuple[int, int], rng: np.random.Generator) -> Any:
    """Random values of the quantity's kind (a parameter small; a constant its default)."""
    if quantity.role == "constant":
        return np.float64(quantity.default if quantity.default is not None else 1)
    if quantity.role == "parameter":
        values = rng.uniform(*PARAMETER_RANGE, size=shape)
    elif quantity.kind == "binary":
        values = rng.integers(0, 2, size=shape).astype(float)
    elif quantity.kind == "counts":
        values = rng.integers(0, 5, size=shape).astype(float)
    elif quantity.kind == "positive":
        values = rng.uniform(0.5, 2.0, size=shape)
    else:
        values = rng.standard_normal(shape)
    return values if isinstance(quantity.symbol, MatrixSymbol) else np.float64(values[0, 0])


class NumericModelRoute(ConcreteModelRoute):
    """Lambdified NumPy on seeded random data; derivatives by central differences."""

    name = "numeric"

    def __init__(
        self, spec: ModelSpec, sizes: tuple[tuple[int, int], ...], seed: int = SEED
    ) -> None:
        super().__init__(spec, sizes)
        self.seed = seed
        self.data: dict[sp.Basic, Any] = {}
        self.inputs: tuple[sp.Basic, ...] = ()
        self._functions: dict[tuple[tuple[sp.Basic, ...], sp.Basic], Callable[..., Any]] = {}
        self._sizes: dict[tuple[int, int], tuple[Names, tuple[sp.Basic, ...], dict[Any, Any]]] = {}

    def begin(self, m: int, n: int) -> None:
        """Draw the data of one size (once: every relation sees the same data)."""
        if (m, n) in self._sizes:
            self.names, self.inputs, data = self._sizes[(m, n)]
            self.data = dict(data)
            return
        rng = np.random.default_rng([self.seed, m, n])
        self.names = Names(self.spec, self.spec.sizes(m, n))
        declared = dict(zip(self.names.declared, self.spec.declared, strict=True))
        self.data = {
            symbol: sample(quantity, (_rows(symbol), _cols(symbol)), rng)
            for symbol, quantity in declared.items()
        }
        self.data |= {self.spec.eta: np.float64(NUMERIC_ETA), self.spec.i: 0, self.spec.j: 0}
        self.inputs = (*self.data, *self.names.intermediates)
        for name in self.names.intermediates:  # every name's value, for derivatives by it
            self.data[name] = 0.0
        for name in self.names.intermediates:
            value = self.value(name)
            self.data[name] = value if isinstance(name, MatrixSymbol) else float(value[0, 0])
        self._sizes[(m, n)] = (self.names, self.inputs, dict(self.data))

    def at(self, relation: Any, point: dict[Any, int]) -> Any:
        """The indices stay symbols in the NumPy functions; their values are data."""
        self.data |= point
        return relation

    def _function(self, expr: sp.Basic, extra: tuple[sp.Basic, ...] = ()) -> Callable[..., Any]:
        key = (self.inputs + extra, expr)
        if key not in self._functions:
            self._functions[key] = sp.lambdify(
                self.inputs + extra,
                expr,
                modules=[HELPERS, "numpy"],
                printer=StrictPrinter,
                docstring_limit=0,
            )
        return self._functions[key]

    def _call(
        self, function: Callable[..., Any], data: dict[sp.Basic, Any], extra: tuple[Any, ...] = ()
    ) -> np.ndarray:
        value = function(*(data[symbol] for symbol in self.inputs), *extra)
        return np.atleast_2d(np.asarray(value, dtype=float))

    def value(self, expr: sp.Basic) -> np.ndarray:
        if is_derivative(expr):
            return self._derivative(expr)
        placeholders: dict[sp.Basic, Any] = {}

        def hold(node: sp.Basic) -> sp.Basic:
            result = self._derivative(node)
            if isinstance(node, MatrixExpr):
                symbol: sp.Basic = MatrixSymbol(f"_d{len(placeholders)}", *result.shape)
                placeholders[symbol] = result
            else:
                require(result.shape == (1, 1), "a scalar derivative came out as a matrix")
                symbol = sp.Dummy("d")
                placeholders[symbol] = result[0, 0]
            return symbol

        held = self.names.expand(expr.replace(is_derivative, hold))
        function = self._function(held, tuple(placeholders))
        return self._call(function, self.data, tuple(placeholders.values()))

    def _derivative(self, expr: sp.Basic) -> np.ndarray:
        node = derivative_node(expr)
        function = self._function(self.names.expand(node.of, node.kept))
        at = self._call(function, self.data)
        variable, entries = self._entries(node.wrt)
        kind = layout(at.shape, entries.shape[:2])
        rows, cols = layout_shape(kind, at.shape, entries.shape[:2])
        result = np.empty((rows, cols))
        for row in range(rows):
            for col in range(cols):
                (f_row, f_col), (v_row, v_col) = layout_entries(kind, row, col)
                where = tuple(entries[v_row, v_col])
                result[row, col] = self._central(function, variable, where)[f_row, f_col]
        return result

    def _entries(self, wrt: sp.Basic) -> tuple[sp.Basic, np.ndarray]:
        """The input a variable belongs to, and the position of each of its entries there."""
        if isinstance(wrt, MatrixElement):
            row, col = (int(self.data.get(k, k)) for k in (wrt.i, wrt.j))
            return wrt.parent, np.array([[(row, col)]])
        if isinstance(wrt, MatrixSymbol):
            rows, cols = _rows(wrt), _cols(wrt)
            return wrt, np.array([[(r, c) for c in range(cols)] for r in range(rows)])
        require(wrt in self.data, "the variable of a derivative must be a symbol or its entry")
        return wrt, np.empty((1, 1, 0), dtype=int)

    def _central(
        self, function: Callable[..., Any], variable: sp.Basic, where: tuple[int, ...]
    ) -> np.ndarray:
        x = np.asarray(self.data[variable], dtype=float)
        step = NUMERIC_STEP * max(1.0, abs(float(x[where])))
        values = []
        for sign in (1, -1):
            moved = x.copy()
            moved[where] += sign * step
            value = moved if moved.ndim else np.float64(moved)
            values.append(self._call(function, {**self.data, variable: value}))
        difference: np.ndarray = (values[0] - values[1]) / (2 * step)
        return difference

    def equal(self, left: np.ndarray, right: np.ndarray) -> None:
        require(left.shape == right.shape, f"shapes {left.shape} and {right.shape} differ")
        scale = max(float(np.max(np.abs(left))), float(np.max(np.abs(right))), NUMERIC_FLOOR)
        error = float(np.max(np.abs(left - right))) / scale
        require(error <= NUMERIC_TOLERANCE, f"relative error {error:.2e} at random data")

    def descends(self, parameter: sp.Basic, new: np.ndarray) -> None:
        cost = self._function(self.names.expand(self.spec.J))
        moved = new if isinstance(parameter, MatrixSymbol) else np.float64(new[0, 0])
        before = float(self._call(cost, self.data)[0, 0])
        after = float(self._call(cost, {**self.data, parameter: moved})[0, 0])
        require(
            after < before,
            f"a step of η = {NUMERIC_ETA} raised the cost from {before:.6g} to {after:.6g}",
        )


def _rows(symbol: sp.Basic) -> int:
    return int(symbol.shape[0]) if isinstance(symbol, MatrixSymbol) else 1


def _cols(symbol: sp.Basic) -> int:
    return int(symbol.shape[1]) if isinstance(symbol, MatrixSymbol) else 1
