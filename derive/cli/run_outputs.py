"""The files `derive run` is asked to write, checked before anything is read and written
all or none.

Part of the command line, shared by cli/run.py (mse) and cli/run_model.py (every other
model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from derive.core.errors import InputError
from derive.core.i18n import gettext

STDIN = "-"


@dataclass(frozen=True)
class Outputs:
    """The files a run is asked to write: the cost curve, the coefficients, the predictions."""

    plot: Path | None = None
    save: Path | None = None
    predictions: Path | None = None


def replace_all(files: dict[Path, bytes]) -> list[Path]:
    """Write every file, all or none; the paths as the user gave them."""
    from derive.core.atomic import replace_files

    if files:
        folder = Path(os.path.commonpath([os.path.abspath(p.parent) for p in files]))
        replace_files(
            folder, {os.path.relpath(os.path.abspath(p), folder): b for p, b in files.items()}
        )
    return list(files)


def check_outputs(data: Path, outputs: Outputs) -> None:
    """Refuse, before anything is read, a file that cannot be written or is named twice."""
    from derive.present import figure_files, run_files

    if outputs.plot is not None:
        figure_files.check_target(outputs.plot)
    if outputs.save is not None:
        run_files.check_save(outputs.save)
    if outputs.predictions is not None:
        run_files.check_predictions(outputs.predictions)
    named = [p for p in (outputs.save, outputs.predictions) if p is not None]
    places = [os.path.abspath(p) for p in named]
    for path, place in zip(named, places, strict=True):
        if places.count(place) > 1 or (str(data) != STDIN and place == os.path.abspath(data)):
            raise InputError(
                gettext(
                    "{path} is named twice: the data and each file written need their own"
                ).format(path=path)
            )
