"""Flat chains a + b − c + … and a·b/c·…: shapes checked link by link, built at once.

Part of the build stage of `derive check` (parse -> build -> diagnose -> check), between
names.py (the leaves) and build.py (the other operators). parse.py counts a chain as one
level of nesting however long it is, so it is folded here without recursion, and its
SymPy object is made in one operation: a chain as long as the length limit allows builds
in time linear in its length, where adding link by link would redo the whole sum each time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import lark
import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatrixExpr, OneMatrix

from derive.core.i18n import gettext
from derive.grade.names import Leaves
from derive.grade.parse import Node, Tree, chain_family, node_start
from derive.grade.value import ONE, Shape, Value, a_shape, merge_indices, scalar, shape_text

MAX_DEGREE = 8  # total degree in the data X, y, α, β (u and ŷ count twice)
MAX_SUMS = 4  # sums multiplied together in a term (their normal form costs a factorial)


class Chains(Leaves):
    """The folding of chains and the bounds on every part; `build` is build.Builder's."""

    def build(self, node: Node) -> Value:
        raise NotImplementedError

    def bounded(self, degree: int, sums: int, node: Tree) -> None:
        """Refuse a part with more than MAX_DEGREE data factors or MAX_SUMS sums."""
        if degree > MAX_DEGREE:
            self.fail(
                gettext(
                    "more than {limit} data factors multiplied together "
                    "(X, y, α, β; u and ŷ count twice): not a gradient of this cost"
                ).format(limit=MAX_DEGREE),
                node,
            )
        if sums > MAX_SUMS:
            self.fail(
                gettext(
                    "more than {limit} sums multiplied together (matrix products and y, ŷ "
                    "count as sums): not a gradient of this cost"
                ).format(limit=MAX_SUMS),
                node,
            )

    def _chain(self, node: Tree, family: str) -> Value:
        """The links of a chain, left to right, and the values of its operands."""
        links: list[Tree] = []
        first: Node = node
        while isinstance(first, lark.Tree) and chain_family(first) == family:
            links.append(first)
            first = first.children[0]
        links.reverse()
        values = [self.build(first), *(self.build(link.children[1]) for link in links)]
        if family == "sum":
            return self._sum_chain(links, values)
        return self._product_chain(links, values)

    def _sum_chain(self, links: list[Tree], values: list[Value]) -> Value:
        """Terms of one shape; a number among vectors is added to every entry (broadcast)."""
        shape, first = values[0].shape, None
        for place, (link, right) in enumerate(zip(links, values[1:], strict=True), start=1):
            if right.shape in (shape, (ONE, ONE)):
                continue
            if shape != (ONE, ONE):
                raise self.clash(self._operands("adds", link, shape, right.shape), link.children[1])
            shape, first = right.shape, place
        signs = [1] + [1 if link.data == "add" else -1 for link in links]
        if shape == (ONE, ONE):
            expr = _number_sum(signs, values)
        else:  # numbers before the first vector are added up, then added to every entry
            start = first or 0
            rest = zip(signs[start:], values[start:], strict=True)
            terms = [_term(sign, v, shape) for sign, v in rest]
            if start:
                lead = _number_sum(signs[:start], values[:start])
                terms.insert(0, _entry(lead) * OneMatrix(*shape))
            expr = sp.MatAdd(*terms).doit()
        where = node_start(links[-1])
        value = Value(
            expr,
            shape,
            max(v.degree for v in values),
            merge_indices(*values, where=where),
            sums=max(v.sums for v in values),
        )
        self.bounded(value.degree, value.sums, links[-1])
        return value

    def _operands(self, verb: str, node: Tree, left: Shape, right: Shape) -> str:
        """`a b` multiplies an m×1 (a) by an m×n (b): the two sides of a clash, named."""
        left_node, right_node = node.children
        if verb == "multiplies":
            sentence = gettext(
                "{whole} multiplies {left_shape} ({left}) by {right_shape} ({right})"
            )
        else:
            sentence = gettext("{whole} adds {left_shape} ({left}) and {right_shape} ({right})")
        return sentence.format(
            whole=self.snippet(node),
            left_shape=a_shape(left),
            left=self.snippet(left_node),
            right_shape=a_shape(right),
            right=self.snippet(right_node),
        )

    def _product_chain(self, links: list[Tree], values: list[Value]) -> Value:
        """Factors in order, checked as each is multiplied (or divided) in; one product."""
        first = values[0]
        left = Product(
            (first.expr,), first.shape, first.is_matrix, first.degree, first.indices, first.sums
        )
        for link, right in zip(links, values[1:], strict=True):
            if link.data in ("hadamard", "ediv") or (
                link.data == "div" and self.vocabulary.spec_mode and scalar(right).is_matrix
            ):
                left = self._entrywise(link, left, right)
            elif link.data == "div":
                left = left.times(link, self._divisor(link, right), divide=True)
            else:
                left = self._multiplied(link, left, right)
            self.bounded(left.degree, left.sums, link)
        return Value(left.expr(), left.shape, left.degree, left.indices, sums=left.sums)

    def _multiplied(self, node: Tree, left: Product, right: Value) -> Product:
        """The product so far times `right`, as SymPy multiplies (a 1×1 made a number when
        the sizes do not fit otherwise); a clash when they cannot fit."""
        right = self._ones_beside(left, right)
        if left.is_matrix and right.is_matrix and left.shape[1] != right.shape[0]:
            if left.shape == (ONE, ONE):
                left = left.as_number()
            elif right.shape == (ONE, ONE):
                right = scalar(right)
            else:
                sizes = gettext(": the inner sizes {left} and {right} differ").format(
                    left=left.shape[1], right=right.shape[0]
                )
                operands = self._operands("multiplies", node, left.shape, right.shape)
                raise self.clash(operands + sizes, node.children[1])
        return left.times(node, right)

    def _ones_beside(self, left: Product, right: Value) -> Value:
        """A literal 1 right of a factor with m columns (uᵀ 1, Xᵀ 1) is the ones vector 𝟏:
        the only vector that fits there, where the number 1 would change nothing."""
        if right.one and left.is_matrix and left.shape[1] == self.m:
            return self.names["ones"]
        return right

    def _entrywise(self, node: Tree, left: Product, right: Value) -> Product:
        """a ∘ b (∘ .* ⊙ \\odot), a ./ b, and in a model's notation a / b of two matrices:
        entry by entry, one shape (HadamardProduct; b^(∘−1) for a division). A number on
        either side (a 1×1 too) is an ordinary product, or divides every entry."""
        divide = node.data in ("ediv", "div")
        right = scalar(right)
        if left.is_matrix and left.shape == (ONE, ONE):
            left = left.as_number()
        if not right.is_matrix:
            if divide:
                return left.times(node, self._divisor(node, right), divide=True)
            return left.times(node, right)
        if divide and isinstance(right.expr, sp.ZeroMatrix):
            self.fail(gettext("division by zero"), node.children[1])
        factor = HadamardPower(right.expr, -1) if divide else right.expr
        if not left.is_matrix:  # a number times every entry of b (or of b^(∘−1))
            return left.times(node, replace(right, expr=factor))
        if left.shape != right.shape:
            raise self.clash(
                self._operands("multiplies", node, left.shape, right.shape), node.children[1]
            )
        parts = [e.args if isinstance(e, HadamardProduct) else (e,) for e in (left.expr(), factor)]
        return Product(
            (HadamardProduct(*parts[0], *parts[1]),),
            left.shape,
            True,
            left.degree + right.degree,
            merge_indices(left, right, where=node_start(node)),
            left.sums + right.sums,
        )

    def _divisor(self, node: Tree, right: Value) -> Value:
        """The right side of a division: a number, m or n, not zero; in a model's notation
        a number in the data too (y_i/p_i)."""
        right_node = node.children[1]
        right = scalar(right)
        if right.is_matrix:
            divide = gettext("{what} is {shape}: only a number can divide")
            raise self.clash(
                divide.format(what=self.snippet(right_node), shape=shape_text(right.shape)),
                right_node,
            )
        if (right.degree > 0 or right.indices) and not self.vocabulary.spec_mode:
            self.fail(
                gettext("division by an expression in the data; divide by numbers, m or n"), node
            )
        if right.expr.is_zero:
            self.fail(gettext("division by zero"), right_node)
        return right


