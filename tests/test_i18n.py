"""Languages: complete catalogs, and the Chinese terminal, PDF, HTML and slides for real."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from derive.cli.main import cli
from derive.core.errors import InputError
from derive.core.i18n import LANGUAGES, LOCALE_DIR, check_language, gettext, language

ROOT = Path(__file__).resolve().parent.parent
Need = Callable[..., None]
TEX_DELIMITERS = {
    "extensions": "jinja2.ext.i18n",
    "block_start_string": "<%",
    "block_end_string": "%>",
    "variable_start_string": "<<",
    "variable_end_string": ">>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
}
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s|\[\w+\]")


def _source_messages() -> set[str]:
    """Every message in the code and the templates, extracted as scripts/update_catalogs.py does."""
    found: set[str] = set()
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    python = extract_from_dir(ROOT / "derive", [("**.py", "python")], keywords=keywords)
    templates = extract_from_dir(
        ROOT / "derive" / "render" / "templates",
        [("**.html.j2", "jinja2"), ("**.tex.j2", "jinja2")],
        options_map={"**.html.j2": {"extensions": "jinja2.ext.i18n"}, "**.tex.j2": TEX_DELIMITERS},
        keywords=keywords,
    )
    for _file, _line, message, _comments, _context in [*python, *templates]:
        found.add(message if isinstance(message, str) else message[0])
    return found


def _first(message_id: str | tuple[str, ...]) -> str:
    """A catalog entry's id: the message, or the singular of a plural pair."""
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.fixture(scope="module")
def messages() -> set[str]:
    return _source_messages()


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(
    messages: set[str], lang: str
) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "derive.po").open("rb") as source:
        catalog = read_po(source)
    translated = {_first(m.id): m for m in catalog if m.id}
    assert len(messages) > 60
    missing = sorted(messages - set(translated))
    assert missing == []
    for message_id in sorted(messages):
        entry = translated[message_id]
        forms = (entry.string,) if isinstance(entry.string, str) else entry.string
        assert all(forms), message_id
        assert not entry.fuzzy, message_id
        for form in forms:  # plural forms too: Chinese has one
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(message_id))


def test_the_catalogs_hold_nothing_stale(messages: set[str]) -> None:
    with (LOCALE_DIR / "zh" / "LC_MESSAGES" / "derive.po").open("rb") as source:
        ids = {_first(m.id) for m in read_po(source) if m.id}
    assert ids == messages


def test_english_is_the_default_and_chinese_is_a_context() -> None:
    assert gettext("The bias") == "The bias"
    with language("zh"):
        assert gettext("The bias") == "偏置"
    assert gettext("The bias") == "The bias"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InputError, match="choose from en, zh"):
        check_language("fr")


def test_the_terminal_speaks_chinese() -> None:
    result = CliRunner().invoke(cli, ["steps", "--lang", "zh"])
    assert result.exit_code == 0
    assert "17. 对 β 的梯度   [1×n]" in result.output
    assert "19 步中有 19 步通过了全部验证。" in result.output
    assert "checks" not in result.output


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory, need: Need) -> Path:
    need("latexmk", "xelatex", "kpsewhich")
    folder = tmp_path_factory.mktemp("zh")
    result = CliRunner().invoke(cli, ["handout", "--lang", "zh", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert "未生成" not in result.output
    return folder


def test_the_chinese_pdf_shows_the_chinese_step_titles(chinese: Path, need: Need) -> None:
    need("pdftotext")
    text = subprocess.run(
        ["pdftotext", str(chinese / "handout.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFC", text)
    for title in (
        "第 1 步 输入矩阵",
        "第 12 步 外层因子",
        "第 17 步 对 β 的梯度",
        "第 19 步 β 的更新",
    ):
        assert title in " ".join(text.split()), title
    assert "每一步是如何验证的" in text
    assert "不同学习率下每次迭代的代价" in text  # the text inside the figures


def test_the_chinese_html_uses_cjk_fonts_and_no_glyph_is_missing(
    chinese: Path, browser: Any, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    page.goto((chinese / "handout.html").as_uri())
    assert page.evaluate("document.documentElement.lang") == "zh"
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    used: dict[str, int] = {}
    for selector in ("h1", "#step-17 h2", "#step-17 .explanation", "section.method li"):
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        for font in session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            used[font["familyName"]] = used.get(font["familyName"], 0) + font["glyphCount"]
    assert any("CJK" in family for family in used), used
    assert "Last Resort" not in used
    page.screenshot(path=str(artifacts / "handout-zh.png"))
    page.close()


def test_the_chinese_slides_render(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    result = CliRunner().invoke(cli, ["slides", "--lang", "zh", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto((tmp_path / "slides.html").as_uri())
    for key in ("1", "4", "Enter", "Space", "Space", "Space"):
        page.keyboard.press(key)
    assert page.locator("section.slide.current h2").inner_text().startswith("第 14 步")
    page.wait_for_timeout(400)  # let the reveal transition finish
    page.screenshot(path=str(artifacts / "slides-zh.png"))
    page.keyboard.press("End")  # the last slide: a figure, its text in Chinese
    assert page.locator("section.slide.current svg").count() == 1
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "slides-zh-figure.png"))
    page.close()


def test_check_and_run_speak_chinese(tmp_path: Path) -> None:
    checked = CliRunner().invoke(
        cli, ["check", "1/m (yhat - y)^T X", "--wrt", "beta", "--lang", "zh"]
    )
    assert checked.exit_code == 1
    assert "相差一个常数因子" in checked.output
    assert "反例（m = 3，n = 2）：" in checked.output
    data = ROOT / "tests" / "data" / "stackloss.csv"
    ran = CliRunner().invoke(
        cli, ["run", str(data), "--target", "STACKLOSS", "--standardize", "--lang", "zh"]
    )
    assert ran.exit_code == 0, ran.output
    assert "次迭代后收敛" in ran.output


def test_input_errors_are_one_chinese_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("x,y\n1,2\nabc,3\n4,5\n", encoding="utf-8")
    ran = CliRunner().invoke(cli, ["run", str(data), "--target", "y", "--lang", "zh"])
    assert ran.exit_code == 2, ran.output
    assert ran.stderr == f"错误：{data}，第 3 行，列 'x'：'abc' 不是数字\n"
    checked = CliRunner().invoke(cli, ["check", "(u^T X", "--wrt", "beta", "--lang", "zh"])
    assert checked.exit_code == 2, checked.output
    assert checked.stderr.splitlines()[0] == "错误：第 6 列：表达式过早结束"
