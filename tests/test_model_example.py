"""The worked example of every model but mse: the first iteration against a hand computation
(NumPy from the textbook formulas, written here), the generated code's agreement, the runs
and their step policies, the command line (JSON keys, bad files, Chinese), the figures."""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli.main import cli
from derive.models.catalog import load_model
from derive.numeric.model_example import WorkedModel, work_model
from derive.numeric.model_example_data import arrays, example_of, problem_of
from derive.numeric.model_example_descent import descend
from derive.numeric.model_example_first import AGREEMENT, differences, to_float
from derive.numeric.model_fit import fit_model
from derive.numeric.worked_example import MAX_ROWS
from derive.present.model_example_figures import model_drawings

HERE = Path(__file__).resolve().parent
MODELS = ("ridge", "logistic", "poisson", "neuron")
LABELS_X = [[0.5, 1.0], [1.0, 3.0], [1.5, 0.5], [2.0, 0.5], [2.5, 1.5], [3.0, 1.0]]
LABELS_Y = [0, 1, 0, 1, 0, 1]

# The default examples as the builtin descriptions give them: (X, y, α₀, β₀, η).
DEFAULTS = {
    "ridge": ([[0, 1], [1, 0], [2, 2], [3, 1]], [2, 2, 6, 5], 0.0, [0.1, 0.1], 0.1),
    "logistic": (LABELS_X, LABELS_Y, 0.0, [0.1, 0.1], 0.5),
    "poisson": (
        [[0.0, 0.5], [0.5, 1.0], [1.0, 0.0], [1.5, 1.5], [2.0, 1.0]],
        [1, 1, 2, 4, 5],
        0.0,
        [0.1, 0.1],
        0.2,
    ),
    "neuron": (LABELS_X, LABELS_Y, 0.0, [0.1, 0.1], 1.0),
}
LAMBDA = 0.1  # ridge's penalty


@cache
def worked(model: str) -> WorkedModel:
    spec = load_model(model)
    return work_model(spec, example_of(spec))


def by_hand(model: str, scale: float = 1.0) -> dict[str, np.ndarray]:
    """The first iteration from the textbook formulas (docs/mathematics.md), in NumPy;
    `scale` multiplies every 1/m, so that a wrong factor can be shown to be caught."""
    X, y, alpha, beta, lr = (np.array(v, dtype=float) for v in DEFAULTS[model])
    m = len(y)
    inv = scale / m
    z = alpha + X @ beta
    found: dict[str, np.ndarray] = {}
    if model == "ridge":
        u = y - z
        found |= {"yhat": z, "u": u, "cost": inv * u @ u + LAMBDA * beta @ beta}
        grad_alpha, grad_beta = -2 * inv * u.sum(), -2 * inv * u @ X + 2 * LAMBDA * beta
    elif model == "logistic":
        p = 1 / (1 + np.exp(-z))
        found |= {"z": z, "p": p, "cost": -inv * (y @ np.log(p) + (1 - y) @ np.log(1 - p))}
        grad_alpha, grad_beta = inv * (p - y).sum(), inv * (p - y) @ X
    elif model == "poisson":
        mu = np.exp(z)
        found |= {"z": z, "mu": mu, "cost": inv * (mu - y * z).sum()}
        grad_alpha, grad_beta = inv * (mu - y).sum(), inv * (mu - y) @ X
    else:
        p = 1 / (1 + np.exp(-z))
        u = y - p
        signal = u * p * (1 - p)
        found |= {"z": z, "p": p, "u": u, "cost": inv * u @ u}
        grad_alpha, grad_beta = -2 * inv * signal.sum(), -2 * inv * signal @ X
    found |= {
        "grad_alpha": grad_alpha,
        "grad_beta": grad_beta,
        "alpha_next": alpha - lr * grad_alpha,
        "beta_next": beta - lr * grad_beta,
    }
    return {key: np.atleast_1d(np.asarray(value, dtype=float)) for key, value in found.items()}


# --- the first iteration -------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_the_default_example_is_the_description_s(model: str) -> None:
    X, y, alpha, beta, lr = DEFAULTS[model]
    example = worked(model).example
    assert np.array_equal(arrays(example)[0], np.array(X, dtype=float))
    assert [float(v) for v in example.y] == y
    assert example.starting("alpha") == (Fraction(alpha),)
    assert [float(v) for v in example.starting("beta")] == beta
    assert float(example.lr) == lr
    assert 4 <= len(y) <= 6


@pytest.mark.parametrize("model", MODELS)
def test_the_first_iteration_is_the_hand_computation(model: str) -> None:
    first = worked(model).first
    hand = by_hand(model)
    assert set(first.names()) == set(hand)
    for name, value in hand.items():
        np.testing.assert_allclose(to_float(first[name]), value, rtol=1e-12, err_msg=name)
    wrong = by_hand(model, scale=2.0)  # 2/m for 1/m: the comparison above would fail
    assert not np.allclose(to_float(first["grad_alpha"]), wrong["grad_alpha"], rtol=1e-12)


