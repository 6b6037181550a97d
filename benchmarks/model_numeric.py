"""Speed and memory of the models' generated gradients against hand-written NumPy.

The models' counterpart of numeric.py (which measures the article's mse): for ridge,
logistic, poisson and neuron, on m rows and n features of data of the model's kind (a real
y, 0/1 labels, Poisson counts) and small parameters, so that nothing saturates, it prints

- the time of one evaluation of `model_code(spec).gradients` over NumPy written by hand
  for the same gradients (one pass over X for z, one for the gradient, no m×n temporary),
  with the sigmoid written both ways, 0.5 + 0.5·tanh(0.5·z) (as the generated code does)
  and 1/(1 + exp(−z)); the sides run alternately, in one process, several rounds, and the
  ratio of the best times is reported with the median of the per-round ratios;
- the peak memory traced during `fit_model(spec, X, y, iterations=50)`, with and without
  standardize=True, over the size of X (X and y are allocated before tracing starts).

Before timing, the generated and the hand-written gradients must agree to 1e-10 relative,
or the script stops. Run:

    python benchmarks/model_numeric.py [--quick] [--rows 1000000] [--features 20] [--rounds 9]
    OPENBLAS_NUM_THREADS=1 python benchmarks/model_numeric.py --cpu

`--quick` takes m = 10⁵ for a fast look. `--cpu` times by the CPU time of this thread
instead of the wall clock: on a machine shared with other work the wall times of
two-threaded BLAS products spread widely, while one thread's CPU time barely moves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive.models.catalog import load_model
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.model_code import model_code
from derive.numeric.model_fit import fit_model

MODELS = ("ridge", "logistic", "poisson", "neuron")
AGREEMENT = 1e-10  # the largest relative difference allowed between the two gradients
NUMBER = 5  # evaluations per side in one round
FIT_ITERATIONS = 50

Gradients = tuple[float, Array]  # ∂J/∂α and ∂J/∂β (as a 1-D array)
HandWritten = Callable[[Array, Array, float, Array, float, int], Gradients]


# --- the hand-written gradients ---------------------------------------------------------
# Each takes X (m×n), y (1-D), α, β (1-D), the constant λ (ridge's penalty, unused by the
# others) and m, and returns (∂J/∂α, ∂J/∂β): one product for z, one for the gradient, each
# vector computed once.


def sigmoid_tanh(z: Array) -> Array:
    """σ(z) = 0.5 + 0.5·tanh(0.5·z): no overflow for any z (what the generated code calls)."""
    result: Array = 0.5 + 0.5 * np.tanh(0.5 * z)
    return result


def sigmoid_exp(z: Array) -> Array:
    """σ(z) = 1/(1 + exp(−z)), the textbook form (exp overflows to inf for z < −709, and
    the quotient is then the right 0)."""
    result: Array = 1.0 / (1.0 + np.exp(-z))
    return result


def ridge(X: Array, y: Array, alpha: float, beta: Array, lam: float, m: int) -> Gradients:
    """J = λ‖β‖² + (1/m)‖u‖², u = y − α − Xβᵀ."""
    u = y - alpha - X @ beta
    return -2.0 / m * float(u.sum()), 2.0 * lam * beta - 2.0 / m * (u @ X)


def logistic(sigmoid: Callable[[Array], Array]) -> HandWritten:
    def gradients(X: Array, y: Array, alpha: float, beta: Array, lam: float, m: int) -> Gradients:
        """p = σ(α + Xβᵀ): ∂J/∂α = (1/m)·Σ(p − y), ∂J/∂β = (1/m)·(p − y)ᵀX."""
        r = sigmoid(X @ beta + alpha) - y
        return float(r.sum()) / m, (r @ X) / m

    return gradients


def poisson(X: Array, y: Array, alpha: float, beta: Array, lam: float, m: int) -> Gradients:
    """μ = exp(α + Xβᵀ): ∂J/∂α = (1/m)·Σ(μ − y), ∂J/∂β = (1/m)·(μ − y)ᵀX."""
    r = np.exp(X @ beta + alpha) - y
    return float(r.sum()) / m, (r @ X) / m


def neuron(sigmoid: Callable[[Array], Array]) -> HandWritten:
    def gradients(X: Array, y: Array, alpha: float, beta: Array, lam: float, m: int) -> Gradients:
        """p = σ(α + Xβᵀ), u = y − p, g = u∘p∘(1 − p): −(2/m)·Σg and −(2/m)·gᵀX."""
        p = sigmoid(X @ beta + alpha)
        g = (y - p) * p * (1.0 - p)
        return -2.0 / m * float(g.sum()), -2.0 / m * (g @ X)

    return gradients


# Per model: the hand-written variants by the name of their sigmoid ("" for none).
HAND_WRITTEN: dict[str, dict[str, HandWritten]] = {
    "ridge": {"": ridge},
    "logistic": {"tanh": logistic(sigmoid_tanh), "exp": logistic(sigmoid_exp)},
    "poisson": {"": poisson},
    "neuron": {"tanh": neuron(sigmoid_tanh), "exp": neuron(sigmoid_exp)},
}


# --- the data ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Case:
    """One model's data and the point θ where its gradients are evaluated."""

    spec: ModelSpec
    X: Array
    y: Array  # 1-D
    alpha: float
    beta: Array  # 1-D
    lam: float

    def generated_arguments(self) -> list[Any]:
        """The arguments of the generated code, in `code.arguments`' order: the data, the
        parameters, the constants, m; y as m×1 and β as 1×n, as `fit_model` passes them."""
        m, n = self.X.shape
        values: dict[str, Any] = {
            "X": self.X,
            "y": self.y.reshape(m, 1),
            "alpha": self.alpha,
            "beta": self.beta.reshape(1, n),
            "lambda": self.lam,
        }
        arguments = [values[q.name] for q in self.spec.declared] + [m]
        if len(arguments) != len(model_code(self.spec).arguments):
            raise SystemExit(f"{self.spec.key}: unexpected arguments of the generated code")
        return arguments

    def hand_arguments(self) -> tuple[Array, Array, float, Array, float, int]:
        return self.X, self.y, self.alpha, self.beta, self.lam, self.X.shape[0]


