"""Reading a CSV file of examples into the arrays a numeric run takes.

Entry of `derive run`, before descent.py in the numeric stage (model -> steps -> verify ->
numeric -> render -> files). The first row names the columns; the target and the features
must be finite numbers. Every problem is an `InputError` with a one-line message that
names the file and, where there is one, the line and the column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from derive.errors import InputError
from derive.numeric import Array

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
        raise InputError(f"{path} has only one data row: a fit needs at least {len(chosen) + 1}")
    table = _numbers(path, header, rows, [header.index(name) for name in (target, *chosen)])
    return Dataset(path, target, chosen, np.ascontiguousarray(table[:, 1:]), table[:, 0].copy())


def _read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header (names stripped) and the non-blank rows, each with its line number."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            lines = [(reader.line_num, cells) for cells in reader if cells]
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a CSV file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path} cannot be read as CSV: {error}") from None
    if not lines:
        raise InputError(f"{path} is empty: it needs a header row and data rows")
    header = [name.strip() for name in lines[0][1]]
    if len(lines) == 1:
        raise InputError(f"{path} has a header row but no data rows")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: the header names {', '.join(repeated)} more than once")
    return header, lines[1:]


def _choose(
    path: Path, header: list[str], target: str, features: Sequence[str] | None
) -> tuple[str, ...]:
    columns = ", ".join(header)
    if target not in header:
        raise InputError(f"{path} has no column {target!r} for the target; it has: {columns}")
    if features is None:
        return tuple(name for name in header if name != target)
    for name in features:
        if name not in header:
            raise InputError(f"{path} has no feature column {name!r}; it has: {columns}")
    if target in features:
        raise InputError(f"{target!r} is the target: it cannot also be a feature")
    if not features or len(set(features)) < len(features):
        raise InputError("the features must be one or more distinct column names")
    return tuple(features)


def _numbers(path: Path, header: list[str], rows: list[Row], indices: list[int]) -> Array:
    """The chosen columns as floats; the first bad cell is reported by line and column."""
    for line, cells in rows:
        if len(cells) != len(header):
            raise InputError(
                f"{path}, line {line}: {len(cells)} cells, but the header has {len(header)}"
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
            where = f"{path}, line {line}, column {header[i]!r}"
            if not cell:
                raise InputError(f"{where}: the cell is empty")
            try:
                value = float(cell)
            except ValueError:
                raise InputError(f"{where}: {cell!r} is not a number") from None
            if not math.isfinite(value):
                raise InputError(f"{where}: {cell!r} is not a finite number")
    raise InputError(f"{path}: the chosen columns cannot be read as numbers")
