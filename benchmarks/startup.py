"""Cold wall time of `derive steps --json` (all checks included) against `import sympy`.

Each command runs as a fresh process, several times, and the median is reported, so
that both figures come from the same machine in the same state. Run:

    python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    commands = {
        "python -c 'import sympy'": [sys.executable, "-c", "import sympy"],
        "derive steps --json": [sys.executable, "-m", "derive", "steps", "--json"],
        "derive steps --json --scale 1/(2m)": [
            sys.executable,
            "-m",
            "derive",
            "steps",
            "--json",
            "--scale",
            "1/(2m)",
        ],
    }
    medians = {}
    for label, command in commands.items():
        times = [wall_time(command) for _ in range(runs)]
        medians[label] = statistics.median(times)
        print(f"{label:<40} median {medians[label]:.2f} s  (min {min(times):.2f}, {runs} runs)")
    base = medians["python -c 'import sympy'"]
    print(f"derive steps --json / import sympy: {medians['derive steps --json'] / base:.1f}x")


if __name__ == "__main__":
    main()
