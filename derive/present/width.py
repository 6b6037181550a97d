"""How wide text is in a terminal: Chinese characters take two columns, accents none.

Used by terminal.py and report.py (the command line's text) to line up columns and wrap
paragraphs by the columns text takes, not by its count of characters.
"""

from __future__ import annotations

import unicodedata

_NO_LINE_START = frozenset("，。、；：？！）」』》】")


def width(text: str) -> int:
    """The columns `text` takes in a terminal."""
    return sum(_columns(character) for character in text)


def _columns(character: str) -> int:
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` columns, broken at spaces, or between two characters
    when either is a wide (Chinese) one. Two things may run past `columns`: a word
    longer than a line, kept whole, and a closing punctuation mark, kept at the end of
    its line rather than starting the next."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if piece == " ":
            line += " " if line else ""
        elif line and width(line + piece) > columns and piece not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    if line:
        lines.append(line.rstrip())
    return lines


def _pieces(text: str) -> list[str]:
    """Words, single spaces and single wide characters: the units a line is made of."""
    pieces: list[str] = []
    word = ""
    for character in " ".join(text.split()):
        if character == " " or _columns(character) == 2:
            if word:
                pieces.append(word)
            pieces.append(character)
            word = ""
        else:
            word += character
    if word:
        pieces.append(word)
    return pieces
