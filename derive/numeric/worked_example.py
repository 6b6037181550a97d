"""The worked example: one iteration by hand, exactly, then gradient descent in floats.

Numeric stage (model -> steps -> verify -> numeric/example -> render). Small integer data
(4 examples, 2 features), α = 0, small weights and a simple learning rate, so that a
student can redo the first iteration with pencil and paper (first_iteration.py computes
it exactly); a teacher's own CSV file works too, up to MAX_ROWS rows and MAX_FEATURES
features, what a page or a slide can show and a class can redo by hand.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import compiled, generate
from derive.numeric.conditioning import check_arrays
from derive.numeric.data_source import separator
from derive.numeric.dataset import read_csv
from derive.numeric.descent_loop import Problem, Trail, descend
from derive.numeric.first_iteration import Example, FirstIteration, first_iteration
from derive.steps.derivation import Derivation


def _fractions(values: tuple[object, ...]) -> tuple[Fraction, ...]:
    return tuple(Fraction(str(v)) for v in values)


DEFAULT = Example(
    X=tuple(_fractions(row) for row in ((0, 1), (1, 0), (2, 2), (3, 1))),
    y=_fractions((2, 2, 6, 5)),
    alpha=Fraction(0),
    beta=_fractions(("0.1", "0.1")),
    lr=Fraction("0.1"),
    features=("x1", "x2"),
    target="y",
)


# --- the numeric side: the same iteration in floats, then many iterations ----------------

DIVERGED = 1e12  # a cost this many times the first one means the run has left the bowl


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Trajectory:
    """Gradient descent from the example's start: the iterates and their costs."""

    lr: float
    alphas: Array
    betas: Array  # one row per iterate
    costs: Array
    converged: bool
    diverged: bool

    @property
    def iterations(self) -> int:
        return len(self.costs) - 1


def float_iteration(example: Example, scale: str = "1/m") -> dict[str, Any]:
    """The first iteration in floats, by NumPy code that lambdify generated from the steps."""
    code = compiled(scale)
    X, y, alpha, beta = _arrays(example)
    m = X.shape[0]
    model = code.model
    prediction = generate([model.prediction], (model.X, model.alpha, model.beta))
    yhat = np.asarray(prediction(X, alpha, beta)[0], dtype=np.float64)
    cost, grad_alpha, grad_beta = code.on_data(X, y, alpha, beta, m)
    lr = float(example.lr)
    return {
        "prediction": yhat.reshape(-1),
        "error": (y - yhat).reshape(-1),
        "cost": scalar(cost),
        "grad_alpha": scalar(grad_alpha),
        "grad_beta": np.asarray(grad_beta, dtype=np.float64).reshape(-1),
        "alpha_next": alpha - lr * scalar(grad_alpha),
        "beta_next": (beta - lr * np.asarray(grad_beta)).reshape(-1),
    }


def trajectory(
    problem: Problem, example: Example, lr: float, iterations: int, tol: float = 1e-10
) -> Trajectory:
    """Descent from the example's start until ‖∇J‖ falls to `tol` of its start, or it
    diverges; `problem` is the example's data (see `example_problem`)."""
    _X, _y, alpha, beta = _arrays(example)
    watch, trail = _ExampleWatch(tol), Trail()
    descend(problem.evaluator("plain"), (alpha, beta), lr, iterations, watch, trail)
    alphas, betas = trail.arrays(problem.X.shape[1])
    costs = np.array(watch.costs)
    return Trajectory(lr, np.array(alphas), np.array(betas), costs, watch.converged, watch.diverged)


class _ExampleWatch:
    """The example's watch: a run has converged when ‖∇J‖ ≤ tol·‖∇J at the start‖, and has
    diverged (and stops, without an error) when its cost leaves the finite numbers or
    exceeds DIVERGED times the first; every cost is kept for the figures."""

    def __init__(self, tol: float) -> None:
        self.tol = tol
        self.costs: list[float] = []
        self.start = 0.0
        self.converged = self.diverged = False

    def begin(self, cost: float, grad_alpha: float, grad_beta: Array) -> bool:
        self.costs.append(cost)
        self.start = _gradient_size(grad_alpha, grad_beta)
        return True

    def check(self, step: int, cost: float, grad_alpha: float, grad_beta: Array) -> bool:
        self.costs.append(cost)
        if not np.isfinite(cost) or cost > DIVERGED * self.costs[0]:
            self.diverged = True
        elif _gradient_size(grad_alpha, grad_beta) <= self.tol * self.start:
            self.converged = True
        return not (self.converged or self.diverged)


def _gradient_size(grad_alpha: float, grad_beta: Array) -> float:
    """‖∇J‖ by the example's own arithmetic (x**2, np.square, np.sum), which decides the step
    its runs stop at; `fit`'s norm in descent.py (x*x, a BLAS dot) may differ in the last bit."""
    return float(np.sqrt(grad_alpha**2 + float(np.sum(np.square(grad_beta)))))


def example_problem(example: Example, scale: str = "1/m") -> Problem:
    """The example's data as a problem of the descent loop: its moments and curvature."""
    X, y, _alpha, _beta = _arrays(example)
    return Problem.of(X, y, Scale.parse(scale))


def stability_bound(example: Example, scale: str = "1/m") -> float:
    """2/λmax of the Hessian of this example's cost: descent converges for 0 < η < bound."""
    return example_problem(example, scale).curvature.bound


def _arrays(example: Example) -> tuple[Array, Array, float, Array]:
    X = np.array([[float(v) for v in row] for row in example.X], dtype=np.float64)
    y = np.array([[float(v)] for v in example.y], dtype=np.float64)
    beta = np.array([[float(v) for v in example.beta]], dtype=np.float64)
    return X, y, float(example.alpha), beta


