"""Rewrite tests/golden/ from what derive writes now — only on purpose, then read the diff.

Runs every command of tests/golden_outputs.py (about 35 s, LaTeX and pdftotext needed)
and replaces the golden files with their normal forms; `git diff tests/golden` shows
what changed for users.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
golden = import_module("golden_outputs")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        files = dict(golden.golden_files(golden.produce(Path(scratch))))
    shutil.rmtree(golden.GOLDEN, ignore_errors=True)
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} golden files under {golden.GOLDEN}")


if __name__ == "__main__":
    main()
