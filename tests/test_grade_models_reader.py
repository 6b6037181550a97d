"""Reading any model's notation: calls, σ', ∘, ./, norms, Greek names, a left-hand side.

The expected values are written by hand from the mathematics (∂J/∂β = (1/m)(p − y)ᵀX for
logistic, σ' = σ(1 − σ), ...) with the spec's own symbols, and compared with what the
reader builds either as SymPy objects or as explicit matrices at m = 3, n = 2
(derive.verify.model_explicit), whose difference must simplify to 0.
"""

from __future__ import annotations

import contextlib
from functools import cache

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import HadamardPower, HadamardProduct, OneMatrix
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.grade.build import build
from derive.grade.parse import MAX_CALLS, MAX_LENGTH, ExpressionError, parse
from derive.grade.value import ShapeClash, Value, index_symbol
from derive.grade.vocabulary import ModelNames
from derive.math.entrywise import Entrywise, SquaredNorm
from derive.math.functions import Sigmoid
from derive.models.catalog import load_model
from derive.models.linear import build_model
from derive.models.spec import ModelSpec
from derive.verify.model_explicit import ExplicitEvaluator

FREE_I, FREE_J = index_symbol("i"), index_symbol("j")


@cache
def spec(key: str) -> ModelSpec:
    return load_model(key)


@cache
def names(key: str) -> ModelNames:
    return ModelNames.for_spec(spec(key))


def read(key: str, text: str) -> Value:
    return build(parse(text, models=True), names(key))


def s(key: str, name: str) -> sp.Basic:
    return spec(key).symbol(name)


def explicit(key: str, expr: sp.Basic, i: int = 1, j: int = 0) -> sp.ImmutableMatrix:
    """The value at m = 3, n = 2, free indices i and j at the given entries."""
    model = spec(key)
    fixed = expr.xreplace(model.sizes(3, 2)).xreplace({FREE_I: i, FREE_J: j})
    return ExplicitEvaluator(model, 3, 2).value(fixed)


def agree(key: str, text: str, expected: sp.Basic) -> bool:
    """The text read and the expected expression have the same explicit value."""
    given = explicit(key, read(key, text).expr)
    wanted = explicit(key, expected)
    if given.shape != wanted.shape:
        return False
    return all(sp.simplify(entry) == 0 for entry in given - wanted)


def sigma_prime(key: str, entry: sp.Basic) -> sp.Basic:
    return Sigmoid(entry) * (1 - Sigmoid(entry))


# ---------------------------------------------------------------- names and spellings


def test_every_declared_name_and_intermediate_is_the_specs_own_symbol() -> None:
    ridge = names("ridge")
    for name in ("X", "y", "alpha", "beta", "lambda", "yhat", "u"):
        assert ridge.values[name].expr == s("ridge", name)
    assert ridge.values["m"].expr == spec("ridge").m
    assert ridge.values["ones"].expr == OneMatrix(spec("ridge").m, 1)
    assert ridge.spec_mode
    assert {"y", "yhat", "u", "X", "ones"} <= ridge.per_example
    assert "beta" not in ridge.per_example


@pytest.mark.parametrize(
    ("key", "text", "name"),
    [
        ("ridge", "λ", "lambda"),
        ("ridge", r"\lambda", "lambda"),
        ("ridge", "lambda", "lambda"),
        ("ridge", "ŷ", "yhat"),
        ("ridge", "y_hat", "yhat"),
        ("ridge", r"\hat{y}", "yhat"),
        ("poisson", "μ", "mu"),
        ("poisson", r"\mu", "mu"),
        ("logistic", "β", "beta"),
        ("logistic", r"\beta", "beta"),
        ("logistic", "α", "alpha"),
        ("neuron", "p", "p"),
    ],
)
def test_spellings_of_a_name(key: str, text: str, name: str) -> None:
    assert read(key, text).expr == s(key, name)


def test_an_intermediate_stays_its_symbol() -> None:
    assert read("logistic", "p").expr == s("logistic", "p")
    assert read("logistic", "p").expr != Entrywise("sigmoid", s("logistic", "z"))


@pytest.mark.parametrize(
    ("key", "text", "name", "row", "col", "free"),
    [
        ("logistic", "p_i", "p", FREE_I, 0, "i"),
        ("logistic", "z_i", "z", FREE_I, 0, "i"),
        ("poisson", r"\mu_i", "mu", FREE_I, 0, "i"),
        ("poisson", "mu_i", "mu", FREE_I, 0, "i"),
        ("logistic", "X_ij", "X", FREE_I, FREE_J, "ij"),
        ("logistic", "beta_j", "beta", 0, FREE_J, "j"),
        ("logistic", r"y^{(i)}", "y", FREE_I, 0, "i"),
    ],
)
def test_entries_are_matrix_elements_at_free_index_symbols(
    key: str, text: str, name: str, row: sp.Basic, col: sp.Basic, free: str
) -> None:
    value = read(key, text)
    assert isinstance(value.expr, MatrixElement)
    assert value.expr == s(key, name)[row, col]
    assert "".join(letter for letter, _ in value.indices) == free


