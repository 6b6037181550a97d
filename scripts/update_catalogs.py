"""Extract derive's messages into derive/locale/derive.pot and merge them into each .po.

Run after changing any text shown to users; then translate the new or changed entries
(marked fuzzy or empty) in derive/locale/<lang>/LC_MESSAGES/derive.po. The test
tests/test_i18n.py fails while any message lacks a translation.

    python scripts/update_catalogs.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "derive" / "locale"


def main() -> None:
    template = LOCALE / "derive.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(template),
            "derive",
            "templates",
        ],
        cwd=ROOT,
        check=True,
    )
    for catalog in sorted(LOCALE.glob("*/LC_MESSAGES/derive.po")):
        lang = catalog.parent.parent.name
        update = ["update", "-i", str(template), "-o", str(catalog), "-l", lang]
        options = ["--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"]
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", *update, *options, "-w", "100"],
            cwd=ROOT,
            check=True,
        )


if __name__ == "__main__":
    main()
