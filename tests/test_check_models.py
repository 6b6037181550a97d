"""`derive check --model`: corpora of hand-derived answers, and hostile --step and --model.

Tests of the grade package's check of any step of any model (step_check.py through the
Python API, `derive.check_gradient` and `derive.check_step`). The corpora, in
tests/data/check_corpus/*.toml, hold right answers in every notation (plain, indexed sums,
LaTeX, written out, with intermediates, transposed) and every kind of mistake, each with
the verdict and the exact diagnosis codes a right checker gives — per family: logistic and
neuron, poisson, ridge. Then the command line refuses an unknown step, a step without a
right-hand side, a missing or unreadable model file and a deeply nested expression: exit
2, one line on stderr, no traceback, nothing written. The line-by-line checks are in
test_check_lines.py.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import derive
from derive.cli.main import cli
from derive.grade.result import CODES, VERDICTS, CheckResult
from derive.models.catalog import builtin_text

CORPUS = Path(__file__).resolve().parent / "data" / "check_corpus"
FAMILIES = ("logistic_neuron", "poisson", "ridge")
MINIMUM = 40  # answers per family
MODELS = ("logistic", "neuron", "poisson", "ridge")


@dataclass(frozen=True)
class Case:
    """One hand-derived answer: against a gradient (wrt) or a step (number or key)."""

    family: str
    model: str
    text: str
    verdict: str
    diagnosis: tuple[str, ...]
    wrt: str | None = None
    step: int | str | None = None

    @property
    def id(self) -> str:
        where = f"wrt={self.wrt}" if self.wrt is not None else f"step={self.step}"
        return f"{self.model}-{where}-{self.text}"


def _toml() -> Any:
    """tomllib (Python 3.11+) or its backport tomli, as derive reads descriptions."""
    return importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")


def _read(family: str) -> tuple[Case, ...]:
    with (CORPUS / f"{family}.toml").open("rb") as handle:
        rows = _toml().load(handle)["case"]
    return tuple(
        Case(
            family=family,
            model=row["model"],
            text=row["text"],
            verdict=row["verdict"],
            diagnosis=tuple(row["diagnosis"]),
            wrt=row.get("wrt"),
            step=row.get("step"),
        )
        for row in rows
    )


CASES = tuple(case for family in FAMILIES for case in _read(family))


def _check(case: Case) -> CheckResult:
    if case.wrt is not None:
        return derive.check_gradient(case.text, case.wrt, model=case.model, time_limit=None)
    assert case.step is not None
    result = derive.check_step(case.text, case.step, model=case.model)
    assert isinstance(result, CheckResult)
    return result


# ---- the corpora ----------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_has_enough_answers_right_and_wrong(family: str) -> None:
    cases = [case for case in CASES if case.family == family]
    assert len(cases) >= MINIMUM
    assert any(case.verdict == "equivalent" for case in cases)
    assert any(case.verdict == "equivalent-up-to-layout" for case in cases)
    assert sum(case.verdict == "not-equivalent" for case in cases) >= MINIMUM // 4


def test_the_corpora_are_well_formed_and_name_every_mistake() -> None:
    for case in CASES:
        assert case.model in MODELS, case
        assert (case.wrt is None) != (case.step is None), case
        assert case.verdict in VERDICTS, case
        assert set(case.diagnosis) <= set(CODES), case
        assert case.diagnosis == tuple(c for c in CODES if c in case.diagnosis), case
        assert (case.verdict == "equivalent") == (case.diagnosis == ()), case
    named = {code for case in CASES for code in case.diagnosis}
    assert named == set(CODES)  # every diagnosis code appears in some corpus
    models = {case.model for case in CASES}
    assert models == set(MODELS)


def test_the_corpora_cover_the_calculus_steps_of_each_model() -> None:
    keyed = {(case.model, case.step) for case in CASES if case.step is not None}
    for model in MODELS:
        for key in ("signal", "inner-factor-beta"):
            assert (model, key) in keyed, (model, key)
    for model, key in (
        ("logistic", "factor-J-p"),
        ("logistic", "factor-p-z"),
        ("neuron", "factor-p-z"),
        ("poisson", "factor-mu-z"),
        ("ridge", "penalty-beta"),
    ):
        assert (model, key) in keyed, (model, key)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hand_derived_answer_gets_its_verdict_and_diagnosis(case: Case) -> None:
    result = _check(case)
    shown = (result.verdict, result.diagnosis, result.factor, result.named_text)
    assert result.verdict == case.verdict, shown
    assert result.diagnosis == case.diagnosis, shown
    assert result.model == case.model
    if case.step is not None:
        assert case.step in (result.step, result.step_key)


def test_a_wrong_expectation_fails_the_corpus_test() -> None:
    """The corpus test can fail: a right answer is not a sign mistake."""
    text = "(1/m) (p - y)^T X"
    case = Case("logistic_neuron", "logistic", text, "not-equivalent", ("sign",), wrt="beta")
    with pytest.raises(AssertionError):
        test_a_hand_derived_answer_gets_its_verdict_and_diagnosis(case)


def test_a_step_by_number_and_by_key_are_the_same_check() -> None:
    by_number = derive.check_step("p_i", 11, model="logistic")
    by_key = derive.check_step("p_i", "factor-p-z", model="logistic")
    assert isinstance(by_number, CheckResult)
    assert isinstance(by_key, CheckResult)
    assert by_number.as_json() == by_key.as_json()
    assert (by_number.step, by_number.step_key) == (11, "factor-p-z")


def test_a_factor_mistake_names_its_factor_and_a_mistake_its_counterexample() -> None:
    result = derive.check_gradient("(p - y)^T X", "beta", model="logistic", time_limit=None)
    assert (result.diagnosis, result.factor) == (("factor",), "m")
    assert result.counterexample is not None
    ridge = derive.check_gradient(
        "-(2/m) u^T X + lambda beta", "beta", model="ridge", time_limit=None
    )
    assert (ridge.diagnosis, ridge.named_text) == (("factor",), "2λ β")


# ---- hostile --step and --model -------------------------------------------------------


def _refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> str:
    """Run `derive check ARGS` in an empty directory: exit 2, one line on stderr, no
    traceback, nothing on stdout and no file written. The stderr line."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list(work.iterdir()) == []
    return result.stderr


