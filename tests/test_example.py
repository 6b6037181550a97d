"""The worked example: exact and float first iterations agree; the CLI and its JSON; the
size of a teacher's example and how its numbers are shown."""

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
from derive.core.errors import InputError
from derive.math.shown_numbers import example_latex, example_text
from derive.models.notation import Segment
from derive.numeric import worked_example
from derive.numeric.first_iteration import first_iteration
from derive.numeric.worked_example import (
    DEFAULT,
    MAX_FEATURES,
    MAX_ROWS,
    float_iteration,
    load_example,
    work,
)
from derive.present.example_view import example_view
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


# --- a teacher's own example: its size, and how its numbers are shown ----------------------


def _rows(count: int, features: int = 1) -> str:
    header = ",".join(f"x{j}" for j in range(features)) + ",y\n"
    return header + "".join(
        ",".join(str((i * (j + 2)) % 7) for j in range(features)) + f",{i}\n" for i in range(count)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_rows(MAX_ROWS + 1), f"more than {MAX_ROWS} data rows"),
        (_rows(MAX_ROWS + 1, MAX_FEATURES), f"more than {MAX_ROWS} data rows"),
        (_rows(MAX_FEATURES + 2, MAX_FEATURES + 1), f"{MAX_FEATURES + 1} features"),
        (_rows(20_000, 50), "50 features"),
        (_rows(MAX_FEATURES, MAX_FEATURES), f"{MAX_FEATURES} rows are too few"),
    ],
    ids=[
        "a row too many",
        "a row too many at most features",
        "a feature too many",
        "large",
        "a row too few",
    ],
)
def test_an_example_too_large_or_too_small_exits_2_with_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    data = tmp_path / "big.csv"
    data.write_text(content)
    result = CliRunner().invoke(cli, ["example", "--example", str(data)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "derive run" in result.output or "too few" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_limits_themselves_are_accepted(tmp_path: Path) -> None:
    data = tmp_path / "limits.csv"
    data.write_text(_rows(MAX_ROWS, MAX_FEATURES))
    example = load_example(str(data))
    assert example.size == (MAX_ROWS, MAX_FEATURES)


def test_a_large_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unread(*args: object) -> None:
        raise AssertionError("read_csv was called for a file over the limits")

    monkeypatch.setattr(worked_example, "read_csv", unread)
    for name, content in (("rows", _rows(5000)), ("features", _rows(3, 40))):
        data = tmp_path / f"{name}.csv"
        data.write_text(content)
        with pytest.raises(InputError, match="derive run takes any number"):
            load_example(str(data))


def test_numbers_that_do_not_terminate_are_rounded_decimals_marked_approximately(
    tmp_path: Path,
) -> None:
    data = tmp_path / "three.csv"
    data.write_text("a,b,y\n1,2,3\n2,1,4\n4,3,8\n")  # m = 3: 1/m is 0.333…
    result = CliRunner().invoke(cli, ["example", "--example", str(data)])
    assert result.exit_code == 0, result.output
    first = result.output.split("First iteration")[1].split("Iterations with")[0]
    assert "= ≈-0.666667 [1 1 1] [2.7; 3.7; 7.3]" in first
    assert "= 0 - 0.02 · (≈-9.13333)" in first
    assert "= [0.624 ≈0.513333]" in first  # 0.1 + 0.02·(2/3)·31 exactly, then 0.513333…
    assert "rounded to 6 significant digits" in first
    assert "/" not in first.replace("(1/m)", "").replace("(2/m)", "").replace("∂J/∂", "")


def test_json_numbers_stay_numbers_when_they_do_not_terminate(tmp_path: Path) -> None:
    data = tmp_path / "three.csv"
    data.write_text("a,b,y\n1,2,3\n2,1,4\n4,3,8\n")
    result = CliRunner().invoke(cli, ["example", "--example", str(data), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["beta_next"] == [pytest.approx(0.624), pytest.approx(77 / 150, rel=1e-15)]
    assert shown["grad_alpha"] == pytest.approx(-137 / 15, rel=1e-15)
    assert isinstance(shown["cost"], float)


def test_the_default_example_shows_no_rounded_number() -> None:
    result = CliRunner().invoke(cli, ["example"])
    assert "≈" not in result.output
    assert "rounded" not in result.output


@pytest.mark.parametrize(
    ("value", "text", "latex"),
    [
        (sp.Rational(-269, 20), "-13.45", "-13.45"),
        (sp.Rational(1, 2**50), "0.00000000000000088817841970012523233890533447265625", None),
        (sp.Rational(2, 3), "≈0.666667", r"{\approx}{0.666667}"),
        (sp.Rational(-137, 15), "≈-9.13333", r"{\approx}{-9.13333}"),
        (sp.Rational(10**7, 3), "≈3333330", None),
    ],
)
def test_example_numbers_are_exact_decimals_or_marked_roundings(
    value: sp.Rational, text: str, latex: str | None
) -> None:
    assert example_text(value) == text
    if latex is not None:
        assert example_latex(value) == latex


def test_a_rounded_negative_coefficient_keeps_its_sign_after_the_mark() -> None:
    ones = sp.MatrixSymbol("u", 3, 1)
    assert example_text(sp.Rational(-2, 3) * ones) == "≈-0.666667 u"
    assert example_text(sp.Rational(-1, 2) * ones) == "-0.5 u"


def test_a_one_feature_example_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    data.write_text("x,y\n1,2\n2,3\n3,5\n4,6\n")
    result = CliRunner().invoke(cli, ["example", "--example", str(data)])
    assert result.exit_code == 0, result.output
    assert "4 examples, 1 feature (x), target y" in result.output
    assert "= [0.1] - 0.05 [-22]" in result.output


def test_the_handout_says_what_the_mark_means_when_a_number_is_rounded(
    tmp_path: Path, mean: Derivation
) -> None:
    data = tmp_path / "three.csv"
    data.write_text("a,b,y\n1,2,3\n2,1,4\n4,3,8\n")
    view = example_view(mean, work(mean, load_example(str(data)), iterations=10))
    assert Segment("math", r"\approx") in view.introduction
    assert "6 significant digits" in view.introduction[-1].value
    lines = {line.key: line for line in view.lines}
    assert lines["alpha_next"].result == r"{\approx}{0.182667}"
    default = example_view(mean, work(mean, iterations=10)).introduction
    assert "≈" not in "".join(s.value for s in default)
    assert r"\approx" not in "".join(s.value for s in default)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_an_example_file_with_another_separator_is_read_as_derive_run_reads_it(
    tmp_path: Path, sep: str
) -> None:
    data = tmp_path / "semi.csv"
    rows = ["x1,x2,y", "0,1,2", "1,0,2", "2,2,6", "3,1,5"]
    data.write_text("".join(row.replace(",", sep) + "\n" for row in rows))
    result = CliRunner().invoke(cli, ["example", "--example", str(data)])
    assert result.exit_code == 0, result.output
    assert "4 examples, 2 features (x1, x2), target y" in result.output
