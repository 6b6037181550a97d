"""Forked children: results in order, errors raised in the parent, nothing left behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from derive.core.errors import InputError
from derive.core.forked import ChildFailed, forked_map


def square_plus(shared: int, item: int) -> int:
    return item * item + shared


def refuse(_shared: None, item: int) -> int:
    if item == 2:
        raise InputError(f"item {item} refused")
    return item


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)  # pickled with one argument, rebuilt with two: fails


def unpicklable(_shared: None, _item: int) -> int:
    raise Unpicklable("a", "b")


def pid_of_child(_shared: None, _item: int) -> int:
    return os.getpid()


def sleep_long(folder: Path, item: int) -> int:
    (folder / f"{item}.pid").write_text(str(os.getpid()))
    time.sleep(60)
    return 0


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


def test_an_error_of_a_child_is_raised_in_the_parent() -> None:
    with forked_map(refuse, None, [1, 2, 3]) as pending, pytest.raises(InputError, match="item 2"):
        pending.get()


def test_an_error_that_cannot_be_sent_back_is_a_child_failure() -> None:
    with forked_map(unpicklable, None, [1, 2]) as pending, pytest.raises(ChildFailed):
        pending.get()


def test_the_parent_starts_no_thread_and_stops_children_it_did_not_wait_for(
    tmp_path: Path,
) -> None:
    before = threading.active_count()
    start = time.perf_counter()
    with forked_map(sleep_long, tmp_path, [1, 2]):
        assert threading.active_count() == before
        while len(list(tmp_path.glob("*.pid"))) < 2:
            time.sleep(0.01)
    assert time.perf_counter() - start < 10
    for path in tmp_path.glob("*.pid"):
        with pytest.raises(ProcessLookupError):  # killed and reaped
            os.kill(int(path.read_text()), 0)
