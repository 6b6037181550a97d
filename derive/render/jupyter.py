"""derive in Jupyter: the public `derive.derivation()`, a derivation that shows itself.

The steps are data made upstream (steps/); this module, downstream of the
templates, gives the derivation its HTML view, so that the last line of a cell displays
every step with MathML formulas.
"""

from __future__ import annotations

from dataclasses import replace

from derive.models.linear import Scale
from derive.models.spec import ModelSpec
from derive.render.handouts import derivation_html
from derive.steps.choose import ARTICLE, derive_model
from derive.steps.derivation import Derivation


def derivation(scale: Scale | str = Scale.MEAN, model: str | ModelSpec = ARTICLE) -> Derivation:
    """The steps of `model`: by default the article's 19 for J = c·Σ(yᵢ − ŷᵢ)² with
    c = 1/m (default) or 1/(2m); or a built-in model's (ridge, logistic, poisson, neuron),
    or those of a model description file."""
    spelled = scale.value if isinstance(scale, Scale) else scale
    return replace(derive_model(model, spelled), view=derivation_html)
