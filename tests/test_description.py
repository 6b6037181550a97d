"""Model descriptions: the built-in models, models of one's own, and every mistake in a
file as one line that names it and its place (never a traceback)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy as sp
from sympy import HadamardProduct, MatAdd, MatMul, MatrixSymbol, OneMatrix, Symbol, Transpose

from derive.core.errors import InputError
from derive.math.entrywise import AsMatrix, Entrywise, SquaredNorm
from derive.models.catalog import BUILTIN, builtin_text, load_model, read_description
from derive.models.description import MAX_DECLARED, MAX_FILE, MAX_INTERMEDIATES, read_spec
from derive.models.expressions import DescriptionError
from derive.models.linear import ScaleError, build_model
from derive.models.spec import ModelSpec

SIGMA = "\N{GREEK SMALL LETTER SIGMA}"

HEAD = """
[data]
X = "m×n"
y = "m×1"

[parameters]
alpha = "1×1"
beta = "1×n"
"""
LINEAR = (
    HEAD
    + """
[[intermediates]]
name = "z"
value = "alpha + X beta^T"
"""
)


def read(text: str) -> ModelSpec:
    return read_description(text, "mine", "mine.toml")


def problem(text: str) -> str:
    with pytest.raises(DescriptionError) as caught:
        read(text)
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, InputError)  # the command line exits with code 2
    return message


def expanded(spec: ModelSpec) -> sp.Basic:
    """J with every named quantity written out: only declared symbols are left."""
    cost = spec.cost
    for symbol, definition in spec.definitions[1:]:
        cost = cost.xreplace({symbol: definition})
    return cost


# ---------------------------------------------------------------------- the built-in models


def test_the_built_in_models_are_listed_in_order_and_all_load() -> None:
    assert BUILTIN == ("mse", "ridge", "logistic", "poisson", "neuron")
    for name in BUILTIN:
        spec = load_model(name)
        assert spec.key == name
        assert spec.cost.shape == (1, 1)
        assert spec.title.get("en")
        assert spec.title.get("zh") != spec.title.get("en")
        assert spec.prose.en
        assert spec.prose.zh
        assert all(item.prose.en and item.prose.zh for item in spec.intermediates)
        assert [q.name for q in spec.parameters] == ["alpha", "beta"]


def test_a_built_in_file_is_there_to_read() -> None:
    text = builtin_text("logistic")
    assert 'value = "sigmoid(z)"' in text
    assert read_description(text, "logistic", "logistic.toml") == load_model("logistic")


def test_the_mse_model_has_the_articles_symbols_and_definitions() -> None:
    spec, article = load_model("mse"), build_model()
    for name in ("X", "y", "alpha", "beta", "yhat", "u"):
        assert spec.symbol(name) == getattr(article, name)
    assert (spec.m, spec.n, spec.J, spec.eta) == (article.m, article.n, article.J, article.eta)
    assert (spec.i, spec.j) == (article.i, article.j)
    assert spec.definitions == article.definitions  # structurally, in the order written


@pytest.mark.parametrize("scale", ["1/m", "1/(2m)"])
def test_the_mse_cost_expands_to_the_articles(scale: str) -> None:
    spec, article = load_model("mse", scale), build_model(scale)
    ours = expanded(spec)
    theirs = article.cost_in_u.xreplace({article.u: article.error})
    theirs = theirs.xreplace({article.yhat: article.prediction})
    assert sp.expand(ours - theirs).is_ZeroMatrix
    assert spec.scale == scale


def test_ridge_adds_the_penalty_and_keeps_it_at_the_other_scale() -> None:
    spec = load_model("ridge")
    beta, lam = spec.symbol("beta"), spec.symbol("lambda")
    assert {c.symbol: c.default for c in spec.constants} == {lam: sp.Rational(1, 10)}
    assert spec.cost.args[1] == MatMul(lam, beta, Transpose(beta))
    half = load_model("ridge", "1/(2m)")
    data_term, penalty = spec.cost.args
    assert half.cost.args == (MatMul(1 / (2 * spec.m), *data_term.args[1:]), penalty)


def test_logistic_predicts_probabilities_of_binary_labels() -> None:
    spec = load_model("logistic")
    y, z, p = (spec.symbol(name) for name in ("y", "z", "p"))
    assert spec.data[1].kind == "binary"
    assert spec.intermediates[1].definition == Entrywise("sigmoid", z)
    ones = OneMatrix(spec.m, 1)
    assert spec.cost == MatMul(
        -1 / spec.m,
        MatAdd(
            MatMul(Transpose(y), Entrywise("log", p)),
            MatMul(
                Transpose(MatAdd(ones, MatMul(-1, y))),
                Entrywise("log", MatAdd(ones, MatMul(-1, p))),
            ),
        ),
    )
    assert spec.scale is None


def test_poisson_sums_expected_counts_minus_counts_times_scores() -> None:
    spec = load_model("poisson")
    y, z, mu = (spec.symbol(name) for name in ("y", "z", "mu"))
    assert spec.data[1].kind == "counts"
    assert spec.intermediates[1].definition == Entrywise("exp", z)
    row_of_ones = OneMatrix(1, spec.m)
    assert spec.cost == MatMul(
        1 / spec.m, row_of_ones, MatAdd(mu, MatMul(-1, HadamardProduct(y, z)))
    )


def test_the_neuron_squares_the_errors_of_its_outputs() -> None:
    spec = load_model("neuron")
    y, p, u = (spec.symbol(name) for name in ("y", "p", "u"))
    assert [item.name for item in spec.intermediates] == ["z", "p", "u"]
    assert spec.intermediates[2].definition == MatAdd(y, MatMul(-1, p))
    assert spec.cost == MatMul(1 / spec.m, Transpose(u), u)


def test_loading_twice_gives_the_same_model() -> None:
    assert load_model("poisson") is load_model("poisson")


# ---------------------------------------------------------------------- scales


def test_a_model_with_one_scale_refuses_the_other() -> None:
    assert load_model("logistic", "1/m") == load_model("logistic")
    with pytest.raises(
        ScaleError, match=r"^the model logistic has the cost scale 1/m only, not 1/\(2m\)$"
    ):
        load_model("logistic", "1/(2m)")
    with pytest.raises(ScaleError, match="unknown cost scale '1/3'"):
        load_model("mse", "1/3")


def test_a_model_that_names_no_scale_takes_only_the_default() -> None:
    text = LINEAR + '[cost]\nvalue = "(1/m) sum(y - z)"\n'
    assert read(text).scale is None
    assert read_spec(text, "mine", "mine.toml", "1/m") == read(text)  # the command line's default
    with pytest.raises(ScaleError, match=r"^the model mine has no cost scale to choose"):
        read_spec(text, "mine", "mine.toml", "1/(2m)")


# ---------------------------------------------------------------------- models of one's own


WEIGHTED = """
title = "Weighted least squares"

