"""Prose with symbols: `{alpha}`-style placeholders filled in by the printers.

Titles and explanations are written once, as text with named placeholders for the
model's symbols. For a terminal they are filled with Unicode text; for documents they
become segments of text and LaTeX, so that every symbol shown comes out of the same
printer as the formulas and no symbol is typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext

import sympy as sp

from derive.math.matcalc import MatrixDerivative
from derive.math.rules import formulas
from derive.models.linear import Model
from derive.models.spec import ModelSpec

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Segment:
    """A piece of prose: plain text, or one formula given as LaTeX."""

    kind: str  # "text" or "math"
    value: str


def symbols(model: Model | ModelSpec) -> dict[str, sp.Basic]:
    """The names prose may use, and the SymPy objects they stand for."""
    if isinstance(model, ModelSpec):
        return spec_symbols(model)
    M = model
    return {
        "X": M.X,
        "y": M.y,
        "alpha": M.alpha,
        "beta": M.beta,
        "ones": M.ones,
        "yhat": M.yhat,
        "u": M.u,
        "J": M.J,
        "eta": M.eta,
        "m": M.m,
        "n": M.n,
        "coefficient": M.coefficient,
        "i": M.i,
        "j": M.j,
        "X_ij": M.X[M.i, M.j],
        "y_i": M.y[M.i, 0],
        "yhat_i": M.yhat[M.i, 0],
        "u_i": M.u[M.i, 0],
        "beta_j": M.beta[0, M.j],
        "dJ_dalpha": sp.Derivative(M.J, M.alpha, evaluate=False),
        "dJ_dbeta": MatrixDerivative(M.J, M.beta),
        "dJ_du": MatrixDerivative(M.J, M.u),
        "du_dalpha": MatrixDerivative(M.u, M.alpha),
        "du_dbeta": MatrixDerivative(M.u, M.beta),
    }


def spec_symbols(spec: ModelSpec) -> dict[str, sp.Basic]:
    """A planned model's names: each declared symbol and intermediate (`p`), its generic
    entry (`p_i`), the derivative of J by it (`dJ_dp`), and J, η, m, n, i, j, 𝟏."""
    table: dict[str, sp.Basic] = {
        "J": spec.J,
        "eta": spec.eta,
        "m": spec.m,
        "n": spec.n,
        "i": spec.i,
        "j": spec.j,
        "ones": spec.ones,
        "hadamard": sp.HadamardProduct(
            sp.MatrixSymbol("a", spec.m, 1), sp.MatrixSymbol("b", spec.m, 1)
        ),
    }
    named = [(q.name, q.symbol) for q in spec.declared]
    named += [(q.name, q.symbol) for q in spec.intermediates]
    for name, symbol in named:
        table[name] = symbol
        table[f"{name}_i"] = generic_entry(symbol, spec)
        table[f"dJ_d{name}"] = (
            MatrixDerivative(spec.J, symbol)
            if isinstance(symbol, sp.MatrixSymbol)
            else sp.Derivative(spec.J, symbol, evaluate=False)
        )
    table.update(formulas())
    for constant in spec.constants:
        if constant.default is not None:
            table[f"{constant.name}_value"] = sp.Symbol(decimal(constant.default))
    return table


def decimal(value: sp.Rational) -> str:
    """A constant as a description writes it: 1/10 as 0.1 when the decimal is exact."""
    rest = int(value.q)
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:  # 1/3 has no exact decimal
        return f"{value.p}/{value.q}"
    with localcontext() as context:
        context.prec = 60  # enough for any p/(2^a 5^b) a description can write
        exact = Decimal(int(value.p)) / Decimal(int(value.q))
    return format(exact.normalize(), "f")


def generic_entry(symbol: sp.Basic, spec: ModelSpec) -> sp.Basic:
    """uᵢ for an m-column, βⱼ for a row or an n-column, Xᵢⱼ for a matrix, the symbol itself
    for a scalar: i runs over the examples (m), j over the features (n)."""
    if not isinstance(symbol, sp.MatrixSymbol):
        return symbol
    index = {spec.m: spec.i, spec.n: spec.j, sp.S.One: sp.S.Zero}
    rows, cols = symbol.shape
    return symbol[index[rows], index[cols]]


def with_slots(template: str, slots: tuple[tuple[str, str], ...]) -> str:
    """A step's prose with its slots named: "{quantity}" -> "{p}" when quantity is p."""
    for slot, name in slots:
        template = template.replace("{" + slot + "}", "{" + name + "}")
    return template


def fill(
    template: str, model: Model | ModelSpec, printer: Callable[[sp.Basic], str]
) -> list[Segment]:
    """Split a template into text and math segments; unknown placeholders are an error."""
    table = symbols(model)
    segments: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in table:
            raise KeyError(f"unknown placeholder {{{name}}} in {template!r}")
        if match.start() > position:
            segments.append(Segment("text", template[position : match.start()]))
        segments.append(Segment("math", printer(table[name])))
        position = match.end()
    if position < len(template):
        segments.append(Segment("text", template[position:]))
    return segments


def fill_text(template: str, model: Model | ModelSpec, printer: Callable[[sp.Basic], str]) -> str:
    """The template as one string, symbols printed in place (for terminals and JSON)."""
    return "".join(segment.value for segment in fill(template, model, printer))
