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


class ExpressionError(InputError):
    """An expression that cannot be read, with the place of the problem in the text.

    `str()` is the one-line message (column first); `pointer()` gives the text,
    or the part of it around the problem, and a caret under the offending character.
    """

    def __init__(self, problem: str, text: str, position: int | None = None) -> None:
        from derive.i18n import gettext  # i18n imports this module, so not at the top

        where = "" if position is None else gettext("column {column}: ").format(column=position + 1)
        super().__init__(f"{where}{problem}")
        self.problem = problem
        self.text = text
        self.position = position

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, str, int | None]]:
        return (type(self), (self.problem, self.text, self.position))

    def pointer(self, width: int = 60) -> tuple[str, ...]:
        """Two lines: the text around the problem (printable), and a caret under it."""
        if self.position is None:
            return ()
        start = max(0, min(self.position - width // 2, len(self.text) - width))
        shown = _printable(self.text[start : start + width])
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + width < len(self.text) else ""
        caret = " " * (len(prefix) + self.position - start) + "^"
        return (f"{prefix}{shown}{suffix}", caret)


def _printable(text: str) -> str:
    """One character per character of `text`, none that a terminal would act on."""
    return "".join(
        ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else "�" for ch in text
    )


def shorten(text: str, limit: int = 30) -> str:
    """Text quoted in a message, cut in the middle when it is long."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"