[data]
X = "m x n"
y = "m x 1"
w = { shape = "m×1", values = "positive", en = "a weight per example" }

[parameters]
alpha = "1×1"
beta = "1×n"

[[intermediates]]
name = "u"
value = "y - (alpha + X beta^T)"

[cost]
value = "(1/m) (w ∘ u)^T u"
"""


def test_weighted_least_squares_loads() -> None:
    spec = read(WEIGHTED)
    w, u = spec.symbol("w"), spec.symbol("u")
    assert spec.data[2].kind == "positive"
    assert spec.cost == MatMul(1 / spec.m, Transpose(HadamardProduct(w, u)), u)
    assert spec.title.get("zh") == "Weighted least squares"


def test_logistic_regression_with_a_penalty_loads() -> None:
    text = (
        LINEAR.replace("[data]", "[constants]\nlambda = { value = 0.01 }\n\n[data]")
        + """
[[intermediates]]
name = "p"
value = "SIGMA(z)"

[cost]
value = "-(1/m) (y^T log(p) + (1 - y)^T log(1 - p)) + lambda ‖beta‖^2"
"""
    )
    spec = read(text.replace("SIGMA", SIGMA))
    lam = spec.symbol("lambda")
    assert {c.symbol: c.default for c in spec.constants} == {lam: sp.Rational(1, 100)}
    assert spec.cost.args[1] == MatMul(lam, SquaredNorm(spec.symbol("beta")))


def test_a_tanh_neuron_loads() -> None:
    text = (
        LINEAR
        + """
[[intermediates]]
name = "a"
value = "tanh(z)"

[[intermediates]]
name = "u"
value = "y - a"

[cost]
value = "(1/(2m)) u^T u"
"""
    )
    spec = read(text)
    assert spec.intermediates[1].definition == Entrywise("tanh", spec.symbol("z"))
    assert spec.symbol("a").shape == (spec.m, 1)


def test_greek_letters_in_unicode_are_their_ascii_names() -> None:
    text = """
[data]
X = "m×n"
y = "m×1"

[parameters]
"θ" = "1×n"
"α" = "1×1"

[constants]
"λ" = { value = "1/2" }

[[intermediates]]
name = "μ"
value = "exp(α + X θ^T)"

