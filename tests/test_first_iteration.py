"""The exact first iteration on every shape of a teacher's example: it agrees with the
generated NumPy code, takes the decimals as written, and never guesses roots."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derive.numeric.first_iteration import first_iteration
from derive.numeric.worked_example import MAX_FEATURES, MAX_ROWS, float_iteration, load_example
from derive.steps.article import derivation

KEYS = ("prediction", "error", "cost", "grad_alpha", "grad_beta", "alpha_next", "beta_next")

# Each a CSV file that a class might bring; the target is the last column.
EXAMPLES = {
    "one feature": "x,y\n1,2\n2,3\n3,5\n4,6\n",
    "one feature, two rows": "x,y\n1,2\n3,5\n",
    "six-digit decimals": (  # SymPy's nsimplify turned these into roots: a TypeError
        "a,b,y\n7.314846,7.137260,5.624361\n-0.963354,7.100913,-6.201959\n"
        "6.078006,-0.484735,2.279177\n-6.276526,-1.068137,-7.164097\n"
    ),
    "negative decimals": "a,b,y\n-1.5,-2.25,-3.125\n-0.5,1.75,-2.5\n2.5,-0.125,1.5\n",
    "integers": "a,b,c,y\n3,-7,2,10\n-4,5,0,-3\n8,1,-6,7\n0,2,9,4\n5,-5,5,-5\n",
    "a column of zeros": "a,z,y\n1,0,2\n2,0,3\n4,0,9\n5,0,8\n",
    "a third (1/m does not terminate)": "a,b,y\n1,2,3\n2,1,4\n4,3,8\n",
    "the limits": "a,b,c,y\n"
    + "".join(
        f"{(7 * i) % 11 - 5}.{i}1,{(3 * i) % 7}.25,{i * i % 13 - 6}.5,{(5 * i) % 9}.75\n"
        for i in range(MAX_ROWS)
    ),
    "longley within the limits": (  # GNPDEFL, GNP, UNEMP of tests/data/longley.csv -> TOTEMP
        "GNPDEFL,GNP,UNEMP,TOTEMP\n83,234289,2356,60323\n88.5,259426,2325,61122\n"
        "88.2,258054,3682,60171\n89.5,284599,3351,61187\n96.2,328975,2099,63221\n"
        "98.1,346999,1932,63639\n99,365385,1870,64989\n100,363112,3578,63761\n"
        "101.2,397469,2904,66019\n104.6,419180,2822,67857\n"
    ),
}


def _file(tmp_path: Path, content: str) -> str:
    path = tmp_path / "example.csv"
    path.write_text(content)
    return str(path)


def _as_array(value: sp.Basic) -> np.ndarray:
    return np.array(sp.ImmutableMatrix([value]).tolist(), dtype=float).reshape(-1)


def test_the_limits_example_is_at_the_limits(tmp_path: Path) -> None:
    example = load_example(_file(tmp_path, EXAMPLES["the limits"]))
    assert example.size == (MAX_ROWS, MAX_FEATURES)


@pytest.mark.parametrize("scale", ["1/m", "1/(2m)"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_exact_and_generated_float_iterations_agree(tmp_path: Path, name: str, scale: str) -> None:
    example = load_example(_file(tmp_path, EXAMPLES[name]))
    exact = first_iteration(derivation(scale), example)
    floats = float_iteration(example, scale)
    for key in KEYS:
        expected = _as_array(exact[key])
        tolerance = 1e-12 * max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(floats[key], expected, rtol=1e-9, atol=tolerance, err_msg=key)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_value_is_an_exact_rational_of_the_right_shape(tmp_path: Path, name: str) -> None:
    example = load_example(_file(tmp_path, EXAMPLES[name]))
    m, n = example.size
    first = first_iteration(derivation("1/m"), example)
    shapes = {"prediction": (m, 1), "error": (m, 1), "grad_beta": (1, n), "beta_next": (1, n)}
    for line in first.lines:
        value = line.value
        if line.key in shapes:
            assert isinstance(value, sp.MatrixBase), line.key
            assert value.shape == shapes[line.key], line.key
        entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
        assert all(isinstance(entry, sp.Rational) for entry in entries), line.key


def test_the_decimals_are_taken_as_written(tmp_path: Path) -> None:
    example = load_example(_file(tmp_path, EXAMPLES["six-digit decimals"]))
    assert example.X[0] == (Fraction("7.314846"), Fraction("7.137260"))
    assert example.y[1] == Fraction(-6201959, 1_000_000)
    first = first_iteration(derivation("1/m"), example)
    # ŷ₁ = 0.1·7.314846 + 0.1·7.13726, worked out by hand
    assert first["prediction"][0] == sp.Rational(1445210600, 10**9)


def test_one_feature_keeps_beta_and_its_gradient_as_1x1_matrices(tmp_path: Path) -> None:
    example = load_example(_file(tmp_path, EXAMPLES["one feature"]))
    first = first_iteration(derivation("1/m"), example)
    # u = [1.9; 2.8; 4.7; 5.6]; ∂J/∂β = -(2/4)(1.9 + 5.6 + 14.1 + 22.4) = -22
    assert first["grad_beta"] == sp.ImmutableMatrix([[-22]])
    assert first["beta_next"] == sp.ImmutableMatrix([[sp.Rational(6, 5)]])  # 0.1 + 0.05·22
    assert first["cost"] == sp.Rational(649, 40)  # 16.225, a number, not a 1×1 matrix
