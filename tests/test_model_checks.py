"""The three checks of a model's steps accept the textbook relations and reject wrong ones.

The models (logistic, poisson, ridge, neuron, weighted least squares) are built here by
hand as ModelSpecs, and their relations written by hand from DESIGN.md's table, so that
the checks are tested against neither the description reader nor the planner. At the end,
the symbolic route's zero test on sums alone, and variants of the mse description read and
planned, checked as `derive steps --model` checks them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix, Symbol
from sympy.matrices.expressions.sets import MatrixSet

from derive.math.entrywise import AsMatrix, Entrywise, HeldDerivative, SquaredNorm
from derive.math.functions import Sigmoid
from derive.math.matcalc import MatrixDerivative
from derive.models.catalog import builtin_text, read_description
from derive.models.spec import Intermediate, ModelSpec, Prose, Quantity
from derive.steps.derivation import Derivation, Relation
from derive.steps.plan import plan
from derive.verify.model_numeric import PARAMETER_RANGE, NumericModelRoute, sample
from derive.verify.model_routes import (
    MODEL_EXPLICIT_SIZES,
    MODEL_NUMERIC_SIZES,
    MODEL_ROUTES,
    MODEL_TOLERANCE,
    Route,
    model_route,
)
from derive.verify.model_sums import is_zero
from derive.verify.routes import CheckFailed
from derive.verify.step_checks import check_derivation

m, n = sp.symbols("m n", integer=True, positive=True)
i = Symbol("i", integer=True, nonnegative=True)
j = Symbol("j", integer=True, nonnegative=True)
J = Symbol("J", real=True)
eta = Symbol("eta", positive=True)
X = MatrixSymbol("X", m, n)
y = MatrixSymbol("y", m, 1)
w = MatrixSymbol("w", m, 1)
alpha = Symbol("alpha", real=True)
beta = MatrixSymbol("beta", 1, n)
lam = Symbol("lambda", real=True)
z, p, u, mu = (MatrixSymbol(name, m, 1) for name in ("z", "p", "u", "mu"))
ones = OneMatrix(m, 1)
linear = alpha * ones + X * beta.T


def d(of: sp.Basic, wrt: sp.Basic) -> sp.Derivative:
    return sp.Derivative(of, wrt, evaluate=False)


def total(body: sp.Basic) -> sp.Sum:
    return sp.Sum(body, (i, 0, m - 1))


@dataclasses.dataclass(frozen=True)
class Case:
    """A model, its relations by name, and its wrong relations by name."""

    spec: ModelSpec
    relations: dict[str, Relation]
    wrong: dict[str, Relation]


def _spec(
    key: str,
    data: tuple[Quantity, ...],
    intermediates: tuple[tuple[sp.Basic, sp.Basic], ...],
    cost: sp.Basic,
    constants: tuple[Quantity, ...] = (),
) -> ModelSpec:
    return ModelSpec(
        key=key,
        title=Prose(key),
        m=m,
        n=n,
        data=data,
        parameters=(Quantity("alpha", alpha, "parameter"), Quantity("beta", beta, "parameter")),
        constants=constants,
        intermediates=tuple(
            Intermediate(s.name, s, definition, str(definition)) for s, definition in intermediates
        ),
        cost=cost,
        cost_source=str(cost),
    )


def _data(y_kind: str, weights: bool = False) -> tuple[Quantity, ...]:
    found = (Quantity("X", X, "data"), Quantity("y", y, "data", y_kind))
    return (*found, Quantity("w", w, "data", "positive")) if weights else found


def _declare(symbol: sp.Basic) -> Relation:
    rows, cols = symbol.shape if isinstance(symbol, MatrixSymbol) else (1, 1)
    return Relation(
        symbol, "in", sp.S.Reals if (rows, cols) == (1, 1) else MatrixSet(rows, cols, sp.S.Reals)
    )


def _common(
    spec: ModelSpec,
    dz: sp.Basic,
    paths: sp.Basic,
    dz_entry: sp.Basic,
    grad: sp.Basic,
    penalty: sp.Basic | None = None,
) -> dict[str, Relation]:
    """The relations every model has: declarations, definitions, cost, rule, goals, the
    chain rule to z, the product, and both parameters' chain rule, factors and gradients."""
    found: dict[str, Relation] = {}
    for quantity in spec.declared:
        found[f"declare-{quantity.name}"] = _declare(quantity.symbol)
    for item in spec.intermediates:
        found[f"define-{item.name}"] = Relation(item.symbol, "=", item.definition)
        found[f"define-{item.name}-entry"] = Relation(item.symbol[i, 0], "=", item.definition[i, 0])
    dz_beta = MatrixDerivative(z, beta)
    grad_entry = grad[0, j]
    rule_beta = sp.MatAdd(beta, -eta * MatrixDerivative(J, beta))
    rule_alpha = alpha - eta * d(J, alpha)
    grad_alpha = total(dz_entry)
    found |= {
        "cost": Relation(J, "=", spec.cost),
        "cost-entry": Relation(J, "=", spec.cost[0, 0]),
        "rule-alpha": Relation(alpha, "<-", rule_alpha),
        "rule-beta": Relation(beta, "<-", rule_beta),
        "goal-alpha": Relation(d(J, alpha), "in", sp.S.Reals),
        "goal-beta": Relation(MatrixDerivative(J, beta), "in", MatrixSet(1, n, sp.S.Reals)),
        "chain-z": Relation(d(J, z[i, 0]), "=", paths),
        "product-z": Relation(d(J, z[i, 0]), "=", dz_entry),
        "product-z-matrix": Relation(MatrixDerivative(J, z), "=", dz),
        "chain-alpha": Relation(d(J, alpha), "=", total(d(J, z[i, 0]) * d(z[i, 0], alpha))),
        "inner-alpha": Relation(d(z[i, 0], alpha), "=", sp.Integer(1)),
        "inner-alpha-matrix": Relation(MatrixDerivative(z, alpha), "=", ones),
        "chain-alpha-matrix": Relation(
            d(J, alpha), "=", MatrixDerivative(J, z).T * MatrixDerivative(z, alpha)
        ),
        "gradient-alpha": Relation(d(J, alpha), "=", grad_alpha),
        "gradient-alpha-matrix": Relation(d(J, alpha), "=", ones.T * dz),
        "update-alpha": Relation(alpha, "<-", alpha - eta * grad_alpha, means=rule_alpha),
        "inner-beta": Relation(dz_beta, "=", X),
        "inner-beta-entry": Relation(d(z[i, 0], beta[0, j]), "=", X[i, j]),
        "gradient-beta": Relation(MatrixDerivative(J, beta), "=", grad),
        "gradient-beta-entry": Relation(d(J, beta[0, j]), "=", grad_entry),
        "update-beta": Relation(beta, "<-", sp.MatAdd(beta, -eta * grad), means=rule_beta),
    }
    chain_entry = total(d(J, z[i, 0]) * d(z[i, 0], beta[0, j]))
    chain = MatrixDerivative(J, z).T * dz_beta
    if penalty is not None:
        chain_entry += d(penalty[0, 0], beta[0, j])
        chain += MatrixDerivative(penalty, beta)
    found["chain-beta"] = Relation(MatrixDerivative(J, beta), "=", chain)
    found["chain-beta-entry"] = Relation(d(J, beta[0, j]), "=", chain_entry)
    return found


