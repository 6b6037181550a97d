"""The numbers behind a model example's contour figure: the cost over a plane, and the path.

Numeric stage, between model_example.py and present/model_example_figures.py, as
contours.py is for mse. With two features the plane is (β₁, β₂) and the cost there is
the profile J(α*(β), β), the intercept at its best for each pair, found by Newton's
method on the generated ∂J/∂α; with one feature it is (α, β₁) and the cost itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.numeric.arrays import Array
from derive.numeric.contours import Grid, Region, region
from derive.numeric.model_example import WorkedModel
from derive.numeric.model_example_data import problem_of
from derive.numeric.model_problem import Problem, Slot

PROFILE_POINTS = 41  # contour grid points per axis


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Plane:
    """The cost over two parameters' entries for the contour figure, and the path.

    With two features, over (β₁, β₂) with the intercept at its best for each pair
    (`profile`); with one, over (α, β₁) itself. `axes` names the two entries as
    (parameter name, index from 1 or None)."""

    axes: tuple[tuple[str, int | None], tuple[str, int | None]]
    path: Array  # one (x, y) row per iterate
    intercepts: Array  # the intercept of each iterate (for the labels)
    grid: Grid
    box: Region
    profile: bool


def plane(worked: WorkedModel, points: int = PROFILE_POINTS) -> Plane | None:
    """The plane of the contour figure, or None: it needs two parameters, a 1×1 one (the
    intercept) and one of one or two entries (the weights), and a finite path."""
    declared = [s for s in worked.slots if s.quantity.shape == (sp.S.One, sp.S.One)]
    if len(worked.slots) != 2 or len(declared) != 1 or not np.isfinite(worked.run.thetas).all():
        return None
    intercept = declared[0]
    weights = next(s for s in worked.slots if s is not intercept)
    if weights.size not in (1, 2):
        return None
    problem = problem_of(worked.spec, worked.example)
    thetas = worked.run.thetas
    intercepts = thetas[:, intercept.start]
    name, wname = intercept.quantity.name, weights.quantity.name
    cost: Callable[[Array], float]
    axes: tuple[tuple[str, int | None], tuple[str, int | None]]
    if weights.size == 2:
        path = thetas[:, weights.start : weights.start + 2]
        cost = _Profile(problem, intercept, weights, thetas[-1])
        axes = ((wname, 1), (wname, 2))
    else:
        path = np.column_stack([intercepts, thetas[:, weights.start]])
        cost = _Direct(problem, intercept, weights)
        axes = ((name, None), (wname, None))
    box = region(path, _bends(cost, path))
    return Plane(axes, path, intercepts, _grid(cost, box, points), box, weights.size == 2)


class _Direct:
    """J over (intercept, weight) of a model with one feature."""

    def __init__(self, problem: Problem, intercept: Slot, weight: Slot) -> None:
        self.problem, self.intercept, self.weight = problem, intercept, weight

    def __call__(self, point: Array) -> float:
        theta = np.zeros(self.problem.size)
        theta[self.intercept.start], theta[self.weight.start] = point
        return self.problem.cost(theta)


class _Profile:
    """J(α*(β), β): the cost with the intercept at its best for the weights β, found by
    Newton's method on ∂J/∂α from the intercept found last (the grid is walked in order)."""

    def __init__(self, problem: Problem, intercept: Slot, weights: Slot, end: Array) -> None:
        self.problem, self.intercept, self.weights = problem, intercept, weights
        self.guess = float(end[intercept.start])

    def _theta(self, alpha: float, beta: Array) -> Array:
        theta = np.zeros(self.problem.size)
        theta[self.intercept.start] = alpha
        theta[self.weights.start : self.weights.start + 2] = beta
        return theta

    def __call__(self, beta: Array) -> float:
        alpha, at = self.guess, self.intercept.start
        cost, gradient = self.problem.evaluate(self._theta(alpha, beta))
        for _ in range(50):
            slope = float(gradient[at])
            h = 1e-6 * max(1.0, abs(alpha))
            bend = (float(self.problem.evaluate(self._theta(alpha + h, beta))[1][at]) - slope) / h
            move = -slope / bend if bend > 0 else -math.copysign(max(1.0, abs(alpha)), slope)
            for _ in range(40):  # a Newton step that does not lower J is halved
                new_cost, new_gradient = self.problem.evaluate(self._theta(alpha + move, beta))
                if np.isfinite(new_cost) and new_cost <= cost:
                    break
                move /= 2
            else:
                break
            alpha, cost, gradient = alpha + move, new_cost, new_gradient
            if abs(move) <= 1e-12 * max(1.0, abs(alpha)):
                break
        if np.isfinite(alpha):
            self.guess = alpha
        return float(cost)


def _bends(cost: Callable[[Array], float], path: Array) -> Array:
    """The second differences of the cost along each axis at the end of the path, in steps
    of a tenth of the path's extent (for the region's choice of one scale or two)."""
    end = path[-1]
    span = np.abs(path.max(axis=0) - path.min(axis=0))
    steps = np.where(span > 0, span / 10, 0.1)
    middle = cost(end)
    return np.array(
        [
            (cost(end + unit * h) + cost(end - unit * h) - 2 * middle) / h**2
            for unit, h in zip(np.eye(2), steps, strict=True)
        ]
    )


def _grid(cost: Callable[[Array], float], box: Region, points: int) -> Grid:
    """The cost at `points` × `points` places spread evenly over the region, row by row."""
    b1 = np.linspace(box.low[0], box.high[0], points)
    b2 = np.linspace(box.low[1], box.high[1], points)
    values = np.empty((points, points))
    for i, second in enumerate(b2):
        order = range(points) if i % 2 == 0 else range(points - 1, -1, -1)  # walk on
        for j in order:
            values[i, j] = cost(np.array([b1[j], second]))
    return Grid(b1, b2, values)
