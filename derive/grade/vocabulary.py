"""The names an expression of `derive check` may use, with their spellings, for one model.

Part of the build stage (parse -> build -> diagnose -> check): names.py resolves every
name it reads through a `ModelNames`. `for_article` gives the article's names (linear
regression, mse) exactly as they have always been read; `for_spec` gives the names of any
model description (logistic, ridge, poisson, neuron, a user's TOML file): its declared
quantities and intermediates as its own symbols (an intermediate is never expanded), with
m, n and the ones vector 𝟏.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp
from sympy import OneMatrix

from derive.grade.value import ONE, Value
from derive.models.expressions import greek
from derive.models.linear import Model
from derive.models.spec import Intermediate, ModelSpec, Quantity, shape_of_symbol

ARTICLE_SPELLINGS = {
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
ARTICLE_KNOWN = "X, y, alpha (α), beta (β), m, n, u, yhat (ŷ), ones (𝟏)"
ARTICLE_PER_EXAMPLE = frozenset(("X", "x", "y", "yhat", "u", "ones"))


@dataclass(frozen=True)
class ModelNames:
    """The names an expression may use, with their spellings, for one model.

    `feature_index` is the article's j, which a free feature index becomes (None for a
    model description: there free indices stay `value.index_symbol` symbols).
    """

    values: Mapping[str, Value]  # canonical name -> Value (expr, shape, ...)
    spellings: Mapping[str, str]  # every accepted spelling -> canonical name
    known: str  # the list shown in "unknown name ...; the names are ..."
    per_example: frozenset[str]  # names with one entry/row per example (i runs over m)
    spec_mode: bool  # False for the article (mse) names: behaviour as always
    feature_index: sp.Symbol | None = None

    @classmethod
    def for_article(cls, model: Model) -> ModelNames:
        """The article's names, as `derive check` has always read them."""
        M = model
        values = {
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
        return cls(
            values=MappingProxyType(values),
            spellings=MappingProxyType(dict(ARTICLE_SPELLINGS)),
            known=ARTICLE_KNOWN,
            per_example=ARTICLE_PER_EXAMPLE,
            spec_mode=False,
            feature_index=M.j,
        )

    @classmethod
    def for_spec(cls, spec: ModelSpec) -> ModelNames:
        """Every declared quantity and intermediate of `spec` as its own symbol, m, n, 𝟏
        and the learning rate η of the update steps."""
        values: dict[str, Value] = {}
        items: tuple[Quantity | Intermediate, ...] = (*spec.declared, *spec.intermediates)
        for item in items:
            shape = shape_of_symbol(item.symbol)
            is_constant = item in spec.constants
            values[item.name] = Value(item.symbol, (shape[0], shape[1]), 0 if is_constant else 1)
        values["m"] = Value(spec.m, (ONE, ONE))
        values["n"] = Value(spec.n, (ONE, ONE))
        values.setdefault("eta", Value(spec.eta, (ONE, ONE)))  # the learning rate of updates
        values["ones"] = Value(OneMatrix(spec.m, ONE), (spec.m, ONE))
        spellings: dict[str, str] = {}
        shown: list[str] = []
        letters = {word: letter for letter, word in greek().items() if letter != "\u00b5"}
        for name in values:
            others = _other_spellings(name, letters)
            if name == "ones":
                others = ("𝟏", "\\mathbf{1}")
            spellings[name] = name
            spellings.update(dict.fromkeys(others, name))
            first = [other for other in others if not other.startswith("\\")][:1]
            shown.append(f"{name} ({first[0]})" if first else name)
        if "X" in values and "x" not in values:
            spellings["x"] = "x"
        per_example = frozenset(
            name for name, value in values.items() if value.shape[0] == spec.m
        ) | ({"x"} if spellings.get("x") == "x" else set())
        return cls(
            values=MappingProxyType(values),
            spellings=MappingProxyType(spellings),
            known=", ".join(shown),
            per_example=per_example,
            spec_mode=True,
        )


def _other_spellings(name: str, letters: Mapping[str, str]) -> tuple[str, ...]:
    """ŷ and y_hat for yhat; the Greek letter and its LaTeX command for a Greek name."""
    if name == "yhat":
        return ("ŷ", "y_hat", "\\hat{y}")
    if name in letters:
        return (letters[name], f"\\{name}")
    return ()
