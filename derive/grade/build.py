"""From a parse tree to SymPy objects: operators, sums, shapes and bounds.

Second stage of `derive check` (parse -> build -> diagnose -> check). The builder walks
the tree and makes every SymPy object itself (no eval, no sympify), keeping shapes,
index ranges and the degree in the data: a product that does not fit is a `ShapeClash`,
input that could make the checks run away is refused as an `ExpressionError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import lark
import sympy as sp
from sympy import OneMatrix

from derive.core.i18n import gettext, join_list
from derive.grade.calls import Calls
from derive.grade.indexed import MatrixSum
from derive.grade.names import SUBSCRIPTS
from derive.grade.parse import Node, Parsed, Tree, chain_family, parse
from derive.grade.value import (
    ONE,
    ShapeClash,
    Value,
    index_symbol,
    scalar,
    shape_text,
)
from derive.grade.vocabulary import ModelNames
from derive.models.linear import Model


def build(parsed: Parsed, names: ModelNames | Model) -> Value:
    """The parsed expression as a `Value`. For the article a free feature index becomes
    the model's j and a free example index is refused; for a model description (spec_mode)
    free indices stay `index_symbol` symbols (i over m, j over n), listed in `indices`.
    A linear `Model` is read as `ModelNames.for_article(model)`; text parsed in the
    article's notation is parsed again in the notation of every model for a spec_mode
    `names` (parse the text with models=True to read it in that notation at once)."""
    if not isinstance(names, ModelNames):
        names = ModelNames.for_article(names)
    if names.spec_mode and not parsed.models:  # read again in the notation of every model
        parsed = parse(parsed.text, models=True)
    value = Builder(parsed.text, names).build(parsed.tree)
    if names.spec_mode or names.feature_index is None:
        return value
    free = dict(value.indices)
    examples = [letter for letter, size in free.items() if size != names.values["n"].expr]
    if examples:
        free_index = gettext(
            "the index {letter} is free: the expression depends on the example "
            "{letter}, so a sum over {letter} is missing"
        )
        raise ShapeClash(free_index.format(letter=examples[0]))
    if len(free) > 1:
        two = gettext("two free feature indices ({letters}); use one, j")
        raise ShapeClash(two.format(letters=join_list(sorted(free))))
    if free:
        (letter,) = free
        j = names.feature_index
        value = replace(
            value,
            expr=value.expr.xreplace({index_symbol(letter): j}),
            indices=((str(j), names.values["n"].expr),),
        )
    return value


_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
MAX_GLYPH_POWER = 16  # as parse.py's bound on a typed exponent


class Builder(Calls):
    """Walks a parse tree; one method per tree node, found by name (`_power`, `_sigma`, ...);
    chains of + and − or of ·, / and juxtaposition are folded by `_chain`."""

    def build(self, node: Node) -> Value:
        if isinstance(node, lark.Token):
            return self._token(node)
        family = chain_family(node)
        if family is not None:
            return self._chain(node, family)
        method: Callable[[Tree], Value] = getattr(self, f"_{node.data}")
        value = method(node)
        self.bounded(value.degree, value.sums, node)
        return value

    # ------------------------------------------------------------------ arithmetic

    def _neg(self, node: Tree) -> Value:
        (operand,) = node.children
        value = self.build(operand)
        return replace(value, expr=-value.expr, one=False)

    def _power(self, node: Tree) -> Value:
        base_node, exponent_node = node.children
        return self._raised(base_node, lambda: int(self.build(exponent_node).expr), node)

    def _glyph_power(self, node: Tree) -> Value:
        """p∘², pᵢ², m⁻¹: a power in superscript digits, as derive prints it."""
        base_node, token = node.children
        written = str(token).lstrip("∘").translate(_DIGITS)
        if len(written.lstrip("-")) > 2 or abs(int(written)) > MAX_GLYPH_POWER:
            self.fail(gettext("the power {power} is too large").format(power=str(token)), node)
        return self._raised(base_node, lambda: int(written), node)

    def _raised(self, base_node: Node, exponent: Callable[[], int], node: Tree) -> Value:
        base = scalar(self.build(base_node))
        spec_mode = self.vocabulary.spec_mode
        if base.is_matrix and spec_mode and 1 in base.shape:
            # a model's vector to a power is entry by entry: 1 − tanh(z)², p∘²
            k = exponent()
            degree, sums = base.degree * abs(k), base.sums * abs(k)
            powered = sp.HadamardPower(base.expr, k)
            return Value(powered, base.shape, degree, base.indices, sums=sums)
        if base.is_matrix:
            power = gettext(
                "{what} is {shape}: powers are for numbers (write uᵀu for a sum of squares)"
            )
            raise self.clash(
                power.format(what=self.snippet(base_node), shape=shape_text(base.shape)),
                base_node,
            )
        k = exponent()  # parse.py allows whole numbers up to 16
        if k < 0 and (base.degree or base.indices) and not spec_mode:
            self.fail(gettext("a negative power of the data (division by the data)"), node)
        if k < 0 and base.expr.is_zero:
            self.fail(gettext("division by zero"), node)
        degree, sums = base.degree * abs(k), base.sums * abs(k)
        return Value(base.expr**k, base.shape, degree, base.indices, sums=sums)

    def _transpose(self, node: Tree) -> Value:
        (operand,) = node.children
        value = self.build(operand)
        if value.one:  # 1ᵀ: the row of ones
            return Value(OneMatrix(ONE, self.m), (ONE, self.m))
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
            vector = gettext("sum() needs a vector; {what} is {shape}")
            raise self.clash(
                vector.format(what=self.snippet(operand), shape=shape_text(value.shape)),
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
            ranges_differ = gettext(
                "the sum over {letter} runs to {size}, but {letter} is used as an index "
                "that runs to {used}"
            )
            raise self.clash(ranges_differ.format(letter=letter, size=size, used=used), node)
        size = size if size is not None else used if used is not None else self.m
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
            self.fail(gettext("a sum needs its index: \\sum_{i=1}^{m}"), node)
        letter = self._index_letter(parts["lower"][0], node)
        start = int(parts["lower"][1]) if len(parts["lower"]) > 1 else 1
        if "upper" not in parts:
            return letter, None
        size_name = parts["upper"][0]
        shift = int(parts["upper"][1]) if len(parts["upper"]) > 1 else 0
        if size_name not in ("m", "n") or (start, shift) not in ((1, 0), (0, 1)):
            self.fail(
                gettext("a sum runs over all examples (i=1..m) or all features (k=1..n)"), limits
            )
        return letter, self.names[size_name].expr
