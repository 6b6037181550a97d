"""The worked example of every model in the handouts and slides: the model's own `[example]`
and a teacher's CSV file (`--example FILE [--target COL]`), the file refused with one line
before anything is written when it cannot serve, and the lines too wide for a page broken
into rows (present/model_example_handout.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_handout_files import latexmk, pdf_text

from derive.cli.main import cli
from derive.models.catalog import load_model
from derive.numeric.model_example import work_model
from derive.numeric.model_example_data import example_of
from derive.present.model_example_handout import (
    WIDTH,
    FittedView,
    _width,
    fitted,
    model_example_view,
    slide_groups,
)

HERE = Path(__file__).resolve().parent
Need = Callable[..., None]

# Numbers of each built-in model's example, as `derive example --model M` prints them:
# the first iteration's values and the end of the run.
NUMBERS = {
    "ridge": ("14.937", "13.43", "1.443", "0.983"),
    "logistic": ("0.15", "0.537430", "0.680680", "0.0742506", "0.0908926"),
    "poisson": ("1.05127", "0.583599", "1.39640", "0.583576"),
    "neuron": ("0.401312", "0.243895", "0.0376454", "0.0902201"),
}
# A teacher's data for logistic regression (labels that are not separable), and numbers
# of its example: X, z, p, J and the new β.
EXAM = (
    "hours,quiz,passed\n0.5,1,0\n1.5,0,1\n2,1.5,0\n2.5,0.5,0\n3,1,1\n3.5,2,1\n4.25,0.5,0\n1,2,1\n"
)
EXAM_NUMBERS = ("4.25", "0.475", "0.586618", "0.701388", "0.0982060")


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def example_section(html: str) -> str:
    found = re.search(r'<section class="example" id="example">.*?</section>', html, re.DOTALL)
    assert found is not None, "no worked example"
    return found.group(0)


def shown(section: str) -> set[str]:
    """The numbers the MathML of a section shows (a minus is its own operator)."""
    return set(re.findall(r"<mn>([^<]+)</mn>", section))


def csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each built-in model's HTML handout, made once: its folder by the model's name."""
    made = {}
    for model in NUMBERS:
        out = tmp_path_factory.mktemp(model)
        result = run("handout", "--model", model, "--format", "html", "--out", str(out))
        assert result.exit_code == 0, result.output
        made[model] = out
    return made


@pytest.mark.parametrize("model", sorted(NUMBERS))
def test_every_built_in_models_handout_has_its_worked_example(
    model: str, handouts: dict[str, Path]
) -> None:
    section = example_section((handouts[model] / "handout.html").read_text(encoding="utf-8"))
    assert set(NUMBERS[model]) <= shown(section), sorted(set(NUMBERS[model]) - shown(section))
    assert section.count('<figure class="plot"') == 3
    assert "The iterations that follow" in section
    convex = "so it is a local minimum" if model == "neuron" else "The cost is convex"
    assert convex in section
    assert not (handouts[model] / "figures").exists()  # the figures' PDFs go with the LaTeX


def test_the_logistic_example_says_its_bound_and_the_others_backtracking(
    handouts: dict[str, Path],
) -> None:
    made = {
        model: example_section((handouts[model] / "handout.html").read_text(encoding="utf-8"))
        for model in ("logistic", "poisson")
    }
    assert "for these data 2/L = 1.314" in made["logistic"]
    assert "backtracking (Armijo)" in made["poisson"]
    assert "328 halvings in all" in made["poisson"]
    assert "either side of the bound" not in made["poisson"]  # no bound: no such figure


