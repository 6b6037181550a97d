"""The figures: valid, reproducible bytes, what each one shows, atomic files, clear errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from derive.core.errors import InputError
from derive.present import figure_files, plots

COSTS = 5 * np.exp(-np.arange(300) / 30) + 0.01


def save_cost(costs: np.ndarray, path: Path) -> Path:
    return figure_files.save(plots.cost_figure(costs), path)


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_the_same_costs_give_the_same_bytes(tmp_path: Path, kind: str) -> None:
    first = save_cost(COSTS, tmp_path / f"a.{kind}").read_bytes()
    second = save_cost(COSTS, tmp_path / f"b.{kind}").read_bytes()
    assert first == second
    assert len(first) > 1000


def test_svg_has_a_log_scale_and_no_date(tmp_path: Path) -> None:
    text = save_cost(COSTS, tmp_path / "c.svg").read_text()
    assert "<dc:date>" not in text
    assert "<!-- 10⁰ -->" in text  # a tick label of the log axis, drawn as plain text


def test_a_figure_replaces_an_existing_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "curve.png"
    target.write_bytes(b"old")
    save_cost(COSTS, target)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


def test_a_failed_write_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "curve.png"
    target.write_bytes(b"old figure")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save_cost(COSTS, target)
    assert target.read_bytes() == b"old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("curve.jpg", "must end in .png, .svg or .pdf"),
        ("missing/curve.png", "does not exist"),
        ("folder.png", "is a folder, not a file"),
    ],
)
def test_unusable_targets_are_input_errors(tmp_path: Path, name: str, needle: str) -> None:
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(InputError, match=needle):
        figure_files.check_target(tmp_path / name)


def test_zero_costs_are_left_out_of_the_log_scale(tmp_path: Path) -> None:
    path = save_cost(np.array([4.0, 1.0, 0.0]), tmp_path / "zero.png")
    assert path.stat().st_size > 1000


# --- the figures of issue 5, on the 4×2 example ---------------------------------------

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
Y = np.array([2.0, 2.0, 6.0, 5.0])
LEAST_COST = 0.0625  # J at α = 0.75, β = (1, 1.5), where y − ŷ = ±0.25
DESIGN = np.hstack([np.ones((4, 1)), X])  # X̃ = [1 X]
BOUND = 2 / np.linalg.eigvalsh(2 / 4 * DESIGN.T @ DESIGN).max()  # 2/λmax(H), about 0.1896


def descend(lr: float, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """α, β and J of each iterate from α = 0, β = (0.1, 0.1), stepped by hand in NumPy:
    an oracle independent of derive, which lets a run go past the bound."""
    alpha, beta = 0.0, np.array([0.1, 0.1])
    alphas, betas, costs = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps + 1):
            error = Y - alpha - X @ beta
            alphas.append(alpha)
            betas.append(beta)
            costs.append(np.mean(error**2))
            alpha, beta = alpha + lr * 2 * error.mean(), beta + lr * 2 / 4 * (X.T @ error)
    return np.array(alphas), np.array(betas), np.array(costs)


def cost_figure() -> Figure:
    return plots.cost_figure(descend(0.1, 200)[2], minimum=LEAST_COST)


def contour_figure() -> Figure:
    alphas, betas, _ = descend(0.1, 200)
    return plots.contour_figure(X, Y, alphas, betas)


def learning_rate_figure() -> Figure:
    rates = (0.05, 0.1, 0.18, 1.01 * BOUND)
    return plots.learning_rate_figure(
        [(lr, descend(lr, 150)[2]) for lr in rates], bound=BOUND, minimum=LEAST_COST
    )


FIGURES = {"cost": cost_figure, "contour": contour_figure, "learning rate": learning_rate_figure}


def lines(figure: Figure) -> dict[str, Line2D]:
    return {str(line.get_label()): line for line in figure.axes[0].get_lines()}


def data(line: Line2D) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_is_an_svg_with_drawn_paths(name: str) -> None:
    root = ElementTree.fromstring(figure_files.figure_bytes(FIGURES[name](), "svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    drawn = [p.get("d", "") for p in root.iter("{http://www.w3.org/2000/svg}path")]
    assert sum(1 for d in drawn if len(d) > 20) > 20  # curves, axes and text as outlines


@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_is_a_one_page_pdf(name: str) -> None:
    pdf = figure_files.figure_bytes(FIGURES[name](), "pdf")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") == 1
    assert b"CreationDate" not in pdf
    assert b"Matplotlib" not in pdf  # no producer or version


@pytest.mark.parametrize("kind", ["svg", "pdf", "png"])
@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_gives_the_same_bytes_twice(name: str, kind: str) -> None:
    first, second = FIGURES[name](), FIGURES[name]()
    assert figure_files.figure_bytes(first, kind) == figure_files.figure_bytes(second, kind)


def test_an_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="png, svg or pdf, not 'jpg'"):
        figure_files.figure_bytes(cost_figure(), "jpg")


def test_every_figure_has_a_title_and_labelled_axes() -> None:
    for name, build in FIGURES.items():
        figure = build()
        axes = figure.axes[0]
        assert figure.get_suptitle(), name
        assert axes.get_xlabel(), name
        assert axes.get_ylabel(), name


def test_the_cost_figure_shows_the_excess_over_the_least_cost_on_a_log_scale() -> None:
    costs = descend(0.1, 200)[2]
    figure = plots.cost_figure(costs, minimum=LEAST_COST)
    axes = figure.axes[0]
    steps, shown = data(next(iter(lines(figure).values())))
    assert axes.get_yscale() == "log"
    assert "J − J*" in axes.get_ylabel()
    assert "0.0625" in axes.get_ylabel()
    assert np.allclose(shown, costs[steps.astype(int)] - LEAST_COST, rtol=1e-12)
    assert np.all(shown > 0)
    assert shown[-1] < 1e-8 * shown[0]  # far below where J itself levels off


def test_the_cost_figure_leaves_out_rounding_noise_below_the_least_cost() -> None:
    costs = np.array([2.0, 1.5, 1.0 + 1e-3, 1.0 + 1e-17, 1.0 - 1e-16, 1.0])
    steps, _ = data(next(iter(lines(plots.cost_figure(costs, minimum=1.0)).values())))
    assert steps.tolist() == [0, 1, 2]


def test_a_long_run_is_drawn_through_a_sample_that_keeps_its_ends() -> None:
    costs = np.exp(-np.arange(1_000_000) / 1e5) + 1e-9
    steps, shown = data(next(iter(lines(plots.cost_figure(costs)).values())))
    assert len(steps) <= 2000
    assert steps[0] == 0
    assert steps[-1] == len(costs) - 1
    assert shown[-1] == costs[-1]


def test_the_learning_rate_figure_keeps_a_diverging_curve_until_it_leaves_the_axes() -> None:
    figure = learning_rate_figure()
    low, high = figure.axes[0].get_ylim()
    above = lines(figure)["η = 0.1915 (1.01 × bound)"]
    steps, shown = data(above)
    assert len(steps) > 10  # the rising part is drawn, not dropped
    assert np.all(np.diff(shown[5:]) > 0)
    assert shown[-2] <= high < shown[-1]  # its last segment crosses the top of the axes
    below = data(lines(figure)["η = 0.18 (0.95 × bound)"])[1]
    assert low <= below.min()
    assert below.max() <= high


def test_non_finite_costs_are_clipped_to_just_above_the_axes() -> None:
    curves = [(0.1, [10.0, 1.0, 0.1]), (0.3, [10.0, 80.0, 1e300, np.inf, np.nan])]
    figure = plots.learning_rate_figure(curves, bound=0.2)
    _, high = figure.axes[0].get_ylim()
    steps, shown = data(lines(figure)["η = 0.3 (1.50 × bound)"])
    assert np.all(np.isfinite(shown))
    assert steps.tolist() == [0, 1, 2]
    assert shown[1] <= high < shown[2]


@pytest.mark.parametrize(
    ("lr", "label"),
    [
        (0.19, "η = 0.19 (1.002 × bound)"),
        (0.1, "η = 0.1 (0.53 × bound)"),
        (0.1896, "η = 0.1896 (0.9999 × bound)"),
    ],
)
def test_each_rate_is_labelled_with_its_ratio_to_the_bound(lr: float, label: str) -> None:
    figure = plots.learning_rate_figure([(lr, descend(lr, 20)[2])], bound=BOUND)
    assert list(lines(figure)) == [label]


def test_the_rates_are_told_apart_by_line_style_and_marker_not_colour_alone() -> None:
    drawn = list(lines(learning_rate_figure()).values())
    assert len({line.get_linestyle() for line in drawn}) == len(drawn)
    assert len({line.get_marker() for line in drawn}) == len(drawn)


def test_the_contour_plot_marks_the_least_squares_minimiser_and_the_path_ends() -> None:
    alphas, betas, _ = descend(0.1, 200)
    drawn = lines(plots.contour_figure(X, Y, alphas, betas))
    assert np.allclose(np.ravel(data(drawn["least-squares minimiser"])), [1.0, 1.5])
    assert np.ravel(data(drawn["start, k = 0 (α = 0)"])).tolist() == [0.1, 0.1]
    assert np.allclose(np.ravel(data(drawn["end, k = 200 (α = 0.75)"])), betas[-1])
    path_x, path_y = data(drawn["descent path (β of each iterate)"])
    assert np.array_equal(np.column_stack([path_x, path_y]), betas)


def test_the_contour_plot_holds_the_path_and_the_minimiser_with_a_margin() -> None:
    alphas, betas, _ = descend(0.1, 200)
    axes = plots.contour_figure(X, Y, alphas, betas).axes[0]
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    points = np.vstack([betas, [[1.0, 1.5]]])
    assert x0 < points[:, 0].min() - 0.05
    assert points[:, 0].max() + 0.05 < x1
    assert y0 < points[:, 1].min() - 0.05
    assert points[:, 1].max() + 0.05 < y1
    assert axes.get_aspect() == 1.0  # one scale on both axes: the contours' true shape


def test_the_contour_plot_says_the_bias_is_at_its_best() -> None:
    alphas, betas, _ = descend(0.1, 5)
    axes = plots.contour_figure(X, Y, alphas, betas).axes[0]
    assert "bias α at its best for each (β₁, β₂)" in axes.get_title()


def test_a_long_path_is_drawn_through_its_early_iterates_and_a_spread_of_later_ones() -> None:
    alphas, betas, _ = descend(0.01, 20_000)
    drawn = lines(plots.contour_figure(X, Y, alphas, betas))
    path = np.column_stack(data(drawn["descent path (β of each iterate)"]))
    assert len(path) <= 400
    assert np.array_equal(path[:100], betas[:100])
    assert np.array_equal(path[-1], betas[-1])
    assert "end, k = 20000 (α = 0.75)" in drawn


@pytest.mark.parametrize("columns", [[0], [0, 1, 1]])
def test_the_contour_plot_needs_exactly_two_features(columns: list[int]) -> None:
    X3 = X[:, columns] + np.arange(4)[:, None] * np.arange(len(columns))  # full rank
    with pytest.raises(InputError, match=f"exactly 2 features, not {len(columns)}"):
        plots.contour_figure(X3, Y, [0.0], np.zeros((1, len(columns))))


@pytest.mark.parametrize(
    ("alphas", "betas", "needle"),
    [
        ([0.0, 1.0], [[0.0, 0.0]], "2 values of α for 1 iterates"),
        ([0.0], [[0.0, 0.0, 0.0]], "one (β₁, β₂) row per iterate"),
        ([0.0, np.inf], [[0.0, 0.0], [1.0, np.nan]], "diverged run"),
    ],
)
def test_an_unusable_path_is_an_input_error(alphas: list[float], betas: Any, needle: str) -> None:
    with pytest.raises(InputError, match=re.escape(needle)):
        plots.contour_figure(X, Y, alphas, betas)


def test_save_writes_the_bytes_of_the_format_its_suffix_names(tmp_path: Path) -> None:
    figure = cost_figure()
    path = figure_files.save(figure, tmp_path / "cost.PDF")
    assert path.read_bytes() == figure_files.figure_bytes(figure, "pdf")


@pytest.mark.parametrize(
    ("draw", "needle"),
    [
        (lambda: plots.contour_figure(X, Y, [0.0], [[0.0, 0.0]], scale="1/m²"), "unknown cost"),
        (lambda: plots.learning_rate_figure([(0.1, [1.0])], bound=0.0), "positive number"),
        (lambda: plots.learning_rate_figure([], bound=0.2), "at least one curve"),
        (lambda: plots.cost_figure([]), "no costs to draw"),
        (lambda: plots.cost_figure([1.0], minimum=np.nan), "finite number"),
    ],
)
def test_unusable_figure_settings_are_input_errors(draw: Any, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        draw()


@pytest.mark.parametrize("costs", [[400.0, 340.0, 200.0, 110.0], [8.6, 8.55, 8.52, 8.515]])
def test_a_cost_within_a_decade_still_has_numbers_on_its_axis(costs: list[float]) -> None:
    figure = plots.cost_figure(costs)
    figure.canvas.draw()
    low, high = figure.axes[0].get_ylim()
    labelled = [
        float(label.get_text())
        for label, at in zip(
            figure.axes[0].get_yticklabels(), figure.axes[0].get_yticks(), strict=True
        )
        if label.get_text() and low <= at <= high
    ]
    assert len(labelled) >= 2, labelled


# --- a path that zig-zags near the bound is drawn finer (issue 12, item 7) ----------------


def test_a_path_that_zig_zags_near_the_bound_is_drawn_finer_and_lighter() -> None:
    """At 0.97 of the bound every step reverses the one before, and the path crosses the
    valley hundreds of times: at the width of an ordinary path it covered the minimiser."""
    straight = lines(contour_figure())["descent path (β of each iterate)"]
    alphas, betas, _ = descend(0.97 * BOUND, 350)
    drawn = lines(plots.contour_figure(X, Y, alphas, betas))
    zigzag = drawn["descent path (β of each iterate)"]
    assert zigzag.get_linewidth() <= straight.get_linewidth() / 2
    assert zigzag.get_markersize() <= straight.get_markersize() / 1.5
    assert zigzag.get_alpha() is not None
    assert zigzag.get_alpha() < 1
    assert straight.get_alpha() is None  # an ordinary path is drawn as before
    path = np.column_stack(data(zigzag))
    assert np.array_equal(path, betas)  # thinner, but every iterate is still drawn


@pytest.mark.parametrize(
    ("lr", "steps", "expected"),
    [(0.1, 200, False), (0.5 * BOUND, 200, False), (0.97 * BOUND, 350, True)],
)
def test_a_zig_zag_is_many_visible_reversals_of_direction(
    lr: float, steps: int, expected: bool
) -> None:
    assert plots.zigzags(descend(lr, steps)[1]) is expected


def test_a_few_wide_zig_zags_keep_the_ordinary_path() -> None:
    """Five crossings read well at the ordinary width: not a zig-zag to thin out."""
    path = np.array([[(-0.5) ** k, 0.0] for k in range(6)])
    assert not plots.zigzags(path)
    assert plots.zigzags(np.array([[(-0.99) ** k, 0.0] for k in range(60)]))
