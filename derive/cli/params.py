"""The command line's shared options and parameter types.

Part of the last stage, used by cli.py: the options several commands share (--out,
--lang, --scale, --json), the two ways a learning rate is written, and the command class
whose argument is an expression that may start with a minus.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from derive.cli.language import TranslatedHelp
from derive.core.i18n import LANGUAGES, N_, gettext

SCALES = ("1/m", "1/(2m)")


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The --out folder of a command that writes files (default output/)."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("output"),
        show_default=True,
        help=help_text,
    )


lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help=N_("Language of the prose."),
)

scale_option = click.option(
    "--scale",
    type=click.Choice(SCALES),
    default="1/m",
    show_default=True,
    help=N_("Factor in front of the sum of squared errors in the cost."),
)

model_option = click.option(
    "--model",
    default="mse",
    show_default=True,
    metavar="NAME|FILE",
    help=N_(
        "The model: mse (the article's), ridge, logistic, poisson, neuron, "
        "or a model description file (.toml); see `derive models`."
    ),
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help=N_("Print one JSON object instead of text.")
)


def decimal_rate(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    """A learning rate written as a positive decimal, kept exact (0.1 stays 1/10)."""
    if value is None:
        return None
    from fractions import Fraction

    try:
        rate = Fraction(value.strip())
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(
            gettext("{value} is not a decimal number such as 0.1").format(value=repr(value))
        ) from None
    if not 0 < rate <= 1000 or rate.denominator > 10**12:
        raise click.BadParameter(
            gettext("{value} is not a positive decimal number such as 0.1").format(
                value=repr(value)
            )
        )
    return rate


def learning_rate(ctx: click.Context, param: click.Parameter, value: str) -> float | str:
    """`auto` or a positive number."""
    if value == "auto":
        return value
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        raise click.BadParameter(
            gettext("{value} is neither 'auto' nor a positive number").format(value=repr(value))
        )
    return rate


class ExpressionCommand(TranslatedHelp):
    """A command whose argument is an expression that may start with a minus (-2/m uᵀX).

    Click would read such an argument as short options (and `-\\frac...` as -h). Every
    argument that is not one of the command's own options, or the value of one, is
    moved after `--`, where Click takes it as it is.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        flags: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = (*param.opts, *param.secondary_opts)
                (flags if param.is_flag else takes_value).update(names)
        options: list[str] = []
        rest: list[str] = []
        pending = iter(args)
        for arg in pending:
            if arg == "--":
                rest.extend(pending)
            elif arg in takes_value:
                options.extend(
                    [arg, *(value for value in [next(pending, None)] if value is not None)]
                )
            elif arg in flags or arg.split("=", 1)[0] in takes_value or arg.startswith("--"):
                options.append(arg)
            else:
                rest.append(arg)
        return super().parse_args(ctx, [*options, "--", *rest] if rest else options)


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Warnings raised inside the block (such as figures falling back to English for want
    of a font), each printed as one line on stderr at its end."""
    from derive.present.fonts import FontWarning
    from derive.present.run_report import warning_lines

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FontWarning)
        try:
            yield
        finally:
            for line in warning_lines([str(warning.message) for warning in caught]):
                click.echo(line, err=True)