def _rule_beta() -> sp.Basic:
    return sp.MatAdd(beta, -eta * MatrixDerivative(J, beta))


def _wrong_update(grad: sp.Basic) -> Relation:
    """β moved up the gradient instead of down."""
    return Relation(beta, "<-", sp.MatAdd(beta, eta * grad), means=_rule_beta())


def logistic() -> Case:
    """Cross-entropy of sigmoid(z): its derivative p(1 − p) meets the logs, leaving p − y."""
    cost = -(y.T * Entrywise("log", p) + (ones - y).T * Entrywise("log", ones - p)) / m
    spec = _spec("logistic", _data("binary"), ((z, linear), (p, Entrywise("sigmoid", z))), cost)
    grad = (p - y).T * X / m
    relations = _common(
        spec,
        dz=(p - y) / m,
        paths=d(J, p[i, 0]) * d(p[i, 0], z[i, 0]),
        dz_entry=(p[i, 0] - y[i, 0]) / m,
        grad=grad,
    )
    relations["local-p"] = Relation(
        d(J, p[i, 0]), "=", -(y[i, 0] / p[i, 0] - (1 - y[i, 0]) / (1 - p[i, 0])) / m
    )
    relations["local-sigmoid"] = Relation(d(p[i, 0], z[i, 0]), "=", p[i, 0] * (1 - p[i, 0]))
    wrong = {
        "lost-sigmoid-derivative": Relation(d(p[i, 0], z[i, 0]), "=", p[i, 0]),
        "lost-sigmoid-derivative-in-product": Relation(d(J, z[i, 0]), "=", d(J, p[i, 0])),
        "dropped-inner-X": Relation(d(J, beta[0, j]), "=", total((p[i, 0] - y[i, 0]) / m)),
        "flipped-sign": Relation(MatrixDerivative(J, beta), "=", (y - p).T * X / m),
        "no-transpose": Relation(MatrixDerivative(J, beta), "=", (p - y) * X / m),
        "broadcast": Relation(MatrixDerivative(J, z), "=", (p - y.T) / m),
        "goal-shape": Relation(MatrixDerivative(J, beta), "in", MatrixSet(n, 1, sp.S.Reals)),
        "rule-sign": Relation(alpha, "<-", alpha + eta * d(J, alpha)),
        "update-sign": _wrong_update(grad),
    }
    return Case(spec, relations, wrong)


