"""The two CSV readers agree, the exact one names what the fast one refuses, and Parquet."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyarrow import parquet

from derive.core.errors import InputError
from derive.numeric import csv_exact, csv_fast
from derive.numeric.csv_fast import BLOCK
from derive.numeric.data_source import Options, Source
from derive.numeric.dataset import read_csv, read_data

# Cells that look like numbers to someone: what Python's float() takes is not the rule.
TRICKY = [
    "1",
    " 1",
    "1 ",
    "\t2",
    "+1",
    "-0",
    ".5",
    "5.",
    "1e5",
    "1E+5",
    "-.5e1",
    "001",
    "1e-400",
    "1_000",
    "١٢٣",
    "\uff11\uff12",
    "\u00a01",
    "1\u00a0",
    "0x10",
    "1d5",
    "1e",
    "e5",
    "--1",
    "1.0.0",
    "TRUE",
    "NA",
    "inf",
    "-Infinity",
    "nan",
    "NaN",
    "1e400",
    "\v1",
    "1\f",
    "",
    " ",
    "⁵",
]


Read = tuple[np.ndarray, np.ndarray, int]
X_ONLY = ["x"]  # in the large files, "name" is a text column


def fast(text: bytes, dropna: bool = False, features: list[str] | None = None) -> Read | None:
    source = Source(Path("t.csv"), text)
    found = csv_fast.read(source, Options(dropna=dropna), "y", features)
    return None if found is None else (found[1].X, found[1].y, found[1].dropped)


def exact(text: bytes, dropna: bool = False, features: list[str] | None = None) -> Read | None:
    try:
        found = csv_exact.read(Source(Path("t.csv"), text), Options(dropna=dropna), "y", features)
    except InputError:
        return None
    return found[1].X, found[1].y, found[1].dropped


def same(a: Read | None, b: object) -> bool:
    assert a is not None
    assert isinstance(b, tuple)
    return bool(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2])


@pytest.mark.parametrize("cell", TRICKY)
@pytest.mark.parametrize("dropna", [False, True])
def test_what_the_fast_reader_takes_the_exact_one_takes_alike(cell: str, dropna: bool) -> None:
    text = f"x,y\n1,2\n3,{cell}\n4,5\n".encode()
    quick = fast(text, dropna)
    if quick is not None:
        assert same(exact(text, dropna), quick)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet="0123456789.eE+-_ \t\u00a0x", max_size=6), min_size=2))
def test_the_readers_agree_on_any_cells(cells: list[str]) -> None:
    text = "x,y\n" + "".join(f"{i},{cell}\n" for i, cell in enumerate(cells))
    quick = fast(text.encode())
    if quick is not None:
        assert same(exact(text.encode()), quick)


@pytest.mark.parametrize(
    ("cell", "needle"),
    [
        ("١٢٣", "line 3, column 'y': '١٢٣' is not a number"),
        ("\uff11\uff12", "line 3, column 'y': '\uff11\uff12' is not a number"),
        ("1_000", "line 3, column 'y': '1_000' is not a number"),
        ("\u00a01", re.escape(r"line 3, column 'y': '\xa01' is not a number")),
        ("1e400", "line 3, column 'y': '1e400' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
    ],
)
def test_digits_python_would_take_are_refused_by_line_and_column(
    tmp_path: Path, cell: str, needle: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_text(f"x,y\n1,2\n3,{cell}\n4,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=needle):
        read_csv(path, "y")


def big_file(rows: int, bad: str | None = None) -> bytes:
    """Several of pyarrow's blocks: a text column with quoted line breaks, CRLF ends."""
    lines = ['name,x,"y"'] + [f'"row\n{i}",{i},{i * 0.5}' for i in range(rows)]
    if bad is not None:
        lines[-1] = f"last,{rows},{bad}"
    return ("\ufeff\r\n" + "\r\n".join(lines) + "\r\n").encode()


def test_a_file_of_many_blocks_reads_fast_and_as_the_exact_reader_does() -> None:
    text = big_file(60_000)
    assert len(text) > 4 * BLOCK
    quick = fast(text, features=X_ONLY)
    assert quick is not None
    assert same(exact(text, features=X_ONLY), quick)
    assert quick[0][-1, 0] == 59_999
    assert quick[1][-1] == 29_999.5


