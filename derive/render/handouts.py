"""Rendering: Jinja templates to HTML and LaTeX, LaTeX to PDF, files written atomically.

Last stage before the files (model -> steps -> verify -> handout -> render). Two Jinja
environments: HTML autoescapes everything and turns the printer's LaTeX into MathML
(latex2mathml); LaTeX escapes everything that is not marked as ready LaTeX. The PDF is
built by pdf.py; every output is complete before any file is replaced, so a failure
keeps the old ones. A `Layout` says on which paper, and whether compact.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any

import jinja2
from latex2mathml.converter import convert
from markupsafe import Markup, escape

from derive.core.atomic import replace_files
from derive.core.errors import InputError
from derive.core.i18n import current, gettext, join_list, language, ngettext
from derive.grade.grader import worked_example
from derive.models.catalog import BUILTIN
from derive.models.spec import ModelSpec
from derive.present.example_view import ExampleView
from derive.present.formulas import formula
from derive.present.handout import Handout, build_handout, check_title, step_views
from derive.present.model_example_handout import (
    Given,
    figure_sentences,
    given_example,
    model_example_section,
    mse_example_section,
    slide_groups,
)
from derive.present.prose import CITATION, TRANSLATION, Reference
from derive.render.notebook import build_notebook
from derive.render.pdf import ENGINES, build_pdf, latex_tools
from derive.render.texescape import TexMarkup, tex_code, tex_escape, tex_math
from derive.steps.choose import ARTICLE, derive_model
from derive.steps.derivation import Derivation
from derive.verify.step_checks import StepCheck, check_derivation, start_checks

FORMATS = ("html", "tex", "pdf", "ipynb")
DEFAULT_FORMATS = ("html", "tex", "pdf")
# --paper: the sheet of the PDF, as LaTeX's geometry package names it.
PAPERS = {"a4": "a4paper", "letter": "letterpaper"}


@dataclass(frozen=True)
class Layout:
    """How a handout is put on paper: the PDF's sheet, and whether it is compact (for
    printing many copies: no figures, two columns, smaller type and spacing)."""

    paper: str = "a4"
    compact: bool = False

    @property
    def geometry(self) -> str:
        return PAPERS[self.paper]


def check_paper(paper: str) -> str:
    """The paper's name, or an InputError naming the choices."""
    if paper not in PAPERS:
        raise InputError(
            gettext("unknown paper size {paper}: choose from {choices}").format(
                paper=repr(paper), choices=join_list(PAPERS)
            )
        )
    return paper


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
    env.filters["slide_groups"] = slide_groups
    env.filters["cite"] = lambda source: Markup(cite(source, escape, _html_link, "<br>"))
    _install_gettext(env)
    return env


def _html_link(url: str) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>'


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
    tex_text = partial(_tex_text, unicode_fonts=ENGINES[lang] == "xelatex")
    env.filters["cite"] = lambda source: TexMarkup(
        cite(source, tex_text, r"\url{{{}}}".format, "\\\\\n")
    )
    _install_gettext(env)
    return env


def _tex_text(text: str, unicode_fonts: bool) -> str:
    """Escaped text whose typographic quotes, which pdfLaTeX's fonts lack, are TeX's ligatures."""
    if not unicode_fonts:
        text = text.replace("“", "``").replace("”", "''")
    return tex_escape(text, unicode_fonts)


_FIELD = re.compile(r"\{(\w+)\}")


def cite(
    source: Reference, escaped: Callable[[str], str], link: Callable[[str], str], newline: str
) -> str:
    """The reference in the current language, as markup: every part escaped by `escaped`,
    the address made a link by `link`; on a new line, a translation's title if there is one."""
    parts = {
        "author": escaped(gettext(source.author)),
        "title": escaped(source.title),
        "venue": escaped(source.venue),
        "year": escaped(str(source.year)),
        "url": link(source.url),
    }
    text = _fill(gettext(CITATION), escaped, parts)
    translated = dict(source.translations).get(current())
    if translated is not None:
        text += newline + _fill(gettext(TRANSLATION), escaped, {"title": escaped(translated)})
    return text


def _fill(template: str, escaped: Callable[[str], str], parts: dict[str, str]) -> str:
    """`template` with its {fields} replaced by ready markup and the rest escaped."""
    pieces = _FIELD.split(template)
    return "".join(parts[piece] if odd % 2 else escaped(piece) for odd, piece in enumerate(pieces))


