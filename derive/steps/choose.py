"""The derivation of a model chosen by name or file: the article's steps for mse, the
planner's for every other model (built in, or described in a TOML file).

The one entry point the commands use (`--model NAME|FILE`), so that mse stays exactly the
article's 19 steps while every other model goes through plan.py.
"""

from __future__ import annotations

from derive.models.catalog import load_model
from derive.steps import article
from derive.steps.derivation import Derivation
from derive.steps.plan import plan

ARTICLE = "mse"


def derive_model(model: str = ARTICLE, scale: str = "1/m") -> Derivation:
    """The steps of `model` (a built-in name or a description file) at `scale`."""
    if model == ARTICLE:
        return article.derivation(scale)
    return plan(load_model(model, scale))
