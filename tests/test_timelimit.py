"""Running a computation in a forked child with a time limit."""

from __future__ import annotations

import time

import pytest

from derive.core.errors import InputError
from derive.core.timelimit import TimeLimitExceeded, run_limited


def _sleep_then_return(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def _refuse(message: str) -> None:
    raise InputError(message)


def test_a_result_comes_back_from_the_child() -> None:
    assert run_limited(_sleep_then_return, (0.0, 42), seconds=5) == 42


def test_a_computation_over_the_limit_is_stopped_promptly() -> None:
    start = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match=r"time limit of 0\.3 s"):
        run_limited(_sleep_then_return, (30.0, 1), seconds=0.3)
    assert time.perf_counter() - start < 2.0


def test_an_error_in_the_child_is_raised_again_in_the_parent() -> None:
    with pytest.raises(InputError, match="no good"):
        run_limited(_refuse, ("no good",), seconds=5)


def test_without_a_limit_the_function_runs_in_this_process() -> None:
    assert run_limited(_sleep_then_return, (0.0, 7), seconds=None) == 7
