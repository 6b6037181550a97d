"""A model's worked example as data: its numbers and start, from its description or a CSV file.

Numeric stage, under model_example.py. A built-in model carries its example in an
`[example]` table of its description (derive/models/builtin/*.toml), and so may a user's
description; a teacher's CSV file is read as the mse example reads one
(worked_example.load_example: the same limits and messages). The numbers are kept exact,
as written (0.1 is 1/10). Here too: the example as the arrays the generated code takes,
and a learning rate simple enough to use by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import sympy as sp

from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list
from derive.models.catalog import BUILTIN
from derive.models.description import read_toml
from derive.models.expressions import located
from derive.models.spec import ModelSpec, Quantity
from derive.numeric.arrays import Array
from derive.numeric.conditioning import check_arrays
from derive.numeric.model_example_descent import bound_of
from derive.numeric.model_policy import acceptable
from derive.numeric.model_problem import (
    Problem,
    bind,
    check_target,
    features_quantity,
    other_data,
    target_quantity,
)
from derive.numeric.worked_example import MAX_FEATURES, MAX_ROWS, load_example

START_WEIGHT = Fraction(1, 10)  # a teacher's file: each weight starts here, a 1×1 parameter at 0


@dataclass(frozen=True)
class ModelExample:
    """Data and starting point of a model's worked example, as exact fractions.

    `start` gives each parameter's entries row by row (one for a 1×1 parameter), in the
    order the model declares them; `data` any other data column (a weight w) by name.
    """

    X: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    start: tuple[tuple[str, tuple[Fraction, ...]], ...]
    lr: Fraction
    features: tuple[str, ...]
    target: str
    data: tuple[tuple[str, tuple[Fraction, ...]], ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.X), len(self.X[0]))

    def starting(self, name: str) -> tuple[Fraction, ...]:
        return dict(self.start)[name]

    def with_lr(self, lr: Fraction) -> ModelExample:
        return ModelExample(self.X, self.y, self.start, lr, self.features, self.target, self.data)


def parameter_shape(spec: ModelSpec, quantity: Quantity, m: int, n: int) -> tuple[int, int]:
    """The rows and columns of a parameter at the example's size."""
    sizes = spec.sizes(m, n)
    rows, cols = (int(sp.sympify(size).subs(sizes)) for size in quantity.shape)
    return rows, cols


def example_of(spec: ModelSpec, source: str | None = None) -> ModelExample:
    """The worked example a model's description carries in its `[example]` table:

        X = [[0.5, 0.5], [1.0, 1.5], ...]   y = [0, 1, ...]   (numbers, or "0.1", "1/3")
        start = { alpha = 0, beta = [0.1, 0.1] }   lr = 0.5
        features = ["x1", "x2"]   target = "y"   data = { w = [...] }   (all optional)

    A `DescriptionError` (exit code 2) naming the place for anything else; an `InputError`
    when there is no such table (a CSV file is then needed)."""
    where = f"{source or spec.key + '.toml'}: [example]"
    table = read_toml(spec.text, where).get("example") if spec.text else None
    if table is None:
        raise InputError(
            gettext(
                "the model {model} has no [example] table: give a CSV file with --example FILE"
            ).format(model=spec.key)
        )
    if not isinstance(table, dict):
        raise located(
            where,
            gettext("expected {what}, found {found}").format(
                what=gettext("a table"), found=type(table).__name__
            ),
        )
    known = ("X", "y", "start", "lr", "features", "target", "data")
    for key in table:
        if key not in known:
            raise located(
                where,
                gettext("unknown key {key}: the keys here are {keys}").format(
                    key=repr(key), keys=join_list(known)
                ),
            )
    X = _rows(table.get("X"), f"{where}.X")
    m, n = len(X), len(X[0])
    _check_limits(where, m, n)
    y = _column(table.get("y"), f"{where}.y", m)
    features = _names(table.get("features"), f"{where}.features", n) or tuple(
        f"x{j + 1}" for j in range(n)
    )
    target = table.get("target", target_quantity(spec).name)
    if not isinstance(target, str):
        raise located(
            f"{where}.target",
            gettext("expected {what}, found {found}").format(
                what=gettext("text"), found=type(target).__name__
            ),
        )
    data = _table(table.get("data", {}), f"{where}.data")
    extra = tuple(
        (q.name, _column(data.get(q.name), f"{where}.data.{q.name}", m)) for q in other_data(spec)
    )
    starts = _table(table.get("start", {}), f"{where}.start")
    start = tuple(
        (
            q.name,
            _entries(starts[q.name], f"{where}.start.{q.name}", parameter_shape(spec, q, m, n))
            if q.name in starts
            else _default_start(spec, q, m, n),
        )
        for q in spec.parameters
    )
    example = ModelExample(X, y, start, Fraction(0), features, target, extra)
    _check_data(spec, example)
    if "lr" in table:
        lr = _number(table["lr"], f"{where}.lr")
        if lr <= 0:
            raise located(f"{where}.lr", gettext("the learning rate must be positive"))
        return example.with_lr(lr)
    return example.with_lr(simple_rate(spec, example))


