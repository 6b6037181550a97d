"""The expressions of a model description, from text to SymPy objects of checked shape.

Used by description.py for each intermediate and for the cost: the text is screened,
parsed by grammar.lark and built node by node into derive/math's vocabulary (MatMul,
MatAdd, Transpose, HadamardProduct, Entrywise, SquaredNorm, AsMatrix, OneMatrix), shapes
computed on the way with m and n kept apart; no eval, no sympify. Sums of matrices keep
the order written (MatAdd(..., evaluate=False)); numbers and products are SymPy's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import lark
import sympy as sp
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken
from sympy import HadamardProduct, MatAdd, MatMul, MatrixExpr, MatrixSymbol, OneMatrix, Transpose

from derive.core.errors import InputError, shorten
from derive.core.i18n import gettext, join_list
from derive.math.entrywise import AsMatrix, Entrywise, SquaredNorm
from derive.math.functions import FUNCTIONS

MAX_LENGTH = 400  # characters in one expression
MAX_DEPTH = 25  # levels of the tree (a chain a + b + c is one level; brackets make none)
MAX_DIGITS = 15  # in one number
MAX_EXPONENT = 16  # |k| in s^k
MAX_POWER_DIGITS = 100  # in a power of a number

ONE = sp.S.One
Shape = tuple[sp.Expr, sp.Expr]
Node = lark.Tree[lark.Token] | lark.Token
# sum and norm2 are written like functions.
CALLS = (*FUNCTIONS, "sum", "norm2")
ALIASES = {"sigma": "sigmoid"}  # the Greek letter sigma, written as a function
RESERVED = ("m", "n", "J", "eta", "i", "j", "k", "T", "ones", "sigma", *CALLS)
_GREEK = r"\u03b1-\u03c1\u03c3-\u03c9\u0393\u0394\u0398\u039b\u039e\u03a0\u03a6\u03a8\u03a9"
_GREEK += r"\u03d1\u03d5\u03f5\u00b5"  # ϑ ϕ ϵ µ
NAME = re.compile(rf"[A-Za-z][A-Za-z0-9_]*|[{_GREEK}](?:[0-9]+|_[A-Za-z0-9_]+)?")
MAX_NAME = 30  # characters in a name


class DescriptionError(InputError):
    """A model description that cannot be used: one line naming the problem and its place."""


def located(where: str, problem: str, position: int | None = None) -> DescriptionError:
    """The error `where: column c: problem` (column only where known)."""
    column = "" if position is None else gettext("column {column}: ").format(column=position + 1)
    return DescriptionError(f"{where}: {column}{problem}")


@cache
def greek() -> dict[str, str]:
    """Greek letters typed in Unicode and their ASCII names: α → alpha, λ → lambda, Ω → Omega."""
    codes = [c for c in range(0x3B1, 0x3CA) if c != 0x3C2]  # α to ω, without final ς
    codes += [0x393, 0x394, 0x398, 0x39B, 0x39E, 0x3A0, 0x3A6, 0x3A8, 0x3A9]  # Γ Δ Θ Λ Ξ Π Φ Ψ Ω
    table = {}
    for code in codes:
        words = unicodedata.name(chr(code)).split()
        word = words[-1].lower().replace("lamda", "lambda")
        table[chr(code)] = word.capitalize() if "CAPITAL" in words else word
    return table | {"\u03d1": "theta", "\u03d5": "phi", "\u03f5": "epsilon", "\u00b5": "mu"}


def ascii_name(text: str) -> str:
    """A name with its Greek letter spelled in ASCII: β_1 → beta_1."""
    return "".join(greek().get(ch, ch) for ch in text)


def shape_text(shape: Shape) -> str:
    return f"{shape[0]}×{shape[1]}"


@dataclass(frozen=True)
class Value:
    """A built part of an expression: its SymPy object and shape (a number is 1×1)."""

    expr: sp.Basic
    shape: Shape

    @property
    def is_matrix(self) -> bool:
        return isinstance(self.expr, MatrixExpr)


@dataclass(frozen=True)
class Scope:
    """The names an expression may use: declared ones and intermediates defined before it;
    `later` are the intermediates defined after the one being built (`defining`)."""

    values: Mapping[str, Value]  # with m, n and ones
    later: tuple[str, ...] = ()
    defining: str | None = None


@cache
def parser() -> lark.Lark:
    """The LALR parser of grammar.lark (package data), built once per process."""
    grammar = files("derive.models").joinpath("grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True)


def build_expression(text: str, scope: Scope, where: str) -> Value:
    """The expression `text` as a Value; DescriptionError (prefixed by `where`) otherwise."""
    text = _screen(text, where)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, where) from None
    return Builder(scope, where).build(tree)


def _screen(text: str, where: str) -> str:
    if len(text) > MAX_LENGTH:
        problem = gettext("the expression has {count} characters; the limit is {limit}")
        raise located(where, problem.format(count=len(text), limit=MAX_LENGTH))
    text = unicodedata.normalize("NFC", text)
    for position, ch in enumerate(text):
        if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Cs"):
            problem = gettext("control character U+{code} is not allowed")
            raise located(where, problem.format(code=f"{ord(ch):04X}"), position)
    text = text.translate({ord(ch): " " for ch in "\t\n\r"})
    if not text.strip():
        raise located(where, gettext("the expression is empty"))
    return text


def _syntax_error(error: UnexpectedInput, text: str, where: str) -> DescriptionError:
    position = min(max(error.pos_in_stream or 0, 0), len(text))
    if isinstance(error, UnexpectedToken):
        position = error.token.start_pos if error.token.type != "$END" else len(text)
    if isinstance(error, UnexpectedEOF) or position is None or position >= len(text):
        return located(where, gettext("the expression ends too early"), len(text) - 1)
    ch = text[position]
    if ch == "=":
        problem = gettext("unexpected '=': give only the value, without 'name ='")
    elif isinstance(error, UnexpectedToken):
        token = repr(shorten(str(error.token)))
        problem = gettext("unexpected {token}").format(token=token)
    else:
        problem = gettext("unexpected character {character}").format(character=repr(ch))
    return located(where, problem, position)


CHAINS = {"add": "sum", "sub": "sum", "mul": "product", "div": "product", "hadamard": "product"}


def _family(node: Node) -> str | None:
    return CHAINS.get(node.data) if isinstance(node, lark.Tree) else None


def _start(node: Node) -> int | None:
    return node.start_pos if isinstance(node, lark.Token) else getattr(node.meta, "start_pos", None)


def matmul(*factors: sp.Basic) -> sp.Basic:
    """The product of numbers and matrices (at least one), flat, the number in front."""
    numbers: list[sp.Basic] = []
    matrices: list[sp.Basic] = []
    for factor in factors:
        for part in factor.args if isinstance(factor, MatMul) else (factor,):
            (matrices if isinstance(part, MatrixExpr) else numbers).append(part)
    coefficient = sp.Mul(*numbers)
    if coefficient.is_zero:
        rows, cols = MatMul(*matrices).shape
        return sp.ZeroMatrix(rows, cols)
    args = matrices if coefficient == 1 else [coefficient, *matrices]
    return args[0] if len(args) == 1 else MatMul(*args)


class Builder:
    """Walks a parse tree; one method per kind of node (`_call`, `_norm`, ...), found by
    name; a chain of + and − or of ·, / and ∘ is folded left to right without recursion."""

    def __init__(self, scope: Scope, where: str) -> None:
        self.scope, self.where, self.depth = scope, where, 0

    def fail(self, problem: str, node: Node | None = None) -> DescriptionError:
        return located(self.where, problem, None if node is None else _start(node))

    def build(self, node: Node) -> Value:
        """The value of a node; a chain of + or · is one level of MAX_DEPTH, however long."""
        if self.depth >= MAX_DEPTH:
            problem = gettext("the expression is nested more than {limit} levels deep")
            raise self.fail(problem.format(limit=MAX_DEPTH), node)
        if isinstance(node, lark.Token):  # grammar.lark makes every atom a tree
            raise self.fail(gettext("unexpected {token}").format(token=repr(str(node))), node)
        self.depth += 1
        try:
            family = _family(node)
            value: Value = (
                self._chain(node, family) if family else getattr(self, f"_{node.data}")(node)
            )
        finally:
            self.depth -= 1
        return value

    # ------------------------------------------------------------------ chains

    def _chain(self, node: lark.Tree[lark.Token], family: str) -> Value:
        links: list[lark.Tree[lark.Token]] = []
        first: Node = node
        while isinstance(first, lark.Tree) and _family(first) == family:
            links.append(first)
            first = first.children[0]
        links.reverse()
        value = self.build(first)
        if family == "sum":
            return self._sum(value, links)
        operations = {"mul": self._times, "div": self._divide, "hadamard": self._entrywise}
        for link in links:
            right = link.children[1]
            value = operations[link.data](value, self.build(right), right)
        return value

    def _sum(self, first: Value, links: list[lark.Tree[lark.Token]]) -> Value:
        """Terms of one shape, in the order written; a number among matrices is added to
        every entry (s·𝟏), or is a 1×1 matrix (AsMatrix) beside 1×1 products."""
        terms, shape = [(1, first)], first.shape if first.is_matrix else None
        for link in links:
            right = self.build(link.children[1])
            if right.is_matrix and shape is not None and right.shape != shape:
                problem = gettext("cannot add {left} and {right}")
                if link.data == "sub":
                    problem = gettext("cannot subtract {right} from {left}")
                shapes = {"left": shape_text(shape), "right": shape_text(right.shape)}
                raise self.fail(problem.format(**shapes), link.children[1])
            if right.is_matrix and shape is None:
                shape = right.shape
            terms.append((1 if link.data == "add" else -1, right))
        if shape is None:
            return Value(sp.Add(*(sign * value.expr for sign, value in terms)), (ONE, ONE))
        parts: list[sp.Basic] = []
        for sign, value in terms:
            part = self._term(sign, value, shape)
            parts.extend(part.args if isinstance(part, MatAdd) else (part,))
        return Value(MatAdd(*parts, evaluate=False), shape)

    @staticmethod
    def _term(sign: int, value: Value, shape: Shape) -> sp.Basic:
        if not value.is_matrix:
            number = sign * value.expr
            return AsMatrix(number) if shape == (ONE, ONE) else matmul(number, OneMatrix(*shape))
        return value.expr if sign > 0 else matmul(-ONE, value.expr)

    def _times(self, left: Value, right: Value, node: Node) -> Value:
        if not (left.is_matrix or right.is_matrix):
            return Value(left.expr * right.expr, (ONE, ONE))
        if not (left.is_matrix and right.is_matrix):
            return Value(matmul(left.expr, right.expr), (left if left.is_matrix else right).shape)
        if left.shape[1] != right.shape[0]:
            problem = gettext(
                "cannot multiply {left} by {right}: {cols} columns against {rows} rows"
            )
            shapes = {"left": shape_text(left.shape), "right": shape_text(right.shape)}
            raise self.fail(problem.format(**shapes, cols=left.shape[1], rows=right.shape[0]), node)
        return Value(matmul(left.expr, right.expr), (left.shape[0], right.shape[1]))

    def _divide(self, left: Value, right: Value, node: Node) -> Value:
        if right.is_matrix:
            problem = gettext("cannot divide by a {shape} matrix: divide by numbers only")
            raise self.fail(problem.format(shape=shape_text(right.shape)), node)
        if right.expr.is_zero:
            raise self.fail(gettext("division by zero"), node)
        return self._times(left, Value(sp.Pow(right.expr, -1), (ONE, ONE)), node)

    def _entrywise(self, left: Value, right: Value, node: Node) -> Value:
        if not (left.is_matrix and right.is_matrix):
            return self._times(left, right, node)
        if left.shape != right.shape:
            problem = gettext("cannot multiply {left} and {right} entry by entry")
            raise self.fail(
                problem.format(left=shape_text(left.shape), right=shape_text(right.shape)), node
            )
        factors = [
            e.args if isinstance(e, HadamardProduct) else (e,) for e in (left.expr, right.expr)
        ]
        return Value(HadamardProduct(*factors[0], *factors[1]), left.shape)

    # ------------------------------------------------------------------ other operators

    def _neg(self, node: lark.Tree[lark.Token]) -> Value:
        value = self.build(node.children[0])
        return Value(matmul(-ONE, value.expr) if value.is_matrix else -value.expr, value.shape)

    def _power(self, node: lark.Tree[lark.Token]) -> Value:
        base_node, exponent = node.children
        base = self.build(base_node)
        if base.is_matrix:
            problem = gettext(
                "{shape} to a power: powers are for numbers; write square(v), v ∘ v or ‖v‖^2"
            )
            raise self.fail(problem.format(shape=shape_text(base.shape)), base_node)
        negative = isinstance(exponent, lark.Tree) and exponent.data == "negative_exponent"
        written = str(exponent.children[0] if isinstance(exponent, lark.Tree) else exponent)
        if "." in written or int(written) > MAX_EXPONENT:
            problem = gettext("an exponent is a whole number from -{limit} to {limit}")
            raise self.fail(problem.format(limit=MAX_EXPONENT), exponent)
        k = -int(written) if negative else int(written)
        if k < 0 and base.expr.is_zero:
            raise self.fail(gettext("division by zero"), node)
        number = base.expr
        if isinstance(number, sp.Rational):
            digits = len(str(abs(number.p))) + len(str(number.q))
            if digits * abs(k) > MAX_POWER_DIGITS:
                problem = gettext("this power makes a number with more than {limit} digits")
                raise self.fail(problem.format(limit=MAX_POWER_DIGITS), node)
        return Value(number**k, (ONE, ONE))

    def _transpose(self, node: lark.Tree[lark.Token]) -> Value:
        value = self.build(node.children[0])
        expr = value.expr
        if not value.is_matrix:
            return value
        symbol = isinstance(expr, (MatrixSymbol, OneMatrix, sp.ZeroMatrix))
        flipped = expr.arg if isinstance(expr, Transpose) else expr.T if symbol else Transpose(expr)
        return Value(flipped, (value.shape[1], value.shape[0]))

    def _call(self, node: lark.Tree[lark.Token]) -> Value:
        token, argument = node.children
        written = ascii_name(str(token)[:-1].strip())
        name = ALIASES.get(written, written)
        if name not in CALLS:
            problem = gettext("unknown function {name}: the functions are {functions}")
            if written in self.scope.values:
                problem = gettext("{name} is not a function: to multiply by it, write {name} * (…)")
            functions = join_list((*FUNCTIONS, "\u03c3", "sum", "norm2"))
            raise self.fail(problem.format(name=written, functions=functions), token)
        value = self.build(argument)
        if name == "sum":
            return self._total(value, argument)
        if name == "norm2":
            return self._squared_norm(value, argument)
        if value.is_matrix:
            return Value(Entrywise(name, value.expr), value.shape)
        result = FUNCTIONS[name](value.expr)
        if result.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I):
            problem = gettext("{function} of {value} is not a real number")
            raise self.fail(problem.format(function=name, value=value.expr), node)
        return Value(result, (ONE, ONE))

    def _norm(self, node: lark.Tree[lark.Token]) -> Value:
        return self._squared_norm(self.build(node.children[0]), node)

    def _total(self, value: Value, node: Node) -> Value:
        """sum(v) = 𝟏ᵀv for a column, v𝟏 for a row."""
        rows, cols = value.shape
        if not value.is_matrix or value.shape == (ONE, ONE):
            return value
        if ONE not in value.shape:
            problem = gettext("sum(…) takes a row or a column, not {shape}")
            raise self.fail(problem.format(shape=shape_text(value.shape)), node)
        if cols == ONE:
            return Value(matmul(OneMatrix(rows, 1).T, value.expr), (ONE, ONE))
        return Value(matmul(value.expr, OneMatrix(cols, 1)), (ONE, ONE))

    def _squared_norm(self, value: Value, node: Node) -> Value:
        if not value.is_matrix:
            return Value(value.expr**2, (ONE, ONE))
        if ONE not in value.shape:
            problem = gettext("‖…‖^2 takes a row or a column, not {shape}")
            raise self.fail(problem.format(shape=shape_text(value.shape)), node)
        return Value(SquaredNorm(value.expr), (ONE, ONE))

    # ------------------------------------------------------------------ leaves

    def _number(self, node: lark.Tree[lark.Token]) -> Value:
        digits = str(node.children[0])
        if len(digits.replace(".", "")) > MAX_DIGITS:
            problem = gettext("a number with more than {limit} digits")
            raise self.fail(problem.format(limit=MAX_DIGITS), node)
        return Value(sp.Rational(digits), (ONE, ONE))

    def _name(self, node: lark.Tree[lark.Token]) -> Value:
        token = str(node.children[0])
        name = "ones" if token == "\U0001d7cf" else ascii_name(token)  # 𝟏
        if name in self.scope.values:
            return self.scope.values[name]
        raise self.fail(self._unknown_name(name), node)

    def _unknown_name(self, name: str) -> str:
        if name == self.scope.defining:
            return gettext("{name} uses itself").format(name=name)
        if name in self.scope.later:
            problem = gettext("{name} uses {other}, which is defined after it")
            return problem.format(name=self.scope.defining, other=name)
        if name in (*CALLS, "sigma"):
            return gettext("{name} is a function: write {name}(…)").format(name=name)
        if name in ("J", "eta"):
            problem = gettext("{name} cannot be used here: J is the cost, eta the learning rate")
            return problem.format(name=name)
        problem = gettext("unknown symbol {name}: the names here are {names}")
        return problem.format(name=name, names=join_list(self.scope.values))