def make_case(key: str, rows: int, features: int, seed: int = 0) -> Case:
    """X standard normal; y of the model's kind from z = 0.2 + Xb (b ~ 0.1·N(0, 1), so z has
    a spread of about 0.45 at n = 20); θ small (α = 0.1, β ~ 0.05·N(0, 1)), off the truth."""
    spec = load_model(key)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features))
    z = 0.2 + X @ (0.1 * rng.standard_normal(features))
    if key == "ridge":
        y = 1.0 + z + rng.standard_normal(rows)
    elif key == "poisson":
        y = rng.poisson(np.exp(z)).astype(np.float64)
    else:
        y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    defaults = {q.name: q.default for q in spec.constants}
    lam = float(defaults.get("lambda") or 0.0)
    return Case(spec, X, y, 0.1, 0.05 * rng.standard_normal(features), lam)


# --- the gradients ---------------------------------------------------------------------------


def generated(case: Case) -> Callable[[], Gradients]:
    function, arguments = model_code(case.spec).gradients, case.generated_arguments()

    def run() -> Gradients:
        d_alpha, d_beta = function(*arguments)
        return float(np.asarray(d_alpha).item()), np.ravel(d_beta)

    return run


def hand(case: Case, variant: HandWritten) -> Callable[[], Gradients]:
    arguments = case.hand_arguments()
    return lambda: variant(*arguments)


def relative_difference(ours: Gradients, theirs: Gradients) -> float:
    """The largest |difference| of each gradient over the largest |entry| of the reference."""
    worst = 0.0
    for a, b in ((np.atleast_1d(ours[0]), np.atleast_1d(theirs[0])), (ours[1], theirs[1])):
        scale = float(np.abs(b).max())
        worst = max(worst, float(np.abs(a - b).max()) / (scale if scale > 0 else 1.0))
    return worst


def check_agreement(key: str, sides: dict[str, Callable[[], Gradients]]) -> float:
    """Stop unless every hand-written side agrees with the generated one to AGREEMENT."""
    ours = sides["generated"]()
    worst = 0.0
    for name, side in sides.items():
        difference = relative_difference(ours, side())
        if not difference <= AGREEMENT:
            raise SystemExit(
                f"{key}: the generated gradients differ from {name} by {difference:.1e} "
                f"relative (allowed {AGREEMENT:g})"
            )
        worst = max(worst, difference)
    return worst


def mean_time(function: Callable[[], object], number: int, clock: Callable[[], float]) -> float:
    start = clock()
    for _ in range(number):
        function()
    return (clock() - start) / number


@dataclass(frozen=True)
class Timing:
    """Per side, the mean time of one evaluation in each round (seconds)."""

    rounds: dict[str, list[float]]

    def best(self, side: str) -> float:
        return min(self.rounds[side])

    def ratio(self, side: str) -> tuple[float, float, float, float]:
        """generated / side: of the best times; the median, least and largest per round."""
        per_round = [
            g / h for g, h in zip(self.rounds["generated"], self.rounds[side], strict=True)
        ]
        return (
            self.best("generated") / self.best(side),
            statistics.median(per_round),
            min(per_round),
            max(per_round),
        )


def time_sides(
    sides: dict[str, Callable[[], Gradients]],
    rounds: int,
    number: int,
    clock: Callable[[], float],
) -> Timing:
    """Each round runs every side `number` times; the order rotates from round to round, so
    no side always runs first or last."""
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    for k in range(rounds):
        shift = k % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(mean_time(sides[name], number, clock))
    return Timing(times)


