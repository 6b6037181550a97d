"""The notation of the models beyond the article (DESIGN.md's table), printed as a
teacher writes it: LaTeX for documents and Unicode text for terminals, exactly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sympy as sp
from sympy import (
    HadamardPower,
    HadamardProduct,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Rational,
    Sum,
    Symbol,
    Transpose,
)

from derive.math.entrywise import AsMatrix, Entrywise, HeldDerivative, SquaredNorm
from derive.math.functions import Sigmoid, Softplus
from derive.math.matcalc import MatrixDerivative
from derive.math.printing import latex, latex_inline, relation_latex, relation_text, text

SIGMA = "\N{GREEK SMALL LETTER SIGMA}"  # spelled out for the linter's confusables rule

# The symbols of derive/models/spec.py (DESIGN.md, "Symbols").
m, n = sp.symbols("m n", integer=True, positive=True)
i = Symbol("i", integer=True, nonnegative=True)
j = Symbol("j", integer=True, nonnegative=True)
J, alpha, lam = Symbol("J", real=True), Symbol("alpha", real=True), Symbol("lambda", real=True)
eta = Symbol("eta", positive=True)
X, beta = MatrixSymbol("X", m, n), MatrixSymbol("beta", 1, n)
y, z, u = MatrixSymbol("y", m, 1), MatrixSymbol("z", m, 1), MatrixSymbol("u", m, 1)
p, mu = MatrixSymbol("p", m, 1), MatrixSymbol("mu", m, 1)
ones = OneMatrix(m, 1)
c = Rational(1) / m


def minus(a: sp.MatrixExpr, b: sp.MatrixExpr) -> sp.MatrixExpr:
    return MatAdd(a, -b)


SPREAD = HadamardProduct(u, p, minus(ones, p))  # u ∘ p ∘ (𝟏 − p), the neuron's ∂J/∂z
pi, yi, zi, ui, mui = p[i, 0], y[i, 0], z[i, 0], u[i, 0], mu[i, 0]


@dataclass(frozen=True)
class Form:
    key: str
    expr: sp.Basic
    latex: str
    text: str


FORMS = [
    Form(
        "mse-cost",
        MatMul(c, u.T, u),
        r"\frac{1}{m} \mathbf{u}^{\top} \mathbf{u}",
        "(1/m) uᵀ u",
    ),
    Form(
        "ridge-cost",
        MatAdd(MatMul(c, u.T, u), MatMul(lam, beta, beta.T)),
        r"\frac{1}{m} \mathbf{u}^{\top} \mathbf{u} + "
        r"\lambda \boldsymbol{\beta} \boldsymbol{\beta}^{\top}",
        "(1/m) uᵀ u + λ β βᵀ",
    ),
    Form(
        "ridge-cost-norm",
        MatAdd(MatMul(c, u.T, u), MatMul(lam, SquaredNorm(beta))),
        r"\frac{1}{m} \mathbf{u}^{\top} \mathbf{u} + \lambda \lVert \boldsymbol{\beta} \rVert^{2}",
        "(1/m) uᵀ u + λ ‖β‖²",
    ),
    Form(
        "ridge-gradient-beta",
        MatAdd(MatMul(-2 * c, u.T, X), MatMul(2, lam, beta)),
        r"- \frac{2}{m} \mathbf{u}^{\top} \mathbf{X} + 2 \lambda \boldsymbol{\beta}",
        "-(2/m) uᵀ X + 2λ β",
    ),
    Form(
        "logistic-prediction",
        Entrywise("sigmoid", z),
        r"\sigma\left(\mathbf{z}\right)",
        f"{SIGMA}(z)",
    ),
    Form(
        "logistic-cost",
        MatMul(
            -c,
            MatAdd(
                MatMul(y.T, Entrywise("log", p)),
                MatMul(Transpose(minus(ones, y)), Entrywise("log", minus(ones, p))),
            ),
        ),
        r"- \frac{1}{m} \left(\mathbf{y}^{\top} \operatorname{log} \mathbf{p} + "
        r"\left(\mathbf{1} - \mathbf{y}\right)^{\top} "
        r"\operatorname{log}\left(\mathbf{1} - \mathbf{p}\right)\right)",
        "-(1/m) (yᵀ log p + (𝟏 - y)ᵀ log(𝟏 - p))",
    ),
    Form(
        "logistic-gradient-alpha",
        MatMul(c, ones.T, minus(p, y)),
        r"\frac{1}{m} \mathbf{1}^{\top} \left(\mathbf{p} - \mathbf{y}\right)",
        "(1/m) 𝟏ᵀ (p - y)",
    ),
    Form(
        "logistic-gradient-beta",
        MatMul(c, Transpose(minus(p, y)), X),
        r"\frac{1}{m} \left(\mathbf{p} - \mathbf{y}\right)^{\top} \mathbf{X}",
        "(1/m) (p - y)ᵀ X",
    ),
    Form(
        "poisson-mean",
        Entrywise("exp", z),
        r"\operatorname{exp}\left(\mathbf{z}\right)",
        "exp(z)",
    ),
    Form(
        "poisson-cost",
        MatMul(c, ones.T, minus(mu, HadamardProduct(y, z))),
        r"\frac{1}{m} \mathbf{1}^{\top} "
        r"\left(\boldsymbol{\mu} - \mathbf{y} \circ \mathbf{z}\right)",
        "(1/m) 𝟏ᵀ (μ - y ∘ z)",
    ),
    Form(
        "poisson-gradient-beta",
        MatMul(c, Transpose(minus(mu, y)), X),
        r"\frac{1}{m} \left(\boldsymbol{\mu} - \mathbf{y}\right)^{\top} \mathbf{X}",
        "(1/m) (μ - y)ᵀ X",
    ),
    Form(
        "neuron-error",
        minus(y, Entrywise("sigmoid", z)),
        r"\mathbf{y} - \sigma\left(\mathbf{z}\right)",
        f"y - {SIGMA}(z)",
    ),
    Form(
        "neuron-gradient-alpha",
        MatMul(-2 * c, ones.T, SPREAD),
        r"- \frac{2}{m} \mathbf{1}^{\top} "
        r"\left(\mathbf{u} \circ \mathbf{p} \circ \left(\mathbf{1} - \mathbf{p}\right)\right)",
        "-(2/m) 𝟏ᵀ (u ∘ p ∘ (𝟏 - p))",
    ),
    Form(
        "neuron-gradient-beta",
        MatMul(-2 * c, Transpose(SPREAD), X),
        r"- \frac{2}{m} "
        r"\left(\mathbf{u} \circ \mathbf{p} \circ \left(\mathbf{1} - \mathbf{p}\right)\right)"
        r"^{\top} \mathbf{X}",
        "-(2/m) (u ∘ p ∘ (𝟏 - p))ᵀ X",
    ),
    Form(
        "poisson-held",
        HeldDerivative(J, z[i, 0], (mu,)),
        r"\left.\frac{\partial J}{\partial z_{i}}\right|_{\boldsymbol{\mu}}",
        "(∂J/∂zᵢ)|μ",
    ),
    Form(
        "logistic-cost-entries",
        -Sum(yi * sp.log(pi) + (1 - yi) * sp.log(1 - pi), (i, 0, m - 1)) / m,
        r"- \frac{1}{m} \sum_{i=1}^{m} \left(y_{i} \operatorname{log} p_{i} + "
        r"\left(1 - y_{i}\right) \operatorname{log}\left(1 - p_{i}\right)\right)",
        "-(1/m) Σ[i=1..m] (yᵢ log pᵢ + (1 - yᵢ) log(1 - pᵢ))",
    ),
    Form(
        "poisson-cost-entries",
        Sum(mui - yi * zi, (i, 0, m - 1)) / m,
        r"\frac{1}{m} \sum_{i=1}^{m} \left(\mu_{i} - y_{i} z_{i}\right)",
        "(1/m) Σ[i=1..m] (μᵢ - yᵢ zᵢ)",
    ),
    Form(
        "logistic-local-factor",
        -c * (yi / pi - (1 - yi) / (1 - pi)),
        r"- \frac{1}{m} \left(\frac{y_{i}}{p_{i}} - \frac{1 - y_{i}}{1 - p_{i}}\right)",
        "-(1/m) (yᵢ/pᵢ - (1 - yᵢ)/(1 - pᵢ))",
    ),
    Form(
        "ridge-gradient-beta-entries",
        -2 * Sum(ui * X[i, j], (i, 0, m - 1)) / m + 2 * lam * beta[0, j],
        r"- \frac{2}{m} \sum_{i=1}^{m} u_{i} X_{ij} + 2 \lambda \beta_{j}",
        "-(2/m) Σ[i=1..m] uᵢ Xᵢⱼ + 2λ βⱼ",
    ),
    Form(
        "poisson-chain-rule",
        sp.Derivative(J, mui) * sp.Derivative(mui, zi) + HeldDerivative(J, zi, (mu,)),
        r"\left.\frac{\partial J}{\partial z_{i}}\right|_{\boldsymbol{\mu}} + "
        r"\frac{\partial J}{\partial \mu_{i}} \frac{\partial \mu_{i}}{\partial z_{i}}",
        "(∂J/∂zᵢ)|μ + (∂J/∂μᵢ) (∂μᵢ/∂zᵢ)",
    ),
    Form(
        "poisson-cost-in-z",
        MatMul(c, ones.T, minus(Entrywise("exp", z), HadamardProduct(y, z))),
        r"\frac{1}{m} \mathbf{1}^{\top} "
        r"\left(\operatorname{exp}\left(\mathbf{z}\right) - \mathbf{y} \circ \mathbf{z}\right)",
        "(1/m) 𝟏ᵀ (exp(z) - y ∘ z)",
    ),
    Form(
        "hadamard-square",
        HadamardPower(minus(y, z), 2),
        r"\left(\mathbf{y} - \mathbf{z}\right)^{\circ 2}",
        "(y - z)∘²",
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_each_model_form_prints_as_a_teacher_writes_it(form: Form) -> None:
    assert latex(form.expr) == form.latex
    assert text(form.expr) == form.text
    assert "+ -" not in form.latex
    assert "+ -" not in form.text


# Entries and scalars: sigmoid(zᵢ), log pᵢ, exp(zᵢ) (always exp(...), never e^...). log
# of a single letter has no parentheses and is an operator name (see test_printing_browser).
ENTRIES = [
    (Sigmoid(zi), r"\sigma\left(z_{i}\right)", f"{SIGMA}(zᵢ)"),
    (sp.log(pi), r"\operatorname{log} p_{i}", "log pᵢ"),
    (sp.log(1 - pi), r"\operatorname{log}\left(1 - p_{i}\right)", "log(1 - pᵢ)"),
    (sp.exp(zi), r"\operatorname{exp}\left(z_{i}\right)", "exp(zᵢ)"),
    (sp.tanh(zi), r"\operatorname{tanh}\left(z_{i}\right)", "tanh(zᵢ)"),
    (Softplus(zi), r"\operatorname{softplus}\left(z_{i}\right)", "softplus(zᵢ)"),
    (pi * (1 - pi), r"p_{i} \left(1 - p_{i}\right)", "pᵢ (1 - pᵢ)"),
    (
        Sigmoid(zi) * (1 - Sigmoid(zi)),
        r"\sigma\left(z_{i}\right) \left(1 - \sigma\left(z_{i}\right)\right)",
        f"{SIGMA}(zᵢ) (1 - {SIGMA}(zᵢ))",
    ),
    (
        -2 * ui * pi * (1 - pi) / m,
        r"- \frac{2}{m} u_{i} p_{i} \left(1 - p_{i}\right)",
        "-(2/m) uᵢ pᵢ (1 - pᵢ)",
    ),
    ((pi - yi) / m, r"\frac{p_{i} - y_{i}}{m}", "(pᵢ - yᵢ)/m"),
]


@pytest.mark.parametrize(("expr", "expected_latex", "expected_text"), ENTRIES)
def test_entries_and_scalar_functions(
    expr: sp.Expr, expected_latex: str, expected_text: str
) -> None:
    assert latex(expr) == expected_latex
    assert text(expr) == expected_text


def test_a_nested_product_keeps_its_builders_order() -> None:
    """The planner builds (∂J/∂zᵢ)·Xᵢⱼ unevaluated: uᵢ pᵢ (1 − pᵢ) Xᵢⱼ, not Xᵢⱼ in between."""
    body = sp.Mul(-2 * ui * pi * (1 - pi) / m, X[i, j], evaluate=False)
    assert text(body) == "-(2/m) uᵢ pᵢ (1 - pᵢ) Xᵢⱼ"


@pytest.mark.parametrize(
    ("expr", "expected_latex", "expected_text"),
    [
        (MatrixSymbol("theta", 1, n), r"\boldsymbol{\theta}", "θ"),
        (MatrixSymbol("theta", 1, n)[0, j], r"\theta_{j}", "θⱼ"),
        (MatrixSymbol("w", m, 1), r"\mathbf{w}", "w"),
        (MatrixSymbol("w", m, 1)[i, 0], r"w_{i}", "wᵢ"),
        (MatrixSymbol("phat", m, 1), r"\hat{\mathbf{p}}", "p̂"),
        (MatrixSymbol("w1", m, 1)[i, 0], r"w_{1,i}", "w[1,i]"),
        (MatrixSymbol("s", 1, 1), "s", "s"),
        (lam, r"\lambda", "λ"),
        (Symbol("mu"), r"\mu", "μ"),
        (Symbol("theta"), r"\theta", "θ"),
        (Symbol("gamma"), r"\gamma", "γ"),
        (Symbol("delta"), r"\delta", "δ"),
        (Symbol("sigma"), r"\sigma", SIGMA),
    ],
)
def test_any_models_names_bold_whole_and_plain_entries(
    expr: sp.Basic, expected_latex: str, expected_text: str
) -> None:
    assert latex(expr) == expected_latex
    assert text(expr) == expected_text


def test_the_articles_names_come_out_of_the_general_rule_as_before() -> None:
    """The names the article's table spelled out by hand, now made by the rule."""
    yhat, k = MatrixSymbol("yhat", m, 1), Symbol("k", integer=True)
    shown = [latex(e) for e in (X, y, yhat, u, beta, X[i, k], yhat[i, 0], beta[0, k])]
    assert shown == [
        r"\mathbf{X}",
        r"\mathbf{y}",
        r"\hat{\mathbf{y}}",
        r"\mathbf{u}",
        r"\boldsymbol{\beta}",
        "X_{ik}",
        r"\hat{y}_{i}",
        r"\beta_{k}",
    ]
    assert [text(e) for e in (yhat, yhat[i, 0], beta[0, k])] == ["\u0177", "\u0177ᵢ", "βₖ"]


