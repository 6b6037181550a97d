"""`derive run`: fit a CSV or Parquet file by gradient descent with the derived gradients.

Part of the command line (cli/main.py registers it): reads the data (numeric/dataset.py),
fits (numeric/descent.py), compares with the least-squares reference and prints the
report of present/run_report.py; `--plot` draws the figures of present/plots.py and
`--save`, `--predictions` the files of present/run_files.py, all written or none, each
named on stderr (or in the JSON). With --json every outcome is one JSON object on stdout,
errors included, with the same exit codes.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from derive.cli.language import TranslatedHelp, missing_message
from derive.cli.params import (
    json_option,
    lang_option,
    learning_rate,
    model_option,
    warnings_as_lines,
)
from derive.cli.run_outputs import STDIN, Outputs, check_outputs, replace_all
from derive.core.errors import DeriveError, DivergenceError, InputError
from derive.core.i18n import N_, current, gettext, language
from derive.numeric import defaults

if TYPE_CHECKING:
    from derive.numeric.dataset import Dataset
    from derive.numeric.results import FitResult


class _RunCommand(TranslatedHelp):
    """`derive run`, whose usage errors too are a JSON object on stdout with --json."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            if "--json" in given:
                message = (
                    missing_message(error)
                    if isinstance(error, click.MissingParameter)
                    else error.format_message()
                )
                _echo_error("usage", message)
            raise


def _echo_error(kind: str, message: str) -> None:
    from derive.present.run_report import error_json

    click.echo(json.dumps(error_json(kind, message), ensure_ascii=False, indent=2))


def _constants(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> dict[str, float]:
    """NAME=VALUE pairs, each value a finite number."""
    chosen: dict[str, float] = {}
    for pair in value:
        name, _, number = pair.partition("=")
        try:
            chosen[name.strip()] = float(number)
        except ValueError:
            chosen[name.strip()] = float("nan")
        if not name.strip() or not math.isfinite(chosen[name.strip()]):
            raise click.BadParameter(
                gettext("{value} is not NAME=NUMBER, such as lambda=0.5").format(value=repr(pair))
            )
    return chosen


def _separator(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """One character, or `tab`."""
    if value is None:
        return None
    sep = "\t" if value.lower() in ("tab", "\\t") else value
    if len(sep) != 1 or sep in '"\r\n':
        raise click.BadParameter(
            gettext("{value} is not one character such as , ; or tab").format(value=repr(value))
        )
    return sep


@click.command(
    cls=_RunCommand,
    help=N_(
        "Fit DATA (a CSV file, a .parquet file, or - for CSV on standard input) by "
        "gradient descent with the derived gradients; compare with lstsq, or for another "
        "model with its own reference (closed form, Newton's method)."
        "\n\n"
        "Exit code 0 when the run converged, 1 when it did not or diverged, 2 for bad input."
    ),
)
@click.argument("data", type=click.Path(dir_okay=True, allow_dash=True, path_type=Path))
@click.option("--target", required=True, help=N_("The column to predict."))
@click.option("--features", help=N_("Comma-separated feature columns [default: all others]."))
@click.option(
    "--sep",
    metavar="CHAR",
    callback=_separator,
    help=N_("The CSV separator: , ; tab or another character [default: found in the header]."),
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help=N_("The CSV file's encoding, such as gbk (a byte-order mark is skipped)."),
)
@click.option(
    "--dropna",
    is_flag=True,
    help=N_("Drop the rows with an empty cell in the chosen columns, and say how many."),
)
@click.option(
    "--lr",
    metavar="auto|ETA",
    default="auto",
    show_default=True,
    callback=learning_rate,
    help=N_("Step size η."),
)
@click.option(
    "--iterations",
    type=click.IntRange(min=0),
    default=defaults.ITERATIONS,
    show_default=True,
    help=N_("The most steps to take."),
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    default=defaults.TOL,
    show_default=True,
    help=N_("Stop when ‖∇J‖ falls to this fraction of its start."),
)
@click.option("--standardize", is_flag=True, help=N_("Descend on centred, unit-variance features."))
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=N_(
        "Write the cost curve (.png/.svg/.pdf); with two features, also the cost contours "
        "with the descent path, to FILE's name + '-contour' (curve.svg: curve-contour.svg)."
    ),
)
@click.option(
    "--save",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=N_("Write the coefficients: FILE.json (an object) or FILE.csv (term,coefficient)."),
)
@click.option(
    "--predictions",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=N_("Write FILE.csv: row,TARGET,prediction,residual for each row fitted."),
)
@model_option
@click.option(
    "--set",
    "constants",
    metavar="NAME=VALUE",
    multiple=True,
    callback=_constants,
    help=N_("A constant of the model other than its default, such as lambda=0.5 (repeatable)."),
)
@json_option
@lang_option
def run(
    data: Path,
    target: str,
    features: str | None,
    sep: str | None,
    encoding: str,
    dropna: bool,
    lr: float | str,
    iterations: int,
    tol: float,
    standardize: bool,
    plot: Path | None,
    save: Path | None,
    predictions: Path | None,
    model: str,
    constants: dict[str, float],
    as_json: bool,
    lang: str,
) -> None:
    with language(lang):
        try:
            arguments = (
                data,
                target,
                features,
                (sep, encoding, dropna),
                (lr, iterations, tol, standardize),
                Outputs(plot, save, predictions),
                as_json,
            )
            if model == "mse" and not constants:
                code = _run(*arguments)
            else:
                from derive.cli.run_model import run_model

                code = run_model(model, constants, *arguments)
        except DivergenceError as error:
            message = gettext("Diverged: {error}").format(error=error)
            click.echo(message, err=True)
            if as_json:
                _echo_error("diverged", message)
            sys.exit(1)
        except (DeriveError, KeyboardInterrupt) as error:
            if as_json:
                _echo_error(_kind(error), str(error) or gettext("Interrupted."))
            raise
    if code:
        sys.exit(code)


def _kind(error: BaseException) -> str:
    from derive.numeric.model_fit import SeparableError, UnboundedError

    if isinstance(error, InputError):
        return "input"
    if isinstance(error, SeparableError):
        return "separable"
    if isinstance(error, UnboundedError):
        return "unbounded"
    return "interrupted" if isinstance(error, KeyboardInterrupt) else "failure"


def _run(
    data: Path,
    target: str,
    features: str | None,
    reading: tuple[str | None, str, bool],
    descent: tuple[float | str, int, float, bool],
    outputs: Outputs,
    as_json: bool,
) -> int:
    """The run; its exit code (0 converged, 1 not)."""
    from derive.numeric.data_source import Options
    from derive.numeric.dataset import STDIN as STDIN_NAME
    from derive.numeric.dataset import read_data
    from derive.numeric.reference import least_squares
    from derive.present import run_report as report

    check_outputs(data, outputs)
    chosen = None if features is None else [name.strip() for name in features.split(",")]
    options = Options(*reading)
    stdin = str(data) == STDIN
    source = STDIN_NAME if stdin else data
    raw = sys.stdin.buffer.read() if stdin else None
    with report.ReadProgress(source.name) as progress:
        dataset = read_data(
            source,
            target,
            chosen,
            options=options,
            data=raw,
            progress=None if as_json else progress,
        )
    result = _fit(dataset, descent, outputs.plot is not None, as_json)
    standardize = descent[3]
    # Unique minimiser: lstsq where it is most accurate; otherwise in descent's coordinates,
    # where both reach the minimiser of least norm.
    # A run rejected for its cost is compared with the standardized, independent reference.
    coordinates = standardize or result.unique or result.rejection is not None
    reference = report.Reference(*least_squares(dataset.X, dataset.y, standardize=coordinates))
    written = [str(path) for path in _write(dataset, result, outputs)]
    if as_json:
        record = report.run_json(dataset, result, reference, written)
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        for line in report.written_lines(written):
            click.echo(line, err=True)
        click.echo(report.run_text(dataset, result, reference, standardize, options.dropna))
    return 0 if result.converged else 1


def _fit(
    dataset: Dataset, descent: tuple[float | str, int, float, bool], plot: bool, as_json: bool
) -> FitResult:
    """Gradient descent, with its progress bar on a terminal and its warnings on stderr."""
    from derive.numeric.descent import NonUniqueWarning, fit
    from derive.present import run_report as report

    lr, iterations, tol, standardize = descent
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NonUniqueWarning)
        with report.DelayedProgress(iterations) as progress:
            result = fit(
                dataset.X,
                dataset.y,
                lr="auto" if lr == "auto" else float(lr),
                iterations=iterations,
                tol=tol,
                standardize=standardize,
                names=dataset.features,
                progress=None if as_json else progress,
                record=plot and len(dataset.features) == 2,
            )
    for line in report.warning_lines([str(w.message) for w in caught]):
        click.echo(line, err=True)
    return result


