"""Where the data of a numeric run come from: the bytes, their encoding, the header.

Shared by the two CSV readers (csv_fast.py, csv_exact.py) and parquet_data.py, under
dataset.py at the entry of `derive run`: the options of a read, the file or standard
input as bytes, the separator found in the header row, the chosen columns, and the
messages about them (one line, naming the file, the line and the column).
"""

from __future__ import annotations

import codecs
import csv
import mmap
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list, ngettext
from derive.numeric.arrays import Array

SEPARATORS = (",", ";", "\t")  # what a header row is searched for, in order of preference
CHUNK = 1 << 20  # bytes read at a time
WINDOW = 1 << 22  # bytes of a file mapped at a time to count its lines
Progress = Callable[[int, int], None]  # (bytes read, bytes in all)
Rows = NDArray[np.int64]


@dataclass(frozen=True)
class Options:
    """How a file is read: its separator (None: found in the header row), its encoding,
    and whether rows with an empty cell among the chosen columns are dropped."""

    sep: str | None = None
    encoding: str = "utf-8"
    dropna: bool = False


@dataclass(frozen=True)
class Source:
    """A file by its path, or bytes already read (standard input) under a name."""

    path: Path
    data: bytes | None = None

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    def open(self) -> BinaryIO:
        """The bytes as a stream; a missing file or a folder is an `InputError`."""
        if self.data is not None:
            import io

            return io.BytesIO(self.data)
        try:
            return self.path.open("rb")
        except FileNotFoundError:
            raise InputError(gettext("{path}: no such file").format(path=self.path)) from None
        except IsADirectoryError:
            raise InputError(
                gettext("{path} is a folder, not a CSV file").format(path=self.path)
            ) from None
        except OSError as error:
            raise unreadable(self.path, error) from None

    def read(self) -> bytes:
        with self.open() as stream:
            try:
                return stream.read()
            except OSError as error:
                raise unreadable(self.path, error) from None


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Columns:
    """The numbers read: the target, the features, and the data rows kept (numbered from 1
    among all the data rows; None when none was dropped)."""

    y: Array
    X: Array
    dropped: int = 0
    kept: Rows | None = None


def unreadable(path: Path, error: object) -> InputError:
    return InputError(
        gettext("{path} cannot be read as CSV: {error}").format(path=path, error=error)
    )


def codec(encoding: str) -> codecs.CodecInfo:
    """The codec of an encoding's name, or an `InputError` for a name Python does not know."""
    try:
        return codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            gettext("unknown encoding {encoding}: give one such as utf-8 or gbk").format(
                encoding=repr(encoding)
            )
        ) from None


def is_utf8(encoding: str) -> bool:
    return codec(encoding).name in ("utf-8", "utf-8-sig")


def undecodable(path: Path, data: bytes, error: UnicodeDecodeError, encoding: str) -> InputError:
    """The line of the first byte that is not text in the encoding."""
    line = data.count(b"\n", 0, error.start) + 1
    if is_utf8(encoding):
        message = gettext(
            "{path}, line {line}: not UTF-8 text; save the file as CSV in UTF-8 "
            "(in a spreadsheet: CSV UTF-8)"
        )
    else:
        message = gettext("{path}, line {line}: not text in the encoding {encoding}")
    return InputError(message.format(path=path, line=line, encoding=codec(encoding).name))


def without_bom(data: bytes, encoding: str) -> bytes:
    return data.removeprefix(codecs.BOM_UTF8) if is_utf8(encoding) else data


def separator(line: str, given: str | None) -> str:
    """The separator given, or the one of `SEPARATORS` found most often in the header row
    outside quotes (a comma when none is)."""
    if given is not None:
        return given
    outside = "".join(line.split('"')[::2])
    counts = [outside.count(sep) for sep in SEPARATORS]
    return SEPARATORS[counts.index(max(counts))] if max(counts) > 0 else ","


def header_names(path: Path, cells: list[str]) -> list[str]:
    """The names of the header row, stripped; an `InputError` when one repeats."""
    header = [name.strip() for name in cells]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(
            gettext("{path}: the header names {names} more than once").format(
                path=path, names=join_list(repeated)
            )
        )
    return header


def choose(
    path: Path, header: Sequence[str], target: str, features: Sequence[str] | None
) -> tuple[str, ...]:
    """The feature columns: those named, or every column but the target."""
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