def test_a_bad_last_cell_of_a_large_file_is_named_by_its_line() -> None:
    text = big_file(60_000, bad="oops")
    assert fast(text, features=X_ONLY) is None
    # a blank line after the byte-order mark, the header, then two lines a row
    with pytest.raises(InputError, match=r"line 120001, column 'y': 'oops' is not a number"):
        csv_exact.read(Source(Path("t.csv"), text), Options(), "y", X_ONLY)


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_every_line_end_reads_the_same(end: str) -> None:
    text = end.join(["x,y", *(f"{i},{2 * i}" for i in range(1000))]).encode()
    quick = fast(text)
    assert quick is not None
    assert quick[1].shape == (1000,)
    assert same(exact(text), quick)


def test_mixed_line_ends_outgrow_the_first_bound_and_still_read() -> None:
    rows = "".join(f"{i},{i}\r" for i in range(3000)) + "".join(f"{i},{i}\n" for i in range(3))
    quick = fast(("x,y\n" + rows).encode())
    assert quick is not None
    assert quick[1].shape == (3003,)


def test_progress_is_reported_up_to_the_whole_file() -> None:
    text = big_file(60_000)
    seen: list[tuple[int, int]] = []
    read_csv("t.csv", "y", X_ONLY, data=text, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) > 2
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][1] == len(text)
    assert seen[-1][0] >= len(text) - 3  # all of it but the byte-order mark


def test_exact_reading_reports_progress_too() -> None:
    text = big_file(140_000).replace(b'"row\n', b'"row ')  # no line breaks in cells
    seen: list[int] = []
    csv_exact.read(Source(Path("t.csv"), text), Options(), "y", X_ONLY, lambda d, t: seen.append(d))
    assert len(seen) == 2  # every 65536 rows


def write_parquet(path: Path, columns: dict[str, list[object]]) -> Path:
    parquet.write_table(pa.table(columns), path)
    return path


def test_parquet_reads_numbers_of_every_kind(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "d.parquet",
        {"name": ["a", "b", "c"], "x": [1, 2, 3], "z": [0.5, 0.25, 1.0], "y": [2.0, 4.0, 6.5]},
    )
    data = read_data(path, "y", ["x", "z"])
    assert data.features == ("x", "z")
    assert np.array_equal(data.X, [[1, 0.5], [2, 0.25], [3, 1.0]])
    assert data.X.flags.c_contiguous


@pytest.mark.parametrize(
    ("columns", "needle"),
    [
        ({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 3.0]}, "row 2, column 'x': the cell is empty"),
        ({"x": [1.0, 2.0, math.inf], "y": [1.0, 2.0, 3.0]}, "row 3, column 'x': 'inf' is not a"),
        ({"x": ["1", "2", "3"], "y": [1.0, 2.0, 3.0]}, "column 'x': string values are not"),
        ({"x": [1.0], "y": [2.0]}, "has only one data row"),
        ({"x": [1.0, 2.0], "w": [1.0, 2.0]}, "no column 'y' for the target; it has: x, w"),
    ],
)
def test_bad_parquet_data_name_the_row_and_column(
    tmp_path: Path, columns: dict[str, list[object]], needle: str
) -> None:
    path = write_parquet(tmp_path / "d.parquet", columns)
    with pytest.raises(InputError, match=needle) as caught:
        read_data(path, "y")
    assert "\n" not in str(caught.value)


def test_parquet_drops_rows_with_nulls_when_asked(tmp_path: Path) -> None:
    columns = {"x": [1.0, None, 3.0, 4.0], "y": [1.0, 2.0, None, 4.0]}
    data = read_data(
        write_parquet(tmp_path / "d.parquet", columns), "y", options=Options(dropna=True)
    )
    assert data.dropped == 2
    assert data.rows().tolist() == [1, 4]
    assert data.y.tolist() == [1.0, 4.0]


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        read_data(path, "y")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789+-.eE \t", max_size=8))
def test_a_block_read_at_once_takes_exactly_the_plain_numbers(cell: str) -> None:
    table = csv_exact.plain([[cell]])
    matched = csv_exact.NUMBER.fullmatch(cell) is not None and math.isfinite(float(cell))
    assert (table is not None) == matched
    if table is not None:
        assert table[0, 0] == float(cell)


@pytest.mark.parametrize("cell", ["1_000", "١٢٣", "\v1", "1\x1c", "inf", "", " "])
def test_a_block_with_anything_else_is_read_row_by_row(cell: str) -> None:
    assert csv_exact.plain([["1", cell]]) is None
