"""What `derive run` shows: the fit beside the least-squares reference, as text or JSON.

Presentation for the numeric stage (model -> steps -> verify -> numeric -> render -> files):
it receives a finished `FitResult` and the reference and only formats them (or, with
--json, an error as an object too), plus progress bars for reading the data and for the
descent, which appear when either lasts longer than about a second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
)

from derive.core.i18n import gettext, ngettext
from derive.numeric.arrays import Array
from derive.numeric.dataset import Dataset
from derive.numeric.results import FitResult
from derive.present.width import ljust, rjust, width


@dataclass(frozen=True)
class Reference:
    """The least-squares coefficients a fit is compared with."""

    alpha: float
    beta: Array

    def differences(self, fit: FitResult) -> list[float]:
        """|fit − reference| / |reference| for α and each β (absolute where it is 0)."""
        pairs = zip([fit.alpha, *fit.beta], [self.alpha, *self.beta], strict=True)
        return [abs(a - b) / abs(b) if b != 0 else abs(a - b) for a, b in pairs]


def run_json(
    data: Dataset, fit: FitResult, reference: Reference, files: Sequence[str] = ()
) -> dict[str, Any]:
    """The keys of the contract: alpha, beta, cost, iterations, converged, lr, lr_max,
    reference, dropped (rows with an empty cell, with --dropna) and files (those written)."""
    return {
        "alpha": fit.alpha,
        "beta": dict(zip(data.features, map(float, fit.beta), strict=True)),
        "cost": fit.cost,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "lr": fit.lr,
        "lr_max": fit.lr_max,
        "reference": {
            "alpha": reference.alpha,
            "beta": dict(zip(data.features, map(float, reference.beta), strict=True)),
        },
        "dropped": data.dropped,
        "files": list(files),
    }


def error_json(kind: str, message: str) -> dict[str, Any]:
    """A run that stopped before its report, with --json: the kind (usage, input, diverged,
    failure or interrupted) and the one-line message also printed on stderr."""
    return {"error": kind, "message": message}


def run_text(
    data: Dataset, fit: FitResult, reference: Reference, standardized: bool, dropna: bool = False
) -> str:
    """The run for a terminal: settings, outcome, coefficients beside the reference."""
    settings = gettext(
        "gradient descent ({method}), learning rate η = {lr} (bound 2/λmax = {bound})"
    )
    lines = [data_line(data, standardized)]
    if dropna:
        lines.append(dropped_line(data.dropped))
    lines += [
        settings.format(method=fit.method, **_apart(lr=fit.lr, bound=fit.lr_max)),
        _outcome(fit),
        "",
        _columns(_width(data), gettext("gradient descent"), gettext("least squares")),
    ]
    names = ["α", *(f"β {name}" for name in data.features)]
    ours = [fit.alpha, *fit.beta]
    theirs = [reference.alpha, *reference.beta]
    for name, a, b in zip(names, ours, theirs, strict=True):
        lines.append(f"{ljust(name, _width(data))}  {a:>22.12g}  {b:>22.12g}")
    differences = reference.differences(fit)
    worst = max(range(len(differences)), key=differences.__getitem__)
    lines += [
        "",
        gettext("cost J = {cost}").format(cost=f"{fit.cost:.12g}"),
        gettext("largest relative difference from least squares: {difference} ({name})").format(
            difference=f"{differences[worst]:.2g}", name=names[worst]
        ),
    ]
    return "\n".join(lines)


def data_line(data: Dataset, standardized: bool) -> str:
    """The first line of a run's report: the file, the target, the features, the rows."""
    count, rows = len(data.features), len(data.y)
    if standardized:
        features = ngettext("{count} standardized feature", "{count} standardized features", count)
    else:
        features = ngettext("{count} feature", "{count} features", count)
    return gettext("{path}: {target} from {features}, {rows}").format(
        path=data.path,
        target=data.target,
        features=features.format(count=count),
        rows=ngettext("{count} row", "{count} rows", rows).format(count=rows),
    )


def dropped_line(count: int) -> str:
    """How many rows --dropna left out."""
    return ngettext(
        "dropped {count} row with an empty cell", "dropped {count} rows with empty cells", count
    ).format(count=count)


def written_lines(paths: Sequence[str]) -> list[str]:
    """A line for each file written, for stderr."""
    return [gettext("wrote {path}").format(path=path) for path in paths]


def _apart(**values: float) -> dict[str, str]:
    """The values with 6 significant digits, or as many more as keep them apart (a rate
    just below its bound must not print as equal to it)."""
    for digits in range(6, 17):
        shown = {name: f"{value:.{digits}g}" for name, value in values.items()}
        if len(set(shown.values())) == len(set(values.values())):
            return shown
    return shown


