"""Rendering without external tools: escaping, formats, titles, atomic writes."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.atomic import replace_files
from derive.core.errors import InputError
from derive.core.i18n import LANGUAGES, gettext, language
from derive.present.handout import Handout, build_handout, check_title
from derive.present.prose import EXAMPLE, SOURCE
from derive.render import pdf
from derive.render.handouts import (
    PAPERS,
    Layout,
    check_paper,
    mathml,
    parse_formats,
    render_html,
    render_tex,
    tex_escape,
    write_handout,
)
from derive.steps.derivation import Derivation
from derive.verify.step_checks import StepCheck

HOSTILE = [
    r"\input{/etc/passwd}",
    r"\write18{touch /tmp/derive-pwned}",
    "</title><script>alert(1)</script>",
    "50% of $x_1$ & {#braces} ~ ^_^",
]


@pytest.fixture(scope="module")
def handout(mean: Derivation) -> Handout:
    from derive.verify.step_checks import check_derivation

    return build_handout(mean, check_derivation(mean))


def test_tex_escape_prints_every_special_character_as_itself() -> None:
    escaped = tex_escape(r"\ { } $ & # ^ _ % ~")
    assert escaped == (
        r"\textbackslash{} \{ \} \$ \& \# \textasciicircum{} \_ \% \textasciitilde{}"
    )


def test_hyphens_stay_hyphens_and_do_not_join_into_dashes() -> None:
    assert tex_escape("--scale 1/(2m), a-b, ---") == "-{}-scale 1/(2m), a-b, -{}-{}-"


def test_escaped_text_is_not_escaped_twice() -> None:
    once = tex_escape("a_b")
    assert tex_escape(once) == once


def test_mathml_keeps_the_latex_as_alternative_text() -> None:
    shown = mathml(r"\mathbf{u}^{\top} \mathbf{X}")
    assert shown.startswith('<math alttext="\\mathbf{u}^{\\top} \\mathbf{X}"')
    assert 'display="block"' in shown


@pytest.mark.parametrize(
    ("latex", "token"),
    [
        (r"\mathbf{1}", "<mn>&#x1D7CF;</mn>"),  # MATHEMATICAL BOLD DIGIT ONE
        (r"\boldsymbol{\beta}", "<mi>&#x1D737;</mi>"),  # MATHEMATICAL BOLD ITALIC SMALL BETA
        (r"\mathbf{X}", "<mi>&#x1D417;</mi>"),  # latex2mathml's own MATHEMATICAL BOLD CAPITAL X
        (r"\mathbf{Xy}", "<mi>&#x1D417;</mi><mi>&#x1D432;</mi>"),
        (r"\mathbf{12}", "<mn>&#x1D7CF;&#x1D7D0;</mn>"),
    ],
)
def test_bold_is_written_in_bold_characters_that_chromium_shows(latex: str, token: str) -> None:
    shown = mathml(latex)
    assert token in shown
    assert "mathvariant" not in shown
    assert shown.startswith(f'<math alttext="{latex}"')


def test_a_bold_token_without_bold_characters_keeps_its_mathvariant() -> None:
    assert '<mn mathvariant="bold">1.5</mn>' in mathml(r"\mathbf{1.5}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("html,tex,pdf", ("html", "tex", "pdf")), ("pdf, HTML", ("html", "pdf")), ("tex", ("tex",))],
)
def test_formats_are_parsed_in_a_fixed_order(text: str, expected: tuple[str, ...]) -> None:
    assert parse_formats(text) == expected


@pytest.mark.parametrize("text", ["docx", "html,odt", ",", ""])
def test_unknown_formats_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="choose from html, tex, pdf"):
        parse_formats(text)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("", "empty"),
        ("x" * 201, "at most 200"),
        ("a\nb", "control character"),
        ("\x1b[31m", r"U\+001B"),
    ],
)
def test_unusable_titles_are_refused(title: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        check_title(title)


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_are_escaped_in_both_outputs(
    mean: Derivation, handout: Handout, title: str
) -> None:
    from dataclasses import replace

    hostile = replace(handout, title=title)
    html = render_html(hostile)
    assert "<script>" not in html
    assert "&lt;/title&gt;&lt;script&gt;" in html or "<script" not in title
    tex = render_tex(hostile)
    assert r"\input{/etc" not in tex
    assert r"\write18{" not in tex


def test_rendering_is_deterministic(handout: Handout) -> None:
    assert render_html(handout) == render_html(handout)
    assert render_tex(handout) == render_tex(handout)


def test_html_has_19_step_sections_and_no_script_or_external_resource(handout: Handout) -> None:
    html = render_html(handout).replace('xmlns="http://www.w3.org/1998/Math/MathML"', "")
    link = f'<a href="{SOURCE.url}">{SOURCE.url}</a>'  # a link to the source, not a resource
    assert html.count(link) == 1
    html = html.replace(link, "")
    assert html.count('<section class="step"') == 19
    for forbidden in ("<script", "http://", "https://", "<link", "@import", "src="):
        assert forbidden not in html


def test_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "handout.html").write_text("old")
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(InputError, match="cannot be written: disk full"):
        replace_files(tmp_path, {"handout.html": b"new", "handout.tex": b"new"})
    assert (tmp_path / "handout.html").read_text() == "old"
    assert not (tmp_path / "handout.tex").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.html"]


def test_files_are_readable_like_any_other_file(tmp_path: Path) -> None:
    (path,) = replace_files(tmp_path, {"handout.html": b"x"})
    assert path.stat().st_mode & 0o044 == 0o044


def test_without_latex_html_and_tex_are_written_and_the_packages_named(
    handout: Handout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    written = write_handout(handout, tmp_path, ("html", "tex", "pdf"))
    assert [p.name for p in written.paths] == ["handout.html", "handout.tex"]
    assert written.skipped is not None
    assert "latexmk" in written.skipped
    assert "texlive-latex-recommended" in written.skipped
    assert "\n" not in written.skipped


def test_nothing_is_written_outside_the_output_folder(
    handout: Handout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    out = tmp_path / "deep" / "out"
    write_handout(handout, out, ("html", "tex"))
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "deep",
        "deep/out",
        "deep/out/handout.html",
        "deep/out/handout.tex",
    ]


def test_latex_failure_quotes_the_error_lines() -> None:
    log = "\n".join(
        [
            "This is pdfTeX",
            "(./handout.tex",
            "./handout.tex:12: Undefined control sequence.",
            "l.12 \\oops",
        ]
    )
    message = pdf.latex_failure(log)
    assert "handout.tex:12: Undefined control sequence." in message
    assert "l.12 \\oops" in message


def test_step_checks_are_shown(handout: Handout, checks: tuple[StepCheck, ...]) -> None:
    html = render_html(handout)
    assert html.count("✓ symbolic") == 19
    assert "failed" not in html


def test_the_handout_html_has_the_worked_example(tmp_path: Path) -> None:
    from derive.render.handouts import write_handouts

    _document, written = write_handouts(tmp_path, ("html",))
    html = written.paths[0].read_text()
    assert '<section class="example" id="example">' in html
    assert html.count('<table class="iterations">') == 1
    assert "<td>14.935</td>" in html
    assert 'alttext="\\begin{bmatrix} 1.445 &amp; 0.985 \\end{bmatrix}"' in html


def test_the_source_article_is_cited_as_a_reference(handout: Handout) -> None:
    title = "Mathematical Intuition behind the Gradient Descent Algorithm"
    reference = f"Pratik Shukla, “{title}”, Towards AI, 2022. "
    assert reference + f'<a href="{SOURCE.url}">' in render_html(handout)
    tex = render_tex(handout)
    assert reference.replace("“", "``").replace("”", "''") + rf"\url{{{SOURCE.url}}}" in tex
    with language("zh"):
        chinese = replace(handout, lang="zh")
        author = gettext("Pratik Shukla")
        xelatex = tex_escape(author, unicode_fonts=True)  # "·" in LaTeX's math: \cdot
        for shown, name in ((render_html(chinese), author), (render_tex(chinese), xelatex)):
            assert name in shown
            assert f"“{title}”" in shown  # the title as published, not translated
            assert "梯度下降算法背后的数学直觉" in shown  # the Chinese translation's title
    assert "梯度下降算法背后的数学直觉" not in tex


def test_the_paper_is_a4_unless_letter_is_asked_for(handout: Handout) -> None:
    assert r"\usepackage[a4paper,margin=24mm]{geometry}" in render_tex(handout)
    letter = render_tex(handout, Layout("letter"))
    assert r"\usepackage[letterpaper,margin=24mm]{geometry}" in letter
    assert render_tex(handout, Layout("letter")).replace("letterpaper", "a4paper") == render_tex(
        handout
    )
    with pytest.raises(InputError, match="unknown paper size 'a3': choose from a4, letter"):
        check_paper("a3")


def test_compact_is_two_columns_in_print_and_in_the_pdf(handout: Handout) -> None:
    assert "twocolumn" not in render_tex(handout)
    assert r"\documentclass[10pt,twocolumn]{article}" in render_tex(handout, Layout(compact=True))
    assert '<body class="compact">' in render_html(handout, Layout(compact=True))
    assert "<body>" in render_html(handout)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sentence_on_the_bound_ends_with_the_one_about_the_figures(lang: str) -> None:
    """A compact handout cuts it off there (handouts._without_figures)."""
    with language(lang):
        bound, figures = gettext(EXAMPLE["bound"]), gettext(EXAMPLE["figures"])
    assert bound.endswith(figures)
    assert bound[: -len(figures)].rstrip().endswith((".", "。"))


def test_without_a_command_the_handout_is_a4_and_not_compact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derive.render import handouts

    asked: list[Layout] = []

    def write(*args: object) -> None:
        layout = args[5]  # out, formats, title, scale, lang, layout, model
        assert isinstance(layout, Layout)
        asked.append(layout)
        raise InputError("stop here")

    monkeypatch.setattr(handouts, "write_handouts", write)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, []).exit_code == 2
    assert CliRunner().invoke(cli, ["handout", "--paper", "letter", "--compact"]).exit_code == 2
    assert asked == [Layout("a4", compact=False), Layout("letter", compact=True)]
    (paper,) = [option for option in cli.commands["handout"].params if option.name == "paper"]
    assert paper.type.to_info_dict()["choices"] == tuple(PAPERS)
