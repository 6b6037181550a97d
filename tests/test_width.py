"""Terminal columns: Chinese text lines up and wraps by the columns it takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.present.width import ljust, rjust, width, wrap


@pytest.mark.parametrize(
    ("text", "columns"),
    [("abc", 3), ("梯度下降", 8), ("β₁", 2), ("x̄", 1), ("正确结果:", 9), ("", 0)],
)
def test_width_counts_wide_characters_twice_and_accents_not_at_all(text: str, columns: int) -> None:
    assert width(text) == columns


def test_padding_is_by_columns() -> None:
    assert ljust("价格", 6) == "价格  "
    assert rjust("价格", 6) == "  价格"
    assert rjust("toolong", 3) == "toolong"


def test_english_wraps_at_spaces() -> None:
    lines = wrap("the quick brown fox jumps over the lazy dog", 15)
    assert lines == ["the quick brown", "fox jumps over", "the lazy dog"]


def test_chinese_wraps_between_characters_within_the_columns() -> None:
    text = "不等于 ∂J/∂β = -(2/m) uᵀ X。相差一个常数因子：你的表达式是正确结果的 1/2 倍。"
    lines = wrap(text, 30)
    assert all(width(line) <= 30 for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("。", "：")) for line in lines)


def test_a_word_longer_than_a_line_stays_whole() -> None:
    assert wrap("a supercalifragilistic b", 5) == ["a", "supercalifragilistic", "b"]


def column_of(line: str, text: str) -> int:
    return width(line[: line.index(text)])


def test_the_chinese_check_lines_up_its_two_gradients() -> None:
    result = CliRunner().invoke(
        cli, ["check", "1/m (yhat - y)^T X", "--wrt", "beta", "--lang", "zh"]
    )
    lines = result.output.splitlines()
    yours = next(line for line in lines if "你的结果：" in line and "ŷ" in line)
    correct = next(line for line in lines if "正确结果：" in line and "uᵀ" in line)
    assert column_of(yours, "(1/m)") == column_of(correct, "-(2/m)")
    assert max(width(line) for line in lines) <= 88


def test_the_chinese_run_report_lines_up_its_columns(tmp_path: Path) -> None:
    data = tmp_path / "价格.csv"
    data.write_text("面积,房龄,价格\n1,2,3\n2,1,4.1\n3,3,5.9\n4,1,7\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(data), "--target", "价格", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    heading = next(line for line in lines if "梯度下降" in line and "最小二乘" in line)
    rows = [line for line in lines if line.startswith(("α", "β"))]
    assert len(rows) == 3
    ends = {width(heading)} | {width(row) for row in rows}
    assert len(ends) == 1, [heading, *rows]  # the right edges of the last column meet
    first = {column_of(heading, "梯度下降") + width("梯度下降")}
    first |= {column_of(row, row.split()[-2]) + width(row.split()[-2]) for row in rows}
    assert len(first) == 1, [heading, *rows]  # and those of the first column
