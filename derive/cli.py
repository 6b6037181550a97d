"""The command line: thin click commands that parse, call the library and print.

Last stage of the flow. Exit codes: 0 success; 1 a clean "no" (a check failed);
2 bad input or usage, with a one-line message on stderr and no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from derive.errors import DeriveError, InputError
from derive.i18n import LANGUAGES, gettext, language

SCALES = ("1/m", "1/(2m)")
# SymPy sizes its expression caches when it is first imported; the checks revisit the
# same subexpressions often enough that a larger cache halves their time.
SYMPY_CACHE_SIZE = "20000"


lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the prose.",
)

scale_option = click.option(
    "--scale",
    type=click.Choice(SCALES),
    default="1/m",
    show_default=True,
    help="Factor in front of the sum of squared errors in the cost.",
)


class _InputFailure(click.ClickException):
    """An `InputError` shown as one line on stderr, with exit code 2."""

    exit_code = 2


class _Failure(click.ClickException):
    """A failure of derive itself (LaTeX could not build the PDF), with exit code 1."""

    exit_code = 1


class _Group(click.Group):
    """The command group; turns the library's errors into exit codes 2 (input) and 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InputError as error:
            raise _InputFailure(str(error)) from None
        except DeriveError as error:
            raise _Failure(str(error)) from None


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="derive", prog_name="derive")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Derive the gradient of linear regression's cost step by step, with SymPy.

    Without a command, writes the handouts to output/ (same as `derive handout`).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(handout)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")
@scale_option
@lang_option
def steps(as_json: bool, scale: str, lang: str) -> None:
    """The 19 steps with their formulas, shapes and check results."""
    from derive.steps import derivation
    from derive.terminal import steps_json, steps_text
    from derive.verify import check_derivation

    with language(lang):
        result = derivation(scale)
        checks = check_derivation(result)
        if as_json:
            click.echo(json.dumps(steps_json(result, checks), ensure_ascii=False, indent=2))
        else:
            click.echo(steps_text(result, checks))
    if not all(check.passed for check in checks):
        sys.exit(1)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder to write handout.html, handout.tex and handout.pdf into.",
)
@click.option(
    "--format",
    "formats",
    default="html,tex,pdf",
    show_default=True,
    help="Comma-separated list of html, tex, pdf, ipynb.",
)
@click.option("--title", default=None, help="Title of the handout (plain text).")
@scale_option
@lang_option
def handout(out: Path, formats: str, title: str | None, scale: str, lang: str) -> None:
    """Write the printable handouts: HTML (offline, MathML), LaTeX and PDF."""
    from derive.render import parse_formats, write_handouts

    document, written = write_handouts(out, parse_formats(formats), title, scale, lang)
    with language(lang):
        for path in written.paths:
            click.echo(gettext("wrote {path}").format(path=path))
        if written.skipped:
            click.echo(written.skipped, err=True)
        if not document.verified:
            click.echo(gettext("some steps failed their checks; the handout marks them"), err=True)
            sys.exit(1)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder to write slides.html into.",
)
@click.option("--title", default=None, help="Title of the first slide (plain text).")
@scale_option
@lang_option
def slides(out: Path, title: str | None, scale: str, lang: str) -> None:
    """Write slides.html: one slide per step, for presenting in a browser."""
    from derive.render import write_slides

    document, path = write_slides(out, title, scale, lang)
    with language(lang):
        click.echo(gettext("wrote {path}").format(path=path))
        if not document.verified:
            click.echo(gettext("some steps failed their checks; the slides mark them"), err=True)
            sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `derive` script and of `python -m derive`."""
    os.environ.setdefault("SYMPY_CACHE_SIZE", SYMPY_CACHE_SIZE)
    cli.main(args=list(argv) if argv is not None else None, prog_name="derive")
