"""`derive run` end to end: real public data, the JSON contract, exit codes and messages."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from derive.cli.main import cli
from derive.present.run_report import DelayedProgress

DATA = Path(__file__).parent / "data"
KEYS = {
    "alpha",
    "beta",
    "cost",
    "iterations",
    "converged",
    "lr",
    "lr_max",
    "reference",
    "dropped",
    "files",
}

# NIST StRD certified values for the Longley data (TOTEMP on the six other columns).
LONGLEY_CERTIFIED = {
    "alpha": -3482258.63459582,
    "GNPDEFL": 15.0618722713733,
    "GNP": -0.358191792925910e-01,
    "UNEMP": -2.02022980381683,
    "ARMED": -1.03322686717359,
    "POP": -0.511041056535807e-01,
    "YEAR": 1829.15146461355,
}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def relative_differences(record: dict[str, Any], expected: dict[str, float]) -> list[float]:
    got = {"alpha": record["alpha"], **record["beta"]}
    return [abs(got[k] - v) / abs(v) for k, v in expected.items()]


def flat(coefficients: dict[str, Any]) -> dict[str, float]:
    return {"alpha": coefficients["alpha"], **coefficients["beta"]}


def lstsq(path: Path, target: str) -> dict[str, float]:
    """numpy.linalg.lstsq on X̃ = [1 X] of the raw file: an oracle independent of derive."""
    names = path.read_text().splitlines()[0].split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    y = table[:, names.index(target)]
    X = np.delete(table, names.index(target), axis=1)
    theta = np.linalg.lstsq(np.hstack([np.ones((len(X), 1)), X]), y, rcond=None)[0]
    features = [n for n in names if n != target]
    return {"alpha": theta[0], **dict(zip(features, theta[1:], strict=True))}


@pytest.fixture(scope="module")
def longley(runner: CliRunner) -> dict[str, Any]:
    return run_json(runner, str(DATA / "longley.csv"), "--target", "TOTEMP", "--standardize")


def test_longley_agrees_with_the_certified_least_squares_values(longley: dict[str, Any]) -> None:
    assert longley["converged"] is True
    assert max(relative_differences(longley, LONGLEY_CERTIFIED)) < 1e-6


def test_longley_reference_is_the_certified_solution(longley: dict[str, Any]) -> None:
    reference = longley["reference"]
    assert max(relative_differences(reference, LONGLEY_CERTIFIED)) < 1e-9


@pytest.mark.parametrize(
    ("name", "target"), [("stackloss", "STACKLOSS"), ("diabetes", "progression")]
)
def test_public_data_sets_agree_with_lstsq(runner: CliRunner, name: str, target: str) -> None:
    path = DATA / f"{name}.csv"
    record = run_json(runner, str(path), "--target", target, "--standardize")
    assert record["converged"] is True
    assert max(relative_differences(record, lstsq(path, target))) < 1e-6


def test_json_has_exactly_the_documented_keys(longley: dict[str, Any]) -> None:
    assert set(longley) == KEYS
    assert set(longley["reference"]) == {"alpha", "beta"}
    assert list(longley["beta"]) == ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    assert list(longley["reference"]["beta"]) == list(longley["beta"])
    assert isinstance(longley["iterations"], int)
    assert 0 < longley["lr"] < longley["lr_max"]
    assert longley["cost"] > 0


def test_text_output_names_features_and_the_largest_difference(runner: CliRunner) -> None:
    path = str(DATA / "stackloss.csv")
    result = runner.invoke(cli, ["run", path, "--target", "STACKLOSS", "--standardize"])
    assert result.exit_code == 0, result.output
    assert "converged after" in result.stdout
    assert "β AIRFLOW" in result.stdout
    assert "largest relative difference from least squares" in result.stdout
    assert "nan" not in result.stdout.lower()


def test_chosen_features_only(runner: CliRunner) -> None:
    path = str(DATA / "longley.csv")
    record = run_json(
        runner, path, "--target", "TOTEMP", "--features", "GNP, YEAR", "--standardize"
    )
    assert list(record["beta"]) == ["GNP", "YEAR"]


def test_running_out_of_iterations_exits_1_and_says_so(runner: CliRunner) -> None:
    path = str(DATA / "longley.csv")
    result = runner.invoke(cli, ["run", path, "--target", "TOTEMP", "--iterations", "50"])
    assert result.exit_code == 1
    assert "did not converge in 50 iterations" in result.stdout
    assert "condition number" in result.stdout


def test_not_converged_json_still_prints_the_object(runner: CliRunner) -> None:
    path = str(DATA / "longley.csv")
    result = runner.invoke(cli, ["run", path, "--target", "TOTEMP", "--iterations", "5", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["converged"] is False


def test_a_rate_above_the_bound_exits_1_with_the_bound(runner: CliRunner) -> None:
    path = str(DATA / "stackloss.csv")
    result = runner.invoke(cli, ["run", path, "--target", "STACKLOSS", "--lr", "5"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "stability bound 2/λmax = " in result.stderr
    assert "nan" not in result.stderr.lower()


def test_a_singular_column_warns_and_the_run_still_converges(
    runner: CliRunner, tmp_path: Path
) -> None:
    rows = (DATA / "stackloss.csv").read_text().splitlines()
    doubled = [f"{row},{row.split(',')[1]}" for row in rows[1:]]
    path = tmp_path / "doubled.csv"
    path.write_text("\n".join([rows[0] + ",AIRFLOW2", *doubled]) + "\n")
    args = ["--target", "STACKLOSS", "--standardize"]
    result = runner.invoke(cli, ["run", str(path), *args, "--json"])
    assert result.exit_code == 0, result.output
    assert "Warning: the minimiser is not unique" in result.stderr
    assert "'AIRFLOW' and 'AIRFLOW2' are identical" in result.stderr
    record = json.loads(result.stdout)
    plain = run_json(runner, str(DATA / "stackloss.csv"), *args)
    assert record["cost"] == pytest.approx(plain["cost"], rel=1e-9)
    total = record["beta"]["AIRFLOW"] + record["beta"]["AIRFLOW2"]
    assert total == pytest.approx(plain["beta"]["AIRFLOW"], rel=1e-6)
    assert max(relative_differences(record, flat(record["reference"]))) < 1e-6


def test_a_constant_column_unstandardized_matches_the_least_norm_reference(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "constant.csv"
    path.write_text("x,c,y\n1,5,2.1\n2,5,3.9\n3,5,6.2\n4,5,7.8\n")
    result = runner.invoke(cli, ["run", str(path), "--target", "y", "--json"])
    assert result.exit_code == 0, result.output
    assert "'c' is constant" in result.stderr
    record = json.loads(result.stdout)
    assert max(relative_differences(record, flat(record["reference"]))) < 1e-6


@pytest.mark.parametrize(
    ("text", "args", "needle"),
    [
        (None, [], "no such file"),
        ("", [], "is empty"),
        ("x,y\n", [], "no data rows"),
        ("x,y\n1,2\n2,3\n", ["--target", "z"], "no column 'z'"),
        ("x,y\n1,2\n2,3\n", ["--features", "w"], "no feature column 'w'"),
        ("x,y\n1,2\n2,oops\n", [], "line 3, column 'y': 'oops' is not a number"),
        ("x,y\n1,2\n2,inf\n", [], "'inf' is not a finite number"),
        ("x,y\n1,2\n2,NaN\n", [], "'NaN' is not a finite number"),
        ("x,y\n1,2\n2,3,4\n", [], "line 3: 3 cells"),
        ("x,y\n1,2\n", [], "only one data row"),
        ("a,b,y\n1,2,3\n2,3,4\n", [], "2 rows are too few for 2 features"),
        ("x,y\n1,2\n2,3\n", ["--plot", "curve.gif"], "must end in .png, .svg or .pdf"),
    ],
)
def test_bad_data_exit_2_with_one_line(
    runner: CliRunner, tmp_path: Path, text: str | None, args: list[str], needle: str
) -> None:
    path = tmp_path / "data.csv"
    if text is not None:
        path.write_text(text)
    target = [] if "--target" in args else ["--target", "y"]
    result = runner.invoke(cli, ["run", str(path), *target, *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")
    assert needle in result.stderr


@pytest.mark.parametrize("rate", ["0", "-1", "fast", "nan"])
def test_a_bad_learning_rate_is_a_usage_error(runner: CliRunner, rate: str) -> None:
    path = str(DATA / "stackloss.csv")
    result = runner.invoke(cli, ["run", path, "--target", "STACKLOSS", "--lr", rate])
    assert result.exit_code == 2
    assert "neither 'auto' nor a positive number" in result.stderr


def test_plot_writes_the_cost_curve(runner: CliRunner, tmp_path: Path) -> None:
    path = str(DATA / "stackloss.csv")
    target = tmp_path / "curve.svg"
    args = ["run", path, "--target", "STACKLOSS", "--standardize", "--plot", str(target)]
    assert runner.invoke(cli, args).exit_code == 0
    first = target.read_bytes()
    assert runner.invoke(cli, args).exit_code == 0
    assert target.read_bytes() == first
    assert b"<svg" in first
    assert [p.name for p in tmp_path.iterdir()] == ["curve.svg"]  # 3 features: no contours


def test_plot_of_two_features_also_writes_the_contours_the_same_each_run(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "example.csv"
    data.write_text("x1,x2,y\n0,1,2\n1,0,2\n2,2,6\n3,1,5\n")
    args = ["run", str(data), "--target", "y", "--plot", str(tmp_path / "x.svg")]
    assert runner.invoke(cli, args).exit_code == 0
    written = {p.name: p.read_bytes() for p in tmp_path.glob("x*.svg")}
    assert set(written) == {"x.svg", "x-contour.svg"}
    assert runner.invoke(cli, args).exit_code == 0
    assert {p.name: p.read_bytes() for p in tmp_path.glob("x*.svg")} == written
    root = ElementTree.fromstring(written["x-contour.svg"])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert written["x-contour.svg"] != written["x.svg"]


def test_plot_help_names_the_contour_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["run", "--help"])
    assert "-contour" in result.output


def test_a_refused_run_leaves_an_existing_plot_alone(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "curve.png"
    target.write_bytes(b"earlier figure")
    path = str(DATA / "stackloss.csv")
    args = ["run", path, "--target", "STACKLOSS", "--lr", "5", "--plot", str(target)]
    assert runner.invoke(cli, args).exit_code == 1
    assert target.read_bytes() == b"earlier figure"


def test_progress_bar_appears_only_after_the_delay() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    with DelayedProgress(1000, delay=3600.0, console=console) as waiting:
        waiting(10, 0.5)
    assert stream.getvalue() == ""
    with DelayedProgress(1000, delay=0.0, console=console) as showing:
        showing(10, 0.5)
    assert "10/1000" in stream.getvalue()


def test_progress_bar_stays_off_a_pipe() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=False)
    with DelayedProgress(1000, delay=0.0, console=console) as progress:
        progress(10, 0.5)
    assert stream.getvalue() == ""


def test_the_real_command_line_prints_json_only_on_stdout() -> None:
    path = str(DATA / "stackloss.csv")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "derive",
            "run",
            path,
            "--target",
            "STACKLOSS",
            "--standardize",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == KEYS
    assert "Traceback" not in done.stderr


def test_a_rate_just_below_its_bound_is_not_printed_as_equal_to_it(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["run", str(DATA / "stackloss.csv"), "--target", "STACKLOSS", "--iterations", "5"]
    )
    found = re.search(r"learning rate η = (\S+) \(bound 2/λmax = (\S+)\)", result.output)
    assert found is not None, result.output
    assert found.group(1) != found.group(2)
    assert float(found.group(1)) < float(found.group(2))