def poisson() -> Case:
    """J depends on z through μ = exp(z) and directly: (∂J/∂zᵢ)|_μ is a path of its own."""
    cost = ones.T * (mu - HadamardProduct(y, z)) / m
    spec = _spec("poisson", _data("counts"), ((z, linear), (mu, Entrywise("exp", z))), cost)
    held = HeldDerivative(J, z[i, 0], (mu,))
    grad = (mu - y).T * X / m
    relations = _common(
        spec,
        dz=(mu - y) / m,
        paths=d(J, mu[i, 0]) * d(mu[i, 0], z[i, 0]) + held,
        dz_entry=(mu[i, 0] - y[i, 0]) / m,
        grad=grad,
    )
    relations["local-mu"] = Relation(d(J, mu[i, 0]), "=", 1 / m)
    relations["local-exp"] = Relation(d(mu[i, 0], z[i, 0]), "=", mu[i, 0])
    relations["local-held"] = Relation(held, "=", -y[i, 0] / m)
    wrong = {
        "lost-held-path": Relation(d(J, z[i, 0]), "=", d(J, mu[i, 0]) * d(mu[i, 0], z[i, 0])),
        "held-as-total": Relation(d(J, z[i, 0]), "=", -y[i, 0] / m),
        "dropped-inner-X": Relation(d(J, beta[0, j]), "=", total((mu[i, 0] - y[i, 0]) / m)),
        "flipped-sign": Relation(MatrixDerivative(J, beta), "=", (y - mu).T * X / m),
        "no-transpose": Relation(MatrixDerivative(J, beta), "=", (mu - y) * X / m),
        "update-sign": _wrong_update(grad),
    }
    return Case(spec, relations, wrong)


def ridge() -> Case:
    """MSE plus λββᵀ: the penalty adds 2λβ to the gradient of β and nothing to α's."""
    penalty = lam * beta * beta.T
    cost = u.T * u / m + penalty
    constants = (Quantity("lambda", lam, "constant", default=sp.Rational(1, 10)),)
    spec = _spec("ridge", _data("real"), ((z, linear), (u, y - z)), cost, constants)
    grad = -2 * u.T * X / m + 2 * lam * beta
    relations = _common(
        spec,
        dz=-2 * u / m,
        paths=d(J, u[i, 0]) * d(u[i, 0], z[i, 0]),
        dz_entry=-2 * u[i, 0] / m,
        grad=grad,
        penalty=penalty,
    )
    relations["local-u"] = Relation(d(J, u[i, 0]), "=", 2 * u[i, 0] / m)
    relations["local-minus"] = Relation(d(u[i, 0], z[i, 0]), "=", sp.Integer(-1))
    relations["penalty"] = Relation(MatrixDerivative(penalty, beta), "=", 2 * lam * beta)
    wrong = {
        "missing-penalty": Relation(MatrixDerivative(J, beta), "=", -2 * u.T * X / m),
        "missing-penalty-entry": Relation(d(J, beta[0, j]), "=", -2 * total(u[i, 0] * X[i, j]) / m),
        "penalty-on-alpha": Relation(d(J, alpha), "=", total(-2 * u[i, 0] / m) + 2 * lam * alpha),
        "flipped-sign": Relation(MatrixDerivative(J, beta), "=", 2 * u.T * X / m + 2 * lam * beta),
        "no-transpose": Relation(
            MatrixDerivative(J, beta), "=", sp.MatMul(-2 / m, u, X) + 2 * lam * beta
        ),
        "update-sign": _wrong_update(grad),
    }
    return Case(spec, relations, wrong)


