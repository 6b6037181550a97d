from __future__ import annotations

import pytest
import sympy as sp

from derive.models.linear import Scale, build_model


@pytest.mark.parametrize(
    ("spelling", "scale"),
    [("1/m", Scale.MEAN), ("1/(2m)", Scale.HALF_MEAN), ("1 / (2*m)", Scale.HALF_MEAN)],
)
def test_scale_accepts_its_spellings(spelling: str, scale: Scale) -> None:
    assert Scale.parse(spelling) is scale


def test_scale_rejects_unknown_spelling_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"1/m, 1/\(2m\)"):
        Scale.parse("1/n")


def test_model_shapes_follow_the_article() -> None:
    model = build_model()
    m, n = model.m, model.n
    assert model.X.shape == (m, n)
    assert model.y.shape == (m, 1)
    assert model.beta.shape == (1, n)
    assert model.prediction.shape == (m, 1)
    assert model.cost_in_u.shape == (1, 1)


@pytest.mark.parametrize(("scale", "factor"), [(Scale.MEAN, 1), (Scale.HALF_MEAN, 2)])
def test_cost_coefficient_is_one_over_factor_m(scale: Scale, factor: int) -> None:
    model = build_model(scale)
    assert sp.simplify(model.coefficient - 1 / (factor * model.m)) == 0


def test_sizes_are_positive_integers() -> None:
    model = build_model()
    assert model.m.is_integer
    assert model.m.is_positive
    assert model.n.is_integer
    assert model.n.is_positive