def test_a_row_of_ones_is_one_transposed_only_where_it_is_the_column_transposed() -> None:
    row_n, row_m = OneMatrix(1, n), OneMatrix(1, m)
    assert text(minus(row_n, beta)) == "𝟏 - β"  # the number 1 taken to β's shape
    assert text(MatAdd(beta, 3 * row_n)) == "β + 3 𝟏"
    assert latex(minus(row_n, beta)) == r"\mathbf{1} - \boldsymbol{\beta}"
    assert text(MatAdd(u.T, row_m)) == "uᵀ + 𝟏ᵀ"  # 1×m: the column 𝟏 transposed
    assert text(MatMul(row_m, u)) == "𝟏ᵀ u"
    assert text(row_n) == "𝟏ᵀ"  # alone, as a factor would be


def test_the_function_heads_and_the_hadamard_square() -> None:
    assert latex(Entrywise("softplus", z)) == r"\operatorname{softplus}\left(\mathbf{z}\right)"
    assert latex(Entrywise("tanh", z)) == r"\operatorname{tanh}\left(\mathbf{z}\right)"
    assert latex(Entrywise("square", u)) == r"\mathbf{u}^{\circ 2}"
    assert text(Entrywise("square", u)) == "u∘²"
    assert text(HadamardPower(u, 3)) == "u∘³"
    assert text(Transpose(Entrywise("sigmoid", z))) == f"{SIGMA}(z)ᵀ"
    assert text(Transpose(Entrywise("log", p))) == "(log p)ᵀ"
    assert text(sp.log(pi) ** 2) == "(log pᵢ)²"
    assert latex(sp.log(pi) ** 2) == r"\operatorname{log}^{2} p_{i}"


