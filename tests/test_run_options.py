"""`derive run`'s reading options, its saved files and its JSON for every outcome."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from derive.cli.main import cli
from derive.present.run_report import ReadProgress

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def small(tmp_path: Path, text: str = "x,y\n1,2\n2,3.9\n3,6.2\n4,7.8\n") -> str:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "code", "kind", "needle"),
    [
        (["--target", "z"], 2, "input", "no column 'z' for the target"),
        (
            ["--target", "y", "--lr", "5"],
            1,
            "diverged",
            "Diverged: the learning rate 5 is at or above",
        ),
        (["--target", "y", "--lr", "fast"], 2, "usage", "neither 'auto' nor a positive number"),
        ([], 2, "usage", "Missing option '--target'."),
        (["--target", "y", "--plot", "curve.gif"], 2, "input", "must end in .png, .svg or .pdf"),
        (["--target", "y", "--iterations", "1"], 1, None, "did not converge"),
    ],
)
def test_with_json_every_outcome_is_one_object_on_stdout(
    runner: CliRunner, tmp_path: Path, args: list[str], code: int, kind: str | None, needle: str
) -> None:
    result = runner.invoke(cli, ["run", small(tmp_path), *args, "--json"])
    assert result.exit_code == code
    record = json.loads(result.stdout)
    if kind is None:
        assert record["converged"] is False
        assert needle not in result.stderr
    else:
        assert record == {"error": kind, "message": record["message"]}
        assert needle in record["message"]
        assert record["message"] in result.stderr  # and the same line for people
    assert "Traceback" not in result.stderr


def test_the_real_command_line_prints_a_json_error_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "derive", "run", small(tmp_path), "--target", "z", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"] == "input"
    assert done.stderr.startswith("Error: ")
    assert done.stderr.count("\n") == 1


def test_every_file_written_is_named_on_stderr_or_in_the_json(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "example.csv"
    data.write_text("x1,x2,y\n0,1,2\n1,0,2\n2,2,6\n3,1,5\n")
    files = [tmp_path / name for name in ("x.svg", "x-contour.svg", "coef.json", "pred.csv")]
    args = ["run", str(data), "--target", "y", "--plot", str(files[0]), "--save", str(files[2])]
    args += ["--predictions", str(files[3])]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"wrote {path}" for path in files]
    result = runner.invoke(cli, [*args, "--json"])
    assert json.loads(result.stdout)["files"] == [str(path) for path in files]
    assert result.stderr == ""


def test_save_writes_the_coefficients_as_json_or_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = str(DATA / "stackloss.csv")
    args = ["run", path, "--target", "STACKLOSS", "--standardize"]
    shown = run_json(runner, *args[1:])
    saved = tmp_path / "coef.json"
    assert runner.invoke(cli, [*args, "--save", str(saved)]).exit_code == 0
    record = json.loads(saved.read_text())
    assert record == {"target": "STACKLOSS", "alpha": shown["alpha"], "beta": shown["beta"]}
    table = tmp_path / "coef.csv"
    assert runner.invoke(cli, [*args, "--save", str(table)]).exit_code == 0
    rows = [line.split(",") for line in table.read_text().splitlines()]
    assert rows[0] == ["term", "coefficient"]
    assert rows[1] == ["(intercept)", repr(shown["alpha"])]
    assert {name: float(value) for name, value in rows[2:]} == shown["beta"]


def test_predictions_name_each_row_fitted_with_its_residual(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = small(tmp_path, "x,y\n1,2\n2,\n3,6.2\n4,7.8\n5,10.1\n")
    out = tmp_path / "pred.csv"
    args = ["run", data, "--target", "y", "--dropna", "--predictions", str(out), "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["dropped"] == 1
    lines = out.read_text().splitlines()
    assert lines[0] == "row,y,prediction,residual"
    table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    assert table[:, 0].tolist() == [1, 3, 4, 5]  # the second data row had no y
    x = np.array([1, 3, 4, 5])
    expected = record["alpha"] + record["beta"]["x"] * x
    assert table[:, 2] == pytest.approx(expected, rel=1e-12)
    assert table[:, 3] == pytest.approx(table[:, 1] - table[:, 2], abs=1e-12)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--save", "coef.txt"], "the coefficients are saved as .json or .csv"),
        (["--predictions", "pred.json"], "the predictions are saved as .csv"),
        (["--save", "no/such/coef.csv"], "the folder no/such does not exist"),
        (["--save", "same.csv", "--predictions", "same.csv"], "same.csv is named twice"),
        (["--predictions", "{data}"], "is named twice"),
        (["--sep", "ab"], "'ab' is not one character such as , ; or tab"),
        (["--encoding", "klingon"], "unknown encoding 'klingon'"),
    ],
)
def test_bad_outputs_and_reading_options_exit_2_before_anything_is_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needle: str
) -> None:
    data = small(tmp_path)
    args = [arg.replace("{data}", data) for arg in args]
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    result = runner.invoke(cli, ["run", data, "--target", "y", *args])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_a_refused_run_leaves_saved_files_alone(runner: CliRunner, tmp_path: Path) -> None:
    saved, predicted = tmp_path / "coef.json", tmp_path / "pred.csv"
    saved.write_text("earlier")
    predicted.write_text("earlier")
    args = ["run", small(tmp_path), "--target", "y", "--lr", "5"]
    result = runner.invoke(cli, [*args, "--save", str(saved), "--predictions", str(predicted)])
    assert result.exit_code == 1
    assert saved.read_text() == predicted.read_text() == "earlier"


def test_reading_options_from_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("面积\t价格\n50\t100\n80\t150\n120\t210\n".encode("gbk"))
    result = runner.invoke(cli, ["run", str(path), "--target", "价格"])
    assert result.exit_code == 2
    assert "line 1: not UTF-8 text" in result.stderr
    args = ["run", str(path), "--target", "价格", "--encoding", "gbk", "--sep", "tab"]
    record = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert list(record["beta"]) == ["面积"]
    assert runner.invoke(cli, [*args[:-2], "--json"]).exit_code == 0  # the tab found alone


def test_dropna_says_how_many_rows_were_dropped(runner: CliRunner, tmp_path: Path) -> None:
    data = small(tmp_path, "x,y\n1,2\n2,\n,5\n3,6.2\n4,7.8\n")
    result = runner.invoke(cli, ["run", data, "--target", "y"])
    assert result.exit_code == 2
    assert "line 3, column 'y': the cell is empty" in result.stderr
    result = runner.invoke(cli, ["run", data, "--target", "y", "--dropna"])
    assert result.exit_code == 0, result.output
    assert "dropped 2 rows with empty cells" in result.stdout
    assert ": y from 1 feature, 3 rows" in result.stdout


def test_data_from_standard_input(runner: CliRunner) -> None:
    text = (DATA / "stackloss.csv").read_bytes()
    args = ["run", "-", "--target", "STACKLOSS", "--standardize"]
    result = runner.invoke(cli, args, input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<stdin>: STACKLOSS from 3 standardized features, 21 rows")
    from_stdin = json.loads(runner.invoke(cli, [*args, "--json"], input=text).stdout)
    assert from_stdin == run_json(runner, str(DATA / "stackloss.csv"), *args[2:])


def test_a_parquet_file_runs_as_its_csv_does(runner: CliRunner, tmp_path: Path) -> None:
    from pyarrow import csv as arrow_csv
    from pyarrow import parquet

    path = tmp_path / "stackloss.parquet"
    parquet.write_table(arrow_csv.read_csv(DATA / "stackloss.csv"), path)
    args = ["--target", "STACKLOSS", "--standardize"]
    assert run_json(runner, str(path), *args) == run_json(
        runner, str(DATA / "stackloss.csv"), *args
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--iterations", "1"], "did not converge in 1 iteration: "),
        (["--iterations", "2"], "did not converge in 2 iterations: "),
        (["--features", "AIRFLOW"], "STACKLOSS from 1 feature, 21 rows"),
        (["--standardize", "--features", "AIRFLOW"], "from 1 standardized feature, 21 rows"),
    ],
)
def test_counts_agree_with_their_nouns(runner: CliRunner, args: list[str], needle: str) -> None:
    result = runner.invoke(
        cli, ["run", str(DATA / "stackloss.csv"), "--target", "STACKLOSS", *args]
    )
    assert needle in result.stdout


def test_counts_in_chinese_have_one_form(runner: CliRunner, tmp_path: Path) -> None:
    args = ["run", small(tmp_path, "x,y\n1,2\n2,\n3,6.2\n4,7.8\n"), "--target", "y", "--dropna"]
    result = runner.invoke(cli, [*args, "--lang", "zh"])
    assert "由 1 个特征预测 y，共 3 行" in result.stdout
    assert "删除了 1 行含空单元格的数据" in result.stdout


def test_reading_progress_appears_only_after_the_delay_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    with ReadProgress("data.csv", delay=3600.0, console=console) as waiting:
        waiting(10, 100)
    assert stream.getvalue() == ""
    with ReadProgress("[data].csv", delay=0.0, console=console) as showing:
        showing(2_000_000, 8_000_000)
    assert "reading [data].csv" in stream.getvalue()
    assert "2.0/8.0 MB" in stream.getvalue()
    piped = io.StringIO()
    with ReadProgress("data.csv", delay=0.0, console=Console(file=piped)) as progress:
        progress(10, 100)
    assert piped.getvalue() == ""
