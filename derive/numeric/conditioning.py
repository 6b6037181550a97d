"""What the data allow: usable arrays, the Hessian's eigenvalues, and why a minimiser is not unique.

Numeric stage, between numeric.py (the generated code) and descent.py (the runs that use it).
The learning-rate bound 2/λmax(H) and the automatic step come from the eigenvalues of H,
which is read off the generated gradient, so it always has the derivation's cost scale.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from derive.core.errors import DivergenceError, InputError
from derive.core.i18n import gettext, join_list
from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import compiled

RANK_RTOL = 1e-12  # eigenvalues below this fraction of λmax count as zero
CHUNK_ROWS = 65_536  # rows scanned at a time when looking for a bad value
BIAS = "the bias"  # the bias among the columns named in a message (compared by identity)


def check_arrays(X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """X as an m×n float64 array and y as m×1; `InputError` for data descent cannot use."""
    try:
        data = np.asarray(X, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(gettext("the data must be numbers: {error}").format(error=error)) from None
    if data.ndim != 2:
        raise InputError(
            gettext("X must be a 2-D array (rows × features), not {ndim}-D").format(ndim=data.ndim)
        )
    if target.ndim == 2 and target.shape[1] == 1:
        target = target[:, 0]
    if target.ndim != 1 or len(target) != len(data):
        raise InputError(
            gettext("y must hold one value per row of X ({rows}), not {shape}").format(
                rows=len(data), shape=target.shape
            )
        )
    _check_size(*data.shape)
    _check_finite(data, "X")
    _check_finite(target[:, None], "y")
    return data, target.reshape(-1, 1)


def check_weights(beta: Array, names: Sequence[str] | None = None) -> None:
    """`InputError` when a weight mapped back to the data's scale is beyond float64: the
    weight of a column whose values are near the smallest floats (1e-310) is near 1e310."""
    beyond = np.flatnonzero(~np.isfinite(beta))
    if len(beyond) == 0:
        return
    j = int(beyond[0])
    label = f"'{names[j]}'" if names is not None else gettext("column {index}").format(index=j)
    raise InputError(
        gettext(
            "the weight of {column} is beyond float64: the column's values are too small "
            "for its weight to be written; rescale the column"
        ).format(column=label)
    )


def _check_size(m: int, n: int) -> None:
    if n == 0:
        raise InputError(gettext("there are no features: X needs at least one column"))
    if m < 2:
        raise InputError(
            gettext("there is only {rows} data row: a fit needs at least {needed} rows").format(
                rows=m, needed=n + 1
            )
        )
    if n >= m:
        raise InputError(
            gettext(
                "{rows} rows are too few for {features} features: the bias and {features} "
                "weights need at least {needed} rows"
            ).format(rows=m, features=n, needed=n + 1)
        )


def _check_finite(A: Array, name: str) -> None:
    """Every value finite; summing finds a NaN or infinity without an m×n temporary."""
    if np.isfinite(A.sum(axis=0)).all():
        return
    for start in range(0, len(A), CHUNK_ROWS):
        bad = np.argwhere(~np.isfinite(A[start : start + CHUNK_ROWS]))
        if len(bad):
            row, column = start + int(bad[0][0]), int(bad[0][1])
            where = f"{name}[{row}, {column}]" if A.shape[1] > 1 else f"{name}[{row}]"
            raise InputError(
                gettext("{where} is {value}: the data must be finite numbers").format(
                    where=where, value=A[row, column]
                )
            )
    raise InputError(
        gettext("the values of {name} are too large: their sum overflows float64").format(name=name)
    )


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Curvature:
    """The Hessian H of the cost in (α, β): its eigenvalues (ascending), and the eigenvalues
    and null direction of its scale-free form D^(-1/2) H D^(-1/2), D = diag(H), which tell
    whether the data determine the minimiser whatever the units of the columns; and the
    eigenvectors of H (columns, in the order of the eigenvalues), which say how fast each
    part of the gradient shrinks."""

    eigenvalues: Array
    scale_free: Array
    null_direction: Array
    hessian_text: str
    directions: Array

    @property
    def size(self) -> int:
        return len(self.eigenvalues)

    @property
    def rank(self) -> int:
        """The number of directions the data determine (scale-free, to working precision)."""
        return int(np.count_nonzero(self.scale_free > self.scale_free[-1] * RANK_RTOL))

    @property
    def largest(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def smallest(self) -> float:
        """The smallest eigenvalue of H outside the directions the data do not determine,
        at least λmax·RANK_RTOL (below that the Gram matrix's rounding decides its value)."""
        return max(float(self.eigenvalues[self.size - self.rank]), self.largest * RANK_RTOL)

    @property
    def bound(self) -> float:
        """2/λmax: gradient descent converges exactly for 0 < η < bound."""
        return 2.0 / self.largest

    @property
    def auto(self) -> float:
        """2/(λmax + λmin): the constant step with the fastest worst-case convergence."""
        return 2.0 / (self.largest + self.smallest)

    @property
    def condition(self) -> float:
        return self.largest / self.smallest

    def refuse(self, lr: float) -> None:
        """`DivergenceError` for a step at or above the bound: descent would diverge."""
        if lr >= self.bound:
            raise DivergenceError(
                gettext(
                    "the learning rate {lr} is at or above the stability bound "
                    "2/λmax = {bound} ({hessian}): "
                    "gradient descent would diverge; use a smaller rate or 'auto'"
                ).format(lr=f"{lr:.6g}", bound=f"{self.bound:.6g}", hessian=self.hessian_text)
            )

    def steps_needed(self, lr: float, tol: float, gradient: Array) -> float:
        """At least how many steps of size `lr` bring ‖∇J‖ to `tol` of ‖∇J₀‖ = ‖`gradient`‖.

        On this quadratic cost ∇J after k steps is (I − ηH)ᵏ∇J₀: its part along the
        eigenvector vᵢ of H shrinks by |1 − ηλᵢ| a step, so ‖∇J‖ ≤ tol·‖∇J₀‖ needs
        cᵢ·|1 − ηλᵢ|ᵏ ≤ tol for every i, cᵢ = |vᵢ·∇J₀|/‖∇J₀‖: k ≥ ln(cᵢ/tol)/(−ln|1 − ηλᵢ|).
        Directions the data do not determine have no part in ∇J₀ and are left out. A lower
        bound in exact arithmetic (rounding can only slow a run); 0 for a zero gradient,
        infinite for tol = 0.
        """
        start = float(np.linalg.norm(gradient))
        if start == 0:
            return 0.0
        first = self.size - self.rank  # the directions the data determine come last
        parts = np.abs(self.directions[:, first:].T @ gradient) / start
        needed = 0.0
        for part, value in zip(parts, self.eigenvalues[first:], strict=True):
            shrink = _shrink_rate(lr * float(value))
            if part <= tol or shrink == math.inf:
                continue
            needed = max(needed, math.log(part / tol) / shrink if tol * shrink > 0 else math.inf)
        return needed


def _shrink_rate(step: float) -> float:
    """−ln|1 − s|: how fast a part of the gradient with ηλ = s shrinks a step (∞: at once)."""
    if step == 1:
        return math.inf
    return -math.log1p(-step) if step < 1 else -math.log(step - 1)


def curvature(moments: tuple[Array, Array, Array, float, float], m: int, scale: Scale) -> Curvature:
    """The Hessian of the cost, from the generated gradient in Gram form.

    With the moments of y set to zero the gradient is linear in θ = (α, β), ∇J = Hθ, so
    the columns of H are the gradients at the unit vectors: no formula is restated here.
    """
    XtX, sum_X = moments[0], moments[1]
    if not all(np.isfinite(moment).all() for moment in moments):
        raise InputError(
            gettext("the data are too large: their squares overflow float64; rescale them")
        )
    code = compiled(scale)
    n = XtX.shape[0]
    no_target = (XtX, sum_X, np.zeros_like(sum_X), 0.0, 0.0)
    columns = []
    for j in range(n + 1):
        theta = np.zeros(n + 1)
        theta[j] = 1.0
        _, grad_alpha, grad_beta = code.on_moments(theta[0], theta[None, 1:], *no_target, m)
        columns.append(np.concatenate([[scalar(grad_alpha)], np.ravel(grad_beta)]))
    factor = 2 * code.model.coefficient * code.model.m
    return of_hessian(np.column_stack(columns), f"H = ({factor}/m)·X̃ᵀX̃")


def of_hessian(hessian: Array, text: str) -> Curvature:
    """The `Curvature` of a Hessian (made exactly symmetric), described as `text`."""
    hessian = np.asarray((hessian + hessian.T) / 2, dtype=np.float64)
    root = np.sqrt(np.abs(np.diag(hessian)))
    root[root == 0] = 1.0  # a column of zeros stays a zero row: a null direction
    scale_free, directions = np.linalg.eigh(hessian / np.outer(root, root))
    return Curvature(
        np.asarray(np.linalg.eigvalsh(hessian), dtype=np.float64),
        scale_free,
        directions[:, 0],
        text,
        np.linalg.eigh(hessian)[1],
    )


def diagnose_singular(X: Array, found: Curvature, names: Sequence[str] | None) -> str:
    """Why X̃ᵀX̃ is singular, naming the columns, and what that means for the fit."""
    labels = (
        list(names)
        if names is not None
        else [gettext("column {index}").format(index=j) for j in range(X.shape[1])]
    )
    constant = [labels[j] for j in np.flatnonzero(X.max(axis=0) == X.min(axis=0))]
    copies = _identical_columns(X, labels)
    if len(constant) == 1:
        cause = gettext("{columns} is constant").format(columns=_quoted(constant))
    elif constant:
        cause = gettext("{columns} are constant").format(columns=_quoted(constant))
    elif copies:
        cause = gettext("; ").join(
            gettext("{columns} are identical").format(columns=_quoted(group)) for group in copies
        )
    else:
        weights = np.abs(found.null_direction)
        involved = [([BIAS, *labels])[k] for k in np.flatnonzero(weights > 1e-3)]
        cause = gettext("{columns} are linearly dependent to working precision").format(
            columns=_quoted(involved)
        )
    return gettext(
        "the minimiser is not unique: X̃ᵀX̃ is singular because {cause}. Gradient descent "
        "still converges to a minimiser with the least cost and unique predictions, but its "
        "coefficients are one choice among many"
    ).format(cause=cause)


def _identical_columns(X: Array, labels: Sequence[str]) -> list[list[str]]:
    groups: dict[bytes, list[str]] = {}
    for j, label in enumerate(labels):
        digest = hashlib.blake2b(np.ascontiguousarray(X[:, j]).tobytes()).digest()
        groups.setdefault(digest, []).append(label)
    return [group for group in groups.values() if len(group) > 1]


def _quoted(labels: Sequence[str]) -> str:
    quoted = [f"'{label}'" if label is not BIAS else gettext("the bias column") for label in labels]
    if len(quoted) == 1:
        return quoted[0]
    return gettext("{first} and {last}").format(first=join_list(quoted[:-1]), last=quoted[-1])
