"""derive in Jupyter: the public `derive.derivation()`, a derivation that shows itself.

The steps are data made upstream (steps/); this module, downstream of the
templates, gives the derivation its HTML view, so that the last line of a cell displays
every step with MathML formulas.
"""

from __future__ import annotations

from dataclasses import replace

from derive.models.linear import Scale
from derive.render.handouts import derivation_html
from derive.steps import article
from derive.steps.derivation import Derivation


def derivation(scale: Scale | str = Scale.MEAN) -> Derivation:
    """The 19 steps for the cost J = c·Σ(yᵢ − ŷᵢ)² with c = 1/m (default) or 1/(2m)."""
    return replace(article.derivation(scale), view=derivation_html)