[cost]
value = "(1/m) sum(μ - y ∘ log(mu)) + λ theta θ^T"
"""
    spec = read(text)
    assert [q.name for q in spec.parameters] == ["theta", "alpha"]
    assert spec.symbol("lambda") == Symbol("lambda", real=True)
    assert spec.symbol("mu") == MatrixSymbol("mu", spec.m, 1)
    assert {c.symbol: c.default for c in spec.constants} == {
        Symbol("lambda", real=True): sp.Rational(1, 2)
    }


def test_a_number_valued_1x1_intermediate_is_a_symbol_and_a_1x1_product_a_matrix() -> None:
    text = (
        LINEAR
        + """
[[intermediates]]
name = "c"
value = "alpha^2"

[[intermediates]]
name = "r"
value = "beta beta^T"

[cost]
value = "(1/m) sum(y - z) + c + r"
"""
    )
    spec = read(text)
    c, r = spec.symbol("c"), spec.symbol("r")
    assert c == Symbol("c", real=True)
    assert r == MatrixSymbol("r", 1, 1)
    assert spec.cost.args[1:] == (AsMatrix(c), r)


def test_the_example_table_is_accepted_and_a_title_defaults_to_the_key() -> None:
    spec = read(LINEAR + '[cost]\nvalue = "sum(y - z)"\n\n[example]\nX = [[1, 2]]\ny = [1]\n')
    assert spec.title.en == "mine"


# ---------------------------------------------------------------------- mistakes


COST = '\n[cost]\nvalue = "(1/m) sum(y - z)"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "[cost\n",
            "mine.toml: line 9, column 6: not valid TOML "
            "(Expected ']' at the end of a table declaration)",
        ),
        (
            HEAD + 'cost = "(1/m) u^T u',
            "mine.toml: line 9, column 20: not valid TOML (Unterminated string)",
        ),
        (
            LINEAR + '\n[[intermediates]]\nname = "p"\nvalue = "sigmoid(q)"\n' + COST,
            "mine.toml: intermediate p: column 9: unknown symbol q",
        ),
        (
            LINEAR + '[cost]\nvalue = "sum(y + beta)"',
            "mine.toml: cost: column 9: cannot add m×1 and 1×n",
        ),
        (
            LINEAR + '[cost]\nvalue = "y - z"',
            "mine.toml: cost: J must be a number (1×1), but the cost is m×1",
        ),
        (
            LINEAR.replace('beta = "1×n"', 'beta = "1×n"\ngamma = "1×1"') + COST,
            "mine.toml: cost: J does not depend on the parameter gamma",
        ),
        (
            HEAD
            + '[[intermediates]]\nname = "p"\nvalue = "sigmoid(u)"\n'
            + '[[intermediates]]\nname = "u"\nvalue = "y - alpha"\n'
            + COST,
            "mine.toml: intermediate p: column 9: p uses u, which is defined after it",
        ),
        (
            HEAD + '[[intermediates]]\nname = "p"\nvalue = "1 - p"\n' + COST,
            "mine.toml: intermediate p: column 5: p uses itself",
        ),
        (
            LINEAR + '[[intermediates]]\nname = "z"\nvalue = "y"\n' + COST,
            "mine.toml: intermediate 2: intermediate z is defined twice",
        ),
        (
            LINEAR + '[[intermediates]]\nname = "y"\nvalue = "z"\n' + COST,
            "mine.toml: intermediate 2: y is declared twice (data and intermediates)",
        ),
        (
            LINEAR + '[cost]\nvalue = "relu(z)"',
            "mine.toml: cost: column 1: unknown function relu: the functions are "
            f"exp, log, sigmoid, tanh, softplus, square, {SIGMA}, sum, norm2",
        ),
        (
            LINEAR + "[constants]\nlambda = {}\n" + COST,
            "mine.toml: constants.lambda: the constant lambda has no value",
        ),
        (
            LINEAR + '[constants]\nlambda = { value = "a tenth" }\n' + COST,
            "mine.toml: constants.lambda: 'a tenth' is not a number: "
            "write a decimal (0.1) or a fraction (1/10)",
        ),
        (
            LINEAR + '[constants]\nlambda = { value = "1/0" }\n' + COST,
            "constants.lambda: division by zero",
        ),
        (LINEAR + "[constants]\nlambda = { value = nan }\n" + COST, "'nan' is not a number"),
        (LINEAR + "[constants]\nlambda = { value = true }\n" + COST, "'True' is not a number"),
        (
            HEAD.replace("m×n", "m×k") + COST,
            "mine.toml: data.X: bad shape 'm×k': write rows×cols with m, n or 1 (m×n, m×1, 1×n)",
        ),
        (HEAD.replace('"m×n"', "3") + COST, "mine.toml: data.X: bad shape '3'"),
        (
            HEAD.replace('y = "m×1"', 'y = { shape = "m×1", values = "integer" }') + COST,
            "mine.toml: data.y: unknown values 'integer': "
            "choose from real, binary, counts, positive",
        ),
        (
            HEAD.replace("alpha = ", "y = ") + COST,
            "mine.toml: parameters.y: y is declared twice (data and parameters)",
        ),
        (
            HEAD.replace("alpha = ", '"λ" = "1×1"\nlambda = ') + COST,
            "lambda is declared twice (parameters and parameters)",
        ),
        (
            HEAD.replace("[parameters]", "[stuff]").replace("alpha", "a").replace("beta", "b")
            + COST,
            "mine.toml: unknown key 'stuff': the keys here are "
            "title, about, data, parameters, constants, intermediates, cost, example",
        ),
        (
            HEAD.replace('y = "m×1"', 'y = { shape = "m×1", kind = "binary" }') + COST,
            "mine.toml: data.y: unknown key 'kind': the keys here are shape, values, en, zh",
        ),
        (
            '[data]\nX = "m×n"\ny = "m×1"\n[[intermediates]]\nname = "z"\nvalue = "X"\n' + COST,
            "mine.toml: the model has no parameters: declare one under [parameters]",
        ),
        (LINEAR, "mine.toml: the description has no [cost]"),
        (LINEAR + '[cost]\nvalue = "  "', "mine.toml: cost: the expression is empty"),
        (LINEAR + '[cost]\nscale = "1/m"\n', "mine.toml: cost: the cost has no value"),
        (
            LINEAR + "[cost]\nvalue = 3\n",
            "mine.toml: cost: expected the value as text, found a number",
        ),
        (
            LINEAR + '[cost]\nvalue = "sum(z)"\nscale = "1/3"\n',
            "mine.toml: cost: unknown cost scale '1/3'",
        ),
        (
            LINEAR + '[cost]\nvalue = "sum(z)"\n[cost.scales]\n"1/(2m)" = "sum(z)"\n',
            'mine.toml: cost: name the scale of value: scale = "1/m"',
        ),
        (
            LINEAR + '[[intermediates]]\nvalue = "z"\n' + COST,
            "mine.toml: intermediate 2: the intermediate has no name",
        ),
        (
            LINEAR + '[[intermediates]]\nname = "p"\n' + COST,
            "mine.toml: intermediate p: expected the value as text, found nothing",
        ),
        (LINEAR + '[intermediates]\nname = "p"\n' + COST, "not valid TOML"),
        (
            'data = "X"\n[parameters]\nalpha = "1×1"\n' + COST,
            "mine.toml: [data]: expected a table of names, found text",
        ),
        ("example = 3\n" + LINEAR + COST, "mine.toml: [example]: expected a table, found a number"),
        (
            "title = 3\n" + LINEAR + COST,
            "mine.toml: title: expected text or a table of en and zh, found a number",
        ),
        (
            'about = { fr = "non" }\n' + LINEAR + COST,
            "mine.toml: about: unknown key 'fr': the keys here are en, zh",
        ),
    ],
)
def test_each_mistake_is_one_line_naming_it_and_its_place(text: str, message: str) -> None:
    assert message in problem(text)


@pytest.mark.parametrize(
    ("name", "ascii"),
    [
        *((name, name) for name in ("m", "n", "J", "eta", "i", "j", "k", "T", "ones", "sigma")),
        *((name, name) for name in ("exp", "log", "sigmoid", "tanh", "softplus", "square")),
        *(("sum", "sum"), ("norm2", "norm2"), ("η", "eta"), (SIGMA, "sigma")),
    ],
)
def test_a_name_derive_takes_cannot_be_declared(name: str, ascii: str) -> None:
    text = HEAD.replace("alpha = ", f'"{name}" = ') + COST.replace("z", "alpha")
    assert f"the name {ascii} is taken by derive" in problem(text)


@pytest.mark.parametrize("name", ["2x", "x-y", "βhat", "", "x" * 31, "𝟏", "a\\nb"])
def test_a_name_must_be_a_name(name: str) -> None:
    text = HEAD.replace("alpha = ", f'"{name}" = ') + COST
    assert "is not a name: use letters, digits and _, or a Greek letter" in problem(text)


def test_the_limits_bound_the_work() -> None:
    assert f"the limit is {MAX_FILE}" in problem("#" * (MAX_FILE + 1))
    long = LINEAR + '[cost]\nvalue = "sum(z)' + " + sum(z)" * 60 + '"\n'
    assert "cost: the expression has 546 characters; the limit is 400" in problem(long)
    deep = LINEAR + '[cost]\nvalue = "sum(' + "-" * 30 + 'z)"\n'
    assert "cost: column 29: the expression is nested more than 25 levels deep" in problem(deep)
    many = "".join(f'[[intermediates]]\nname = "z{k}"\nvalue = "z"\n' for k in range(12))
    message = problem(LINEAR + many + COST)
    assert (
        message
        == f"mine.toml: [[intermediates]]: 13 intermediates; the limit is {MAX_INTERMEDIATES}"
    )
    names = "".join(f'x{k} = "m×1"\n' for k in range(15))
    message = problem(LINEAR.replace('y = "m×1"', 'y = "m×1"\n' + names) + COST)
    assert message == f"mine.toml: 19 names are declared; the limit is {MAX_DECLARED}"
    nested = "a = " + "[" * 5000 + "]" * 5000
    assert problem(nested) == "mine.toml: this TOML is too large to read"


def test_a_shape_the_builder_got_wrong_is_caught_at_concrete_sizes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from derive.models import description
    from derive.models.expressions import Scope, Value, build_expression

    def wrong(text: str, scope: Scope, where: str) -> Value:
        value = build_expression(text, scope, where)
        return Value(value.expr, (value.shape[1], value.shape[0]))

    monkeypatch.setattr(description, "build_expression", wrong)
    assert problem(LINEAR + COST) == (
        "mine.toml: intermediate z: the shapes do not fit when m = 7 and n = 3"
    )


# ---------------------------------------------------------------------- finding models


def test_a_file_loads_by_its_path_and_is_named_by_its_stem(tmp_path: Path) -> None:
    path = tmp_path / "wls.toml"
    path.write_text(WEIGHTED, encoding="utf-8")
    spec = load_model(str(path))
    assert spec.key == "wls"
    assert spec.title.en == "Weighted least squares"


def test_an_unknown_model_lists_the_built_in_ones(tmp_path: Path) -> None:
    with pytest.raises(DescriptionError) as caught:
        load_model("lasso")
    assert str(caught.value) == (
        "unknown model 'lasso': the built-in models are "
        "mse, ridge, logistic, poisson, neuron, or give a .toml file"
    )
    with pytest.raises(DescriptionError) as missing:
        load_model(str(tmp_path / "nothing.toml"))
    assert str(missing.value) == f"cannot read {tmp_path / 'nothing.toml'}: there is no such file"
    with pytest.raises(DescriptionError, match=r"^unknown model 'linear'"):
        builtin_text("linear")


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"title = '\xff'")
    with pytest.raises(
        DescriptionError, match=r"^cannot read .*binary.toml: it is not UTF-8 text$"
    ):
        load_model(str(binary))
    with pytest.raises(DescriptionError, match=r"^cannot read .*: Is a directory$"):
        load_model(str(tmp_path))
    huge = tmp_path / "huge.toml"
    huge.write_text("#" * (2 * MAX_FILE), encoding="utf-8")
    with pytest.raises(DescriptionError, match=r"huge\.toml: the file has 20001 characters"):
        load_model(str(huge))


# ---------------------------------------------------------------------- never a traceback


def _mangled(rng: random.Random, text: str) -> str:
    """Random deletions: a few characters, a line, or a stretch of the file."""
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(len(text))
        length = rng.choice((1, 1, 2, 5, 20, text.find("\n", start) - start + 1))
        text = text[:start] + text[start + max(length, 1) :]
    return text


def test_mangled_built_in_files_give_a_model_or_a_description_error() -> None:
    rng = random.Random(13)
    models, messages = 0, []
    for name in BUILTIN:
        text = builtin_text(name)
        cut = [text[:end] for end in range(0, len(text), 37)]
        for mangled in [*cut, *(_mangled(rng, text) for _ in range(80))]:
            try:
                read_description(mangled, name, f"{name}.toml")
            except DescriptionError as error:
                messages.append(str(error))
            else:
                models += 1
    assert models > 50
    assert len(messages) > 400
    assert not [message for message in messages if "\n" in message]


def test_a_constant_is_shown_as_the_description_writes_it() -> None:
    from derive.models.notation import decimal

    shown = {"1/10": "0.1", "5/2": "2.5", "-3/4": "-0.75", "1/200": "0.005", "100": "100"}
    for value, text in shown.items():
        assert decimal(sp.Rational(value)) == text
    assert decimal(sp.Rational(1, 3)) == "1/3"  # no exact decimal
