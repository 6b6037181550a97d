"""Write tests/data/references.json: statsmodels' and scikit-learn's minimisers on the public
data sets of tests/data, the outside numbers tests/test_model_reference.py checks
derive/numeric/model_reference.py against.

Not part of derive and not imported by it or by the tests: it needs statsmodels,
scikit-learn, pandas and SciPy, which derive does not depend on. Run it in a virtual
environment of its own, outside the work tree:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install statsmodels scikit-learn pandas
    /tmp/refvenv/bin/python scripts/reference_values.py

Each fit is made twice: on the data as given ("raw") and on standardized features
("standardized": each column centred and divided by its population standard deviation,
ddof=0, the target left as it is), with the coefficients reported in those coordinates.
The logit and Poisson GLMs are statsmodels' GLM (IRLS) with tol=1e-12; ridge is
scikit-learn's Ridge with solver="svd" and alpha = mλ, so that its objective
‖y − Xw − b‖² + alpha‖w‖² is m times derive's J = (1/m)‖y − z‖² + λ‖β‖². Every number is
written at full precision (repr of the float), with the largest component of derive's
gradient ∇J at it ("gradient_max_abs") as a check of how tight the fit is. A linear
program (SciPy's linprog) also checks whether each logistic data set is separable, and so
whether a minimiser exists.
"""

from __future__ import annotations

import json
import platform
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy.optimize import linprog
from sklearn.linear_model import Ridge

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GLM_TOL = 1e-12
LAMBDA = 0.1
STANDARDIZED = "centred, divided by the population standard deviation (ddof=0)"


def standardize(X: np.ndarray) -> np.ndarray:
    result: np.ndarray = (X - X.mean(axis=0)) / X.std(axis=0, ddof=0)
    return result


def read(name: str, target: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    frame = pd.read_csv(DATA / name)
    features = [column for column in frame.columns if column != target]
    return features, frame[features].to_numpy(np.float64), frame[target].to_numpy(np.float64)


def coefficients(alpha: float, beta: np.ndarray) -> dict[str, Any]:
    return {"alpha": float(alpha), "beta": [float(value) for value in beta]}


def glm(X: np.ndarray, y: np.ndarray, family: Any) -> dict[str, Any]:
    design = sm.add_constant(X, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a separation or convergence warning stops the script
        result = sm.GLM(y, design, family=family).fit(tol=GLM_TOL, maxiter=100)
    if not result.converged:
        raise RuntimeError("statsmodels' GLM did not converge")
    params = np.asarray(result.params)
    mu = np.asarray(result.mu)
    gradient = design.T @ (mu - y) / len(y)  # ∇J of derive's J, the same for both GLMs
    return {
        **coefficients(params[0], params[1:]),
        "iterations": int(result.fit_history["iteration"]),
        "gradient_max_abs": float(np.abs(gradient).max()),
    }


def ridge(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    m = len(y)
    model = Ridge(alpha=m * LAMBDA, fit_intercept=True, solver="svd").fit(X, y)
    w, b = np.asarray(model.coef_), float(model.intercept_)
    residual = y - b - X @ w
    gradient = np.concatenate([[-2 * residual.mean()], -2 * X.T @ residual / m + 2 * LAMBDA * w])
    return {**coefficients(b, w), "gradient_max_abs": float(np.abs(gradient).max())}


def separation(X: np.ndarray, y: np.ndarray) -> str:
    """Whether some w ≠ 0 has sᵢx̃ᵢᵀw ≥ 0 for all rows ("complete or quasi-complete") or
    not ("none") (sᵢ = ±1 for y = 1, 0), found by maximising Σ sᵢx̃ᵢᵀw within the box |w| ≤ 1
    (Konis 2007). A positive maximum means a separating direction: no finite MLE."""
    design = np.hstack([np.ones((len(y), 1)), X])
    signed = design * np.where(y > 0.5, 1.0, -1.0)[:, None]
    bounds = [(-1.0, 1.0)] * design.shape[1]
    result = linprog(-signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(len(y)), bounds=bounds)
    if result.status != 0:
        raise RuntimeError(f"linprog failed: {result.message}")
    return "complete or quasi-complete" if -result.fun > 1e-7 else "none"


def statsmodels_separation_message(X: np.ndarray, y: np.ndarray) -> str:
    """What statsmodels says when asked for the logit MLE of separable data."""
    design = sm.add_constant(X, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sm.GLM(y, design, family=sm.families.Binomial()).fit(tol=GLM_TOL, maxiter=100)
        except Exception as error:  # statsmodels raises or warns, by version
            return f"{type(error).__name__}: {error}"
    return "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))


def entry(name: str, target: str, model: str, fit: Any, source: str) -> dict[str, Any]:
    features, X, y = read(name, target)
    result: dict[str, Any] = {
        "data": name,
        "target": target,
        "features": features,
        "rows": len(y),
        "model": model,
    }
    if model == "ridge":
        result["lambda"] = LAMBDA
        result["sklearn_alpha"] = {"raw": len(y) * LAMBDA, "standardized": len(y) * LAMBDA}
    result["raw"] = fit(X, y)
    result["standardized"] = fit(standardize(X), y)
    result["source"] = source
    if model == "logistic":
        result["separation"] = separation(X, y)
    return result


def main() -> None:
    glm_source = "statsmodels {} GLM {}, IRLS, tol={!r}, maxiter=100"
    references: dict[str, Any] = {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "statsmodels": statsmodels.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "standardized": STANDARDIZED,
        "gradient_max_abs": "the largest |∂J/∂θ| of derive's J at the coefficients (θ = α, β), "
        "in the coordinates of the fit; it scales with the columns' magnitudes",
        "logistic-spector": entry(
            "spector.csv",
            "GRADE",
            "logistic",
            lambda X, y: glm(X, y, sm.families.Binomial()),
            glm_source.format(statsmodels.__version__, "Binomial (logit link)", GLM_TOL),
        ),
        "poisson-cpunish": entry(
            "cpunish.csv",
            "EXECUTIONS",
            "poisson",
            lambda X, y: glm(X, y, sm.families.Poisson()),
            glm_source.format(statsmodels.__version__, "Poisson (log link)", GLM_TOL),
        ),
    }
    ridge_source = f"scikit-learn {sklearn.__version__} Ridge, solver='svd', fit_intercept=True"
    for key, name, target in [
        ("ridge-diabetes", "diabetes.csv", "progression"),
        ("ridge-longley", "longley.csv", "TOTEMP"),
    ]:
        references[key] = entry(name, target, "ridge", ridge, ridge_source)
    features, X, y = read("iris_setosa_versicolor.csv", "versicolor")
    references["logistic-iris-separable"] = {
        "data": "iris_setosa_versicolor.csv",
        "target": "versicolor",
        "features": features,
        "rows": len(y),
        "model": "logistic",
        "separation": separation(X, y),
        "statsmodels": statsmodels_separation_message(X, y),
    }
    path = DATA / "references.json"
    path.write_text(json.dumps(references, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} with {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
