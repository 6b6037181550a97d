"""The planner's table of local derivatives: one line per operator, as autograd's `defvjp`.

Used by steps/plan.py to compute each local factor of the chain rule (∂pᵢ/∂zᵢ, ∂J/∂uᵢ,
∂zᵢ/∂βⱼ) on the entry form of a definition; never used by the checks in verify/, which
differentiate with SymPy on routes of their own. Each function's line also carries the
sentence that explains it in the handout (translated where it is shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.core.i18n import N_
from derive.math.functions import Sigmoid, Softplus


@dataclass(frozen=True)
class Rule:
    """f′ in terms of f's argument a, and the sentence a handout says about it; the
    sentence's `{rule_<name>}` placeholder is the rule as a formula (see `formulas`)."""

    name: str
    derivative: Callable[[sp.Expr], sp.Expr]
    because: str


# d f(a)/da, one line per function a model may apply.
FUNCTION_RULES: dict[type, Rule] = {
    sp.exp: Rule("exp", sp.exp, N_("The exponential function is its own derivative: {rule_exp}.")),
    sp.log: Rule("log", lambda a: 1 / a, N_("The derivative of the logarithm: {rule_log}.")),
    Sigmoid: Rule(
        "sigmoid",
        lambda a: sp.Mul(Sigmoid(a), 1 - Sigmoid(a), evaluate=False),
        N_("The derivative of the logistic function: {rule_sigmoid}."),
    ),
    sp.tanh: Rule(
        "tanh", lambda a: 1 - sp.tanh(a) ** 2, N_("The derivative of tanh: {rule_tanh}.")
    ),
    Softplus: Rule(
        "softplus",
        Sigmoid,
        N_("The derivative of softplus is the logistic function: {rule_softplus}."),
    ),
}
POWER_RULE = N_("The power rule: {rule_power}.")
SUM_RULE = N_("Of a sum over an index, only the term with the same index depends on the entry.")


def formulas() -> dict[str, sp.Basic]:
    """Each rule as an equation in a variable t, for the prose: `rule_sigmoid` is
    ∂σ(t)/∂t = σ(t)(1 − σ(t)), computed from the table's own line."""
    t, k = sp.Symbol("t", real=True), sp.Symbol("k", integer=True)
    found: dict[str, sp.Basic] = {
        f"rule_{rule.name}": sp.Eq(
            sp.Derivative(function(t), t, evaluate=False), rule.derivative(t), evaluate=False
        )
        for function, rule in FUNCTION_RULES.items()
    }
    found["rule_power"] = sp.Eq(
        sp.Derivative(t**k, t, evaluate=False), k * t ** (k - 1), evaluate=False
    )
    return found


class UnknownOperator(ValueError):
    """An expression the table has no line for (the planner reports it as unsupported)."""


def local_derivative(expr: sp.Basic, var: sp.Basic) -> tuple[sp.Expr, frozenset[str]]:
    """∂expr/∂var by the table, and the sentences of the rules it used.

    `var` is a symbol (α) or one entry of a matrix (uᵢ, βⱼ); other entries of the same
    matrix count as independent of it. A sum over an index differentiates the one term
    whose index is var's (Σₗ uₗ² by uᵢ gives 2uᵢ).
    """
    used: set[str] = set()
    return sp.sympify(_derive(expr, var, used)), frozenset(used)


def _derive(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    if expr == var:
        return sp.S.One
    if not _depends(expr, var):
        return sp.S.Zero
    handler = _STRUCTURE.get(type(expr))
    if handler is not None:
        return handler(expr, var, used)
    rule = FUNCTION_RULES.get(type(expr))
    if rule is None or len(expr.args) != 1:
        raise UnknownOperator(f"no rule for {type(expr).__name__}")
    used.add(rule.because)
    (arg,) = expr.args
    return rule.derivative(arg) * _derive(arg, var, used)


def _add(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    return sp.Add(*(_derive(term, var, used) for term in expr.args))


def _mul(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    factors = expr.args
    terms = []
    for index, factor in enumerate(factors):
        inner = _derive(factor, var, used)
        if inner != 0:
            terms.append(sp.Mul(*factors[:index], inner, *factors[index + 1 :]))
    return sp.Add(*terms)


def _pow(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    base, exponent = expr.args
    if _depends(exponent, var):
        raise UnknownOperator("a power whose exponent depends on the variable")
    used.add(POWER_RULE)
    return exponent * base ** (exponent - 1) * _derive(base, var, used)


def _sum(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    body, (index, low, high) = expr.args[0], expr.args[1]
    position, size = _index_of(var)
    if position is None or sp.simplify(high - low + 1 - size) != 0:
        return sp.Sum(_derive(body, var, used), (index, low, high))
    used.add(SUM_RULE)
    return _derive(body.xreplace({index: position}), var, used)


def _entry(expr: sp.Basic, var: sp.Basic, used: set[str]) -> sp.Expr:
    """Another entry of var's matrix (uₗ by uᵢ, l ≠ i): independent of it."""
    return sp.S.Zero


_STRUCTURE: dict[type, Callable[[sp.Basic, sp.Basic, set[str]], sp.Expr]] = {
    sp.Add: _add,
    sp.Mul: _mul,
    sp.Pow: _pow,
    sp.Sum: _sum,
    MatrixElement: _entry,
}


def _depends(expr: sp.Basic, var: sp.Basic) -> bool:
    """Whether expr holds var (an entry counts as the same entry whatever the dummy
    name of a summation index that will be set to var's index)."""
    if isinstance(var, MatrixElement):
        return any(isinstance(e, MatrixElement) and e.parent == var.parent for e in _atoms(expr))
    return bool(expr.has(var))


def _atoms(expr: sp.Basic) -> list[sp.Basic]:
    return list(sp.preorder_traversal(expr))


def _index_of(var: sp.Basic) -> tuple[sp.Basic | None, sp.Basic]:
    """The free index of an entry and the size it runs to: (i, m) for uᵢ (an m×1
    column), (j, n) for βⱼ (a 1×n row); (None, 1) for a scalar."""
    if not isinstance(var, MatrixElement):
        return None, sp.S.One
    rows, cols = var.parent.shape
    return (var.j, cols) if rows == 1 else (var.i, rows)
