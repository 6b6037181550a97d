"""The command line: thin click commands that parse, call the library and print.

Last stage of the flow. Exit codes: 0 success; 1 a clean "no" (a check failed);
2 bad input or usage, with a one-line message on stderr and no traceback.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from derive.check import CheckResult
    from derive.steps import Derivation
    from derive.verify import StepCheck

from derive.errors import ExpressionError, InputError

SCALES = ("1/m", "1/(2m)")
# SymPy sizes its expression caches when it is first imported; the checks revisit the
# same subexpressions often enough that a larger cache halves their time.
SYMPY_CACHE_SIZE = "20000"


class _InputFailure(click.ClickException):
    """An `InputError` shown as one line on stderr, with exit code 2."""

    exit_code = 2


class _Group(click.Group):
    """The command group; turns the library's input errors into exit code 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ExpressionError as error:  # the message, then the text with a caret
            raise _InputFailure("\n".join((str(error), *error.pointer()))) from None
        except InputError as error:
            raise _InputFailure(str(error)) from None


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="derive", prog_name="derive")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Derive the gradient of linear regression's cost step by step, with SymPy.

    Without a command, shows the derivation (same as `derive steps`).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(steps)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")
@click.option(
    "--scale",
    type=click.Choice(SCALES),
    default="1/m",
    show_default=True,
    help="Factor in front of the sum of squared errors in the cost.",
)
def steps(as_json: bool, scale: str) -> None:
    """The 19 steps with their formulas, shapes and check results."""
    from derive.steps import derivation
    from derive.verify import check_derivation

    result = derivation(scale)
    checks = check_derivation(result)
    if as_json:
        click.echo(json.dumps(steps_json(result, checks), ensure_ascii=False, indent=2))
    else:
        click.echo(steps_text(result, checks))
    if not all(check.passed for check in checks):
        sys.exit(1)


def steps_json(result: Derivation, checks: Sequence[StepCheck]) -> list[dict[str, Any]]:
    """One JSON object per step: number, key, title, latex, shape, checks and details."""
    from derive.printing import relation_latex, relation_text, shape_text

    records = []
    for step, check in zip(result, checks, strict=True):
        relations = [
            {
                "latex": relation_latex(r.lhs, r.op, r.rhs),
                "text": relation_text(r.lhs, r.op, r.rhs),
                "shape": list(shape_text(r.shape)),
            }
            for r in step.relations
        ]
        records.append(
            {
                "number": step.number,
                "key": step.key,
                "title": step.title,
                "latex": relations[0]["latex"],
                "shape": list(shape_text(step.shape)),
                "checks": check.checks,
                "relations": relations,
                "source_shape": list(shape_text(step.source_shape)),
                "shape_note": step.shape_note,
                "failures": {r.route: r.detail for r in check.results if not r.passed},
            }
        )
    return records


def steps_text(result: Derivation, checks: Sequence[StepCheck]) -> str:
    """The steps for a terminal: title and shape, the relations, the checks."""
    from derive.printing import relation_text, shape_text

    scale = result.model.scale.value
    lines = [f"Gradient of J = {scale} · Σ (yᵢ − ŷᵢ)², step by step", ""]
    for step, check in zip(result, checks, strict=True):
        lines.append(f"{step.number:>2}. {step.title}   [{_shape(shape_text(step.shape))}]")
        lines.extend(f"      {relation_text(r.lhs, r.op, r.rhs)}" for r in step.relations)
        if step.shape_note:
            lines.append(f"      note: {step.shape_note}")
        marks = "  ".join(f"{'✓' if r.passed else '✗'} {r.route}" for r in check.results)
        lines.append(f"      checks: {marks}")
        lines.extend(f"      {r.route} failed: {r.detail}" for r in check.results if not r.passed)
        lines.append("")
    passed = sum(check.passed for check in checks)
    lines.append(f"{passed} of {len(checks)} steps pass all checks.")
    return "\n".join(lines)


class _ExpressionCommand(click.Command):
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


@cli.command(cls=_ExpressionCommand)
@click.argument("expression")
@click.option(
    "--wrt",
    type=click.Choice(("alpha", "beta", "beta_j")),
    required=True,
    help="The parameter: alpha, beta (the 1×n row) or beta_j (its j-th entry).",
)
@click.option(
    "--scale",
    type=click.Choice(SCALES),
    default="1/m",
    show_default=True,
    help="Factor in front of the sum of squared errors in the cost.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(expression: str, wrt: str, scale: str, as_json: bool) -> None:
    """Check a gradient derived by hand, such as "-2/m u^T X" (--wrt beta).

    Exit code 0 when it is right (also when right up to layout), 1 when it is not, with
    what is wrong and a counterexample; 2 when the expression cannot be read.
    """
    from derive.parse import parse

    parse(expression)  # unreadable text is refused here, before SymPy is imported
    from derive.check import check_gradient

    result = check_gradient(expression, wrt, scale=scale)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(check_text(result))
    sys.exit(0 if result.equivalent else 1)


def check_text(result: CheckResult) -> str:
    """A check for a terminal: the verdict, both gradients, the message, a counterexample."""
    mark = "✓" if result.equivalent else "✗"
    codes = f"  [{', '.join(result.diagnosis)}]" if result.diagnosis else ""
    lines = [f"{mark} {result.verdict}{codes}"]
    if result.given_text is not None:
        lines.append(f"  yours:    {result.given_text}")
    lines.append(f"  correct:  {result.expected_text}")
    lines.extend(["", *textwrap.wrap(result.message, width=88)])
    example = result.counterexample
    if example is not None:
        lines.extend(
            [
                "",
                f"Counterexample (m = {example.m}, n = {example.n}):",
                f"  X = {_rows(example.X)}",
                f"  y = {_rows((example.y,))}ᵀ   α = {example.alpha}"
                f"   β = {_rows((example.beta,))}",
                f"  yours:    {_rows(example.given)}",
                f"  correct:  {_rows(example.expected)}",
            ]
        )
    return "\n".join(lines)


def _rows(rows: Sequence[Sequence[object]]) -> str:
    """[[1, 2], [3, 4]] for a matrix, [1, 2] for a single row."""
    shown = ["[" + ", ".join(str(value) for value in row) + "]" for row in rows]
    return shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"


def _shape(shape: tuple[str, str]) -> str:
    return "scalar" if shape == ("1", "1") else f"{shape[0]}×{shape[1]}"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `derive` script and of `python -m derive`."""
    os.environ.setdefault("SYMPY_CACHE_SIZE", SYMPY_CACHE_SIZE)
    cli.main(args=list(argv) if argv is not None else None, prog_name="derive")
