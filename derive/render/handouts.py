"""Rendering: Jinja templates to HTML and LaTeX, LaTeX to PDF, files written atomically.

Last stage before the files (model -> steps -> verify -> handout -> render). Two Jinja
environments: HTML autoescapes everything and turns the printer's LaTeX into MathML
(latex2mathml); LaTeX escapes everything that is not marked as ready LaTeX. The PDF is
built by latexmk without shell escape in a scratch folder inside the output folder;
every output is complete before any file is replaced, so a failure keeps the old ones.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any

import jinja2
from latex2mathml.converter import convert
from markupsafe import Markup, escape

from derive.core.atomic import replace_files
from derive.core.errors import DeriveError, InputError
from derive.core.i18n import gettext, join_list, language, ngettext
from derive.grade.grader import worked_example
from derive.numeric.worked_example import work
from derive.present.example_figures import start_figures
from derive.present.example_view import example_view
from derive.present.formulas import formula
from derive.present.handout import Handout, build_handout, check_title, step_views
from derive.render.notebook import build_notebook
from derive.render.texescape import tex_code, tex_escape, tex_math
from derive.steps.article import derivation
from derive.steps.derivation import Derivation
from derive.verify.step_checks import StepCheck, start_checks

FORMATS = ("html", "tex", "pdf", "ipynb")
DEFAULT_FORMATS = ("html", "tex", "pdf")
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


class LatexError(DeriveError):
    """LaTeX could not build the PDF; the message quotes the relevant lines of the log."""


@dataclass(frozen=True)
class Written:
    """What `write_handout` wrote, and why a requested PDF was not built (if it was not)."""

    paths: tuple[Path, ...]
    skipped: str | None = None


def template_dir() -> Path:
    """The templates, package data beside this module."""
    return Path(__file__).parent / "templates"


# --- HTML ---------------------------------------------------------------------------


def mathml(source: str, display: str = "block") -> Markup:
    """MathML for a LaTeX formula, with the LaTeX kept as its alternative text."""
    converted = _BOLD_TOKEN.sub(_bold_characters, convert(source, display=display))
    alt = escape(source)
    return Markup(converted.replace("<math ", f'<math alttext="{alt}" ', 1))


# latex2mathml writes \mathbf{1} as <mn mathvariant="bold">1</mn> and \boldsymbol{\beta} as
# <mi mathvariant="bold-italic">; Chromium (MathML Core) ignores both attributes and shows a
# plain 1 and beta. Unicode's mathematical bold characters are bold in any math font.
_BOLD_TOKEN = re.compile(r'<(m[in]) mathvariant="(bold|bold-italic)">([^<]+)</\1>')
_BOLD_NAMES = {"bold": "MATHEMATICAL BOLD", "bold-italic": "MATHEMATICAL BOLD ITALIC"}
_NAME_WORDS = re.compile(r"\b(?:LATIN|GREEK|LETTER|LUNATE) ")


def _bold_characters(token: re.Match[str]) -> str:
    """The token in bold characters without mathvariant, or unchanged if one has none."""
    tag, variant, text = token.groups()
    try:
        bold = "".join(_bold_character(char, variant) for char in unescape(text))
    except KeyError:
        return token.group(0)
    return f"<{tag}>{''.join(f'&#x{ord(char):05X};' for char in bold)}</{tag}>"


def _bold_character(char: str, variant: str) -> str:
    """By name: DIGIT ONE -> MATHEMATICAL BOLD DIGIT ONE (U+1D7CF), GREEK SMALL LETTER BETA
    -> MATHEMATICAL BOLD ITALIC SMALL BETA (U+1D737); KeyError when there is no such one."""
    name = _NAME_WORDS.sub("", unicodedata.name(char, ""))
    return unicodedata.lookup(f"{_BOLD_NAMES[variant]} {name}")


def html_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mathml"] = mathml
    _install_gettext(env)
    return env


# --- LaTeX --------------------------------------------------------------------------


def tex_environment(lang: str = "en") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=partial(tex_escape, unicode_fonts=ENGINES[lang] == "xelatex"),
    )
    env.filters["math"] = tex_math
    env.filters["code"] = partial(tex_code, unicode_fonts=ENGINES[lang] == "xelatex")
    env.filters["ready"] = tex_math  # the output of a macro whose parts were escaped inside it
    _install_gettext(env)
    return env


def _install_gettext(env: jinja2.Environment) -> None:
    """`_("...")` in templates: the current language's catalog (see i18n.py)."""
    env.add_extension("jinja2.ext.i18n")
    extended: Any = env  # the extension adds install_gettext_callables to the environment
    extended.install_gettext_callables(gettext, ngettext, newstyle=True)


# --- documents ----------------------------------------------------------------------


def render_html(handout: Handout) -> str:
    return html_environment().get_template("handout.html.j2").render(h=handout)


def render_slides(handout: Handout) -> str:
    """The slides: one self-contained page, a scrolling document until its script runs."""
    return html_environment().get_template("slides.html.j2").render(h=handout)