def test_ridge_stays_exact() -> None:
    first = worked("ridge").first
    assert first["cost"] == sp.Rational(14937, 1000)  # 14.935 of mse + λββᵀ = 0.002
    assert first["grad_alpha"] == -7
    assert first["grad_beta"] == sp.ImmutableMatrix(
        [[sp.Rational(-1343, 100), -sp.Rational(883, 100)]]
    )
    assert first["beta_next"] == sp.ImmutableMatrix(
        [[sp.Rational(1443, 1000), sp.Rational(983, 1000)]]
    )


def test_sigma_values_are_exact_numbers_not_floats() -> None:
    p = worked("logistic").first["p"]
    assert isinstance(p, sp.MatrixBase)
    assert not any(entry.atoms(sp.Float) for entry in p)
    assert not any(isinstance(entry, sp.Rational) for entry in p)
    assert worked("logistic").first["z"] == sp.ImmutableMatrix(
        [sp.Rational(v, 100) for v in (15, 40, 20, 25, 40, 40)]
    )


@pytest.mark.parametrize("model", MODELS)
def test_the_generated_code_gives_the_same_iteration(model: str) -> None:
    result = worked(model)
    assert result.agrees, result.differences
    spoiled = dict(result.floats)
    spoiled["grad_beta"] = spoiled["grad_beta"] * (1 + 1e-9)
    assert max(differences(result.first, spoiled).values()) > AGREEMENT


# --- the runs --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_every_default_example_converges_to_a_minimum(model: str) -> None:
    result = worked(model)
    assert result.run.converged
    assert result.curvature is not None
    assert result.curvature > 0
    if result.policy == "armijo":  # the first step is the one computed by hand
        assert result.first_step == float(result.example.lr)
    else:
        assert result.bound is not None
        assert float(result.example.lr) < result.bound
    np.testing.assert_allclose(
        result.run.thetas[1],
        np.concatenate([by_hand(model)["alpha_next"], by_hand(model)["beta_next"]]),
        rtol=1e-12,
    )


@pytest.mark.parametrize("model", MODELS)
def test_the_loop_takes_fit_model_s_steps_from_zero(model: str) -> None:
    spec = load_model(model)
    result = worked(model)
    problem = problem_of(spec, result.example)
    X, y, _ = arrays(result.example)
    fit = fit_model(spec, X, y, lr=float(result.example.lr))
    run = descend(problem, np.zeros(problem.size), result.policy, float(result.example.lr), 10**6)
    assert run.iterations == fit.iterations
    np.testing.assert_allclose(run.costs, fit.costs, rtol=1e-9)


def test_the_logistic_example_is_not_separable_and_converges() -> None:
    # Gordan: labels s = ±1 are separable by a line exactly when no λ > 0 has
    # Σ λᵢ sᵢ (1, xᵢ) = 0. This λ is such a certificate (the overlap of the two classes).
    certificate = [1, 2, 1, 3, 6, 3]
    signs = [1 if label else -1 for label in LABELS_Y]
    rows = [(Fraction(1), *(Fraction(str(v)) for v in row)) for row in LABELS_X]

    def total(weights: list[int]) -> list[Fraction]:
        return [
            sum(
                (w * s * row[k] for w, s, row in zip(weights, signs, rows, strict=True)),
                Fraction(0),
            )
            for k in range(3)
        ]

    assert all(w > 0 for w in certificate)
    assert total(certificate) == [0, 0, 0]
    assert total([1, 1, 1, 1, 1, 1]) != [0, 0, 0]  # not any positive λ will do
    result = worked("logistic")
    assert result.run.converged
    assert result.local is False
    X, y, _ = arrays(result.example)
    assert fit_model(load_model("logistic"), X, y).converged  # no SeparableError


def test_separable_labels_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "separable.csv"
    data.write_text("x1,x2,y\n0.5,1,0\n1,0.5,0\n2,2,1\n3,1,1\n2.5,2.5,1\n")
    result = CliRunner().invoke(cli, ["example", "--model", "logistic", "--example", str(data)])
    assert result.exit_code == 1
    assert "separable" in result.output


