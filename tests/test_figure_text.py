"""The text of the figures: in the handout's language, every character drawn from a font
that has it (matplotlib warns "Glyph … missing", an error under pytest, otherwise)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.i18n import language
from derive.numeric.worked_example import WorkedExample, work
from derive.present import figure_files, fonts, plots
from derive.present.example_figures import start_figures
from derive.present.example_view import Figure
from derive.steps.derivation import Derivation

Need = Callable[..., None]


@pytest.fixture(scope="module")
def worked(mean: Derivation) -> WorkedExample:
    return work(mean)


def figures(worked: WorkedExample) -> tuple[Figure, ...]:
    with start_figures(worked) as drawing:
        return drawing.result()


def drawn(worked: WorkedExample, lang: str) -> tuple[Figure, ...]:
    with warnings.catch_warnings(), language(lang):
        warnings.simplefilter("error")  # a missing glyph fails the test
        return figures(worked)


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "figure.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(unicodedata.normalize("NFKC", text).split())


def base_fonts(pdf: bytes) -> set[str]:
    """The fonts a PDF embeds, without their subset prefix."""
    return {name.decode() for name in re.findall(rb"/BaseFont /(?:[A-Z]{6}\+)?([\w-]+)", pdf)}


def test_chinese_figures_are_written_in_chinese(
    worked: WorkedExample, cjk_face: str, need: Need, tmp_path: Path
) -> None:
    need("pdftotext")
    cost, contours, rates = drawn(worked, "zh")
    assert "每次迭代的代价" in pdf_text(cost.pdf, tmp_path)
    assert "迭代次数" in pdf_text(cost.pdf, tmp_path)
    shown = pdf_text(contours.pdf, tmp_path)
    for words in ("代价等高线与梯度下降的路径", "最小二乘解", "起点", "(x1 的权重)"):
        assert words in shown, words
    shown = pdf_text(rates.pdf, tmp_path)
    assert "不同学习率下每次迭代的代价" in shown
    assert "(0.53 × 上界)" in shown
    assert "Cost" not in shown
    assert cost.caption.startswith("代价")  # captions stay in the handout's language


def test_chinese_figures_embed_the_cjk_face_behind_dejavu(
    worked: WorkedExample, cjk_face: str
) -> None:
    for figure in drawn(worked, "zh"):
        embedded = base_fonts(figure.pdf)
        assert any(name.startswith("DejaVuSans") for name in embedded), embedded
        assert any("CJK" in name or not name.startswith("DejaVu") for name in embedded), embedded


def test_english_figures_embed_only_dejavu(worked: WorkedExample) -> None:
    for figure in drawn(worked, "en"):
        assert {name[:10] for name in base_fonts(figure.pdf)} == {"DejaVuSans"}


def test_chinese_figures_give_the_same_bytes_twice(worked: WorkedExample, cjk_face: str) -> None:
    first, second = drawn(worked, "zh"), drawn(worked, "zh")
    assert [(f.svg, f.pdf) for f in first] == [(f.svg, f.pdf) for f in second]


def test_a_feature_named_in_chinese_is_drawn_in_an_english_figure(
    cjk_face: str, need: Need, tmp_path: Path
) -> None:
    need("pdftotext")
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    y = np.array([2.0, 2.0, 6.0, 5.0])
    betas = np.array([[0.1, 0.1], [1.0, 1.5]])
    figure = plots.contour_figure(X, y, [0.0, 0.75], betas, names=["面积", "房龄"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown = pdf_text(figure_files.figure_bytes(figure, "pdf"), tmp_path)
    assert "β1 (weight of 面积)" in shown
    assert "β2 (weight of 房龄)" in shown


def test_families_add_the_cjk_face_only_for_characters_dejavu_lacks() -> None:
    assert fonts.families(["excess cost J − J*, η = 0.1 (0.53 × bound)", "β₁", "10⁻²"]) == [
        fonts.LATIN
    ]
    face = fonts.cjk_face()
    expected = [fonts.LATIN] if face is None else [fonts.LATIN, face]
    assert fonts.families(["迭代次数 k"]) == expected


def test_without_a_cjk_font_chinese_figures_fall_back_to_english(
    worked: WorkedExample, monkeypatch: pytest.MonkeyPatch, need: Need, tmp_path: Path
) -> None:
    need("pdftotext")
    monkeypatch.setattr(fonts, "cjk_face", lambda: None)
    with language("zh"), pytest.warns(fonts.FontWarning, match="fonts-noto-cjk"):
        cost, _, _ = figures(worked)
    assert "Cost per iteration" in pdf_text(cost.pdf, tmp_path)
    assert cost.caption.startswith("代价")


def test_the_slides_say_in_one_line_when_figures_fall_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "cjk_face", lambda: None)
    result = CliRunner().invoke(cli, ["slides", "--lang", "zh", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "警告：图中文字为英文：未找到中文字体；请安装 Debian 软件包 fonts-noto-cjk\n"
    )
    assert (tmp_path / "slides.html").is_file()


def test_run_says_in_one_line_each_what_a_missing_font_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "cjk_face", lambda: None)
    data = tmp_path / "house.csv"
    data.write_text("面积,房龄,价格\n1,2,3\n2,1,4.1\n3,3,5.9\n4,1,7\n", encoding="utf-8")
    command = ["run", str(data), "--target", "价格", "--plot", str(tmp_path / "c.svg")]
    english = CliRunner().invoke(cli, command)
    assert english.exit_code == 0, english.output
    wrote = [f"wrote {tmp_path / 'c.svg'}", f"wrote {tmp_path / 'c-contour.svg'}"]
    assert english.stderr.splitlines() == [
        "Warning: some characters of the figure have no font here and show as boxes; "
        "install the Debian package fonts-noto-cjk",
        *wrote,
    ]
    chinese = CliRunner().invoke(cli, [*command, "--lang", "zh"])
    assert chinese.exit_code == 0, chinese.output
    assert chinese.stderr.splitlines() == [
        "警告：图中文字为英文：未找到中文字体；请安装 Debian 软件包 fonts-noto-cjk",
        "警告：图中有些字符在本机没有字体，会显示为方框；请安装 Debian 软件包 fonts-noto-cjk",
        *(line.replace("wrote", "已写入") for line in wrote),
    ]
    assert (tmp_path / "c-contour.svg").is_file()
