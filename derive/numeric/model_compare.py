"""The independent reference a model's run is compared with, where one exists.

Numeric stage, after model_fit.py: ridge in closed form, logistic and Poisson regression by
Newton's method (model_reference.py, plain NumPy that shares nothing with the generated
code), computed on the very features descent ran on (standardized when it was) and mapped
back the same way. The neuron is not convex and a description file's model has no known
minimiser: for those there is no reference, and the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from derive.core.i18n import gettext
from derive.models.catalog import is_builtin
from derive.models.spec import ModelSpec
from derive.numeric.arrays import Array
from derive.numeric.model_reference import NoMinimiserError, newton_reference, ridge_reference
from derive.numeric.scaling import Scaling

Method = Literal["closed-form", "newton"]


@dataclass(frozen=True, eq=False)  # holds an array: compared by identity
class ModelReference:
    """The minimiser by another method: α, β on the scale of the data given."""

    method: Method
    alpha: float
    beta: Array

    @property
    def label(self) -> str:
        """The column heading of the reference in a report."""
        return gettext("closed form") if self.method == "closed-form" else gettext("Newton (IRLS)")

    def differences(self, alpha: float, beta: Array) -> list[float]:
        """|fit − reference| / |reference| for α and each β (absolute where it is 0)."""
        pairs = zip([alpha, *beta], [self.alpha, *self.beta], strict=True)
        return [abs(a - b) / abs(b) if b != 0 else abs(a - b) for a, b in pairs]


SATURATED = 36.0  # |z| beyond which σ(z) is 0 or 1 in float64 (and exp(−36) ≈ 2e-16)


def _saturated(X: Array, alpha: float, beta: Array, family: str) -> bool:
    """Whether Newton's end fits some example with probability 0 or 1 (logistic) or an
    expected count of 0 (Poisson) to float64's precision: the labels are separated, or
    nearly (quasi-separated), and the coefficients it reached are not a finite minimiser
    but a point on the way to infinity."""
    z = alpha + X @ np.ravel(beta)
    if family == "logistic":
        return bool(np.any(np.abs(z) >= SATURATED))
    return bool(np.any(z <= -SATURATED))


def reference_method(spec: ModelSpec) -> Method | None:
    """How the minimiser of `spec` is found independently, None where it is not."""
    if is_builtin(spec, "ridge"):
        return "closed-form"
    if is_builtin(spec, "logistic") or is_builtin(spec, "poisson"):
        return "newton"
    return None


def no_reference_reason(spec: ModelSpec) -> str:
    """Why a model's run has no reference beside it."""
    if reference_method(spec) is not None:
        return gettext(
            "no reference: Newton's method found no finite minimiser (for logistic "
            "regression: the labels are separated, or nearly, by a line through some points)"
        )
    if is_builtin(spec, "neuron"):
        return gettext(
            "no reference: the neuron's cost is not convex, so another method may find "
            "another local minimum"
        )
    return gettext("no reference: derive knows no independent method for this model")


def model_reference(
    spec: ModelSpec,
    X: Array,
    y: Array,
    *,
    constants: Mapping[str, float] | None = None,
    standardize: bool = False,
) -> ModelReference | None:
    """The reference minimiser for data X (m×n), y (m×1), in descent's coordinates."""
    method = reference_method(spec)
    if method is None:
        return None
    scaling = Scaling.of(X) if standardize else None
    features = X if scaling is None else scaling.apply(X)
    target = np.ravel(y)
    if method == "closed-form":
        lam = dict(constants or {}).get("lambda")
        if lam is None:
            default = next(q.default for q in spec.constants if q.name == "lambda")
            lam = float(default) if default is not None else 0.0
        alpha, beta = ridge_reference(features, target, lam)
    else:
        family: Literal["logistic", "poisson"] = "logistic" if spec.key == "logistic" else "poisson"
        try:
            with np.errstate(all="ignore"):  # a separated problem is judged just below
                alpha, beta = newton_reference(features, target, family)
        except NoMinimiserError:
            return None
        if _saturated(features, alpha, np.asarray(beta), family):
            return None
    if scaling is not None:
        alpha, beta = scaling.restore(alpha, np.asarray(beta))
    return ModelReference(method, float(alpha), np.asarray(beta, dtype=np.float64))
