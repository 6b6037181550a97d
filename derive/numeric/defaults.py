"""Defaults of a numeric run, shared by `derive.fit` and `derive run`.

A module of its own so that the command line can show them in `--help` without importing
NumPy or SymPy (numeric stage: model -> steps -> verify -> numeric -> render -> files).
"""

from __future__ import annotations

ITERATIONS = 1_000_000  # the most steps a run takes
TOL = 1e-10  # converged when ‖∇J‖ ≤ TOL·‖∇J at the start‖
