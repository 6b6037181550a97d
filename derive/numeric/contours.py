"""The numbers behind the contour figure: the cost over (β₁, β₂) on a grid, and where to look.

Numeric stage, between descent.py and plots.py (numeric -> descent -> contours -> plots).
For data with two features the cost is a function of (α, β₁, β₂); the figure shows the
profile cost, α at its best for each (β₁, β₂), evaluated by the derivation's generated
code in Gram form, on a region chosen to hold the descent path and the minimiser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import Moments, compiled

MARGIN = 0.12  # room around the points, as a fraction of their span on each side
SAME_SCALE_UP_TO = 4.0  # one scale on both axes while √(∂²J/∂β₁² / ∂²J/∂β₂²) is within it
WIDE = 1.5  # width / height of a region drawn with one scale, to fill a landscape figure
LEVELS = 10  # contour levels, spaced geometrically above the least cost
LABEL_EDGE = 0.05  # level values stay this fraction of the region away from its edges
LABEL_CLEARANCE = 0.06  # ... and this far from the path


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Region:
    """The rectangle of the (β₁, β₂) plane drawn, and whether both axes share one scale."""

    low: Array
    high: Array
    same_scale: bool


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Grid:
    """The profile cost `values[i, j]` at (β₁, β₂) = (`b1[j]`, `b2[i]`), as contour() takes it."""

    b1: Array
    b2: Array
    values: Array


class ProfileCost:
    """J(α*(β), β): the cost of the data with α at its best for β, by the generated code.

    The cost is quadratic, so ∂J/∂α is affine in (α, β): four evaluations of the generated
    ∂J/∂α give its value at (0, 0) and its slopes, and α*(β) is where it is zero.
    """

    def __init__(self, X: Array, y: Array, scale: Scale) -> None:
        self.function = compiled(scale).on_moments.function
        self.moments = Moments.values(X, y)
        self.m = X.shape[0]
        self.at_zero = self._grad_alpha(0.0, np.zeros(2))
        self.slope_alpha = self._grad_alpha(1.0, np.zeros(2)) - self.at_zero
        units = np.eye(2)
        self.slope_beta = np.array([self._grad_alpha(0.0, u) for u in units]) - self.at_zero

    def _grad_alpha(self, alpha: float, beta: Array) -> float:
        return scalar(self.function(alpha, beta.reshape(1, 2), *self.moments, self.m)[1])

    def best_alpha(self, beta: Array) -> float:
        """α*(β), where ∂J/∂α = 0."""
        return -(self.at_zero + float(self.slope_beta @ beta)) / self.slope_alpha

    def __call__(self, beta: Array) -> float:
        row = beta.reshape(1, 2)
        return scalar(self.function(self.best_alpha(beta), row, *self.moments, self.m)[0])

    def curvature(self) -> Array:
        """∂²J/∂β₁² and ∂²J/∂β₂² of the profile cost: second differences, exact for a quadratic."""
        middle = self(np.zeros(2))
        return np.array([self(unit) + self(-unit) - 2 * middle for unit in np.eye(2)])

    def grid(self, region: Region, points: int) -> Grid:
        """The profile cost at `points` × `points` places spread evenly over the region.

        The profile cost is quadratic in β (α*(β) is affine), so six evaluations of the
        generated code around the region's centre give its value, slopes and curvatures
        there exactly, and the grid is that quadratic evaluated for every place at once.
        """
        b1 = np.linspace(region.low[0], region.high[0], points)
        b2 = np.linspace(region.low[1], region.high[1], points)
        centre, half = (region.low + region.high) / 2, (region.high - region.low) / 2
        s, t = np.meshgrid((b1 - centre[0]) / half[0], (b2 - centre[1]) / half[1])
        middle, (g1, g2), (h11, h22, h12) = self._expansion(centre, half)
        values = middle + g1 * s + g2 * t + h11 / 2 * s**2 + h12 * s * t + h22 / 2 * t**2
        return Grid(b1, b2, values)

    def _expansion(self, centre: Array, half: Array) -> tuple[float, Array, Array]:
        """The value at `centre`, the slopes and (∂₁₁, ∂₂₂, ∂₁₂) curvatures there, in steps of
        `half` along each axis: central differences, exact for a quadratic."""
        middle = self(centre)
        steps = np.diag(half)
        ahead = np.array([self(centre + step) for step in steps])
        behind = np.array([self(centre - step) for step in steps])
        slopes = (ahead - behind) / 2
        bends = ahead + behind - 2 * middle
        mixed = self(centre + half) - middle - slopes.sum() - bends.sum() / 2
        return middle, slopes, np.array([*bends, mixed])


def region(points: Array, curvature: Array) -> Region:
    """Room for the points (k × 2) and a margin. Both axes share one scale, so that the
    contours keep their true shape, when the cost curves along them within a factor of
    SAME_SCALE_UP_TO² (`curvature`: ∂²J/∂β₁², ∂²J/∂β₂²); the region is then WIDE times
    wider than high, to fill the figure. Otherwise each axis has the scale of its points."""
    low, high = points.min(axis=0), points.max(axis=0)
    size = np.abs(points).max(axis=0)
    size[size == 0] = 1.0
    span = np.where(high - low > 1e-6 * size, high - low, size / 2)  # a lone value: room
    span = span * (1 + 2 * MARGIN)
    bend = np.sqrt(np.maximum(curvature, 0.0))
    same_scale = bool(bend.min() > 0 and bend.max() <= SAME_SCALE_UP_TO * bend.min())
    if same_scale:
        height = max(float(span[1]), float(span[0]) / WIDE)
        span = np.array([height * WIDE, height])
    centre = (low + high) / 2
    return Region(centre - span / 2, centre + span / 2, same_scale)


def levels(least: float, most: float, count: int = LEVELS) -> Array:
    """Levels spaced geometrically above the least value, rounded to two significant
    digits where that keeps them apart and above it, so that their labels read plainly."""
    spread = most - least if most > least else max(abs(least), 1.0)
    exact = least + spread * np.geomspace(2e-3, 0.8, count)
    rounded = np.array([float(f"{level:.2g}") for level in exact])
    if np.all(rounded > least) and np.all(np.diff(rounded) > 0):
        return rounded
    return exact


def label_places(
    cost: ProfileCost, centre: Array, region: Region, at: Array, avoid: Array
) -> Array:
    """Where to write the values of the levels `at`: where they cross a ray from the
    minimiser `centre`, of the eight rays (in the figure's proportions) the one that keeps
    most of them inside the region and clear of the points `avoid` (the drawn path)."""
    span = region.high - region.low
    lowest = cost(centre)
    seen = (avoid - region.low) / span
    best = np.empty((0, 2))
    for angle in np.arange(8) * np.pi / 4:
        direction = np.array([np.cos(angle), np.sin(angle)]) * span
        rise = cost(centre + direction) - lowest  # J = lowest + rise·t² along the ray
        if rise <= 0:
            continue
        reach = np.sqrt(np.maximum(at - lowest, 0.0) / rise)
        places = centre + reach[:, None] * direction
        placed = (places - region.low) / span
        inside = np.all((placed > LABEL_EDGE) & (placed < 1 - LABEL_EDGE), axis=1)
        nearest = np.sqrt(((placed[:, None, :] - seen[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        keep = places[inside & (at > lowest) & (nearest > LABEL_CLEARANCE)]
        if len(keep) > len(best):
            best = keep
    return best
