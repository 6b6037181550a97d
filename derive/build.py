"""From a parse tree to SymPy objects: names, entries, sums, shapes and bounds.

Second stage of `derive check` (parse -> build -> diagnose -> check). The builder walks
the tree of parse.py and makes every SymPy object itself (no eval, no sympify); it keeps
the shape of each part, the range of each index and the degree in the data, so that a
product that is not conformable is reported as a `ShapeClash` (a diagnosis, not an input
error) and input that could make the checks run away is refused as an `ExpressionError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NoReturn

import lark
import sympy as sp
from sympy import MatrixExpr, OneMatrix

from derive.errors import ExpressionError
from derive.indexed import MatrixSum, Row
from derive.model import Model
from derive.parse import Node, Parsed, Tree

Shape = tuple[sp.Expr, sp.Expr]
ONE = sp.Integer(1)
MAX_DIGITS = 15  # in one number
MAX_EXPONENT = 16  # |k| in a power a^k
MAX_DEGREE = 8  # total degree in the data X, y, α, β (u and ŷ count twice)
MAX_SUMS = 4  # sums multiplied together in a term (their normal form costs a factorial)
INDEX_LETTERS = "ijklpqrst"
SUBSCRIPTS = {"ᵢ": "i", "ⱼ": "j", "ₖ": "k"}
SPELLINGS = {
    "X": "X",
    "x": "x",
    "y": "y",
    "alpha": "alpha",
    "α": "alpha",
    r"\alpha": "alpha",
    "beta": "beta",
    "β": "beta",
    r"\beta": "beta",
    "m": "m",
    "n": "n",
    "u": "u",
    "yhat": "yhat",
    "y_hat": "yhat",
    "ŷ": "yhat",
    "ones": "ones",
    "𝟏": "ones",
}
KNOWN = "X, y, alpha (α), beta (β), m, n, u, yhat (ŷ), ones (𝟏)"


class ShapeClash(Exception):
    """Parts of the expression whose sizes do not fit; `position` is where, in the text."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Value:
    """A built part: its SymPy object, shape, degree in the data and free indices.

    `indices` maps each free index letter to the size it runs over (m or n); `one` marks
    the literal 1, which transposed (1ᵀ) is the row of ones; `sums` counts the sums one
    term multiplies together once entries are written out (uᵀX is one, and y or ŷ
    bring one, Xβᵀ, when written in the error u).
    """

    expr: sp.Basic
    shape: Shape
    degree: int = 0
    indices: tuple[tuple[str, sp.Expr], ...] = ()
    one: bool = False
    sums: int = 0

    @property
    def is_matrix(self) -> bool:
        return isinstance(self.expr, MatrixExpr)


def build(parsed: Parsed, model: Model) -> Value:
    """The parsed expression as a `Value`; a free feature index becomes the model's j."""
    value = Builder(parsed.text, model).build(parsed.tree)
    free = dict(value.indices)
    examples = [letter for letter, size in free.items() if size != model.n]
    if examples:
        raise ShapeClash(
            f"the index {examples[0]} is free: the expression depends on the example "
            f"{examples[0]}, so a sum over {examples[0]} is missing"
        )
    if len(free) > 1:
        raise ShapeClash(f"two free feature indices ({', '.join(sorted(free))}); use one, j")
    if free:
        (letter,) = free
        value = replace(
            value,
            expr=value.expr.xreplace({index_symbol(letter): model.j}),
            indices=((str(model.j), model.n),),
        )
    return value


def index_symbol(letter: str) -> sp.Symbol:
    """The symbol of an index letter while it is free in the part being built."""
    return sp.Symbol(letter, integer=True)


def shape_text(shape: Shape) -> str:
    return "1×1" if shape == (ONE, ONE) else f"{shape[0]}×{shape[1]}"


def a_shape(shape: Shape) -> str:
    """The shape with its article as read aloud: a 1×n, an m×1."""
    return f"{'an' if str(shape[0]) in ('m', 'n') else 'a'} {shape_text(shape)}"


