"""What `derive run --model M` shows: the fit of any model beside its reference, as text or
JSON.

Presentation for the numeric stage, beside run_report.py (the article's mse): it receives
a finished `ModelFit` and the reference of model_compare.py (or None and the reason) and
only formats them: the step policy and its figures (the bound, or the backtracking's
halvings), the outcome, the coefficients beside the reference, and for a model that is not
convex the sentence that the result is a local minimum.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from derive.core.i18n import gettext, ngettext
from derive.numeric.dataset import Dataset
from derive.numeric.model_compare import ModelReference
from derive.numeric.model_fit import ModelFit
from derive.present.run_files import csv_rows
from derive.present.run_report import data_line, dropped_line, ended_line
from derive.present.width import ljust, rjust, width

COLUMN = 22


def _names(data: Dataset, fit: ModelFit) -> list[tuple[str, float]]:
    """Each coefficient's label and value: a 1×1 parameter by its name, a vector's entries
    by the feature they multiply."""
    rows: list[tuple[str, float]] = []
    for name, value in fit.parameters.items():
        shown = _symbol(name)
        if isinstance(value, float):
            rows.append((shown, value))
            continue
        flat = np.ravel(value)
        labels = data.features if len(flat) == len(data.features) else range(1, len(flat) + 1)
        rows += [(f"{shown} {label}", float(v)) for label, v in zip(labels, flat, strict=True)]
    return rows


def _symbol(name: str) -> str:
    greek = {"alpha": "α", "beta": "β", "gamma": "γ", "theta": "θ", "lambda": "λ", "mu": "μ"}
    return greek.get(name, name)


def policy_line(fit: ModelFit) -> str:
    """How the step was chosen, with its figures."""
    if fit.policy == "hessian":
        return gettext(
            "gradient descent (Gram form: ∇J = ∇J(0) + Hθ, the cost is quadratic), "
            "learning rate η = {lr} (bound 2/λmax = {bound})"
        ).format(lr=f"{fit.lr:.6g}", bound=f"{fit.lr_max:.6g}")
    if fit.policy == "sigmoid" and fit.lr_max is not None and fit.lr >= fit.lr_max:
        return gettext(
            "gradient descent, learning rate η = {lr}: above 2/L = {bound}, the bound "
            "below which σ′ ≤ 1/4 makes every step lower the cost; this η may not"
        ).format(lr=f"{fit.lr:.6g}", bound=f"{fit.lr_max:.6g}")
    if fit.policy == "sigmoid":
        return gettext(
            "gradient descent, learning rate η = {lr}: σ′ ≤ 1/4 bounds the Hessian by "
            "X̃ᵀX̃/(4m), so any η below 2/L = {bound} lowers the cost"
        ).format(lr=f"{fit.lr:.6g}", bound=f"{fit.lr_max:.6g}")
    return ngettext(
        "gradient descent with backtracking (Armijo): derive knows no bound on the cost's "
        "curvature; first trial step {lr}, each step tries twice the last and halves until "
        "the cost falls enough: {halvings} halving in all",
        "gradient descent with backtracking (Armijo): derive knows no bound on the cost's "
        "curvature; first trial step {lr}, each step tries twice the last and halves until "
        "the cost falls enough: {halvings} halvings in all",
        fit.halvings,
    ).format(lr=f"{fit.lr:.6g}", halvings=fit.halvings)


def outcome_line(fit: ModelFit) -> str:
    ended = ended_line(fit.iterations, fit.gradient_norm, fit.tol, fit.converged, fit.stalled)
    if ended is not None:
        return ended
    facts = {"k": fit.iterations, "norm": f"{fit.gradient_norm:.2g}", "tol": f"{fit.tol:g}"}
    if fit.standardized:
        sentence = ngettext(
            "did not converge in {k} iteration: ‖∇J‖ is {norm} of its start (tolerance {tol})",
            "did not converge in {k} iterations: ‖∇J‖ is {norm} of its start (tolerance {tol})",
            fit.iterations,
        )
    else:
        sentence = ngettext(
            "did not converge in {k} iteration: ‖∇J‖ is {norm} of its start (tolerance "
            "{tol}); --standardize may make the problem far better conditioned",
            "did not converge in {k} iterations: ‖∇J‖ is {norm} of its start (tolerance "
            "{tol}); --standardize may make the problem far better conditioned",
            fit.iterations,
        )
    return sentence.format(**facts)


def convexity_line(fit: ModelFit) -> str | None:
    if fit.convex is False and not fit.converged:
        return gettext("the cost is not convex: descent may end in a local minimum")
    if fit.convex is False:
        return gettext("the cost is not convex: this is a local minimum, the one reached from zero")
    if fit.convex is None:
        return gettext(
            "derive does not know whether this cost is convex: the result may be a local minimum"
        )
    return None


def model_run_text(
    data: Dataset,
    title: str,
    fit: ModelFit,
    reference: ModelReference | None,
    no_reference: str,
    penalized: bool = False,
) -> str:
    """The run for a terminal; `penalized` when the model has constants (a penalty)."""
    lines = [data_line(data, fit.standardized), gettext("model: {title}").format(title=title)]
    if data.dropped:
        lines.append(dropped_line(data.dropped))
    if fit.standardized and penalized:
        lines.append(
            gettext(
                "the penalty applies to the weights of the standardized features: another "
                "problem than the penalty on the weights as given (reported on that scale)"
            )
        )
    lines += [policy_line(fit), outcome_line(fit)]
    convexity = convexity_line(fit)
    if convexity is not None:
        lines.append(convexity)
    coefficients = _names(data, fit)
    column = max(width(name) for name, _ in coefficients)
    lines.append("")
    if reference is None:
        lines.append(f"{'':<{column}}  {rjust(gettext('gradient descent'), COLUMN)}")
        lines += [f"{ljust(name, column)}  {value:>{COLUMN}.12g}" for name, value in coefficients]
    else:
        lines.append(
            f"{'':<{column}}  {rjust(gettext('gradient descent'), COLUMN)}  "
            f"{rjust(reference.label, COLUMN)}"
        )
        theirs = [reference.alpha, *reference.beta]
        for (name, value), other in zip(coefficients, theirs, strict=True):
            lines.append(f"{ljust(name, column)}  {value:>{COLUMN}.12g}  {other:>{COLUMN}.12g}")
    lines += ["", gettext("cost J = {cost}").format(cost=f"{fit.cost:.12g}")]
    if reference is None:
        lines.append(no_reference)
    else:
        differences = reference.differences(fit.alpha, fit.beta)
        worst = max(range(len(differences)), key=differences.__getitem__)
        lines.append(
            gettext("largest relative difference from the reference: {difference} ({name})").format(
                difference=f"{differences[worst]:.2g}", name=coefficients[worst][0]
            )
        )
    return "\n".join(lines)


def _parameters(data: Dataset, fit: ModelFit) -> dict[str, Any]:
    """A 1×1 parameter as a number, a vector as feature → value (1, 2, … where a vector
    is not one weight per feature)."""
    parameters: dict[str, Any] = {}
    for name, value in fit.parameters.items():
        if isinstance(value, float):
            parameters[name] = value
        else:
            flat = [float(v) for v in np.ravel(value)]
            keys = data.features if len(flat) == len(data.features) else range(1, len(flat) + 1)
            parameters[name] = dict(zip(map(str, keys), flat, strict=True))
    return parameters


def model_coefficients(data: Dataset, fit: ModelFit, suffix: str) -> bytes:
    """The parameters for --save: a JSON object (model, target, parameters) or a CSV table
    of `term,coefficient` rows (a vector's entries as `beta GPA`)."""
    if suffix.lower() == ".json":
        record = {"model": fit.model, "target": data.target, "parameters": _parameters(data, fit)}
        return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    rows: list[tuple[str, str]] = []
    for name, value in _parameters(data, fit).items():
        if isinstance(value, dict):
            rows += [(f"{name} {key}", repr(entry)) for key, entry in value.items()]
        else:
            rows.append((name, repr(value)))
    return csv_rows([("term", "coefficient"), *rows])


def model_run_json(
    data: Dataset,
    fit: ModelFit,
    reference: ModelReference | None,
    no_reference: str,
    files: Sequence[str] = (),
) -> dict[str, Any]:
    """The keys: model, parameters (a 1×1 parameter as a number, a vector as feature →
    value), cost, iterations, converged, policy, lr, lr_max, halvings, convex, reference
    (method, alpha, beta; null with `no_reference` saying why), dropped, files."""
    return {
        "model": fit.model,
        "parameters": _parameters(data, fit),
        "cost": fit.cost,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "policy": fit.policy,
        "lr": fit.lr,
        "lr_max": fit.lr_max,
        "halvings": fit.halvings,
        "convex": fit.convex,
        "reference": None
        if reference is None
        else {
            "method": reference.method,
            "alpha": reference.alpha,
            "beta": dict(zip(data.features, map(float, reference.beta), strict=True)),
        },
        "no_reference": None if reference is not None else no_reference,
        "dropped": data.dropped,
        "files": list(files),
    }