# --- the memory of a fit -----------------------------------------------------------------


def peak_of_fit(case: Case, standardize: bool) -> tuple[float, int, bool]:
    """The peak memory traced during a fit of FIT_ITERATIONS steps over X.nbytes; also the
    steps taken and whether the fit converged."""
    model_code(case.spec)  # generated before tracing: SymPy's work is not the fit's memory
    tracemalloc.start()
    try:
        result = fit_model(
            case.spec, case.X, case.y, iterations=FIT_ITERATIONS, standardize=standardize
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / case.X.nbytes, result.iterations, result.converged


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    timing: Timing
    agreement: float
    memory: tuple[float, float]  # plain, standardized


def measure(key: str, rows: int, features: int, rounds: int, clock: Callable[[], float]) -> Row:
    case = make_case(key, rows, features)
    sides: dict[str, Callable[[], Gradients]] = {"generated": generated(case)}
    for name, variant in HAND_WRITTEN[key].items():
        sides[f"hand {name}".rstrip()] = hand(case, variant)
    agreement = check_agreement(key, sides)
    timing = time_sides(sides, rounds, NUMBER, clock)
    print(f"{key}: generated {timing.best('generated') * 1e3:.1f} ms", end="")
    for side in sides:
        if side != "generated":
            best, median, low, high = timing.ratio(side)
            print(
                f"; {side} {timing.best(side) * 1e3:.1f} ms, ratio {best:.3f} "
                f"(median {median:.3f}, range {low:.3f}-{high:.3f})",
                end="",
            )
    print(f"; agree to {agreement:.1e}")
    memory = []
    for standardize in (False, True):
        ratio, steps, converged = peak_of_fit(case, standardize)
        memory.append(ratio)
        print(
            f"{key}: peak of fit_model(iterations={FIT_ITERATIONS}, standardize={standardize})"
            f" = {ratio:.3f} × X ({steps} steps, converged {converged})"
        )
    return Row(key, timing, agreement, (memory[0], memory[1]))


def table(rows: Sequence[Row], nbytes: int) -> None:
    """The summary: times in ms, ratios generated / hand-written as best (median)."""
    header = (
        f"{'model':<9}{'generated':>10}{'hand tanh':>10}{'gen/tanh':>16}"
        f"{'hand exp':>10}{'gen/exp':>16}{'mem':>8}{'mem std':>9}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        cells = [f"{row.key:<9}", f"{row.timing.best('generated') * 1e3:>10.1f}"]
        for sigmoid in ("tanh", "exp"):
            side = f"hand {sigmoid}" if f"hand {sigmoid}" in row.timing.rounds else "hand"
            best, median, _, _ = row.timing.ratio(side)
            cells.append(f"{row.timing.best(side) * 1e3:>10.1f}")
            cells.append(f"{best:>9.3f} ({median:.3f})")
        cells.append(f"{row.memory[0]:>8.3f}")
        cells.append(f"{row.memory[1]:>9.3f}")
        print("".join(cells))
    print(
        "times: best of the rounds, ms per evaluation; ratios: generated / hand-written, best "
        "(median per round); ridge and poisson have no sigmoid, so both columns show the one "
        f"hand-written side; mem: peak traced / X.nbytes ({nbytes / 2**20:.0f} MiB), without "
        "and with standardize=True; targets ≤ 1.05 and ≤ 1.1"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="m = 10⁵ rows")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time by this thread's CPU time, steadier on a shared machine; meaningful only "
        "with one BLAS thread (OPENBLAS_NUM_THREADS=1)",
    )
    options = parser.parse_args()
    m = 100_000 if options.quick else options.rows
    n, rounds = options.features, max(options.rounds, 7)
    clock = time.thread_time if options.cpu else time.perf_counter
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"m = {m}, n = {n}, float64, numpy {np.__version__}, {rounds} rounds of {NUMBER} "
        f"evaluations per side, {'CPU time of this thread' if options.cpu else 'wall time'}, "
        f"OPENBLAS_NUM_THREADS {threads}; load average at the start "
        + " ".join(f"{x:.2f}" for x in _load())
    )
    if options.cpu and threads != "1":
        print("warning: --cpu misses the work of other BLAS threads; set OPENBLAS_NUM_THREADS=1")
    start = time.perf_counter()
    rows = [measure(key, m, n, rounds, clock) for key in MODELS]
    table(rows, m * n * 8)
    print(
        f"total {time.perf_counter() - start:.0f} s; load average at the end "
        + " ".join(f"{x:.2f}" for x in _load())
    )


def _load() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (float("nan"),) * 3


if __name__ == "__main__":
    main()