def neuron() -> Case:
    """MSE of sigmoid(z): the factor p ∘ (𝟏 − p) stays in the gradient."""
    spec = _spec(
        "neuron",
        _data("real"),
        ((z, linear), (p, Entrywise("sigmoid", z)), (u, y - p)),
        SquaredNorm(u) / m,
    )
    h = HadamardProduct(u, p, ones - p)
    grad = -2 * h.T * X / m
    relations = _common(
        spec,
        dz=-2 * h / m,
        paths=d(J, u[i, 0]) * d(u[i, 0], p[i, 0]) * d(p[i, 0], z[i, 0]),
        dz_entry=-2 * u[i, 0] * p[i, 0] * (1 - p[i, 0]) / m,
        grad=grad,
    )
    relations["local-u"] = Relation(d(J, u[i, 0]), "=", 2 * u[i, 0] / m)
    relations["local-minus"] = Relation(d(u[i, 0], p[i, 0]), "=", sp.Integer(-1))
    relations["local-sigmoid"] = Relation(d(p[i, 0], z[i, 0]), "=", p[i, 0] * (1 - p[i, 0]))
    wrong = {
        "lost-sigmoid-derivative": Relation(MatrixDerivative(J, beta), "=", -2 * u.T * X / m),
        "lost-sigmoid-derivative-entry": Relation(d(J, z[i, 0]), "=", -2 * u[i, 0] / m),
        "dropped-inner-X": Relation(
            d(J, beta[0, j]), "=", total(-2 * u[i, 0] * p[i, 0] * (1 - p[i, 0]) / m)
        ),
        "flipped-sign": Relation(MatrixDerivative(J, beta), "=", 2 * h.T * X / m),
        "no-transpose": Relation(MatrixDerivative(J, beta), "=", sp.MatMul(-2 / m, h, X)),
        "update-sign": _wrong_update(grad),
    }
    return Case(spec, relations, wrong)


def weighted() -> Case:
    """Weighted least squares: each squared error counts wᵢ times."""
    spec = _spec(
        "weighted",
        _data("real", weights=True),
        ((z, linear), (u, y - z)),
        ones.T * HadamardProduct(w, u, u) / m,
    )
    grad = -2 * HadamardProduct(w, u).T * X / m
    relations = _common(
        spec,
        dz=-2 * HadamardProduct(w, u) / m,
        paths=d(J, u[i, 0]) * d(u[i, 0], z[i, 0]),
        dz_entry=-2 * w[i, 0] * u[i, 0] / m,
        grad=grad,
    )
    relations["local-u"] = Relation(d(J, u[i, 0]), "=", 2 * w[i, 0] * u[i, 0] / m)
    relations["local-minus"] = Relation(d(u[i, 0], z[i, 0]), "=", sp.Integer(-1))
    wrong = {
        "lost-weight": Relation(d(J, u[i, 0]), "=", 2 * u[i, 0] / m),
        "dropped-inner-X": Relation(d(J, beta[0, j]), "=", total(-2 * w[i, 0] * u[i, 0] / m)),
        "flipped-sign": Relation(MatrixDerivative(J, beta), "=", -grad),
        "no-transpose": Relation(
            MatrixDerivative(J, beta), "=", sp.MatMul(-2 / m, HadamardProduct(w, u), X)
        ),
        "update-sign": _wrong_update(grad),
    }
    return Case(spec, relations, wrong)


CASES: dict[str, Callable[[], Case]] = {
    "logistic": logistic,
    "poisson": poisson,
    "ridge": ridge,
    "neuron": neuron,
    "weighted": weighted,
}