def load_model_example(spec: ModelSpec, path: str, target: str | None = None) -> ModelExample:
    """A teacher's example from a CSV file, read and checked as the mse example reads it
    (worked_example.load_example: at most MAX_ROWS rows and MAX_FEATURES features); a column
    named as the model's other data (w) is that data; the target must be of the model's
    kind (labels 0/1, counts), the first bad row named. Each 1×1 parameter starts at 0 and
    every other entry at 0.1; the learning rate is a simple decimal (see `simple_rate`)."""
    read = load_example(path, target)
    names = {q.name for q in other_data(spec)}
    missing = sorted(names - set(read.features))
    if missing:
        raise InputError(
            gettext("{path}: the model needs a column {name} for its data {name}").format(
                path=path, name=missing[0]
            )
        )
    kept = [j for j, name in enumerate(read.features) if name not in names]
    if not kept:
        raise InputError(gettext("there are no features: X needs at least one column"))
    X = tuple(tuple(row[j] for j in kept) for row in read.X)
    data = tuple(
        (name, tuple(row[read.features.index(name)] for row in read.X))
        for name in (q.name for q in other_data(spec))
    )
    m, n = len(X), len(kept)
    start = tuple((q.name, _default_start(spec, q, m, n)) for q in spec.parameters)
    features = tuple(read.features[j] for j in kept)
    example = ModelExample(X, read.y, start, Fraction(0), features, read.target, data)
    _check_data(spec, example)
    return example.with_lr(simple_rate(spec, example))


def _default_start(spec: ModelSpec, quantity: Quantity, m: int, n: int) -> tuple[Fraction, ...]:
    rows, cols = parameter_shape(spec, quantity, m, n)
    if not isinstance(quantity.symbol, sp.MatrixSymbol):
        return (Fraction(0),)
    return (START_WEIGHT,) * (rows * cols)


def _check_data(spec: ModelSpec, example: ModelExample) -> None:
    """The checks of a run: usable arrays, a target of the model's kind."""
    X, y, data = arrays(example)
    check_arrays(X, y)
    check_target(spec, y[:, 0])
    for name, column in data.items():
        if not np.isfinite(column).all():
            raise InputError(
                gettext("the data {name} must be {m} finite numbers").format(name=name, m=len(y))
            )


def _check_limits(where: str, rows: int, features: int) -> None:
    if features > MAX_FEATURES:
        raise located(
            where,
            gettext(
                "{path} has {count} features: a worked example by hand takes at most "
                "{limit}; derive run takes any number"
            ).format(path="X", count=features, limit=MAX_FEATURES),
        )
    if rows > MAX_ROWS:
        raise located(
            where,
            gettext(
                "{path} has more than {limit} data rows: a worked example by hand takes at "
                "most {limit}; derive run takes any number"
            ).format(path="X", limit=MAX_ROWS),
        )


def _number(value: object, where: str) -> Fraction:
    """A number as written: a TOML integer or float (by its shortest decimal, 0.1 is
    1/10), or text such as "0.1" or "1/3"."""
    problem = gettext("{value} is not a number: write a decimal (0.1) or a fraction (1/10)")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise located(where, problem.format(value=repr(value)))
    try:
        number = Fraction(repr(value) if isinstance(value, float) else str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise located(where, problem.format(value=repr(value))) from None
    return number


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list) or not value:
        raise located(where, gettext("expected a list of numbers"))
    return value


def _rows(value: object, where: str) -> tuple[tuple[Fraction, ...], ...]:
    rows = _list(value, where)
    if not all(isinstance(row, list) for row in rows):
        raise located(where, gettext("expected a list of rows, each a list of numbers"))
    lengths = {len(row) for row in rows if isinstance(row, list)}
    if len(lengths) != 1 or 0 in lengths:
        raise located(where, gettext("the rows of X must have the same number of entries"))
    return tuple(
        tuple(_number(v, f"{where}[{i + 1}]") for v in row)
        for i, row in enumerate(rows)
        if isinstance(row, list)
    )


