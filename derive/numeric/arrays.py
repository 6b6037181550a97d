"""The arrays of a numeric run: the type every numeric module passes around.

Kept apart from codegen.py, so that reading a CSV file (dataset.py) needs NumPy only,
never SymPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def scalar(value: Any) -> float:
    """A 1×1 result (a 1×1 array or a number) as a float."""
    return float(value.item()) if isinstance(value, np.ndarray) else float(value)
