"""Names, numbers and entries: the leaves of the parse tree as SymPy objects.

Part of the build stage of `derive check` (parse -> build -> diagnose -> check):
`Leaves` resolves every spelling of the model's names (X, ŷ, \\hat{y}, 𝟏, ...) and the
entries y_i, X_ij, β_j, X_i, x_j^{(i)}, y^{(i)} to the symbols of the model;
`build.Builder` adds operators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn, TypeGuard

import lark
import sympy as sp

from derive.core.errors import shorten
from derive.core.i18n import gettext, join_list
from derive.grade.indexed import Row
from derive.grade.parse import ExpressionError, Node, Tree, node_end, node_start
from derive.grade.value import ONE, ShapeClash, Value, index_symbol, merge_indices
from derive.grade.vocabulary import ModelNames
from derive.models.linear import Model

INDEX_LETTERS = "ijklpqrst"
SUBSCRIPTS = {"ᵢ": "i", "ⱼ": "j", "ₖ": "k"}


class Leaves:
    """The text and the model being read, refusals, and one method per leaf node."""

    def __init__(self, text: str, names: ModelNames | Model) -> None:
        self.text = text
        self.vocabulary = names if isinstance(names, ModelNames) else ModelNames.for_article(names)
        self.names: Mapping[str, Value] = self.vocabulary.values
        self.m: sp.Expr = self.names["m"].expr
        self.n: sp.Expr = self.names["n"].expr

    def fail(self, problem: str, node: Node | None) -> NoReturn:
        raise ExpressionError(problem, self.text, node_start(node))

    def clash(self, message: str, node: Node) -> ShapeClash:
        return ShapeClash(message, node_start(node))

    def snippet(self, node: Node) -> str:
        start, end = node_start(node), node_end(node)
        return shorten(self.text[start:end].strip()) if start is not None and end else "?"

    def _token(self, token: lark.Token) -> Value:
        raise ExpressionError(
            gettext("unexpected {token}").format(token=repr(shorten(str(token)))),
            self.text,
            token.start_pos,
        )

    def _number(self, node: Tree) -> Value:
        token = _leaf(node)  # at most parse.MAX_DIGITS digits
        whole, _, fraction = str(token).partition(".")
        number = sp.Integer(int(whole + fraction)) / sp.Integer(10) ** len(fraction)
        return Value(number, (ONE, ONE), one=str(token) == "1")

    def _name(self, node: Tree) -> Value:
        base, letters = self._spelling(_leaf(node))
        if letters:
            return self._entry_of(base, letters, node)
        if base == "x":
            self.fail(
                gettext("x needs a subscript (x_ij is the entry of X); the matrix is X"), node
            )
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
            if base in self.vocabulary.spellings:
                return self.vocabulary.spellings[base], "".join(parts[cut:]) + letters
        raise ExpressionError(
            gettext("unknown name {name}; the names are {names}").format(
                name=repr(shorten(str(token))), names=self.vocabulary.known
            ),
            self.text,
            token.start_pos,
        )

    def _hat(self, node: Tree) -> Value:
        (inner,) = node.children
        if self._base_name(inner) != "y" or "yhat" not in self.names:
            self.fail(gettext("a hat is only for the prediction ŷ (\\hat{y})"), node)
        return self.names["yhat"]

    def _entry(self, node: Tree) -> Value:
        base_node, indices = node.children
        letters = "".join(str(token) for token in _children(indices))
        if _is_example(base_node):  # x^{(i)}_j
            name, first = self._superscripted(base_node)
            return self._entry_of(name, first + letters, node)
        base = self._base_name(base_node)
        if base is None:
            self.fail(gettext("only a name can have a subscript (X_ij, y_i, \\beta_j)"), node)
        return self._entry_of(str(base), letters, node)

    def _example(self, node: Tree) -> Value:
        """x_j^{(i)}, y^{(i)}, ŷ^{(i)}: the superscript (i) is the example, the row index."""
        base, letters = self._superscripted(node)
        return self._entry_of(base, letters, node)

    def _superscripted(self, node: Tree) -> tuple[str, str]:
        """The name under a superscript (i), and its indices with the example's first."""
        operand, token = node.children
        letter = self._index_letter(next(ch for ch in str(token) if ch.isalpha()), token)
        named = None if _is_example(operand) else self._named(operand)
        if named is None or named[0] not in self.vocabulary.per_example:
            self.fail(
                gettext(
                    "the superscript ({letter}) is the example: it goes on x, y, ŷ or u "
                    "(x_j^{{({letter})}}, y^{{({letter})}})"
                ).format(letter=letter),
                node,
            )
        base, letters = named
        return base, letter + letters

    def _named(self, node: Node) -> tuple[str, str] | None:
        """(canonical name, subscript letters) of a name, an entry x_j or ŷ; None otherwise."""
        if isinstance(node, lark.Token):
            return self._spelling(node)
        if node.data == "name":
            return self._named(node.children[0])
        if node.data == "entry":
            base_node, indices = node.children
            base = self._base_name(base_node)
            letters = "".join(str(token) for token in _children(indices))
            return None if base is None else (base, letters)
        base = self._base_name(node)
        return None if base is None else (base, "")

    def _base_name(self, node: Node) -> str | None:
        if isinstance(node, lark.Token):
            base, letters = self._spelling(node)
            return None if letters else base
        if node.data == "name":
            return self._base_name(node.children[0])
        if node.data == "hat" and self._base_name(node.children[0]) == "y":
            if "yhat" not in self.names:  # a model without a prediction ŷ
                self._hat(node)
            return "yhat"
        return None

    def _entry_of(self, base: str, letters: str, node: Tree) -> Value:
        """y_i, X_ij, β_j, u_i, ŷ_i, 𝟏_i, and X_i (row i of X)."""
        for letter in letters:
            if letter not in INDEX_LETTERS:
                self.fail(
                    gettext("subscripts are index letters ({letters}), not {letter}").format(
                        letters=join_list(INDEX_LETTERS), letter=repr(letter)
                    ),
                    node,
                )
        whole = self.names["X" if base == "x" else base]
        rows, cols = whole.shape
        sizes = [size for size in (rows, cols) if size != ONE]
        if base in ("X", "x") and len(letters) == 1:
            i = index_symbol(letters)
            return Value(Row(whole.expr, i), (ONE, self.n), whole.degree, ((letters, self.m),))
        if len(letters) != len(sizes) or not sizes:
            self.fail(
                gettext("{name} takes {count} subscript(s), not {given}").format(
                    name=base, count=len(sizes), given=len(letters)
                ),
                node,
            )
        symbols = [index_symbol(letter) for letter in letters]
        ranges = merge_indices(
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

    def _index_letter(self, letter: str, node: Node) -> str:
        if letter not in INDEX_LETTERS:
            self.fail(
                gettext("{letter} cannot be an index; use one of {letters}").format(
                    letter=repr(letter), letters=join_list(INDEX_LETTERS)
                ),
                node,
            )
        return letter


def _is_example(node: Node) -> TypeGuard[Tree]:
    return isinstance(node, lark.Tree) and node.data == "example"


def _leaf(node: Tree) -> lark.Token:
    """The one token of a leaf node (number, name)."""
    (token,) = node.children
    if not isinstance(token, lark.Token):
        raise TypeError(f"{node.data} holds a tree, not a token")
    return token


def _children(node: Node) -> list[Node]:
    return list(node.children) if isinstance(node, lark.Tree) else [node]
