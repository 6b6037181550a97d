"""Every model through everything downstream: `derive steps --json`, handouts (HTML, LaTeX,
PDF, notebook) and slides, in English and Chinese, for the built-in models and for
models that users write (weighted least squares, logistic with a penalty, a tanh neuron)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_tools import MATH_FONTS, glyphs, platform_fonts
from click.testing import CliRunner
from test_handout_files import latexmk, pdf_text
from test_printing_browser import RING, SIGMA

from derive.cli.main import cli

HERE = Path(__file__).resolve().parent
USER_MODELS = sorted((HERE / "data" / "models").glob("*.toml"))
PLANNED = ("ridge", "logistic", "poisson", "neuron")


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("model", [*PLANNED, *(str(p) for p in USER_MODELS)], ids=Path)
def test_steps_json_of_every_model_has_every_check_true(model: str) -> None:
    result = run("steps", "--json", "--model", model)
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert len(steps) >= 20
    for step in steps:
        assert step["checks"] == {"symbolic": True, "explicit": True, "numeric": True}, step
        assert step["relations"], step["key"]
    keys = [step["key"] for step in steps]
    assert {"cost", "signal", "gradient-alpha", "gradient-beta", "update-beta"} <= set(keys)


def test_the_users_models_are_the_ones_the_issue_names() -> None:
    assert [p.stem for p in USER_MODELS] == ["penalized_logistic", "tanh_neuron", "weighted"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("model", [*PLANNED, *(str(p) for p in USER_MODELS)], ids=Path)
def test_handout_html_tex_and_notebook_and_slides_for_every_model(
    model: str, lang: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(
        "handout", "--model", model, "--lang", lang, "--format", "html,tex,ipynb", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    html = (out / "handout.html").read_text(encoding="utf-8")
    tex = (out / "handout.tex").read_text(encoding="utf-8")
    assert html.count('class="check pass"') >= 3 * 20
    assert 'class="check fail"' not in html
    assert "<math" in html
    assert r"\begin{document}" in tex
    notebook = json.loads((out / "handout.ipynb").read_text(encoding="utf-8"))
    setup = notebook["cells"][1]["source"]
    assert f"model={model!r}" in setup if model in PLANNED else "derive.read_description(" in setup
    slides = run("slides", "--model", model, "--lang", lang, "--out", str(out))
    assert slides.exit_code == 0, slides.output
    assert 'class="check fail"' not in (out / "slides.html").read_text(encoding="utf-8")


def test_the_logistic_handout_explains_in_the_models_own_words(tmp_path: Path) -> None:
    result = run("handout", "--model", "logistic", "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "handout.html").read_text(encoding="utf-8")
    assert "Logistic regression: the gradient, step by step" in html
    assert "squeezes each score into the interval from 0 to 1." in html  # from logistic.toml
    assert "the denominators of the factors cancel (the second line)" in html  # p − y appears
    assert "Source article" not in html  # the article is cited for mse only
    zh = run(
        "handout",
        "--model",
        "logistic",
        "--lang",
        "zh",
        "--format",
        "html",
        "--out",
        str(tmp_path / "zh"),
    )
    assert zh.exit_code == 0, zh.output
    assert "逻辑回归：逐步推导梯度" in (tmp_path / "zh" / "handout.html").read_text(
        encoding="utf-8"
    )


def test_a_descriptions_words_are_text_never_markup_or_placeholders(tmp_path: Path) -> None:
    hostile = (
        (HERE / "data" / "models" / "weighted.toml")
        .read_text(encoding="utf-8")
        .replace(
            'title = "Weighted least squares"',
            'title = "Weighted <script>alert(1)</script> \\\\input{x} {J} 100% & $"',
        )
    )
    path = tmp_path / "hostile.toml"
    path.write_text(hostile, encoding="utf-8")
    result = run(
        "handout", "--model", str(path), "--format", "html,tex", "--out", str(tmp_path / "out")
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "handout.html").read_text(encoding="utf-8")
    tex = (tmp_path / "out" / "handout.tex").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "\\input{x}" not in tex
    assert "{J}" in html  # shown as typed, not filled in as a symbol


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_logistic_pdf_builds_without_overfull_lines(
    need: Callable[..., None], lang: str, tmp_path: Path
) -> None:
    engine = "xelatex" if lang == "zh" else "pdflatex"
    need("latexmk", engine, "pdftotext")
    result = run(
        "handout", "--model", "logistic", "--lang", lang, "--format", "tex", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    log = latexmk(tmp_path, chinese=lang == "zh")
    assert "Overfull \\hbox" not in log
    text = pdf_text(tmp_path / "handout.pdf")
    squeezed = re.sub(r"\s+", "", text)
    title = "Step12.Theproduct:thederivativebyz" if lang == "en" else "第12步乘积：对z的导数"
    assert title in squeezed
    assert "σ" in text
    assert squeezed.count("✓") == 3 * 22


def test_sigma_and_the_ring_render_in_the_neuron_handout(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    result = run("handout", "--model", "neuron", "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto((tmp_path / "handout.html").as_uri())
    page.evaluate("document.fonts.ready")
    for char, least in ((SIGMA, 2), (RING, 4)):
        found = glyphs(page, char)
        assert len(found) >= least, char
        for selector in found[:6]:
            box = page.locator(selector).bounding_box()
            assert box is not None
            assert box["width"] > 2, (char, box)
            assert platform_fonts(page, selector) <= MATH_FONTS
    page.locator("#step-14").screenshot(path=str(artifacts / "neuron-step-14.png"))
    page.close()


def test_a_user_models_notebook_runs_where_it_was_written(tmp_path: Path) -> None:
    """The description is embedded: the notebook needs no file beside it (a kernel starts
    in the notebook's own folder, where a relative path to the .toml would not resolve)."""
    import nbformat
    from nbclient import NotebookClient

    out = tmp_path / "out"
    model = str(HERE / "data" / "models" / "penalized_logistic.toml")
    result = run("handout", "--model", model, "--format", "ipynb", "--out", str(out))
    assert result.exit_code == 0, result.output
    notebook = nbformat.read(out / "handout.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("'numeric': True" in str(o) for o in outputs)


def test_a_bad_model_writes_no_folder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (HERE / "data" / "models" / "weighted.toml")
        .read_text()
        .replace('value = "y - z"', 'value = "y - q"'),
        encoding="utf-8",
    )
    for command in ("handout", "slides"):
        result = run(command, "--model", str(bad), "--out", str(tmp_path / command))
        assert result.exit_code == 2, result.output
        assert not (tmp_path / command).exists()
