"""The command line, driven by click's CliRunner and, end to end, as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.steps.derivation import Derivation

KEYS = {"number", "key", "title", "latex", "shape", "checks"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("scale", ["1/m", "1/(2m)"])
def test_steps_json_lists_19_verified_steps(runner: CliRunner, scale: str) -> None:
    result = runner.invoke(cli, ["steps", "--json", "--scale", scale])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == 19
    for number, record in enumerate(records, start=1):
        assert record.keys() >= KEYS
        assert record["number"] == number
        assert isinstance(record["latex"], str)
        assert record["latex"]
        assert len(record["shape"]) == 2
        assert all(isinstance(s, str) for s in record["shape"])
        assert record["checks"] == {"symbolic": True, "explicit": True, "numeric": True}
    shapes = {r["number"]: r["shape"] for r in records}
    assert shapes[5] == ["m", "1"]
    assert shapes[12] == ["m", "1"]
    assert shapes[14] == ["1", "1"]
    assert shapes[16] == ["m", "n"]
    assert shapes[17] == ["1", "n"]


def test_scale_reaches_the_formulas(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["steps", "--json", "--scale", "1/(2m)"])
    gradient = json.loads(result.output)[16]
    assert gradient["latex"].endswith(r"= - \frac{1}{m} \mathbf{u}^{\top} \mathbf{X}")


def test_steps_text_shows_each_step_and_its_checks(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["steps"])
    assert result.exit_code == 0
    assert "17. The gradient with respect to β   [1×n]" in result.output
    assert "∂J/∂β = -(2/m) uᵀ X" in result.output
    assert "19 of 19 steps pass all checks." in result.output


def test_no_command_writes_the_handouts_to_output(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, [])
    assert result.exit_code == 0, result.output
    for name in ("handout.html", "handout.tex"):
        assert (tmp_path / "output" / name).stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["steps", "--scale", "1/n"], "'1/n' is not one of"),
        (["steps", "--frobnicate"], "No such option"),
        (["nonsense"], "No such command"),
    ],
)
def test_bad_usage_exits_2_with_a_message(runner: CliRunner, args: list[str], needle: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "derive", "steps", "--scale", "1/x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Invalid value for '--scale'" in done.stderr


def test_failed_checks_exit_1(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.verify import step_checks as verify

    def all_fail(derivation: Derivation, **_: object) -> tuple[verify.StepCheck, ...]:
        return tuple(
            verify.StepCheck(s.number, s.key, (verify.RouteResult("numeric", False, "forced"),))
            for s in derivation
        )

    monkeypatch.setattr(verify, "check_derivation", all_fail)
    result = runner.invoke(cli, ["steps"])
    assert result.exit_code == 1
    assert "numeric failed: forced" in result.output


def test_input_errors_become_one_line_and_exit_2(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derive.core.errors import InputError
    from derive.steps import article

    def refuse(scale: str) -> Derivation:
        raise InputError("the cost scale 'x' is not one of 1/m, 1/(2m)")

    monkeypatch.setattr(article, "derivation", refuse)
    result = runner.invoke(cli, ["steps"])
    assert result.exit_code == 2
    assert result.output.strip() == "Error: the cost scale 'x' is not one of 1/m, 1/(2m)"


def test_the_readme_excerpt_of_steps_is_the_real_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```\n", readme.index("`derive steps` prints the derivation:")) + 4
    excerpt = readme[start : readme.index("```", start)].splitlines()
    shown = CliRunner().invoke(cli, ["steps"]).output.splitlines()
    kept = [line for line in excerpt if line.strip() != "..."]
    assert len(kept) > 15
    assert [line for line in kept if line not in shown] == []


def test_ctrl_c_exits_130_and_leaves_the_old_handout_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derive.render import handouts

    old = tmp_path / "handout.html"
    old.write_text("the handout of last week")

    def pressed(*_args: object, **_kwargs: object) -> str:  # Ctrl-C while rendering
        raise KeyboardInterrupt

    monkeypatch.setattr(handouts, "render_tex", pressed)
    result = CliRunner().invoke(cli, ["handout", "--out", str(tmp_path), "--format", "html,tex"])
    assert result.exit_code == 130
    assert result.output == "Interrupted.\n"
    assert old.read_text() == "the handout of last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.html"]


def test_ctrl_c_is_said_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.steps import article

    def pressed(*_args: object) -> Derivation:
        raise KeyboardInterrupt

    monkeypatch.setattr(article, "derivation", pressed)
    result = CliRunner().invoke(cli, ["steps", "--lang", "zh"])
    assert (result.exit_code, result.output) == (130, "已中断。\n")
