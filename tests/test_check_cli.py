"""`derive check` on the command line: exit codes, text, JSON and hostile arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_a_right_gradient_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-2/m u^T X", "--wrt", "beta"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("✓ equivalent\n")
    assert "correct:  -(2/m) uᵀ X" in result.output


def test_a_transposed_gradient_exits_0_with_a_note(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-2/m X^T u", "--wrt", "beta"])
    assert result.exit_code == 0
    assert "equivalent-up-to-layout [layout]" in result.output
    assert "Correct up to layout" in result.output


def test_a_wrong_gradient_exits_1_with_diagnosis_and_counterexample(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "2/m (y - X beta^T)^T X", "--wrt", "beta"])
    assert result.exit_code == 1
    assert "✗ not-equivalent [sign, missing-bias]" in result.output
    assert "Counterexample (m = 3, n = 2):" in result.output
    assert "yours:" in result.output
    assert "The bias is missing" in result.output


def test_an_expression_that_starts_like_an_option_is_the_argument(runner: CliRunner) -> None:
    # "-\frac..." holds an h: read as short options it would be -h, the help.
    latex = r"-\frac{2}{m} \mathbf{u}^{\top} \mathbf{X}"
    for args in (["check", latex, "--wrt", "beta"], ["check", "--wrt", "beta", latex]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "Usage" not in result.output
    result = runner.invoke(cli, ["check", "--wrt=alpha", "-u"])  # −u: read, and diagnosed
    assert result.exit_code == 1
    assert "The shapes do not fit: your expression is an m×1 column" in result.output


def test_the_scale_option_changes_the_expected_gradient(runner: CliRunner) -> None:
    args = ["check", "-1/m u^T X", "--wrt", "beta", "--scale", "1/(2m)"]
    assert runner.invoke(cli, args).exit_code == 0


def test_the_notation_of_ml_courses_is_read(runner: CliRunner) -> None:
    course = r"\frac{2}{m}\sum\limits_{i=1}^{m}\left(\hat{y}^{(i)}-y^{(i)}\right)x_j^{(i)}"
    result = runner.invoke(cli, ["check", course, "--wrt", "beta_j"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("✓ equivalent\n")


def test_a_divisor_m_minus_1_is_a_factor_in_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-2/(m-1) u^T X", "--wrt", "beta", "--json"])
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert (record["diagnosis"], record["factor"]) == (["factor"], "m/(m-1)")


def test_json_is_one_object_with_the_keys_of_the_issue(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-1/m sum(u)", "--wrt", "alpha", "--json"])
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert record["wrt"] == "alpha"
    assert record["equivalent"] is False
    assert record["verdict"] == "not-equivalent"
    assert record["diagnosis"] == ["factor"]
    assert record["factor"] == "1/2"
    assert "--scale 1/(2m)" in record["message"]
    assert record["given_latex"] == r"- \frac{1}{m} \mathbf{1}^{\top} \mathbf{u}"
    assert record["expected_latex"] == r"- \frac{2}{m} \mathbf{1}^{\top} \mathbf{u}"
    assert set(record["counterexample"]) >= {"m", "n", "X", "y", "alpha", "beta", "given"}


def test_unreadable_input_exits_2_with_a_caret_under_the_problem(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-2/m u^T Z", "--wrt", "beta"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: column 10: unknown name 'Z'")
    assert lines[1:] == ["-2/m u^T Z", "         ^"]


def test_a_missing_wrt_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "u"])
    assert result.exit_code == 2
    assert "Missing option '--wrt'" in result.output


def _run(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "derive", "check", *args],
        capture_output=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_invalid_utf8_in_argv_exits_2_without_a_traceback() -> None:
    done = _run(b"-2/m u\xff X", "--wrt", "beta")
    assert done.returncode == 2
    stderr = done.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert "invalid UTF-8" in stderr
    assert stderr.splitlines()[-1] == "      ^"


def test_python_code_has_no_side_effect(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    done = _run(f"__import__('os').system('touch {target}')", "--wrt", "beta")
    assert done.returncode == 2
    assert not target.exists()
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().startswith("Error: column 1: unexpected '_'")


@pytest.mark.parametrize(
    "text", ["__import__('os')", "lambda: 0", "9^9^9^9", "u" * 2001, "X\x1b[2J", "(" * 50]
)
def test_hostile_input_is_refused_by_the_command_before_sympy_is_imported(text: str) -> None:
    done = _run(text, "--wrt", "beta")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.startswith(b"Error: ")
    assert b"Traceback" not in done.stderr
    probe = (
        "import sys; from click.testing import CliRunner; from derive.cli.main import cli; "
        f"r = CliRunner().invoke(cli, ['check', {text!r}, '--wrt', 'beta']); "
        "print(r.exit_code, 'sympy' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.split() == ["2", "False"], found.stderr


def test_unreadable_text_is_refused_before_sympy_is_imported() -> None:
    probe = (
        "import sys; from click.testing import CliRunner; from derive.cli.main import cli; "
        "r = CliRunner().invoke(cli, ['check', '__import__(1)', '--wrt', 'beta']); "
        "print(r.exit_code, 'sympy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["2", "False"]


def test_the_readme_example_is_the_real_output(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = '$ derive check "1/m (yhat - y)^T X" --wrt beta\n'
    start = readme.index(command) + len(command)
    shown = readme[start : readme.index("```", start)]
    result = runner.invoke(cli, ["check", "1/m (yhat - y)^T X", "--wrt", "beta"])
    assert result.output == shown
