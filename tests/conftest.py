"""Shared fixtures: the derivation and its checks for both cost scales, computed once."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# As the CLI does: a larger SymPy cache, set before SymPy is first imported.
os.environ.setdefault("SYMPY_CACHE_SIZE", "20000")

import pytest

from derive.models.linear import Scale
from derive.steps.article import derivation
from derive.steps.derivation import Derivation
from derive.verify.step_checks import StepCheck, check_derivation


@pytest.fixture(scope="session", params=[Scale.MEAN, Scale.HALF_MEAN], ids=["1/m", "1/(2m)"])
def scaled(request: pytest.FixtureRequest) -> Derivation:
    return derivation(request.param)


@pytest.fixture(scope="session")
def mean() -> Derivation:
    return derivation(Scale.MEAN)


@pytest.fixture(scope="session")
def checks(scaled: Derivation) -> tuple[StepCheck, ...]:
    return check_derivation(scaled)


def require(found: bool, message: str) -> None:
    """Skip when something of the system is missing on a developer's machine; fail in CI
    (CI=true), where .ci/run installs it."""
    if found:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def require_tool(*names: str) -> None:
    import shutil

    missing = [name for name in names if shutil.which(name) is None]
    require(not missing, f"missing system tool(s): {', '.join(missing)} (see .ci/run)")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots and pages for people to look at (not committed)."""
    folder = Path(__file__).resolve().parent.parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def need() -> object:
    """`need("latexmk", "pdftotext")`: the tools a test cannot run without."""
    return require_tool


@pytest.fixture(scope="session")
def cjk_face() -> str:
    """The CJK font the figures use for Chinese text (Debian's fonts-noto-cjk in CI)."""
    from derive.present.fonts import cjk_face

    face = cjk_face()
    require(face is not None, "no CJK font for matplotlib: install fonts-noto-cjk")
    assert face is not None
    return face


CHROMIUM = "/usr/bin/chromium"
# Headless Chromium on a closed network: no background connections of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(need: Callable[..., None]) -> Iterator[Any]:
    need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