@functools.cache
def case(key: str) -> Case:
    return CASES[key]()


@functools.cache
def route(key: str, name: str) -> Route:
    """One route per model, kept across tests as the wiring keeps it across steps."""
    return model_route(case(key).spec, name)


def _failures(checker: Route, relations: dict[str, Relation]) -> dict[str, str]:
    failures = {}
    for label, relation in relations.items():
        try:
            checker.check(relation, relation.shape)
        except Exception as error:  # any failure is reported by name, with its reason
            failures[label] = f"{type(error).__name__}: {error}"
    return failures


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize("key", CASES)
def test_every_route_accepts_the_textbook_relations(key: str, name: str) -> None:
    relations = case(key).relations
    assert len(relations) >= 25
    assert _failures(route(key, name), relations) == {}


WRONG = [(key, label) for key in CASES for label in CASES[key]().wrong]


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize(("key", "label"), WRONG)
def test_every_route_rejects_each_wrong_relation(key: str, label: str, name: str) -> None:
    relation = case(key).wrong[label]
    with pytest.raises(CheckFailed):
        route(key, name).check(relation, relation.shape)


@pytest.mark.parametrize("name", MODEL_ROUTES)
def test_a_product_without_its_transpose_is_rejected_for_its_shape(name: str) -> None:
    relation = case("logistic").wrong["no-transpose"]
    with pytest.raises(CheckFailed, match=r"multiply m×1 by m×n|not conformable at m = "):
        route("logistic", name).check(relation, relation.shape)


# The entrywise functions a model may use, and the derivative of each, with h = f(z).
DERIVATIVES: dict[str, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    "exp": lambda h, t: h,
    "sigmoid": lambda h, t: h * (1 - h),
    "tanh": lambda h, t: 1 - h**2,
    "softplus": lambda h, t: Sigmoid(t),
    "square": lambda h, t: 2 * t,
}


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize("function", DERIVATIVES)
def test_every_route_differentiates_each_entrywise_function(function: str, name: str) -> None:
    h = MatrixSymbol("h", m, 1)
    spec = _spec(
        function, _data("real"), ((z, linear), (h, Entrywise(function, z))), ones.T * h / m
    )
    local = DERIVATIVES[function](h[i, 0], z[i, 0])
    gradient = total(local * X[i, j]) / m
    right = {
        "local": Relation(d(h[i, 0], z[i, 0]), "=", local),
        "gradient-entry": Relation(d(J, beta[0, j]), "=", gradient),
    }
    checker = model_route(spec, name)
    assert _failures(checker, right) == {}
    wrong = {
        "local": Relation(d(h[i, 0], z[i, 0]), "=", 2 * local),
        "gradient-entry": Relation(d(J, beta[0, j]), "=", total(local) / m),
    }
    assert set(_failures(checker, wrong)) == set(wrong)


@pytest.mark.parametrize("name", MODEL_ROUTES)
def test_every_route_reads_an_entrywise_power(name: str) -> None:
    """J = (1/m) 𝟏ᵀ(u∘²), the squares written as a Hadamard power."""
    cost = ones.T * sp.HadamardPower(u, 2) / m
    spec = _spec("power", _data("real"), ((z, linear), (u, y - z)), cost)
    right = {
        "outer": Relation(MatrixDerivative(J, u), "=", 2 * u / m),
        "gradient": Relation(d(J, beta[0, j]), "=", -2 * total(u[i, 0] * X[i, j]) / m),
    }
    checker = model_route(spec, name)
    assert _failures(checker, right) == {}
    wrong = {"outer": Relation(MatrixDerivative(J, u), "=", u / m)}
    assert set(_failures(checker, wrong)) == set(wrong)


