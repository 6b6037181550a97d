"""`derive handout --worksheet`: boxes with hints and commands, no answer leaked, the key."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.errors import InputError
from derive.present.formulas import formula
from derive.present.worksheet import check_command, choose_blanks
from derive.render.handouts import mathml
from derive.render.texescape import tex_escape
from derive.steps.choose import derive_model
from derive.steps.derivation import Derivation

Need = Callable[..., None]
SPECIAL_TITLE = r"Sheet <b>&</b> 50% $x$ #1 _a ^b ~ {c} \d"
CALCULUS = {
    "logistic": [
        "factor-J-p",
        "factor-p-z",
        "signal",
        "inner-factor-alpha",
        "gradient-alpha",
        "update-alpha",  # it would give the gradient away
        "inner-factor-beta",
        "gradient-beta",
        "update-beta",
    ],
    "mse": [
        "outer-factor",
        "inner-factor-alpha",
        "gradient-alpha",
        "inner-factor-beta",
        "gradient-beta",
        "update-alpha",
        "update-beta",
    ],
}
FILES = ("worksheet.html", "worksheet.tex", "answers.html", "answers.tex")


def _run(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["handout", "--out", str(folder), *args])
    return result.exit_code, result.output


def _sheets(folder: Path, model: str, lang: str, *more: str) -> dict[str, str]:
    code, output = _run(folder, "--worksheet", "--model", model, "--lang", lang,
                        "--format", "html,tex", *more)  # fmt: skip
    assert code == 0, output
    return {name: (folder / name).read_text(encoding="utf-8") for name in FILES}


@pytest.fixture(scope="module")
def derivations() -> dict[str, Derivation]:
    return {model: derive_model(model, "1/m") for model in CALCULUS}


@pytest.fixture(scope="module", params=[(m, lang) for m in CALCULUS for lang in ("en", "zh")],
                ids=lambda p: "-".join(p))  # fmt: skip
def sheets(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    model, lang = request.param
    folder = tmp_path_factory.mktemp(f"sheet-{model}-{lang}")
    return model, lang, _sheets(folder, model, lang)


@dataclass(frozen=True)
class Answer:
    number: int
    lhs: str
    op: str
    rhs: str
    reading: str


def _answers(derivation: Derivation, keys: list[str]) -> list[Answer]:
    """Every blank's step number, sides as LaTeX, and plain reading."""
    found = []
    for key in keys:
        step = derivation[key]
        for relation in step.relations:
            if relation.op != "in":
                shown = formula(relation)
                found.append(Answer(step.number, shown.lhs, shown.op, shown.rhs, shown.text))
    return found


def _inner(markup: str) -> str:
    """A formula's MathML without its <math> element, as it would sit inside another."""
    return markup[markup.index(">") + 1 : markup.rindex("</math>")]


def leaks(html: str, tex: str, answers: list[Answer]) -> list[str]:
    """The answers found in a document: as the handout shows them (a right-hand side's
    MathML with the LaTeX as alt text, the relation's plain reading as a tooltip, the
    relation in LaTeX), and, for an answer long enough not to be a common piece (as
    "1" or "X" are), its LaTeX or MathML anywhere, inside other formulas too."""
    found = []
    for a in answers:
        shown = (
            f'<span class="rhs">{mathml(a.rhs)}</span>' in html
            or escape(a.reading) in html
            or f"{a.lhs} &{a.op} {a.rhs}" in tex
            or f"{a.lhs} {a.op} {a.rhs}" in tex
        )
        alt = f'alttext="{escape(a.rhs)}"' in html
        inside = len(a.rhs) >= 12 and (alt or a.rhs in tex or _inner(mathml(a.rhs)) in html)
        if shown or inside:
            found.append(a.rhs)
    return found


def test_one_box_per_blank_with_its_hint_and_command(
    sheets: tuple, derivations: dict[str, Derivation]
) -> None:
    model, _lang, files = sheets
    answers = _answers(derivations[model], CALCULUS[model])
    html, tex = files["worksheet.html"], files["worksheet.tex"]
    assert html.count('class="rhs box"') == len(answers)
    assert tex.count(r"\blankbox{") == len(answers)
    for number in {a.number for a in answers}:
        command = f"derive check --model {model} --step {number} &#34;…&#34;"
        count = sum(1 for a in answers if a.number == number)
        assert html.count(f"<code>{command}</code>") == count
    hints = re.findall(r'<p class="hint">(.*?) <code>', html)
    assert len(hints) == len(answers)
    assert all(re.search(r"(scalar|标量|[1mn]×[1mn])", hint) for hint in hints), hints
    assert 'class="rhs box" style="height: 1.6cm"' in html or "height: 2.4cm" in html


