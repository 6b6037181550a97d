"""Reading expressions: the screen before the parser, syntax errors, and a fuzz test."""

from __future__ import annotations

import contextlib
import string
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.core.errors import InputError
from derive.grade.parse import MAX_DEPTH, MAX_LENGTH, MAX_NESTING, ExpressionError, parse, parser

# Pieces of the language, so that the fuzz test reaches deep into the grammar.
PIECES = [
    *("X", "y", "u", "yhat", "y_hat", "alpha", "beta", "ones", "m", "n", "ŷ", "α", "β", "𝟏"),
    *("2", "1", "0.5", "+", "-", "−", "*", "/", "@", "^", "**", "^T", "'", ".T", "ᵀ", "⊤"),
    *("(", ")", "{", "}", "[", "]", ",", "_", " ", "=", "sum(", "sum_i", "Σ_k", "Σ[i=1..m]"),
    *("y_i", "X_ij", "X_{i,j}", "x_ij", "X_i", "beta_j", "u_i", "yᵢ", "Xᵢⱼ", "βⱼ"),
    *(r"\frac{", "}{", r"\alpha", r"\beta", r"\hat{y}", r"^{\top}", r"^\top", r"\mathbf{"),
    *(r"\mathbf{1}", r"\left(", r"\right)", r"\cdot", r"\sum_{i=1}^{m}", r"\sum_k", r"\,"),
    *(r"^{(i)}", "^(i)", r"x_j^{(i)}", r"\sum\limits_{i=1}^{m}", r"\limits"),
    *(r"\partial", "lambda", "__import__", "'os'", ":", ";", "\x00", "\u202e", "\udcff"),
]


@pytest.mark.parametrize(
    ("text", "notation"),
    [
        ("-2/m u^T X", "plain"),
        ("-2/m sum_i (y_i - yhat_i) X_ij", "plain"),
        (r"-\frac{2}{m} \mathbf{u}^{\top} \mathbf{X}", "latex"),
    ],
)
def test_a_backslash_chooses_the_latex_notation(text: str, notation: str) -> None:
    assert parse(text).notation == notation


def test_the_grammar_is_package_data_read_once() -> None:
    assert files("derive.grade").joinpath("grammar.lark").is_file()  # inside the package: in wheels
    assert parser() is parser()


def test_whitespace_of_any_kind_separates() -> None:
    assert parse("-2/m\tu^T\nX").text == "-2/m u^T X"


def test_full_width_forms_from_a_chinese_input_method_read_as_ascii() -> None:
    assert parse("\uff0d2/m\u3000u^T\uff08X\uff09").text == "-2/m u^T(X)"


def test_bytes_are_read_as_utf8() -> None:
    assert parse("-2/m β".encode()).text == "-2/m β"


