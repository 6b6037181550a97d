"""`derive run`: fit a CSV file by gradient descent with the derived gradients.

Part of the command line (cli/main.py registers it): reads the data (numeric/dataset.py),
fits (numeric/descent.py), compares with the least-squares reference and prints the
report of present/run_report.py; `--plot` draws the figures of present/plots.py.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from derive.cli.language import TranslatedHelp
from derive.cli.params import json_option, lang_option, learning_rate, warnings_as_lines
from derive.core.i18n import N_, current, gettext, language
from derive.numeric import defaults

if TYPE_CHECKING:
    from derive.numeric.dataset import Dataset
    from derive.numeric.descent import FitResult


def _write_plots(dataset: Dataset, result: FitResult, plot: Path) -> None:
    """The cost curve at `plot` and, for two features, the contours with the descent path
    beside it (curve.svg: curve-contour.svg), in the language of the figures."""
    from derive.present import figure_files, plots
    from derive.present.fonts import figure_language

    with language(figure_language(current())):  # drawn in it; warnings said in ours
        title = gettext("Cost per iteration: {name}").format(name=dataset.path.name)
        curve = plots.cost_figure(result.costs, title=title)
        contours = None
        if result.iterates is not None:
            contours = plots.contour_figure(
                dataset.X,
                dataset.y,
                result.iterates.alphas,
                result.iterates.betas,
                names=dataset.features,
                title=gettext("Cost contours and the descent path: {name}").format(
                    name=dataset.path.name
                ),
            )
    figure_files.save(curve, plot)
    if contours is not None:
        figure_files.save(contours, plot.with_name(f"{plot.stem}-contour{plot.suffix}"))


@click.command(
    cls=TranslatedHelp,
    help=N_(
        "Fit DATA.csv by gradient descent with the derived gradients; compare with lstsq."
        "\n\n"
        "Exit code 0 when the run converged, 1 when it did not or diverged."
    ),
)
@click.argument("data", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--target", required=True, help=N_("The column to predict."))
@click.option("--features", help=N_("Comma-separated feature columns [default: all others]."))
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
@json_option
@lang_option
def run(
    data: Path,
    target: str,
    features: str | None,
    lr: float | str,
    iterations: int,
    tol: float,
    standardize: bool,
    plot: Path | None,
    as_json: bool,
    lang: str,
) -> None:
    from derive.core.errors import DivergenceError
    from derive.numeric.dataset import read_csv
    from derive.numeric.descent import NonUniqueWarning, fit
    from derive.numeric.reference import least_squares
    from derive.present import figure_files
    from derive.present import run_report as report

    with language(lang):
        if plot is not None:
            figure_files.check_target(plot)
        chosen = None if features is None else [name.strip() for name in features.split(",")]
        dataset = read_csv(data, target, chosen)
        contour = plot is not None and len(dataset.features) == 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", NonUniqueWarning)
            try:
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
                        record=contour,
                    )
            except DivergenceError as error:
                click.echo(gettext("Diverged: {error}").format(error=error), err=True)
                sys.exit(1)
        for line in report.warning_lines([str(w.message) for w in caught]):
            click.echo(line, err=True)
        # Unique minimiser: lstsq where it is most accurate; otherwise in descent's coordinates,
        # where both reach the minimiser of least norm.
        coordinates = standardize or result.unique
        reference = report.Reference(*least_squares(dataset.X, dataset.y, standardize=coordinates))
        if plot is not None:
            with warnings_as_lines():
                _write_plots(dataset, result, plot)
        if as_json:
            click.echo(
                json.dumps(
                    report.run_json(dataset, result, reference), ensure_ascii=False, indent=2
                )
            )
        else:
            click.echo(report.run_text(dataset, result, reference, standardize))
    if not result.converged:
        sys.exit(1)
