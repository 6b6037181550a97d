"""Reading a Parquet file of examples: the chosen columns through pyarrow.

Under dataset.py, beside the CSV readers, at the entry of `derive run` (a file whose
name ends in .parquet). The columns must hold numbers (integers, floats or decimals); a
null is an empty cell (an error, or its row dropped), and a value that is not finite is
named by its row (counted from 1) and its column, as in a CSV file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pyarrow import parquet

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.numeric.data_source import Columns, Filler, choose, header_names


def read(
    path: Path, target: str, features: Sequence[str] | None, dropna: bool
) -> tuple[tuple[str, ...], Columns]:
    """The chosen features and their numbers, or an `InputError` naming the problem."""
    file = _open(path)
    names = list(file.schema_arrow.names)
    header = header_names(path, names)
    chosen = choose(path, header, target, features)
    table = file.read(columns=[names[header.index(name)] for name in (target, *chosen)])
    keep = np.ones(table.num_rows, dtype=bool)
    values = []
    for name, column in zip((target, *chosen), table.columns, strict=True):
        valid = _numbers(path, name, column)
        if not dropna and not valid.all():
            where = _where(path, int(np.argmin(valid)), name)
            raise InputError(gettext("{where}: the cell is empty").format(where=where))
        keep &= valid
        values.append(column.to_numpy().astype(np.float64, copy=False))
    for name, column in zip((target, *chosen), values, strict=True):
        bad = ~np.isfinite(column) & keep
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                gettext("{where}: {cell} is not a finite number").format(
                    where=_where(path, row, name), cell=repr(str(column[row]))
                )
            )
    filler = Filler(table.num_rows, len(chosen), dropna)
    filler.add(values[0], values[1:], None if keep.all() else keep)
    return chosen, filler.finish()


def _open(path: Path) -> Any:
    try:
        return parquet.ParquetFile(path)
    except FileNotFoundError:
        raise InputError(gettext("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise InputError(gettext("{path} is a folder, not a file").format(path=path)) from None
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            gettext("{path} cannot be read as Parquet: {error}").format(path=path, error=error)
        ) from None


def _numbers(path: Path, name: str, column: Any) -> Any:
    """Which cells of a column hold a value; an `InputError` when it does not hold numbers."""
    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)):
        raise InputError(
            gettext("{path}, column {column}: {kind} values are not numbers").format(
                path=path, column=repr(name), kind=kind
            )
        )
    return column.is_valid().to_numpy()


def _where(path: Path, row: int, name: str) -> str:
    return gettext("{path}, row {row}, column {column}").format(
        path=path, row=row + 1, column=repr(name)
    )