def check_rows(path: Path, rows: int, dropped: int, features: int) -> None:
    """An `InputError` when fewer than two data rows are left to fit."""
    if dropped and rows < 2:
        message = ngettext(
            "{path}: {rows} row is left after dropping those with empty cells; a fit needs "
            "at least {count}",
            "{path}: {rows} rows are left after dropping those with empty cells; a fit needs "
            "at least {count}",
            rows,
        )
        raise InputError(message.format(path=path, rows=rows, count=features + 1))
    if rows == 0:
        raise InputError(gettext("{path} has a header row but no data rows").format(path=path))
    if rows == 1:
        raise InputError(
            gettext("{path} has only one data row: a fit needs at least {count}").format(
                path=path, count=features + 1
            )
        )


def row_bound(source: Source) -> int:
    """At least as many as the rows of a file whose lines end in \\n or \\r\\n (as many as
    its lines), or only in \\r: the size of the arrays to fill, so that they need not grow
    (they do for a file that mixes the two)."""
    counts = [0, 0]  # line feeds, and carriage returns while no line feed is found

    def count(chunk: NDArray[np.uint8]) -> None:
        counts[0] += int(np.count_nonzero(chunk == ord("\n")))
        counts[1] += 0 if counts[0] else int(np.count_nonzero(chunk == ord("\r")))

    _each_window(source, count)
    return (counts[0] or counts[1]) + 1


def _each_window(source: Source, visit: Callable[[NDArray[np.uint8]], None]) -> None:
    """Show the bytes of a source a window at a time, mapped rather than copied from a
    regular file (one window at a time, so that its pages do not stay resident)."""
    if source.data is not None:
        whole = np.frombuffer(source.data, dtype=np.uint8)
        for start in range(0, len(whole), WINDOW):
            visit(whole[start : start + WINDOW])
        return
    with source.open() as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            while chunk := stream.read(CHUNK):
                visit(np.frombuffer(chunk, dtype=np.uint8))
            return
        for start in range(0, status.st_size, WINDOW):
            length = min(WINDOW, status.st_size - start)
            with mmap.mmap(stream.fileno(), length, access=mmap.ACCESS_READ, offset=start) as m:
                window = np.frombuffer(m, dtype=np.uint8)
                visit(window)
                del window  # no view may outlive the mapping


def floats(array: Any) -> tuple[Array, NDArray[np.bool_] | None]:
    """The values of a pyarrow float64 array (a view of its buffer) and which of them are
    valid (None: all), through NumPy alone: pyarrow's own `to_numpy` imports pandas
    wherever it is installed, seconds and tens of megabytes for nothing."""
    validity, data = array.buffers()[:2]
    values = np.frombuffer(data, dtype=np.float64, count=len(array), offset=8 * array.offset)
    if not array.null_count:
        return values, None
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    return values, bits[array.offset : array.offset + len(array)].astype(bool)


def csv_row(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep), [])


class Filler:
    """Arrays of `rows` rows (an upper bound, found before reading) filled a block at a
    time, then cut to the rows read: the file is never held twice in memory."""

    def __init__(self, rows: int, features: int, dropna: bool) -> None:
        self.X = np.empty((rows, features))
        self.y = np.empty(rows)
        self.kept: Rows | None = np.empty(rows, np.int64) if dropna else None
        self.count = 0  # rows stored
        self.seen = 0  # data rows read, dropped ones included

    def add(self, y: Array, X: Sequence[Array], keep: NDArray[np.bool_] | None = None) -> None:
        """A block of rows: the target, each feature's column, and which rows to keep."""
        k = len(y) if keep is None else int(keep.sum())
        self._room(k)
        start, stop = self.count, self.count + k
        self.y[start:stop] = y if keep is None else y[keep]
        for j, column in enumerate(X):
            self.X[start:stop, j] = column if keep is None else column[keep]
        if self.kept is not None:
            numbers = np.arange(self.seen + 1, self.seen + len(y) + 1)
            self.kept[start:stop] = numbers if keep is None else numbers[keep]
        self.count = stop
        self.seen += len(y)

    def finish(self) -> Columns:
        """The rows stored, in arrays cut to their size (in place: no copy)."""
        n = self.X.shape[1]
        self.X.resize((self.count, n), refcheck=False)
        self.y.resize(self.count, refcheck=False)
        dropped = self.seen - self.count
        if self.kept is not None:
            self.kept.resize(self.count, refcheck=False)
        return Columns(self.y, self.X, dropped, self.kept if dropped else None)

    def _room(self, k: int) -> None:
        """Larger arrays when the bound was too low (a file mixing \\r and \\n line ends)."""
        if self.count + k <= len(self.y):
            return
        rows = max(2 * len(self.y), self.count + k)
        X, y = np.empty((rows, self.X.shape[1])), np.empty(rows)
        X[: self.count], y[: self.count] = self.X[: self.count], self.y[: self.count]
        self.X, self.y = X, y
        if self.kept is not None:
            kept = np.empty(rows, np.int64)
            kept[: self.count] = self.kept[: self.count]
            self.kept = kept