# ---------------------------------------------------------------- calls


@pytest.mark.parametrize(
    "text",
    ["sigmoid(z)", "σ(z)", r"\sigma(z)", r"\sigma\left(z\right)", r"\operatorname{sigmoid}(z)"],
)
def test_sigmoid_of_a_vector_in_every_style(text: str) -> None:
    assert read("logistic", text).expr == Entrywise("sigmoid", s("logistic", "z"))


@pytest.mark.parametrize("text", ["exp(z)", r"\exp(z)", "e^{z}", "e^z", r"\,e^{z}", "e^(z)"])
def test_the_exponential_in_every_style(text: str) -> None:
    assert read("poisson", text).expr == Entrywise("exp", s("poisson", "z"))


@pytest.mark.parametrize(
    ("text", "function"),
    [
        ("log(p_i)", sp.log),
        ("ln(p_i)", sp.log),
        ("log p_i", sp.log),
        (r"\log p_i", sp.log),
        (r"\ln(p_i)", sp.log),
        ("tanh(p_i)", sp.tanh),
        (r"\tanh(p_i)", sp.tanh),
        ("e^{p_i}", sp.exp),
        (r"\,e^{p_i}", sp.exp),
        ("σ(p_i)", Sigmoid),
    ],
)
def test_a_call_of_an_entry_is_the_scalar_function(text: str, function: sp.Function) -> None:
    assert read("logistic", text).expr == function(s("logistic", "p")[FREE_I, 0])


def test_softplus_of_a_vector() -> None:
    assert read("logistic", "softplus(z)").expr == Entrywise("softplus", s("logistic", "z"))


def test_log_of_one_minus_a_vector_broadcasts_the_number() -> None:
    p = s("logistic", "p")
    expected = Entrywise("log", OneMatrix(spec("logistic").m, 1) - p)
    assert agree("logistic", r"\log(1 - p)", expected)
    assert not agree("logistic", r"\log(1 - p)", Entrywise("log", p))  # the check can fail


# ---------------------------------------------------------------- derivatives of a link


@pytest.mark.parametrize("text", ["σ'(z_i)", "σ′(z_i)", r"\sigma'(z_i)", "sigmoid'(z_i)"])
def test_the_derivative_of_sigma_at_an_entry(text: str) -> None:
    z = s("logistic", "z")[FREE_I, 0]
    assert read("logistic", text).expr == Sigmoid(z) * (1 - Sigmoid(z))


def test_the_derivative_of_sigma_of_a_vector_is_entry_by_entry() -> None:
    z = s("neuron", "z")
    sig = Entrywise("sigmoid", z)
    expected = HadamardProduct(sig, OneMatrix(spec("neuron").m, 1) - sig)
    assert read("neuron", "σ'(z)").expr == expected
    assert agree(
        "neuron",
        "σ'(z)",
        HadamardProduct(s("neuron", "p"), OneMatrix(spec("neuron").m, 1) - s("neuron", "p")),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp'(z_i)", lambda z: sp.exp(z)),
        ("tanh'(z_i)", lambda z: 1 - sp.tanh(z) ** 2),
        ("log'(z_i)", lambda z: 1 / z),
        ("softplus'(z_i)", lambda z: Sigmoid(z)),
    ],
)
def test_the_derivatives_of_the_other_links(text: str, expected: object) -> None:
    z = s("poisson", "z")[FREE_I, 0]
    assert callable(expected)
    assert read("poisson", text).expr == expected(z)


# ---------------------------------------------------------------- ∘, ./ and /


@pytest.mark.parametrize(
    "text",
    ["(p-y).*p.*(1-p)", "(p - y) ∘ p ∘ (1 - p)", "(p-y)⊙p⊙(1-p)", r"(p - y) \odot p \odot (1 - p)"],
)
def test_hadamard_products_in_every_style(text: str) -> None:
    p, y = s("logistic", "p"), s("logistic", "y")
    value = read("logistic", text)
    assert isinstance(value.expr, HadamardProduct)
    assert value.shape == (spec("logistic").m, 1)
    assert agree("logistic", text, HadamardProduct(p - y, p, OneMatrix(3, 1) - p))


