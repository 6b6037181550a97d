"""`derive check --model M --wrt beta --lines`: a derivation checked line by line.

Tests of lines.py through the Python API (`derive.check_lines`) and the command line. For
logistic, neuron, ridge and poisson a right chain of 5 or 6 lines is checked whole (no
wrong line), then with ONE slip — a factor dropped, a term lost, σ′ or exp′ lost, a
sign — placed at each line in turn: the first wrong line is that line, and its diagnosis
names the slip. The command line reads the lines from stdin (`--lines -`) or as several
EXPRESSION arguments, with per-line verdicts in --json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

import derive
from derive.cli.main import cli


@dataclass(frozen=True)
class Line:
    """A right line of a chain, the same line with one slip, and the slip's code."""

    right: str
    slip: str
    code: str


CHAINS: dict[str, tuple[Line, ...]] = {
    "logistic": (
        Line(
            "1/m sum_i (sigmoid(alpha + sum_k X_ik beta_k) - y_i) X_ij",
            "sum_i (sigmoid(alpha + sum_k X_ik beta_k) - y_i) X_ij",
            "factor",
        ),
        Line("1/m sum_i (sigmoid(z_i) - y_i) X_ij", "1/m sum_i (y_i - sigmoid(z_i)) X_ij", "sign"),
        Line("1/m sum_i (p_i - y_i) X_ij", "1/m sum_i (p_i - y_i)", "missing-inner-factor"),
        Line("(1/m)(p - y)^T X", "(2/m)(p - y)^T X", "factor"),
        Line("(1/m)(p^T X - y^T X)", "(1/m) p^T X", "missing-term"),
    ),
    "neuron": (
        Line(
            "-(2/m) sum_i (y_i - p_i) p_i (1 - p_i) X_ij",
            "-(2/m) sum_i (y_i - p_i) p_i X_ij",
            "link-derivative",
        ),
        Line(
            "-(2/m) sum_i u_i p_i (1 - p_i) X_ij",
            "-(1/m) sum_i u_i p_i (1 - p_i) X_ij",
            "factor",
        ),
        Line("-(2/m)(u ∘ p ∘ (1 - p))^T X", "-(2/m) u^T X", "missing-inner-factor"),
        Line("(2/m)((p - y) ∘ p ∘ (1 - p))^T X", "(2/m)((y - p) ∘ p ∘ (1 - p))^T X", "sign"),
        Line(
            "\\frac{2}{m}((p - y) \\odot p \\odot (1 - p))^\\top X",
            "\\frac{2}{m}((p - y) \\odot p)^\\top X",
            "link-derivative",
        ),
    ),
    "ridge": (
        Line(
            "-(2/m) sum_i (y_i - yhat_i) X_ij + 2 lambda beta_j",
            "-(2/m) sum_i (y_i - yhat_i) X_ij",
            "missing-term",
        ),
        Line(
            "-(2/m) sum_i u_i X_ij + 2 lambda beta_j",
            "-(2/m) sum_i u_i X_ij + lambda beta_j",
            "factor",
        ),
        Line("-(2/m) u^T X + 2 lambda beta", "(2/m) u^T X + 2 lambda beta", "sign"),
        Line(
            "(2/m)(yhat - y)^T X + 2 lambda beta", "(1/m)(yhat - y)^T X + 2 lambda beta", "factor"
        ),
        Line("2 lambda beta + (2/m)(yhat - y)^T X", "(2/m)(yhat - y)^T X", "missing-term"),
        Line(
            "\\frac{2}{m}(\\hat{y} - y)^\\top X + 2\\lambda\\beta",
            "\\frac{2}{m}(\\hat{y} - y)^\\top X - 2\\lambda\\beta",
            "sign",
        ),
    ),
    "poisson": (
        Line("1/m sum_i (exp(z_i) - y_i) X_ij", "1/m sum_i (1 - y_i) X_ij", "link-derivative"),
        Line("1/m sum_i (mu_i - y_i) X_ij", "sum_i (mu_i - y_i) X_ij", "factor"),
        Line("(1/m)(mu - y)^T X", "(1/m)(y - mu)^T X", "sign"),
        Line("(1/m)(mu^T X - y^T X)", "(1/m) mu^T X", "missing-term"),
        Line("\\frac{1}{m}(\\mu - y)^\\top X", "-\\frac{1}{m}(\\mu - y)^\\top X", "sign"),
    ),
}
SLIPS = [
    pytest.param(model, position, id=f"{model}-line{position + 1}-{chain[position].code}")
    for model, chain in CHAINS.items()
    for position in range(len(chain))
]


def _rights(model: str) -> list[str]:
    return [line.right for line in CHAINS[model]]


@pytest.mark.parametrize("model", CHAINS)
def test_a_chain_without_a_slip_has_no_wrong_line(model: str) -> None:
    assert 3 <= len(CHAINS[model]) <= 8
    done = derive.check_lines(_rights(model), model, wrt="beta", time_limit=None)
    assert done.first_wrong is None
    assert [line.verdict for line in done.lines] == ["right"] * len(CHAINS[model])
    assert done.equivalent


