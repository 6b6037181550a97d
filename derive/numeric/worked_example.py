"""The worked example: one iteration by hand, exactly, from the derivation's own formulas.

Beside the numeric stage (model -> steps -> verify -> numeric/example -> render). Small
integer data (4 examples, 2 features), α = 0, small weights and a simple learning rate,
so that a student can redo the first iteration with pencil and paper. Every number of
that iteration is computed with SymPy rationals by putting the data into the expressions
of the derivation (steps 5, 9, 10, 14, 17 and the rule of step 7).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from derive.math.shown_numbers import ShownNumber
from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import compiled, generate
from derive.numeric.conditioning import check_arrays
from derive.numeric.dataset import read_csv
from derive.numeric.descent_loop import Problem, Trail, descend
from derive.numeric.reference import least_squares_cost as least_squares_cost  # re-exported: J*
from derive.steps.derivation import Derivation


@dataclass(frozen=True)
class Example:
    """Data and starting point of a worked example, as exact fractions."""

    X: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    alpha: Fraction
    beta: tuple[Fraction, ...]
    lr: Fraction
    features: tuple[str, ...]
    target: str

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.X), len(self.X[0]))


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


@dataclass(frozen=True)
class Line:
    """One line of the worked iteration: the formula, with the numbers in, and the result."""

    key: str
    formula: sp.Basic  # the derivation's expression (right-hand side)
    lhs: sp.Basic  # what it computes, as the derivation names it
    op: str  # "=" or "<-"
    substituted: sp.Basic  # the formula with the example's numbers in it, not evaluated
    value: sp.Basic  # the exact result (a Rational or an ImmutableMatrix)


@dataclass(frozen=True)
class FirstIteration:
    """The first iteration of gradient descent on an example, computed exactly."""

    lines: tuple[Line, ...]

    def __getitem__(self, key: str) -> sp.Basic:
        for line in self.lines:
            if line.key == key:
                return line.value
        raise KeyError(key)


def _matrix(rows: tuple[tuple[Fraction, ...], ...]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(
        [[sp.Rational(v.numerator, v.denominator) for v in row] for row in rows]
    )


def _number(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def first_iteration(derivation: Derivation, example: Example) -> FirstIteration:
    """Put the example into the derivation's formulas, one after another, exactly."""
    M = derivation.model
    m, n = example.size
    sizes = M.sizes(m, n)
    known: dict[sp.Basic, sp.Basic] = {
        M.X.xreplace(sizes): _matrix(example.X),
        M.y.xreplace(sizes): _matrix(tuple((v,) for v in example.y)),
        M.alpha: _number(example.alpha),
        M.beta.xreplace(sizes): _matrix((example.beta,)),
        M.eta: _number(example.lr),
        M.ones.xreplace(sizes): sp.ImmutableMatrix.ones(m, 1),
        M.ones.T.xreplace(sizes): sp.ImmutableMatrix.ones(1, m),
    }
    rules = {r.lhs: r.rhs for r in derivation["update-rule"].relations}
    grad_alpha = sp.Derivative(M.J, M.alpha, evaluate=False)
    plan = (
        ("prediction", M.yhat, "=", derivation["prediction"].relations[0].rhs),
        ("error", M.u, "=", derivation["error"].relations[0].rhs),
        ("cost", M.J, "=", derivation["cost-in-error"].relations[1].rhs),
        ("grad_alpha", grad_alpha, "=", derivation["gradient-alpha"].relations[0].rhs),
        (
            "grad_beta",
            derivation["gradient-beta"].relations[0].lhs,
            "=",
            derivation["gradient-beta"].relations[0].rhs,
        ),
        ("alpha_next", M.alpha, "<-", rules[M.alpha]),
        ("beta_next", M.beta, "<-", rules[M.beta]),
    )
    lines = []
    for key, lhs, op, formula in plan:
        sized = formula.xreplace(sizes)
        shown = _put(sized, {k: _shown(v) for k, v in known.items()})
        value = _evaluate(sized.xreplace(known))
        lines.append(Line(key, formula, lhs, op, shown, value))
        if op == "=":
            known[lhs.xreplace(sizes)] = value
    return FirstIteration(tuple(lines))


def _put(expr: sp.Basic, values: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """Substitute without evaluating, so that sums and products keep their written order."""
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    args = [_put(arg, values) for arg in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _shown(value: sp.Basic) -> sp.Basic:
    """A number kept as it is when substituted, so that the display shows the arithmetic."""
    return value if isinstance(value, sp.MatrixBase) else ShownNumber(value)


def _evaluate(expr: sp.Basic) -> sp.Basic:
    """An exact value, a Rational or a matrix of Rationals; 1×1 matrices become numbers."""
    value = expr.doit()
    if isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix(value).applyfunc(sp.nsimplify)
        value = value[0, 0] if value.shape == (1, 1) else value
    if not all(atom.is_Rational for atom in sp.ImmutableMatrix([value]).atoms(sp.Number)) or (
        value.free_symbols
    ):
        raise ValueError(f"the example did not evaluate to numbers: {value}")
    return value


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
        last = self.run.iterations
        step = _round_step(max(1, (last - head) // rows))
        shown = set(range(min(head, last) + 1)) | set(range(0, last + 1, step)) | {last}
        return tuple(sorted(shown))


def work(
    derivation: Derivation,
    example: Example = DEFAULT,
    lr: Fraction | None = None,
    iterations: int = ITERATIONS,
) -> WorkedExample:
    """Compute the worked example: exactly for the first iteration, in floats after it."""
    chosen = example if lr is None else _with_lr(example, lr)
    scale = derivation.model.scale.value
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


def _round_step(step: int) -> int:
    """The next 'round' number at or above `step`: 1, 2, 5, 10, 20, 50, ..."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if factor * scale >= step:
                return factor * scale
        scale *= 10


def load_example(path: str, target: str | None = None) -> Example:
    """A worked example from a CSV file with a header (the target defaults to the last
    column), read and checked as `derive run` reads data; α starts at 0 and every weight
    at 0.1, and the learning rate is a simple decimal well below the stability bound."""
    data = read_csv(path, target or _last_column(path))
    check_arrays(data.X, data.y)
    X = tuple(tuple(Fraction(repr(float(v))) for v in row) for row in data.X)
    y = tuple(Fraction(repr(float(v))) for v in data.y)
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


def _simple_rate(bound: float) -> Fraction:
    """The largest of 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, ... at or below 60% of the bound."""
    limit = Fraction(repr(0.6 * bound))
    power = 10
    while True:
        for mantissa in (5, 2, 1):
            if Fraction(mantissa, power) <= limit:
                return Fraction(mantissa, power)
        power *= 10


def _last_column(path: str) -> str:
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            header = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError):
        header = []
    return header[-1].strip() if header else ""
