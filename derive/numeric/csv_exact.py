"""The exact way through a CSV file: Python's csv module, a row at a time, each cell checked.

Under dataset.py, after csv_fast.py: it runs when the fast reader found something it
does not accept, and names the first problem by its line (blank lines and a byte-order
mark included in the count) and column, as a one-line `InputError`. A number is written
in ASCII: digits, a point, an exponent, a sign, spaces or tabs around it; Python's
float() would also take other digits (Arabic-Indic '١٢٣', fullwidth ones) and
underscores ('1_000'), which are refused here. When every cell is a number the file is
read all the same.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from derive.core.errors import InputError
from derive.core.i18n import gettext, ngettext
from derive.numeric.arrays import Array
from derive.numeric.data_source import (
    Columns,
    Filler,
    Options,
    Progress,
    Source,
    choose,
    header_names,
    separator,
    undecodable,
    unreadable,
    without_bom,
)

NUMBER = re.compile(r"[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*")
NOT_FINITE = re.compile(r"[ \t]*[+-]?(?:inf|infinity|nan)[ \t]*", re.IGNORECASE)
LINE = re.compile(r"[^\r\n]+")
PLAIN = str.maketrans("", "", "0123456789+-.eE \t")  # deletes the characters of plain numbers
EVERY = 65536  # rows read as a block, between two reports of progress
Row = tuple[int, list[str]]  # (line number in the file, cells)


def number(cell: str, where: str) -> float | None:
    """The value of a cell, None when it is empty; an `InputError` (at `where`) when it is
    not a finite number written in ASCII."""
    if NUMBER.fullmatch(cell):
        value = float(cell)
        if math.isfinite(value):
            return value
    if not cell.strip():
        return None
    shown = cell.strip(" \t")  # other spaces, such as U+00A0, show in the quoted cell
    if NUMBER.fullmatch(cell) or NOT_FINITE.fullmatch(cell):
        message = gettext("{where}: {cell} is not a finite number")
    else:
        message = gettext("{where}: {cell} is not a number")
    raise InputError(message.format(where=where, cell=repr(shown)))


def read(
    source: Source,
    options: Options,
    target: str,
    features: Sequence[str] | None,
    progress: Progress | None = None,
) -> tuple[tuple[str, ...], Columns]:
    """The chosen features and their numbers, or an `InputError` naming the first problem."""
    path = source.path
    data = without_bom(source.read(), options.encoding)
    sep = _separator(path, data, options)
    stream = io.BytesIO(data)
    text = io.TextIOWrapper(stream, options.encoding, newline="")
    rows = _rows(path, csv.reader(text, delimiter=sep))
    found = next(rows, None)
    if found is None:
        raise InputError(
            gettext("{path} is empty: it needs a header row and data rows").format(path=path)
        )
    header = header_names(path, found[1])
    chosen = choose(path, header, target, features)
    indices = [header.index(name) for name in (target, *chosen)]
    filler = Filler(max(data.count(b"\n"), data.count(b"\r")) + 1, len(chosen), options.dropna)
    block: list[Row] = []
    for row in rows:
        block.append(row)
        if len(block) == EVERY:
            _store(path, header, indices, block, options.dropna, filler)
            if progress is not None:
                progress(stream.tell(), max(len(data), 1))
    _store(path, header, indices, block, options.dropna, filler)
    return chosen, filler.finish()


def _store(
    path: Path,
    header: list[str],
    indices: list[int],
    block: list[Row],
    dropna: bool,
    filler: Filler,
) -> None:
    """Store a block of rows and start the next: at the speed of C when every chosen cell
    is a plain number, else row by row, to name the first problem (or drop rows)."""
    table = None
    if all(len(cells) == len(header) for _, cells in block):
        table = plain([[cells[i] for _, cells in block] for i in indices])
    if table is None:
        rows = [_values(path, header, indices, line, cells, dropna) for line, cells in block]
        table = np.array(rows, dtype=np.float64).reshape(len(block), len(indices)).T
    keep = np.asarray(~np.isnan(table).any(axis=0), dtype=np.bool_)  # no empty cell
    filler.add(table[0], list(table[1:]), None if keep.all() else keep)
    block.clear()


def plain(columns: list[list[str]]) -> Array | None:
    """The cells as numbers when every one is finite and written with digits, signs,
    points, exponents, spaces and tabs alone; None otherwise. Over those characters,
    Python's float(), which NumPy calls, takes exactly what `NUMBER` matches."""
    if any("".join(column).translate(PLAIN) for column in columns):
        return None
    try:
        table = np.array(columns, dtype=np.float64)
    except ValueError:  # an empty cell, "1e", "+-1", ...
        return None
    return table if np.isfinite(table).all() else None


def _separator(path: Path, data: bytes, options: Options) -> str:
    """The separator, from the first line that is not blank; an `InputError` naming the
    line of the first byte that is not text in the encoding."""
    try:
        first = LINE.search(data.decode(options.encoding))
    except UnicodeDecodeError as error:
        raise undecodable(path, data, error, options.encoding) from None
    return separator(first.group() if first else "", options.sep)


def _rows(path: Path, reader: Any) -> Iterator[Row]:
    """The rows that are not blank, each with the number of its (last) line."""
    try:
        for cells in reader:
            if cells:
                yield reader.line_num, cells
    except csv.Error as error:
        raise unreadable(path, error) from None


def _values(
    path: Path, header: list[str], indices: list[int], line: int, cells: list[str], dropna: bool
) -> list[float]:
    """The chosen cells of a row as numbers, an empty one as NaN when rows with empty
    cells are dropped."""
    if len(cells) != len(header):
        message = ngettext(
            "{path}, line {line}: {cells} cell, but the header has {count}",
            "{path}, line {line}: {cells} cells, but the header has {count}",
            len(cells),
        )
        raise InputError(message.format(path=path, line=line, cells=len(cells), count=len(header)))
    values = []
    for i in indices:
        cell = cells[i]
        if NUMBER.fullmatch(cell) and math.isfinite(value := float(cell)):
            values.append(value)
            continue
        where = gettext("{path}, line {line}, column {column}").format(
            path=path, line=line, column=repr(header[i])
        )
        found = number(cell, where)
        if found is None and not dropna:
            raise InputError(gettext("{where}: the cell is empty").format(where=where))
        values.append(math.nan if found is None else found)
    return values
