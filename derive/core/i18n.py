"""Languages: every sentence derive shows comes from a gettext message catalog.

Used by every stage that produces prose (steps' titles, the handout's explanations, the
templates, the terminal). English is the source language; other languages are Babel
`.po` catalogs in derive/locale, compiled in memory on first use. The language is a
context variable, set for the duration of a command with `language("zh")`.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from derive.core.errors import InputError

LANGUAGES = ("en", "zh")
CJK = ("zh",)  # languages written without spaces between words or sentences
DOMAIN = "derive"
LOCALE_DIR = Path(__file__).parent.parent / "locale"

_current: ContextVar[str] = ContextVar("derive_language")
_default = ["en"]  # the language outside any `language()` block: see set_language


def check_language(lang: str) -> str:
    """The language code, or an InputError naming the choices."""
    if lang not in LANGUAGES:
        raise InputError(
            gettext("unknown language {lang}: choose from {choices}").format(
                lang=repr(lang), choices=join_list(LANGUAGES)
            )
        )
    return lang


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Show prose in `lang` inside the block."""
    token = _current.set(check_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


def set_language(lang: str) -> None:
    """Show prose in `lang` from now on, wherever no `language()` block says otherwise
    (for a notebook, whose cells do not share a context)."""
    _default[0] = check_language(lang)


def current() -> str:
    return _current.get(_default[0])


@cache
def translations(lang: str, domain: str = DOMAIN) -> _gettext.NullTranslations:
    """The compiled catalog of a language (English: the messages themselves); the domain
    is derive's own messages or "click", the words of the command-line library."""
    if lang == "en":
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current()).ngettext(singular, plural, count)


def join_sentences(sentences: Iterable[str]) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    return ("" if current() in CJK else " ").join(sentences)


def join_list(items: Iterable[str]) -> str:
    """Items of a list: "a, b" in English, "a、b" in Chinese."""
    return ("、" if current() in CJK else ", ").join(items)


def N_(message: str) -> str:
    """Mark a message for the catalogs where it is defined; translate it where it is shown."""
    return message


_ = gettext
