"""Checking hand-derived gradients: a corpus of right and wrong answers in three notations.

The expected verdicts and codes in CORPUS are worked out by hand from the mathematics
(∂J/∂β = −(2/m) uᵀX, ∂J/∂α = −(2/m) 𝟏ᵀu under J = (1/m) Σ uᵢ²), not copied from output.
Counterexamples are checked against NumPy versions of the gradients written here.
"""

from __future__ import annotations

import functools
import re
import threading
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.errors import InputError
from derive.grade import grader
from derive.grade.grader import WORKED_EXAMPLE, check_gradient, worked_example
from derive.grade.parse import ExpressionError
from derive.grade.result import CheckResult

EQ, UP_TO_LAYOUT, NOT = "equivalent", "equivalent-up-to-layout", "not-equivalent"


class Case(NamedTuple):
    text: str
    wrt: str
    verdict: str
    diagnosis: tuple[str, ...] = ()
    factor: str | None = None
    scale: str = "1/m"


# Long flat chains of + and −: one level of nesting, however many terms.
CHAIN_BETA = "-" + " - ".join(["1/(30 m) u^T X"] * 60)
CHAIN_ALPHA = "-2/(60 m) sum(" + " + ".join(["u"] * 60) + ")"
CHAIN_ENTRY = "-" + " - ".join(["2/(61 m) sum_i u_i X_ij"] * 61)
COURSE = r"\frac{2}{m}\sum\limits_{i=1}^{m}\left(\hat{y}^{(i)}-y^{(i)}\right)x_j^{(i)}"

