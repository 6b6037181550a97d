"""`derive check`: a gradient or one step derived by hand, judged against the derivation.

A command of the top layer, beside main.py; the judging is in the grade package: the
article's gradients (grader.py), any step of any model (step_check.py), a derivation line
by line (lines.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from derive.cli.params import SCALES, ExpressionCommand, json_option, lang_option
from derive.core.errors import InputError
from derive.core.i18n import N_, gettext, join_list, language

ARTICLE = "mse"
ARTICLE_WRT = ("alpha", "beta", "beta_j")
MAX_LINES_BYTES = 100_000


@click.command(
    cls=ExpressionCommand,
    help=N_(
        'Check a gradient derived by hand, such as "-2/m u^T X" (--wrt beta), or one step '
        "of any model (--model logistic --step 11), or a whole derivation line by line "
        "(--lines FILE, or several EXPRESSION arguments).\n\n"
        "Exit code 0 when it is right (also when right up to layout), 1 when it is not, "
        "with what is wrong and a counterexample; 2 when the expression cannot be read."
    ),
)
@click.argument("expressions", nargs=-1)
@click.option(
    "--model",
    default=ARTICLE,
    show_default=True,
    metavar="NAME|FILE",
    help=N_("The model: mse (the article's), ridge, logistic, poisson, neuron, or a file."),
)
@click.option(
    "--wrt",
    metavar="PARAM",
    help=N_(
        "The parameter of the gradient: alpha, beta (the 1×n row) or beta_j (its j-th "
        "entry), or a model's own parameter names."
    ),
)
@click.option(
    "--step",
    metavar="N|KEY",
    help=N_("A step of the model's derivation, by number or key (see `derive steps`)."),
)
@click.option(
    "--lines",
    "lines_file",
    metavar="FILE",
    help=N_("A derivation, one expression per line ('-' for stdin), checked line by line."),
)
@click.option(
    "--scale",
    type=click.Choice(SCALES),
    default=None,
    help=N_("Factor in front of the cost where the model has two (mse: 1/m or 1/(2m))."),
)
@json_option
@lang_option
@click.pass_context
def check(
    ctx: click.Context,
    expressions: tuple[str, ...],
    model: str,
    wrt: str | None,
    step: str | None,
    lines_file: str | None,
    scale: str | None,
    as_json: bool,
    lang: str,
) -> None:
    article = model == ARTICLE and step is None
    if wrt is None and step is None:
        if article:  # as before --step came: the article's three choices
            choices = join_list(ARTICLE_WRT)
            missing = gettext("Missing option {name}: choose from {choices}.")
            raise click.UsageError(missing.format(name="'--wrt'", choices=choices))
        raise click.UsageError(gettext("Missing option '--wrt' (or '--step')."))
    if article:  # click's own refusal of a value outside the article's choices
        wrt_option = next(p for p in ctx.command.params if p.name == "wrt")
        click.Choice(ARTICLE_WRT).convert(wrt, wrt_option, ctx)
    if wrt is not None and step is not None:
        raise click.UsageError(gettext("--wrt and --step cannot be used together."))
    texts = list(expressions)
    if lines_file is not None:
        if texts:
            raise click.UsageError(gettext("--lines and EXPRESSION cannot be used together."))
        texts = _read_lines(lines_file)
    elif not texts:
        raise click.UsageError(gettext("Missing argument 'EXPRESSION'."))
    with language(lang):
        if len(texts) > 1 or lines_file is not None:
            _check_lines(texts, model, step, wrt, scale, as_json)
        else:
            _check_one(texts[0], model, step, wrt, scale, as_json)


def _check_one(
    text: str, model: str, step: str | None, wrt: str | None, scale: str | None, as_json: bool
) -> None:
    from derive.grade.parse import parse

    article = model == ARTICLE and step is None
    parse(text, models=not article)  # unreadable text is refused here, before SymPy
    from derive.present.terminal import check_text

    if article:
        from derive.grade.grader import check_gradient

        result = check_gradient(text, str(wrt), scale=scale or "1/m")
    else:
        from derive.grade.step_check import check_model_step

        result = check_model_step(text, model, step=step, wrt=wrt, scale=scale)
    _show(result.as_json() if as_json else check_text(result), result.equivalent)


def _check_lines(
    texts: list[str],
    model: str,
    step: str | None,
    wrt: str | None,
    scale: str | None,
    as_json: bool,
) -> None:
    from derive.grade.lines import check_lines
    from derive.present.lines_text import lines_text

    done = check_lines(texts, model, step=step, wrt=wrt, scale=scale)
    _show(done.as_json() if as_json else lines_text(done), done.equivalent)


def _show(shown: str | dict[str, Any], right: bool) -> None:
    """Text or one JSON object on stdout; exit 0 when right, 1 when not."""
    click.echo(shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False, indent=2))
    sys.exit(0 if right else 1)


def _read_lines(name: str) -> list[str]:
    """The lines of FILE, or of stdin for '-'; bounded in size."""
    if name == "-":
        data = sys.stdin.buffer.read(MAX_LINES_BYTES + 1)
    else:
        try:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_LINES_BYTES + 1)
        except OSError as error:
            raise InputError(
                gettext("cannot read {path}: {reason}").format(
                    path=name, reason=error.strerror or error
                )
            ) from None
    if len(data) > MAX_LINES_BYTES:
        raise InputError(
            gettext("{path} is larger than {limit} bytes").format(path=name, limit=MAX_LINES_BYTES)
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(gettext("{path} is not UTF-8 text").format(path=name)) from None
    return text.splitlines()
