"""The fast way through a clean CSV file: pyarrow's streaming reader into the arrays.

Under dataset.py, beside csv_exact.py. The header row is read here (to find the
separator and to check the names, with the messages of data_source.py); the rows go
block by block from pyarrow's parser into arrays sized beforehand, so that the file is
never held whole. Whenever anything is not as expected (a cell that is not a number, a
ragged row, bytes that are not text, a value that is not finite), `read` answers None and
csv_exact.py reads the file again to name the line and the column.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
from pyarrow import csv as arrow_csv

from derive.numeric.data_source import (
    CHUNK,
    Columns,
    Filler,
    Options,
    Progress,
    Source,
    choose,
    csv_row,
    floats,
    header_names,
    is_utf8,
    row_bound,
    separator,
)

LINE = re.compile(r"[^\r\n]+")  # a line that is not blank
BLOCK = 1 << 18  # bytes pyarrow parses at a time: small blocks keep the peak memory low


class _Stream:
    """The bytes of a file for pyarrow: counted (for the progress bar), checked as text
    in their encoding and, when that is not UTF-8, re-encoded as UTF-8; a leading UTF-8
    byte-order mark is dropped. A byte that is not text raises `UnicodeDecodeError`."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self.raw = raw
        self.utf8 = is_utf8(encoding)
        self.decoder = codecs.getincrementaldecoder("utf-8" if self.utf8 else encoding)()
        self.done = 0  # bytes of the file read so far
        self.pending = b""
        self.started = False
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        if self.utf8:
            return self._text(self.raw.read(size))
        while size < 0 or len(self.pending) < size:
            chunk = self.raw.read(CHUNK)
            self.pending += self._text(chunk)
            if not chunk:
                break
        size = len(self.pending) if size < 0 else size
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def _text(self, chunk: bytes) -> bytes:
        """The next bytes of the file as UTF-8, the end of the file when `chunk` is empty."""
        if self.utf8 and not self.started:
            chunk, self.started = chunk.removeprefix(codecs.BOM_UTF8), True
        self.done += len(chunk)
        if not self.utf8:
            return self.decoder.decode(chunk, final=not chunk).encode("utf-8")
        if not (chunk.isascii() and not self.decoder.getstate()[0]):  # ASCII is UTF-8
            self.decoder.decode(chunk, final=not chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def read(
    source: Source,
    options: Options,
    target: str,
    features: Sequence[str] | None,
    progress: Progress | None = None,
) -> tuple[tuple[str, ...], Columns] | None:
    """The chosen features and their numbers, or None when csv_exact.py must look."""
    found = _header(source, options)
    if found is None:
        return None
    cells, sep = found
    header = header_names(source.path, cells)
    chosen = choose(source.path, header, target, features)
    raw = [cells[header.index(name)] for name in (target, *chosen)]
    filler = Filler(row_bound(source), len(chosen), options.dropna)
    total = max(source.size(), 1)
    with source.open() as file:
        stream = _Stream(file, options.encoding)
        reader = None
        try:
            reader = _batches(stream, sep, raw, options.dropna)
            for batch in reader:
                if not _add(filler, batch):
                    return None
                if progress is not None:
                    progress(stream.done, total)
        except (pa.ArrowException, ValueError, UnicodeError):
            return None
        finally:  # stop pyarrow's reading threads before the file closes under them
            if reader is not None:
                reader.close()
    return chosen, filler.finish()


def _header(source: Source, options: Options) -> tuple[list[str], str] | None:
    """The cells of the first line that is not blank, and the separator; None when the
    start of the file is not plain text with a header line (csv_exact.py says why)."""
    with source.open() as file:
        head = file.read(CHUNK)
        whole = len(head) < CHUNK
    if is_utf8(options.encoding):
        head = head.removeprefix(codecs.BOM_UTF8)
    try:
        text = codecs.getincrementaldecoder(options.encoding)().decode(head, final=whole)
    except UnicodeError:
        return None
    line = LINE.search(text)
    if line is None or (not whole and line.end() == len(text)) or line.group().count('"') % 2:
        return None  # no header, one longer than the head, or one going on to the next line
    sep = separator(line.group(), options.sep)
    return csv_row(line.group(), sep), sep


def _batches(stream: _Stream, sep: str, names: list[str], dropna: bool) -> Any:
    """pyarrow's reader of the chosen columns as float64, an empty cell a null with
    `dropna` (and an error without)."""
    return arrow_csv.open_csv(
        stream,
        read_options=arrow_csv.ReadOptions(block_size=BLOCK, use_threads=True),
        parse_options=arrow_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=arrow_csv.ConvertOptions(
            include_columns=names,
            column_types=dict.fromkeys(names, pa.float64()),
            null_values=[""] if dropna else [],
            strings_can_be_null=False,
            quoted_strings_can_be_null=dropna,
        ),
    )


def _add(filler: Filler, batch: Any) -> bool:
    """Store a block of rows; False when a value is not finite (csv_exact.py names it)."""
    values, keep = [], None
    for j in range(batch.num_columns):
        column, valid = floats(batch.column(j))
        values.append(column)
        if valid is not None:
            keep = valid if keep is None else keep & valid
    for column in values:
        if not np.isfinite(column if keep is None else column[keep]).all():
            return False
    filler.add(values[0], values[1:], keep)
    return True
