"""Work shared out to forked processes, which inherit the caller's data instead of
unpickling it (SymPy expressions and the worked example are costly or impossible to
pickle; their results, numbers and bytes, are cheap).

Used by verify.py (the three check routes) and example_figures.py (the three figures),
while the main process goes on with other work. Without `fork` (or with one worker) the
work is done in the caller when its results are asked for.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_INHERITED: dict[int, tuple[Callable[[Any, Any], Any], Any]] = {}
_TOKENS = itertools.count()


@dataclass(frozen=True)
class Pending(Generic[Result]):
    """Results under way; `get()` waits for them, or computes them here."""

    running: multiprocessing.pool.MapResult[Result] | None
    compute: Callable[[], list[Result]] | None = None

    def get(self) -> list[Result]:
        if self.running is not None:
            return list(self.running.get())
        assert self.compute is not None
        return self.compute()


def worker_count(tasks: int, requested: int | None = None) -> int:
    """Workers for `tasks` tasks: as asked, else one per core; 1 where fork is missing."""
    if requested is not None:
        return max(1, min(requested, tasks))
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, tasks))


@contextmanager
def forked_map(
    function: Callable[[Any, Item], Result],
    shared: Any,
    items: Sequence[Item],
    workers: int | None = None,
) -> Iterator[Pending[Result]]:
    """Start `function(shared, item)` for every item in forked workers, forked on entry
    and stopped on exit whether or not the results were collected."""
    count = worker_count(len(items), workers)
    if count <= 1:
        yield Pending(None, lambda: [function(shared, item) for item in items])
        return
    token = next(_TOKENS)
    _INHERITED[token] = (function, shared)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            jobs = [(token, item) for item in items]
            yield Pending(pool.map_async(_call, jobs, chunksize=1))
    finally:
        del _INHERITED[token]


def _call(job: tuple[int, Any]) -> Any:
    token, item = job
    function, shared = _INHERITED[token]
    return function(shared, item)
