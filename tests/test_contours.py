"""The numbers of the contour figure: the profile cost against NumPy, the region, levels."""

from __future__ import annotations

import numpy as np
import pytest

from derive.models.linear import Scale
from derive.numeric import contours

RNG = np.random.default_rng(5)
X = RNG.standard_normal((30, 2)) * [1.0, 3.0] + [2.0, -1.0]
Y = (X @ [0.7, -0.4] + 1.5 + 0.2 * RNG.standard_normal(30)).reshape(-1, 1)
FACTOR = {Scale.MEAN: 1.0, Scale.HALF_MEAN: 0.5}


def profile(beta: np.ndarray, scale: Scale) -> float:
    """min over α of c·Σ(y − α − Xβ)², written out in NumPy: the best α is the mean residual."""
    residual = Y[:, 0] - X @ beta
    return FACTOR[scale] * float(np.mean((residual - residual.mean()) ** 2))


@pytest.mark.parametrize("scale", [Scale.MEAN, Scale.HALF_MEAN])
def test_the_profile_cost_is_the_cost_minimised_over_the_bias(scale: Scale) -> None:
    cost = contours.ProfileCost(X, Y, scale)
    for beta in RNG.standard_normal((20, 2)) * 3:
        assert cost(beta) == pytest.approx(profile(beta, scale), rel=1e-11)
        assert cost.best_alpha(beta) == pytest.approx(np.mean(Y[:, 0] - X @ beta), rel=1e-11)


def test_the_grid_holds_the_profile_cost_row_by_row_of_beta_2() -> None:
    region = contours.Region(np.array([-1.0, 0.0]), np.array([1.0, 3.0]), same_scale=False)
    grid = contours.ProfileCost(X, Y, Scale.MEAN).grid(region, 7)
    assert grid.values.shape == (7, 7)
    assert grid.b1[[0, -1]].tolist() == [-1.0, 1.0]
    assert grid.b2[[0, -1]].tolist() == [0.0, 3.0]
    expected = profile(np.array([grid.b1[2], grid.b2[5]]), Scale.MEAN)
    assert grid.values[5, 2] == pytest.approx(expected, rel=1e-11)


@pytest.mark.parametrize(
    ("low", "high"), [((-1.0, 0.0), (1.0, 3.0)), ((0.6, -0.5), (0.8, -0.3)), ((-40, 10), (60, 90))]
)
def test_every_place_of_the_grid_is_the_profile_cost(
    low: tuple[float, float], high: tuple[float, float]
) -> None:
    region = contours.Region(np.array(low), np.array(high), same_scale=False)
    grid = contours.ProfileCost(X, Y, Scale.HALF_MEAN).grid(region, 9)
    expected = np.array(
        [[profile(np.array([u, v]), Scale.HALF_MEAN) for u in grid.b1] for v in grid.b2]
    )
    assert grid.values == pytest.approx(expected, rel=1e-9, abs=1e-12 * expected.max())


def test_a_region_holds_its_points_with_a_margin_and_fills_a_landscape_figure() -> None:
    points = np.array([[0.0, 0.0], [2.0, 1.0], [1.0, 1.5]])
    region = contours.region(points, np.array([1.0, 9.0]))
    assert region.same_scale
    width, height = region.high - region.low
    assert width / height == pytest.approx(contours.WIDE)
    assert np.all(region.low < points.min(axis=0) - 0.1)
    assert np.all(points.max(axis=0) + 0.1 < region.high)


@pytest.mark.parametrize("curvature", [[1.0, 17.0], [1.0, 0.0]])
def test_a_cost_of_very_different_curvatures_gives_each_axis_its_own_scale(
    curvature: list[float],
) -> None:
    region = contours.region(np.array([[0.0, 0.0], [100.0, 1.0]]), np.array(curvature))
    assert not region.same_scale
    width, height = region.high - region.low
    assert width == pytest.approx(100 * (1 + 2 * contours.MARGIN))
    assert height == pytest.approx(1 + 2 * contours.MARGIN)


def test_a_path_along_one_axis_keeps_one_scale_when_the_cost_curves_alike() -> None:
    region = contours.region(np.array([[0.0, 1.0], [3.0, 1.0]]), np.array([2.0, 3.0]))
    assert region.same_scale
    width, height = region.high - region.low
    assert height == pytest.approx(width / contours.WIDE)
    assert region.low[1] < 1.0 < region.high[1]


def test_a_single_point_gets_a_region_around_it() -> None:
    region = contours.region(np.array([[3.0, -2.0]]), np.ones(2))
    assert np.all(region.low < [3.0, -2.0])
    assert np.all(region.high > [3.0, -2.0])


def test_the_curvature_is_the_second_derivative_of_the_profile_cost() -> None:
    # J(β) − J(β*) is the mean square of the centred X(β − β*): its Hessian is 2·cov(X)
    centred = X - X.mean(axis=0)
    expected = 2 * np.mean(centred**2, axis=0)
    assert np.allclose(contours.ProfileCost(X, Y, Scale.MEAN).curvature(), expected, rtol=1e-9)


def test_levels_rise_above_the_least_value_and_read_as_short_numbers() -> None:
    at = contours.levels(0.0625, 9.3)
    assert len(at) == contours.LEVELS
    assert np.all(np.diff(at) > 0)
    assert at[0] > 0.0625
    assert all(len(f"{level:g}") <= 6 for level in at)


def test_levels_too_close_to_round_keep_their_exact_values() -> None:
    at = contours.levels(1000.0, 1000.5)
    assert at[0] > 1000.0
    assert np.all(np.diff(at) > 0)


def test_level_values_are_placed_on_their_levels_inside_the_region_away_from_the_path() -> None:
    cost = contours.ProfileCost(X, Y, Scale.MEAN)
    best = np.linalg.lstsq(np.hstack([np.ones((30, 1)), X]), Y[:, 0], rcond=None)[0][1:]
    path = best + np.linspace(0, 1, 50)[:, None] * np.array([1.0, 1.0])  # to the upper right
    region = contours.region(np.vstack([path, best]), cost.curvature())
    at = np.array([cost(best) + 0.5, cost(best) + 2.0, cost(best) + 4.0])
    places = contours.label_places(cost, best, region, at, path)
    assert len(places) >= 2
    span = region.high - region.low
    for place in places:
        assert min(abs(cost(place) - level) for level in at) < 1e-9 * at.max()
        assert np.all((place - region.low) / span > contours.LABEL_EDGE)
        assert np.all((place - region.low) / span < 1 - contours.LABEL_EDGE)
        nearest = np.min(np.linalg.norm((path - place) / span, axis=1))
        assert nearest > contours.LABEL_CLEARANCE
