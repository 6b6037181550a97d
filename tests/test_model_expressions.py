"""Expressions of a model description: each construct builds the intended SymPy object,
with its shape, and each mistake is one line naming the problem and the column."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from sympy import HadamardProduct, MatAdd, MatMul, MatrixSymbol, OneMatrix, Symbol, Transpose

from derive.core.errors import InputError
from derive.math.entrywise import AsMatrix, Entrywise, SquaredNorm
from derive.math.functions import FUNCTIONS, Sigmoid, Softplus
from derive.models.expressions import (
    CALLS,
    MAX_DEPTH,
    MAX_LENGTH,
    NAME,
    DescriptionError,
    Scope,
    Value,
    ascii_name,
    build_expression,
    parser,
)

m, n = sp.symbols("m n", integer=True, positive=True)
X = MatrixSymbol("X", m, n)
y = MatrixSymbol("y", m, 1)
w = MatrixSymbol("w", m, 1)
beta = MatrixSymbol("beta", 1, n)
alpha = Symbol("alpha", real=True)
lam = Symbol("lambda", real=True)
ONES = OneMatrix(m, 1)
i = Symbol("i", integer=True, nonnegative=True)
ONE = sp.S.One


def _scope(later: tuple[str, ...] = (), defining: str | None = None, **extra: sp.Basic) -> Scope:
    values = {
        "m": Value(m, (ONE, ONE)),
        "n": Value(n, (ONE, ONE)),
        "ones": Value(ONES, (m, ONE)),
        "X": Value(X, (m, n)),
        "y": Value(y, (m, ONE)),
        "w": Value(w, (m, ONE)),
        "beta": Value(beta, (ONE, n)),
        "alpha": Value(alpha, (ONE, ONE)),
        "lambda": Value(lam, (ONE, ONE)),
    }
    values |= {name: Value(symbol, symbol.shape) for name, symbol in extra.items()}
    return Scope(values, later, defining)


def build(text: str) -> sp.Basic:
    return build_expression(text, _scope(), "cost").expr


def shape(text: str) -> tuple[sp.Expr, sp.Expr]:
    return build_expression(text, _scope(), "cost").shape


def error(text: str, later: tuple[str, ...] = (), defining: str | None = None) -> str:
    with pytest.raises(DescriptionError) as caught:
        build_expression(text, _scope(later, defining), "intermediate p")
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, InputError)  # the command line exits with code 2
    return message


# ---------------------------------------------------------------------- numbers and names


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.1", sp.Rational(1, 10)),
        ("2", sp.Integer(2)),
        ("1/m", sp.Integer(1) / m),
        ("1/(2m)", sp.Integer(1) / (2 * m)),
        ("-(1/m)", -sp.Integer(1) / m),
        ("alpha^2", alpha**2),
        ("alpha^-1", 1 / alpha),
        ("alpha^(−2)", alpha**-2),
        ("2 * 3 / 4", sp.Rational(3, 2)),
        ("lambda alpha", lam * alpha),
    ],
)
def test_numbers_are_exact_and_scalars_multiply_as_numbers(text: str, value: sp.Expr) -> None:
    assert build(text) == value
    assert shape(text) == (1, 1)


def test_greek_letters_in_unicode_are_their_ascii_names() -> None:
    assert build("α + X β^T") == build("alpha + X beta^T")
    assert build("λββ^T") == build("lambda beta beta^T")
    assert ascii_name("λ_2") == "lambda_2"
    assert ascii_name("Ω") == "Omega"


def test_the_name_pattern_of_python_matches_the_grammar() -> None:
    for name in ("beta", "y_hat", "X2", "β", "β1", "λ_2", "Ω"):
        assert NAME.fullmatch(name)
        tokens = [token.type for token in parser().lex(name)]
        assert tokens == ["NAME"], name
    for name in ("2x", "_a", "βhat", "x-y"):
        assert not NAME.fullmatch(name)


def test_the_ones_vector_and_the_sizes_are_known() -> None:
    assert build("𝟏") == ONES
    assert build("ones^T y") == MatMul(OneMatrix(1, m), y)
    assert build("m n") == m * n


# ---------------------------------------------------------------------- operators


@pytest.mark.parametrize("text", ["beta^T", "beta^⊤", "beta'", "beta^{T}", "betaᵀ", "beta ^ T"])
def test_every_transpose_spelling_builds_a_transpose(text: str) -> None:
    assert build(text) == Transpose(beta)
    assert shape(text) == (n, 1)


def test_a_transposed_sum_stays_as_written() -> None:
    assert build("(1 - y)^T") == Transpose(MatAdd(ONES, MatMul(-1, y), evaluate=False))
    assert build("beta^T^T") == beta
    assert build("alpha^T") == alpha


def test_juxtaposition_and_star_are_matrix_products() -> None:
    assert build("X beta^T") == MatMul(X, Transpose(beta))
    assert build("X * beta^T") == MatMul(X, Transpose(beta))
    assert build("y^T X") == MatMul(Transpose(y), X)
    assert shape("y^T X") == (1, n)
    assert shape("y beta") == (m, n)  # an outer product


def test_numbers_scale_matrices_in_front_of_a_flat_product() -> None:
    assert build("(1/m) y^T y") == MatMul(1 / m, Transpose(y), y)
    assert build("-(1/m) y^T y") == MatMul(-1 / m, Transpose(y), y)
    assert build("y / 2") == MatMul(sp.Rational(1, 2), y)
    assert build("-y") == MatMul(-1, y)
    assert build("0 y") == sp.ZeroMatrix(m, 1)


def test_a_number_added_to_a_vector_is_added_to_every_entry() -> None:
    assert build("alpha + X beta^T") == MatAdd(
        MatMul(alpha, ONES), MatMul(X, Transpose(beta)), evaluate=False
    )
    assert build("1 - y") == MatAdd(ONES, MatMul(-1, y), evaluate=False)
    assert build("y - 2").args == (y, MatMul(-2, ONES))


def test_a_number_added_to_a_1x1_product_is_a_1x1_matrix() -> None:
    expr = build("y^T y + lambda alpha^2")
    assert expr == MatAdd(MatMul(Transpose(y), y), AsMatrix(lam * alpha**2), evaluate=False)
    assert shape("y^T y + lambda alpha^2") == (1, 1)


def test_sums_keep_the_order_written() -> None:
    assert build("y - w + X beta^T").args == (y, MatMul(-1, w), MatMul(X, Transpose(beta)))
    assert build("w + (y + w)").args == (w, y, w)


@pytest.mark.parametrize("text", ["w ∘ y", "w .* y", "w ⊙ y"])
def test_every_entrywise_product_spelling_is_a_hadamard_product(text: str) -> None:
    expr = build(text)
    assert expr == HadamardProduct(w, y)
    assert expr[i, 0] == w[i, 0] * y[i, 0]


def test_a_chain_of_entrywise_products_is_one_hadamard_product() -> None:
    assert build("w ∘ y ∘ (1 - y)").args == (w, y, MatAdd(ONES, MatMul(-1, y)))
    assert build("2 ∘ y") == MatMul(2, y)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_function_of_a_vector_acts_entry_by_entry(name: str) -> None:
    expr = build(f"{name}(y)")
    assert expr == Entrywise(name, y)
    assert expr[i, 0] == FUNCTIONS[name](y[i, 0])
    assert shape(f"{name}(y)") == (m, 1)


def test_a_function_of_a_number_is_the_scalar_function() -> None:
    assert build("log(alpha)") == sp.log(alpha)
    assert build("\N{GREEK SMALL LETTER SIGMA}(alpha)") == Sigmoid(alpha)
    assert build("softplus(alpha)") == Softplus(alpha)
    assert build("square(alpha)") == alpha**2
    assert build("\N{GREEK SMALL LETTER SIGMA}(y)") == Entrywise("sigmoid", y)


def test_known_functions_may_have_a_space_before_the_bracket() -> None:
    for name in (*CALLS, "\N{GREEK SMALL LETTER SIGMA}"):
        argument = "beta" if name == "norm2" else "y"
        assert build(f"{name} ({argument})") == build(f"{name}({argument})")


@pytest.mark.parametrize("text", ["‖beta‖^2", "||beta||^2", "norm2(beta)", "‖beta‖**2"])
def test_every_squared_norm_spelling_is_a_squared_norm(text: str) -> None:
    assert build(text) == SquaredNorm(beta)
    assert shape(text) == (1, 1)


def test_norms_nest_and_stand_side_by_side() -> None:
    assert build("‖y‖^2 ‖w‖^2") == MatMul(SquaredNorm(y), SquaredNorm(w))
    assert build("||y ||w||^2||^2") == SquaredNorm(MatMul(y, SquaredNorm(w)))
    assert build("‖alpha‖^2") == alpha**2


def test_sum_of_a_column_or_a_row_multiplies_by_ones() -> None:
    assert build("sum(y)") == MatMul(OneMatrix(1, m), y)
    assert build("sum(beta)") == MatMul(beta, OneMatrix(n, 1))
    assert build("sum(alpha)") == alpha
    assert shape("sum(y - w)") == (1, 1)


def test_the_logistic_cost_has_the_textbook_entries() -> None:
    p = MatrixSymbol("p", m, 1)
    text = "-(1/m) (y^T log(p) + (1 - y)^T log(1 - p))"
    cost = build_expression(text, _scope(p=p), "cost").expr
    explicit = cost.xreplace({m: 3}).as_explicit()[0, 0]
    y3, p3 = MatrixSymbol("y", 3, 1), MatrixSymbol("p", 3, 1)
    terms = (y3[k, 0] * sp.log(p3[k, 0]) + (1 - y3[k, 0]) * sp.log(1 - p3[k, 0]) for k in range(3))
    assert sp.expand(explicit + sum(terms) / 3) == 0


# ---------------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("y + beta", "intermediate p: column 5: cannot add m×1 and 1×n"),
        ("y - beta", "intermediate p: column 5: cannot subtract 1×n from m×1"),
        ("X y", "intermediate p: column 3: cannot multiply m×n by m×1: n columns against m rows"),
        ("w ∘ beta", "intermediate p: column 5: cannot multiply m×1 and 1×n entry by entry"),
        ("alpha / y", "intermediate p: column 9: cannot divide by a m×1 matrix"),
        ("y / (1 - 1)", "intermediate p: column 6: division by zero"),
        ("0^-1", "division by zero"),
        (
            "y^2",
            "intermediate p: column 1: m×1 to a power: powers are for numbers; "
            "write square(v), v ∘ v or ‖v‖^2",
        ),
        (
            "q + y",
            "intermediate p: column 1: unknown symbol q: the names here are "
            "m, n, ones, X, y, w, beta, alpha, lambda",
        ),
        (
            "foo(y)",
            "intermediate p: column 1: unknown function foo: the functions are "
            "exp, log, sigmoid, tanh, softplus, square, \N{GREEK SMALL LETTER SIGMA}, sum, norm2",
        ),
        ("lambda(y)", "lambda is not a function: to multiply by it, write lambda * (…)"),
        ("exp + y", "column 1: exp is a function: write exp(…)"),
        ("J + 1", "J cannot be used here: J is the cost, eta the learning rate"),
        ("η y", "eta cannot be used here"),
        ("sum(X)", "column 5: sum(…) takes a row or a column, not m×n"),
        ("‖X‖^2", "column 1: ‖…‖^2 takes a row or a column, not m×n"),
        ("log(1 - 1)", "log of 0 is not a real number"),
        ("log(-1)", "log of -1 is not a real number"),
        ("alpha^0.5", "column 7: an exponent is a whole number from -16 to 16"),
        ("alpha^17", "an exponent is a whole number from -16 to 16"),
        ("((99^16)^16)^16", "this power makes a number with more than 100 digits"),
        ("1234567890123456 y", "column 1: a number with more than 15 digits"),
        ("y +", "column 3: the expression ends too early"),
        ("y + + ) w", "column 7: unexpected ')'"),
        ("y # w", "column 3: unexpected character '#'"),
        ("p = y", "column 3: unexpected '=': give only the value, without 'name ='"),
        ("   ", "intermediate p: the expression is empty"),
        ("y\x00", "control character U+0000 is not allowed"),
        ("‖y‖^3", "unexpected"),
    ],
)
def test_each_mistake_is_one_line_naming_it_and_its_column(text: str, message: str) -> None:
    assert message in error(text)


def test_a_reference_forward_or_to_itself_is_named() -> None:
    assert error("sigmoid(u)", later=("u",), defining="p") == (
        "intermediate p: column 9: p uses u, which is defined after it"
    )
    assert error("1 - p", defining="p") == "intermediate p: column 5: p uses itself"


def test_an_expression_longer_than_the_limit_is_refused() -> None:
    text = " + ".join(["y"] * (MAX_LENGTH // 4 + 1))
    assert f"the limit is {MAX_LENGTH}" in error(text)


def test_a_long_chain_is_one_level_but_deep_nesting_is_refused() -> None:
    assert shape(" + ".join(["y"] * 90)) == (m, 1)
    assert shape("-" * (MAX_DEPTH - 1) + "y") == (m, 1)
    assert f"nested more than {MAX_DEPTH} levels" in error("-" * MAX_DEPTH + "y")
    assert f"nested more than {MAX_DEPTH} levels" in error("exp(" * 30 + "y" + ")" * 30)


def test_shapes_are_rechecked_by_sympy_at_concrete_sizes() -> None:
    # the builder's shapes and SymPy's agree on everything the builder accepts
    for text in ("X beta^T + y", "sum(w ∘ y) + lambda ‖beta‖^2", "(X^T y)^T - beta"):
        value = build_expression(text, _scope(), "cost")
        concrete = value.expr.xreplace({m: 7, n: 3})
        assert concrete.shape == tuple(s.xreplace({m: 7, n: 3}) for s in value.shape)


ATOMS = ("X", "y", "w", "beta", "alpha", "lambda", "1", "0.5", "m", "𝟏", "β", "q")
UNARY = (
    "-{}",
    "({})^T",
    "{}'",
    "exp({})",
    "\N{GREEK SMALL LETTER SIGMA}({})",
    "sum({})",
    "‖{}‖^2",
    "({})^2",
    "log({})",
)
BINARY = ("{} + {}", "{} - {}", "{} {}", "{} * {}", "{} / {}", "{} ∘ {}", "({}) .* ({})")
PIECES = ("(", ")", "^", "‖", "||", "∘", "+", "=", "\x00", "foo(", "J", "{", " ")


def _random_expression(rng: random.Random, depth: int) -> str:
    """A random expression of the language, of any shapes; some fit, most do not."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(ATOMS)
    if rng.random() < 0.4:
        return rng.choice(UNARY).format(_random_expression(rng, depth - 1))
    left, right = (_random_expression(rng, depth - 1) for _ in range(2))
    return rng.choice(BINARY).format(left, right)


def _mangled(rng: random.Random, text: str) -> str:
    """The text with a random piece put in, or a random stretch taken out."""
    place = rng.randrange(len(text) + 1)
    if rng.random() < 0.5:
        return text[:place] + rng.choice(PIECES) + text[place:]
    return text[:place] + text[place + rng.randint(1, 3) :]


def test_random_expressions_give_a_value_or_a_description_error() -> None:
    rng = random.Random(13)
    built, messages = 0, []
    for _ in range(2000):
        text = _random_expression(rng, rng.randint(1, 5))
        if rng.random() < 0.5:
            text = _mangled(rng, text)
        try:
            value = build_expression(text, _scope(), "cost")
        except DescriptionError as problem:
            messages.append(str(problem))
            continue
        built += 1
        concrete = value.expr.xreplace({m: 7, n: 3}) if value.is_matrix else value.expr
        assert tuple(concrete.shape if value.is_matrix else (1, 1)) == tuple(
            size.xreplace({m: 7, n: 3}) for size in value.shape
        ), text
    assert built > 200  # the test reaches the builder, not only the parser
    assert len(messages) > 1000
    assert not [message for message in messages if "\n" in message]
