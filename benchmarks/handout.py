"""Cold wall time of `derive handout` (all formats, and HTML + LaTeX only) and the page count.

Each run is a fresh process writing into a fresh folder; the median of several runs is
reported, next to `python -c "import sympy"` measured in the same run. Run:

    python benchmarks/handout.py [--runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall_time(command: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [part.replace("{out}", folder) for part in command],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def pages() -> int:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "derive", "handout", "--out", folder, "--format", "pdf"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        info = subprocess.run(
            ["pdfinfo", str(Path(folder) / "handout.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    derive = [sys.executable, "-m", "derive", "handout", "--out", "{out}"]
    cases = {
        "python -c 'import sympy'": [sys.executable, "-c", "import sympy"],
        "derive handout (html, tex, pdf)": derive,
        "derive handout --format html,tex": [*derive, "--format", "html,tex"],
    }
    for label, command in cases.items():
        times = [wall_time(command) for _ in range(runs)]
        median = statistics.median(times)
        print(f"{label:<36} median {median:.2f} s  (min {min(times):.2f}, {runs} runs)")
    print(f"PDF pages: {pages()}")


if __name__ == "__main__":
    main()
