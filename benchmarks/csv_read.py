"""Speed and memory of derive's CSV reader against the readers of pandas, pyarrow and polars.

On one file (by default 10⁶ rows of 5 features and a target, written to a temporary
folder), in one run: the best time of `derive.numeric.dataset.read_csv` over the best
time of the fastest library reader installed (each giving the same NumPy X and y), the
two sides alternating for several rounds; then the peak memory of each read, measured
as the growth of the resident set's high-water mark (VmHWM in /proc/self/status) in a
fresh subprocess, over the bytes of the arrays returned. Targets: time ratio at most 1.5,
memory ratio at most 2. Linux only. Run:

    python benchmarks/csv_read.py [--file DATA.csv] [--rows 1000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

FEATURES = ("x1", "x2", "x3", "x4", "x5")
TARGET = "y"
Arrays = tuple[np.ndarray, np.ndarray]


def write_file(path: Path, rows: int) -> None:
    """Floats of several scales with 7 significant digits: about 60 bytes a row."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, len(FEATURES))) * [1, 10, 100, 0.1, 3]
    y = 2 + X @ [1.5, -0.2, 0.03, 4, 1] + rng.normal(size=rows)
    header = ",".join((*FEATURES, TARGET))
    np.savetxt(path, np.column_stack([X, y]), fmt="%.7g", delimiter=",", header=header, comments="")


def derive_reader(path: str) -> Arrays:
    from derive.numeric.dataset import read_csv

    data = read_csv(path, TARGET)
    return data.X, data.y


def pandas_reader(path: str) -> Arrays:
    import pandas

    frame = pandas.read_csv(path, dtype="float64")
    return frame[list(FEATURES)].to_numpy(), frame[TARGET].to_numpy()


def pyarrow_reader(path: str) -> Arrays:
    import pyarrow
    from pyarrow import csv

    types = dict.fromkeys((*FEATURES, TARGET), pyarrow.float64())
    table = csv.read_csv(path, convert_options=csv.ConvertOptions(column_types=types))
    X = np.column_stack([table[name].to_numpy() for name in FEATURES])
    return X, table[TARGET].to_numpy()


def polars_reader(path: str) -> Arrays:
    import polars

    types = dict.fromkeys((*FEATURES, TARGET), polars.Float64)
    frame = polars.read_csv(path, schema_overrides=types)
    return frame.select(FEATURES).to_numpy(order="c"), frame[TARGET].to_numpy()


READERS: dict[str, Callable[[str], Arrays]] = {
    "derive": derive_reader,
    "pandas": pandas_reader,
    "pyarrow": pyarrow_reader,
    "polars": polars_reader,
}


def timed(reader: Callable[[str], Arrays], path: str) -> tuple[float, float]:
    """Wall-clock seconds, and the processor seconds of every thread of this process."""
    start, cpu = time.perf_counter(), time.process_time()
    reader(path)
    return time.perf_counter() - start, time.process_time() - cpu


def peak(name: str, path: str) -> tuple[float, int]:
    """In a fresh process, after the imports: the growth of the resident set's high-water
    mark (VmHWM, reset through /proc/self/clear_refs) during the read, and the bytes of the
    arrays returned. Not ru_maxrss: after exec it keeps the peak of the parent (this
    process, grown by the reads above)."""
    code = f"""
import json, os, sys
sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parent.parent)!r}]
from csv_read import READERS, resident
{"import derive.numeric.dataset" if name == "derive" else f"import {name}"}
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the high-water mark starts again from the resident set now
before = resident("VmRSS")
X, y = READERS[{name!r}]({path!r})
print(json.dumps([resident("VmHWM") - before, X.nbytes + y.nbytes]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    grown, size = json.loads(done.stdout)
    return grown, size


def resident(field: str) -> int:
    """VmRSS (now) or VmHWM (the peak) of this process, in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / "data.csv"
        if args.file is None:
            write_file(path, args.rows)
        run(str(path), args.rounds)


def run(path: str, rounds: int) -> None:
    names = [n for n in READERS if n == "derive" or importlib.util.find_spec(n) is not None]
    missing = sorted(set(READERS) - set(names))
    X, y = derive_reader(path)
    for name in names[1:]:
        theirs = READERS[name](path)
        assert np.array_equal(theirs[0], X), name  # the same numbers, to the last bit
        assert np.array_equal(theirs[1], y), name
    size = Path(path).stat().st_size
    print(f"{path}: {size / 1e6:.0f} MB, {X.shape[0]} rows, {X.shape[1]} features + target")
    print("not installed: " + (", ".join(missing) or "none"))
    best = dict.fromkeys(names, float("inf"))
    cpu = dict.fromkeys(names, float("inf"))
    for _ in range(rounds):
        for name in names:
            wall, processor = timed(READERS[name], path)
            best[name], cpu[name] = min(best[name], wall), min(cpu[name], processor)
    for name in names:
        print(f"  {name:8} best of {rounds}: {best[name]:.3f} s (processor {cpu[name]:.3f} s)")
    others = [n for n in names if n != "derive"]
    if others:
        fastest = min(others, key=best.__getitem__)
        ratio = best["derive"] / best[fastest]
        print(f"time: derive / {fastest} (the fastest library) = {ratio:.2f} (target <= 1.5)")
        fastest = min(others, key=cpu.__getitem__)
        ratio = cpu["derive"] / cpu[fastest]
        print(f"processor time: derive / {fastest} = {ratio:.2f}")
    memory = {name: peak(name, path) for name in names}
    for name, (grown, arrays) in memory.items():
        print(
            f"  {name:8} peak resident growth {grown / 1e6:.0f} MB = {grown / arrays:.2f} x "
            f"the arrays ({arrays / 1e6:.0f} MB)"
        )
    grown, arrays = memory["derive"]
    print(f"memory: derive's peak / its arrays = {grown / arrays:.2f} (target <= 2; VmHWM)")


if __name__ == "__main__":
    main()
