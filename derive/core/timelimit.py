"""Run a computation in a forked child process and stop it when it takes too long.

Used by `derive check`: a SymPy computation on a user's expression cannot be
interrupted from inside, so it runs in a child that inherits the parent's state (the
parsed input, the derived gradients, SymPy's caches) and is killed at the time limit.
Where `fork` does not exist the computation runs in the calling process, unlimited.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from derive.core.errors import DeriveError
from derive.core.i18n import gettext

T = TypeVar("T")


class TimeLimitExceeded(DeriveError):
    """The computation ran longer than its limit and was stopped."""


def run_limited(function: Callable[..., T], args: tuple[Any, ...], seconds: float | None) -> T:
    """`function(*args)`, in a forked child stopped after `seconds` (None: no limit).

    Exceptions raised by the function are raised here again; one that cannot be sent
    back from the child becomes a RuntimeError that names it.
    """
    if seconds is None or "fork" not in multiprocessing.get_all_start_methods():
        return function(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TimeLimitExceeded(
                gettext("stopped after the time limit of {seconds} s").format(
                    seconds=f"{seconds:g}"
                )
            )
        status, payload = receiver.recv()
    except EOFError:
        raise RuntimeError("the checking process ended without an answer") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "error":
        raise payload
    result: T = payload
    return result


def _child(sender: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", function(*args))
    except Exception as error:  # sent back to be raised in the parent
        outcome = ("error", error)
    try:
        sender.send(outcome)
    except Exception as error:  # not picklable: send its description instead
        sender.send(("error", RuntimeError(f"{type(error).__name__}: {outcome[1]!r}")))
    finally:
        sender.close()