CORPUS = [
    # plain, matrix form
    Case("-2/m u^T X", "beta", EQ),
    Case("-2/m * (y - yhat)^T @ X", "beta", EQ),
    Case("-2/m (y - alpha*ones - X beta^T)^T X", "beta", EQ),
    Case("-2/m (y - alpha - X beta')' X", "beta", EQ),
    Case("2/m (yhat - y)^T X", "beta", EQ),
    Case("-(2/m) (y - ŷ)ᵀ X", "beta", EQ),
    Case("-2/m X^T u", "beta", UP_TO_LAYOUT, ("layout",)),
    Case("2/m X.T (y_hat - y)", "beta", UP_TO_LAYOUT, ("layout",)),
    Case("2/m u^T X", "beta", NOT, ("sign",)),
    Case("-2/m (yhat - y)^T X", "beta", NOT, ("sign",)),
    Case("-1/m u^T X", "beta", NOT, ("factor",), "1/2"),
    Case("-2 u^T X", "beta", NOT, ("factor",), "m"),
    Case("-2/m^2 u^T X", "beta", NOT, ("factor",), "1/m"),
    Case("-4/m u^T X", "beta", NOT, ("factor",), "2"),
    Case("-1/(2 m) u^T X", "beta", NOT, ("factor",), "1/4"),
    Case("1/m u^T X", "beta", NOT, ("sign", "factor"), "1/2"),
    Case("-2/m X^T u * 2", "beta", NOT, ("factor", "layout"), "2"),
    Case("-2/m u X", "beta", NOT, ("shape",)),
    Case("-2/m X u", "beta", NOT, ("shape",)),
    Case("-2/m u^T X^T", "beta", NOT, ("shape",)),
    Case("-2/m (y - X beta^T)^T X", "beta", NOT, ("missing-bias",)),
    Case("2/m (y - X beta^T)^T X", "beta", NOT, ("sign", "missing-bias")),
    Case("-2/m u^T X + 1/m ones^T X", "beta", NOT, ("other",)),
    Case("-2/m u^T X", "alpha", NOT, ("shape",)),
    Case("-2/m sum(u)", "alpha", EQ),
    Case("-2/m ones^T u", "alpha", EQ),
    Case("-2/m u^T ones", "alpha", EQ),
    Case("-2/m 1^T (y - yhat)", "alpha", EQ),
    Case("2/m sum(yhat - y)", "alpha", EQ),
    Case("-2 sum(u)", "alpha", NOT, ("factor",), "m"),
    Case("-1/m sum(u)", "alpha", NOT, ("factor",), "1/2"),
    Case("-2/m sum(y - X beta^T)", "alpha", NOT, ("missing-bias",)),
    Case("-2/m sum(u) + alpha", "alpha", NOT, ("other",)),
    Case("-2/m u", "alpha", NOT, ("shape",)),
    # the other convention, J = 1/(2m) Σ uᵢ²
    Case("-1/m u^T X", "beta", EQ, scale="1/(2m)"),
    Case("-2/m u^T X", "beta", NOT, ("factor",), "2", scale="1/(2m)"),
    Case("-2/m sum(u)", "alpha", NOT, ("factor",), "2", scale="1/(2m)"),
    # indexed sums
    Case("-2/m sum_i (y_i - yhat_i) X_ij", "beta_j", EQ),
    Case("-2/m Σ_i u_i X_{i,j}", "beta_j", EQ),
    Case("-(2/m) Σ[i=1..m] uᵢ Xᵢⱼ", "beta_j", EQ),
    Case("2/m sum_i (yhat_i - y_i) x_ij", "beta_j", EQ),
    Case("-2/m sum_i (y_i - alpha - sum_k X_ik beta_k) X_ij", "beta_j", EQ),
    Case("-2/m sum_i (y_i - sum_k X_ik beta_k) X_ij", "beta_j", NOT, ("missing-bias",)),
    Case("2/m sum_i u_i X_ij", "beta_j", NOT, ("sign",)),
    Case("-1/m sum_i u_i X_ij", "beta_j", NOT, ("factor",), "1/2"),
    Case("-2 sum_i u_i X_ij", "beta_j", NOT, ("factor",), "m"),
    Case("-2/m sum_i u_i X_ij", "beta_j", EQ),
    Case("-2/m sum_i u_i", "alpha", EQ),
    Case("-2/m sum_i (y_i - yhat_i)", "alpha", EQ),
    Case("-2/m sum_i u_i X_i", "beta", EQ),
    Case("-2/m sum_i X_i^T u_i", "beta", UP_TO_LAYOUT, ("layout",)),
    Case("-2/m u_i X_ij", "beta_j", NOT, ("shape",)),
    Case("-2/m sum_i u_i X_ji", "beta_j", NOT, ("shape",)),
    Case("-2/m sum_i u_i X_ij", "beta", NOT, ("shape",)),
    Case("-2/m sum_i u_i X_ij u_i", "beta_j", NOT, ("other",)),
    # LaTeX
    Case(r"-\frac{2}{m} \mathbf{u}^{\top} \mathbf{X}", "beta", EQ),
    Case(r"-\frac{2}{m}(\mathbf{y}-\hat{\mathbf{y}})^\top \mathbf{X}", "beta", EQ),
    Case(
        r"-\frac{2}{m} \left(\mathbf{y} - \alpha\mathbf{1} - \mathbf{X}\boldsymbol{\beta}^{\top}"
        r"\right)^{\top}\mathbf{X}",
        "beta",
        EQ,
    ),
    Case(r"\frac{2}{m} \mathbf{X}^{\top} (\hat{y} - y)", "beta", UP_TO_LAYOUT, ("layout",)),
    Case(r"-\frac{2}{m}\sum_{i=1}^{m}\left(y_i-\hat{y}_i\right)x_{ij}", "beta_j", EQ),
    Case(r"- \frac{2}{m} \sum_{i=1}^{m} u_{i} X_{ij}", "beta_j", EQ),
    Case(r"-\frac{1}{m}\sum_{i=1}^{m}(y_i-\hat{y}_i)x_{ij}", "beta_j", NOT, ("factor",), "1/2"),
    Case(r"\frac{2}{m} \sum_{i=1}^{m} (y_i - \hat y_i) X_{ij}", "beta_j", NOT, ("sign",)),
    Case(r"-\frac{2}{m} \mathbf{1}^{\top} \mathbf{u}", "alpha", EQ),
    Case(r"-\frac{2}{m}\sum_{i=1}^{m}(y_i - \alpha - \sum_{k=1}^{n} X_{ik}\beta_k)", "alpha", EQ),
    Case(
        r"-\frac{2}{m}\sum_{i=1}^{m}(y_i - \mathbf{X}_i\boldsymbol{\beta}^\top)",
        "alpha",
        NOT,
        ("missing-bias",),
    ),
    Case(r"-2 \cdot \frac{1}{m} (y - X\beta^T)^T X", "beta", NOT, ("missing-bias",)),
    Case(r"-\frac{2}{m} \mathbf{u} \mathbf{X}", "beta", NOT, ("shape",)),
    Case(r"-\frac{4}{m} \mathbf{1}^{\top} \mathbf{u}", "alpha", NOT, ("factor",), "2"),
    # the ones vector written as 1, right of a factor with m columns (uᵀ1, Xᵀ1)
    Case("-2/m u^T 1", "alpha", EQ),
    Case("2/m (yhat - y)^T 1", "alpha", EQ),
    Case("-1/m u^T 1", "alpha", NOT, ("factor",), "1/2"),
    Case("-2/m X^T 1", "beta", NOT, ("layout", "other")),
    Case("-2/m u^T X 1", "beta", EQ),  # uᵀX has n columns: this 1 is the number
    Case(r"-\frac{2}{m} \mathbf{u}^{\top} 1", "alpha", EQ),
    # a number added to a 1×n row: 𝟏ₙᵀ, not 𝟏ᵀ
    Case("-2/m u^T X + 1", "beta", NOT, ("other",)),
    # m − 1 for m: the factor m/(m−1)
    Case("-2/(m-1) u^T X", "beta", NOT, ("factor",), "m/(m-1)"),
    Case("2/(m-1) sum(u)", "alpha", NOT, ("sign", "factor"), "m/(m-1)"),
    Case("-1/(m-1) u^T X", "beta", NOT, ("factor",), "m/(m-1)", scale="1/(2m)"),
    Case("-2/(m-2) u^T X", "beta", NOT, ("other",)),
    Case(
        r"\frac{2}{m-1}\sum_{i=1}^{m}(\hat{y}^{(i)}-y^{(i)})x_j^{(i)}",
        "beta_j",
        NOT,
        ("factor",),
        "m/(m-1)",
    ),
    # the notation of ML courses: x_j^{(i)} is Xᵢⱼ, y^{(i)} is yᵢ, \sum\limits
    Case(COURSE, "beta_j", EQ),
    Case(
        r"-\frac{2}{m}\sum\limits_{i=1}^{m}\left(y^{(i)}-\hat{y}^{(i)}\right) \cdot x^{(i)}_j",
        "beta_j",
        EQ,
    ),
    Case(r"\frac{2}{m}\sum\limits_{i=1}^{m}\left(\hat{y}^{(i)}-y^{(i)}\right)", "alpha", EQ),
    Case(
        r"\frac{2}{m}\sum_{i=1}^{m}\left(\hat{y}^{(i)}-y^{(i)}\right)\mathbf{x}^{(i)}", "beta", EQ
    ),
    Case("2/m sum_i (yhat^(i) - y^(i)) x_j^(i)", "beta_j", EQ),
    Case("2/m sum_i (alpha + sum_k x_k^(i) beta_k - y^(i)) x_j^(i)", "beta_j", EQ),
    Case(COURSE.replace("{2}", "{1}"), "beta_j", NOT, ("factor",), "1/2"),
    Case(
        COURSE.replace(r"\hat{y}^{(i)}-y^{(i)}", r"y^{(i)}-\hat{y}^{(i)}"), "beta_j", NOT, ("sign",)
    ),
    Case(COURSE, "beta", NOT, ("shape",)),
    Case(
        r"\frac{2}{m}\sum_{i=1}^{m}\left(\mathbf{x}^{(i)}\boldsymbol{\beta}^\top - y^{(i)}\right)"
        r"x_j^{(i)}",
        "beta_j",
        NOT,
        ("missing-bias",),
    ),
    # long flat chains are not deep nesting
    Case(CHAIN_BETA, "beta", EQ),
    Case(CHAIN_ALPHA, "alpha", EQ),
    Case(CHAIN_ENTRY, "beta_j", EQ),
]


