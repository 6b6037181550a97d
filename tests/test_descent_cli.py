"""`derive run` on data that fit perfectly, on extreme columns, and beyond its iterations:
the exit codes that follow from the library's answers (issue 12, items 3, 4 and 10)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli.main import cli

DATA = Path(__file__).parent / "data"
M = 12
RAMP = np.linspace(1.0, 3.0, M)
NOISE = np.cos(np.arange(M) * 1.7)


def csv(path: Path, header: str, table: np.ndarray) -> str:
    """A CSV file of `table`, each number written exactly."""
    rows = "".join(",".join(repr(float(v)) for v in row) + "\n" for row in table)
    path.write_text(header + "\n" + rows)
    return str(path)


def write(path: Path, column: np.ndarray, y: np.ndarray) -> str:
    return csv(path, "x,u,y", np.column_stack([column, NOISE, y]))


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_a_perfect_fit_prints_a_cost_that_is_not_negative(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The cost of the coefficients printed, from their error (the Gram form printed
    cost J = -1.4e-14 for such data, or 5e-15 where the error gives 4e-18)."""
    X = np.random.default_rng(4).standard_normal((30, 3)) * [1, 10, 100] + [0, 5, 50]
    y = X @ [1.5, -2.0, 0.25] + 4.0
    path = csv(tmp_path / "perfect.csv", "a,b,c,y", np.column_stack([X, y]))
    done = runner.invoke(cli, ["run", path, "--target", "y", "--json"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    error = y - record["alpha"] - X @ [record["beta"][name] for name in "abc"]
    assert record["cost"] == pytest.approx(np.mean(error**2), rel=1e-6, abs=1e-28 * np.mean(y**2))


def test_a_column_near_1e200_is_standardized_and_fitted_without_a_warning(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path / "huge.csv", RAMP * 1e200, 1 + 2 * RAMP - 1.5 * NOISE)
    done = runner.invoke(cli, ["run", path, "--target", "y", "--standardize", "--json"])
    assert done.exit_code == 0, done.output
    assert "Warning" not in done.stderr
    assert json.loads(done.stdout)["beta"]["x"] == pytest.approx(2e-200, rel=1e-8)


def test_a_column_too_small_for_unstandardized_descent_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Its gradient met the tolerance, but its cost is far above least squares."""
    path = write(tmp_path / "tiny.csv", RAMP * 1e-200, 1 + 2 * RAMP - 1.5 * NOISE)
    done = runner.invoke(cli, ["run", path, "--target", "y", "--json"])
    assert done.exit_code == 1, done.output
    assert json.loads(done.stdout)["converged"] is False


def test_a_run_needing_far_more_iterations_than_allowed_exits_1_at_once(
    runner: CliRunner,
) -> None:
    done = runner.invoke(cli, ["run", str(DATA / "longley.csv"), "--target", "TOTEMP"])
    assert done.exit_code == 1
    assert "gradient descent (" not in done.stdout  # no report: no step was taken
    message = done.stderr.strip()
    assert "\n" not in message
    assert "at least 1.2e+13 iterations" in message
    assert "the limit of 1000000" in message
    assert "--standardize" in message


def test_the_report_says_why_a_run_far_above_least_squares_has_not_converged(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path / "tiny.csv", RAMP * 1e-200, 1 + 2 * RAMP - 1.5 * NOISE)
    done = runner.invoke(cli, ["run", path, "--target", "y"])
    assert done.exit_code == 1, done.output
    assert "‖∇J‖ met the tolerance, but the cost" in done.stdout
    assert not any(line.startswith("converged") for line in done.stdout.splitlines())
    # the reference is the independent, standardized one: β far from the fit's
    difference = next(line for line in done.stdout.splitlines() if "largest relative" in line)
    assert float(difference.split(":")[1].split()[0]) > 1e-3