def test_the_neuron_says_its_minimum_is_local() -> None:
    assert worked("neuron").local is True
    result = CliRunner().invoke(cli, ["example", "--model", "neuron"])
    assert result.exit_code == 0, result.output
    assert "local minimum" in result.output
    convex = CliRunner().invoke(cli, ["example", "--model", "poisson"])
    assert "local minimum" not in convex.output


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "own"),
    [
        ("ridge", {"yhat", "u", "constants"}),
        ("logistic", {"z", "p"}),
        ("poisson", {"z", "mu"}),
        ("neuron", {"z", "p", "u"}),
    ],
)
def test_json_has_the_mse_keys_and_the_model_s_own(model: str, own: set[str]) -> None:
    result = CliRunner().invoke(cli, ["example", "--model", model, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    mse = {"X", "y", "alpha", "beta", "lr", "cost", "grad_alpha", "grad_beta"}
    mse |= {"alpha_next", "beta_next", "bound", "converged", "history"}
    assert data.keys() >= mse | own | {"policy", "halvings", "local", "model"}
    assert data["policy"] == {"ridge": "hessian", "logistic": "sigmoid"}.get(model, "armijo")
    assert data["local"] is (model == "neuron")
    assert (data["bound"] is None) == (data["policy"] == "armijo")
    hand = by_hand(model)
    np.testing.assert_allclose(data["grad_beta"], hand["grad_beta"], rtol=1e-12)
    first, second = data["history"][:2]
    assert first["beta"] == [0.1, 0.1]
    np.testing.assert_allclose(second["beta"], hand["beta_next"], rtol=1e-12)


def test_mse_keeps_its_example() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["example", "--model", "mse"]).output == (
        runner.invoke(cli, ["example"]).output
    )


def test_a_bad_label_names_its_row(tmp_path: Path) -> None:
    data = tmp_path / "labels.csv"
    data.write_text("x1,x2,y\n0.5,1,0\n1,3,1\n1.5,0.5,2\n2,0.5,1\n")
    result = CliRunner().invoke(cli, ["example", "--model", "logistic", "--example", str(data)])
    assert result.exit_code == 2
    assert "row 3" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "long.csv"
    rows = "".join(f"{i},{i % 2}\n" for i in range(MAX_ROWS + 1))
    data.write_text("x,y\n" + rows)
    result = CliRunner().invoke(cli, ["example", "--model", "logistic", "--example", str(data)])
    assert result.exit_code == 2
    assert f"more than {MAX_ROWS} data rows" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_teacher_s_file_with_one_feature(tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    data.write_text("hours,passed\n0.5,0\n1,1\n1.5,0\n2,1\n2.5,1\n")
    result = CliRunner().invoke(
        cli, ["example", "--model", "logistic", "--example", str(data), "--json"]
    )
    assert result.exit_code == 0, result.output
    data_out = json.loads(result.output)
    assert data_out["beta"] == [0.1]
    assert data_out["alpha"] == 0
    assert data_out["lr"] == 0.5  # 60% of the bound 2/L, rounded down to 0.5, 0.2, 0.1, …


def test_a_description_without_an_example_needs_a_file() -> None:
    model = HERE / "data" / "models" / "tanh_neuron.toml"
    result = CliRunner().invoke(cli, ["example", "--model", str(model)])
    assert result.exit_code == 2
    assert "--example" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_description_s_own_example_is_read_and_checked(tmp_path: Path) -> None:
    text = (HERE / "data" / "models" / "weighted.toml").read_text(encoding="utf-8")
    model = tmp_path / "weighted.toml"
    good = '\n[example]\nX = [[0, 1], [1, 0], [2, 2], [3, 1]]\ny = [2, 2, 6, 5]\nlr = "0.1"\n'
    model.write_text(text + good + "data = { w = [1, 2, 1, 0.5] }\n")
    result = CliRunner().invoke(cli, ["example", "--model", str(model), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["w"] == [1, 2, 1, 0.5]
    model.write_text(text + good.replace("[3, 1]]", "[3]]") + "data = { w = [1, 2, 1, 0.5] }\n")
    result = CliRunner().invoke(cli, ["example", "--model", str(model)])
    assert result.exit_code == 2
    assert "[example].X" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_chinese() -> None:
    result = CliRunner().invoke(cli, ["example", "--model", "logistic", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "逻辑回归" in result.output
    assert "第一次迭代" in result.output
    assert "First iteration" not in result.output


def test_numbers_that_do_not_end_are_marked() -> None:
    result = CliRunner().invoke(cli, ["example", "--model", "logistic"])
    assert "= [≈0.537430; ≈0.598688; ≈0.549834; ≈0.562177; ≈0.598688; ≈0.598688]" in result.output
    assert "= α - η (∂J/∂α)" in result.output
    assert "= 0 - 0.5 · ≈0.0742506" in result.output


# --- the figures -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["logistic", "poisson"])
def test_three_figures(model: str) -> None:
    drawn = model_drawings(worked(model))
    assert [item.name for item in drawn] == ["cost", "contours", "rates"]
    assert all(item.caption for item in drawn)
