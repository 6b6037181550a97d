"""The derivation of a model chosen by name or file: the article's steps for mse, the
planner's for every other model (built in, or described in a TOML file).

The one entry point the commands use (`--model NAME|FILE`), so that mse stays exactly the
article's 19 steps while every other model goes through plan.py.
"""

from __future__ import annotations

from derive.core.i18n import gettext
from derive.core.processes import TimeLimitExceeded, run_limited
from derive.models.catalog import BUILTIN, load_model
from derive.models.spec import ModelSpec
from derive.steps import article
from derive.steps.chain import UnsupportedModel
from derive.steps.derivation import Derivation
from derive.steps.plan import plan

ARTICLE = "mse"
# A description file is planned in a child process stopped after this long: a file within
# the size limits can still ask for a simplification that runs for minutes.
PLAN_SECONDS = 20.0


def derive_model(model: str | ModelSpec = ARTICLE, scale: str = "1/m") -> Derivation:
    """The steps of `model` (a built-in name, a description file, or a model already
    read) at `scale`."""
    if model == ARTICLE:
        return article.derivation(scale)
    spec = model if isinstance(model, ModelSpec) else load_model(model, scale)
    if model in BUILTIN:
        return plan(spec)
    name = spec.key if isinstance(model, ModelSpec) else model
    try:
        return run_limited(plan, (spec,), PLAN_SECONDS)
    except TimeLimitExceeded:
        raise UnsupportedModel(
            gettext(
                "{model}: planning stopped after the time limit of {seconds:g} s; "
                "the description asks for too much algebra (fewer or simpler intermediates)"
            ).format(model=name, seconds=PLAN_SECONDS)
        ) from None
    except UnsupportedModel as error:  # say which description it is about
        raise UnsupportedModel(f"{name}: {error}") from None
