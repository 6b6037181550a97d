"""How long `derive check` takes beyond interpreter start-up and imports.

Each typical check runs in a fresh process: the script imports derive.grade.grader (which
imports SymPy and lark), then times the first check (which also builds the parser,
computes the derivation's gradients and forks the checking child), then a second,
warm check of the same text. The median over several processes is reported, with the
cold wall time of the whole command for comparison. Run:

    python benchmarks/check.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5  # seconds, for a typical check beyond start-up and imports
TYPICAL = [
    ("-2/m u^T X", "beta"),
    ("2/m (y - X beta^T)^T X", "beta"),
    ("-1/m sum(u)", "alpha"),
    ("-2/m sum_i (y_i - yhat_i) X_ij", "beta_j"),
    (r"-\frac{2}{m}\sum_{i=1}^{m}\left(y_i-\hat{y}_i\right)x_{ij}", "beta_j"),
    (r"\frac{2}{m} \mathbf{X}^{\top} (\hat{\mathbf{y}} - \mathbf{y})", "beta"),
]
PROBE = """
import json, sys, time
start = time.perf_counter()
from derive.grade.grader import check_gradient
imports = time.perf_counter() - start
text, wrt = sys.argv[1], sys.argv[2]
start = time.perf_counter()
result = check_gradient(text, wrt)
first = time.perf_counter() - start
start = time.perf_counter()
check_gradient(text, wrt)
warm = time.perf_counter() - start
print(json.dumps({"imports": imports, "first": first, "warm": warm, "verdict": result.verdict}))
"""


def probe(text: str, wrt: str) -> dict[str, float | str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, text, wrt],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    record: dict[str, float | str] = json.loads(done.stdout)
    return record


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'check':<66} {'first':>7} {'warm':>7}  verdict")
    worst = 0.0
    for text, wrt in TYPICAL:
        records = [probe(text, wrt) for _ in range(runs)]
        first = statistics.median(float(r["first"]) for r in records)
        warm = statistics.median(float(r["warm"]) for r in records)
        worst = max(worst, first)
        label = f"{text} --wrt {wrt}"
        print(f"{label:<66} {first:>6.3f}s {warm:>6.3f}s  {records[0]['verdict']}")
    imports = statistics.median(float(probe(*TYPICAL[0])["imports"]) for _ in range(runs))
    print(f"\nimporting derive.grade.grader (SymPy, lark): median {imports:.2f} s")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"slowest typical first check: {worst:.3f} s, which {verdict} the {TARGET} s target")
    cli = [sys.executable, "-m", "derive", "check", TYPICAL[0][0], "--wrt", TYPICAL[0][1]]
    sympy = [sys.executable, "-c", "import sympy"]
    cli_time = statistics.median(wall_time(cli) for _ in range(runs))
    sympy_time = statistics.median(wall_time(sympy) for _ in range(runs))
    print(f"cold `derive check` command: {cli_time:.2f} s; `python -c 'import sympy'`: ", end="")
    print(f"{sympy_time:.2f} s")


if __name__ == "__main__":
    main()
