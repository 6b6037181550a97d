"""The files `derive run` saves beside its report: the coefficients and the predictions.

Presentation for the numeric stage, beside run_report.py: it checks the names given to
--save and --predictions before anything is read, and turns a finished fit into the
bytes of each file; cli/run.py writes them, with the figures, all or none (atomic.py).
Numbers are written as Python's repr, the shortest decimal that reads back the same.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from derive.core.atomic import check_place
from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.numeric.arrays import Array
from derive.numeric.dataset import Dataset
from derive.numeric.results import FitResult

COEFFICIENTS = (".json", ".csv")  # what --save writes, by the suffix of its file
INTERCEPT = "(intercept)"  # the name of α in a CSV file of coefficients, as R prints it
BLOCK = 65536  # rows of predictions formatted at a time


def check_save(path: Path) -> Path:
    """A file --save can write: .json or .csv, in a folder that exists."""
    if path.suffix.lower() not in COEFFICIENTS:
        raise InputError(
            gettext("{path}: the coefficients are saved as .json or .csv").format(path=path)
        )
    return check_place(path)


def check_predictions(path: Path) -> Path:
    """A file --predictions can write: .csv, in a folder that exists."""
    if path.suffix.lower() != ".csv":
        raise InputError(gettext("{path}: the predictions are saved as .csv").format(path=path))
    return check_place(path)


def coefficients(data: Dataset, fit: FitResult, suffix: str) -> bytes:
    """α and β on the scale of the data: a JSON object (target, alpha, beta by feature) or
    a CSV table of `term,coefficient` rows, α first as '(intercept)'."""
    if suffix.lower() == ".json":
        record = {
            "target": data.target,
            "alpha": fit.alpha,
            "beta": dict(zip(data.features, map(float, fit.beta), strict=True)),
        }
        return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    rows = [(INTERCEPT, fit.alpha), *zip(data.features, map(float, fit.beta), strict=True)]
    return csv_rows([("term", "coefficient"), *((name, repr(value)) for name, value in rows)])


def predictions(data: Dataset, predicted: Array) -> bytes:
    """A row per data row fitted: its number among the file's data rows (from 1; rows
    dropped for an empty cell are missing), the target, the prediction (one value per row)
    and the residual."""
    parts = [csv_rows([("row", data.target, "prediction", "residual")])]
    numbers = data.rows()
    for start in range(0, len(data.y), BLOCK):
        part = slice(start, start + BLOCK)
        y, p = data.y[part], predicted[part]
        columns = zip(numbers[part].tolist(), y.tolist(), p.tolist(), (y - p).tolist(), strict=True)
        parts.append("".join(f"{n},{a!r},{b!r},{c!r}\n" for n, a, b, c in columns).encode())
    return b"".join(parts)


def csv_rows(rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")
