"""Reading CSV files: the columns chosen, and a one-line message for every kind of bad data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive.core.errors import InputError
from derive.numeric.dataset import read_csv

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
        ("x,y\n1,2\n3\n5,6\n", "y", None, "line 3: 1 cells, but the header has 2"),
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
