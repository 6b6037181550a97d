"""Sentences of a check: factors as typed, and the other cost convention named."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.grade.feedback import factor_text
from derive.models.linear import build_model

M = build_model()


@pytest.mark.parametrize(
    ("factor", "shown"),
    [
        (sp.Integer(2), "2"),
        (sp.Rational(1, 2), "1/2"),
        (M.m, "m"),
        (1 / M.m, "1/m"),
        (2 * M.m, "2m"),
        (1 / (2 * M.m), "1/(2m)"),
        (M.m / 2, "m/2"),
        (2 / M.m, "2/m"),
        (M.m**2, "m^2"),
        (M.m / M.n, "m/n"),
        (sp.Rational(3, 4) / (M.m * M.n), "3/(4mn)"),
        (M.m / (M.m - 1), "m/(m-1)"),
        (M.m / (2 * (M.m - 1)), "m/(2(m-1))"),
        (2 * (M.m + 1) / M.m, "2(m+1)/m"),
        ((M.m - 1) ** 2 / M.m, "(m-1)^2/m"),
    ],
)
def test_a_factor_is_written_as_a_student_would_type_it(factor: sp.Expr, shown: str) -> None:
    assert factor_text(factor) == shown
