"""A model's generated code bound to data: the checks of the data, the flat vector θ of
the parameters, and J(θ), ∇J(θ).

Numeric stage, under model_fit.py (the descent) and the worked example: the features X
and the target y fill the model's m×n and m×1 data, any other data it declares (a weight
column w) come by name, constants take their defaults unless given, and the parameters
(α, β, or b and a column w) are laid end to end in one vector for the descent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.models.spec import ModelSpec, Quantity
from derive.numeric.arrays import Array
from derive.numeric.data_source import Rows
from derive.numeric.model_code import ModelCode, model_code


@dataclass(frozen=True)
class Slot:
    """Where one parameter sits in the flat vector θ the descent steps on."""

    quantity: Quantity
    shape: tuple[int, int]
    start: int

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def value(self, theta: Array) -> float | Array:
        part = theta[self.start : self.start + self.size]
        return part.reshape(self.shape) if self.matrix else float(part[0])

    @property
    def matrix(self) -> bool:
        """Whether the parameter is a matrix (a 1×n row is one even for n = 1)."""
        return isinstance(self.quantity.symbol, sp.MatrixSymbol)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Problem:
    """A model's generated code bound to data: J(θ) and ∇J(θ) for the flat vector θ."""

    code: ModelCode
    values: tuple[object, ...]  # the data in the order of the code's arguments
    constants: tuple[float, ...]
    slots: tuple[Slot, ...]
    m: int

    @property
    def size(self) -> int:
        return sum(slot.size for slot in self.slots)

    def arguments(self, theta: Array) -> list[object]:
        return [
            *self.values,
            *(slot.value(theta) for slot in self.slots),
            *self.constants,
            self.m,
        ]

    def evaluate(self, theta: Array) -> tuple[float, Array]:
        cost, *gradients = self.code.cost_and_gradients(*self.arguments(theta))
        return float(cost), np.concatenate([np.ravel(g) for g in gradients])

    def cost(self, theta: Array) -> float:
        return float(self.code.cost(*self.arguments(theta))[0])


def check_target(spec: ModelSpec, y: Array, rows: Rows | None = None) -> None:
    """Refuse a target the model cannot take, naming the first bad row (from 1, or its
    number in `rows`: a file's data rows, where some were dropped)."""
    check_kind(spec, target_quantity(spec), y, rows)


def check_kind(
    spec: ModelSpec, quantity: Quantity, values: Array, rows: Rows | None = None
) -> None:
    """Refuse data of another kind than the model declares for them (labels 0 or 1,
    counts, positive numbers), naming the first bad row (from 1, or its number in
    `rows`)."""
    flat = np.ravel(values)
    if quantity.kind == "binary":
        bad = np.flatnonzero((flat != 0) & (flat != 1))
        need = gettext("labels 0 or 1")
    elif quantity.kind == "counts":
        bad = np.flatnonzero((flat < 0) | (flat != np.floor(flat)))
        need = gettext("counts: whole numbers 0, 1, 2, …")
    elif quantity.kind == "positive":
        bad = np.flatnonzero(flat <= 0)
        need = gettext("positive numbers")
    else:
        return
    if not len(bad):
        return
    row = int(bad[0]) + 1 if rows is None else int(rows[bad[0]])
    facts = {"model": spec.key, "need": need, "row": row, "value": f"{flat[bad[0]]:g}"}
    if quantity.name == target_quantity(spec).name:
        sentence = gettext("{model} needs {need} as its target; row {row} has {value}")
    else:
        sentence = gettext("{model} needs {need} as its data {name}; row {row} has {value}")
    raise InputError(sentence.format(name=quantity.name, **facts))


def features_quantity(spec: ModelSpec) -> Quantity:
    """The m×n data of the model (X)."""
    for quantity in spec.data:
        if quantity.shape == (spec.m, spec.n):
            return quantity
    raise InputError(gettext("{model} declares no m×n data to fit").format(model=spec.key))


def target_quantity(spec: ModelSpec) -> Quantity:
    """The m×1 data the model predicts: the one named y, else the first m×1 data."""
    columns = [q for q in spec.data if q.shape == (spec.m, 1)]
    named = [q for q in columns if q.name == "y"]
    if not columns:
        raise InputError(gettext("{model} declares no m×1 target to fit").format(model=spec.key))
    return (named or columns)[0]


def other_data(spec: ModelSpec) -> tuple[Quantity, ...]:
    """The data besides X and the target (a weight column w), read from columns of their
    own names."""
    taken = {features_quantity(spec).name, target_quantity(spec).name}
    return tuple(q for q in spec.data if q.name not in taken)


def bind(
    spec: ModelSpec,
    X: Array,
    y: Array,
    data: Mapping[str, ArrayLike],
    constants: Mapping[str, float],
) -> Problem:
    """The model's code with its data, constants and the layout of its parameters."""
    m, n = X.shape
    sizes = {spec.m: m, spec.n: n}
    values: list[object] = []
    for quantity in spec.data:
        if quantity.name == features_quantity(spec).name:
            values.append(X)
        elif quantity.name == target_quantity(spec).name:
            values.append(y)
        elif quantity.name in data:
            values.append(_column(spec, quantity, data[quantity.name], m))
        else:
            raise InputError(
                gettext("{model} needs the data {name}: give a column of that name").format(
                    model=spec.key, name=quantity.name
                )
            )
    unknown = sorted(set(constants) - {q.name for q in spec.constants})
    if unknown:
        raise InputError(
            gettext("{model} has no constant {name}").format(model=spec.key, name=unknown[0])
        )
    chosen = tuple(
        float(constants.get(q.name, q.default if q.default is not None else math.nan))
        for q in spec.constants
    )
    slots, start = [], 0
    for quantity in spec.parameters:
        rows, cols = (int(sp.sympify(s).subs(sizes)) for s in quantity.shape)
        slots.append(Slot(quantity, (rows, cols), start))
        start += rows * cols
    return Problem(model_code(spec), tuple(values), chosen, tuple(slots), m)


def _column(spec: ModelSpec, quantity: Quantity, values: ArrayLike, m: int) -> Array:
    column = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    if column.shape[0] != m or not np.isfinite(column).all():
        raise InputError(
            gettext("the data {name} must be {m} finite numbers").format(name=quantity.name, m=m)
        )
    check_kind(spec, quantity, column)
    return column


def prediction_quantity(spec: ModelSpec) -> sp.Basic | None:
    """What the model predicts for each example: the last m×1 intermediate that does not
    involve the target (ŷ, p = σ(z), μ = exp(z)); None where there is none."""
    target = target_quantity(spec).symbol
    expanded: dict[sp.Basic, sp.Basic] = {}
    found = None
    for item in spec.intermediates:
        value = item.definition.xreplace(expanded)
        expanded[item.symbol] = value
        if item.shape == (spec.m, 1) and not value.has(target):
            found = item.symbol
    return found


def parameter_vector(problem: Problem, values: Mapping[str, float | Array]) -> Array:
    """θ of parameters given by name (a fit's), laid out as the problem's slots."""
    parts = [
        np.ravel(np.asarray(values[slot.quantity.name], dtype=np.float64)) for slot in problem.slots
    ]
    return np.concatenate(parts) if parts else np.zeros(0)
