"""Work in forked child processes: several items side by side, or one with a time limit.

Part of the core layer; used by verify (the check routes), present (the figures) and
grade (`derive check`, stopped at its time limit). A child is forked with `os.fork`, so
it inherits the caller's data instead of unpickling it, sends its pickled result back
through a pipe and leaves with `os._exit`; the parent starts no thread.
"""

from __future__ import annotations

import math
import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from derive.core.errors import DeriveError, InputError
from derive.core.i18n import gettext

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")
T = TypeVar("T")

CHUNK = 1 << 16  # bytes read from a pipe at a time


class ChildFailed(RuntimeError):
    """A child process ended without a result that could be read."""


class TimeLimitExceeded(DeriveError):
    """The computation ran longer than its limit and was stopped."""


@dataclass(frozen=True)
class _Child:
    pid: int
    pipe: int  # the read end of the pipe the child writes its result to


@dataclass(frozen=True)
class Pending(Generic[Result]):
    """Results under way; `get()` waits for them, or computes them here."""

    get: Callable[[], list[Result]]


def can_fork() -> bool:
    return hasattr(os, "fork")


@contextmanager
def forked_map(
    function: Callable[[Shared, Item], Result],
    shared: Shared,
    items: Sequence[Item],
    workers: int | None = None,
) -> Iterator[Pending[Result]]:
    """Start `function(shared, item)` for every item, each in a child forked on entry;
    children still running on exit are killed, and all are reaped. Without `fork`, with
    one worker asked for or with one item, the work is done here when `get()` is called."""
    if not can_fork() or workers == 1 or len(items) <= 1:
        yield Pending(lambda: [function(shared, item) for item in items])
        return
    children: list[_Child] = []
    try:
        for item in items:
            children.append(_fork(partial(function, shared, item)))
        yield Pending(lambda: [_collect(child) for child in children])
    finally:
        for child in children:
            _stop(child)


def run_limited(function: Callable[..., T], args: tuple[Any, ...], seconds: float | None) -> T:
    """`function(*args)`, in a forked child killed after `seconds` (None: no limit, and
    no child; without `fork` too). The function's exceptions are raised here again; one
    that cannot be sent back becomes a `ChildFailed` (a RuntimeError) that names it."""
    if seconds is None or not can_fork():
        return function(*args)
    child = _fork(partial(function, *args))
    try:
        data = _receive(child.pipe, time.monotonic() + seconds)
        if data is None:
            raise TimeLimitExceeded(
                gettext("stopped after the time limit of {seconds} s").format(
                    seconds=f"{seconds:g}"
                )
            )
        result: T = _unpack(child, data)
        return result
    finally:
        _stop(child)


def run_or_refuse(
    function: Callable[..., T], args: tuple[Any, ...], seconds: float | None, refusal: str
) -> T:
    """`run_limited`, with work stopped at its limit refused as bad input: `refusal`, a
    translated sentence, says so with `{error}` (what the user typed asked for too much)."""
    try:
        return run_limited(function, args, seconds)
    except TimeLimitExceeded as error:
        raise InputError(refusal.format(error=error)) from None


def _fork(task: Callable[[], object]) -> _Child:
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the parent's code
        try:
            os.close(reading)
            _compute_and_send(task, writing)
        finally:
            os._exit(0)  # without the parent's exit handlers
    os.close(writing)
    return _Child(pid, reading)


def _compute_and_send(task: Callable[[], object], pipe: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        outcome: tuple[bool, object] = (True, task())
    except BaseException as error:  # sent back and raised in the parent
        outcome = (False, error)
    try:
        data = pickle.dumps(outcome)
    except Exception as error:  # an unpicklable result or error: say which
        what = type(outcome[1]).__name__
        message = f"worker process {os.getpid()} could not send back its {what}: {error!r}"
        data = pickle.dumps((False, ChildFailed(message)))
    with os.fdopen(pipe, "wb") as stream:
        stream.write(data)


def _receive(pipe: int, deadline: float | None = None) -> bytes | None:
    """All the child sent until it closed the pipe, or None if `deadline` (a
    `time.monotonic()` time) passed first."""
    poller = select.poll()
    poller.register(pipe, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        if deadline is not None:
            left = max(0, math.ceil((deadline - time.monotonic()) * 1000))
            if not poller.poll(left):
                return None
        chunk = os.read(pipe, CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _collect(child: _Child) -> Any:
    """The child's result, or its error raised here (waiting as long as it takes)."""
    data = _receive(child.pipe)
    assert data is not None  # no deadline
    return _unpack(child, data)


def _unpack(child: _Child, data: bytes) -> Any:
    if not data:
        raise ChildFailed(f"worker process {child.pid} ended without a result")
    try:
        succeeded, value = pickle.loads(data)
    except Exception as error:  # an error whose class cannot be rebuilt from its pickle
        message = f"worker process {child.pid} sent a result that cannot be read: {error!r}"
        raise ChildFailed(message) from error
    if not succeeded:
        raise value
    return value


def _stop(child: _Child) -> None:
    """Kill the child if it still runs, reap it, close its pipe."""
    with suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    with suppress(ChildProcessError):  # already reaped (SIGCHLD ignored)
        os.waitpid(child.pid, 0)
    os.close(child.pipe)
