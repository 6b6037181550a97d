"""Every output derive writes, made by the real command line, for the golden-file test.

`produce(folder)` runs each command of `COMMANDS` as a user would (`python -m derive`,
its own process, a fixed `PYTHONHASHSEED`) and collects what it printed and wrote.
`normal_form` keeps everything derive itself decides byte for byte and reduces what a
dependency's release decides (the drawing of matplotlib's figures, TeX's PDF bytes) to
what a reader sees, so that the goldens hold for any release pyproject.toml admits.
`python scripts/update_goldens.py` rewrites tests/golden/ — only on purpose.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Command:
    """One command line, its name in tests/golden/, and whether it writes into a folder."""

    name: str
    args: tuple[str, ...]
    writes: bool = False


def _check(name: str, *args: str) -> Command:
    return Command(f"check-{name}", ("check", *args, "--json"))


COMMANDS: tuple[Command, ...] = (
    Command("handout-en", ("handout", "--format", "html,tex,pdf,ipynb"), writes=True),
    Command("handout-zh", ("handout", "--format", "html,tex,pdf,ipynb", "--lang", "zh"), True),
    Command(
        "handout-half",
        ("handout", "--format", "html,tex", "--scale", "1/(2m)", "--title", "Week 3: <b> & \\x"),
        writes=True,
    ),
    Command("slides-en", ("slides",), writes=True),
    Command("slides-zh", ("slides", "--lang", "zh"), writes=True),
    Command("steps-json", ("steps", "--json")),
    Command("steps-json-half", ("steps", "--json", "--scale", "1/(2m)")),
    Command("steps-text", ("steps",)),
    Command("steps-text-zh", ("steps", "--lang", "zh")),
    Command("example-json", ("example", "--json")),
    Command("example-text", ("example",)),
    Command("example-text-zh", ("example", "--lang", "zh")),
    Command("example-diverges-json", ("example", "--json", "--lr", "0.2")),
    _check("right-beta", "-2/m u^T X", "--wrt", "beta"),
    _check("layout-beta", "-2/m X^T u", "--wrt", "beta"),
    _check("sign-beta", "2/m (y - X beta^T)^T X", "--wrt", "beta"),
    _check("factor-alpha", "-1/m sum(u)", "--wrt", "alpha"),
    _check("half-scale", "-1/m u^T X", "--wrt", "beta", "--scale", "1/(2m)"),
    _check("entry-latex", "-\\frac{2}{m}\\sum_{i=1}^{m}(y_i-\\hat{y}_i)X_{ij}", "--wrt", "beta_j"),
    Command("check-text-zh", ("check", "1/m (yhat - y)^T X", "--wrt", "beta", "--lang", "zh")),
    Command("models", ("models",)),
    Command("models-logistic", ("models", "logistic")),
    Command("steps-logistic-json", ("steps", "--json", "--model", "logistic")),
    Command("steps-ridge-half-json", ("steps", "--json", "--model", "ridge", "--scale", "1/(2m)")),
    Command("steps-poisson-text", ("steps", "--model", "poisson")),
    Command("steps-neuron-text-zh", ("steps", "--model", "neuron", "--lang", "zh")),
    Command(
        "steps-weighted-json",
        ("steps", "--json", "--model", str(DATA / "models" / "weighted.toml")),
    ),
    Command(
        "handout-logistic-en",
        ("handout", "--model", "logistic", "--format", "html,tex,pdf,ipynb"),
        writes=True,
    ),
    Command(
        "handout-logistic-zh",
        ("handout", "--model", "logistic", "--format", "html,tex,pdf", "--lang", "zh"),
        writes=True,
    ),
    Command("slides-neuron", ("slides", "--model", "neuron"), writes=True),
    Command(
        "run-longley",
        ("run", str(DATA / "longley.csv"), "--target", "TOTEMP", "--standardize", "--json"),
    ),
    Command(
        "run-stackloss",
        ("run", str(DATA / "stackloss.csv"), "--target", "STACKLOSS", "--standardize", "--json"),
    ),
    Command(
        "run-diabetes",
        ("run", str(DATA / "diabetes.csv"), "--target", "progression", "--standardize", "--json"),
    ),
    Command(
        "run-stackloss-text",
        ("run", str(DATA / "stackloss.csv"), "--target", "STACKLOSS", "--standardize"),
    ),
    Command(
        "run-plot",
        (
            "run",
            str(DATA / "stackloss.csv"),
            "--target",
            "STACKLOSS",
            "--features",
            "AIRFLOW,WATERTEMP",
            "--standardize",
            "--plot",
            "{out}/run.svg",
        ),
        writes=True,
    ),
    Command("example-logistic-text", ("example", "--model", "logistic")),
    Command("example-poisson-text-zh", ("example", "--model", "poisson", "--lang", "zh")),
    Command("example-neuron-json", ("example", "--model", "neuron", "--json")),
    Command(
        "run-logistic-spector",
        (
            "run",
            str(DATA / "spector.csv"),
            "--target",
            "GRADE",
            "--model",
            "logistic",
            "--standardize",
            "--json",
        ),
    ),
    Command(
        "run-poisson-text-zh",
        (
            "run",
            str(DATA / "cpunish.csv"),
            "--target",
            "EXECUTIONS",
            "--model",
            "poisson",
            "--standardize",
            "--lang",
            "zh",
        ),
    ),
)


def _run(command: Command, folder: Path, seed: str) -> dict[str, bytes]:
    out = folder / command.name
    out.mkdir(parents=True)
    args = [a.replace("{out}", str(out)) for a in command.args]
    if command.writes and "--plot" not in command.args:
        args += ["--out", str(out)]
    env = {**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "100", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "derive", *args], capture_output=True, env=env, cwd=out
    )
    files = {"exit-code": str(done.returncode).encode(), "stdout": _placed(done.stdout, out)}
    if done.stderr:
        files["stderr"] = _placed(done.stderr, out)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        files[path.relative_to(out).as_posix()] = path.read_bytes()
    return files


def _placed(printed: bytes, out: Path) -> bytes:
    """What a command printed, with the folders of this run as placeholders."""
    return printed.replace(str(out).encode(), b"{out}").replace(str(DATA).encode(), b"{data}")


def produce(
    folder: Path, commands: tuple[Command, ...] = COMMANDS, seed: str = "0"
) -> dict[str, dict[str, bytes]]:
    """Run the commands, two at a time, and return their outputs by command and file."""
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(lambda c: _run(c, folder, seed), commands)
        return {c.name: r for c, r in zip(commands, results, strict=True)}


_SVG = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)


def _pdf_text(data: bytes) -> bytes:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    pages = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    count = re.search(rb"Pages:\s+(\d+)", pages.stdout)
    assert count is not None
    return b"pages: " + count.group(1) + b"\n" + done.stdout


def _rounded(value: Any) -> Any:
    """Floats to 10 significant digits: NumPy's and BLAS's releases may move the last ones."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def normal_form(name: str, data: bytes) -> bytes:
    """What of a file derive decides: figures drawn by matplotlib become a marker, a PDF
    becomes its text and page count, the numbers of printed JSON 10 significant digits."""
    if name.endswith(".pdf"):
        return _pdf_text(data)
    if name.endswith(".svg"):
        return b"<svg/>\n"
    if name.endswith(".html"):
        return _SVG.sub(b"<svg/>", data)
    if name == "stdout" and data.startswith((b"{\n", b"[\n")):  # --json
        shown = json.dumps(_rounded(json.loads(data)), indent=2, ensure_ascii=False)
        return shown.encode() + b"\n"
    return data


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def golden_files(outputs: dict[str, dict[str, bytes]]) -> Iterator[tuple[Path, bytes]]:
    """Each output's normal form and where it lives under tests/golden/."""
    for command, files in outputs.items():
        for name, data in files.items():
            suffix = ".txt" if name.endswith(".pdf") else ""
            yield GOLDEN / command / (name + suffix), normal_form(name, data)


def raw_digests(outputs: dict[str, dict[str, bytes]]) -> dict[str, str]:
    """The SHA-256 of every file as written, for comparing two trees byte for byte."""
    return {f"{c}/{n}": digest(d) for c, files in outputs.items() for n, d in files.items()}


def save(outputs: dict[str, dict[str, bytes]], folder: Path) -> None:
    """Every output as a file under `folder`, for comparing two trees with diff."""
    for command, files in outputs.items():
        for name, data in files.items():
            path = folder / command / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