@dataclass(frozen=True)
class Product:
    """A product while it is folded: its factors in order, and its shape and bounds."""

    factors: tuple[sp.Basic, ...]
    shape: Shape
    is_matrix: bool
    degree: int
    indices: tuple[tuple[str, sp.Expr], ...]
    sums: int = 0

    def expr(self) -> sp.Basic:
        """The SymPy product of the factors, made once (as `a * b * …` would make it)."""
        if any(isinstance(factor, MatrixExpr) for factor in self.factors):
            return sp.MatMul(*self.factors).doit()
        return sp.Mul(*self.factors)

    def as_number(self) -> Product:
        """A 1×1 product as its only entry."""
        return replace(self, factors=(self.expr()[0, 0],), is_matrix=False)

    def times(self, node: Tree, right: Value, divide: bool = False) -> Product:
        """This product multiplied by `right` (or divided by it, a number)."""
        where = node_start(node)
        indices = merge_indices(self, right, where=where)
        if divide:
            return replace(self, factors=(*self.factors, 1 / right.expr), indices=indices)
        inner = self.is_matrix and right.is_matrix and self.shape[1] != ONE
        if not self.is_matrix:
            shape = right.shape
        elif not right.is_matrix:
            shape = self.shape
        else:
            shape = (self.shape[0], right.shape[1])
        return Product(
            (*self.factors, right.expr),
            shape,
            self.is_matrix or right.is_matrix,
            self.degree + right.degree,
            indices,
            self.sums + right.sums + (1 if inner else 0),
        )


def _signed(sign: int, expr: sp.Basic) -> sp.Basic:
    return expr if sign > 0 else -expr


def _number_sum(signs: list[int], values: list[Value]) -> sp.Basic:
    """1×1 terms added as `a + b + …` adds them: as 1×1 matrices up to the first number."""
    run = next((k for k, v in enumerate(values) if not v.is_matrix), len(values))
    matrices = zip(signs[:run], values[:run], strict=True)
    numbers = zip(signs[run:], values[run:], strict=True)
    terms = [_signed(sign, scalar(v).expr) for sign, v in numbers]
    if not run:
        return sp.Add(*terms)
    total = sp.MatAdd(*(_signed(sign, v.expr) for sign, v in matrices)).doit()
    return sp.Add(total[0, 0], *terms) if terms else total


def _entry(expr: sp.Basic) -> sp.Basic:
    """A 1×1 matrix as its entry; a number as itself."""
    return expr[0, 0] if isinstance(expr, MatrixExpr) else expr


def _term(sign: int, value: Value, shape: Shape) -> sp.Basic:
    """A term of a sum of the given shape; a number is added to every entry."""
    if value.shape == shape:
        return _signed(sign, value.expr)
    return _signed(sign, scalar(value).expr * OneMatrix(*shape))
