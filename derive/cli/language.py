"""The command line's own words in the chosen language: click's messages and the help.

Part of the last stage, beside cli.py. click writes its usage errors ("No such option"),
the "Error:" prefix and the help's headings through the gettext function each of its
modules imported; `use_catalog()` points those at derive's "click" catalog, in the
current language. The language comes from the arguments before click parses them, since
`--lang zh` may follow the mistake click reports. The help texts of derive's commands
and options are messages of derive's own catalog (marked with N_), translated when the
help is shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from derive.core.i18n import LANGUAGES, N_, current, gettext, join_list, translations

CLICK_DOMAIN = "click"
HELP_OPTION = N_("Show this message and exit.")
# The modules of click that show text, each with its own `_` (and some `ngettext`).
_CLICK_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)


# Messages click passes to `_` through a variable, where extraction cannot see them
# (click 8.5: `_(extra["required"])` in core.Option.get_help_record).
CLICK_MESSAGES_BY_VALUE = ("required",)


def click_sources() -> list[Path]:
    """The files of the click modules whose messages the "click" catalog translates."""
    return [Path(str(module.__file__)) for module in _CLICK_MODULES]


def requested_language(args: Sequence[str]) -> str:
    """The value of the last `--lang` among `args` (before a `--`), if it is a language
    derive speaks; English otherwise (click then reports a bad value itself)."""
    chosen = "en"
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        chosen = value if value in LANGUAGES else "en"
    return chosen


def click_gettext(message: str) -> str:
    """One of click's messages in the current language."""
    return translations(current(), CLICK_DOMAIN).gettext(message)


def click_ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current(), CLICK_DOMAIN).ngettext(singular, plural, count)


@cache
def use_catalog() -> None:
    """Make click's modules translate through the "click" catalog (once per process)."""
    functions = {"_": click_gettext, "ngettext": click_ngettext}
    for module in _CLICK_MODULES:
        for name, function in functions.items():
            if hasattr(module, name):
                setattr(module, name, function)


def missing_message(error: click.MissingParameter) -> str:
    """A missing option or argument, with the choices it has, as one sentence in the
    current language (click's own puts its choices on lines of their own)."""
    param = error.param
    name = param.get_error_hint(error.ctx) if param is not None and error.ctx else "?"
    if not isinstance(param, click.Option):
        return gettext("Missing argument {name}.").format(name=name)
    if isinstance(param.type, click.Choice):
        choices = join_list(str(choice) for choice in param.type.choices)
        return gettext("Missing option {name}: choose from {choices}.").format(
            name=name, choices=choices
        )
    return gettext("Missing option {name}.").format(name=name)


class TranslatedHelp(click.Command):
    """A command (or, mixed in first, a group) whose help, and that of its options and
    commands, is shown in the current language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        shown: list[click.Command | click.Parameter] = [self, *self.get_params(ctx)]
        if isinstance(self, click.Group):
            shown.extend(self.commands.values())
        texts: list[tuple[click.Command | click.Option | None, str | None]] = [
            (item, item.help) for item in shown if isinstance(item, click.Command | click.Option)
        ]
        # click makes its --help once per process, in the language of that moment.
        texts.append((self.get_help_option(ctx), HELP_OPTION))
        with _translated(texts):
            super().format_help(ctx, formatter)


@contextmanager
def _translated(
    texts: Sequence[tuple[click.Command | click.Option | None, str | None]],
) -> Iterator[None]:
    """Each item's help replaced by the translation of its text inside the block."""
    saved = [(item, item.help) for item, _text in texts if item is not None]
    try:
        for item, text in texts:
            if item is not None and text:
                item.help = _translation(text)
        yield
    finally:
        for item, text in saved:
            item.help = text


def _translation(text: str) -> str:
    """A help text of derive's catalog, or one click wrote ("Show this message and exit.")."""
    shown = gettext(text)
    return click_gettext(text) if shown == text else shown