def test_the_worksheet_leaks_no_answer_and_the_key_has_them_all(
    sheets: tuple, derivations: dict[str, Derivation]
) -> None:
    model, _lang, files = sheets
    answers = _answers(derivations[model], CALCULUS[model])
    assert leaks(files["worksheet.html"], files["worksheet.tex"], answers) == []
    # the same search finds every one of them in the answer key: it can fail
    in_key = leaks(files["answers.html"], files["answers.tex"], answers)
    assert in_key == [a.rhs for a in answers]
    assert all(a.rhs in files["answers.tex"] for a in answers)
    for html in (files["worksheet.html"], files["answers.html"]):
        assert "<script" not in html
    assert 'class="check-yours"' not in files["worksheet.html"]


def test_the_key_marks_each_formerly_blank_step(
    sheets: tuple, derivations: dict[str, Derivation]
) -> None:
    model, _lang, files = sheets
    marked = re.findall(r'<section class="step answer" id="step-\d+" data-key="([^"]+)"',
                        files["answers.html"])  # fmt: skip
    assert marked == CALCULUS[model]
    labels = re.findall(r"^\\answerlabel$", files["answers.tex"], re.MULTILINE)
    assert len(labels) == len(CALCULUS[model])
    assert not re.findall(r"^\\answerlabel$", files["worksheet.tex"], re.MULTILINE)
    assert 'class="rhs box"' not in files["answers.html"]


def test_blanks_all_example_keys_and_numbers(derivations: dict[str, Derivation]) -> None:
    logistic, mse = derivations["logistic"], derivations["mse"]
    assert choose_blanks(logistic, "calculus").steps == tuple(
        logistic[key].number for key in CALCULUS["logistic"]
    )
    every = choose_blanks(logistic, "all").steps
    assert [logistic[n].key for n in every][:3] == ["define-z", "define-p", "factor-J-p"]
    assert not {"data-X", "parameter-beta", "aim-alpha", "cost"} & {logistic[n].key for n in every}
    assert choose_blanks(mse, "all").steps[0] == mse["prediction"].number
    assert choose_blanks(logistic, "example").example
    assert choose_blanks(logistic, "example").steps == ()
    # the update steps come with their gradients: they would give them away
    assert choose_blanks(logistic, "16, gradient-beta").steps == (16, 17, 21, 22)
    assert choose_blanks(mse, "14").steps == (14, mse["update-alpha"].number)
    for wrong in ("nope", "1", "data-X", "aim-alpha", "99", "", "16,,21"):
        with pytest.raises(InputError, match="gradient-beta"):
            choose_blanks(logistic, wrong)


def test_an_unknown_blank_or_blanks_alone_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, output = _run(folder, "--worksheet", "--model", "logistic", "--blanks", "16,nope")
    assert code == 2
    assert "'nope'" in output
    assert "gradient-beta" in output
    assert len(output.strip().splitlines()) == 1
    assert not folder.exists()
    code, output = _run(folder, "--blanks", "all")
    assert code == 2
    assert "--worksheet" in output
    assert not folder.exists()
    code, output = _run(folder, "--worksheet", "--format", "html,ipynb")
    assert code == 2
    assert "ipynb" in output
    assert not folder.exists()


def test_keys_and_numbers_blank_just_those(
    tmp_path: Path, derivations: dict[str, Derivation]
) -> None:
    files = _sheets(tmp_path, "logistic", "en", "--blanks", "16,gradient-beta")
    html = files["worksheet.html"]
    keys = ["gradient-alpha", "update-alpha", "gradient-beta", "update-beta"]
    answers = _answers(derivations["logistic"], keys)
    assert html.count('class="rhs box"') == len(answers) == 6
    assert leaks(html, files["worksheet.tex"], answers) == []
    assert mathml(formula(derivations["logistic"]["signal"].relations[-1]).rhs) in html
    assert leaks(html, files["worksheet.tex"], _answers(derivations["logistic"], ["signal"]))


def test_blanks_all_hides_the_example_formulas_too(
    tmp_path: Path, derivations: dict[str, Derivation]
) -> None:
    mse = derivations["mse"]
    files = _sheets(tmp_path, "mse", "en", "--blanks", "all")
    keys = [mse[n].key for n in choose_blanks(mse, "all").steps]
    answers = _answers(mse, keys)
    assert files["worksheet.html"].count('class="rhs box"') == len(answers)
    # the definition u = y - ŷ is inside the cost, the question under the title
    cost = " ".join(formula(relation).rhs for relation in mse["cost"].relations)
    given = [a.rhs for a in answers if a.rhs in cost]
    assert given == [r"\mathbf{y} - \hat{\mathbf{y}}", r"y_{i} - \hat{y}_{i}"]
    found = leaks(files["worksheet.html"], files["worksheet.tex"], answers)
    assert found == given