# --- the whole worked example -------------------------------------------------------------

BOUND_FRACTIONS = (0.25, 0.6, 0.95, 1.02)  # learning rates compared, as fractions of 2/λmax
ITERATIONS = 100_000


@dataclass(frozen=True, eq=False)
class WorkedExample:
    """Everything the worked example shows: the exact first iteration, its float twin, the
    run at the example's learning rate, and runs at rates on either side of the bound."""

    example: Example
    first: FirstIteration
    floats: dict[str, Any]
    bound: float
    run: Trajectory
    curves: tuple[Trajectory, ...]

    def table(self, head: int = 5, rows: int = 12) -> tuple[int, ...]:
        """Which iterations a table shows: the first few, then every k-th, and the last."""
        return shown_iterations(self.run.iterations, head, rows)


def work(
    derivation: Derivation,
    example: Example = DEFAULT,
    lr: Fraction | None = None,
    iterations: int = ITERATIONS,
) -> WorkedExample:
    """Compute the worked example: exactly for the first iteration, in floats after it."""
    chosen = example if lr is None else _with_lr(example, lr)
    scale = derivation.linear.scale.value
    problem = example_problem(chosen, scale)
    bound = problem.curvature.bound
    rates = sorted({float(chosen.lr), *(f * bound for f in BOUND_FRACTIONS)})
    return WorkedExample(
        example=chosen,
        first=first_iteration(derivation, chosen),
        floats=float_iteration(chosen, scale),
        bound=bound,
        run=trajectory(problem, chosen, float(chosen.lr), iterations),
        curves=tuple(trajectory(problem, chosen, rate, min(iterations, 2000)) for rate in rates),
    )


def _with_lr(example: Example, lr: Fraction) -> Example:
    return Example(
        example.X, example.y, example.alpha, example.beta, lr, example.features, example.target
    )


def shown_iterations(last: int, head: int = 5, rows: int = 12) -> tuple[int, ...]:
    """Which of the iterations 0..last a table shows: the first `head`, then every k-th
    (k a round number that leaves about `rows` more), and the last."""
    step = _round_step(max(1, (last - head) // rows))
    shown = set(range(min(head, last) + 1)) | set(range(0, last + 1, step)) | {last}
    return tuple(sorted(shown))


def _round_step(step: int) -> int:
    """The next 'round' number at or above `step`: 1, 2, 5, 10, 20, 50, ..."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if factor * scale >= step:
                return factor * scale
        scale *= 10


# --- a teacher's own example --------------------------------------------------------------

MAX_ROWS = 10  # LaTeX's bmatrix has at most 10 columns, and 𝟏ᵀ has m; X, y and u fit a slide
MAX_FEATURES = 3  # columns of X besides the target: the new β fits a line of a page or a slide


def load_example(path: str, target: str | None = None) -> Example:
    """A worked example from a CSV file with a header (the target defaults to the last
    column), read and checked as `derive run` reads data, at most MAX_ROWS rows and
    MAX_FEATURES features; the numbers are the decimals as written (exact fractions), α
    starts at 0 and every weight at 0.1, and the learning rate is a simple decimal well
    below the stability bound. A larger file is refused before it is read whole."""
    header, rows = _glance(path)
    target = target or (header[-1] if header else "")
    _check_limits(path, rows, len(header) - 1 if target in header else 0)
    data = read_csv(path, target)
    _check_limits(path, len(data.y), len(data.features))
    check_arrays(data.X, data.y)
    X = tuple(tuple(_written(v) for v in row) for row in data.X)
    y = tuple(_written(v) for v in data.y)
    start = Example(
        X,
        y,
        Fraction(0),
        (Fraction("0.1"),) * len(data.features),
        Fraction("0.1"),
        data.features,
        data.target,
    )
    return _with_lr(start, _simple_rate(stability_bound(start)))


def _written(value: float) -> Fraction:
    """The decimal a cell holds, exactly: 0.1 is 1/10 (repr gives the shortest decimal that
    reads back as the same float, which is the one written for up to 15 digits)."""
    return Fraction(repr(float(value)))


def _glance(path: str) -> tuple[list[str], int]:
    """The header (names stripped) and the count of non-blank rows after it, counted no
    further than one past MAX_ROWS; nothing when the file cannot be read (read_csv says why)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            sep = separator(stream.readline(), None)  # as read_csv finds it
            stream.seek(0)
            lines = csv.reader(stream, delimiter=sep)
            rows = list(itertools.islice(filter(None, lines), MAX_ROWS + 2))
    except (OSError, UnicodeDecodeError, csv.Error):
        return [], 0
    if not rows:
        return [], 0
    return [name.strip() for name in rows[0]], len(rows) - 1


def _check_limits(path: str, rows: int, features: int) -> None:
    """An `InputError` for an example too large to be shown and redone by hand."""
    if features > MAX_FEATURES:
        raise InputError(
            gettext(
                "{path} has {count} features: a worked example by hand takes at most "
                "{limit}; derive run takes any number"
            ).format(path=path, count=features, limit=MAX_FEATURES)
        )
    if rows > MAX_ROWS:
        raise InputError(
            gettext(
                "{path} has more than {limit} data rows: a worked example by hand takes at "
                "most {limit}; derive run takes any number"
            ).format(path=path, limit=MAX_ROWS)
        )


def _simple_rate(bound: float) -> Fraction:
    """The largest of 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, ... at or below 60% of the bound."""
    limit = Fraction(repr(0.6 * bound))
    power = 10
    while True:
        for mantissa in (5, 2, 1):
            if Fraction(mantissa, power) <= limit:
                return Fraction(mantissa, power)
        power *= 10
