"""A fit's result as Jupyter shows it: the outcome and the coefficients, in the language set."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import derive
from derive.numeric.descent import fit

X = np.array([[0, 1], [1, 0], [2, 2], [3, 1.0]])
Y = np.array([2, 2, 6, 5.0])


@pytest.fixture
def chinese() -> Iterator[None]:
    derive.set_language("zh")
    try:
        yield
    finally:
        derive.set_language("en")


def test_a_fit_shows_itself_in_english_by_default() -> None:
    shown = fit(X, Y)._repr_markdown_()
    assert shown.startswith("**Gradient descent (gram)**: converged after ")
    assert "| coefficient | value |" in shown
    assert "| $\\alpha$ | 0.75 |" in shown


@pytest.mark.usefixtures("chinese")
def test_a_fit_shows_itself_in_the_language_set_for_the_notebook() -> None:
    shown = fit(X, Y)._repr_markdown_()
    assert shown.startswith("**梯度下降（gram）**：")
    assert "次迭代后收敛" in shown
    assert "| $\\alpha$ | 0.75 |" in shown
    assert not any(word in shown for word in ("Gradient", "converged", "coefficient", "cost"))


@pytest.mark.usefixtures("chinese")
def test_a_run_that_did_not_converge_says_so_in_the_language_set() -> None:
    shown = fit(X, Y, iterations=3)._repr_markdown_()
    assert "3 次迭代后仍未收敛" in shown
    assert "not converged" not in shown


def test_a_rejected_run_shows_why_in_the_language_shown() -> None:
    """The reason is a sentence made when shown, not when fitted: a notebook that switches
    language shows it in the new one."""
    result = fit(X, Y)
    rejected = type(result)(**{**vars(result), "converged": False, "cost_gap": 0.25})
    reason = rejected.rejection
    assert reason is not None
    assert reason.startswith(f"not converged after {result.iterations} iterations: ‖∇J‖ met")
    assert "by 0.25 of the cost with the bias alone (more than 1e-06)" in reason
    assert rejected._repr_markdown_().startswith(f"**Gradient descent (gram)**: {reason}; cost")
    derive.set_language("zh")
    try:
        assert "次迭代后仍未收敛" in str(rejected.rejection)
    finally:
        derive.set_language("en")
