"""`derive run --model M`: gradient descent for every model but the article's mse.

Part of the command line (cli/run.py hands the run here when --model or --set is given):
reads the features, the target and any other data the model declares (a weight column w,
by its own name), fits with numeric/model_fit.py, compares with model_compare.py's
reference and prints present/model_run_report.py's report; `--plot` draws the cost per
iteration, `--save` writes the parameters.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from derive.cli.params import warnings_as_lines
from derive.cli.run_outputs import STDIN, Outputs, check_outputs, replace_all
from derive.core.errors import InputError
from derive.core.i18n import current, gettext, language

if TYPE_CHECKING:
    from derive.models.spec import ModelSpec
    from derive.numeric.arrays import Array
    from derive.numeric.dataset import Dataset
    from derive.numeric.model_fit import ModelFit


def run_model(
    model: str,
    constants: dict[str, float],
    data: Path,
    target: str,
    features: str | None,
    reading: tuple[str | None, str, bool],
    descent: tuple[float | str, int, float, bool],
    outputs: Outputs,
    as_json: bool,
) -> int:
    """The run of any model but the article's mse; its exit code (0 converged, 1 not)."""
    from derive.models.catalog import load_model
    from derive.numeric.model_compare import model_reference, no_reference_reason
    from derive.numeric.model_fit import predict_model
    from derive.numeric.model_problem import check_kind, check_target, other_data
    from derive.present import model_run_report as report
    from derive.present import run_files
    from derive.present.run_report import written_lines

    spec = load_model(model)
    check_outputs(data, outputs)
    extra = [quantity.name for quantity in other_data(spec)]
    dataset, columns = _read_model_data(data, target, features, reading, extra, as_json)
    numbers = dataset.rows()  # the file's data rows, so that a bad one is named as there
    check_target(spec, dataset.y, numbers)
    for quantity in other_data(spec):
        check_kind(spec, quantity, columns[quantity.name], numbers)
    fit = _fit_model(spec, dataset, columns, constants, descent, as_json)
    standardize = descent[3]
    reference = model_reference(
        spec, dataset.X, dataset.y, constants=constants, standardize=standardize
    )
    reason = no_reference_reason(spec)
    files: dict[Path, bytes] = {}
    if outputs.plot is not None:
        with warnings_as_lines():
            files.update(_cost_plot(dataset, fit, outputs.plot))
    if outputs.save is not None:
        files[outputs.save] = report.model_coefficients(dataset, fit, outputs.save.suffix)
    if outputs.predictions is not None:
        predicted = predict_model(spec, fit, dataset.X, data=columns, constants=constants)
        files[outputs.predictions] = run_files.predictions(dataset, predicted)
    written = [str(path) for path in replace_all(files)]
    if as_json:
        record = report.model_run_json(dataset, fit, reference, reason, written)
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        for line in written_lines(written):
            click.echo(line, err=True)
        title = spec.title.get(current())
        penalized = bool(spec.constants)
        click.echo(report.model_run_text(dataset, title, fit, reference, reason, penalized))
    return 0 if fit.converged else 1


def _read_model_data(
    data: Path,
    target: str,
    features: str | None,
    reading: tuple[str | None, str, bool],
    extra: list[str],
    as_json: bool,
) -> tuple[Dataset, dict[str, Array]]:
    """The data set of the features and the target, and the model's other data columns
    (a weight column w), read by their own names."""
    from derive.numeric.data_source import Options
    from derive.numeric.dataset import STDIN as STDIN_NAME
    from derive.numeric.dataset import Dataset, read_data
    from derive.present import run_report

    chosen = None if features is None else [name.strip() for name in features.split(",")]
    stdin = str(data) == STDIN
    source = STDIN_NAME if stdin else data
    raw = sys.stdin.buffer.read() if stdin else None
    asked = None if chosen is None else [*chosen, *extra]
    with run_report.ReadProgress(source.name) as progress:
        read = read_data(
            source,
            target,
            asked,
            options=Options(*reading),
            data=raw,
            progress=None if as_json else progress,
        )
    missing = [name for name in extra if name not in read.features]
    if missing:
        raise InputError(
            gettext("{path}: the model needs a column {name} for its data {name}").format(
                path=read.path, name=missing[0]
            )
        )
    keep = [k for k, name in enumerate(read.features) if name not in extra]
    columns = {name: read.X[:, read.features.index(name)] for name in extra}
    dataset = Dataset(
        read.path,
        read.target,
        tuple(read.features[k] for k in keep),
        read.X[:, keep] if extra else read.X,
        read.y,
        read.dropped,
        read.kept,
    )
    return dataset, columns


def _fit_model(
    spec: ModelSpec,
    dataset: Dataset,
    columns: dict[str, Array],
    constants: dict[str, float],
    descent: tuple[float | str, int, float, bool],
    as_json: bool,
) -> ModelFit:
    """Gradient descent on the model, with its progress bar on a terminal."""
    from derive.numeric.model_fit import fit_model
    from derive.present import run_report as report

    lr, iterations, tol, standardize = descent
    with report.DelayedProgress(iterations) as progress:
        return fit_model(
            spec,
            dataset.X,
            dataset.y,
            data=columns,
            constants=constants,
            lr="auto" if lr == "auto" else float(lr),
            iterations=iterations,
            tol=tol,
            standardize=standardize,
            progress=None if as_json else progress,
        )


def _cost_plot(dataset: Dataset, fit: ModelFit, plot: Path) -> dict[Path, bytes]:
    """The cost per iteration at `plot`, in the language of the figures."""
    from derive.present import figure_files, plots
    from derive.present.fonts import figure_language

    with language(figure_language(current())):
        title = gettext("Cost per iteration: {name}").format(name=dataset.path.name)
        figure = plots.cost_figure(fit.costs, title=title)
    return {plot: figure_files.figure_bytes(figure, plot.suffix.lower().lstrip("."))}
