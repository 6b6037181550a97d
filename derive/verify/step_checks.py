"""Independent checks of every step, along three routes that share no calculus.

Third stage of the flow (model -> steps -> verify -> render). Each route evaluates both
sides of every relation in its own way, derivatives included:
- symbolic: SymPy matrix calculus at symbolic sizes, reduced to zero in matrix form;
  derivatives are taken directly (`J.diff(alpha)` in one go), not by the chain rule;
- explicit: explicit matrices of symbols at concrete sizes, differentiated entry by
  entry, compared exactly; every claimed shape must hold there;
- numeric: lambdified on random data, derivatives by central finite differences.
A relation that fails a route fails the step on that route; nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from derive.core.errors import InputError
from derive.core.i18n import gettext
from derive.core.processes import Pending, TimeLimitExceeded, forked_map, run_limited
from derive.math.matcalc import Shape
from derive.models.linear import Model
from derive.models.spec import ModelSpec
from derive.steps.derivation import Derivation, Relation, Step
from derive.verify.finite_differences import NumericRoute
from derive.verify.model_routes import model_route
from derive.verify.routes import ExplicitRoute, SymbolicRoute

ROUTES = ("symbolic", "explicit", "numeric")
EXPLICIT_SIZES = ((4, 2), (5, 3), (3, 1))
NUMERIC_SIZES = ((7, 3), (5, 1))
MODEL_CHECK_SECONDS = 60.0


@dataclass(frozen=True)
class RouteResult:
    """The outcome of one route on one step; `detail` says what failed."""

    route: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class StepCheck:
    """The outcome of all routes on one step."""

    number: int
    key: str
    results: tuple[RouteResult, ...]

    @property
    def checks(self) -> dict[str, bool]:
        return {result.route: result.passed for result in self.results}

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)


class Route(Protocol):
    """One way of evaluating expressions and comparing the results."""

    name: str

    def check(self, relation: Relation, shape: Shape) -> None:
        """Raise `CheckFailed` (or any error) when the relation or its shape does not hold."""


def check_step(model: Model | ModelSpec, step: Step, routes: tuple[str, ...] = ROUTES) -> StepCheck:
    """Run the chosen routes on every relation of one step."""
    results = tuple(_run(_route(model, name), step) for name in routes)
    return StepCheck(number=step.number, key=step.key, results=results)


def check_derivation(
    derivation: Derivation, routes: tuple[str, ...] = ROUTES, workers: int | None = None
) -> tuple[StepCheck, ...]:
    """Run the chosen routes on every step.

    Each route goes through all the steps in one process, so that what it computes for one
    step (the cost's derivatives, say) serves the next; with more than one worker the
    routes run side by side in forked processes. Results do not depend on `workers`.
    A planned model's checks are stopped after MODEL_CHECK_SECONDS (a description file
    within its size limits can still ask for minutes of algebra).
    """
    if isinstance(derivation.model, ModelSpec):
        try:
            return run_limited(_checked, (derivation, routes, workers), MODEL_CHECK_SECONDS)
        except TimeLimitExceeded:
            raise InputError(
                gettext(
                    "the checks of {model} stopped after the time limit of {seconds:g} s; "
                    "the description asks for too much algebra"
                ).format(model=derivation.model.key, seconds=MODEL_CHECK_SECONDS)
            ) from None
    return _checked(derivation, routes, workers)


def _checked(
    derivation: Derivation, routes: tuple[str, ...], workers: int | None
) -> tuple[StepCheck, ...]:
    with start_checks(derivation, routes, workers) as pending:
        return pending.result()


@contextmanager
def start_checks(
    derivation: Derivation, routes: tuple[str, ...] = ROUTES, workers: int | None = None
) -> Iterator[PendingChecks]:
    """Start the checks in forked workers and let the caller work meanwhile.

    The workers are forked on entry, before the caller does anything else, and stopped on
    exit whether or not the result was collected.
    """
    groups = _groups(routes)
    with forked_map(_group_results, derivation, groups, workers) as running:
        yield PendingChecks(derivation, routes, groups, running)


@dataclass(frozen=True)
class PendingChecks:
    """Checks under way; `result()` waits for them (or runs them here without workers)."""

    derivation: Derivation
    routes: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    running: Pending[tuple[tuple[RouteResult, ...], ...]]

    def result(self) -> tuple[StepCheck, ...]:
        found = {
            name: results
            for group, group_results in zip(self.groups, self.running.get(), strict=True)
            for name, results in zip(group, group_results, strict=True)
        }
        by_route = [found[name] for name in self.routes]
        return tuple(
            StepCheck(step.number, step.key, tuple(results[index] for results in by_route))
            for index, step in enumerate(self.derivation)
        )


def _groups(routes: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The routes in groups, one process each: the symbolic route (about as long as the
    other two together) alone, the others one after the other."""
    alone = tuple(name for name in routes if name == "symbolic")
    rest = tuple(name for name in routes if name != "symbolic")
    return tuple(group for group in (alone, rest) if group)


def _group_results(
    derivation: Derivation, group: tuple[str, ...]
) -> tuple[tuple[RouteResult, ...], ...]:
    return tuple(_route_results(derivation, name) for name in group)


def _route_results(derivation: Derivation, name: str) -> tuple[RouteResult, ...]:
    route = _route(derivation.model, name)
    return tuple(_run(route, step) for step in derivation)


def _route(model: Model | ModelSpec, name: str) -> Route:
    if isinstance(model, ModelSpec):
        return model_route(model, name)
    if name == "symbolic":
        return SymbolicRoute(model)
    if name == "explicit":
        return ExplicitRoute(model, EXPLICIT_SIZES)
    if name == "numeric":
        return NumericRoute(model, NUMERIC_SIZES)
    raise ValueError(f"unknown route {name!r}: choose from {', '.join(ROUTES)}")


def _run(route: Route, step: Step) -> RouteResult:
    for number, relation in enumerate(step.relations, start=1):
        try:
            route.check(relation, relation.shape)
        except Exception as error:  # a failed check of any kind is a result, not a crash
            reason = str(error) or type(error).__name__
            return RouteResult(route.name, False, f"relation {number}: {reason}")
    return RouteResult(route.name, True)