def _write(dataset: Dataset, result: FitResult, outputs: Outputs) -> list[Path]:
    """Every file asked for, all written or none; the paths as the user gave them."""
    from derive.present import run_files

    files: dict[Path, bytes] = {}
    if outputs.plot is not None:
        with warnings_as_lines():
            files.update(_plots(dataset, result, outputs.plot))
    if outputs.save is not None:
        files[outputs.save] = run_files.coefficients(dataset, result, outputs.save.suffix)
    if outputs.predictions is not None:
        files[outputs.predictions] = run_files.predictions(dataset, result.predict(dataset.X))
    return replace_all(files)


def _plots(dataset: Dataset, result: FitResult, plot: Path) -> dict[Path, bytes]:
    """The cost curve at `plot` and, for two features, the contours with the descent path
    beside it (curve.svg: curve-contour.svg), in the language of the figures."""
    from derive.present import figure_files, plots
    from derive.present.fonts import figure_language

    kind = plot.suffix.lower().lstrip(".")
    with language(figure_language(current())):  # drawn in it; warnings said in ours
        title = gettext("Cost per iteration: {name}").format(name=dataset.path.name)
        figures = {plot: plots.cost_figure(result.costs, title=title)}
        if result.iterates is not None:
            contour = plot.with_name(f"{plot.stem}-contour{plot.suffix}")
            figures[contour] = plots.contour_figure(
                dataset.X,
                dataset.y,
                result.iterates.alphas,
                result.iterates.betas,
                names=dataset.features,
                title=gettext("Cost contours and the descent path: {name}").format(
                    name=dataset.path.name
                ),
            )
    return {path: figure_files.figure_bytes(figure, kind) for path, figure in figures.items()}
