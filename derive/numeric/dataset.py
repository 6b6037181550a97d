"""Reading a file of examples (CSV or Parquet) into the arrays a numeric run takes.

Entry of `derive run`, before descent.py in the numeric stage (model -> steps -> verify ->
numeric -> render -> files). The first row names the columns; the target and the features
must be finite numbers. A CSV file goes through pyarrow's reader (csv_fast.py) and, when
that finds anything amiss, through Python's csv module (csv_exact.py), which names the
line and the column; parquet_data.py reads Parquet. Every problem is an `InputError` with
a one-line message that names the file and, where there is one, the line and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from derive.numeric import csv_exact, csv_fast, parquet_data
from derive.numeric.arrays import Array
from derive.numeric.data_source import Columns, Options, Progress, Rows, Source, check_rows, codec

STDIN = Path("<stdin>")  # the name standard input goes by in messages


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Dataset:
    """The target y (m values) and the features X (m×n) read from a file, with their names;
    `dropped` rows had an empty cell, and `kept` numbers the rows kept among the file's data
    rows (from 1; None when none was dropped)."""

    path: Path
    target: str
    features: tuple[str, ...]
    X: Array
    y: Array
    dropped: int = 0
    kept: Rows | None = None

    def rows(self) -> Rows:
        """The number of each row among the file's data rows (from 1)."""
        if self.kept is not None:
            return self.kept
        return np.arange(1, len(self.y) + 1)


def read_csv(
    path: Path | str,
    target: str,
    features: Sequence[str] | None = None,
    *,
    options: Options | None = None,
    data: bytes | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Read `target` and `features` (by default every other column) from a CSV file, or
    from `data` (standard input) under the name `path`; `progress(bytes read, bytes in
    all)` is called while a large file is read."""
    options = options or Options()
    codec(options.encoding)  # an unknown encoding is refused before anything is read
    source = Source(Path(path), data)
    read = csv_fast.read(source, options, target, features, progress)
    chosen, columns = read or csv_exact.read(source, options, target, features, progress)
    return _dataset(source.path, target, chosen, columns)


def read_data(
    path: Path | str,
    target: str,
    features: Sequence[str] | None = None,
    *,
    options: Options | None = None,
    data: bytes | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """`read_csv`, or for a file whose name ends in .parquet, its Parquet columns."""
    options = options or Options()
    if data is None and Path(path).suffix.lower() == ".parquet":
        chosen, columns = parquet_data.read(Path(path), target, features, options.dropna)
        return _dataset(Path(path), target, chosen, columns)
    return read_csv(path, target, features, options=options, data=data, progress=progress)


def _dataset(path: Path, target: str, chosen: tuple[str, ...], columns: Columns) -> Dataset:
    check_rows(path, len(columns.y), columns.dropped, len(chosen))
    return Dataset(path, target, chosen, columns.X, columns.y, columns.dropped, columns.kept)
