"""Shared fixtures: the derivation and its checks for both cost scales, computed once."""

from __future__ import annotations

import os

# As the CLI does: a larger SymPy cache, set before SymPy is first imported.
os.environ.setdefault("SYMPY_CACHE_SIZE", "20000")

import pytest

from derive.model import Scale
from derive.steps import Derivation, derivation
from derive.verify import StepCheck, check_derivation


@pytest.fixture(scope="session", params=[Scale.MEAN, Scale.HALF_MEAN], ids=["1/m", "1/(2m)"])
def scaled(request: pytest.FixtureRequest) -> Derivation:
    return derivation(request.param)


@pytest.fixture(scope="session")
def mean() -> Derivation:
    return derivation(Scale.MEAN)


@pytest.fixture(scope="session")
def checks(scaled: Derivation) -> tuple[StepCheck, ...]:
    return check_derivation(scaled)