def test_a_teachers_file_is_the_example_of_a_model_and_of_mse(tmp_path: Path) -> None:
    data = csv(tmp_path, "exam.csv", EXAM)
    out = tmp_path / "logistic"
    result = run(
        "handout", "--model", "logistic", "--example", data, "--format", "html", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    section = example_section((out / "handout.html").read_text(encoding="utf-8"))
    assert set(EXAM_NUMBERS) <= shown(section)
    assert "0.680680" not in shown(section)  # the built-in example's J
    assert "pencil, paper and a calculator" in section
    mse = tmp_path / "mse"
    houses = csv(tmp_path, "houses.csv", "rooms,size,price\n1,2.5,3\n2,1,4\n3,4,8\n4,3.5,9\n")
    result = run("handout", "--example", houses, "--target", "price", "--out", str(mse))
    assert result.exit_code == 0, result.output
    section = example_section((mse / "handout.html").read_text(encoding="utf-8"))
    assert {"2.5", "3.5", "8", "9"} <= shown(section)
    assert "small whole numbers" not in section  # the teacher's data need not be
    assert "pencil, paper and a calculator" in section


def test_a_description_file_with_a_teachers_file_has_a_worked_example(tmp_path: Path) -> None:
    model = str(HERE / "data" / "models" / "weighted.toml")
    plain = tmp_path / "plain"
    assert run("handout", "--model", model, "--format", "html", "--out", str(plain)).exit_code == 0
    assert 'id="example"' not in (plain / "handout.html").read_text(encoding="utf-8")
    data = csv(tmp_path, "w.csv", "x,w,y\n1,1,2\n2,0.5,3\n3,2,5\n4,1,6.5\n")
    out = tmp_path / "out"
    result = run(
        "handout", "--model", model, "--example", data, "--format", "html", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    section = example_section((out / "handout.html").read_text(encoding="utf-8"))
    assert {"6.5", "0.5"} <= shown(section)


@pytest.mark.parametrize("command", ["handout", "slides"])
@pytest.mark.parametrize("model", ["mse", "logistic", "neuron"])
def test_a_file_of_eleven_rows_is_refused_before_any_folder(
    command: str, model: str, tmp_path: Path
) -> None:
    rows = "".join(f"{k},{k % 3},{k % 2}\n" for k in range(11))
    data = csv(tmp_path, "eleven.csv", "x1,x2,y\n" + rows)
    out = tmp_path / "out"
    result = run(command, "--model", model, "--example", data, "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {data} has more than 10 data rows: a worked example by hand takes at most "
        "10; derive run takes any number"
    ]
    assert not out.exists()


def test_a_bad_label_or_column_or_too_many_features_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = csv(tmp_path, "bad.csv", "x1,x2,y\n1,2,0\n2,1,1\n3,3,2\n4,1,0\n")
    wide = csv(
        tmp_path,
        "wide.csv",
        "a,b,c,d,y\n" + "".join(f"{k},{k},{k},{k},{k % 2}\n" for k in range(5)),
    )
    out = tmp_path / "out"
    cases = [
        (
            ("--model", "logistic", "--example", bad),
            "logistic needs labels 0 or 1 as its target; row 3 has 2",
        ),
        (("--model", "poisson", "--example", bad, "--target", "x9"), "has no column 'x9'"),
        (
            ("--model", "ridge", "--example", wide),
            "has 4 features: a worked example by hand takes at most 3",
        ),
    ]
    for args, message in cases:
        for command in ("handout", "slides"):
            result = run(command, *args, "--out", str(out))
            assert result.exit_code == 2, result.output
            assert len(result.stderr.strip().splitlines()) == 1
            assert message in result.stderr
            assert not out.exists()


def test_separable_labels_say_why_and_write_nothing(tmp_path: Path) -> None:
    data = csv(tmp_path, "sep.csv", "x1,x2,y\n0,0,0\n1,0,0\n2,1,1\n3,1,1\n")
    out = tmp_path / "out"
    result = run("handout", "--model", "logistic", "--example", data, "--out", str(out))
    assert result.exit_code == 1
    assert "the data are separable" in result.stderr
    assert not out.exists()


def test_the_neurons_slides_have_its_example_a_line_per_slide(tmp_path: Path) -> None:
    result = run("slides", "--model", "neuron", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "slides.html").read_text(encoding="utf-8")
    slides = re.findall(
        r'<section class="slide example[^"]*" id="slide-(\d+)">(.*?)</section>', html, re.DOTALL
    )
    # the data; z, p, u, J, ∂J/∂α, ∂J/∂β, the two updates together; the table; 3 figures
    assert len(slides) == 1 + 7 + 1 + 3
    numbers = [int(number) for number, _ in slides]
    assert numbers == list(range(numbers[0], numbers[0] + 12))
    text = "".join(body for _, body in slides)
    assert set(NUMBERS["neuron"]) <= shown(text)
    assert "local minimum" in text
    for name in ("cost", "contours", "rates"):
        assert f'id="figure-{name}"' in text
    data = csv(tmp_path, "exam.csv", EXAM)
    result = run(
        "slides",
        "--model",
        "neuron",
        "--example",
        data,
        "--lang",
        "zh",
        "--out",
        str(tmp_path / "zh"),
    )
    assert result.exit_code == 0, result.output
    assert "4.25" in shown((tmp_path / "zh" / "slides.html").read_text(encoding="utf-8"))


def test_a_compact_handout_has_no_figures_nor_the_sentence_on_them(tmp_path: Path) -> None:
    result = run(
        "handout", "--model", "poisson", "--compact", "--format", "html,tex", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.html", "handout.tex"]
    section = example_section((tmp_path / "handout.html").read_text(encoding="utf-8"))
    assert "<figure" not in section
    assert "The figures show" not in section
    assert "328 halvings in all." in section
    assert "includegraphics" not in (tmp_path / "handout.tex").read_text(encoding="utf-8")


def test_the_zh_logistic_pdf_has_the_teachers_numbers(need: Need, tmp_path: Path) -> None:
    need("latexmk", "xelatex", "pdftotext")
    data = csv(tmp_path, "exam.csv", EXAM)
    out = tmp_path / "out"
    result = run(
        "handout",
        "--example",
        data,
        "--model",
        "logistic",
        "--lang",
        "zh",
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["handout.pdf"]
    text = re.sub(r"\s+", "", pdf_text(out / "handout.pdf"))
    assert "一个计算实例" in text
    for number in EXAM_NUMBERS:
        assert number in text, number
    assert "0.680680" not in text


def test_the_poisson_pdf_builds_without_overfull_lines(need: Need, tmp_path: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    result = run("handout", "--model", "poisson", "--format", "tex", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    log = latexmk(tmp_path, chinese=False)
    assert "Overfull \\hbox" not in log
    text = re.sub(r"\s+", "", pdf_text(tmp_path / "handout.pdf"))
    for number in ("0.583599", "1.39640", "0.583576", "0.397515"):
        assert number in text, number


# --- lines broken where they would be wider than a page -------------------------------------


@pytest.fixture(scope="module")
def views() -> dict[str, FittedView]:
    made = {}
    for model in ("logistic", "neuron"):
        spec = load_model(model)
        made[model] = fitted(model_example_view(work_model(spec, example_of(spec))), WIDTH[False])
    return made


def test_a_line_too_wide_is_broken_into_rows_that_fit(views: dict[str, FittedView]) -> None:
    lines = {line.key: line for line in views["logistic"].lines}
    cost = lines["cost"].substituted
    assert cost.startswith(r"\begin{array}{l} ")
    assert cost.endswith(r" \end{array}")
    rows = (
        cost.removeprefix(r"\begin{array}{l} ").removesuffix(r" \end{array}").split(r" \\ \quad ")
    )
    assert len(rows) == 2
    assert rows[1].startswith(r"\left. {} + ")  # before the + at the least depth
    for row in rows:
        assert row.count(r"\left") == row.count(r"\right")
        assert _width(row) <= WIDTH[False]
    assert _width(lines["cost"].substituted) > WIDTH[False]
    assert lines["define-z"].substituted.count("array") == 0  # it fits: as it was
    tex = views["logistic"].tex[[line.key for line in views["logistic"].lines].index("cost")]
    assert tex.startswith(r"\begin{array}[t]{@{}l@{}} ")
    assert r" \\[4pt] \quad \left. {} + " in tex


def test_a_line_is_broken_inside_its_parentheses_when_it_must(views: dict[str, FittedView]) -> None:
    lines = {line.key: line.substituted for line in views["neuron"].lines}
    gradient = lines["gradient-beta"]
    assert r"\right. \\ \quad \left. {} \circ" in gradient  # before a ∘ at depth 1
    assert gradient.count(r"\\ \quad") == 1


def test_the_slides_group_the_updates_as_for_mse(views: dict[str, FittedView]) -> None:
    assert slide_groups(views["neuron"]) == [
        ["define-z"],
        ["define-p"],
        ["define-u"],
        ["cost"],
        ["gradient-alpha"],
        ["gradient-beta"],
        ["update-alpha", "update-beta"],
    ]