@pytest.mark.parametrize(
    ("text", "column", "needle"),
    [
        ("__import__('os')", 1, "unexpected '_'"),
        ("X.__class__", 2, "unexpected character '.'"),
        ("lambda x: x", 9, "unexpected character ':'"),
        ("dJ/dbeta = u", 10, "give only the gradient"),
        (r"\partial J / \partial \beta", 1, r"unknown LaTeX command \partial"),
        (r"\exp(u)", 1, r"unknown LaTeX command \exp"),
        ("2 +", 3, "ends too early"),
        ("u)", 2, "unexpected ')'"),
        ("u\x00", 2, "control character U+0000"),
        ("u\x1b[31m", 2, "control character U+001B"),
        ("u \u202e X", 3, "control character U+202E"),
        ("u\u200b", 2, "control character U+200B"),
        ("u\udcff", 2, "invalid UTF-8"),
    ],
)
def test_unreadable_text_names_the_column(text: str, column: int, needle: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert needle in str(caught.value)
    assert str(caught.value).startswith(f"column {column}: ")
    shown, caret = caught.value.pointer()
    assert caret == " " * (column - 1) + "^"
    assert "\x00" not in shown
    assert "\x1b" not in shown
    assert "\udcff" not in shown


def test_invalid_utf8_bytes_are_refused_at_their_place() -> None:
    with pytest.raises(ExpressionError, match="byte 0xff") as caught:
        parse(b"u \xff X")
    assert caught.value.position == 2


@pytest.mark.parametrize(
    ("text", "column", "needle"),
    [
        ("9^9^9^9", 3, "an exponent is a whole number from -16 to 16"),
        ("9**9**9**9", 4, "an exponent is a whole number"),
        ("m^0.5", 3, "an exponent is a whole number"),
        ("m^n", 3, "an exponent is a whole number"),
        (r"\alpha^{n}", 9, "an exponent is a whole number"),
        ("m^17", 3, "an exponent is a whole number"),
        ("(m^2)^2", 1, "a power of a power"),
        ("999999999^12", 1, "more than 100 digits"),
        ("1234567890123456789 u", 1, "more than 15 digits"),
    ],
)
def test_enormous_numbers_and_powers_are_refused_before_any_arithmetic(
    text: str, column: int, needle: str
) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert needle in str(caught.value)
    assert caught.value.position == column - 1


def test_small_powers_and_negative_exponents_are_read() -> None:
    for text in ("m^2", "m^-1", "2^16", r"\alpha^{-2}", "(2 m)^3"):
        assert parse(text).tree.data == "power"


def test_empty_text_is_refused() -> None:
    with pytest.raises(ExpressionError, match="empty"):
        parse("   ")


def test_text_over_the_length_limit_is_refused_before_parsing() -> None:
    with pytest.raises(ExpressionError, match=f"limit is {MAX_LENGTH}"):
        parse("u + " * (MAX_LENGTH // 4) + "u")


def test_brackets_nested_too_deep_are_refused_at_the_first_too_many() -> None:
    text = "(" * (MAX_NESTING + 5) + "u" + ")" * (MAX_NESTING + 5)
    with pytest.raises(ExpressionError, match="nested more than") as caught:
        parse(text)
    assert caught.value.position == MAX_NESTING


def test_long_chains_of_signs_are_refused_by_depth() -> None:
    with pytest.raises(ExpressionError, match=f"more than {MAX_DEPTH} levels"):
        parse("-" * (MAX_DEPTH + 10) + "u")


@pytest.mark.parametrize(
    "text",
    [
        "u" + " + u" * 400,  # a sum of 401 terms
        "u" + " - u" * 400,
        "m" + " m" * 600,  # a product by juxtaposition
        "u" + " / 2" * 400,
        "u" + " * 2 / m" * 200,
        " + ".join(["-" * 50 + "u"] * 20),  # nesting 51 deep in each term, and many terms
        r"\frac{2}{m}\left(" + " + ".join([r"\hat{y}^{(i)}"] * 100) + r"\right)",
    ],
)
def test_a_long_flat_chain_of_plus_or_times_is_one_level_not_deep_nesting(text: str) -> None:
    assert parse(text).tree.data in ("add", "sub", "mul", "div")


def test_nesting_inside_the_terms_of_a_chain_still_counts() -> None:
    with pytest.raises(ExpressionError, match=f"more than {MAX_DEPTH} levels"):
        parse("u + " + "-" * (MAX_DEPTH + 1) + "u + u")


@pytest.mark.parametrize(
    "text",
    [r"x_j^{(i)}", r"\mathbf{x}^{(i)}_j", r"y^{ ( i ) }", "y^(i)", "yhat^(i)", r"\hat{y}^{(i)}"],
)
def test_a_superscript_in_parentheses_is_the_example_index(text: str) -> None:
    tree = parse(text).tree
    assert "example" in {node.data for node in tree.iter_subtrees()}


def test_sum_limits_and_nolimits_are_read() -> None:
    for command in (r"\limits", r"\nolimits", r"\displaystyle"):
        assert parse(rf"\sum{command}_{{i=1}}^{{m}} u_i").tree.data == "sigma"


def test_a_long_excerpt_is_cut_around_the_problem() -> None:
    text = "u + " * 100 + "u $ u"
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    shown, caret = caught.value.pointer()
    assert len(shown) <= 62
    assert shown[len(caret) - 1] == "$"


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_parser_raises_only_its_own_error_on_language_pieces(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(), max_size=40) | st.binary(max_size=40))
def test_parser_raises_only_its_own_error_on_any_text(text: str | bytes) -> None:
    with contextlib.suppress(InputError):
        parse(text)


@given(st.text(alphabet=string.printable, min_size=1, max_size=30))
def test_every_refusal_points_inside_the_text(text: str) -> None:
    position = _refusal_position(text)
    assert position is None or 0 <= position < len(text)


def _refusal_position(text: str) -> int | None:
    try:
        parse(text)
    except ExpressionError as error:
        return error.position
    return None