@pytest.mark.parametrize("text", ["y ./ p", "y / p"])
def test_entrywise_division(text: str) -> None:
    p, y = s("logistic", "p"), s("logistic", "y")
    value = read("logistic", text).expr
    assert isinstance(value, HadamardProduct)
    assert set(value.args) == {y, HadamardPower(p, -1)}
    assert agree("logistic", text, HadamardProduct(y, HadamardPower(p, -1)))
    assert not agree("logistic", text, HadamardProduct(p, HadamardPower(y, -1)))


def test_a_number_times_a_vector_entry_by_entry_is_an_ordinary_product() -> None:
    p = s("logistic", "p")
    assert read("logistic", "2 ∘ p").expr == 2 * p


def test_hadamard_of_different_shapes_is_a_shape_clash() -> None:
    with pytest.raises(ShapeClash, match=r"multiplies an m×1 \(p\) by an m×n \(X\)"):
        read("logistic", "p ∘ X")


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize(
    "text",
    [
        "‖β‖^2",
        "‖β‖²",
        "||beta||^2",
        r"\|\beta\|^2",
        r"\lVert\beta\rVert^2",
        r"\left\|\beta\right\|^{2}",
        "norm(beta)^2",
        "norm2(beta)",
    ],
)
def test_squared_norms_in_every_style(text: str) -> None:
    assert read("ridge", text).expr == SquaredNorm(s("ridge", "beta"))


def test_a_squared_norm_beside_numbers_is_its_scalar() -> None:
    beta = s("ridge", "beta")
    assert agree(
        "ridge", "λ ‖β‖^2 + 1", sp.MatAdd(OneMatrix(1, 1), s("ridge", "lambda") * beta * beta.T)
    )


# ---------------------------------------------------------------- whole gradients


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("logistic", "(1/m) (p - y)^T X"),
        ("logistic", r"\frac{1}{m}(\mathbf{p} - \mathbf{y})^\top X"),
        ("logistic", r"1/m \sum_{i=1}^{m} (\sigma(z_i) - y_i) X_{ij}"),
        ("logistic", "1/m sum_i (σ(z_i) - y_i) X_ij"),
        ("logistic", "= (1/m) (p - y)^T X"),
        ("logistic", "∂J/∂β = (1/m)(p - y)^T X"),
        ("logistic", "dJ/dbeta = (1/m)(p - y)^T X"),
        ("logistic", r"\frac{\partial J}{\partial \beta} = \frac{1}{m}(p - y)^{\top} X"),
    ],
)
def test_the_logistic_gradient_in_three_notations(key: str, text: str) -> None:
    m, p, y, X = spec(key).m, s(key, "p"), s(key, "y"), s(key, "X")
    expected = (p - y).T * X / m
    value = read(key, text)
    if value.indices:  # written entry by entry: entry j of the row
        expected = expected[0, FREE_J]
    assert agree(key, text, expected)
    assert not agree(key, text, (y - p).T * X / m)


@pytest.mark.parametrize(
    "text",
    [
        "(1/m)(p - y)^T X + 2 λ β",
        r"\frac{1}{m}(\mathbf{p} - \mathbf{y})^\top X + 2\lambda\beta",
        "∂J/∂β = (1/m)(p-y)^T X + 2 λ β",
    ],
)
def test_a_penalized_gradient_with_ridge_names(text: str) -> None:
    key = "ridge"
    yhat, y, X, beta, lam = (s(key, n) for n in ("yhat", "y", "X", "beta", "lambda"))
    text = text.replace("p", "ŷ") if "mathbf" not in text else text.replace("{p}", r"{\hat{y}}")
    expected = (yhat - y).T * X / spec(key).m + 2 * lam * beta
    assert agree(key, text, expected)
    assert not agree(key, text, (yhat - y).T * X / spec(key).m + lam * beta)