def scalar(value: Value) -> Value:
    """A 1×1 matrix as a scalar (its only entry); anything else unchanged."""
    if value.is_matrix and value.shape == (ONE, ONE):
        return replace(value, expr=value.expr[0, 0])
    return value


def _merge(*parts: Value, where: int | None = None) -> tuple[tuple[str, sp.Expr], ...]:
    ranges: dict[str, sp.Expr] = {}
    for part in parts:
        for letter, size in part.indices:
            if ranges.setdefault(letter, size) != size:
                raise ShapeClash(
                    f"the index {letter} runs over both the examples (1..m) and the "
                    "features (1..n)",
                    where,
                )
    return tuple(sorted(ranges.items()))


class Builder:
    """Walks a parse tree; one method per tree node, found by name (`_add`, `_sigma`, ...)."""

    def __init__(self, text: str, model: Model) -> None:
        self.text = text
        self.model = model
        M = model
        self.names: dict[str, Value] = {
            "X": Value(M.X, (M.m, M.n), 1),
            "y": Value(M.y, (M.m, ONE), 1, sums=1),
            "alpha": Value(M.alpha, (ONE, ONE), 1),
            "beta": Value(M.beta, (ONE, M.n), 1),
            "m": Value(M.m, (ONE, ONE)),
            "n": Value(M.n, (ONE, ONE)),
            "u": Value(M.u, (M.m, ONE), 2),
            "yhat": Value(M.yhat, (M.m, ONE), 2, sums=1),
            "ones": Value(OneMatrix(M.m, ONE), (M.m, ONE)),
        }

    def build(self, node: Node) -> Value:
        if isinstance(node, lark.Token):
            return self._token(node)
        method: Callable[[Tree], Value] = getattr(self, f"_{node.data}")
        value = method(node)
        if value.degree > MAX_DEGREE:
            self.fail(
                f"more than {MAX_DEGREE} data factors multiplied together "
                "(X, y, α, β; u and ŷ count twice): not a gradient of this cost",
                node,
            )
        if value.sums > MAX_SUMS:
            self.fail(
                f"more than {MAX_SUMS} sums multiplied together (matrix products and y, ŷ "
                "count as sums): not a gradient of this cost",
                node,
            )
        return value

    def fail(self, problem: str, node: Node | None) -> NoReturn:
        raise ExpressionError(problem, self.text, _start(node))

    def clash(self, message: str, node: Node) -> ShapeClash:
        return ShapeClash(message, _start(node))

    def snippet(self, node: Node) -> str:
        start, end = _start(node), _end(node)
        return self.text[start:end].strip() if start is not None and end else "?"

    # ------------------------------------------------------------------ leaves

    def _token(self, token: lark.Token) -> Value:
        raise ExpressionError(f"unexpected {str(token)!r}", self.text, token.start_pos)

    def _number(self, node: Tree) -> Value:
        token = _leaf(node)
        digits = token.replace(".", "")
        if len(digits) > MAX_DIGITS:
            self.fail(f"a number with more than {MAX_DIGITS} digits", node)
        whole, _, fraction = str(token).partition(".")
        number = sp.Integer(int(whole + fraction)) / sp.Integer(10) ** len(fraction)
        return Value(number, (ONE, ONE), one=str(token) == "1")

    def _name(self, node: Tree) -> Value:
        base, letters = self._spelling(_leaf(node))
        if letters:
            return self._entry_of(base, letters, node)
        if base == "x":
            self.fail("x needs a subscript (x_ij is the entry of X); the matrix is X", node)
        return self.names[base]

    def _spelling(self, token: lark.Token) -> tuple[str, str]:
        """(canonical name, subscript letters) of a name as typed: X_ij, yhat_i, βⱼ, y_hat."""
        word = str(token)
        if token.type == "ONES_SYMBOL":
            return "ones", ""
        letters = ""
        while word and word[-1] in SUBSCRIPTS:
            letters = SUBSCRIPTS[word[-1]] + letters
            word = word[:-1]
        parts = word.split("_")
        for cut in range(len(parts), 0, -1):
            base = "_".join(parts[:cut])
            if base in SPELLINGS:
                return SPELLINGS[base], "".join(parts[cut:]) + letters
        raise ExpressionError(
            f"unknown name {str(token)!r}; the names are {KNOWN}", self.text, token.start_pos
        )

    def _hat(self, node: Tree) -> Value:
        (inner,) = node.children
        if self._base_name(inner) != "y":
            self.fail("a hat is only for the prediction ŷ (\\hat{y})", node)
        return self.names["yhat"]

    def _entry(self, node: Tree) -> Value:
        base_node, indices = node.children
        base = self._base_name(base_node)
        if base is None:
            self.fail("only a name can have a subscript (X_ij, y_i, \\beta_j)", node)
        letters = "".join(str(token) for token in _children(indices))
        return self._entry_of(str(base), letters, node)

    def _base_name(self, node: Node) -> str | None:
        if isinstance(node, lark.Token):
            base, letters = self._spelling(node)
            return None if letters else base
        if node.data == "name":
            return self._base_name(node.children[0])
        if node.data == "hat" and self._base_name(node.children[0]) == "y":
            return "yhat"
        return None

    def _entry_of(self, base: str, letters: str, node: Tree) -> Value:
        """y_i, X_ij, β_j, u_i, ŷ_i, 𝟏_i, and X_i (row i of X)."""
        for letter in letters:
            if letter not in INDEX_LETTERS:
                self.fail(
                    f"subscripts are index letters ({', '.join(INDEX_LETTERS)}), not {letter!r}",
                    node,
                )
        M = self.model
        whole = self.names["X" if base == "x" else base]
        rows, cols = whole.shape
        sizes = [size for size in (rows, cols) if size != ONE]
        if base in ("X", "x") and len(letters) == 1:
            i = index_symbol(letters)
            return Value(Row(M.X, i), (ONE, M.n), 1, ((letters, M.m),))
        if len(letters) != len(sizes) or not sizes:
            self.fail(f"{base} takes {len(sizes)} subscript(s), not {len(letters)}", node)
        symbols = [index_symbol(letter) for letter in letters]
        ranges = _merge(
            *(Value(ONE, (ONE, ONE), 0, ((a, s),)) for a, s in zip(letters, sizes, strict=True))
        )
        if base == "ones":
            return Value(ONE, (ONE, ONE), 0, ranges)
        if rows == ONE:
            symbols.insert(0, sp.Integer(0))
        elif cols == ONE:
            symbols.append(sp.Integer(0))
        element = whole.expr[symbols[0], symbols[1]]
        return Value(element, (ONE, ONE), whole.degree, ranges, sums=whole.sums)

    # ------------------------------------------------------------------ arithmetic

    def _neg(self, node: Tree) -> Value:
        (operand,) = node.children
        value = self.build(operand)
        return replace(value, expr=-value.expr, one=False)

    def _add(self, node: Tree) -> Value:
        return self._plus(node, 1)

    def _sub(self, node: Tree) -> Value:
        return self._plus(node, -1)

    def _plus(self, node: Tree, sign: int) -> Value:
        left_node, right_node = node.children
        left, right = self.build(left_node), self.build(right_node)
        if left.shape != right.shape:
            if left.shape == (ONE, ONE):  # a scalar added to every entry, as NumPy broadcasts
                left = self._broadcast(scalar(left), right.shape)
            elif right.shape == (ONE, ONE):
                right = self._broadcast(scalar(right), left.shape)
            else:
                raise self.clash(self._operands("adds", node, left, right), right_node)
        elif left.is_matrix != right.is_matrix:
            left, right = scalar(left), scalar(right)
        expr = left.expr + right.expr if sign > 0 else left.expr - right.expr
        degree, sums = max(left.degree, right.degree), max(left.sums, right.sums)
        return Value(expr, left.shape, degree, _merge(left, right, where=_start(node)), sums=sums)

    def _operands(self, verb: str, node: Tree, left: Value, right: Value) -> str:
        """`a b` multiplies an m×1 (a) by an m×n (b): the two sides of a clash, named."""
        left_node, right_node = node.children
        joiner = "by" if verb == "multiplies" else "and"
        return (
            f"{self.snippet(node)} {verb} {a_shape(left.shape)} ({self.snippet(left_node)}) "
            f"{joiner} {a_shape(right.shape)} ({self.snippet(right_node)})"
        )

    @staticmethod
    def _broadcast(value: Value, shape: Shape) -> Value:
        return replace(value, expr=value.expr * OneMatrix(*shape), shape=shape)

    def _mul(self, node: Tree) -> Value:
        left_node, right_node = node.children
        left, right = self.build(left_node), self.build(right_node)
        if left.is_matrix and right.is_matrix and left.shape[1] != right.shape[0]:
            if left.shape == (ONE, ONE):
                left = scalar(left)
            elif right.shape == (ONE, ONE):
                right = scalar(right)
            else:
                sizes = f": the inner sizes {left.shape[1]} and {right.shape[0]} differ"
                raise self.clash(
                    self._operands("multiplies", node, left, right) + sizes, right_node
                )
        shape = _product_shape(left, right)
        ranges = _merge(left, right, where=_start(node))
        inner = left.is_matrix and right.is_matrix and left.shape[1] != ONE
        sums = left.sums + right.sums + (1 if inner else 0)
        degree = left.degree + right.degree
        return Value(left.expr * right.expr, shape, degree, ranges, sums=sums)

    def _div(self, node: Tree) -> Value:
        left_node, right_node = node.children
        left, right = self.build(left_node), scalar(self.build(right_node))
        if right.is_matrix:
            raise self.clash(
                f"{self.snippet(right_node)} is {shape_text(right.shape)}: only a number "
                "can divide",
                right_node,
            )
        if right.degree > 0 or right.indices:
            self.fail("division by an expression in the data; divide by numbers, m or n", node)
        if right.expr.is_zero:
            self.fail("division by zero", right_node)
        ranges = _merge(left, right, where=_start(node))
        return Value(left.expr / right.expr, left.shape, left.degree, ranges, sums=left.sums)

    def _power(self, node: Tree) -> Value:
        base_node, exponent_node = node.children
        base, exponent = scalar(self.build(base_node)), self.build(exponent_node)
        if base.is_matrix:
            raise self.clash(
                f"{self.snippet(base_node)} is {shape_text(base.shape)}: powers are for "
                "numbers (write uᵀu for a sum of squares)",
                base_node,
            )
        power = exponent.expr
        if exponent.degree or exponent.indices or not getattr(power, "is_Integer", False):
            self.fail("exponents must be whole numbers", exponent_node)
        k = int(power)
        if abs(k) > MAX_EXPONENT:
            self.fail(f"exponents larger than {MAX_EXPONENT} are not used here", exponent_node)
        if k < 0 and (base.degree or base.indices):
            self.fail("a negative power of the data (division by the data)", node)
        if k < 0 and base.expr.is_zero:
            self.fail("division by zero", node)
        self._bound_number(base.expr, k, node)
        degree, sums = base.degree * abs(k), base.sums * abs(k)
        return Value(base.expr**k, base.shape, degree, base.indices, sums=sums)

    def _bound_number(self, base: sp.Basic, k: int, node: Tree) -> None:
        """A power of a number is computed at once: refuse results over 100 digits."""
        numeric = base.atoms(sp.Rational) | ({base} if base.is_Rational else set())
        largest = max((max(abs(r.p), abs(r.q)) for r in numeric), default=1)
        if largest > 1 and len(str(largest)) * abs(k) > 100:
            self.fail("this power makes a number with more than 100 digits", node)

    def _transpose(self, node: Tree) -> Value:
        (operand,) = node.children
        value = self.build(operand)
        if value.one:  # 1ᵀ: the row of ones
            return Value(OneMatrix(ONE, self.model.m), (ONE, self.model.m))
        if not value.is_matrix:
            return value
        return replace(value, expr=value.expr.T, shape=(value.shape[1], value.shape[0]))

    # ------------------------------------------------------------------ sums

    def _total(self, node: Tree) -> Value:
        """sum(v): the sum of the entries of a vector."""
        (operand,) = node.children
        value = self.build(operand)
        rows, cols = value.shape
        if not value.is_matrix:
            return value
        if cols == ONE:
            expr = OneMatrix(rows, ONE).T * value.expr
        elif rows == ONE:
            expr = value.expr * OneMatrix(cols, ONE)
        else:
            raise self.clash(
                f"sum() needs a vector; {self.snippet(operand)} is {shape_text(value.shape)}",
                operand,
            )
        return Value(expr, (ONE, ONE), value.degree, value.indices, sums=value.sums + 1)

    def _sigma(self, node: Tree) -> Value:
        """Σ_i body: the index runs over the examples (1..m) or the features (1..n)."""
        head, body_node = node.children
        letter, size = self._sum_head(head, node)
        body = self.build(body_node)
        ranges = dict(body.indices)
        used = ranges.pop(letter, None)
        if size is not None and used is not None and size != used:
            raise self.clash(
                f"the sum over {letter} runs to {size}, but {letter} is used as an index "
                f"that runs to {used}",
                node,
            )
        size = size if size is not None else used if used is not None else self.model.m
        bound = sp.Dummy(letter, integer=True)
        limits = sp.Tuple(bound, 0, size - 1)
        inner = scalar(body)
        expr = inner.expr.xreplace({index_symbol(letter): bound})
        total = MatrixSum(expr, limits) if inner.is_matrix else sp.Sum(expr, limits)
        free = tuple(sorted(ranges.items()))
        return Value(total, body.shape, body.degree, free, sums=body.sums + 1)

    def _sum_head(self, head: Node, node: Tree) -> tuple[str, sp.Expr | None]:
        """The index letter and, when written, the size the sum runs to."""
        if isinstance(head, lark.Token):  # plain: sum_i, Σ_{i}, Σᵢ, Σ[i=1..m]
            word = str(head)
            if "[" in word:
                return word[2], self.names[word[-2]].expr
            letter = SUBSCRIPTS.get(word[-1], word.rstrip("}")[-1])
            return self._index_letter(letter, head), None
        return self._latex_limits(head, node)

    def _latex_limits(self, limits: Tree, node: Tree) -> tuple[str, sp.Expr | None]:
        parts = {
            c.data: [str(t) for t in c.children]
            for c in limits.children
            if isinstance(c, lark.Tree)
        }
        if "lower" not in parts:
            self.fail("a sum needs its index: \\sum_{i=1}^{m}", node)
        letter = self._index_letter(parts["lower"][0], node)
        start = int(parts["lower"][1]) if len(parts["lower"]) > 1 else 1
        if "upper" not in parts:
            return letter, None
        size_name = parts["upper"][0]
        shift = int(parts["upper"][1]) if len(parts["upper"]) > 1 else 0
        if size_name not in ("m", "n") or (start, shift) not in ((1, 0), (0, 1)):
            self.fail("a sum runs over all examples (i=1..m) or all features (k=1..n)", limits)
        return letter, self.names[size_name].expr

    def _index_letter(self, letter: str, node: Node) -> str:
        if letter not in INDEX_LETTERS:
            self.fail(f"{letter!r} cannot be an index; use one of {', '.join(INDEX_LETTERS)}", node)
        return letter


def _product_shape(left: Value, right: Value) -> Shape:
    if not left.is_matrix:
        return right.shape
    if not right.is_matrix:
        return left.shape
    return (left.shape[0], right.shape[1])


def _leaf(node: Tree) -> lark.Token:
    """The one token of a leaf node (number, name)."""
    (token,) = node.children
    if not isinstance(token, lark.Token):
        raise TypeError(f"{node.data} holds a tree, not a token")
    return token


def _children(node: Node) -> list[Node]:
    return list(node.children) if isinstance(node, lark.Tree) else [node]


def _start(node: Node | None) -> int | None:
    if isinstance(node, lark.Token):
        return node.start_pos
    if isinstance(node, lark.Tree):
        return getattr(node.meta, "start_pos", None)
    return None


def _end(node: Node) -> int | None:
    if isinstance(node, lark.Token):
        return node.end_pos
    return getattr(node.meta, "end_pos", None)
