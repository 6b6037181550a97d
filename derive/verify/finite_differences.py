"""The numeric check route: lambdified NumPy functions on random data, central differences.

One of the three routes of verify.py (routes.py holds the other two and what they
share). Both sides of a relation become NumPy functions through `lambdify`; derivative
nodes become finite differences of the lambdified function they differentiate, with free
indices i, j passed as arguments so that one function serves every index value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.models.linear import Model
from derive.verify.routes import (
    ConcreteRoute,
    Definitions,
    at_point,
    base_of,
    is_derivative,
    layout,
    parts,
    require,
    substitute,
    unroll,
)

NUMERIC_TOLERANCE = 1e-6


class NumericRoute(ConcreteRoute):
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
        return at_point({})

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
        if is_derivative(expr):
            return self._derivative(expr, definitions)
        placeholders: dict[sp.Basic, Any] = {}

        def hold(node: sp.Basic) -> sp.Basic:
            result = self._derivative(node, definitions)
            if isinstance(node, sp.Derivative):
                require(result.shape == (1, 1), "a scalar derivative came out as a matrix")
                symbol: sp.Basic = sp.Dummy("d")
                placeholders[symbol] = result[0, 0]
            else:
                symbol = sp.MatrixSymbol(f"d{len(placeholders)}", *result.shape)
                placeholders[symbol] = result
            return symbol

        held = expr.replace(is_derivative, hold)
        concrete = unroll(substitute(held, definitions))
        function = self._function(concrete, tuple(placeholders))
        return self._call(function, self.data, tuple(placeholders.values()))

    def _derivative(self, node: sp.Basic, definitions: Definitions) -> np.ndarray:
        of, wrt = parts(node)
        function = self._function(unroll(substitute(of, definitions, keep=base_of(wrt))))
        at = self._call(function, self.data)
        entries = self._entries(wrt)

        def difference(fr: int, fc: int, vr: int, vc: int) -> float:
            name, where = entries[vr][vc]
            return float(self._central(function, name, where)[fr, fc])

        return np.array(layout(at, (len(entries), len(entries[0])), difference), dtype=float)

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
        require(left.shape == right.shape, f"shapes {left.shape} and {right.shape} differ")
        scale = max(float(np.max(np.abs(left))), float(np.max(np.abs(right))), 1e-12)
        error = float(np.max(np.abs(left - right))) / scale
        require(error < NUMERIC_TOLERANCE, f"relative error {error:.2e} at random data")

    def descends(self, parameter: sp.Basic, new: np.ndarray, definitions: Definitions) -> None:
        cost = self._function(unroll(substitute(self.model.J, definitions)))
        name = getattr(parameter, "name", "")
        moved = new.reshape(()) if name == "alpha" else new
        before = float(self._call(cost, self.data)[0, 0])
        after = float(self._call(cost, {**self.data, name: moved})[0, 0])
        require(
            after < before,
            f"a step of η = {self.eta} raised the cost from {before:.6g} to {after:.6g}",
        )
