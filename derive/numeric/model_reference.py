"""Reference minimisers of ridge, logistic and Poisson regression, in plain NumPy.

Numeric stage, beside reference.py (least squares): the independent answers that derive's
numeric runs of the models beyond least squares are compared with. Nothing here comes from
the derivation or its generated code (no SymPy, no codegen.py, not even scaling.py): the
costs are written out by hand below, ridge is solved in closed form, and the two GLMs by
Newton's method. tests/test_model_reference.py checks both against statsmodels and
scikit-learn on public data (tests/data/references.json, from scripts/reference_values.py).

The costs, for X (m×n), y (m), α a scalar, β an n-vector and z = α + Xβ:

- ridge:    J = (1/m)‖y − z‖² + λ‖β‖²  (α not penalized)
- logistic: J = −(1/m) Σ [yᵢ log σ(zᵢ) + (1 − yᵢ) log(1 − σ(zᵢ))]
- poisson:  J = (1/m) Σ [exp(zᵢ) − yᵢ zᵢ]  (log yᵢ! dropped)

Their minimisers are ridge regression with penalty mλ‖β‖² on the sum of squares, and the
maximum-likelihood logit and Poisson (log link) GLMs. Every result is α (a float) and β (a
read-only 1-D array of n) on the scale of the data given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from derive.numeric.arrays import Array

Family = Literal["logistic", "poisson"]
FAMILIES: tuple[Family, ...] = ("logistic", "poisson")
MAX_HALVINGS = 60  # step halvings before a Newton step is given up as no descent
EPS = float(np.finfo(np.float64).eps)


class NoMinimiserError(ValueError):
    """The cost has no (unique) finite minimiser, or Newton's method did not reach it:
    separable logistic data, a target that is all 0 (or all 1), a constant column."""


@dataclass(frozen=True, eq=False)  # holds an array: compared by identity
class NewtonFit:
    """The minimiser α, β that Newton's method reached, the number of Newton steps taken
    (the last one included), and the Newton decrement λ²/2 = ½gᵀH⁻¹g before that step
    (the predicted fall of J it would bring)."""

    alpha: float
    beta: Array
    iterations: int
    decrement: float


def ridge_reference(X: ArrayLike, y: ArrayLike, lam: float = 0.1) -> tuple[float, Array]:
    """The minimiser of J = (1/m)‖y − α − Xβ‖² + λ‖β‖² in closed form.

    α is not penalized, so at the minimum α = ȳ − x̄β, and β solves the ridge problem on
    the centred columns X_c: (X_cᵀX_c + mλI)β = X_cᵀ(y − ȳ), i.e. (X̃ᵀX̃ + mλD)θ = X̃ᵀy
    with X̃ = [1 X] and D = diag(0, 1, …, 1). It is solved without forming X_cᵀX_c, as the
    least-squares problem [X_c; √(mλ)I]β ≈ [y − ȳ; 0] by `numpy.linalg.lstsq` (SVD), with
    each column divided by its norm first (the penalty rows divided alike, so the problem
    is the same). λ = 0 gives least squares (the least-norm β if X_c has not full rank).
    """
    data, target = _arrays(X, y)
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"the ridge penalty λ must be a finite number ≥ 0, not {lam!r}")
    m, n = data.shape
    centre, mean = data.mean(axis=0), float(target.mean())
    centred = data - centre
    norm = np.linalg.norm(centred, axis=0)
    norm = np.where(norm > 0, norm, 1.0)
    system = np.vstack([centred / norm, np.sqrt(m * lam) * np.diag(1.0 / norm)])
    right = np.concatenate([target - mean, np.zeros(n)])
    gamma = np.asarray(np.linalg.lstsq(system, right, rcond=None)[0], dtype=np.float64)
    beta = gamma / norm
    return mean - float(centre @ beta), _frozen(beta)


def newton_reference(
    X: ArrayLike, y: ArrayLike, family: Family, *, max_iter: int = 100, tol: float = 1e-12
) -> tuple[float, Array]:
    """The maximum-likelihood α, β of the logit (`family="logistic"`, y in [0, 1]) or
    Poisson (`"poisson"`, y ≥ 0) GLM: the minimiser of J above, by `newton_fit`.

    Raises `NoMinimiserError` when J has no finite minimiser or Newton's method does not
    reach it in `max_iter` steps: on separable logistic data J falls towards 0 for ever
    while the coefficients grow without bound.
    """
    fit = newton_fit(X, y, family, max_iter=max_iter, tol=tol)
    return fit.alpha, fit.beta


def newton_fit(
    X: ArrayLike, y: ArrayLike, family: Family, *, max_iter: int = 100, tol: float = 1e-12
) -> NewtonFit:
    """Newton's method (IRLS) with step halving on J of the logistic or Poisson GLM.

    It runs on standardized columns (centred, divided by the population standard deviation)
    and maps the result back; Newton's iterates do not depend on an affine change of
    coordinates, only the rounding does. Each step Δ solves HΔ = −g as the weighted
    least-squares problem √W·X̃Δ ≈ (y − μ)/√W by `numpy.linalg.lstsq`, with the weights
    W = σ(z)σ(−z) (logistic) or exp(z) (Poisson) and their square roots computed from z
    directly (`numpy.logaddexp`), so that no 1 − σ(z) cancels and no weight is divided by
    zero. J uses log σ(z) = −logaddexp(0, −z). A step that does not lower J by at least
    a tenth of the first-order prediction is halved (up to 60 times).

    It has converged when the Newton decrement λ²/2 = ½gᵀH⁻¹g (which bounds J − J* near
    the minimum) is at most `tol` and the step is at most √tol in every standardized
    coordinate; that step is taken and the point after it returned (Newton converges
    quadratically there, so its error is of the order of the step squared). The decrement
    alone would be fooled by separable data, where J, g and H all fall towards 0 together
    along the separating direction: there the step stays of order 1 while the decrement
    vanishes, so the method runs to `max_iter` and raises `NoMinimiserError`.

    Raises `NoMinimiserError` also for a target all 0 (or all 1 for logistic), where the
    minimiser lies at α = ±∞, for a constant column (no unique minimiser with the
    intercept), and when no step lowers J or the numbers stop being finite.
    `ValueError` for data that are not finite numbers of the family's range.
    """
    data, target = _arrays(X, y)
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    if max_iter < 1 or not (np.isfinite(tol) and tol > 0):
        raise ValueError("max_iter must be at least 1 and tol a positive number")
    if family == "logistic" and (target.min() < 0 or target.max() > 1):
        raise ValueError("the logistic target must lie in [0, 1]")
    if family == "poisson" and target.min() < 0:
        raise ValueError("the Poisson target must be ≥ 0")
    m, n = data.shape
    centre, spread = data.mean(axis=0), data.std(axis=0)
    constant = np.flatnonzero(data.min(axis=0) == data.max(axis=0))
    if constant.size:
        raise NoMinimiserError(
            f"column {int(constant[0])} is constant: with the intercept α the minimiser "
            "is not unique"
        )
    design = np.hstack([np.ones((m, 1)), (data - centre) / spread])
    theta = np.zeros(n + 1)
    theta[0] = _start(target, family)
    cost = _cost(design @ theta, target, family)[0]
    for iteration in range(1, max_iter + 1):
        z = design @ theta
        root, scaled = _weights(z, target, family)
        weighted = root[:, None] * design
        if not (np.all(np.isfinite(weighted)) and np.all(np.isfinite(scaled))):
            raise NoMinimiserError(f"Newton step {iteration}: the weights are not finite")
        step = np.asarray(np.linalg.lstsq(weighted, scaled, rcond=None)[0], dtype=np.float64)
        fitted = weighted @ step
        decrement = float(fitted @ fitted) / (2 * m)  # ½ΔᵀHΔ = ½gᵀH⁻¹g, H = X̃ᵀWX̃/m
        size = float(np.abs(step).max())
        if decrement <= tol and size <= np.sqrt(tol):
            final = theta + step
            if _cost(design @ final, target, family)[0] <= cost + _slack(z, target, family):
                theta = final  # the last, quadratically convergent step
            alpha, beta = theta[0], theta[1:] / spread
            return NewtonFit(alpha - float(beta @ centre), _frozen(beta), iteration, decrement)
        theta, cost = _halve(design, target, family, theta, cost, step, decrement, iteration)
    raise NoMinimiserError(
        f"Newton's method did not converge in {max_iter} steps (decrement {decrement:.3g}, "
        f"last step {size:.3g}, largest standardized |β| {float(np.abs(theta[1:]).max()):.3g}): "
        "the coefficients keep growing, as on separable data, so J has no finite minimiser"
    )


def _halve(
    design: Array,
    target: Array,
    family: Family,
    theta: Array,
    cost: float,
    step: Array,
    decrement: float,
    iteration: int,
) -> tuple[Array, float]:
    """θ + tΔ for the first t = 1, ½, ¼, … that lowers J by at least a tenth of the
    first-order prediction −t·gᵀΔ = 2t·decrement (Armijo's rule), up to rounding."""
    slack = _slack(design @ theta, target, family)
    t = 1.0
    for _ in range(MAX_HALVINGS):
        trial = theta + t * step
        value = _cost(design @ trial, target, family)[0]
        if np.isfinite(value) and value <= cost - 0.2 * t * decrement + slack:
            return trial, value
        t /= 2
    raise NoMinimiserError(f"Newton step {iteration}: no step along it lowers J")


def _start(target: Array, family: Family) -> float:
    """The intercept that minimises J with β = 0: logit(ȳ) or log(ȳ)."""
    mean = float(target.mean())
    if family == "logistic":
        if mean in (0.0, 1.0):
            raise NoMinimiserError(f"the target is all {int(mean)}: J falls for ever as α → ±∞")
        return float(np.log(mean) - np.log1p(-mean))
    if mean == 0.0:
        raise NoMinimiserError("the target is all 0: J falls for ever as α → −∞")
    return float(np.log(mean))


def _cost(z: Array, target: Array, family: Family) -> tuple[float, float]:
    """J at the linear predictor z, and the mean magnitude of its terms (for rounding)."""
    if family == "logistic":  # −log σ(z) = logaddexp(0, −z), −log(1 − σ(z)) = logaddexp(0, z)
        terms = target * np.logaddexp(0.0, -z) + (1.0 - target) * np.logaddexp(0.0, z)
        return float(terms.mean()), float(np.abs(terms).mean())
    with np.errstate(over="ignore"):  # an overflowing trial step is refused as J = ∞
        mu = np.exp(z)
    terms = mu - target * z
    return float(terms.mean()), float((mu + np.abs(target * z)).mean())


def _slack(z: Array, target: Array, family: Family) -> float:
    """How much rounding alone can move J: a few ε of the size of its terms."""
    return 64 * EPS * _cost(z, target, family)[1]


def _weights(z: Array, target: Array, family: Family) -> tuple[Array, Array]:
    """√W and (y − μ)/√W, from z without cancellation or division by a vanished weight.

    Logistic: W = σ(z)σ(−z), √W = exp(−(logaddexp(0, −z) + logaddexp(0, z))/2), and
    y − σ(z) = y·σ(−z) − (1 − y)·σ(z), so (y − μ)/√W = y·e^(−z/2) − (1 − y)·e^(z/2).
    Poisson: W = e^z, √W = e^(z/2), (y − μ)/√W = y·e^(−z/2) − e^(z/2).
    """
    with np.errstate(over="ignore"):  # reported by the caller as weights not finite
        up, down = np.exp(z / 2), np.exp(-z / 2)
        if family == "logistic":
            root = np.exp(-(np.logaddexp(0.0, -z) + np.logaddexp(0.0, z)) / 2)
            return root, target * down - (1.0 - target) * up
        return up, target * down - up


def _arrays(X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """X as an m×n float array (n ≥ 1) and y as m floats, all finite."""
    data = np.array(X, dtype=np.float64)
    target = np.array(y, dtype=np.float64).reshape(-1)
    if data.ndim != 2 or data.shape[1] == 0 or data.shape[0] != target.size or target.size == 0:
        raise ValueError(
            f"X must be m×n (n ≥ 1) and y must hold m values: got X {data.shape}, y {target.size}"
        )
    if not (np.all(np.isfinite(data)) and np.all(np.isfinite(target))):
        raise ValueError("X and y must be finite numbers")
    return data, target


def _frozen(values: Array) -> Array:
    result = np.array(values, dtype=np.float64)
    result.flags.writeable = False
    return result