def _id(case: Case) -> str:
    return f"{case.text} --wrt {case.wrt} --scale {case.scale}"


@pytest.fixture(scope="module")
def results() -> dict[Case, CheckResult]:
    return {case: check_gradient(case.text, case.wrt, scale=case.scale) for case in CORPUS}


def test_the_corpus_is_large_and_covers_three_notations_and_every_code() -> None:
    assert len(CORPUS) >= 40
    latex = [c for c in CORPUS if "\\" in c.text]
    indexed = [c for c in CORPUS if "\\" not in c.text and ("sum_" in c.text or "Σ" in c.text)]
    assert len(latex) >= 10
    assert len(indexed) >= 10
    assert len(CORPUS) - len(latex) - len(indexed) >= 10
    codes = {code for case in CORPUS for code in case.diagnosis}
    assert codes == {"sign", "factor", "layout", "shape", "missing-bias", "other"}
    assert {c.verdict for c in CORPUS} == {EQ, UP_TO_LAYOUT, NOT}


@pytest.mark.parametrize("case", CORPUS, ids=_id)
def test_corpus_verdict_diagnosis_and_factor(case: Case, results: dict[Case, CheckResult]) -> None:
    result = results[case]
    assert (result.verdict, result.diagnosis, result.factor) == (
        case.verdict,
        case.diagnosis,
        case.factor,
    ), result.message
    assert result.equivalent == (case.verdict != NOT)


