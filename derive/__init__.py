"""derive: gradients of linear regression's cost and of its family, derived step by step.

The public API is listed in `__all__`; it is imported lazily, so that `import derive`
and `derive --help` stay fast and SymPy is loaded only when mathematics is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from derive.core.i18n import set_language
    from derive.grade.api import LinesResult, check_gradient, check_lines, check_step
    from derive.grade.result import CheckResult
    from derive.math.matcalc import matrix_derivative, orient
    from derive.math.printing import latex, text
    from derive.models.catalog import load_model, read_description
    from derive.models.linear import Model, Scale
    from derive.models.spec import ModelSpec
    from derive.numeric.dataset import Dataset, read_csv
    from derive.numeric.descent import NonUniqueWarning
    from derive.numeric.fit_any import fit
    from derive.numeric.model_fit import ModelFit, SeparableError, fit_model
    from derive.numeric.reference import least_squares
    from derive.numeric.results import FitResult
    from derive.render.handouts import write_handouts
    from derive.render.jupyter import derivation
    from derive.steps.derivation import Derivation, Relation, Step
    from derive.steps.plan import plan
    from derive.verify.step_checks import RouteResult, StepCheck, check_derivation

from derive.core.version import __version__ as __version__

_EXPORTS = {
    "Dataset": "derive.numeric.dataset",
    "read_csv": "derive.numeric.dataset",
    "FitResult": "derive.numeric.results",
    "NonUniqueWarning": "derive.numeric.descent",
    "fit": "derive.numeric.fit_any",
    "fit_model": "derive.numeric.model_fit",
    "ModelFit": "derive.numeric.model_fit",
    "SeparableError": "derive.numeric.model_fit",
    "least_squares": "derive.numeric.reference",
    "CheckResult": "derive.grade.result",
    "check_gradient": "derive.grade.api",
    "check_lines": "derive.grade.api",
    "LinesResult": "derive.grade.api",
    "Model": "derive.models.linear",
    "ModelSpec": "derive.models.spec",
    "load_model": "derive.models.catalog",
    "read_description": "derive.models.catalog",
    "plan": "derive.steps.plan",
    "Scale": "derive.models.linear",
    "latex": "derive.math.printing",
    "matrix_derivative": "derive.math.matcalc",
    "orient": "derive.math.matcalc",
    "text": "derive.math.printing",
    "Derivation": "derive.steps.derivation",
    "Relation": "derive.steps.derivation",
    "Step": "derive.steps.derivation",
    "derivation": "derive.render.jupyter",
    "RouteResult": "derive.verify.step_checks",
    "StepCheck": "derive.verify.step_checks",
    "check_derivation": "derive.verify.step_checks",
    "check_step": "derive.grade.api",
    "write_handouts": "derive.render.handouts",
    "set_language": "derive.core.i18n",
}

__all__ = [
    "CheckResult",
    "Dataset",
    "Derivation",
    "FitResult",
    "LinesResult",
    "Model",
    "ModelFit",
    "ModelSpec",
    "NonUniqueWarning",
    "Relation",
    "RouteResult",
    "Scale",
    "SeparableError",
    "Step",
    "StepCheck",
    "check_derivation",
    "check_gradient",
    "check_lines",
    "check_step",
    "derivation",
    "fit",
    "fit_model",
    "latex",
    "least_squares",
    "load_model",
    "matrix_derivative",
    "orient",
    "plan",
    "read_csv",
    "read_description",
    "set_language",
    "text",
    "write_handouts",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