r = Symbol("r", real=True)


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize("form", ["matrix", "scalar"])
def test_a_named_scalar_is_expanded_or_kept_like_any_name(form: str, name: str) -> None:
    """r = λββᵀ, a 1×1 intermediate (a Symbol), added to the cost as AsMatrix(r)."""
    penalty = lam * beta * beta.T
    constants = (Quantity("lambda", lam, "constant", default=sp.Rational(1, 10)),)
    definition = penalty if form == "matrix" else penalty[0, 0]
    spec = _spec(
        "ridge-named",
        _data("real"),
        ((z, linear), (u, y - z), (r, definition)),
        u.T * u / m + AsMatrix(r),
        constants,
    )
    chain = MatrixDerivative(J, z).T * MatrixDerivative(z, beta) + MatrixDerivative(
        J, r
    ) * MatrixDerivative(r, beta)
    right = {
        "define": Relation(r, "=", definition),
        "outer": Relation(d(J, r), "=", sp.Integer(1)),
        "inner": Relation(MatrixDerivative(r, beta), "=", 2 * lam * beta),
        "inner-entry": Relation(d(r, beta[0, j]), "=", 2 * lam * beta[0, j]),
        "chain": Relation(MatrixDerivative(J, beta), "=", chain),
        "gradient": Relation(MatrixDerivative(J, beta), "=", -2 * u.T * X / m + 2 * lam * beta),
    }
    checker = model_route(spec, name)
    assert _failures(checker, right) == {}
    wrong = {
        "outer": Relation(d(J, r), "=", sp.Integer(0)),
        "gradient": Relation(MatrixDerivative(J, beta), "=", -2 * u.T * X / m),
    }
    assert set(_failures(checker, wrong)) == set(wrong)


def test_numeric_data_are_of_each_kind_and_the_same_on_every_run() -> None:
    rng = np.random.default_rng(0)
    shape = (200, 1)
    draws = {
        kind: sample(Quantity("y", y, "data", kind), shape, rng)
        for kind in ("real", "binary", "counts", "positive")
    }
    assert set(np.unique(draws["binary"])) == {0.0, 1.0}
    assert np.all(draws["counts"] == np.round(draws["counts"]))
    assert draws["counts"].min() >= 0
    assert draws["positive"].min() > 0
    assert draws["real"].min() < 0 < draws["real"].max()
    weights = sample(Quantity("beta", beta, "parameter"), shape, rng)
    assert PARAMETER_RANGE[0] <= weights.min()
    assert weights.max() <= PARAMETER_RANGE[1]
    constant = Quantity("lambda", lam, "constant", default=sp.Rational(1, 10))
    assert sample(constant, (1, 1), rng) == 0.1
    first, second = (NumericModelRoute(case("poisson").spec, MODEL_NUMERIC_SIZES) for _ in range(2))
    first.begin(7, 3)
    second.begin(7, 3)
    assert first.data.keys() == second.data.keys()
    assert all(np.array_equal(first.data[k], second.data[k]) for k in first.data)


def test_the_constants_are_those_a_handout_can_state() -> None:
    assert MODEL_EXPLICIT_SIZES == ((4, 2), (5, 3), (3, 1))
    assert MODEL_NUMERIC_SIZES == ((7, 3), (5, 1))
    assert MODEL_TOLERANCE == 1e-6
    with pytest.raises(ValueError, match="unknown route"):
        model_route(case("ridge").spec, "graphical")


k, ell = (Symbol(name, integer=True, nonnegative=True) for name in ("k", "l"))
a, b = MatrixSymbol("a", m, 1), MatrixSymbol("b", n, 1)
over_m, over_n = (k, 0, m - 1), (ell, 0, n - 1)
SUMS_EQUAL = {
    "nested-and-two-ranges": sp.Sum(2 * sp.Sum(X[k, ell], over_n), over_m)
    - 2 * sp.Sum(X[k, ell], over_n, over_m),
    "ranges-in-either-order": sp.Sum(X[k, ell] * a[k, 0], over_m, over_n)
    - sp.Sum(sp.Sum(a[k, 0] * X[k, ell], over_m), over_n),
    "product-of-sums": sp.Sum(a[k, 0], over_m) * sp.Sum(3 * b[ell, 0], over_n)
    - sp.Sum(b[ell, 0] * sp.Sum(3 * a[k, 0], over_m), over_n),
    "square-of-a-sum": sp.Sum(a[k, 0], over_m) ** 2
    - sp.Sum(a[k, 0] * a[ell, 0], over_m, (ell, 0, m - 1)),
    "indices-swapped": sp.Sum(X[k, 0] * a[ell, 0], over_m, (ell, 0, m - 1))
    - sp.Sum(X[ell, 0] * a[k, 0], over_m, (ell, 0, m - 1)),
    "constant-summand": sp.Sum(alpha * sp.Sum(1, over_n), over_m) - m * n * alpha,
    "inside-a-function": Sigmoid(sp.Sum(-X[0, ell] * beta[0, ell], over_n))
    - Sigmoid(-sp.Sum(beta[0, ell] * X[0, ell], over_n)),
}
SUMS_UNEQUAL = {
    "product-is-not-the-diagonal": sp.Sum(a[k, 0], over_m) ** 2 - sp.Sum(a[k, 0] ** 2, over_m),
    "doubled": sp.Sum(2 * sp.Sum(X[k, ell], over_n), over_m) - sp.Sum(X[k, ell], over_n, over_m),
    "another-range": sp.Sum(alpha * k, over_m) - sp.Sum(alpha * k, (k, 0, n - 1)),
    "a-range-left-out": sp.Sum(alpha, over_n, over_m) - sp.Sum(alpha, over_m),
    "inside-a-function": Sigmoid(sp.Sum(X[0, ell] * beta[0, ell], over_n))
    - Sigmoid(-sp.Sum(beta[0, ell] * X[0, ell], over_n)),
}


