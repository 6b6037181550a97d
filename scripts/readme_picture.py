"""Make docs/handout-page1.png, the picture in README, from the real PDF handout.

Builds the default handout with derive (all checks included), then rasterises its
first page with pdftoppm (poppler-utils). Run from the top of the checkout:

    python scripts/readme_picture.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "docs" / "handout-page1.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        subprocess.run(
            [sys.executable, "-m", "derive", "handout", "--out", str(folder), "--format", "pdf"],
            check=True,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-singlefile",
                str(folder / "handout.pdf"),
                str(folder / "page"),
            ],
            check=True,
        )
        TARGET.parent.mkdir(exist_ok=True)
        TARGET.write_bytes((folder / "page.png").read_bytes())
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
