"""Forked children: results in order, errors raised in the parent, time limits, nothing left
behind. No test races the machine's speed: each waits for the event it checks."""

from __future__ import annotations

import os
import re
import select
import threading
import time
from collections.abc import Callable

import pytest

from derive.core import processes
from derive.core.errors import InputError
from derive.core.processes import (
    ChildFailed,
    TimeLimitExceeded,
    forked_map,
    run_limited,
    run_or_refuse,
)

PATIENCE = 120.0  # seconds before a test gives up instead of hanging; never a speed check


def square_plus(shared: int, item: int) -> int:
    return item * item + shared


def refuse(_shared: object, item: int) -> int:
    if item == 2:
        raise InputError(f"item {item} refused")
    return item


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)  # pickled with one argument, rebuilt with two: fails


def unpicklable(_shared: object, _item: int) -> int:
    raise Unpicklable("a", "b")


def pid_of_child(_shared: object, _item: int) -> int:
    return os.getpid()


def block_forever() -> None:
    threading.Event().wait()  # only SIGKILL ends it


def tell_pid_then_block(pipe: int, _item: int) -> int:
    os.write(pipe, f"{os.getpid()}\n".encode())
    block_forever()
    return 0


def read_pids(pipe: int, count: int) -> list[int]:
    """`count` pids written to `pipe`, waiting for them as long as they take."""
    data = b""
    while data.count(b"\n") < count:
        ready, _, _ = select.select([pipe], [], [], PATIENCE)
        assert ready, f"no pid from the children in {PATIENCE} s"
        data += os.read(pipe, 4096)
    return [int(line) for line in data.split()]


def assert_reaped(pid: int) -> None:
    """The process is gone, not a zombie left for someone to wait for."""
    with pytest.raises(ChildProcessError):  # no longer a child of ours
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.fixture
def forked_pids(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children forked during the test, recorded in the parent."""
    pids: list[int] = []
    fork: Callable[[], int] = os.fork

    def recording_fork() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return pids


# forked_map


def test_each_item_runs_in_a_child_of_its_own_and_the_results_keep_their_order() -> None:
    with forked_map(pid_of_child, None, [1, 2, 3]) as pending:
        pids = pending.get()
    assert len(set(pids)) == 3
    assert os.getpid() not in pids
    with forked_map(square_plus, 10, [3, 1, 2]) as pending:
        assert pending.get() == [19, 11, 14]


def test_one_worker_computes_here() -> None:
    with forked_map(pid_of_child, None, [1, 2], workers=1) as pending:
        assert pending.get() == [os.getpid(), os.getpid()]


def test_without_fork_the_items_are_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "can_fork", lambda: False)
    with forked_map(pid_of_child, None, [1, 2]) as pending:
        assert pending.get() == [os.getpid(), os.getpid()]


def test_an_error_of_a_child_is_raised_in_the_parent() -> None:
    with forked_map(refuse, None, [1, 2, 3]) as pending, pytest.raises(InputError, match="item 2"):
        pending.get()


def test_an_error_that_cannot_be_sent_back_is_a_child_failure() -> None:
    with forked_map(unpicklable, None, [1, 2]) as pending, pytest.raises(ChildFailed):
        pending.get()


def test_the_children_are_reaped_also_when_their_results_were_collected(
    forked_pids: list[int],
) -> None:
    with forked_map(square_plus, 0, [1, 2]) as pending:
        assert pending.get() == [1, 4]
    assert len(forked_pids) == 2
    for pid in forked_pids:
        assert_reaped(pid)


def test_the_parent_starts_no_thread_and_stops_children_it_did_not_wait_for() -> None:
    before = threading.active_count()
    reading, writing = os.pipe()
    try:
        with forked_map(tell_pid_then_block, writing, [1, 2]):
            assert threading.active_count() == before
            pids = read_pids(reading, 2)  # both children run, and block for ever
        assert threading.active_count() == before
    finally:
        os.close(reading)
        os.close(writing)
    assert len(set(pids)) == 2
    for pid in pids:  # killed and reaped on exit, before the context returned
        assert_reaped(pid)


# run_limited


def _sleep_then_return(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def _refuse(message: str) -> None:
    raise InputError(message)


def _raise_unpicklable() -> None:
    raise Unpicklable("a", "b")


def _return_a_function() -> Callable[[], int]:
    return lambda: 0


def _leave_without_a_result() -> None:
    os._exit(3)


def _never_return() -> None:
    time.sleep(10**6)


def test_a_result_comes_back_from_the_child(forked_pids: list[int]) -> None:
    assert run_limited(_sleep_then_return, (0.0, 42), seconds=PATIENCE) == 42
    assert len(forked_pids) == 1
    assert_reaped(forked_pids[0])


def test_a_result_larger_than_a_pipe_holds_comes_back_whole() -> None:
    big = run_limited(bytes, (3_000_000,), seconds=PATIENCE)
    assert big == bytes(3_000_000)


def test_a_computation_that_never_ends_is_stopped_at_the_limit_and_reaped(
    forked_pids: list[int],
) -> None:
    message = "stopped after the time limit of 0.5 s"
    with pytest.raises(TimeLimitExceeded, match=re.escape(message)):
        run_limited(_never_return, (), seconds=0.5)
    assert len(forked_pids) == 1
    assert_reaped(forked_pids[0])


def test_an_error_in_the_child_is_raised_again_in_the_parent() -> None:
    with pytest.raises(InputError, match="no good"):
        run_limited(_refuse, ("no good",), seconds=PATIENCE)


def test_what_cannot_come_back_is_a_clear_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"cannot be read: TypeError.*Unpicklable"):
        run_limited(_raise_unpicklable, (), seconds=PATIENCE)
    with pytest.raises(RuntimeError, match=r"could not send back its function: "):
        run_limited(_return_a_function, (), seconds=PATIENCE)
    with pytest.raises(RuntimeError, match=r"ended without a result"):
        run_limited(_leave_without_a_result, (), seconds=PATIENCE)


def test_without_a_limit_the_function_runs_in_this_process(forked_pids: list[int]) -> None:
    assert run_limited(_sleep_then_return, (0.0, 7), seconds=None) == 7
    assert run_limited(os.getpid, (), seconds=None) == os.getpid()
    assert forked_pids == []


def test_without_fork_the_function_runs_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "can_fork", lambda: False)
    assert run_limited(os.getpid, (), seconds=PATIENCE) == os.getpid()


def test_run_or_refuse_turns_the_time_limit_into_bad_input() -> None:
    assert run_or_refuse(_sleep_then_return, (0.0, 7), PATIENCE, "never {error}") == 7
    with pytest.raises(InputError, match=r"^the check was stopped after .* s; simplify it$"):
        run_or_refuse(_never_return, (), 0.5, "the check was {error}; simplify it")