def _install_gettext(env: jinja2.Environment) -> None:
    """`_("...")` in templates: the current language's catalog (see i18n.py)."""
    env.add_extension("jinja2.ext.i18n")
    extended: Any = env  # the extension adds install_gettext_callables to the environment
    extended.install_gettext_callables(gettext, ngettext, newstyle=True)


# --- documents ----------------------------------------------------------------------


def render_html(handout: Handout, layout: Layout = Layout()) -> str:
    return html_environment().get_template("handout.html.j2").render(h=handout, layout=layout)


def render_slides(handout: Handout) -> str:
    """The slides: one self-contained page, a scrolling document until its script runs."""
    return html_environment().get_template("slides.html.j2").render(h=handout)


def write_slides(
    out: Path | str = "output",
    title: str | None = None,
    scale: str = "1/m",
    lang: str = "en",
    model: str = ARTICLE,
    example: str | None = None,
    target: str | None = None,
) -> tuple[Handout, Path]:
    """Derive, check, and write `out/slides.html` (`example`: a teacher's CSV file)."""
    with language(lang):  # the steps' titles in the language; a bad model or file refused
        result = derive_model(model, scale)  # before any folder is made
        given = given_example(result, model, example, target)
    folder = prepare_folder(out, title)
    document = _checked_handout(result, title, scale, lang, False, given)
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


def render_tex(handout: Handout, layout: Layout = Layout()) -> str:
    template = tex_environment(handout.lang).get_template("handout.tex.j2")
    return template.render(h=handout, layout=layout)


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


def write_handout(
    handout: Handout, out: Path, formats: Iterable[str], layout: Layout = Layout()
) -> Written:
    """Write handout.html / .tex / .pdf into `out`; all are complete before any is replaced.
    A compact layout leaves the figures out."""
    check_paper(layout.paper)
    with language(handout.lang):
        if layout.compact and handout.example is not None:
            handout = replace(handout, example=_without_figures(handout.example))
        return _write_handout(handout, out, tuple(formats), layout)


def _without_figures(example: ExampleView) -> ExampleView:
    """The worked example without its figures and without the sentence about them, which
    ends its `bound` sentence (tests/test_render.py checks that it does in every language)."""
    *before, last = example.bound
    for about in figure_sentences():  # mse's (EXAMPLE["figures"]) first
        if last.kind == "text" and last.value.endswith(about):
            last = replace(last, value=last.value[: -len(about)].rstrip())
            break
    return replace(example, figures=(), bound=(*before, last))


def _write_handout(handout: Handout, out: Path, wanted: tuple[str, ...], layout: Layout) -> Written:
    out.mkdir(parents=True, exist_ok=True)
    tex = render_tex(handout, layout)
    contents: dict[str, bytes] = {}
    if "html" in wanted:
        contents["handout.html"] = render_html(handout, layout).encode("utf-8")
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
    layout: Layout = Layout(),
    model: str = ARTICLE,
    example: str | None = None,
    target: str | None = None,
) -> tuple[Handout, Written]:
    """Derive, check, and write the handouts (`example`: a teacher's CSV file)."""
    check_paper(layout.paper)
    wanted = tuple(formats)
    if unknown := sorted(set(wanted) - set(FORMATS)):
        raise InputError(
            gettext("unknown format {formats}: choose from {choices}").format(
                formats=join_list(unknown), choices=join_list(FORMATS)
            )
        )
    with language(lang):  # the steps' titles in the language; a bad model or file refused
        result = derive_model(model, scale)  # before any folder is made
        given = given_example(result, model, example, target)
    folder = prepare_folder(out, title)
    document = _checked_handout(result, title, scale, lang, layout.compact, given)
    return document, write_handout(document, folder, wanted, layout)


def _checked_handout(
    result: Derivation, title: str | None, scale: str, lang: str, compact: bool, given: Given
) -> Handout:
    """The checked derivation's handout in `lang`, its example `given` (compact: no figures)."""
    with language(lang):
        if isinstance(result.model, ModelSpec):
            with model_example_section(given, compact) as section:  # drawn while checked
                document = build_handout(result, check_derivation(result), title)
                own = None if result.model.key in BUILTIN else result.model.text  # notebooks
                return replace(document, description=own, example=section())
        with start_checks(result) as checks:  # the example is worked meanwhile
            with mse_example_section(result, given, scale, compact) as section:
                mistake = worked_example() if scale == "1/m" else None  # while figures draw
                example = section()
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
