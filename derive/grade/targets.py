"""What a check of a model compares with: one step of the model's plan, or its gradient.

The first stage of `derive check --model M (--wrt PARAM | --step N|KEY)`: the model is read
(a built-in name or a description file), its steps derived (the article's 19 for mse, the
planner's otherwise), and the relations of the chosen step that a student can write by hand
are kept: those with a computed right-hand side (no declaration ∈ ℝ, no update rule, no
derivative left unevaluated). `--wrt beta` is the step `gradient-beta`; `--wrt beta_j` its
relation for one entry. The calculus steps, the default blanks of a worksheet, are keyed
here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy import MatrixSymbol
from sympy.matrices.expressions.sets import MatrixSet

from derive.core.errors import InputError
from derive.core.i18n import gettext, join_list
from derive.math.entrywise import HeldDerivative
from derive.math.matcalc import MatrixDerivative
from derive.math.printing import text
from derive.models.catalog import BUILTIN, load_model
from derive.models.spec import ModelSpec
from derive.steps.choose import derive_model
from derive.steps.derivation import Derivation, Relation, Step

# The steps that take calculus: a local factor, the signal, an inner factor, a penalty's
# derivative, a gradient (the planner's keys), and the article's outer factor.
CALCULUS_PREFIXES = ("factor-", "inner-factor-", "penalty-", "gradient-")
CALCULUS_KEYS = ("signal", "outer-factor")


@dataclass(frozen=True)
class Target:
    """The relations a given expression may equal, of one step of one model."""

    model: str  # as the user named it (a built-in name or a path), for commands
    spec: ModelSpec
    step: Step
    relations: tuple[Relation, ...]  # the step's checkable relations, in order
    wrt: str | None = None  # the parameter of --wrt, as typed (beta, beta_j)

    @property
    def symbol(self) -> str:
        """The left-hand side of the step's first relation, as text: ∂J/∂β, ∂pᵢ/∂zᵢ."""
        return text(self.relations[0].lhs)


def is_calculus(step: Step) -> bool:
    """Whether a step is one of the calculus steps (a worksheet's default blanks)."""
    return step.key in CALCULUS_KEYS or step.key.startswith(CALCULUS_PREFIXES)


def checkable(relation: Relation) -> bool:
    """A relation whose right-hand side was computed and can be written by hand (an
    identity, or an update with the gradient written out)."""
    if relation.op == "in" or isinstance(relation.rhs, MatrixSet):
        return False
    return not relation.rhs.has(sp.Derivative, HeldDerivative, MatrixDerivative)


def checkable_steps(derivation: Derivation) -> tuple[Step, ...]:
    """The steps with at least one checkable relation, in order."""
    return tuple(step for step in derivation if any(map(checkable, step.relations)))


def model_of(model: str, scale: str | None) -> tuple[ModelSpec, Derivation]:
    """The model's description and its derivation (cached: computed before a check forks).
    A built-in model is planned here by name (a file's plan runs in a child process with
    a time limit, which a built-in one does not need); a file is cached by what it says,
    so that a description edited between two checks (in a notebook) is planned again."""
    if model in BUILTIN:
        return _builtin(model, scale)
    return _planned(load_model(model, scale), scale)


@lru_cache(maxsize=16)
def _builtin(model: str, scale: str | None) -> tuple[ModelSpec, Derivation]:
    derivation = derive_model(model, scale or "1/m")
    planned = derivation.model
    spec = planned if isinstance(planned, ModelSpec) else load_model(model, scale)
    return spec, derivation


@lru_cache(maxsize=16)
def _planned(spec: ModelSpec, scale: str | None) -> tuple[ModelSpec, Derivation]:
    return spec, derive_model(spec, scale or "1/m")


def target(model: str, step: str | int | None, wrt: str | None, scale: str | None) -> Target:
    """The target of `--step` or of `--wrt` (exactly one of them)."""
    if (step is None) == (wrt is None):
        raise InputError(gettext("give either a step (--step) or a parameter (--wrt)"))
    if step is not None:
        return step_target(model, step, scale)
    return gradient_target(model, str(wrt), scale)


def step_target(model: str, step: str | int, scale: str | None = None) -> Target:
    """The target of `--step N|KEY`; InputError naming the choices for another."""
    spec, derivation = model_of(model, scale)
    found = _find(derivation, step)
    relations = tuple(r for r in found.relations if checkable(r)) if found else ()
    if found is None or not relations:
        choices = join_list(f"{s.number} {s.key}" for s in checkable_steps(derivation))
        problem = (
            gettext("step {step} of {model} has no right-hand side to check; the steps are {steps}")
            if found is not None
            else gettext("{model} has no step {step}; the steps to check are {steps}")
        )
        raise InputError(problem.format(step=repr(str(step)), model=model, steps=choices))
    return Target(model, spec, found, relations)


def gradient_target(model: str, wrt: str, scale: str | None = None) -> Target:
    """The target of `--wrt PARAM` (a parameter's name, or `name_j` for one entry)."""
    spec, derivation = model_of(model, scale)
    names = [quantity.name for quantity in spec.parameters]
    base, _, index = wrt.partition("_")
    entry = bool(index)
    vector = base in names and isinstance(spec.symbol(base), MatrixSymbol)
    if base not in names or (entry and (index != "j" or not vector)):
        choices = [*names, *(f"{name}_j" for name in names if _is_vector(spec, name))]
        raise InputError(
            gettext("{model} has no parameter {wrt}; use {names}").format(
                model=model, wrt=repr(wrt), names=join_list(choices)
            )
        )
    step = derivation[f"gradient-{base}"]
    relations = tuple(r for r in step.relations if checkable(r) and _is_entry(r.lhs, spec) == entry)
    return Target(model, spec, step, relations, wrt)


def _is_vector(spec: ModelSpec, name: str) -> bool:
    return isinstance(spec.symbol(name), MatrixSymbol)


def _is_entry(lhs: sp.Basic, spec: ModelSpec) -> bool:
    """Whether a gradient's left-hand side is ∂J/∂βⱼ (the free feature index j)."""
    return bool(lhs.has(spec.j))


def _find(derivation: Derivation, step: str | int) -> Step | None:
    key: str | int = int(step) if isinstance(step, str) and step.isdigit() else step
    try:
        return derivation[key]
    except KeyError:
        return None
