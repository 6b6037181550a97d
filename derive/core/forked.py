"""Work shared out to forked child processes, which inherit the caller's data instead of
unpickling it (SymPy expressions and the worked example are costly or impossible to
pickle; their results, numbers and bytes, are cheap).

Used by verify.py (the three check routes) and example_figures.py (the three figures),
while the main process goes on with other work. Each item gets a child of its own,
forked with `os.fork` from a process that starts no threads (a process pool would, and
forking beside threads can deadlock); a child sends its pickled result back through a
pipe and leaves with `os._exit`. Without `fork`, or with one worker asked for, the work
is done in the caller when its results are asked for.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")


class ChildFailed(RuntimeError):
    """A child process ended without sending a result back."""


@dataclass(frozen=True)
class _Child:
    pid: int
    pipe: int


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
    children whose result was not collected are stopped on exit."""
    if not can_fork() or workers == 1 or len(items) <= 1:
        yield Pending(lambda: [function(shared, item) for item in items])
        return
    children: list[_Child] = []
    try:
        for item in items:
            children.append(_fork(function, shared, item))
        yield Pending(lambda: [_collect(child) for child in children])
    finally:
        for child in children:
            _stop(child)


def _fork(function: Callable[[Shared, Item], Result], shared: Shared, item: Item) -> _Child:
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit code
        os.close(reading)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        try:
            outcome: tuple[bool, object] = (True, function(shared, item))
        except BaseException as error:  # sent back and raised in the parent
            outcome = (False, error)
        try:
            data = pickle.dumps(outcome)
        except Exception as error:  # an unpicklable result or error
            data = pickle.dumps((False, ChildFailed(repr(error))))
        with os.fdopen(writing, "wb") as stream:
            stream.write(data)
        os._exit(0)
    os.close(writing)
    return _Child(pid, reading)


def _collect(child: _Child) -> Any:
    """The child's result, or its error raised here."""
    with os.fdopen(os.dup(child.pipe), "rb") as stream:
        data = stream.read()
    try:
        succeeded, value = pickle.loads(data)
    except Exception:  # nothing sent (the child died), or an error that cannot be rebuilt
        raise ChildFailed(f"worker process {child.pid} ended without a result") from None
    if not succeeded:
        raise value
    return value


def _stop(child: _Child) -> None:
    """Kill the child if it still runs, reap it, close its pipe."""
    with suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    os.waitpid(child.pid, 0)
    os.close(child.pipe)
