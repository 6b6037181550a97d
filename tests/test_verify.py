"""Every step passes every route, and deliberately wrong steps fail every route."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from sympy.matrices.expressions.sets import MatrixSet

from derive.math.matcalc import MatrixDerivative
from derive.steps.derivation import Derivation, Relation, Step
from derive.verify.routes import SymbolicRoute
from derive.verify.step_checks import ROUTES, StepCheck, check_derivation, check_step


def test_every_step_passes_every_route(checks: tuple[StepCheck, ...]) -> None:
    assert len(checks) == 19
    failures = {(c.number, r.route): r.detail for c in checks for r in c.results if not r.passed}
    assert failures == {}
    assert all(c.checks == {"symbolic": True, "explicit": True, "numeric": True} for c in checks)


def test_results_do_not_depend_on_the_number_of_workers(mean: Derivation) -> None:
    subset = Derivation(mean.model, tuple(mean[n] for n in (12, 14, 17)))
    assert check_derivation(subset, workers=1) == check_derivation(subset, workers=2)


def test_symbolic_route_takes_the_gradient_in_one_go(mean: Derivation) -> None:
    M = mean.model
    full_cost = M.coefficient * (M.y - M.prediction).T * (M.y - M.prediction)
    value = SymbolicRoute(M).value(MatrixDerivative(M.J, M.beta))
    assert sp.expand(value - full_cost.diff(M.beta).T).is_ZeroMatrix


def _mutate(step: Step, index: int, rhs: sp.Basic) -> Step:
    relations = list(step.relations)
    relations[index] = dataclasses.replace(relations[index], rhs=rhs)
    return dataclasses.replace(step, relations=tuple(relations))


def _mutations(d: Derivation) -> dict[str, Step]:
    """Mistakes a student makes: a flipped sign, a lost factor 2, a missing transpose."""
    M = d.model
    grad_beta = d["gradient-beta"]
    grad_alpha = d["gradient-alpha"]
    c = M.coefficient
    return {
        "sign-gradient-beta": _mutate(grad_beta, 0, -grad_beta.relations[0].rhs),
        "factor-gradient-beta": _mutate(grad_beta, 0, grad_beta.relations[0].rhs / 2),
        "transpose-gradient-beta": _mutate(grad_beta, 0, sp.MatMul(-2 * c, M.X.T, M.u)),
        "sign-gradient-alpha": _mutate(grad_alpha, 0, -grad_alpha.relations[0].rhs),
        "factor-gradient-alpha-sum": _mutate(grad_alpha, 1, grad_alpha.relations[1].rhs / 2),
        "sign-outer-factor": _mutate(d["outer-factor"], 1, -d["outer-factor"].relations[1].rhs),
        "transpose-jacobian": _mutate(d["inner-factor-beta"], 0, -M.X.T),
        "sign-update-beta": _mutate(
            d["update-beta"], 0, sp.MatAdd(M.beta, -d["update-beta"].relations[0].rhs + M.beta)
        ),
        "factor-update-alpha": _mutate(
            d["update-alpha"], 0, 2 * d["update-alpha"].relations[0].rhs - M.alpha
        ),
    }


MUTATIONS = [
    "sign-gradient-beta",
    "factor-gradient-beta",
    "transpose-gradient-beta",
    "sign-gradient-alpha",
    "factor-gradient-alpha-sum",
    "sign-outer-factor",
    "transpose-jacobian",
    "sign-update-beta",
    "factor-update-alpha",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_each_route_catches_a_wrong_step(mean: Derivation, mutation: str, route: str) -> None:
    wrong = _mutations(mean)[mutation]
    result = check_step(mean.model, wrong, (route,))
    assert result.checks == {route: False}
    assert result.results[0].detail


@pytest.mark.parametrize("route", ROUTES)
def test_each_route_accepts_a_correct_step_written_differently(
    mean: Derivation, route: str
) -> None:
    M = mean.model
    rewritten = -2 * M.coefficient * (M.y - M.alpha * M.ones - M.X * M.beta.T).T * M.X
    step = _mutate(mean["gradient-beta"], 0, rewritten)
    assert check_step(M, step, (route,)).passed


def test_numeric_route_sees_an_update_that_climbs(mean: Derivation) -> None:
    M = mean.model
    rule = mean["update-rule"]
    climbing = Relation(M.beta, "<-", sp.MatAdd(M.beta, M.eta * MatrixDerivative(M.J, M.beta)))
    wrong = dataclasses.replace(rule, relations=(rule.relations[0], climbing))
    assert check_step(M, wrong, ("numeric",)).checks == {"numeric": False}
    assert check_step(M, rule, ("numeric",)).passed


@pytest.mark.parametrize("route", ROUTES)
def test_a_wrong_declared_shape_is_caught(mean: Derivation, route: str) -> None:
    M = mean.model
    wrong = _mutate(mean["weights"], 0, MatrixSet(M.n, 1, sp.S.Reals))
    assert check_step(M, wrong, (route,)).checks == {route: False}


def test_unknown_route_is_refused(mean: Derivation) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        check_step(mean.model, mean[1], ("guess",))
