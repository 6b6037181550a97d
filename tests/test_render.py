"""Rendering without external tools: escaping, formats, titles, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive.core.atomic import replace_files
from derive.core.errors import InputError
from derive.present.handout import Handout, build_handout, check_title
from derive.render import handouts as render
from derive.render.handouts import (
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
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    written = write_handout(handout, tmp_path, ("html", "tex", "pdf"))
    assert [p.name for p in written.paths] == ["handout.html", "handout.tex"]
    assert written.skipped is not None
    assert "latexmk" in written.skipped
    assert "texlive-latex-recommended" in written.skipped
    assert "\n" not in written.skipped


def test_nothing_is_written_outside_the_output_folder(
    handout: Handout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
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
    message = render.latex_failure(log)
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
