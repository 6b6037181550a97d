"""The least-squares reference: the independent minimiser that runs are compared with.

Numeric stage, beside descent.py: `numpy.linalg.lstsq` solves the normal problem directly,
without descent, so `derive run` can report how far a fit is from it, the plots can mark
it, and the worked example can measure each cost against the least cost J*.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from derive.models.linear import Scale
from derive.numeric.arrays import Array, scalar
from derive.numeric.codegen import compiled
from derive.numeric.conditioning import check_arrays
from derive.numeric.results import frozen
from derive.numeric.scaling import Scaling


def least_squares(X: ArrayLike, y: ArrayLike, *, standardize: bool = True) -> tuple[float, Array]:
    """The least-squares α, β by `numpy.linalg.lstsq`, the reference a fit is compared with.

    With `standardize`, lstsq runs on centred, unit-variance columns (the same minimiser,
    a far better conditioned matrix) and the coefficients are mapped back. Where the
    minimiser is not unique lstsq gives the one of least norm in the coordinates it runs
    in, which is where descent from zero in the same coordinates goes too.
    """
    data, target = check_arrays(X, y)
    scaling = Scaling.of(data) if standardize else Scaling.identity(data.shape[1])
    design = np.hstack([np.ones((data.shape[0], 1)), scaling.apply(data)])
    theta = np.linalg.lstsq(design, target[:, 0], rcond=None)[0]
    alpha, beta = scaling.restore(float(theta[0]), np.asarray(theta[1:], dtype=np.float64))
    return alpha, frozen(beta)


def least_squares_cost(X: ArrayLike, y: ArrayLike, scale: Scale | str = Scale.MEAN) -> float:
    """J at the least-squares minimiser (lstsq on the data as given), by the generated cost:
    the least cost J*, the floor of every run."""
    data, target = check_arrays(X, y)
    alpha, beta = least_squares(data, target, standardize=False)
    cost = compiled(scale).on_data(data, target, alpha, beta[None, :], data.shape[0])[0]
    return scalar(cost)
