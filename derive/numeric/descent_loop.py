"""The one gradient-descent loop, and the problem it steps on.

Numeric stage, under descent.py (`fit`) and worked_example.py (the example's runs): both
step α ← α − η ∂J/∂α, β ← β − η ∂J/∂β here, with the derivation's generated code; each
brings its own `Watch`, which decides when a run stops and keeps what it reports.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import Moments, compiled
from derive.numeric.conditioning import Curvature, curvature

Evaluate = Callable[[float, Array], tuple[float, float, Array]]
BLOCK_ROWS = 8_192  # rows taken at a time when a cost is measured from the error


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Problem:
    """Data in the shapes the generated code takes, their moments and their curvature."""

    X: Array
    y: Array
    scale: Scale
    moments: tuple[Array, Array, Array, float, float]
    curvature: Curvature

    @classmethod
    def of(cls, X: Array, y: Array, scale: Scale) -> Problem:
        """The problem of data X (m×n) and y (m×1) with the cost of `scale`."""
        moments = Moments.values(X, y)
        return cls(X, y, scale, moments, curvature(moments, X.shape[0], scale))

    def evaluator(self, method: str) -> Evaluate:
        """(α, β) -> (J, ∂J/∂α, ∂J/∂β) by the generated code of the method."""
        code = compiled(self.scale)
        m = self.X.shape[0]
        if method == "gram":
            on_moments, values = code.on_moments.function, self.moments

            def by_moments(alpha: float, beta: Array) -> tuple[float, float, Array]:
                cost, grad_alpha, grad_beta = on_moments(alpha, beta, *values, m)
                return scalar(cost), scalar(grad_alpha), grad_beta

            return by_moments
        on_data, X, y = code.on_data.function, self.X, self.y

        def on_the_data(alpha: float, beta: Array) -> tuple[float, float, Array]:
            cost, grad_alpha, grad_beta = on_data(X, y, alpha, beta, m)
            return scalar(cost), scalar(grad_alpha), grad_beta

        return on_the_data


def residual_cost(X: Array, y: Array, alpha: float, beta: Array, scale: Scale) -> float:
    """J at (α, β) (β a 1×n row) on data X, y from the error u = y − ŷ, by the generated
    cost, a block of rows at a time: never negative and accurate near 0, where the Gram
    form's J = (yᵀy − 2…)/m is lost to rounding."""
    on_data, m = compiled(scale).on_data, X.shape[0]
    blocks = range(0, m, BLOCK_ROWS)
    return sum(
        (
            scalar(on_data(X[k : k + BLOCK_ROWS], y[k : k + BLOCK_ROWS], alpha, beta, m)[0])
            for k in blocks
        ),
        0.0,
    )


class Watch(Protocol):
    """What a run checks at each iterate: whether to go on, and whatever it reports later.

    `begin` sees J and the gradient at the start, `check` after each step; each returns
    whether to take another step. A watch may also end a run by raising.
    """

    def begin(self, cost: float, grad_alpha: float, grad_beta: Array) -> bool: ...

    def check(self, step: int, cost: float, grad_alpha: float, grad_beta: Array) -> bool: ...


class Trail:
    """Records the iterates of a run that asked for them, 8 bytes a number."""

    def __init__(self) -> None:
        self.alphas = array("d")
        self.betas = array("d")

    def add(self, alpha: float, beta: Array) -> None:
        self.alphas.append(alpha)
        self.betas.extend(beta[0])

    def arrays(self, n: int) -> tuple[Array, Array]:
        """α of each iterate, and β of each as a row: k + 1 values and (k + 1) × n."""
        alphas = np.asarray(self.alphas, dtype=np.float64)
        return alphas, np.asarray(self.betas, dtype=np.float64).reshape(-1, n)


@dataclass(frozen=True, eq=False)  # holds an array: compared by identity
class End:
    """Where a run ended: (α, β) after its last step, and how many steps it took."""

    alpha: float
    beta: Array  # 1×n
    iterations: int


def descend(
    evaluate: Evaluate,
    start: tuple[float, Array],
    lr: float,
    iterations: int,
    watch: Watch,
    trail: Trail | None = None,
) -> End:
    """Step α ← α − η ∂J/∂α, β ← β − η ∂J/∂β from `start` (α, β as a 1×n row) until the
    watch says stop or `iterations` steps are taken; `trail` records every iterate."""
    alpha, beta = start
    cost, grad_alpha, grad_beta = evaluate(alpha, beta)
    going = watch.begin(cost, grad_alpha, grad_beta)
    step = 0
    if trail is not None:
        trail.add(alpha, beta)
    with np.errstate(over="ignore", invalid="ignore"):  # watches judge non-finite costs
        while going and step < iterations:
            alpha -= lr * grad_alpha
            beta = beta - lr * grad_beta
            cost, grad_alpha, grad_beta = evaluate(alpha, beta)
            step += 1
            going = watch.check(step, cost, grad_alpha, grad_beta)
            if trail is not None:
                trail.add(alpha, beta)
    return End(alpha, beta, step)