@pytest.mark.parametrize(("model", "position"), SLIPS)
def test_one_slip_is_the_first_wrong_line_and_is_named(model: str, position: int) -> None:
    chain = CHAINS[model]
    texts = _rights(model)
    texts[position] = chain[position].slip
    done = derive.check_lines(texts, model, wrt="beta", time_limit=None)
    number = position + 1
    wrong = done.lines[position]
    shown = [(line.number, line.verdict, line.result.diagnosis) for line in done.lines]
    assert done.first_wrong == number, shown
    assert (wrong.number, wrong.verdict) == (number, "wrong"), shown
    assert wrong.result.diagnosis == (chain[position].code,), shown
    assert all(line.verdict == "right" for line in done.lines[:position]), shown
    assert not done.equivalent


def test_a_slip_carried_down_the_chain_follows_from_the_wrong_line() -> None:
    texts = ["-(2/m) sum_i u_i X_ij + 2 lambda beta_j", "-(2/m) u^T X", "(2/m)(yhat - y)^T X"]
    done = derive.check_lines(texts, "ridge", wrt="beta", time_limit=None)
    assert done.first_wrong == 2
    assert [line.verdict for line in done.lines] == ["right", "wrong", "follows"]


def test_a_chain_of_a_step_is_checked_by_its_key() -> None:
    texts = ["(1/m) mu_i - (1/m) y_i", "(mu_i - y_i)/m", "(1/m)(mu - y)"]
    assert derive.check_lines(texts, "poisson", step="signal", time_limit=None).first_wrong is None
    texts[1] = "mu_i/m"
    done = derive.check_lines(texts, "poisson", step="signal", time_limit=None)
    assert (done.first_wrong, done.lines[1].result.diagnosis) == (2, ("missing-term",))


# ---- the command line ------------------------------------------------------------------


def test_the_lines_from_stdin_give_per_line_verdicts_in_json() -> None:
    texts = _rights("logistic")
    texts[2] = CHAINS["logistic"][2].slip
    args = ["check", "--model", "logistic", "--wrt", "beta", "--lines", "-", "--json"]
    result = CliRunner().invoke(cli, args, input="\n".join(texts) + "\n")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["equivalent"] is False
    assert data["first_wrong_line"] == 3
    verdicts = [line["verdict"] for line in data["lines"]]
    assert verdicts[:3] == ["right", "right", "wrong"]
    assert [line["line"] for line in data["lines"]] == [1, 2, 3, 4, 5]
    assert data["lines"][2]["check"]["diagnosis"] == ["missing-inner-factor"]


def test_a_right_derivation_from_stdin_exits_0() -> None:
    args = ["check", "--model", "poisson", "--wrt", "beta", "--lines", "-"]
    result = CliRunner().invoke(cli, args, input="\n".join(_rights("poisson")))
    assert result.exit_code == 0, result.output


def test_several_expression_arguments_are_checked_line_by_line() -> None:
    texts = _rights("ridge")[:4]
    texts[3] = CHAINS["ridge"][3].slip
    args = ["check", *texts, "--model", "ridge", "--wrt", "beta", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["first_wrong_line"] == 4
    assert [line["verdict"] for line in data["lines"]] == ["right", "right", "right", "wrong"]
    assert data["lines"][3]["check"]["diagnosis"] == ["factor"]
    again = ["check", *_rights("ridge")[:4], "--model", "ridge", "--wrt", "beta", "--json"]
    right = CliRunner().invoke(cli, again)
    assert right.exit_code == 0, right.output
    assert json.loads(right.stdout)["first_wrong_line"] is None


def test_a_wrong_line_carried_into_the_other_form_follows_from_it() -> None:
    """From the entry form (Σ over i, j free) to the row and its transpose: the wrong
    sign of line 2 is carried, not made again, until line 5 puts it right."""
    texts = [
        "1/m sum_i (p_i - y_i) X_ij",
        "= 1/m sum_i (y_i - p_i) X_ij",
        "= 1/m (y - p)^T X",
        "= 1/m X^T (y - p)",
        "= 1/m (p - y)^T X",
    ]
    done = derive.check_lines(texts, "logistic", wrt="beta", time_limit=None)
    verdicts = [line.verdict for line in done.lines]
    assert verdicts == ["right", "wrong", "follows", "follows", "right"]
    assert done.first_wrong == 2
    assert done.lines[1].result.diagnosis == ("sign",)


def test_the_lines_of_an_align_environment_with_comments_can_be_pasted() -> None:
    texts = [
        "\ufeff% my derivation",
        r"\frac{\partial J}{\partial \beta} &= \frac{1}{m} (\mathbf{p} - \mathbf{y})^\top X \\",
        "# the transpose",
        r"&= \frac{1}{m} X^\top(\mathbf{p}-\mathbf{y})",
        r"&= \frac{2}{m} X^\top(\mathbf{p}-\mathbf{y})",
    ]
    done = derive.check_lines(texts, "logistic", wrt="beta", time_limit=None)
    assert [line.number for line in done.lines] == [2, 4, 5]
    assert [line.verdict for line in done.lines] == ["right", "right", "wrong"]
    assert done.first_wrong == 5
