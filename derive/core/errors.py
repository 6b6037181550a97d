"""The errors derive reports to its users, shared by every stage of the flow.

An `InputError` is input that cannot be used (a file, a number, an expression): the
command line prints its message as one line and exits with code 2, never a traceback.
Messages name the problem and, where there is one, the place (row, column, character).
"""

from __future__ import annotations


class DeriveError(Exception):
    """Base class of the errors derive reports to users."""


class InputError(DeriveError):
    """Input that cannot be used; the message is one line that names the problem."""


class DivergenceError(DeriveError):
    """A run that cannot reach the minimum: a step at or above the stability bound, or
    costs that stop being finite or keep rising. The command line exits with code 1."""


def shorten(text: str, limit: int = 30) -> str:
    """Text quoted in a message, cut in the middle when it is long."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"