@pytest.mark.parametrize("step", ["99", "nope", "1; rm -rf", "0", "-1", "factor-p-zz"])
def test_an_unknown_step_exits_2_naming_the_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    line = _refused(tmp_path, monkeypatch, ["p_i", "--model", "logistic", "--step", step])
    assert f"logistic has no step {step!r}" in line
    assert "11 factor-p-z" in line


@pytest.mark.parametrize("step", ["1", "data-X", "8", "update-rule"])
def test_a_step_without_a_right_hand_side_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    line = _refused(tmp_path, monkeypatch, ["X", "--model", "logistic", "--step", step])
    assert "has no right-hand side to check" in line


def test_a_model_file_that_does_not_exist_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nothing.toml"
    line = _refused(tmp_path, monkeypatch, ["p_i", "--model", str(missing), "--step", "11"])
    assert "nothing.toml" in line
    assert not missing.exists()


@pytest.mark.parametrize(
    "garbage",
    [b"garbage = [[[\n", b"\xff\xfe\x00binary", b"[model]\nname = 3\n", b""],
    ids=["toml", "binary", "fields", "empty"],
)
def test_a_model_file_with_garbage_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    model = tmp_path / "garbage.toml"
    model.write_bytes(garbage)
    line = _refused(tmp_path, monkeypatch, ["p_i", "--model", str(model), "--wrt", "beta"])
    assert line.startswith("Error: ")
    assert model.read_bytes() == garbage


@pytest.mark.parametrize(
    "nested",
    [
        "(" * 25 + "p_i" + ")" * 25,
        "(" * 900 + "p_i" + ")" * 900,
        "sigmoid(" * 150 + "z_i" + ")" * 150,
        "\\frac{1}{" * 100 + "m" + "}" * 100,
    ],
    ids=["brackets-25", "brackets-900", "sigmoid-150", "frac-100"],
)
def test_a_deeply_nested_expression_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nested: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = ["check", nested, "--model", "logistic", "--step", "11"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "nested" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert list(work.iterdir()) == []


def test_a_description_edited_between_two_checks_is_read_again(tmp_path: Path) -> None:
    """In a notebook the same file name may hold another cost on the second check."""
    model = tmp_path / "mine.toml"
    model.write_text(builtin_text("logistic"), encoding="utf-8")
    answer = "(1/m)(p - y)^T X"
    assert derive.check_gradient(answer, "beta", model=str(model)).equivalent
    doubled = builtin_text("logistic").replace('value = "-(1/m) (', 'value = "-(2/m) (')
    assert doubled != builtin_text("logistic")
    model.write_text(doubled, encoding="utf-8")
    assert derive.check_gradient(answer, "beta", model=str(model)).diagnosis == ("factor",)
