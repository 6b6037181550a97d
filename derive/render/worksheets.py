"""Worksheets: the handout with blank boxes, and its answer key, rendered and written whole.

Beside handouts.py (handout -> render): `write_worksheets` derives and checks as
`write_handouts` does, chooses the blanks (present/worksheet.py), renders the same
templates with a `Sheet` (worksheet.html/.tex/.pdf and answers.html/.tex/.pdf), and
replaces every file at once, so that a failure (LaTeX, a full disk) leaves none of the
old ones changed. A worksheet has no notebook: it would carry the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from derive.core.atomic import replace_files
from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list, language
from derive.present.handout import Handout
from derive.present.model_example_handout import given_example
from derive.present.worksheet import (
    Sheet,
    build_sheet,
    choose_blanks,
    example_command,
    worksheet_handout,
)
from derive.render.handouts import (
    DEFAULT_FORMATS,
    Layout,
    Written,
    _checked_handout,
    _figure_files,
    _without_figures,
    check_paper,
    html_environment,
    prepare_folder,
    tex_environment,
)
from derive.render.pdf import ENGINES, build_pdf, latex_tools
from derive.steps.choose import ARTICLE, derive_model

SHEET_FORMATS = ("html", "tex", "pdf")
A4 = Layout()  # the default: A4, not compact


def render_sheet_html(handout: Handout, sheet: Sheet, layout: Layout = A4) -> str:
    template = html_environment().get_template("handout.html.j2")
    return template.render(h=handout, layout=layout, sheet=sheet)


def render_sheet_tex(handout: Handout, sheet: Sheet, layout: Layout = A4) -> str:
    template = tex_environment(handout.lang).get_template("handout.tex.j2")
    return template.render(h=handout, layout=layout, sheet=sheet)


def check_sheet_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats of a worksheet, in a fixed order; a notebook (ipynb) refused."""
    wanted = tuple(formats)
    if unknown := sorted(set(wanted) - set(SHEET_FORMATS)):
        raise InputError(
            gettext("a worksheet cannot be written as {formats}: choose from {choices}").format(
                formats=join_list(unknown), choices=join_list(SHEET_FORMATS)
            )
        )
    return tuple(name for name in SHEET_FORMATS if name in wanted)


def write_worksheets(
    out: Path | str = "output",
    formats: Iterable[str] = DEFAULT_FORMATS,
    title: str | None = None,
    scale: str = "1/m",
    lang: str = "en",
    layout: Layout = A4,
    model: str = ARTICLE,
    example: str | None = None,
    target: str | None = None,
    blanks: str = "calculus",
) -> tuple[Handout, Written]:
    """Derive, check, and write worksheet.* and answers.* into `out` (`blanks`: the
    --blanks choice; `model`, `example` and `target` as the user gave them, for the
    commands printed under the boxes). Bad input is refused before any folder is made."""
    check_paper(layout.paper)
    wanted = check_sheet_formats(formats)
    with language(lang):
        result = derive_model(model, scale)
        given = given_example(result, model, example, target)
        choice = choose_blanks(result, blanks)
    folder = prepare_folder(out, title)
    document = _checked_handout(result, title, scale, lang, layout.compact, given)
    with language(lang):
        if layout.compact and document.example is not None:
            document = replace(document, example=_without_figures(document.example))
        commands = (model, scale, example_command(model, example, target))
        sheet = build_sheet(result, document, choice, commands)
        pages = {
            "worksheet": (worksheet_handout(document, sheet, result), sheet),
            "answers": (document, replace(sheet, answers=True)),
        }
        contents: dict[str, bytes] = {}
        skipped = latex_tools(lang) if "pdf" in wanted else None
        pictures = _figure_files(document)
        for name, (shown, laid) in pages.items():
            if "html" in wanted:
                contents[f"{name}.html"] = render_sheet_html(shown, laid, layout).encode("utf-8")
            if "tex" not in wanted and ("pdf" not in wanted or skipped is not None):
                continue  # no LaTeX wanted, or none to build it with
            tex = render_sheet_tex(shown, laid, layout)
            if "tex" in wanted:
                contents[f"{name}.tex"] = tex.encode("utf-8")
            if "pdf" in wanted and skipped is None:
                contents[f"{name}.pdf"] = build_pdf(tex, folder, ENGINES[lang], pictures)
        if "tex" in wanted:
            contents.update(pictures)
    return document, Written(paths=replace_files(folder, contents), skipped=skipped)
