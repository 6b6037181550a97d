"""The worked example: exact and float first iterations agree; the CLI and its JSON."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli.main import cli
from derive.numeric.worked_example import (
    DEFAULT,
    first_iteration,
    float_iteration,
    load_example,
    work,
)
from derive.steps.derivation import Derivation

KEYS = {
    "X",
    "y",
    "alpha",
    "beta",
    "lr",
    "prediction",
    "cost",
    "grad_alpha",
    "grad_beta",
    "alpha_next",
    "beta_next",
    "history",
}


def _as_array(value: sp.Basic) -> np.ndarray:
    return np.array(sp.ImmutableMatrix([value]).tolist(), dtype=float).reshape(-1)


def test_the_first_iteration_by_hand(mean: Derivation) -> None:
    first = first_iteration(mean, DEFAULT)
    assert first["prediction"] == sp.ImmutableMatrix([Fraction(1, 10)] * 2 + [Fraction(2, 5)] * 2)
    assert first["cost"] == sp.Rational(2987, 200)  # 14.935
    assert first["grad_alpha"] == -7
    assert first["grad_beta"] == sp.ImmutableMatrix(
        [[sp.Rational(-269, 20), sp.Rational(-177, 20)]]
    )
    assert first["alpha_next"] == sp.Rational(7, 10)
    assert first["beta_next"] == sp.ImmutableMatrix(
        [[sp.Rational(289, 200), sp.Rational(197, 200)]]
    )


@pytest.mark.parametrize("scale", ["1/m", "1/(2m)"])
def test_exact_and_generated_float_iterations_agree(scale: str) -> None:
    from derive.steps.article import derivation

    exact = first_iteration(derivation(scale), DEFAULT)
    floats = float_iteration(DEFAULT, scale)
    for key in (
        "prediction",
        "error",
        "cost",
        "grad_alpha",
        "grad_beta",
        "alpha_next",
        "beta_next",
    ):
        np.testing.assert_allclose(floats[key], _as_array(exact[key]), rtol=1e-12, err_msg=key)


def test_descent_reaches_least_squares_and_the_bound_is_2_over_lambda_max(mean: Derivation) -> None:
    worked = work(mean)
    X = np.c_[np.ones(4), np.array(DEFAULT.X, dtype=float)]
    y = np.array(DEFAULT.y, dtype=float)
    solution = np.linalg.lstsq(X, y, rcond=None)[0]
    assert worked.run.converged
    np.testing.assert_allclose(
        [worked.run.alphas[-1], *worked.run.betas[-1]], solution, rtol=1e-8, atol=1e-9
    )
    hessian = 2 / 4 * X.T @ X
    assert worked.bound == pytest.approx(2 / np.linalg.eigvalsh(hessian).max(), rel=1e-12)
    above = [c for c in worked.curves if c.lr > worked.bound]
    below = [c for c in worked.curves if c.lr < worked.bound]
    assert above
    assert all(c.diverged for c in above)
    assert below
    assert all(not c.diverged for c in below)


def test_the_iteration_table_shows_the_first_steps_then_every_kth(mean: Derivation) -> None:
    worked = work(mean)
    rows = worked.table()
    assert rows[:6] == (0, 1, 2, 3, 4, 5)
    assert rows[-1] == worked.run.iterations
    gaps = {b - a for a, b in itertools.pairwise(rows[6:-1])}
    assert len(gaps) == 1


def test_json_has_every_key_and_a_history(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["example", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data.keys() >= KEYS
    assert data["grad_beta"] == [-13.45, -8.85]
    assert data["cost"] == pytest.approx(14.935)
    history = data["history"]
    assert history[0] == {
        "iteration": 0,
        "alpha": 0.0,
        "beta": [0.1, 0.1],
        "cost": pytest.approx(14.935),
    }
    assert history[1]["alpha"] == pytest.approx(0.7)
    assert [h["iteration"] for h in history] == list(range(len(history)))


def test_text_shows_the_numbers_in_each_formula() -> None:
    result = CliRunner().invoke(cli, ["example"])
    assert result.exit_code == 0
    assert "= 0 - 0.1 · (-7)" in result.output
    assert "= [1.445 0.985]" in result.output
    assert "converged after" in result.output


def test_a_learning_rate_above_the_bound_diverges_and_exits_1() -> None:
    result = CliRunner().invoke(cli, ["example", "--lr", "0.2"])
    assert result.exit_code == 1
    assert "diverged" in result.output


@pytest.mark.parametrize("rate", ["0", "-0.1", "abc", "1e999"])
def test_a_bad_learning_rate_is_refused(rate: str) -> None:
    result = CliRunner().invoke(cli, ["example", "--lr", rate])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_users_example_from_csv(tmp_path: Path) -> None:
    data = tmp_path / "mine.csv"
    data.write_text("size,rooms,price\n1,2,3\n2,1,4\n3,3,8\n4,1,7\n5,2,9\n")
    example = load_example(str(data))
    assert example.target == "price"
    assert example.features == ("size", "rooms")
    assert example.lr > 0
    result = CliRunner().invoke(cli, ["example", "--example", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["y"] == [3, 4, 8, 7, 9]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("a,b\n", "no data"),
        ("a,b\n1,x\n2,3\n", "line 2"),
        ("a,b\n1,2\n", "one data row"),
    ],
)
def test_a_bad_example_file_exits_2_with_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    data = tmp_path / "bad.csv"
    data.write_text(content)
    result = CliRunner().invoke(cli, ["example", "--example", str(data)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