def _columns(columns: int, ours: str, theirs: str) -> str:
    return f"{'':<{columns}}  {rjust(ours, 22)}  {rjust(theirs, 22)}"


def _width(data: Dataset) -> int:
    return max(width(f"β {name}") for name in data.features)


def _outcome(fit: FitResult) -> str:
    if fit.rejection is not None:  # met the tolerance, yet far above least squares
        return fit.rejection
    facts = {
        "k": fit.iterations,
        "norm": f"{fit.gradient_norm:.2g}",
        "tol": f"{fit.tol:g}",
        "condition": f"{fit.condition:.2g}",
    }
    ended = ended_line(fit.iterations, fit.gradient_norm, fit.tol, fit.converged, fit.stalled)
    if ended is not None:
        return ended
    needed = fit.condition / 2 * math.log(1 / fit.tol) if fit.tol > 0 else math.inf
    sentence = ngettext(
        "did not converge in {k} iteration: ‖∇J‖ is {norm} of its start (tolerance {tol}). "
        "The Hessian's condition number is {condition}, so descent needs about {needed} "
        "iterations; --standardize may lower it",
        "did not converge in {k} iterations: ‖∇J‖ is {norm} of its start (tolerance {tol}). "
        "The Hessian's condition number is {condition}, so descent needs about {needed} "
        "iterations; --standardize may lower it",
        fit.iterations,
    )
    return sentence.format(**facts, needed=f"{needed:.2g}")


def ended_line(k: int, norm: float, tol: float, converged: bool, stalled: bool) -> str | None:
    """The outcome of a run that converged or stalled after k steps, with ‖∇J‖ at `norm`
    of its start; None for any other run."""
    facts = {"k": k, "norm": f"{norm:.2g}", "tol": f"{tol:g}"}
    if converged:
        sentence = ngettext(
            "converged after {k} iteration: ‖∇J‖ is {norm} of its start (tolerance {tol})",
            "converged after {k} iterations: ‖∇J‖ is {norm} of its start (tolerance {tol})",
            k,
        )
        return sentence.format(**facts)
    if stalled:
        sentence = ngettext(
            "stalled after {k} iteration: ‖∇J‖ is {norm} of its start and no longer shrinks "
            "(rounding); the tolerance {tol} is out of reach",
            "stalled after {k} iterations: ‖∇J‖ is {norm} of its start and no longer shrinks "
            "(rounding); the tolerance {tol} is out of reach",
            k,
        )
        return sentence.format(**facts)
    return None


def warning_lines(messages: Sequence[str]) -> list[str]:
    return [gettext("Warning: {message}").format(message=message) for message in messages]


Bar = TypeVar("Bar", bound="_DelayedBar")


class _DelayedBar:
    """A rich progress bar on stderr that appears only once the work has lasted `delay`
    seconds, and only on a terminal; it leaves no trace when it stops."""

    def __init__(self, delay: float, console: Console | None) -> None:
        self.delay = delay
        self.console = console or Console(stderr=True)
        self.started = time.perf_counter()
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def _due(self) -> bool:
        """Whether the bar should appear now (it has not yet)."""
        waited = time.perf_counter() - self.started >= self.delay
        return self.bar is None and waited and self.console.is_terminal

    def _start(self, columns: tuple[ProgressColumn, ...], total: int, **fields: Any) -> None:
        self.bar = Progress(*columns, console=self.console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=total, **fields)

    def __enter__(self: Bar) -> Bar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()


class DelayedProgress(_DelayedBar):
    """The steps of a descent and ‖∇J‖ relative to its start."""

    def __init__(self, total: int, *, delay: float = 1.0, console: Console | None = None) -> None:
        super().__init__(delay, console)
        self.total = total

    def __call__(self, step: int, relative: float) -> None:
        if self._due():
            columns = (
                TextColumn("descent"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("‖∇J‖ {task.fields[relative]}"),
            )
            self._start(columns, self.total, relative="")
        if self.bar is not None:
            self.bar.update(self.task, completed=step, relative=f"{relative:.1e}")


class ReadProgress(_DelayedBar):
    """The bytes of a file read."""

    def __init__(self, name: str, *, delay: float = 1.0, console: Console | None = None) -> None:
        super().__init__(delay, console)
        self.name = name

    def __call__(self, done: int, total: int) -> None:
        if self._due():
            columns = (
                TextColumn("{task.fields[label]}", markup=False),
                BarColumn(),
                DownloadColumn(),
            )
            self._start(columns, total, label=gettext("reading {name}").format(name=self.name))
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