@pytest.mark.parametrize("case", [c for c in CORPUS if c.verdict != NOT], ids=_id)
def test_equivalences_are_proved_symbolically(case: Case, results: dict[Case, CheckResult]) -> None:
    assert results[case].proof == "symbolic"
    assert results[case].counterexample is None


@pytest.mark.parametrize(
    "case", [c for c in CORPUS if c.verdict == NOT and c.diagnosis != ("shape",)], ids=_id
)
def test_every_difference_comes_with_a_counterexample_that_shows_it(
    case: Case, results: dict[Case, CheckResult]
) -> None:
    example = results[case].counterexample
    assert example is not None
    assert example.given != example.expected
    data = (example.X, example.y, example.alpha, example.beta)
    assert all(abs(v) <= 3 for row in example.X for v in row)
    expected = _numpy_gradient(case.wrt, case.scale, *data)
    assert np.array_equal(_fractions(example.expected), expected)


# The given expressions, written again in NumPy: an oracle independent of the parser.
GIVEN_IN_NUMPY = {
    "2/m u^T X": lambda X, u, a, m: 2 / m * u.T @ X,
    "-4/m u^T X": lambda X, u, a, m: -4 / m * u.T @ X,
    "-2/m (y - X beta^T)^T X": lambda X, u, a, m: -2 / m * (u + a).T @ X,
    "-2/m u^T X + 1/m ones^T X": lambda X, u, a, m: -2 / m * u.T @ X + X.sum(axis=0) / m,
    "-2 sum(u)": lambda X, u, a, m: np.array([[-2 * u.sum()]]),
    "-2/(m-1) u^T X": lambda X, u, a, m: -2 / (m - 1) * u.T @ X,
    "2/(m-1) sum(u)": lambda X, u, a, m: np.array([[2 / (m - 1) * u.sum()]]),
    "-2/m u^T X + 1": lambda X, u, a, m: -2 / m * u.T @ X + 1,
    "-2/m X^T 1": lambda X, u, a, m: -2 / m * X.sum(axis=0).reshape(1, -1),  # (Xᵀ𝟏)ᵀ
}


@pytest.mark.parametrize("text", sorted(GIVEN_IN_NUMPY))
def test_counterexample_values_of_the_given_expression_match_numpy(
    text: str, results: dict[Case, CheckResult]
) -> None:
    (case,) = [c for c in CORPUS if c.text == text and c.scale == "1/m"]
    example = results[case].counterexample
    assert example is not None
    X = np.array(example.X, dtype=object)
    y = np.array(example.y, dtype=object).reshape(-1, 1)
    beta = np.array(example.beta, dtype=object).reshape(1, -1)
    u = y - example.alpha - X @ beta.T
    given = GIVEN_IN_NUMPY[text](X, u, example.alpha, Fraction(example.m))
    assert np.array_equal(_fractions(example.given), given)


def _numpy_gradient(
    wrt: str, scale: str, X: Any, y: Any, alpha: int, beta: Any
) -> np.ndarray[Any, Any]:
    """The right gradient at the data, from its textbook formula, in exact fractions."""
    Xa = np.array(X, dtype=object)
    column = np.array(beta, dtype=object).reshape(-1, 1)
    u = np.array(y, dtype=object).reshape(-1, 1) - alpha - Xa @ column
    c = Fraction(1, Xa.shape[0]) if scale == "1/m" else Fraction(1, 2 * Xa.shape[0])
    if wrt == "alpha":
        return np.array([[-2 * c * u.sum()]], dtype=object)
    gradient: np.ndarray[Any, Any] = -2 * c * (u.T @ Xa)
    return gradient


def _fractions(rows: tuple[tuple[str, ...], ...]) -> np.ndarray[Any, Any]:
    return np.array([[Fraction(value) for value in row] for row in rows], dtype=object)