def write_slides(
    out: Path | str = "output", title: str | None = None, scale: str = "1/m", lang: str = "en"
) -> tuple[Handout, Path]:
    """Derive, check, and write `out/slides.html`."""
    folder = prepare_folder(out, title)
    document = _checked_handout(title, scale, lang)
    with language(lang):
        page = render_slides(document)
    (path,) = replace_files(folder, {"slides.html": page.encode("utf-8")})
    return document, path


def derivation_html(derivation: Derivation, checks: Sequence[StepCheck] | None = None) -> str:
    """The derivation as an HTML fragment, for Jupyter (Derivation._repr_html_)."""
    cost = derivation["cost"].relations[0]
    return (
        html_environment()
        .get_template("notebook.html.j2")
        .render(
            steps=step_views(derivation, checks),
            cost=formula(cost),
            verified=None if checks is None else all(check.passed for check in checks),
        )
    )


def render_tex(handout: Handout) -> str:
    return tex_environment(handout.lang).get_template("handout.tex.j2").render(h=handout)


def parse_formats(text: str) -> tuple[str, ...]:
    """`html,tex,pdf` → ("html", "tex", "pdf") in a fixed order; unknown names refused."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown or not names:
        raise InputError(
            gettext("unknown format {formats}: choose from {choices}").format(
                formats=join_list(unknown) or repr(text), choices=join_list(FORMATS)
            )
        )
    return tuple(name for name in FORMATS if name in names)


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


def write_handout(handout: Handout, out: Path, formats: Iterable[str]) -> Written:
    """Write handout.html / .tex / .pdf into `out`; all are complete before any is replaced."""
    with language(handout.lang):
        return _write_handout(handout, out, tuple(formats))


def _write_handout(handout: Handout, out: Path, wanted: tuple[str, ...]) -> Written:
    out.mkdir(parents=True, exist_ok=True)
    tex = render_tex(handout)
    contents: dict[str, bytes] = {}
    if "html" in wanted:
        contents["handout.html"] = render_html(handout).encode("utf-8")
    if "tex" in wanted:
        contents["handout.tex"] = tex.encode("utf-8")
    if "ipynb" in wanted:
        contents["handout.ipynb"] = build_notebook(handout).encode("utf-8")
    skipped = latex_tools(handout.lang) if "pdf" in wanted else None
    pictures = _figure_files(handout)
    if "tex" in wanted:
        contents.update(pictures)
    if "pdf" in wanted and skipped is None:
        contents["handout.pdf"] = build_pdf(tex, out, ENGINES[handout.lang], pictures)
    return Written(paths=replace_files(out, contents), skipped=skipped)


def _figure_files(handout: Handout) -> dict[str, bytes]:
    """The figures the LaTeX handout includes, by their path beside handout.tex."""
    found = () if handout.example is None else handout.example.figures
    return {f"figures/{figure.name}.pdf": figure.pdf for figure in found}


def write_handouts(
    out: Path | str = "output",
    formats: Iterable[str] = DEFAULT_FORMATS,
    title: str | None = None,
    scale: str = "1/m",
    lang: str = "en",
) -> tuple[Handout, Written]:
    """Derive, check, and write the handouts: the whole main job in one call."""
    wanted = tuple(formats)
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown:
        raise InputError(
            gettext("unknown format {formats}: choose from {choices}").format(
                formats=join_list(unknown), choices=join_list(FORMATS)
            )
        )
    folder = prepare_folder(out, title)
    document = _checked_handout(title, scale, lang)
    return document, write_handout(document, folder, wanted)


def _checked_handout(title: str | None, scale: str, lang: str) -> Handout:
    """The handout of the checked derivation, in `lang`."""
    with language(lang):
        result = derivation(scale)
        with start_checks(result) as checks:
            worked = work(result)  # while the checks run in their own processes
            with start_figures(worked, scale) as drawing:  # and so do the figures
                mistake = worked_example() if scale == "1/m" else None
                example = example_view(result, worked, drawing.result())
            document = build_handout(result, checks.result(), title)
        return replace(document, example=example, check=mistake)


def prepare_folder(out: Path | str, title: str | None = None) -> Path:
    """The output folder, made if missing, before any work, once the title is known to be
    usable; an `InputError` when it cannot be made or written in."""
    if title is not None:
        check_title(title)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            gettext("{folder}: the folder cannot be made: {reason}").format(
                folder=folder, reason=error.strerror or error
            )
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(gettext("{folder}: no permission to write there").format(folder=folder))
    return folder


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
            done = subprocess.run(
                command,
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=LATEX_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise LatexError(
                gettext("LaTeX did not finish within {seconds} s").format(
                    seconds=LATEX_TIMEOUT_SECONDS
                )
            ) from error
        pdf = folder / "handout.pdf"
        if done.returncode != 0 or not pdf.exists():
            log = folder / "handout.log"
            raise LatexError(
                latex_failure(log.read_text(errors="replace") if log.exists() else done.stdout)
            )
        return pdf.read_bytes()


def latex_failure(log: str) -> str:
    """The lines of a LaTeX log that say what went wrong: each error and its context."""
    lines = log.splitlines()
    picked: list[str] = []
    for number, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+:", line):
            picked.extend(lines[number : number + 3])
    body = "\n".join(picked[:24]) if picked else "\n".join(lines[-12:])
    return f"LaTeX failed to build the PDF:\n{body}"