def test_a_scalar_as_a_matrix_prints_its_value() -> None:
    penalised = MatAdd(MatMul(c, u.T, u), AsMatrix(lam * alpha**2))
    assert latex(penalised) == r"\frac{1}{m} \mathbf{u}^{\top} \mathbf{u} + \lambda \alpha^{2}"
    assert text(penalised) == "(1/m) uᵀ u + λα²"


def test_a_derivative_of_a_compound_expression_has_parentheses() -> None:
    penalty = MatMul(lam, beta, beta.T)
    assert text(MatrixDerivative(penalty, beta)) == "∂(λ β βᵀ)/∂β"
    assert latex(MatrixDerivative(penalty, beta)) == (
        r"\frac{\partial \left(\lambda \boldsymbol{\beta} \boldsymbol{\beta}^{\top}\right)}"
        r"{\partial \boldsymbol{\beta}}"
    )
    assert latex_inline(HeldDerivative(J, zi, (mu,))) == (
        r"\left.\partial J/\partial z_{i}\right|_{\boldsymbol{\mu}}"
    )


def test_the_order_does_not_depend_on_how_the_expression_was_built() -> None:
    assert text(HadamardProduct(minus(ones, p), p, u)) == "u ∘ p ∘ (𝟏 - p)"
    assert text(HadamardProduct(z, y)) == text(HadamardProduct(y, z)) == "y ∘ z"
    assert text(MatAdd(-y, p)) == "p - y"
    assert text(MatAdd(-p, ones)) == "𝟏 - p"


def test_update_rules_and_relations() -> None:
    gradient = MatAdd(MatMul(-2 * c, u.T, X), MatMul(2, lam, beta))
    rule = MatAdd(beta, -eta * gradient)
    assert relation_text(beta, "<-", rule) == "β ← β - η (-(2/m) uᵀ X + 2λ β)"
    assert relation_latex(MatrixSymbol("mu", m, 1), "=", Entrywise("exp", z)) == (
        r"\boldsymbol{\mu} = \operatorname{exp}\left(\mathbf{z}\right)"
    )
