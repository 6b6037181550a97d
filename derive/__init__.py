"""derive: the gradient of linear regression's mean-squared-error cost, derived step by step.

The public API is listed in `__all__`; it is imported lazily, so that `import derive`
and `derive --help` stay fast and SymPy is loaded only when mathematics is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from derive.check import CheckResult, check_gradient
    from derive.dataset import Dataset, read_csv
    from derive.descent import FitResult, NonUniqueWarning, fit, least_squares
    from derive.i18n import set_language
    from derive.model import Model, Scale
    from derive.printing import latex, text
    from derive.render import write_handouts
    from derive.steps import Derivation, Relation, Step, derivation
    from derive.verify import RouteResult, StepCheck, check_derivation, check_step

__version__ = "0.1.0"

_EXPORTS = {
    "Dataset": "derive.dataset",
    "read_csv": "derive.dataset",
    "FitResult": "derive.descent",
    "NonUniqueWarning": "derive.descent",
    "fit": "derive.descent",
    "least_squares": "derive.descent",
    "CheckResult": "derive.check",
    "check_gradient": "derive.check",
    "Model": "derive.model",
    "Scale": "derive.model",
    "latex": "derive.printing",
    "text": "derive.printing",
    "Derivation": "derive.steps",
    "Relation": "derive.steps",
    "Step": "derive.steps",
    "derivation": "derive.steps",
    "RouteResult": "derive.verify",
    "StepCheck": "derive.verify",
    "check_derivation": "derive.verify",
    "check_step": "derive.verify",
    "write_handouts": "derive.render",
    "set_language": "derive.i18n",
}

__all__ = [
    "CheckResult",
    "Dataset",
    "Derivation",
    "FitResult",
    "Model",
    "NonUniqueWarning",
    "Relation",
    "RouteResult",
    "Scale",
    "Step",
    "StepCheck",
    "check_derivation",
    "check_gradient",
    "check_step",
    "derivation",
    "fit",
    "latex",
    "least_squares",
    "read_csv",
    "set_language",
    "text",
    "write_handouts",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
