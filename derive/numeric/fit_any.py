"""`derive.fit`: one entry for every model — the article's mse by descent.py's `fit`, any
other model by model_fit.py's `fit_model`.

Numeric stage, above descent.py and model_fit.py; only the public API imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from numpy.typing import ArrayLike

from derive.models.catalog import load_model
from derive.models.spec import ModelSpec
from derive.numeric import defaults
from derive.numeric.descent import Method, Progress
from derive.numeric.descent import fit as fit_mse
from derive.numeric.model_fit import ModelFit, fit_model
from derive.numeric.results import FitResult

ARTICLE = "mse"


def fit(
    X: ArrayLike,
    y: ArrayLike,
    *,
    model: str | ModelSpec = ARTICLE,
    lr: float | Literal["auto"] = "auto",
    iterations: int = defaults.ITERATIONS,
    tol: float = defaults.TOL,
    standardize: bool = False,
    progress: Progress | None = None,
    method: Method = "auto",
    scale: str = "1/m",
    names: Sequence[str] | None = None,
    record: bool = False,
    data: Mapping[str, ArrayLike] | None = None,
    constants: Mapping[str, float] | None = None,
) -> FitResult | ModelFit:
    """Gradient descent from zero with the derived gradients of `model` (a built-in name,
    a description file, or a ModelSpec). mse gives a `FitResult` (`method`, `scale`,
    `names` and `record` are its options); every other model a `ModelFit` (`data` and
    `constants` are its options: a weight column w, a penalty λ)."""
    if model == ARTICLE:
        return fit_mse(
            X,
            y,
            lr=lr,
            iterations=iterations,
            tol=tol,
            method=method,
            standardize=standardize,
            scale=scale,
            names=names,
            progress=progress,
            record=record,
        )
    spec = model if isinstance(model, ModelSpec) else load_model(model)
    return fit_model(
        spec,
        X,
        y,
        data=data,
        constants=constants,
        lr=lr,
        iterations=iterations,
        tol=tol,
        standardize=standardize,
        progress=progress,
    )
