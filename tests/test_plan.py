"""The planner: every built-in model's steps, their gradients against the textbook
table of docs/mathematics.md, mse's plan against the article's 19 steps, and what the
planner refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from sympy import HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from derive.math.matcalc import MatrixDerivative
from derive.math.printing import text
from derive.models.catalog import BUILTIN, load_model, read_description
from derive.models.linear import build_model
from derive.models.spec import ModelSpec
from derive.steps.article import compute
from derive.steps.chain import UnsupportedModel
from derive.steps.derivation import Derivation, Relation
from derive.steps.plan import plan
from derive.verify.model_routes import model_route
from derive.verify.routes import CheckFailed
from derive.verify.step_checks import ROUTES, check_derivation


@pytest.fixture(scope="module", params=BUILTIN)
def planned(request: pytest.FixtureRequest) -> Derivation:
    return plan(load_model(request.param))


def _s(spec: ModelSpec, name: str) -> sp.Basic:
    return spec.symbol(name)


def textbook(spec: ModelSpec) -> tuple[sp.Basic, sp.Basic]:
    """DESIGN.md's table, typed in by hand from the textbook: (∂J/∂α, ∂J/∂β)."""
    m, X, y = spec.m, _s(spec, "X"), _s(spec, "y")
    ones = OneMatrix(m, 1)
    if spec.key in ("mse", "ridge"):
        u = _s(spec, "u")
        grad_beta: sp.Basic = MatMul(-2 / m, Transpose(u), X)
        if spec.key == "ridge":
            grad_beta = MatAdd(grad_beta, MatMul(2 * _s(spec, "lambda"), _s(spec, "beta")))
        return MatMul(-2 / m, ones.T, u), grad_beta
    if spec.key == "logistic":
        h = MatAdd(_s(spec, "p"), -y)
    elif spec.key == "poisson":
        h = MatAdd(_s(spec, "mu"), -y)
    else:
        p, u = _s(spec, "p"), _s(spec, "u")
        h = MatMul(-2, HadamardProduct(u, p, MatAdd(ones, -p)))
    return MatMul(1 / m, ones.T, h), MatMul(1 / m, Transpose(h), X)


def equal_at_sizes(a: sp.Basic, b: sp.Basic, spec: ModelSpec) -> bool:
    for m, n in ((3, 2), (4, 3)):
        sizes = spec.sizes(m, n)
        left = sp.Matrix(a.subs(sizes).as_explicit()) if isinstance(a, sp.MatrixExpr) else a
        right = sp.Matrix(b.subs(sizes).as_explicit()) if isinstance(b, sp.MatrixExpr) else b
        if sp.simplify(sp.Matrix(left) - sp.Matrix(right)) != sp.zeros(*sp.Matrix(left).shape):
            return False
    return True


def test_every_builtin_gradient_is_the_textbooks(planned: Derivation) -> None:
    spec = planned.model
    assert isinstance(spec, ModelSpec)
    alpha, beta = textbook(spec)
    assert equal_at_sizes(planned["gradient-alpha"].relations[0].rhs, alpha, spec)
    assert equal_at_sizes(planned["gradient-beta"].relations[0].rhs, beta, spec)


def test_gradients_have_the_shapes_of_their_parameters(planned: Derivation) -> None:
    spec = planned.model
    assert isinstance(spec, ModelSpec)
    assert planned["gradient-alpha"].shape == (1, 1)
    assert planned["gradient-beta"].shape == (1, spec.n)
    assert planned["update-beta"].shape == (1, spec.n)


def test_a_wrong_textbook_form_is_not_accepted(planned: Derivation) -> None:
    # the comparison above can fail: a sign flipped is not equal
    spec = planned.model
    assert isinstance(spec, ModelSpec)
    _alpha, beta = textbook(spec)
    assert not equal_at_sizes(planned["gradient-beta"].relations[0].rhs, -beta, spec)


def test_the_plan_of_mse_reaches_the_articles_gradients() -> None:
    spec = load_model("mse")
    steps = plan(spec)
    article = compute(build_model())
    assert equal_at_sizes(steps["gradient-alpha"].relations[0].rhs, article.grad_alpha, spec)
    assert equal_at_sizes(steps["gradient-beta"].relations[0].rhs, article.grad_beta, spec)
    assert equal_at_sizes(
        steps["signal"].relations[-1].rhs, MatMul(-2 / spec.m, _s(spec, "u")), spec
    )


def test_both_scales_of_mse_and_ridge() -> None:
    for key in ("mse", "ridge"):
        spec = load_model(key, "1/(2m)")
        steps = plan(spec)
        expected = MatMul(-1 / spec.m, OneMatrix(spec.m, 1).T, _s(spec, "u"))
        assert equal_at_sizes(steps["gradient-alpha"].relations[0].rhs, expected, spec)


def test_logistic_signal_collapses_to_p_minus_y() -> None:
    spec = load_model("logistic")
    signal = plan(spec)["signal"]
    p, y = _s(spec, "p"), _s(spec, "y")
    assert sp.expand(signal.relations[-2].rhs - (p[spec.i, 0] - y[spec.i, 0]) / spec.m) == 0
    assert signal.relations[-1].lhs == MatrixDerivative(spec.J, _s(spec, "z"))
    # the line between: each term multiplied out, its denominator cancelled
    assert text(signal.relations[1].rhs) == "-(yᵢ (1 - pᵢ) - pᵢ (1 - yᵢ))/m"


def test_poisson_chain_rule_has_two_paths_one_held() -> None:
    steps = plan(load_model("poisson"))
    keys = [step.key for step in steps]
    assert {"factor-J-z", "factor-J-mu", "factor-mu-z"} <= set(keys)
    assert steps["factor-J-z"].relations[0].lhs.held == (load_model("poisson").symbol("mu"),)


