"""Speed and memory of numeric runs against hand-written NumPy and numpy.linalg.lstsq.

Prints, from one run in one process: the time of one evaluation of both generated
gradients over the hand-written `u = y - alpha - X @ beta.T; ...`; the time of `derive.fit`
to a relative gradient norm of 1e-10 over `numpy.linalg.lstsq` on standardised data; and
the peak memory a fit allocates, over the size of X. The two sides of each ratio run
alternately, several rounds; the ratio of the best times is reported with the spread of
the per-round ratios. Run:

    python benchmarks/numeric.py [--rows 1000000] [--features 20] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Literal

import numpy as np

from derive.numeric.arrays import Array
from derive.numeric.codegen import gradients
from derive.numeric.descent import fit


def hand_written(X: Array, y: Array, alpha: float, beta: Array) -> tuple[float, Array]:
    """The reference of the issue, as one would write it by hand."""
    m = X.shape[0]
    u = y - alpha - X @ beta.T
    ga = -2 / m * u.sum()
    gb = -2 / m * (u.T @ X)
    return float(ga), gb


def best_of(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def compare(
    label: str, ours: Callable[[], object], theirs: Callable[[], object], rounds: int, number: int
) -> None:
    """Alternate the two sides; report best times, their ratio and the per-round spread."""
    mine, reference, ratios = [], [], []
    for _ in range(rounds):
        mine.append(best_of(ours, number))
        reference.append(best_of(theirs, number))
        ratios.append(mine[-1] / reference[-1])
    print(
        f"{label}: {min(mine) * 1e3:.1f} ms / {min(reference) * 1e3:.1f} ms = "
        f"{min(mine) / min(reference):.3f} (best of {rounds}); per round median "
        f"{statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}"
    )


def standardised(rows: int, features: int, correlated: bool, seed: int = 0) -> tuple[Array, Array]:
    """Columns with mean 0 and variance 1; correlated ones share a common factor (pairwise
    correlation 0.5, so the correlation matrix has condition number about n + 1)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features))
    if correlated:
        X += rng.standard_normal((rows, 1))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    y = X @ rng.standard_normal(features) + 3.0 + rng.standard_normal(rows)
    return X, y


def gradient_ratio(rows: int, features: int, rounds: int) -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((rows, features))
    y = rng.standard_normal((rows, 1))
    alpha, beta = 0.3, rng.standard_normal((1, features))
    ours, theirs = gradients(X, y, alpha, beta), hand_written(X, y, alpha, beta)
    if not (np.isclose(ours[0], theirs[0]) and np.allclose(ours[1], theirs[1])):
        raise SystemExit("the generated gradients differ from the hand-written ones")
    compare(
        "gradients, generated / hand-written",
        lambda: gradients(X, y, alpha, beta),
        lambda: hand_written(X, y, alpha, beta),
        rounds,
        number=5,
    )


def fit_ratio(rows: int, features: int, rounds: int, correlated: bool) -> None:
    X, y = standardised(rows, features, correlated)
    design = np.hstack([np.ones((rows, 1)), X])
    result = fit(X, y)
    reference = np.linalg.lstsq(design, y, rcond=None)[0]
    error = np.abs(np.concatenate([[result.alpha], result.beta]) - reference).max()
    kind = "correlated" if correlated else "independent"
    print(
        f"fit ({kind} columns, condition number of H {result.condition:.3g}): "
        f"{result.iterations} iterations, converged {result.converged}, "
        f"largest difference from lstsq {error:.1e}"
    )
    compare(
        f"fit / lstsq, {kind} columns",
        lambda: fit(X, y),
        lambda: np.linalg.lstsq(design, y, rcond=None),
        rounds,
        number=1,
    )


def peak_memory(rows: int, features: int) -> None:
    X, y = standardised(rows, features, correlated=True)
    methods: tuple[Literal["gram", "plain"], ...] = ("gram", "plain")
    for method in methods:
        iterations = 1_000_000 if method == "gram" else 20
        tracemalloc.start()
        try:
            fit(X, y, method=method, iterations=iterations)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        print(
            f"peak memory of a fit ({method}): {peak / 2**10:.0f} KiB = "
            f"{peak / X.nbytes:.4f} × the size of X ({X.nbytes / 2**20:.0f} MiB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    m, n, rounds = options.rows, options.features, options.rounds
    print(f"m = {m}, n = {n}, float64, numpy {np.__version__}")
    gradient_ratio(m, n, rounds)
    fit_ratio(m, n, rounds, correlated=False)
    fit_ratio(m, n, rounds, correlated=True)
    peak_memory(m, n)


if __name__ == "__main__":
    main()
