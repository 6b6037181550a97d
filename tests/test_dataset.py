"""Reading CSV files: the columns chosen, and a one-line message for every kind of bad data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive.core.errors import InputError
from derive.numeric.data_source import Options
from derive.numeric.dataset import STDIN, read_csv

DATA = Path(__file__).parent / "data"


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_target_and_all_other_columns_by_default() -> None:
    data = read_csv(DATA / "longley.csv", "TOTEMP")
    assert data.features == ("GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR")
    assert data.X.shape == (16, 6)
    assert data.y[0] == 60323
    assert data.X[0, -1] == 1947


def test_reads_only_the_chosen_features_so_other_columns_may_hold_text(tmp_path: Path) -> None:
    path = write(tmp_path, "name,x,y\nAda,1,2\nBob,2,4.5\nCy,3,6\n")
    data = read_csv(path, "y", ["x"])
    assert data.features == ("x",)
    assert np.array_equal(data.X[:, 0], [1, 2, 3])
    assert np.array_equal(data.y, [2, 4.5, 6])


def test_a_file_not_in_utf8_names_the_line_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("x,y\n1,2\n2,4\n3,6 # 价格\n".encode("gbk"))
    with pytest.raises(InputError, match=r"gbk.csv, line 4: not UTF-8 text; save the file"):
        read_csv(path, "y")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # behind a byte-order mark
    with pytest.raises(InputError, match=r"gbk.csv, line 4: not UTF-8 text"):
        read_csv(path, "y")


def test_blank_lines_and_a_byte_order_mark_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffx,y\n\n1,2\n2,3\n\n3,5\n")
    assert read_csv(path, "y").X.shape == (3, 1)


@pytest.mark.parametrize(
    ("text", "target", "features", "needle"),
    [
        ("", "y", None, "is empty"),
        ("\n\n", "y", None, "is empty"),
        ("x,y\n", "y", None, "has a header row but no data rows"),
        ("x,y\n1,2\n", "y", None, "has only one data row"),
        ("x,y\n1,2\n3,4\n", "z", None, "no column 'z' for the target; it has: x, y"),
        ("x,y\n1,2\n3,4\n", "y", ["w"], "no feature column 'w'; it has: x, y"),
        ("x,y\n1,2\n3,4\n", "y", ["y"], "'y' is the target"),
        ("x,x,y\n1,2,3\n3,4,5\n", "y", None, "names x more than once"),
        ("x,y\n1,2\n3\n5,6\n", "y", None, "line 3: 1 cell, but the header has 2"),
        ("x,y\n1,2\n3,4,5\n", "y", None, "line 3: 3 cells, but the header has 2"),
        ("x,y\n1,2\n3,abc\n", "y", None, "line 3, column 'y': 'abc' is not a number"),
        ("x,y\n1,2\n,4\n", "y", None, "line 3, column 'x': the cell is empty"),
        ("x,y\n1,2\n3,nan\n", "y", None, "line 3, column 'y': 'nan' is not a finite number"),
        ("x,y\n1,2\n3,4\n-inf,4\n", "y", None, "line 4, column 'x': '-inf' is not a finite"),
    ],
)
def test_bad_data_raise_one_line_input_errors(
    tmp_path: Path, text: str, target: str, features: list[str] | None, needle: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=needle) as caught:
        read_csv(path, target, features)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_csv(tmp_path / "absent.csv", "y")


def test_a_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_csv(tmp_path, "y")


def test_a_binary_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"x,y\n\xff\xfe\x00,1\n")
    with pytest.raises(InputError, match=r"data.csv, line 2: not UTF-8 text"):
        read_csv(path, "y")


@pytest.mark.parametrize(
    ("text", "sep"),
    [
        ("x;y\n1,5;2\n3;4\n", None),  # a semicolon between cells, a comma in one
        ("x\ty\n1,5\t2\n3\t4\n", None),
        ('"x";"y"\n"1,5";2\n3;4\n', None),
        ("x;y\n1,5;2\n3;4\n", ";"),
    ],
)
def test_the_separator_is_found_in_the_header_or_given(
    tmp_path: Path, text: str, sep: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=r"line 2, column 'x': '1,5' is not a number"):
        read_csv(path, "y", options=Options(sep=sep))
    path.write_text(text.replace("1,5", "1.5"), encoding="utf-8")
    assert read_csv(path, "y", options=Options(sep=sep)).X[:, 0].tolist() == [1.5, 3]


def test_a_separator_given_wins_over_the_one_found(tmp_path: Path) -> None:
    path = write(tmp_path, "x;y\n1;2\n4;5\n")
    assert read_csv(path, "y").features == ("x",)
    with pytest.raises(InputError, match="no column 'y' for the target; it has: x;y"):
        read_csv(path, "y", options=Options(sep=","))


def test_a_gbk_file_from_excel_reads_with_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("面积,价格\n50,100\n80,150\n120,210\n".encode("gbk"))
    with pytest.raises(InputError, match=r"gbk.csv, line 1: not UTF-8 text"):
        read_csv(path, "价格")
    data = read_csv(path, "价格", options=Options(encoding="gbk"))
    assert data.features == ("面积",)
    assert data.y.tolist() == [100, 150, 210]


def test_bytes_not_in_the_encoding_given_are_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes("x,y\n1,2\n2,3\n3,\xff\xff\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"data.csv, line 4: not text in the encoding gbk"):
        read_csv(path, "y", options=Options(encoding="gbk"))


def test_an_unknown_encoding_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n1,2\n2,3\n")
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_csv(path, "y", options=Options(encoding="klingon"))


def test_text_bytes_are_checked_in_columns_not_chosen_too(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"name,x,y\nAda,1,2\nBob,2,3\n" + "价,3,4\n".encode("gbk"))
    with pytest.raises(InputError, match=r"data.csv, line 4: not UTF-8 text"):
        read_csv(path, "y", ["x"])


def test_rows_with_empty_cells_are_dropped_and_counted_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path, "n,x,y\na,1,2\n,2,\nc, ,4\nd,4,8\ne,5,10\n")
    with pytest.raises(InputError, match="line 3, column 'y': the cell is empty"):
        read_csv(path, "y", ["x"])
    data = read_csv(path, "y", ["x"], options=Options(dropna=True))
    assert data.dropped == 2  # the empty name of line 3 is not a chosen column
    assert data.rows().tolist() == [1, 4, 5]
    assert data.y.tolist() == [2, 8, 10]


def test_too_few_rows_left_after_dropping_say_so(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n1,2\n,3\n4,\n")
    with pytest.raises(InputError, match="1 row is left after dropping those with empty cells"):
        read_csv(path, "y", options=Options(dropna=True))


def test_data_from_standard_input_go_by_the_name_given() -> None:
    data = read_csv(STDIN, "y", data=b"x,y\n1,2\n2,4\n3,7\n")
    assert data.path == STDIN
    assert data.y.tolist() == [2, 4, 7]
    with pytest.raises(InputError, match=r"^<stdin>, line 3, column 'y': 'x' is not a number"):
        read_csv(STDIN, "y", data=b"x,y\n1,2\n2,x\n")


def test_a_large_file_reads_in_arrays_of_its_own_size(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    rng = np.random.default_rng(0)
    table = rng.normal(size=(50_000, 3))
    np.savetxt(path, table, fmt="%.17g", delimiter=",", header="a,b,y", comments="")
    data = read_csv(path, "y")
    assert np.array_equal(data.X, table[:, :2])  # every bit, as float() reads the text
    assert np.array_equal(data.y, table[:, 2])
    assert data.X.flags.c_contiguous
    assert data.X.base is None  # its own memory, not a view of a larger block
    assert data.y.base is None
