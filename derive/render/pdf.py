"""LaTeX to PDF: the engine of each language, whether it is installed, and the build itself.

Used by handouts.py once the LaTeX handout is rendered (handout -> render -> pdf). latexmk
runs without shell escape and without rc files in a scratch folder inside the output
folder, with fixed dates so that the same LaTeX gives the same bytes. A build whose log says
that no font had a character fails as an error does: the PDF would have blanks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from derive.core.errors import DeriveError
from derive.core.i18n import gettext, join_list

PDF_PACKAGES = {
    "en": "latexmk texlive-latex-recommended lmodern",
    "zh": "latexmk texlive-xetex texlive-lang-chinese fonts-noto-cjk",
}
# The engine and what it needs on PATH or in the TeX tree, by language.
ENGINES = {"en": "pdflatex", "zh": "xelatex"}
TEX_FILES = {"en": ("lmodern.sty",), "zh": ("ctexart.cls",)}
# Fixed date for TeX (\today and the PDF's dates) so that the same input gives the same bytes.
SOURCE_DATE_EPOCH = "1700000000"
LATEX_TIMEOUT_SECONDS = 120
# A character that no font of the PDF has: XeTeX names it and its code point, pdfTeX its byte.
_MISSING = re.compile(r"Missing character: There is no (\S+)(?: \((U\+[0-9A-F]+)\))?")


class LatexError(DeriveError):
    """LaTeX could not build the PDF; the message quotes the relevant lines of the log."""


def latex_tools(lang: str = "en") -> str | None:
    """None when the PDF of `lang` can be built here, else the one-line reason."""
    missing = [tool for tool in ("latexmk", ENGINES[lang]) if shutil.which(tool) is None]
    if not missing and shutil.which("kpsewhich"):
        missing = [name for name in TEX_FILES[lang] if not _in_tex_tree(name)]
    if not missing:
        return None
    return gettext(
        "PDF not built: {missing} not found; install the Debian packages {packages}"
    ).format(missing=join_list(missing), packages=PDF_PACKAGES[lang])


def _in_tex_tree(name: str) -> bool:
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def build_pdf(
    tex: str, out: Path, engine: str = "pdflatex", files: Mapping[str, bytes] | None = None
) -> bytes:
    """Compile LaTeX with latexmk (no shell escape, no rc files) in a scratch folder in `out`;
    `files` (figures) are put beside handout.tex first."""
    with tempfile.TemporaryDirectory(dir=out, prefix=".latex-") as scratch:
        folder = Path(scratch)
        (folder / "handout.tex").write_text(tex, encoding="utf-8")
        for name, data in (files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        done = _latexmk(folder, engine)
        pdf, log = folder / "handout.pdf", _log(folder, done.stdout)
        if done.returncode != 0 or not pdf.exists():
            raise LatexError(latex_failure(log))
        _check_characters(log)
        return pdf.read_bytes()


def _log(folder: Path, printed: str) -> str:
    """The LaTeX log (TeX may write bytes that are not UTF-8), or what latexmk printed."""
    log = folder / "handout.log"
    return log.read_text(encoding="utf-8", errors="backslashreplace") if log.exists() else printed


def _latexmk(folder: Path, engine: str) -> subprocess.CompletedProcess[str]:
    options = "-no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error"
    command = [
        "latexmk",
        "-norc",
        "-pdf" if engine == "pdflatex" else "-xelatex",
        f"-{engine}={engine} {options} %O %S",
        "-quiet",
        "handout.tex",
    ]
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "FORCE_SOURCE_DATE": "1"}
    try:
        return subprocess.run(
            command,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            errors="backslashreplace",  # TeX may print bytes that are not UTF-8
            timeout=LATEX_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise LatexError(
            gettext("LaTeX did not finish within {seconds} s").format(seconds=LATEX_TIMEOUT_SECONDS)
        ) from error


def _check_characters(log: str) -> None:
    """A PDF with blanks where characters should be is a failed build, not a handout."""
    lost = missing_characters(log)
    if lost:
        raise LatexError(
            gettext(
                "PDF not built: the LaTeX fonts have no {characters}, which would be left blank"
            ).format(characters=join_list(lost))
        )


def missing_characters(log: str) -> tuple[str, ...]:
    """The characters a LaTeX log says no font had ("Missing character: There is no σ
    (U+03C3) in font …"), each once: TeX leaves them out of the PDF and still succeeds."""
    found = _MISSING.findall(log)
    return tuple(dict.fromkeys(f"{char} ({code})" if code else char for char, code in found))


def latex_failure(log: str) -> str:
    """The lines of a LaTeX log that say what went wrong: each error and its context."""
    lines = log.splitlines()
    picked: list[str] = []
    for number, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+:", line):
            picked.extend(lines[number : number + 3])
    body = "\n".join(picked[:24]) if picked else "\n".join(lines[-12:])
    return f"LaTeX failed to build the PDF:\n{body}"
