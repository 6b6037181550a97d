"""The handout files end to end, with the real tools: latexmk, pdfTeX, pdftotext, pdfinfo."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.steps.derivation import Derivation

Need = Callable[..., None]
HOSTILE_TITLE = r"\input{/etc/passwd} \write18{touch pwned} </title><script>alert(1)</script> 100%"


def _handout(folder: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["handout", "--out", str(folder), *args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("handout")
    _handout(folder)
    return folder


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", done.stdout)


def test_all_three_files_are_written(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex")
    assert sorted(p.name for p in written.iterdir()) == [
        "figures",
        "handout.html",
        "handout.pdf",
        "handout.tex",
    ]
    assert sorted(p.name for p in (written / "figures").iterdir()) == [
        "contours.pdf",
        "cost.pdf",
        "rates.pdf",
    ]


def test_the_tex_compiles_alone_with_latexmk_without_errors_or_overfull_lines(
    need: Need, written: Path, tmp_path: Path
) -> None:
    need("latexmk", "pdflatex")
    (tmp_path / "handout.tex").write_bytes((written / "handout.tex").read_bytes())
    shutil.copytree(written / "figures", tmp_path / "figures")
    done = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "handout.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    log = (tmp_path / "handout.log").read_text(errors="replace")
    assert done.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log
    assert not re.search(r"^! ", log, re.MULTILINE)


def test_the_pdf_shows_every_step_title_and_the_key_formulas(
    need: Need, written: Path, mean: Derivation
) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    text = _text(written / "handout.pdf")
    for step in mean:
        assert f"Step {step.number}. {step.title}" in text
    squeezed = re.sub(r"\s+", "", text)
    for fragment in ("ŷ=α1+Xβ⊤", "u=y−ŷ", "u⊤X", "1⊤u", "(y−ŷ)⊤X", "∂J"):
        assert fragment in squeezed, fragment
    for mark in ("Checked:", "✓symbolic", "✓explicit", "✓numeric"):
        assert squeezed.count(mark) == 19, mark
    assert "check with --scale 1/(2m)" in " ".join(text.split())  # hyphens, not a dash


def test_the_pdf_has_a_handful_of_a4_pages(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex", "pdfinfo")
    info = subprocess.run(
        ["pdfinfo", str(written / "handout.pdf")], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found is not None
    assert 4 <= int(found.group(1)) <= 12
    assert "(A4)" in info


def test_two_runs_write_identical_bytes(need: Need, written: Path, tmp_path: Path) -> None:
    need("latexmk", "pdflatex")
    _handout(tmp_path)
    for name in ("handout.html", "handout.tex", "handout.pdf", "figures/contours.pdf"):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_a_hostile_title_comes_out_literally(need: Need, tmp_path: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    _handout(tmp_path, "--title", HOSTILE_TITLE)
    assert not (tmp_path / "pwned").exists()
    title = " ".join(_text(tmp_path / "handout.pdf").split("Linear regression")[0].split())
    assert title == HOSTILE_TITLE
    html = (tmp_path / "handout.html").read_text()
    assert "<script>" not in html
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_bad_format_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["handout", "--out", str(tmp_path / "o"), "--format", "docx"])
    assert result.exit_code == 2
    assert "unknown format docx" in result.output
    assert not (tmp_path / "o").exists()


def test_a_latex_error_is_reported_with_the_lines_of_its_log(need: Need, tmp_path: Path) -> None:
    need("latexmk", "pdflatex")
    from derive.render.handouts import LatexError, build_pdf

    broken = "\\documentclass{article}\n\\begin{document}\n\\undefinedcommand\n\\end{document}\n"
    with pytest.raises(LatexError) as caught:
        build_pdf(broken, tmp_path)
    message = str(caught.value)
    assert "Undefined control sequence" in message
    assert "\\undefinedcommand" in message
    assert list(tmp_path.iterdir()) == []  # the scratch folder is gone


def test_without_latex_the_command_still_succeeds_and_names_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derive.render import handouts as render

    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["handout", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "handout.html", "handout.tex"]
    assert "install the Debian packages latexmk texlive-latex-recommended" in result.output


def test_the_pdf_has_the_worked_example_with_its_numbers(need: Need, written: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    text = _text(written / "handout.pdf")
    assert "A worked example" in text
    squeezed = re.sub(r"\s+", "", text)
    for number in ("14.935", "1.445", "0.985", "−13.45", "0.1896", "0.75"):
        assert number in squeezed, number
    assert "Theiterationsthatfollow" in squeezed
    for title in (
        "Costcontoursandthepathofgradientdescent",
        "Costperiterationforseverallearningrates",
    ):
        assert title in squeezed, title  # the figures' own text, inside the PDF
