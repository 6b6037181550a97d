"""`--model` at the command line: bad descriptions get one line and exit 2, runaway
algebra is stopped by the time limits, and `derive models` lists and prints the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.models.catalog import BUILTIN, builtin_text
from derive.steps import choose
from derive.verify import step_checks

HERE = Path(__file__).resolve().parent
WEIGHTED = (HERE / "data" / "models" / "weighted.toml").read_text(encoding="utf-8")

# (what is wrong, how the weighted model is spoiled, words the message must hold)
SPOILED = [
    ("unknown symbol", ('value = "y - z"', 'value = "y - q"'), "unknown symbol q"),
    ("shape mismatch", ('value = "y - z"', 'value = "y - beta"'), "cannot subtract 1×n from m×1"),
    ("not a scalar", ('value = "(1/m) (w .* u)^T u"', 'value = "(1/m) w .* u"'), "m×1"),
    ("unused parameter", ('value = "alpha + X beta^T"', 'value = "X beta^T"'), "alpha"),
    (
        "forward reference",
        ('value = "alpha + X beta^T"', 'value = "alpha + X beta^T + u"'),
        "after",
    ),
    ("unknown function", ('value = "y - z"', 'value = "y - relu(z)"'), "unknown function relu"),
    ("toml syntax", ('title = "Weighted least squares"', 'title = "Weighted'), "line 1"),
    (
        "constant without value",
        ("[parameters]", "[constants]\nlambda = {}\n[parameters]"),
        "lambda",
    ),
    ("reserved name", ('name = "u"', 'name = "eta"'), "eta"),
]


@pytest.mark.parametrize(("problem", "change", "words"), SPOILED, ids=[s[0] for s in SPOILED])
def test_a_bad_description_is_one_line_and_exit_2(
    problem: str, change: tuple[str, str], words: str, tmp_path: Path
) -> None:
    old, new = change
    assert old in WEIGHTED, problem
    path = tmp_path / "model.toml"
    path.write_text(WEIGHTED.replace(old, new, 1), encoding="utf-8")
    for command in (["steps"], ["handout", "--out", str(tmp_path / "out")], ["slides"]):
        result = CliRunner().invoke(cli, [*command, "--model", str(path)])
        assert result.exit_code == 2, (problem, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert words in lines[0], (problem, lines[0])
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_unknown_model_name_lists_the_builtins() -> None:
    result = CliRunner().invoke(cli, ["steps", "--model", "lasso"])
    assert result.exit_code == 2
    assert "mse, ridge, logistic, poisson, neuron" in result.output


def test_runaway_planning_is_stopped_by_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # eleven nested σ(·)∘softplus(·) layers: within every size limit, minutes of algebra
    monkeypatch.setattr(choose, "PLAN_SECONDS", 1.0)
    result = CliRunner().invoke(
        cli, ["steps", "--model", str(HERE / "data" / "runaway_model.toml")]
    )
    assert result.exit_code == 2, result.output
    assert "planning stopped after the time limit of 1 s" in result.output


def test_runaway_checks_are_stopped_by_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step_checks, "MODEL_CHECK_SECONDS", 0.001)
    result = CliRunner().invoke(cli, ["steps", "--model", "logistic"])
    assert result.exit_code == 2, result.output
    assert "the checks of logistic stopped after the time limit" in result.output


def test_derive_models_lists_every_builtin_with_its_cost() -> None:
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(BUILTIN)
    assert "J = -(1/m) (yᵀ log p + (𝟏 - y)ᵀ log(𝟏 - p))" in lines[2]
    assert "J = (1/m) 𝟏ᵀ (μ - y ∘ z)" in lines[3]
    zh = CliRunner().invoke(cli, ["models", "--lang", "zh"])
    assert "逻辑回归" in zh.output


def test_derive_models_name_prints_a_file_that_loads_again(tmp_path: Path) -> None:
    for name in BUILTIN:
        result = CliRunner().invoke(cli, ["models", name])
        assert result.exit_code == 0
        assert result.output == builtin_text(name)
        copy = tmp_path / f"my_{name}.toml"
        copy.write_text(result.output, encoding="utf-8")
        steps = CliRunner().invoke(cli, ["steps", "--json", "--model", str(copy)])
        assert steps.exit_code == 0, steps.output
    unknown = CliRunner().invoke(cli, ["models", "lasso"])
    assert unknown.exit_code == 2
