"""The three independent checks of the steps of any model of the family (a ModelSpec).

Part of verify (fifth layer), beside step_checks.py, which serves the article's model.
`model_route(spec, name)` gives a route with the protocol of step_checks.Route: symbolic
(index form at symbolic sizes, model_symbolic.py), explicit (matrices of symbols at concrete
sizes, model_explicit.py) or numeric (NumPy and central differences, model_numeric.py).
None of them uses the planner or its rule table: each differentiates by itself.
"""

from __future__ import annotations

from derive.models.spec import ModelSpec
from derive.verify.model_common import Route
from derive.verify.model_explicit import ExplicitModelRoute
from derive.verify.model_numeric import (
    NUMERIC_ETA,
    NUMERIC_FLOOR,
    NUMERIC_STEP,
    NUMERIC_TOLERANCE,
    PARAMETER_RANGE,
    SEED,
    NumericModelRoute,
)
from derive.verify.model_symbolic import SymbolicModelRoute

MODEL_ROUTES = ("symbolic", "explicit", "numeric")
MODEL_EXPLICIT_SIZES = ((4, 2), (5, 3), (3, 1))  # (m, n), as the article's explicit route
MODEL_NUMERIC_SIZES = ((7, 3), (5, 1))  # as the article's numeric route
MODEL_TOLERANCE = NUMERIC_TOLERANCE  # relative, see model_numeric.py

__all__ = [
    "MODEL_EXPLICIT_SIZES",
    "MODEL_NUMERIC_SIZES",
    "MODEL_ROUTES",
    "MODEL_TOLERANCE",
    "NUMERIC_ETA",
    "NUMERIC_FLOOR",
    "NUMERIC_STEP",
    "PARAMETER_RANGE",
    "SEED",
    "Route",
    "model_route",
]


def model_route(spec: ModelSpec, name: str) -> Route:
    """The route `name` ("symbolic", "explicit" or "numeric") for the steps of `spec`."""
    if name == "symbolic":
        return SymbolicModelRoute(spec)
    if name == "explicit":
        return ExplicitModelRoute(spec, MODEL_EXPLICIT_SIZES)
    if name == "numeric":
        return NumericModelRoute(spec, MODEL_NUMERIC_SIZES)
    raise ValueError(f"unknown route {name!r}: choose from {', '.join(MODEL_ROUTES)}")
