"""The command line's own words in Chinese: click's usage errors, the help, and --lang
read before click parses (derive/cli_language.py)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from click.testing import CliRunner

from derive.cli.language import (
    CLICK_DOMAIN,
    CLICK_MESSAGES_BY_VALUE,
    click_sources,
    requested_language,
)
from derive.cli.main import cli
from derive.core.i18n import LANGUAGES, LOCALE_DIR
from derive.render import handouts as render

PLACEHOLDER = re.compile(r"\{[\w!]+\}|%\(\w+\)s")
ROOT = Path(__file__).resolve().parent.parent
STACKLOSS = ROOT / "tests" / "data" / "stackloss.csv"


def click_messages() -> dict[str, tuple[str, ...]]:
    """The messages of the installed click's modules that derive translates, by their
    first form (singular), with all their forms."""
    found: dict[str, tuple[str, ...]] = {}
    for path in click_sources():
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
            found[forms[0]] = forms
    return found | {message: (message,) for message in CLICK_MESSAGES_BY_VALUE}


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_message_of_the_installed_click_is_translated(lang: str) -> None:
    messages = click_messages()
    assert len(messages) > 50
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{CLICK_DOMAIN}.po").open("rb") as source:
        catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(source) if m.id}
    # Else run scripts/update_catalogs.py (a click release added or changed messages).
    # Entries the installed click lacks are left alone: an older click may be installed.
    assert sorted(messages.keys() - catalog.keys()) == []
    for key, forms in messages.items():
        entry = catalog[key]
        strings = (entry.string,) if isinstance(entry.string, str) else entry.string
        assert all(strings), key
        assert not entry.fuzzy, key
        # A translation may leave out a word click fills in English ("{name}": "File").
        allowed = {name for form in forms for name in PLACEHOLDER.findall(form)}
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= allowed, key


@pytest.mark.parametrize(
    ("args", "lang"),
    [
        (["steps"], "en"),
        (["steps", "--lang", "zh"], "zh"),
        (["steps", "--lang=zh"], "zh"),
        (["--lang", "zh", "steps", "--lang", "en"], "en"),
        (["steps", "--lang", "fr"], "en"),
        (["check", "--", "--lang", "zh"], "en"),
        (["steps", "--lang"], "en"),
    ],
)
def test_the_language_is_read_before_click_parses(args: list[str], lang: str) -> None:
    assert requested_language(args) == lang


def test_a_usage_error_is_all_chinese() -> None:
    result = CliRunner().invoke(cli, ["steps", "--bogus", "--lang", "zh"], prog_name="derive")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "用法: derive steps [OPTIONS]",
        "运行 'derive steps --help' 查看帮助。",
        "",
        "错误：没有选项 '--bogus'。",
    ]


def test_a_bad_choice_and_a_bad_learning_rate_are_chinese() -> None:
    checked = CliRunner().invoke(cli, ["check", "u", "--wrt", "gamma", "--lang", "zh"])
    assert checked.exit_code == 2
    assert checked.stderr.splitlines()[-1] == (
        "错误：'--wrt' 的值无效：'gamma' 无效，可选值为 'alpha', 'beta', 'beta_j'。"
    )
    ran = CliRunner().invoke(
        cli, ["run", str(STACKLOSS), "--target", "x", "--lr", "fast", "--lang", "zh"]
    )
    assert ran.exit_code == 2
    assert ran.stderr.splitlines()[-1] == "错误：'--lr' 的值无效：'fast' 既不是 'auto' 也不是正数"
    example = CliRunner().invoke(cli, ["example", "--lr", "-1", "--lang", "zh"])
    assert example.exit_code == 2
    assert example.stderr.splitlines()[-1] == "错误：'--lr' 的值无效：'-1' 不是 0.1 这样的正小数"


def test_the_help_is_chinese_after_an_english_help_in_the_same_process() -> None:
    english = CliRunner().invoke(cli, ["run", "--help"])
    assert "Show this message and exit." in english.output
    chinese = CliRunner().invoke(cli, ["run", "--help", "--lang", "zh"], prog_name="derive")
    assert chinese.exit_code == 0
    shown = chinese.output
    for words in ("用法: derive run [OPTIONS] DATA", "选项:", "要预测的列。", "[必需]"):
        assert words in shown, words
    assert "显示此帮助并退出。" in shown
    assert not re.search(r"Usage|Options|Show this|The column|required|default", shown)
    assert "Show this message and exit." in CliRunner().invoke(cli, ["run", "--help"]).output


def test_the_group_help_lists_the_commands_in_chinese() -> None:
    shown = CliRunner().invoke(cli, ["--help", "--lang", "zh"]).output
    for words in ("命令:", "显示版本并退出。", "模型梯度的各个步骤，包括公式、形状和检验结果。"):
        assert words in shown, words


def test_the_group_language_is_the_default_of_the_command() -> None:
    result = CliRunner().invoke(cli, ["--lang", "zh", "steps"])
    assert result.exit_code == 0, result.output
    assert "19 步中有 19 步通过了全部验证。" in result.output


def test_english_stays_the_default_after_a_chinese_command() -> None:
    CliRunner().invoke(cli, ["steps", "--bogus", "--lang", "zh"])
    result = CliRunner().invoke(cli, ["steps", "--bogus"])
    assert result.stderr.splitlines()[-1] == "Error: No such option '--bogus'."


def test_a_missing_option_is_one_sentence_with_its_choices() -> None:
    english = CliRunner().invoke(cli, ["check", "u"])
    assert english.exit_code == 2
    assert english.stderr.splitlines()[-1] == (
        "Error: Missing option '--wrt': choose from alpha, beta, beta_j."
    )
    chinese = CliRunner().invoke(cli, ["check", "u", "--lang", "zh"])
    assert chinese.stderr.splitlines()[-1] == (
        "错误：缺少选项 '--wrt'：可选值为 alpha、beta、beta_j。"
    )
    argument = CliRunner().invoke(cli, ["run", "--lang", "zh"])
    assert argument.stderr.splitlines()[-1] == "错误：缺少参数 'DATA'。"


@pytest.mark.parametrize("command", ["handout", "slides"])
def test_an_output_folder_that_cannot_be_made_is_one_line_before_any_work(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_work(*_args: object) -> None:
        raise AssertionError("the derivation was started before the folder was checked")

    monkeypatch.setattr(render, "_checked_handout", no_work)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, [command, "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert (
        result.stderr == f"Error: {blocker / 'sub'}: the folder cannot be made: Not a directory\n"
    )
    assert blocker.read_text() == "x"


def test_the_version_is_said_in_the_language() -> None:
    number = version("derive")
    assert CliRunner().invoke(cli, ["--version"]).output == f"derive, version {number}\n"
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "--version"]).output
    assert chinese == f"derive，版本 {number}\n"
