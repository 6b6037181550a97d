"""The scalar functions a model may apply entry by entry, as SymPy functions.

SymPy has exp, log and tanh; the logistic function σ and softplus are defined here with
their derivatives (σ′ = σ(1 − σ), softplus′ = σ), so that SymPy's own `diff` and
`cancel` reach textbook forms and stay exact at concrete sizes (docs/sympy-notes.md).
`FUNCTIONS` is the one list of names a model file may call.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp


class Sigmoid(sp.Function):
    """σ(t) = 1/(1 + e^(−t)), the logistic function."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        value = Sigmoid(self.args[0])
        return value * (1 - value)

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class Softplus(sp.Function):
    """softplus(t) = log(1 + e^t), a smooth max(0, t)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))

    def _eval_rewrite_as_log(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real


def _square(arg: sp.Expr) -> sp.Expr:
    return arg**2


# The names a model file may apply to a vector (or a scalar), entry by entry.
FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "sigmoid": Sigmoid,
    "tanh": sp.tanh,
    "softplus": Softplus,
    "square": _square,
}
