"""The article's 19 steps, each computed from the model with SymPy.

Steps 1-10 state the model (declarations and definitions); steps 11-19 are calculus:
every right-hand side there comes out of a SymPy operation (`diff`, a matrix product of
computed factors, substitution into the update rule), never typed in. The steps are the
data of derivation.py; printing and checking happen in later packages.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.sets import MatrixSet

from derive.core.i18n import N_, gettext
from derive.math.matcalc import MatrixDerivative, matrix_derivative, orient, shape_of
from derive.math.printing import text
from derive.models.linear import Model, Scale, build_model
from derive.models.notation import fill_text
from derive.steps.derivation import Derivation, Relation, Step


@dataclass(frozen=True)
class Calculus:
    """The results SymPy computes, in the order the derivation needs them."""

    outer: sp.MatrixExpr  # ∂J/∂u
    outer_entry: sp.Expr  # ∂J/∂uᵢ
    inner_alpha: sp.MatrixExpr  # ∂u/∂α
    inner_alpha_entry: sp.Expr  # ∂uᵢ/∂α
    inner_beta: sp.MatrixExpr  # ∂u/∂β, the Jacobian
    inner_beta_entry: sp.Expr  # ∂uᵢ/∂βⱼ
    grad_alpha: sp.MatrixExpr  # ∂J/∂α as a 1×1 product
    grad_alpha_sum: sp.Expr  # ∂J/∂α as a sum over the examples
    grad_beta: sp.MatrixExpr  # ∂J/∂β, a 1×n row
    grad_beta_entry: sp.Expr  # ∂J/∂βⱼ
    rule_alpha: sp.Expr
    rule_beta: sp.MatrixExpr
    update_alpha: sp.Expr
    update_beta: sp.MatrixExpr


def compute(model: Model) -> Calculus:
    """Differentiate, multiply by the chain rule, and substitute into the update rule."""
    M = model
    u_full = sp.MatAdd(M.y, -M.prediction)  # u with ŷ written out, for ∂/∂α and ∂/∂β
    outer = matrix_derivative(M.cost_in_u, M.u)
    inner_alpha = matrix_derivative(u_full, M.alpha)
    inner_beta = matrix_derivative(u_full, M.beta)
    grad_alpha = orient(inner_alpha.T * outer)
    grad_beta = (outer.T * inner_beta).doit()
    rule_alpha = M.alpha - M.eta * sp.Derivative(M.J, M.alpha, evaluate=False)
    rule_beta = sp.MatAdd(M.beta, -M.eta * MatrixDerivative(M.J, M.beta))
    grad_alpha_sum = grad_alpha.xreplace({M.u: M.error})[0, 0]
    return Calculus(
        outer=outer,
        outer_entry=matrix_derivative(M.cost_in_u[0, 0], M.u[M.i, 0]),
        inner_alpha=inner_alpha,
        inner_alpha_entry=matrix_derivative(u_full[M.i, 0], M.alpha),
        inner_beta=inner_beta,
        inner_beta_entry=matrix_derivative(u_full[M.i, 0], M.beta[0, M.j]),
        grad_alpha=grad_alpha,
        grad_alpha_sum=grad_alpha_sum,
        grad_beta=grad_beta,
        grad_beta_entry=grad_beta[0, M.j],
        rule_alpha=rule_alpha,
        rule_beta=rule_beta,
        update_alpha=rule_alpha.xreplace({sp.Derivative(M.J, M.alpha): grad_alpha_sum}),
        update_beta=rule_beta.xreplace({MatrixDerivative(M.J, M.beta): grad_beta}).doit(),
    )


def derivation(scale: Scale | str = Scale.MEAN) -> Derivation:
    """The 19 steps for the cost J = c·Σ(yᵢ − ŷᵢ)² with c = 1/m (default) or 1/(2m)."""
    model = build_model(scale)
    calc = compute(model)
    steps = tuple(build(model, calc) for build in _BUILDERS)
    return Derivation(model=model, steps=steps)


def _step(
    model: Model,
    number: int,
    key: str,
    heading: str,
    relations: tuple[Relation, ...],
    source_shape: tuple[object, object],
    shape_note: str | None = None,
    shown: int = 0,
) -> Step:
    """A step whose shape is that of its relation number `shown` (the first by default)."""
    return Step(
        number=number,
        key=key,
        heading=heading,
        title=fill_text(gettext(heading), model, text),
        relations=relations,
        shape=relations[shown].shape,
        source_shape=(sp.sympify(source_shape[0]), sp.sympify(source_shape[1])),
        note_template=shape_note,
        shape_note=None if shape_note is None else fill_text(gettext(shape_note), model, text),
    )


def _declare(symbol: sp.Basic) -> Relation:
    space = sp.S.Reals if shape_of(symbol) == (1, 1) else MatrixSet(*shape_of(symbol), sp.S.Reals)
    return Relation(symbol, "in", space)


def _entry(matrix: sp.MatrixExpr, model: Model) -> sp.Basic:
    """The generic entry of a column or row (uᵢ, βⱼ) or matrix (Xᵢⱼ)."""
    rows, cols = matrix.shape
    return matrix[model.i if rows != 1 else 0, model.j if cols != 1 else 0]


def _inputs(M: Model, c: Calculus) -> Step:
    """X holds m examples (rows) of n features (columns)."""
    return _step(M, 1, "inputs", N_("The input matrix"), (_declare(M.X),), (M.m, M.n))


def _targets(M: Model, c: Calculus) -> Step:
    """y holds the m expected outputs, one per example."""
    return _step(M, 2, "targets", N_("The expected outputs"), (_declare(M.y),), (M.m, 1))


def _bias(M: Model, c: Calculus) -> Step:
    """α is a single number added to every prediction."""
    return _step(M, 3, "bias", N_("The bias"), (_declare(M.alpha),), (1, 1))


def _weights(M: Model, c: Calculus) -> Step:
    """β is a row of n weights, one per feature."""
    return _step(M, 4, "weights", N_("The weights"), (_declare(M.beta),), (1, M.n))


def _prediction(M: Model, c: Calculus) -> Step:
    """ŷ = α·1 + Xβᵀ: β is transposed so that the product is conformable."""
    relations = (
        Relation(M.yhat, "=", M.prediction),
        Relation(_entry(M.yhat, M), "=", M.prediction[M.i, 0]),
    )
    return _step(M, 5, "prediction", N_("The prediction"), relations, (M.m, 1))


def _cost(M: Model, c: Calculus) -> Step:
    """J = c·Σᵢ (yᵢ − ŷᵢ)²: the mean of the squared errors (halved under 1/(2m))."""
    relations = (
        Relation(M.J, "=", M.coefficient * sp.Sum(M.error[M.i, 0] ** 2, (M.i, 0, M.m - 1))),
        Relation(M.J, "=", sp.MatMul(M.coefficient, sp.Transpose(M.error), M.error)),
    )
    return _step(M, 6, "cost", N_("The cost function"), relations, (1, 1))


def _update_rule(M: Model, c: Calculus) -> Step:
    """θ ← θ − η ∂J/∂θ: each parameter moves against its gradient."""
    relations = (Relation(M.alpha, "<-", c.rule_alpha), Relation(M.beta, "<-", c.rule_beta))
    note = N_("The rule for {alpha} is 1×1; the shape shown is that of the rule for {beta}.")
    return _step(
        M, 7, "update-rule", N_("The gradient descent update"), relations, (1, M.n), note, 1
    )


def _aim(M: Model, c: Calculus) -> Step:
    """The first goal is ∂J/∂α, a single number like α itself."""
    relations = (Relation(sp.Derivative(M.J, M.alpha, evaluate=False), "in", sp.S.Reals),)
    return _step(
        M, 8, "aim-alpha", N_("The goal: the derivative with respect to {alpha}"), relations, (1, 1)
    )


def _error(M: Model, c: Calculus) -> Step:
    """u = y − ŷ names the error vector, so that the cost is a function of u alone."""
    relations = (
        Relation(M.u, "=", M.error),
        Relation(_entry(M.u, M), "=", M.error[M.i, 0]),
    )
    return _step(M, 9, "error", N_("The error vector"), relations, (M.m, 1))


def _cost_in_error(M: Model, c: Calculus) -> Step:
    """Substituting u into the cost: J = c·Σᵢ uᵢ² = c·uᵀu."""
    in_sum = _cost(M, c).relations[0].rhs.xreplace({M.error[M.i, 0]: M.u[M.i, 0]})
    relations = (Relation(M.J, "=", in_sum), Relation(M.J, "=", M.cost_in_u))
    return _step(M, 10, "cost-in-error", N_("The cost in terms of the error"), relations, (1, 1))


def _chain_rule_alpha(M: Model, c: Calculus) -> Step:
    """∂J/∂α = Σᵢ (∂J/∂uᵢ)(∂uᵢ/∂α), or in matrix form (∂u/∂α)ᵀ (∂J/∂u)."""
    term = sp.Derivative(M.J, M.u[M.i, 0], evaluate=False) * sp.Derivative(
        M.u[M.i, 0], M.alpha, evaluate=False
    )
    matrix_form = sp.MatMul(MatrixDerivative(M.u, M.alpha).T, MatrixDerivative(M.J, M.u))
    relations = (
        Relation(sp.Derivative(M.J, M.alpha, evaluate=False), "=", sp.Sum(term, (M.i, 0, M.m - 1))),
        Relation(sp.Derivative(M.J, M.alpha, evaluate=False), "=", matrix_form),
    )
    note = N_(
        "The source article gives the shape (m, 1): that is the column of the m per-example "
        "terms before they are summed; their sum {dJ_dalpha} is 1×1."
    )
    return _step(
        M, 11, "chain-rule-alpha", N_("The chain rule for {alpha}"), relations, (M.m, 1), note
    )


def _outer_factor(M: Model, c: Calculus) -> Step:
    """∂J/∂u = 2c·u: the derivative of a sum of squares, computed by SymPy."""
    relations = (
        Relation(MatrixDerivative(M.J, M.u), "=", c.outer),
        Relation(sp.Derivative(M.J, M.u[M.i, 0], evaluate=False), "=", c.outer_entry),
    )
    return _step(M, 12, "outer-factor", N_("The outer factor {dJ_du}"), relations, (M.m, 1))


def _inner_factor_alpha(M: Model, c: Calculus) -> Step:
    """∂uᵢ/∂α = −1: the bias enters every prediction with weight one."""
    relations = (
        Relation(sp.Derivative(M.u[M.i, 0], M.alpha, evaluate=False), "=", c.inner_alpha_entry),
        Relation(MatrixDerivative(M.u, M.alpha), "=", c.inner_alpha),
    )
    note = N_(
        "The source article gives (1, 1), the shape of each entry; the whole {du_dalpha} "
        "has one entry per example, m×1."
    )
    title = N_("The inner factor {du_dalpha}")
    return _step(M, 13, "inner-factor-alpha", title, relations, (1, 1), note, shown=1)


def _gradient_alpha(M: Model, c: Calculus) -> Step:
    """∂J/∂α = (∂u/∂α)ᵀ(∂J/∂u) = −2c·1ᵀu: the chain-rule product, computed."""
    relations = (
        Relation(sp.Derivative(M.J, M.alpha, evaluate=False), "=", c.grad_alpha),
        Relation(sp.Derivative(M.J, M.alpha, evaluate=False), "=", c.grad_alpha_sum),
    )
    note = N_(
        "The source article gives the shape (m, 1): that is the column of the m errors "
        "before they are added up; the gradient itself is 1×1."
    )
    return _step(
        M,
        14,
        "gradient-alpha",
        N_("The gradient with respect to {alpha}"),
        relations,
        (M.m, 1),
        note,
    )


def _chain_rule_beta(M: Model, c: Calculus) -> Step:
    """∂J/∂β = (∂J/∂u)ᵀ(∂u/∂β), or entry by entry ∂J/∂βⱼ = Σᵢ (∂J/∂uᵢ)(∂uᵢ/∂βⱼ)."""
    beta_j = _entry(M.beta, M)
    term = sp.Derivative(M.J, M.u[M.i, 0], evaluate=False) * sp.Derivative(
        M.u[M.i, 0], beta_j, evaluate=False
    )
    relations = (
        Relation(
            MatrixDerivative(M.J, M.beta),
            "=",
            sp.MatMul(MatrixDerivative(M.J, M.u).T, MatrixDerivative(M.u, M.beta)),
        ),
        Relation(sp.Derivative(M.J, beta_j, evaluate=False), "=", sp.Sum(term, (M.i, 0, M.m - 1))),
    )
    return _step(M, 15, "chain-rule-beta", N_("The chain rule for {beta}"), relations, (1, M.n))


def _inner_factor_beta(M: Model, c: Calculus) -> Step:
    """∂u/∂β = −X: the Jacobian of the error with respect to the weights."""
    relations = (
        Relation(MatrixDerivative(M.u, M.beta), "=", c.inner_beta),
        Relation(
            sp.Derivative(M.u[M.i, 0], _entry(M.beta, M), evaluate=False), "=", c.inner_beta_entry
        ),
    )
    return _step(
        M, 16, "inner-factor-beta", N_("The inner factor {du_dbeta}"), relations, (M.m, M.n)
    )


def _gradient_beta(M: Model, c: Calculus) -> Step:
    """∂J/∂β = (∂J/∂u)ᵀ(∂u/∂β) = −2c·uᵀX: the chain-rule product, computed."""
    relations = (
        Relation(MatrixDerivative(M.J, M.beta), "=", c.grad_beta),
        Relation(sp.Derivative(M.J, _entry(M.beta, M), evaluate=False), "=", c.grad_beta_entry),
    )
    return _step(
        M, 17, "gradient-beta", N_("The gradient with respect to {beta}"), relations, (1, M.n)
    )


def _update_alpha(M: Model, c: Calculus) -> Step:
    """The gradient of step 14 substituted into the rule of step 7."""
    relations = (Relation(M.alpha, "<-", c.update_alpha, means=c.rule_alpha),)
    return _step(M, 18, "update-alpha", N_("The update of {alpha}"), relations, (1, 1))


def _update_beta(M: Model, c: Calculus) -> Step:
    """The gradient of step 17 substituted into the rule of step 7."""
    shown = c.update_beta.xreplace({M.u: M.error})
    relations = (Relation(M.beta, "<-", shown, means=c.rule_beta),)
    return _step(M, 19, "update-beta", N_("The update of {beta}"), relations, (1, M.n))


_BUILDERS = (
    _inputs,
    _targets,
    _bias,
    _weights,
    _prediction,
    _cost,
    _update_rule,
    _aim,
    _error,
    _cost_in_error,
    _chain_rule_alpha,
    _outer_factor,
    _inner_factor_alpha,
    _gradient_alpha,
    _chain_rule_beta,
    _inner_factor_beta,
    _gradient_beta,
    _update_alpha,
    _update_beta,
)