def _column(value: object, where: str, m: int) -> tuple[Fraction, ...]:
    if value is None:
        raise located(where, gettext("missing: give {m} numbers").format(m=m))
    entries = _list(value, where)
    if len(entries) != m:
        raise located(
            where, gettext("{count} numbers for {m} rows of X").format(count=len(entries), m=m)
        )
    return tuple(_number(v, f"{where}[{i + 1}]") for i, v in enumerate(entries))


def _entries(value: object, where: str, shape: tuple[int, int]) -> tuple[Fraction, ...]:
    """A parameter's start: a number for a 1×1 parameter, else its entries (rows of a
    matrix as lists), row by row."""
    count = shape[0] * shape[1]
    if not isinstance(value, list):
        values: list[object] = [value]
    else:
        values = [v for row in value for v in (row if isinstance(row, list) else [row])]
    if len(values) != count:
        raise located(
            where,
            gettext("{count} numbers for a parameter of {size} entries").format(
                count=len(values), size=count
            ),
        )
    return tuple(_number(v, where) for v in values)


def _names(value: object, where: str, n: int) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == n and all(isinstance(v, str) for v in value)):
        raise located(where, gettext("expected {n} names, one per column of X").format(n=n))
    return tuple(str(v) for v in value)


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise located(
            where,
            gettext("expected {what}, found {found}").format(
                what=gettext("a table"), found=type(value).__name__
            ),
        )
    return value


def arrays(example: ModelExample) -> tuple[Array, Array, dict[str, Array]]:
    """X (m×n), y (m×1) and the other data columns (m×1), as floats."""
    X = np.array([[float(v) for v in row] for row in example.X], dtype=np.float64)
    y = np.array([[float(v)] for v in example.y], dtype=np.float64)
    data = {name: np.array([[float(v)] for v in column]) for name, column in example.data}
    return X, y, data


def data_rows(
    spec: ModelSpec, example: ModelExample
) -> dict[str, tuple[tuple[Fraction, ...], ...]]:
    """Each data of the model by its name (X, y, w), as rows of exact numbers."""
    return {
        features_quantity(spec).name: example.X,
        target_quantity(spec).name: tuple((v,) for v in example.y),
        **{name: tuple((v,) for v in column) for name, column in example.data},
    }


def problem_of(spec: ModelSpec, example: ModelExample) -> Problem:
    """The model's generated code bound to the example's data (constants at their values)."""
    X, y, data = arrays(example)
    return bind(spec, X, y, data, {})


def start_vector(problem: Problem, example: ModelExample) -> Array:
    """The example's start as the flat vector θ the descent steps on."""
    theta = np.zeros(problem.size)
    for slot in problem.slots:
        values = example.starting(slot.quantity.name)
        theta[slot.start : slot.start + slot.size] = [float(v) for v in values]
    return theta


def simple_rate(spec: ModelSpec, example: ModelExample) -> Fraction:
    """A learning rate a class can use by hand: under a bound, the largest of 0.5, 0.2,
    0.1, 0.05, … at or below 60% of it; under backtracking, the largest of 1, 0.5, 0.2, …
    whose first step satisfies Armijo's condition (so that the first iterate is the one
    computed by hand)."""
    problem = problem_of(spec, example)
    bound = bound_of(spec, problem, arrays(example)[0])
    if bound is not None:
        limit = Fraction(repr(0.6 * bound))
        rates = _simple_rates(Fraction(1, 2))
        return next((rate for rate in rates if rate <= limit), rates[-1])
    theta = start_vector(problem, example)
    cost, gradient = problem.evaluate(theta)
    squared = float(gradient @ gradient)
    rates = _simple_rates(Fraction(1))
    for rate in rates:
        new_cost, new_gradient = problem.evaluate(theta - float(rate) * gradient)
        if acceptable(cost, new_cost, float(rate) * squared, squared, new_gradient):
            return rate
    return rates[-1]


def _simple_rates(first: Fraction) -> Sequence[Fraction]:
    """first, then 0.5, 0.2, 0.1, 0.05, … below it, down to 1e-13."""
    rates = [first]
    power = 10
    while power <= 10**13:
        rates += [Fraction(mantissa, power) for mantissa in (5, 2, 1)]
        power *= 10
    return [rate for rate in rates if rate <= first]


def source_name(model: str | Path) -> str:
    """How messages name a model's description: the built-in file, or the path given."""
    return f"{model}.toml" if str(model) in BUILTIN else str(model)
