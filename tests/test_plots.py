"""The cost-curve figure: reproducible bytes, atomic replacement, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive import plots
from derive.errors import InputError

COSTS = 5 * np.exp(-np.arange(300) / 30) + 0.5


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_the_same_costs_give_the_same_bytes(tmp_path: Path, kind: str) -> None:
    first = plots.cost_curve(COSTS, tmp_path / f"a.{kind}").read_bytes()
    second = plots.cost_curve(COSTS, tmp_path / f"b.{kind}").read_bytes()
    assert first == second
    assert len(first) > 1000


def test_svg_has_a_log_scale_and_no_date(tmp_path: Path) -> None:
    text = plots.cost_curve(COSTS, tmp_path / "c.svg").read_text()
    assert "<dc:date>" not in text
    assert r"\mathdefault{10^{0}}" in text  # a tick label of the log axis


def test_a_figure_replaces_an_existing_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "curve.png"
    target.write_bytes(b"old")
    plots.cost_curve(COSTS, target)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


def test_a_failed_write_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "curve.png"
    target.write_bytes(b"old figure")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        plots.cost_curve(COSTS, target)
    assert target.read_bytes() == b"old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


@pytest.mark.parametrize(
    ("name", "needle"),
    [("curve.jpg", "must end in .png, .svg or .pdf"), ("missing/curve.png", "does not exist")],
)
def test_unusable_targets_are_input_errors(tmp_path: Path, name: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        plots.check_target(tmp_path / name)


def test_zero_costs_are_left_out_of_the_log_scale(tmp_path: Path) -> None:
    path = plots.cost_curve(np.array([4.0, 1.0, 0.0]), tmp_path / "zero.png")
    assert path.stat().st_size > 1000
