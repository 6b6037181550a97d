"""How long `derive check` takes beyond interpreter start-up and imports.

Each typical check runs in a fresh process: the script imports derive.grade.api (which
imports SymPy and lark), then times the first check (which also builds the parser,
derives the model's steps — the article's gradients, or the planner's steps of ridge,
logistic, Poisson, the neuron — and forks the checking child), then a second, warm check
of the same text. The checks are the article's gradients and one step of each built-in
model, right answers and typical mistakes. The median over several processes is
reported, with the cold wall time of the whole command for comparison. Run:

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
# (text, model, "wrt" or "step", its value)
TYPICAL = [
    ("-2/m u^T X", "mse", "wrt", "beta"),
    ("2/m (y - X beta^T)^T X", "mse", "wrt", "beta"),
    ("-1/m sum(u)", "mse", "wrt", "alpha"),
    ("-2/m sum_i (y_i - yhat_i) X_ij", "mse", "wrt", "beta_j"),
    (r"-\frac{2}{m}\sum_{i=1}^{m}\left(y_i-\hat{y}_i\right)x_{ij}", "mse", "wrt", "beta_j"),
    (r"\frac{2}{m} \mathbf{X}^{\top} (\hat{\mathbf{y}} - \mathbf{y})", "mse", "wrt", "beta"),
    ("-2/m u_i", "mse", "step", "outer-factor"),
    ("(1/m) (p - y)^T X", "logistic", "wrt", "beta"),
    ("p_i (1 - p_i)", "logistic", "step", "factor-p-z"),
    (r"\sigma(z_i)", "logistic", "step", "factor-p-z"),
    ("(p - y)^T X", "logistic", "wrt", "beta"),
    ("-(2/m) u^T X + 2 lambda beta", "ridge", "wrt", "beta"),
    ("-(2/m) u^T X", "ridge", "step", "gradient-beta"),
    ("(1/m) (1 - y)^T X", "poisson", "wrt", "beta"),
    ("-(2/m) (u ∘ p ∘ (1 - p))^T X", "neuron", "wrt", "beta"),
]
PROBE = """
import json, sys, time
start = time.perf_counter()
from derive.grade.api import check_gradient, check_step
imports = time.perf_counter() - start
text, model, kind, what = sys.argv[1:5]
def once():
    if kind == "wrt":
        return check_gradient(text, what, model=model)
    return check_step(text, what, model=model)
start = time.perf_counter()
result = once()
first = time.perf_counter() - start
start = time.perf_counter()
once()
warm = time.perf_counter() - start
print(json.dumps({"imports": imports, "first": first, "warm": warm, "verdict": result.verdict}))
"""


def probe(text: str, model: str, kind: str, what: str) -> dict[str, float | str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, text, model, kind, what],
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
    print(f"{'check':<80} {'first':>7} {'warm':>7}  verdict")
    worst = 0.0
    for text, model, kind, what in TYPICAL:
        records = [probe(text, model, kind, what) for _ in range(runs)]
        first = statistics.median(float(r["first"]) for r in records)
        warm = statistics.median(float(r["warm"]) for r in records)
        worst = max(worst, first)
        label = f"{text} --model {model} --{kind} {what}"
        print(f"{label:<80} {first:>6.3f}s {warm:>6.3f}s  {records[0]['verdict']}")
    imports = statistics.median(float(probe(*TYPICAL[0])["imports"]) for _ in range(runs))
    print(f"\nimporting derive.grade.api (SymPy, lark): median {imports:.2f} s")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"slowest typical first check: {worst:.3f} s, which {verdict} the {TARGET} s target")
    cli = [sys.executable, "-m", "derive", "check", TYPICAL[0][0], "--wrt", TYPICAL[0][3]]
    sympy = [sys.executable, "-c", "import sympy"]
    cli_time = statistics.median(wall_time(cli) for _ in range(runs))
    sympy_time = statistics.median(wall_time(sympy) for _ in range(runs))
    print(f"cold `derive check` command: {cli_time:.2f} s; `python -c 'import sympy'`: ", end="")
    print(f"{sympy_time:.2f} s")


if __name__ == "__main__":
    main()