@pytest.mark.parametrize("label", SUMS_EQUAL)
def test_equal_sums_in_any_nesting_or_order_reduce_to_zero(label: str) -> None:
    assert is_zero(SUMS_EQUAL[label])


@pytest.mark.parametrize("label", SUMS_UNEQUAL)
def test_unequal_sums_do_not_reduce_to_zero(label: str) -> None:
    assert not is_zero(SUMS_UNEQUAL[label])


PENALTY = '[constants]\nlambda = { value = "0.1", en = "the penalty", zh = "惩罚" }\n\n'


def _flipped(cost: str | None = None, penalty: bool = False) -> str:
    """The mse description with the errors u = ŷ − y, and another cost if one is given."""
    text = builtin_text("mse")
    assert text.count('"y - yhat"') == 1
    text = text.replace('"y - yhat"', '"yhat - y"')
    if cost is None:
        return text
    head = text[: text.index("[cost]")]
    if penalty:
        head = head.replace("[[intermediates]]", PENALTY + "[[intermediates]]", 1)
    return f'{head}[cost]\nvalue = "{cost}"\n'


FLIPPED = {
    "flipped": _flipped(),
    "flipped-half": _flipped("(1/(2m)) u^T u"),
    "flipped-norm": _flipped("(1/m) norm2(u) + lambda beta beta^T", penalty=True),
}


@functools.cache
def flipped(key: str) -> ModelSpec:
    return read_description(FLIPPED[key], key, "<test>")


@functools.cache
def planned(key: str) -> Derivation:
    return plan(flipped(key))


@pytest.mark.parametrize("key", FLIPPED)
def test_a_planned_model_with_the_errors_flipped_passes_every_route(key: str) -> None:
    """u = ŷ − y puts a nested sum on one side and a sum over two ranges on the other."""
    checks = check_derivation(planned(key), workers=1)
    assert {"gradient-alpha", "gradient-beta"} <= {check.key for check in checks}
    assert {check.key: check.checks for check in checks if not check.passed} == {}


MUTATIONS: dict[str, Callable[[sp.Basic], sp.Basic]] = {
    "doubled": lambda side: 2 * side,
    "negated": lambda side: -side,
}
MUTATED = [
    (key, step.key, index)
    for key in FLIPPED
    for step in planned(key).steps
    if step.key.startswith(("gradient", "update"))
    for index, relation in enumerate(step.relations)
    if relation.op != "in"
]


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize(("key", "step_key", "index"), MUTATED)
def test_a_planned_gradient_doubled_or_negated_is_rejected(
    key: str, step_key: str, index: int, mutation: str
) -> None:
    step = next(step for step in planned(key).steps if step.key == step_key)
    relation = step.relations[index]
    wrong = dataclasses.replace(relation, rhs=MUTATIONS[mutation](relation.rhs))
    checker = model_route(flipped(key), "symbolic")
    with pytest.raises(CheckFailed, match="does not reduce to zero"):
        checker.check(wrong, wrong.shape)
