"""Reading a CSV file of examples into the arrays a numeric run takes.

Entry of `derive run`, before descent.py in the numeric stage (model -> steps -> verify ->
numeric -> render -> files). The first row names the columns; the target and the features
must be finite numbers. Every problem is an `InputError` with a one-line message that
names the file and, where there is one, the line and the column.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list
from derive.numeric.arrays import Array

Row = tuple[int, list[str]]  # (line number in the file, cells)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Dataset:
    """The target y (m values) and the features X (m×n) read from a file, with their names."""

    path: Path
    target: str
    features: tuple[str, ...]
    X: Array
    y: Array


def read_csv(path: Path | str, target: str, features: Sequence[str] | None = None) -> Dataset:
    """Read `target` and `features` (by default every other column) from a CSV file."""
    path = Path(path)
    header, rows = _read_rows(path)
    chosen = _choose(path, header, target, features)
    if len(rows) < 2:
        raise InputError(
            gettext("{path} has only one data row: a fit needs at least {count}").format(
                path=path, count=len(chosen) + 1
            )
        )
    table = _numbers(path, header, rows, [header.index(name) for name in (target, *chosen)])
    return Dataset(path, target, chosen, np.ascontiguousarray(table[:, 1:]), table[:, 0].copy())


def _read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header (names stripped) and the non-blank rows, each with its line number."""
    try:
        data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        lines = [(reader.line_num, cells) for cells in reader if cells]
    except FileNotFoundError:
        raise InputError(gettext("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise InputError(gettext("{path} is a folder, not a CSV file").format(path=path)) from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            gettext(
                "{path}, line {line}: not UTF-8 text; save the file as CSV in UTF-8 "
                "(in a spreadsheet: CSV UTF-8)"
            ).format(path=path, line=line)
        ) from None
    except (OSError, csv.Error) as error:
        raise InputError(
            gettext("{path} cannot be read as CSV: {error}").format(path=path, error=error)
        ) from None
    if not lines:
        raise InputError(
            gettext("{path} is empty: it needs a header row and data rows").format(path=path)
        )
    header = [name.strip() for name in lines[0][1]]
    if len(lines) == 1:
        raise InputError(gettext("{path} has a header row but no data rows").format(path=path))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(
            gettext("{path}: the header names {names} more than once").format(
                path=path, names=join_list(repeated)
            )
        )
    return header, lines[1:]


def _choose(
    path: Path, header: list[str], target: str, features: Sequence[str] | None
) -> tuple[str, ...]:
    columns = join_list(header)
    if target not in header:
        raise InputError(
            gettext("{path} has no column {target} for the target; it has: {columns}").format(
                path=path, target=repr(target), columns=columns
            )
        )
    if features is None:
        return tuple(name for name in header if name != target)
    for name in features:
        if name not in header:
            raise InputError(
                gettext("{path} has no feature column {name}; it has: {columns}").format(
                    path=path, name=repr(name), columns=columns
                )
            )
    if target in features:
        raise InputError(
            gettext("{target} is the target: it cannot also be a feature").format(
                target=repr(target)
            )
        )
    if not features or len(set(features)) < len(features):
        raise InputError(gettext("the features must be one or more distinct column names"))
    return tuple(features)


def _numbers(path: Path, header: list[str], rows: list[Row], indices: list[int]) -> Array:
    """The chosen columns as floats; the first bad cell is reported by line and column."""
    for line, cells in rows:
        if len(cells) != len(header):
            raise InputError(
                gettext("{path}, line {line}: {cells} cells, but the header has {count}").format(
                    path=path, line=line, cells=len(cells), count=len(header)
                )
            )
    text = [[cells[i] for i in indices] for _, cells in rows]
    try:
        table = np.array(text, dtype=np.float64)
    except ValueError:
        table = None
    if table is None or not np.isfinite(table).all():
        _report_bad_cell(path, header, rows, indices)
    return table


def _report_bad_cell(
    path: Path, header: list[str], rows: list[Row], indices: list[int]
) -> NoReturn:
    for line, cells in rows:
        for i in indices:
            cell = cells[i].strip()
            where = gettext("{path}, line {line}, column {column}").format(
                path=path, line=line, column=repr(header[i])
            )
            if not cell:
                raise InputError(gettext("{where}: the cell is empty").format(where=where))
            try:
                value = float(cell)
            except ValueError:
                raise InputError(
                    gettext("{where}: {cell} is not a number").format(where=where, cell=repr(cell))
                ) from None
            if not math.isfinite(value):
                raise InputError(
                    gettext("{where}: {cell} is not a finite number").format(
                        where=where, cell=repr(cell)
                    )
                )
    raise InputError(
        gettext("{path}: the chosen columns cannot be read as numbers").format(path=path)
    )