@pytest.mark.parametrize("wrt", ["alpha", "beta", "beta_j"])
@pytest.mark.parametrize("scale", ["1/m", "1/(2m)"])
def test_the_expected_gradient_printed_reads_back_as_equivalent(wrt: str, scale: str) -> None:
    first = check_gradient("u", wrt, scale=scale)
    for printed in (first.expected_latex, first.expected_text):
        again = check_gradient(printed, wrt, scale=scale)
        assert again.verdict == EQ, (printed, again.message)


def test_the_given_expression_printed_reads_back_as_equivalent() -> None:
    first = check_gradient("2/m (yhat - y)^T X", "beta")
    assert first.given_latex is not None
    assert check_gradient(first.given_latex, "beta").verdict == EQ


def test_a_half_factor_names_the_other_convention_and_how_to_check_it() -> None:
    result = check_gradient("-1/m u^T X", "beta")
    assert "J = 1/(2m)" in result.message
    assert "--scale 1/(2m)" in result.message
    back = check_gradient("-2/m u^T X", "beta", scale="1/(2m)")
    assert "--scale 1/m" in back.message


def test_layout_is_a_note_on_a_right_answer() -> None:
    result = check_gradient("-2/m X^T u", "beta")
    assert result.equivalent
    assert "Xᵀu" in result.message
    assert "transpose" in result.message


def test_other_shows_the_simplified_difference() -> None:
    result = check_gradient("-2/m u^T X + 1/m ones^T X", "beta")
    assert result.difference_text == "(1/m) 𝟏ᵀ X"
    assert "(1/m) 𝟏ᵀ X" in result.message
    assert result.difference_latex == r"\frac{1}{m} \mathbf{1}^{\top} \mathbf{X}"


def test_a_1_right_of_a_factor_with_m_columns_is_the_ones_vector() -> None:
    assert check_gradient("-2/m u^T 1", "alpha").given_text == "-(2/m) uᵀ 𝟏"
    assert check_gradient("-2/m X^T 1", "beta").given_text == "-(2/m) Xᵀ 𝟏"
    assert check_gradient("-2/m u^T X 1", "beta").given_text == "-(2/m) uᵀ X"  # the number


def test_a_number_added_to_a_row_of_features_is_labelled_as_a_broadcast() -> None:
    result = check_gradient("-2/m u^T X + 1", "beta")
    assert result.given_text == "𝟏ₙᵀ - (2/m) uᵀ X"
    assert result.given_latex == r"\mathbf{1}_{n}^{\top} - \frac{2}{m} \mathbf{u}^{\top} \mathbf{X}"
    assert result.difference_text == "𝟏ₙᵀ"
    assert result.message.endswith(
        " 𝟏ₙᵀ is a 1×n row of ones: a number added to a 1×n row is added to every entry."
    )
    column = check_gradient("-2/m X^T u + 1", "beta")
    assert column.given_text == "𝟏ₙ - (2/m) Xᵀ u"
    assert "𝟏ₙ is an n×1 column of ones" in column.message
    examples = check_gradient("-2/m (u^T + 1) X", "beta")  # a row over the examples: 𝟏ᵀ
    assert examples.given_text == "-(2/m) (uᵀ + 𝟏ᵀ) X"
    assert "of ones" not in examples.message


def test_a_divisor_m_minus_1_is_the_factor_m_over_m_minus_1_with_its_cause() -> None:
    result = check_gradient("-2/(m-1) u^T X", "beta")
    assert result.factor == "m/(m-1)"
    assert "your expression is m/(m-1) times the correct one: m − 1 stands where" in result.message
    assert "sample variance" in result.message
    assert (
        "J = 1/(2m)·Σ uᵢ² divides by m"
        in check_gradient("-1/(m-1) u^T X", "beta", scale="1/(2m)").message
    )


def test_the_course_notation_reads_as_the_indexed_sum() -> None:
    course = check_gradient(COURSE, "beta_j")
    indexed = check_gradient("2/m sum_i (yhat_i - y_i) X_ij", "beta_j")
    assert course.given_text == indexed.given_text


def test_missing_bias_difference_is_the_bias_term() -> None:
    result = check_gradient("-2/m sum(y - X beta^T)", "alpha")
    assert result.difference_text is not None
    assert "α" in result.difference_text
    assert "bias is missing" in result.message


def test_a_shape_clash_names_the_sizes_and_has_no_counterexample() -> None:
    result = check_gradient("-2/m u X", "beta")
    assert "an m×1 (-2/m u) by an m×n (X)" in result.message
    assert result.counterexample is None
    assert result.given_latex is None


