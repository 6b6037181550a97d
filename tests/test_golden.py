"""Every output stays as it was: the golden files in tests/golden/, and the same bytes
from processes with different hash seeds.

The goldens were recorded before the code was laid out in packages and are rewritten
only on purpose, by `python scripts/update_goldens.py` (then read the diff). What they
hold, and why a PDF is kept as its text, is in tests/golden_outputs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require, require_tool
from golden_outputs import COMMANDS, GOLDEN, golden_files, produce

# Each kind of file, once more from a process with another PYTHONHASHSEED.
AGAIN = (
    "handout-zh",
    "slides-en",
    "steps-json",
    "example-json",
    "check-sign-beta",
    "run-plot",
    "steps-logistic-json",
    "handout-logistic-en",
)


def _tools() -> None:
    require_tool("latexmk", "pdflatex", "xelatex", "pdftotext", "pdfinfo")
    from derive.present.fonts import cjk_face

    require(cjk_face() is not None, "no CJK font for matplotlib: install fonts-noto-cjk")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    _tools()
    return produce(tmp_path_factory.mktemp("golden"))


@pytest.fixture(scope="module")
def made(outputs: dict[str, dict[str, bytes]]) -> dict[Path, bytes]:
    return dict(golden_files(outputs))


STORED = sorted(p for p in GOLDEN.rglob("*") if p.is_file())


def test_the_goldens_cover_every_command() -> None:
    assert {p.relative_to(GOLDEN).parts[0] for p in STORED} == {c.name for c in COMMANDS}
    assert len(STORED) >= 70


def test_every_output_is_there_and_no_other(made: dict[Path, bytes]) -> None:
    assert sorted(made) == STORED


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.relative_to(GOLDEN).as_posix())
def test_the_output_is_the_golden_one(made: dict[Path, bytes], path: Path) -> None:
    assert made.get(path) == path.read_bytes()


def test_another_hash_seed_writes_the_same_bytes(
    outputs: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    again = produce(tmp_path, tuple(c for c in COMMANDS if c.name in AGAIN), seed="12345")
    assert again == {name: outputs[name] for name in AGAIN}
