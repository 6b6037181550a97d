"""The words of a planned model's steps: a heading and an explanation per kind of step.

Read by plan.py. Each text is a msgid (translated where it is shown) whose `{slot}`
placeholders the step names: `{quantity}` is p in "The definition of p". Symbols are
never typed here; they are printed from the model, as in the article's prose.py.
"""

from __future__ import annotations

from derive.core.i18n import N_

# kind -> (heading, explanation)
PROSE: dict[str, tuple[str, str]] = {
    "data": (
        N_("The data {quantity}"),
        N_(
            "{quantity} holds data, known before any learning starts; the derivation "
            "treats it as fixed."
        ),
    ),
    "parameter": (
        N_("The parameter {quantity}"),
        N_(
            "{quantity} is a parameter: gradient descent learns it, so the derivation "
            "needs the derivative of {J} with respect to {quantity}, of the same shape."
        ),
    ),
    "constant": (
        N_("The constant {quantity}"),
        N_(
            "{quantity} is a constant that the description sets to {quantity_value}; it is "
            "chosen before training, not learned."
        ),
    ),
    "define": (
        N_("The definition of {quantity}"),
        N_(
            "This step names a quantity computed from the ones before it. The name keeps "
            "the later steps short, and the chain rule will pass through it."
        ),
    ),
    "cost": (
        N_("The cost function"),
        N_(
            "The cost {J} is the one number that gradient descent makes small. It is "
            "written first with vectors, then as sums over the examples."
        ),
    ),
    "update-rule": (
        N_("The gradient descent update"),
        N_(
            "Gradient descent improves the parameters by small moves. Each parameter moves "
            "against its own derivative, because the derivative points the way in which the "
            "cost grows fastest; the learning rate {eta} sets the length of the move. For the "
            "update to make sense, each derivative must have the shape of its parameter."
        ),
    ),
    "chain-rule-signal": (
        N_("The chain rule down to {pivot}"),
        N_(
            "{J} depends on the parameters only through {pivot}. Before turning to each "
            "parameter, the chain rule follows the named quantities from {J} down to one "
            "entry {pivot_i}: one local factor per link, multiplied along the path."
        ),
    ),
    "chain-rule-signal-penalized": (
        N_("The chain rule down to {pivot}"),
        N_(
            "Apart from the penalty, {J} depends on the parameters only through {pivot}. "
            "Before turning to each parameter, the chain rule follows the named quantities "
            "from {J} down to one entry {pivot_i}: one local factor per link, multiplied "
            "along the path."
        ),
    ),
    "signal-direct": (
        N_("The derivative by {pivot}"),
        N_(
            "{J} uses {pivot} directly, through no other named quantity, so the chain rule "
            "has a single factor: how {J} changes when {pivot_i} alone changes. Stacked over "
            "the examples, these entries form the column {dJ_dpivot}. The rules used:"
        ),
    ),
    "factor": (
        N_("The local factor of {of} by {wrt}"),
        N_(
            "How {of} changes when {wrt_i} alone changes. It comes from the definition "
            "of {of}, by these rules:"
        ),
    ),
    "factor-held": (
        N_("The local factor of {of} by {wrt}"),
        N_(
            "How {of} changes when {wrt_i} alone changes, the named quantities written "
            "under the bar held fixed: the paths through them are counted on their own. "
            "It comes from the definition of {of}, by these rules:"
        ),
    ),
    "signal": (
        N_("The product: the derivative by {pivot}"),
        N_(
            "Multiplying the local factors gives the derivative of {J} with respect to "
            "{pivot_i}; SymPy simplifies the product to the short form below it. Stacked "
            "over the examples, these entries form the column {dJ_dpivot}."
        ),
    ),
    "aim": (
        N_("The goal: the derivative with respect to {param}"),
        N_(
            "Next, the derivative with respect to {param}. It must have the shape of "
            "{param}, so that the update can subtract it."
        ),
    ),
    "chain-rule": (
        N_("The chain rule for {param}"),
        N_(
            "{param} reaches {J} through {pivot}: moving {param} moves every entry "
            "{pivot_i}, and the chain rule adds up the contributions of all the examples."
        ),
    ),
    "inner-factor": (
        N_("The inner factor for {param}"),
        N_(
            "The inner factor comes from the definition of {pivot}, which is linear in "
            "{param}: the rate at which {pivot_i} changes with {param_i}."
        ),
    ),
    "penalty": (
        N_("The derivative of the penalty by {param}"),
        N_("The penalty term is differentiated on its own, by these rules:"),
    ),
    "gradient": (
        N_("The gradient with respect to {param}"),
        N_(
            "The chain-rule sum, with the factors found above, gives the gradient "
            "{dJ_dparam} in matrix form; below it, one entry, written out as a sum."
        ),
    ),
    "gradient-scalar": (
        N_("The gradient with respect to {param}"),
        N_(
            "The chain-rule sum, with the factors found above, gives the derivative "
            "{dJ_dparam}, a single number: first as a product of vectors, then written out "
            "as a sum over the examples."
        ),
    ),
    "update": (
        N_("The update of {param}"),
        N_(
            "The gradient substituted into the update rule: one step of gradient descent "
            "for {param}."
        ),
    ),
}