def test_a_step_of_the_plan_with_a_free_example_index() -> None:
    key = "logistic"
    p, y = s(key, "p")[FREE_I, 0], s(key, "y")[FREE_I, 0]
    text = "-(1/m)(y_i/p_i - (1-y_i)/(1-p_i))"
    value = read(key, text)
    assert dict(value.indices) == {"i": spec(key).m}
    assert sp.simplify(value.expr - (-(y / p - (1 - y) / (1 - p)) / spec(key).m)) == 0
    assert agree(key, "∂J/∂p_i = " + text, -(y / p - (1 - y) / (1 - p)) / spec(key).m)


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("poisson", "exp(z) - y", lambda k: Entrywise("exp", s(k, "z")) - s(k, "y")),
        ("poisson", "(1/m)(μ - y)^T X", lambda k: (s(k, "mu") - s(k, "y")).T * s(k, "X") / 3),
        (
            "neuron",
            "-(2/m) (u ∘ p ∘ (1 - p))^T X",
            lambda k: (
                -2
                * HadamardProduct(s(k, "u"), s(k, "p"), OneMatrix(3, 1) - s(k, "p")).T
                * s(k, "X")
                / 3
            ),
        ),
        (
            "logistic",
            "∂p_i/∂z_i = p_i (1 - p_i)",
            lambda k: s(k, "p")[FREE_I, 0] * (1 - s(k, "p")[FREE_I, 0]),
        ),
        ("logistic", "(1/m)(p - y)", lambda k: (s(k, "p") - s(k, "y")) / 3),
    ],
)
def test_gradients_and_steps_of_other_models(key: str, text: str, expected: object) -> None:
    assert callable(expected)
    assert agree(key, text, expected(key))


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("key", "listed"), [("ridge", "lambda (λ)"), ("poisson", "mu (μ)"), ("logistic", "p")]
)
def test_an_unknown_name_lists_the_models_names(key: str, listed: str) -> None:
    with pytest.raises(ExpressionError, match="unknown name 'q'; the names are") as caught:
        read(key, "2 q")
    assert listed in str(caught.value)
    assert str(caught.value).startswith("column 3: ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("exp(" * 30 + "z" + ")" * 30, "nested more than"),
        ("exp(" * (MAX_CALLS + 1) + "z" + ")" * (MAX_CALLS + 1), f"more than {MAX_CALLS} deep"),
        ("log " * 40 + "p", "deep"),
        ("e^{" * (MAX_CALLS + 1) + "z" + "}" * (MAX_CALLS + 1), f"more than {MAX_CALLS} deep"),
        ("p + " * 25_000 + "p", f"the limit is {MAX_LENGTH}"),
        ("σ(z_1)^99999", "an exponent is a whole number"),
        ("e^{10^{100}}", "an exponent is a whole number"),
        ("‖β‖^{99}", "unexpected"),
        ("9^9^9^9 σ(z)", "an exponent is a whole number"),
    ],
)
def test_hostile_input_is_refused_in_one_line(text: str, needle: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        read("logistic", text)
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_left_hand_side_is_dropped_only_when_clean() -> None:
    with pytest.raises(ExpressionError, match="unexpected '='"):
        read("logistic", "p = y = p")
    with pytest.raises(ExpressionError, match="unexpected '='"):
        read("logistic", "p + q = p")


def test_the_articles_default_notation_is_unchanged() -> None:
    with pytest.raises(ExpressionError, match=r"unknown LaTeX command \\exp"):
        parse(r"\exp(u)")
    with pytest.raises(ExpressionError, match="give only the gradient"):
        parse("dJ/dbeta = u")


def test_the_article_names_build_as_the_linear_model() -> None:
    model = build_model()
    for text in ("-2/m u^T X", r"-\frac{2}{m}\sum_{i=1}^{m} u_i X_{ij}", "-2/m 1^T u"):
        given, today = build(parse(text), ModelNames.for_article(model)), build(parse(text), model)
        assert (str(given.expr), given.shape, given.indices) == (
            str(today.expr),
            today.shape,
            today.indices,
        )
    assert build(parse("u^T X"), ModelNames.for_article(model)).expr == model.u.T * model.X
    article = ModelNames.for_article(model)
    assert not article.spec_mode
    assert article.known == "X, y, alpha (α), beta (β), m, n, u, yhat (ŷ), ones (𝟏)"


PIECES = [
    *("X", "y", "p", "z", "mu", "μ", "λ", "u", "ŷ", "β", "𝟏", "m", "2", "1", "0", "+", "-"),
    *("*", "/", "^", "^T", "'", "(", ")", "{", "}", "_i", "_ij", "=", "∂J/∂β =", "exp("),
    *("σ(", "σ'(", "log ", "tanh'(", "e^", "e^{", "∘", ".*", "./", "‖", "‖^2", "norm("),
    *("^2", "sum(", "sum_i ", r"\sigma(", r"\log ", r"\frac{", "}{", r"\odot ", r"\|"),
    *(r"\|^2", r"\lambda", r"\mu", r"\hat{y}", r"\left(", r"\right)", r"\sum_{i=1}^{m}"),
    *(r"^{(i)}", "x_ij", "X_i", "p_i", r"\partial"),
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(("logistic", "ridge", "poisson", "neuron")),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)
def test_reading_raises_only_input_errors_or_shape_clashes(key: str, text: str) -> None:
    with contextlib.suppress(ExpressionError, ShapeClash):
        read(key, text)


def test_a_hat_without_a_prediction_is_refused() -> None:
    with pytest.raises(ExpressionError, match="a hat is only for the prediction"):
        read("logistic", r"\hat{y}_i")


def test_text_parsed_in_the_articles_notation_is_read_again_for_a_model() -> None:
    assert build(parse("exp(z)"), names("poisson")).expr == Entrywise("exp", s("poisson", "z"))