def test_a_whole_gradient_checked_as_an_entry_says_which_option_to_use() -> None:
    assert "--wrt beta" in check_gradient("-2/m u^T X", "beta_j").message
    assert "--wrt beta_j" in check_gradient("-2/m sum_i u_i X_ij", "beta").message


def test_json_has_the_keys_of_the_issue() -> None:
    record = check_gradient("2/m u^T X", "beta").as_json()
    keys = ["wrt", "equivalent", "verdict", "diagnosis", "factor", "message"]
    keys += ["given_latex", "expected_latex", "counterexample"]
    assert list(record)[: len(keys)] == keys
    assert record["diagnosis"] == ["sign"]
    assert record["counterexample"]["m"] == 3
    assert isinstance(record["counterexample"]["given"][0][0], str)


def test_results_are_deterministic() -> None:
    first = check_gradient("-2/m (y - X beta^T)^T X", "beta").as_json()
    assert check_gradient("-2/m (y - X beta^T)^T X", "beta").as_json() == first


def test_the_result_is_the_same_with_and_without_the_child_process() -> None:
    forked = check_gradient("-1/m sum_i u_i X_ij", "beta_j")
    inline = check_gradient("-1/m sum_i u_i X_ij", "beta_j", time_limit=None)
    assert forked == inline


def test_the_worked_example_for_the_handout_is_a_computed_diagnosis() -> None:
    result = worked_example()
    assert result.text == WORKED_EXAMPLE[0]
    assert result.wrt == WORKED_EXAMPLE[1]
    assert result.diagnosis == ("factor",)
    assert result.factor == "1/2"
    assert result.command == "derive check '1/m (yhat - y)^T X' --wrt beta"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "X.__class__",
        "lambda x: x",
        "open('/etc/passwd')",
        "z",
        "u" * 2001,
        "(" * 40 + "u" + ")" * 40,
        "9^9^9^9",
        "10**100**100",
        "9" * 400,
        "u\x00",
        "u\x1b]0;title\x07",
        b"u \xff\xfe X",
        "sum_i " * 40 + "u_i",
        "(u^T u)^16 sum(u)",
        "(sum(X beta^T))^4",
        "-" * 70 + "u",
        r"\beta^{(i)}",
        " + ".join(["(u^T u)^5"] * 3),
    ],
)
def test_hostile_input_is_refused_before_any_comparison(
    text: str | bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def compared(*_args: object) -> CheckResult:
        raise AssertionError("the comparison started")

    monkeypatch.setattr(grader, "analyse", compared)
    with pytest.raises(InputError):
        check_gradient(text, "beta", time_limit=None)


def test_a_runaway_computation_is_stopped_at_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def runaway(*_args: object) -> CheckResult:  # the comparison, in the child: never ends
        threading.Event().wait()
        raise AssertionError("unreachable")

    monkeypatch.setattr(grader, "analyse", runaway)
    stopped = "the check of this expression was stopped after the time limit of 0.5 s"
    with pytest.raises(InputError, match=re.escape(f"{stopped}; simplify it")):
        check_gradient("-2/m u^T X", "beta", time_limit=0.5)
    # derive check: the same message, one line on stderr, exit code 2 (bad input)
    limited = functools.partial(check_gradient, time_limit=0.5)
    monkeypatch.setattr(grader, "check_gradient", limited)
    result = CliRunner().invoke(cli, ["check", "-2/m u^T X", "--wrt", "beta"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {stopped}; simplify it\n"


def test_building_runs_under_the_time_limit_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # SymPy can take minutes to build what a short text says: 33 terms m^a uᵀX took 12 min
    def slow_build(*_args: object) -> object:  # in the child, stopped at the limit
        threading.Event().wait(5)
        raise AssertionError("building was not stopped")

    monkeypatch.setattr(grader, "_build", slow_build)
    with pytest.raises(InputError, match=re.escape("stopped after the time limit of 0.5 s")):
        check_gradient("-2/m u^T X", "beta", time_limit=0.5)


def test_a_refusal_while_building_in_the_child_is_an_input_error_here() -> None:
    with pytest.raises(ExpressionError, match="more than 8 data factors") as caught:
        check_gradient("u^T X (u^T u)^5", "beta")
    assert caught.value.position == 6


def test_unknown_wrt_and_scale_are_input_errors() -> None:
    with pytest.raises(InputError, match="with respect to 'gamma'"):
        check_gradient("u", "gamma")
    with pytest.raises(InputError, match="unknown cost scale"):
        check_gradient("u", "beta", scale="1/n")
