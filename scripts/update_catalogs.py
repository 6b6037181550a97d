"""Extract the messages into derive/locale/<domain>.pot and merge them into each .po.

Two domains: "derive", the messages of derive's code and templates, and "click", the
messages of the click modules that derive.cli.language translates (usage errors, the
help's headings), taken from the installed click. Run after changing any text shown to
users or after upgrading click; then translate the new or changed entries (empty) in
derive/locale/<lang>/LC_MESSAGES/<domain>.po. tests/test_i18n.py fails while any message
lacks a translation.

    python scripts/update_catalogs.py

with derive installed from this tree (`pip install -e .`), as the test command does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from derive.cli.language import CLICK_DOMAIN, CLICK_MESSAGES_BY_VALUE, click_sources
from derive.core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent

SOURCES = {
    DOMAIN: ["-F", "babel.cfg", "-k", "N_", "derive"],
    CLICK_DOMAIN: [str(path) for path in click_sources()],
}


def babel(*arguments: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *arguments]
    subprocess.run(command, cwd=ROOT, check=True)


def _add_messages(template: Path, messages: tuple[str, ...]) -> None:
    """Messages that extraction cannot find, added to the template in their place."""
    with template.open("rb") as source:
        catalog = read_po(source)
    for message in messages:
        catalog.add(message)
    with template.open("wb") as target:
        write_po(target, catalog, omit_header=True, sort_output=True, no_location=True)


def main() -> None:
    for domain, sources in SOURCES.items():
        template = LOCALE_DIR / f"{domain}.pot"
        babel(
            "extract",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(template),
            *sources,
        )
        if domain == CLICK_DOMAIN:
            _add_messages(template, CLICK_MESSAGES_BY_VALUE)
        for lang in LANGUAGES[1:]:
            catalog = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
            where = ["-D", domain, "-i", str(template), "-o", str(catalog), "-l", lang]
            if not catalog.exists():
                babel("init", *where)
            options = ["--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"]
            babel("update", *where, *options, "-w", "100")


if __name__ == "__main__":
    main()
