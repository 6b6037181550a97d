"""`derive run --model` and `fit_model`: every model's descent on real data against
references computed outside derive (statsmodels, scikit-learn: tests/data/references.json,
written by scripts/reference_values.py), the step policies, separable data, bad targets,
and the generated code's stable cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.errors import DivergenceError, InputError
from derive.models.catalog import load_model
from derive.numeric.model_code import model_code
from derive.numeric.model_fit import SeparableError, fit_model
from derive.numeric.model_policy import is_quadratic, policy_of

DATA = Path(__file__).parent / "data"
REFERENCES = json.loads((DATA / "references.json").read_text(encoding="utf-8"))
TOLERANCE = 1e-6  # the bar: relative, coefficient by coefficient


def _table(key: str) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
    entry = REFERENCES[key]
    lines = (DATA / str(entry["data"])).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = np.array([[float(cell) for cell in line.split(",")] for line in lines[1:]])
    X = rows[:, [header.index(name) for name in entry["features"]]]
    y = rows[:, header.index(str(entry["target"]))]
    return X, y, entry


def _standardized(X: np.ndarray) -> np.ndarray:
    result: np.ndarray = (X - X.mean(axis=0)) / X.std(axis=0)
    return result


def _worst(ours: list[float], theirs: list[float]) -> float:
    return max(abs(a - b) / abs(b) for a, b in zip(ours, theirs, strict=True))


CASES = [("logistic-spector", "logistic"), ("poisson-cpunish", "poisson")]
CASES += [("ridge-diabetes", "ridge"), ("ridge-longley", "ridge")]


@pytest.mark.parametrize(("key", "model"), CASES)
def test_descent_on_standardized_data_agrees_with_the_outside_reference(
    key: str, model: str
) -> None:
    X, y, entry = _table(key)
    reference = entry["standardized"]
    assert isinstance(reference, dict)
    fit = fit_model(load_model(model), _standardized(X), y)
    assert fit.converged
    worst = _worst([fit.alpha, *fit.beta], [reference["alpha"], *reference["beta"]])
    assert worst < TOLERANCE
    # the comparison can fail: one coefficient off by 1e-5 is caught
    assert _worst([fit.alpha * (1 + 1e-5), *fit.beta], [reference["alpha"], *reference["beta"]]) > (
        TOLERANCE
    )


@pytest.mark.parametrize(("key", "model"), CASES[:2])
def test_derive_standardize_maps_back_to_the_raw_maximum_likelihood(key: str, model: str) -> None:
    X, y, entry = _table(key)
    reference = entry["raw"]
    assert isinstance(reference, dict)
    fit = fit_model(load_model(model), X, y, standardize=True)
    assert fit.converged
    assert _worst([fit.alpha, *fit.beta], [reference["alpha"], *reference["beta"]]) < TOLERANCE


def test_the_policies_follow_what_is_known_of_the_curvature() -> None:
    assert [policy_of(load_model(m)) for m in ("ridge", "logistic", "poisson", "neuron")] == [
        "hessian",
        "sigmoid",
        "armijo",
        "armijo",
    ]
    assert is_quadratic(load_model(str(DATA / "models" / "weighted.toml")))
    assert not is_quadratic(load_model(str(DATA / "models" / "penalized_logistic.toml")))
    # a file's logistic model has no bound of its own: it backtracks
    assert policy_of(load_model(str(DATA / "models" / "penalized_logistic.toml"))) == "armijo"


def test_a_step_above_a_quadratic_models_bound_is_refused() -> None:
    X, y, _ = _table("ridge-diabetes")
    with pytest.raises(DivergenceError, match="2/λmax"):
        fit_model(load_model("ridge"), _standardized(X), y, lr=1.0)


def test_separable_data_stop_with_the_reason() -> None:
    X, y, _ = _table("logistic-iris-separable")
    with pytest.raises(SeparableError, match="separable"):
        fit_model(load_model("logistic"), X, y)
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(DATA / "iris_setosa_versicolor.csv"),
            "--target",
            "versicolor",
            "--model",
            "logistic",
            "--json",
        ],
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "separable"


def test_a_penalized_logistic_model_on_separable_data_has_a_minimiser() -> None:
    X, y, _ = _table("logistic-iris-separable")
    fit = fit_model(load_model(str(DATA / "models" / "penalized_logistic.toml")), X, y)
    assert fit.converged
    assert fit.convex is None  # a description file: derive does not claim convexity


@pytest.mark.parametrize(
    ("model", "values", "row"),
    [("logistic", [0, 1, 2, 0], 3), ("poisson", [1, 0, 2.5, 3], 3), ("poisson", [-1, 0, 1, 2], 1)],
)
def test_a_bad_target_names_its_first_row(
    tmp_path: Path, model: str, values: list[float], row: int
) -> None:
    data = tmp_path / "data.csv"
    lines = ["x,y", *(f"{k},{v}" for k, v in enumerate(values))]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(data), "--target", "y", "--model", model])
    assert result.exit_code == 2
    assert f"row {row} " in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(InputError, match=f"row {row} "):
        fit_model(load_model(model), np.arange(4.0)[:, None], np.array(values, dtype=float))


def test_the_neuron_says_local_and_has_no_reference() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(DATA / "spector.csv"),
            "--target",
            "GRADE",
            "--model",
            "neuron",
            "--standardize",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "local minimum" in result.stdout
    assert "not convex" in result.stdout
    record = CliRunner().invoke(
        cli,
        [
            "run",
            str(DATA / "spector.csv"),
            "--target",
            "GRADE",
            "--model",
            "neuron",
            "--standardize",
            "--json",
        ],
    )
    parsed = json.loads(record.stdout)
    assert parsed["convex"] is False
    assert parsed["reference"] is None
    assert parsed["policy"] == "armijo"
    assert parsed["halvings"] >= 0


def test_the_report_shows_the_reference_and_the_policy(tmp_path: Path) -> None:
    save = tmp_path / "coefficients.json"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(DATA / "cpunish.csv"),
            "--target",
            "EXECUTIONS",
            "--model",
            "poisson",
            "--standardize",
            "--json",
            "--save",
            str(save),
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["policy"] == "armijo"
    assert record["reference"]["method"] == "newton"
    raw = REFERENCES["poisson-cpunish"]["raw"]
    assert abs(record["parameters"]["alpha"] - raw["alpha"]) < TOLERANCE * abs(raw["alpha"])
    saved = json.loads(save.read_text(encoding="utf-8"))
    assert saved["model"] == "poisson"
    assert saved["parameters"] == record["parameters"]


def test_constants_can_be_set_and_unknown_ones_are_refused() -> None:
    X, y, _ = _table("ridge-diabetes")
    Z = _standardized(X)
    weak = fit_model(load_model("ridge"), Z, y, constants={"lambda": 0.0})
    strong = fit_model(load_model("ridge"), Z, y, constants={"lambda": 10.0})
    assert np.linalg.norm(strong.beta) < np.linalg.norm(weak.beta)
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(DATA / "diabetes.csv"),
            "--target",
            "progression",
            "--model",
            "ridge",
            "--set",
            "gamma=1",
        ],
    )
    assert result.exit_code == 2
    assert "gamma" in result.stderr


def test_a_model_with_a_data_column_of_its_own(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    w = rng.uniform(0.5, 2.0, size=30)
    y = 1.0 + 2.0 * x + rng.normal(size=30)
    data = tmp_path / "weighted.csv"
    rows = [f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(x, w, y, strict=True)]
    data.write_text("\n".join(["x,w,y", *rows]) + "\n", encoding="utf-8")
    model = str(DATA / "models" / "weighted.toml")
    arguments = ["run", str(data), "--target", "y", "--model", model, "--json"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    # weighted least squares by hand: solve (X̃ᵀWX̃)θ = X̃ᵀWy
    design = np.column_stack([np.ones(30), x])
    theta = np.linalg.solve(design.T @ (w[:, None] * design), design.T @ (w * y))
    assert record["parameters"]["alpha"] == pytest.approx(theta[0], rel=1e-8)
    assert record["parameters"]["beta"]["x"] == pytest.approx(theta[1], rel=1e-8)
    assert list(record["parameters"]["beta"]) == ["x"]  # w is data, not a feature
    missing = tmp_path / "no_w.csv"
    missing.write_text("x,y\n1,2\n2,3\n3,5\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["run", str(missing), "--target", "y", "--model", model])
    assert refused.exit_code == 2
    assert "column w" in refused.stderr


def test_predictions_of_a_model_are_its_own_output(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    arguments = ["run", str(DATA / "spector.csv"), "--target", "GRADE", "--model", "logistic"]
    result = CliRunner().invoke(cli, [*arguments, "--standardize", "--predictions", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,GRADE,prediction,residual"
    X, y, entry = _table("logistic-spector")
    raw = entry["raw"]
    assert isinstance(raw, dict)
    # p = σ(α + Xβᵀ) at the outside reference, written out here
    expected = 1 / (1 + np.exp(-(raw["alpha"] + X @ np.array(raw["beta"]))))
    written = np.array([float(line.split(",")[2]) for line in lines[1:]])
    assert np.max(np.abs(written - expected)) < 1e-6
    assert len(written) == len(y) == 32


def test_the_logistic_cost_is_finite_for_confident_wrong_predictions() -> None:
    code = model_code(load_model("logistic"))
    X = np.array([[1.0], [-1.0]])
    y = np.array([[0.0], [1.0]])
    beta = np.array([[800.0]])  # z = ±800: σ(z) is 1 or 0 in floats, log(0) naively
    (cost,) = code.cost(X, y, 0.0, beta, 2)
    assert cost == pytest.approx(800.0, rel=1e-12)  # −log σ(−800) = 800 for each example
    assert np.isfinite(cost)


@pytest.mark.parametrize("model", ["ridge", "logistic", "poisson", "neuron"])
def test_generated_gradients_match_central_differences_of_the_generated_cost(model: str) -> None:
    spec = load_model(model)
    code = model_code(spec)
    rng = np.random.default_rng(7)
    m, n = 9, 3
    X = rng.normal(size=(m, n))
    y = (
        rng.integers(0, 2, size=(m, 1)).astype(float)
        if model != "poisson"
        else rng.poisson(2.0, size=(m, 1)).astype(float)
    )
    alpha, beta = 0.2, rng.normal(scale=0.3, size=(1, n))
    constants = [float(q.default) for q in spec.constants if q.default is not None]

    def cost(a: float, b: np.ndarray) -> float:
        return float(code.cost(X, y, a, b, *constants, m)[0])

    grad_alpha, grad_beta = code.gradients(X, y, alpha, beta, *constants, m)
    h = 1e-6
    assert float(grad_alpha) == pytest.approx(
        (cost(alpha + h, beta) - cost(alpha - h, beta)) / (2 * h), rel=1e-6
    )
    for j in range(n):
        step = np.zeros((1, n))
        step[0, j] = h
        numeric = (cost(alpha, beta + step) - cost(alpha, beta - step)) / (2 * h)
        assert float(grad_beta[0, j]) == pytest.approx(numeric, rel=1e-6)


def test_derive_fit_takes_a_model() -> None:
    import derive

    X, y, entry = _table("logistic-spector")
    reference = entry["raw"]
    assert isinstance(reference, dict)
    result = derive.fit(X, y, model="logistic", standardize=True)
    assert isinstance(result, derive.ModelFit)
    assert _worst([result.alpha, *result.beta], [reference["alpha"], *reference["beta"]]) < 1e-6
    assert isinstance(derive.fit(X, y), derive.FitResult)  # mse: the article's fit


def test_no_progress_bar_with_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import derive.numeric.model_fit as model_fit

    seen: list[object] = []
    original = model_fit.fit_model

    def recording(*args: Any, **kwargs: Any) -> model_fit.ModelFit:
        seen.append(kwargs.get("progress"))
        return original(*args, **kwargs)

    monkeypatch.setattr(model_fit, "fit_model", recording)
    arguments = ["run", str(DATA / "spector.csv"), "--target", "GRADE", "--model", "logistic"]
    result = CliRunner().invoke(cli, [*arguments, "--standardize", "--json"])
    assert result.exit_code == 0, result.output
    assert seen == [None]
    json.loads(result.stdout)  # nothing but the JSON object on stdout


SCALED = """
title = "Scaled least squares"
[data]
X = "m x n"
y = "m x 1"
[parameters]
alpha = "1x1"
beta = "1 x n"
[constants]
c = { value = "1" }
[[intermediates]]
name = "u"
value = "y - alpha - X beta^T"
[cost]
value = "(c/m) u^T u"
"""


def test_a_quadratic_cost_without_a_minimum_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "scaled.toml"
    model.write_text(SCALED, encoding="utf-8")
    arguments = ["run", str(DATA / "stackloss.csv"), "--target", "STACKLOSS", "--model"]
    result = CliRunner().invoke(cli, [*arguments, str(model), "--set", "c=-1", "--json"])
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["error"] == "unbounded"
    assert "negative eigenvalue" in record["message"]
    assert "Traceback" not in result.output
    # with c = 1 it is least squares, and a quadratic cost with a positive definite
    # Hessian is convex: the report says nothing about local minima
    fine = CliRunner().invoke(cli, [*arguments, str(model), "--standardize"])
    assert fine.exit_code == 0, fine.output
    assert "local minimum" not in fine.stdout


def test_other_data_of_a_kind_are_checked(tmp_path: Path) -> None:
    data = tmp_path / "weights.csv"
    data.write_text("x,w,y\n1,1,2\n2,-2,3\n3,1,5\n4,3,4\n", encoding="utf-8")
    model = str(DATA / "models" / "weighted.toml")
    result = CliRunner().invoke(cli, ["run", str(data), "--target", "y", "--model", model])
    assert result.exit_code == 2
    assert "data w; row 2 has -2" in result.stderr


def test_the_report_says_what_a_run_cannot_claim(tmp_path: Path) -> None:
    arguments = ["run", str(DATA / "spector.csv"), "--target", "GRADE", "--standardize"]
    short = CliRunner().invoke(cli, [*arguments, "--model", "neuron", "--iterations", "5"])
    assert "may end in a local minimum" in short.stdout
    assert "this is a local minimum" not in short.stdout
    ridge = CliRunner().invoke(cli, [*arguments, "--model", "ridge"])
    assert "standardized features" in ridge.stdout  # the penalty's scale is said
    holes = tmp_path / "holes.csv"
    holes.write_text("x,y\n1,2\n2,\n3,5\n4,4\n5,7\n", encoding="utf-8")
    dropped = CliRunner().invoke(
        cli, ["run", str(holes), "--target", "y", "--model", "ridge", "--dropna"]
    )
    assert dropped.exit_code == 0, dropped.output
    assert "dropped 1 row" in dropped.stdout


def test_newton_on_nearly_separated_labels_gives_no_reference(tmp_path: Path) -> None:
    rows = ["1,8,0", "2,6,0", "3,7,1", "4,5,0", "5,8,1", "6,4,1", "2,9,1", "5,5,0"]
    data = tmp_path / "class.csv"
    data.write_text("hours,sleep,passed\n" + "\n".join(rows) + "\n", encoding="utf-8")
    arguments = ["run", str(data), "--target", "passed", "--model", "logistic"]
    result = CliRunner().invoke(cli, [*arguments, "--iterations", "2000", "--json"])
    record = json.loads(result.stdout)
    assert record["reference"] is None
    assert "separated" in record["no_reference"]


def test_a_bad_row_is_named_as_in_the_file_when_rows_were_dropped(tmp_path: Path) -> None:
    data = tmp_path / "holes.csv"
    data.write_text("x,y\n1,0\n2,\n3,2\n4,1\n5,0\n", encoding="utf-8")
    arguments = ["run", str(data), "--target", "y", "--model", "logistic", "--dropna"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert "row 3 has 2" in result.stderr  # the file's third data row, not the second kept