def test_blanks_example_leaves_the_first_iteration_s_numbers_out(tmp_path: Path) -> None:
    from derive.present.model_example_handout import given_example, model_example_view

    derivation = derive_model("logistic", "1/m")
    view = model_example_view(given_example(derivation, "logistic"))
    files = _sheets(tmp_path, "logistic", "en", "--blanks", "example")
    html, tex = files["worksheet.html"], files["worksheet.tex"]
    assert html.count('class="rhs box"') == len(view.lines) == tex.count(r"\blankbox{")
    assert html.count("<code>derive example --model logistic</code>") == len(view.lines)
    numbers = [v for line in view.lines for v in (line.result, line.substituted) if len(v) >= 12]
    assert numbers
    assert [v for v in numbers if v in tex or mathml(v) in html] == []
    assert all(f"<td>{v}</td>" not in html for v in view.rows[1][1:])
    results = [line.result for line in view.lines]
    assert all(v in files["answers.tex"] and mathml(v) in files["answers.html"] for v in results)
    assert all(f"<td>{v}</td>" in files["answers.html"] for v in view.rows[1][1:])


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first = _sheets(tmp_path / "a", "mse", "en")
    again = _sheets(tmp_path / "b", "mse", "en")
    assert first == again


def test_a_title_with_specials_is_escaped(tmp_path: Path) -> None:
    files = _sheets(tmp_path, "mse", "en", "--title", SPECIAL_TITLE)
    for name in ("worksheet.html", "answers.html"):
        assert SPECIAL_TITLE not in files[name]
        assert f"<h1>{escape(SPECIAL_TITLE, quote=False)}</h1>" in files[name]
    for name in ("worksheet.tex", "answers.tex"):
        assert SPECIAL_TITLE not in files[name]
        assert str(tex_escape(SPECIAL_TITLE)) in files[name]


def test_a_description_file_is_named_as_given_and_quoted() -> None:
    assert check_command("my models/a'b.toml", 3) == (
        "derive check --model 'my models/a'\"'\"'b.toml' --step 3 \"…\""
    )
    assert check_command("mse", 14) == 'derive check --model mse --step 14 "…"'
    assert check_command("mse", 14, "1/(2m)") == (
        "derive check --model mse --step 14 --scale '1/(2m)' \"…\""
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pdfs_build_without_overfull_boxes(need: Need, tmp_path: Path, lang: str) -> None:
    engine = "xelatex" if lang == "zh" else "pdflatex"
    need("latexmk", engine, "pdfinfo")
    folder = tmp_path / "out"
    args = ("--worksheet", "--model", "logistic", "--lang", lang, "--title", SPECIAL_TITLE)
    code, output = _run(folder, *args)
    assert code == 0, output
    for name in ("worksheet", "answers"):
        info = subprocess.run(["pdfinfo", str(folder / f"{name}.pdf")], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 5  # type: ignore[index]
        build = tmp_path / f"build-{name}"
        shutil.copytree(folder / "figures", build / "figures")
        shutil.copy(folder / f"{name}.tex", build / f"{name}.tex")
        mode = "-pdf" if engine == "pdflatex" else "-xelatex"
        subprocess.run(["latexmk", "-norc", mode, "-interaction=nonstopmode", "-quiet",
                        f"{name}.tex"], cwd=build, capture_output=True, check=True)  # fmt: skip
        log = (build / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        assert "Overfull" not in log, re.findall(r"Overfull.*", log)
    if lang == "en":
        code, output = _run(tmp_path / "again", *args)
        assert code == 0, output
        for name in ("worksheet.pdf", "answers.pdf"):
            assert (folder / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


@pytest.mark.parametrize(
    ("model", "rule"),
    [("logistic", "The derivative of the logistic function"), ("poisson", "its own derivative:")],
)
def test_a_blank_steps_rule_of_calculus_is_not_stated_above_its_box(
    tmp_path: Path, model: str, rule: str
) -> None:
    """σ′(t) = σ(t)(1 − σ(t)) above the box of ∂pᵢ/∂zᵢ would be its answer with t for zᵢ."""
    files = _sheets(tmp_path, model, "en")
    assert rule in files["answers.html"]
    assert rule in files["answers.tex"]
    assert rule not in files["worksheet.html"]
    assert rule not in files["worksheet.tex"]
