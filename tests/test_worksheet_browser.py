"""The HTML worksheet printed by a real browser (Chromium) on A4 and Letter, en and zh."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_handout_files import pdf_pages

from derive.cli.main import cli

PAPERS = {"A4": (595.9, 842.9), "Letter": (612.0, 792.0)}  # points
COMMAND = re.compile(r"derive check --model logistic --step (\d+) ")


@pytest.fixture(scope="module")
def printed(
    tmp_path_factory: pytest.TempPathFactory, browser: Any, need: Callable[..., None]
) -> Callable[[str, str], tuple[Path, Path]]:
    """`printed("zh", "Letter")`: the logistic worksheet's HTML and Chromium's print of it."""
    need("pdftotext", "pdfinfo")
    made: dict[tuple[str, str], tuple[Path, Path]] = {}

    def once(lang: str, paper: str) -> tuple[Path, Path]:
        folder = tmp_path_factory.getbasetemp() / f"worksheet-{lang}"
        html = folder / "worksheet.html"
        if not html.exists():
            options = ["--model", "logistic", "--lang", lang, "--format", "html"]
            args = ["handout", "--worksheet", "--out", str(folder), *options]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output
        if (lang, paper) not in made:
            page = browser.new_page()
            page.goto(html.as_uri())
            page.emulate_media(media="print")
            pdf = folder / f"print-{paper}.pdf"
            pdf.write_bytes(page.pdf(format=paper))
            page.close()
            made[lang, paper] = html, pdf
        return made[lang, paper]

    return once


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return text.split("\f")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_every_box_prints_whole_with_its_command_on_the_paper(
    printed: Callable[[str, str], tuple[Path, Path]], lang: str, paper: str, artifacts: Path
) -> None:
    html, pdf = printed(lang, paper)
    (artifacts / f"worksheet-print-{lang}-{paper}.pdf").write_bytes(pdf.read_bytes())
    _count, (width, height) = pdf_pages(pdf)
    assert (width, height) == pytest.approx(PAPERS[paper], abs=1.0)
    wanted = COMMAND.findall(html.read_text(encoding="utf-8"))
    assert len(wanted) == 15  # logistic: the calculus steps' boxes and the two updates
    printed_commands = [
        found for page in _pages(pdf) for found in COMMAND.findall(squeezed_spaces(page))
    ]
    # each hint stands whole on one line of one page: nothing cut at the paper's edge
    assert printed_commands == wanted


def squeezed_spaces(text: str) -> str:
    """Runs of white space as one space (Chromium's text may break lines differently)."""
    return re.sub(r"[ \t]+", " ", text)
