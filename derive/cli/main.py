"""The command line: thin click commands that parse, call the library and print.

Last stage of the flow. Exit codes: 0 success; 1 a clean "no" (a check failed);
2 bad input or usage, with a one-line message on stderr and no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from derive.cli.check import check
from derive.cli.language import (
    TranslatedHelp,
    missing_message,
    requested_language,
    use_catalog,
)
from derive.cli.params import (
    decimal_rate,
    json_option,
    lang_option,
    model_option,
    out_option,
    scale_option,
    warnings_as_lines,
)
from derive.cli.run import run
from derive.core.errors import DeriveError, InputError
from derive.core.i18n import N_, gettext, language
from derive.core.version import __version__
from derive.grade.parse import ExpressionError

if TYPE_CHECKING:
    pass

# SymPy sizes its expression caches when it is first imported; the checks revisit the
# same subexpressions often enough that a larger cache halves their time.
SYMPY_CACHE_SIZE = "20000"
INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C (128 + SIGINT)


class _InputFailure(click.ClickException):
    """An `InputError` shown as one line on stderr, with exit code 2."""

    exit_code = 2


class _Failure(click.ClickException):
    """A failure of derive itself (LaTeX could not build the PDF), with exit code 1."""

    exit_code = 1


class _Group(TranslatedHelp, click.Group):
    """The command group: speaks the language of `--lang` from the start (also in click's
    own usage errors) and turns the library's errors into exit codes 2 (input) and 1, and
    Ctrl-C into 130 (files are replaced whole or not at all, so none is left half-written)."""

    command_class = TranslatedHelp

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        use_catalog()
        with language(requested_language(sys.argv[1:] if args is None else args)):
            return super().main(args, *rest, **options)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.MissingParameter as error:
            raise click.UsageError(missing_message(error), error.ctx) from None
        except ExpressionError as error:  # the message, then the text with a caret
            raise _InputFailure("\n".join((str(error), *error.pointer()))) from None
        except InputError as error:
            raise _InputFailure(str(error)) from None
        except DeriveError as error:
            raise _Failure(str(error)) from None
        except KeyboardInterrupt:
            click.echo(gettext("Interrupted."), err=True)
            raise click.exceptions.Exit(INTERRUPTED) from None


def _show_version(ctx: click.Context, _param: click.Parameter, wanted: bool) -> None:
    if wanted and not ctx.resilient_parsing:
        click.echo(gettext("derive, version {version}").format(version=__version__))
        ctx.exit()


@click.group(
    cls=_Group,
    invoke_without_command=True,
    help=N_(
        "Derive the gradient of linear regression's cost, and of the models that follow it "
        "(ridge, logistic, Poisson, a sigmoid neuron, your own), step by step with SymPy.\n\n"
        "Without a command, writes the handouts to output/ (same as `derive handout`)."
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help=N_("Show the version and exit."),
)
@lang_option
@click.pass_context
def cli(ctx: click.Context, lang: str) -> None:
    # `derive --lang zh COMMAND`: the command's --lang defaults to the group's.
    ctx.default_map = {name: {"lang": lang} for name in cli.commands}
    if ctx.invoked_subcommand is None:
        ctx.invoke(handout, lang=lang)


@cli.command(help=N_("The steps of a model's gradient with their formulas, shapes and checks."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print a JSON array instead of text."))
@model_option
@scale_option
@lang_option
def steps(as_json: bool, model: str, scale: str, lang: str) -> None:
    from derive.present.terminal import steps_json, steps_text
    from derive.steps.choose import derive_model
    from derive.verify.step_checks import check_derivation

    with language(lang):
        result = derive_model(model, scale)
        checks = check_derivation(result)
        if as_json:
            click.echo(json.dumps(steps_json(result, checks), ensure_ascii=False, indent=2))
        else:
            click.echo(steps_text(result, checks))
    if not all(check.passed for check in checks):
        sys.exit(1)


# --example FILE [--target COL]: a teacher's data in the worked example (handout, slides).
_example_option = click.option(
    "--example",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("A CSV file with a header: features, then the target (see --target)."),
)
_target_option = click.option(
    "--target", help=N_("The target column of --example [default: the last one].")
)


@cli.command(help=N_("Write the printable handouts: HTML (offline, MathML), LaTeX and PDF."))
@out_option(N_("Folder to write handout.html, handout.tex and handout.pdf into."))
@click.option(
    "--format",
    "formats",
    default="html,tex,pdf",
    show_default=True,
    help=N_("Comma-separated list of html, tex, pdf, ipynb."),
)
@click.option("--title", default=None, help=N_("Title of the handout (plain text)."))
@click.option(
    "--paper",
    type=click.Choice(("a4", "letter")),
    default="a4",
    show_default=True,
    help=N_("Paper size of the PDF (the HTML prints on either)."),
)
@click.option(
    "--compact",
    is_flag=True,
    help=N_("Fewer pages, for printing many copies: no figures, two columns, smaller type."),
)
@click.option(
    "--worksheet",
    is_flag=True,
    help=N_(
        "Write worksheet.* (chosen right-hand sides as empty boxes) and answers.* (the key) "
        "instead of the handout."
    ),
)
@click.option(
    "--blanks",
    metavar="SPEC",
    help=N_(
        "With --worksheet, what is left blank: calculus (the default), all, example, or "
        "step keys or numbers separated by commas."
    ),
)
@_example_option
@_target_option
@model_option
@scale_option
@lang_option
@click.pass_context
def handout(
    ctx: click.Context,
    out: Path,
    formats: str,
    title: str | None,
    paper: str,
    compact: bool,
    worksheet: bool,
    blanks: str | None,
    source: Path | None,
    target: str | None,
    model: str,
    scale: str,
    lang: str,
) -> None:
    from derive.render.handouts import Layout, parse_formats, write_handouts
    from derive.render.worksheets import write_worksheets

    if blanks is not None and not worksheet:
        raise click.UsageError(gettext("--blanks needs --worksheet"), ctx)
    with language(lang), warnings_as_lines():
        layout = Layout(paper, compact)
        write = write_handouts
        if worksheet:
            write = partial(write_worksheets, blanks="calculus" if blanks is None else blanks)
        document, written = write(
            out,
            parse_formats(formats),
            title,
            scale,
            lang,
            layout,
            model,
            None if source is None else str(source),
            target,
        )
        for path in written.paths:
            click.echo(gettext("wrote {path}").format(path=path))
        if written.skipped:
            click.echo(written.skipped, err=True)
        if not document.verified:
            click.echo(gettext("some steps failed their checks; the handout marks them"), err=True)
            sys.exit(1)


@cli.command(help=N_("Write slides.html: one slide per step, for presenting in a browser."))
@out_option(N_("Folder to write slides.html into."))
@click.option("--title", default=None, help=N_("Title of the first slide (plain text)."))
@_example_option
@_target_option
@model_option
@scale_option
@lang_option
def slides(
    out: Path,
    title: str | None,
    source: Path | None,
    target: str | None,
    model: str,
    scale: str,
    lang: str,
) -> None:
    from derive.render.handouts import write_slides

    with language(lang), warnings_as_lines():
        example = None if source is None else str(source)
        document, path = write_slides(out, title, scale, lang, model, example, target)
        click.echo(gettext("wrote {path}").format(path=path))
        if not document.verified:
            click.echo(gettext("some steps failed their checks; the slides mark them"), err=True)
            sys.exit(1)


@cli.command(
    help=N_(
        "The worked example: one iteration by hand, exactly, then the iterations that "
        "follow.\n\n"
        "Exit code 0 when descent converged, 1 when it did not or diverged."
    ),
)
@click.option(
    "--iterations",
    type=click.IntRange(min=1, max=10_000_000),
    default=100_000,
    show_default=True,
    help=N_("The most iterations after the first."),
)
@click.option(
    "--lr",
    metavar="ETA",
    callback=decimal_rate,
    help=N_(
        "Learning rate η, the first trial step under backtracking [default: 0.1 for mse, "
        "else the model's example's]."
    ),
)
@click.option(
    "--example",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("A CSV file with a header: features, then the target (see --target)."),
)
@click.option("--target", help=N_("The target column of --example [default: the last one]."))
@model_option
@json_option
@scale_option
@lang_option
def example(
    iterations: int,
    lr: object,
    source: Path | None,
    target: str | None,
    model: str,
    as_json: bool,
    scale: str,
    lang: str,
) -> None:
    from fractions import Fraction

    rate = lr if isinstance(lr, Fraction) else None
    if model != "mse":  # every other model: its own [example], or --example FILE
        from derive.models.catalog import load_model
        from derive.numeric.model_example import work_model
        from derive.numeric.model_example_data import example_of, load_model_example, source_name
        from derive.present.model_example_view import model_example_json, model_example_text

        with language(lang):
            spec = load_model(model, scale)
            if source is None:
                given = example_of(spec, source_name(model))
            else:
                given = load_model_example(spec, str(source), target)
            done = work_model(spec, given, rate, iterations)
            if as_json:
                click.echo(json.dumps(model_example_json(done), ensure_ascii=False, indent=2))
            else:
                click.echo(model_example_text(done))
        if not done.run.converged:
            sys.exit(1)
        return

    from derive.numeric.worked_example import DEFAULT, load_example, work
    from derive.present.terminal import example_json, example_text
    from derive.steps.article import derivation

    with language(lang):
        chosen = DEFAULT if source is None else load_example(str(source), target)
        worked = work(derivation(scale), chosen, rate, iterations)
        if as_json:
            click.echo(json.dumps(example_json(worked), ensure_ascii=False, indent=2))
        else:
            click.echo(example_text(worked))
    if not worked.run.converged:
        sys.exit(1)


cli.add_command(run)
cli.add_command(check)


@cli.command(
    help=N_(
        "The built-in models with their costs; with a NAME, that model's description "
        "file, to start one's own from."
    )
)
@click.argument("name", required=False)
@lang_option
def models(name: str | None, lang: str) -> None:
    from derive.models.catalog import BUILTIN, builtin_text, load_model
    from derive.present.terminal import models_text

    with language(lang):
        if name is not None:
            click.echo(builtin_text(name), nl=False)
            return
        click.echo(models_text(tuple(load_model(key) for key in BUILTIN)))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `derive` script and of `python -m derive`."""
    os.environ.setdefault("SYMPY_CACHE_SIZE", SYMPY_CACHE_SIZE)
    cli.main(args=list(argv) if argv is not None else None, prog_name="derive")
