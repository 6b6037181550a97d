"""`derive check`: a gradient or one step derived by hand, judged against the derivation.

A command of the top layer, beside main.py; the judging is in the grade package.
"""

from __future__ import annotations

import json
import sys

import click

from derive.cli.params import ExpressionCommand, json_option, lang_option, scale_option
from derive.core.i18n import N_, language


@click.command(
    cls=ExpressionCommand,
    help=N_(
        'Check a gradient derived by hand, such as "-2/m u^T X" (--wrt beta).\n\n'
        "Exit code 0 when it is right (also when right up to layout), 1 when it is not, "
        "with what is wrong and a counterexample; 2 when the expression cannot be read."
    ),
)
@click.argument("expression")
@click.option(
    "--wrt",
    type=click.Choice(("alpha", "beta", "beta_j")),
    required=True,
    help=N_("The parameter: alpha, beta (the 1×n row) or beta_j (its j-th entry)."),
)
@scale_option
@json_option
@lang_option
def check(expression: str, wrt: str, scale: str, as_json: bool, lang: str) -> None:
    from derive.grade.parse import parse

    with language(lang):
        parse(expression)  # unreadable text is refused here, before SymPy is imported
        from derive.grade.grader import check_gradient
        from derive.present.terminal import check_text

        result = check_gradient(expression, wrt, scale=scale)
        if as_json:
            click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(check_text(result))
    sys.exit(0 if result.equivalent else 1)