def test_ridge_has_a_penalty_step_only_for_beta() -> None:
    keys = [step.key for step in plan(load_model("ridge"))]
    assert "penalty-beta" in keys
    assert "penalty-alpha" not in keys


def test_steps_are_numbered_in_order_with_unique_keys(planned: Derivation) -> None:
    assert [step.number for step in planned] == list(range(1, len(planned) + 1))
    assert len({step.key for step in planned}) == len(planned)


USER_MODEL = (Path(__file__).resolve().parent / "data" / "models" / "weighted.toml").read_text(
    encoding="utf-8"
)


def test_a_user_model_plans_to_the_weighted_gradient() -> None:
    spec = read_description(USER_MODEL, "weighted", "<test>")
    steps = plan(spec)
    X, u, w = _s(spec, "X"), _s(spec, "u"), _s(spec, "w")
    expected = MatMul(-2 / spec.m, Transpose(HadamardProduct(w, u)), X)
    assert equal_at_sizes(steps["gradient-beta"].relations[0].rhs, expected, spec)


def test_a_parameter_outside_a_named_predictor_is_refused() -> None:
    text = USER_MODEL.replace(
        'value = "(1/m) (w .* u)^T u"', 'value = "(1/m) (y - X beta^T)^T (y - z)"'
    )
    with pytest.raises(UnsupportedModel, match="name the linear predictor"):
        plan(read_description(text, "bad", "<test>"))


PRINTED = {  # DESIGN.md's table, as `derive steps` prints it
    ("mse", "1/m"): ("-(2/m) 𝟏ᵀ u", "-(2/m) uᵀ X"),
    ("mse", "1/(2m)"): ("-(1/m) 𝟏ᵀ u", "-(1/m) uᵀ X"),
    ("ridge", "1/m"): ("-(2/m) 𝟏ᵀ u", "-(2/m) uᵀ X + 2λ β"),
    ("ridge", "1/(2m)"): ("-(1/m) 𝟏ᵀ u", "-(1/m) uᵀ X + 2λ β"),
    ("logistic", "1/m"): ("(1/m) 𝟏ᵀ (p - y)", "(1/m) (p - y)ᵀ X"),
    ("poisson", "1/m"): ("(1/m) 𝟏ᵀ (μ - y)", "(1/m) (μ - y)ᵀ X"),
    ("neuron", "1/m"): ("-(2/m) 𝟏ᵀ (u ∘ p ∘ (𝟏 - p))", "-(2/m) (u ∘ p ∘ (𝟏 - p))ᵀ X"),
}


@pytest.mark.parametrize(("model", "scale"), list(PRINTED), ids=lambda x: str(x))
def test_the_gradients_print_in_the_textbooks_form(model: str, scale: str) -> None:
    steps = plan(load_model(model, scale))
    shown = (
        text(steps["gradient-alpha"].relations[0].rhs),
        text(steps["gradient-beta"].relations[0].rhs),
    )
    assert shown == PRINTED[model, scale]


CALCULUS = ("factor-", "signal", "inner-factor-", "penalty-", "gradient-")


@pytest.mark.parametrize("model", [m for m in BUILTIN if m != "mse"])
def test_every_route_rejects_every_computed_step_made_wrong(model: str) -> None:
    """The planner's own right-hand sides, doubled or negated: each route on its own must
    reject each one (the checks do not share the planner's rule table)."""
    spec = load_model(model)
    steps = plan(spec)
    routes = [model_route(spec, name) for name in ROUTES]
    for step in steps:
        if not step.key.startswith(CALCULUS):
            continue
        for relation in step.relations:
            for wrong in (_times(2, relation.rhs), _times(-1, relation.rhs)):
                spoiled = Relation(relation.lhs, relation.op, wrong)
                for route in routes:
                    with pytest.raises(CheckFailed):
                        route.check(spoiled, spoiled.shape)


def _times(k: int, expr: sp.Basic) -> sp.Basic:
    return sp.MatMul(k, expr) if isinstance(expr, sp.MatrixExpr) else k * expr


MORE = Path(__file__).resolve().parent / "data" / "more_models"
MORE_GRADIENTS = {  # the gradients a textbook gives, as printed
    "column_weights": {"b": "(1/m) 𝟏ᵀ u", "w": "(1/m) Xᵀ u + 2λ w"},
    "mean": {"c": "-(2/m) 𝟏ᵀ u"},
    "softplus_direct": {"alpha": "(1/m) 𝟏ᵀ (σ(z) - y)", "beta": "(1/m) (σ(z) - y)ᵀ X"},
}


@pytest.mark.parametrize("name", sorted(MORE_GRADIENTS))
def test_column_weights_a_mean_and_a_cost_without_intermediates(name: str) -> None:
    """A column parameter w (z = X w + b), a parameter entering with a minus (u = y − c),
    and a cost that uses the linear predictor directly (no chain: one factor)."""
    spec = load_model(str(MORE / f"{name}.toml"))
    steps = plan(spec)
    for parameter, shown in MORE_GRADIENTS[name].items():
        assert text(steps[f"gradient-{parameter}"].relations[0].rhs) == shown
    assert all(check.passed for check in check_derivation(steps)), name
    keys = [step.key for step in steps]
    if name == "softplus_direct":
        assert "chain-rule-signal" not in keys  # no ∂J/∂zᵢ = ∂J/∂zᵢ tautology


def test_a_parameter_that_is_a_column_of_m_is_refused() -> None:
    text_ = (MORE / "mean.toml").read_text(encoding="utf-8").replace('c = "1x1"', 'c = "m x 1"')
    with pytest.raises(UnsupportedModel, match="the parameter c is m×1"):
        plan(read_description(text_, "bad", "<test>"))
