"""The prose of the handouts: an explanation per step and the text around the steps.

Content, not mathematics: every symbol is a `{name}` placeholder filled by the printers
(see notation.py), and no formula is written here; formulas come from the steps. Kept
apart from the templates so that the words can be reviewed (and translated) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.core.i18n import N_

EXPLANATIONS: dict[str, str] = {
    "inputs": N_(
        "The training data sit in a matrix {X}: one row per example and one column per "
        "feature, {m} examples and {n} features in all. The entry {X_ij} is the value of "
        "feature {j} for example {i}."
    ),
    "targets": N_(
        "For every example we know the value the model ought to produce. Stacked in the "
        "same order as the rows of {X}, these targets form the column vector {y}."
    ),
    "bias": N_(
        "The bias {alpha} is a single number. It shifts every prediction by the same "
        "amount, which lets the fitted line or plane move away from the origin."
    ),
    "weights": N_(
        "The weights {beta} hold one number per feature. As in the source article they "
        "are written as a row, so {beta} has one row and {n} columns."
    ),
    "prediction": N_(
        "A prediction multiplies each feature by its weight, adds up the products and "
        "adds the bias. For all examples at once this is one matrix product. Since {X} "
        "has {n} columns and {beta} is a row, the weights must be transposed before the "
        "product is defined; the ones vector {ones} copies the bias to every example."
    ),
    "cost": N_(
        "The cost {J} measures how far the predictions are from the targets: the squared "
        "errors, added up over the examples and scaled by {coefficient}. Squaring makes "
        "every error count, whatever its sign, and weighs large errors more than small "
        "ones. The cost is a single number."
    ),
    "update-rule": N_(
        "Gradient descent improves the parameters by small moves. Each parameter moves "
        "against its own derivative, because the derivative points the way in which the "
        "cost grows fastest; the learning rate {eta} sets the length of the move. For the "
        "update to make sense, each derivative must have the shape of its parameter."
    ),
    "aim-alpha": N_(
        "Everything therefore rests on two derivatives, {dJ_dalpha} and {dJ_dbeta}. We "
        "begin with the bias. Both {J} and {alpha} are single numbers, so their "
        "derivative is a single number as well."
    ),
    "error": N_(
        "To keep the algebra readable we give the errors a name: {u} holds, for each "
        "example, the target minus the prediction."
    ),
    "cost-in-error": N_(
        "Written with {u}, the cost is the sum of the squared entries of {u}, scaled by "
        "{coefficient}. The same sum is the product of {u} with itself, the transposed "
        "vector on the left."
    ),
    "chain-rule-alpha": N_(
        "{J} depends on {alpha} only through the errors: changing {alpha} moves every "
        "error {u_i}, and every moved error changes {J}. The chain rule adds these "
        "contributions up over the examples. In matrix form the sum becomes a product "
        "of the two derivatives."
    ),
    "outer-factor": N_(
        "The first factor says how the cost reacts when one error changes. The "
        "derivative of a square is twice the value, so each error contributes twice "
        "itself, scaled by {coefficient}."
    ),
    "inner-factor-alpha": N_(
        "The second factor: raising {alpha} by one raises every prediction by one and so "
        "lowers every error by one. Each derivative is minus one; stacked over the "
        "examples they form the negative of the ones vector."
    ),
    "gradient-alpha": N_(
        "Multiplying the two factors and adding over the examples gives the derivative "
        "with respect to the bias: a multiple of the sum of the errors. When the model "
        "predicts too low on average, the errors are positive, the derivative is "
        "negative, and the update raises {alpha}."
    ),
    "chain-rule-beta": N_(
        "The weights are handled in the same way, one weight {beta_j} at a time. "
        "Collected over all features, the derivatives form a row with one entry per "
        "feature: the shape of {beta}."
    ),
    "inner-factor-beta": N_(
        "Raising {beta_j} by one raises the prediction for example {i} by {X_ij}, and so "
        "lowers its error by the same amount. The derivative of the error vector with "
        "respect to the weights is therefore the data matrix itself, with a minus sign: "
        "one row per example, one column per weight."
    ),
    "gradient-beta": N_(
        "The chain rule multiplies the transposed outer factor by this matrix. The result "
        "is a row with one entry per feature, the shape of {beta}: entry {j} adds up the "
        "errors, each weighted by the value of feature {j} for its example."
    ),
    "update-alpha": N_(
        "Putting the derivative into the update rule, the two minus signs cancel: the "
        "bias grows by {eta} times the scaled sum of the errors."
    ),
    "update-beta": N_(
        "The same for the weights. These two updates are all a program needs to fit "
        "linear regression by gradient descent: repeat them until the cost stops falling."
    ),
}

INTRODUCTION = N_(
    "This handout derives, one step at a time, the gradient of the cost that linear "
    "regression minimises, and the gradient-descent updates that follow from it. Every "
    "formula below was computed by the computer algebra system SymPy, not typed in, and "
    "every step was checked in three independent ways."
)

NOTATION = N_(
    "There are {m} examples with {n} features each. Bold letters are vectors and "
    "matrices; {ones} is the column of {m} ones. A shape is written rows × columns."
)

PLANNED_TITLE = N_("{model}: the gradient, step by step")

PLANNED_INTRODUCTION = N_(
    "This handout derives, one step at a time, the gradient of the cost {J} of the model "
    "above with respect to each of its parameters, and the gradient-descent updates that "
    "follow from it. The steps were planned by derive from the model's description: every "
    "formula was computed by the computer algebra system SymPy, not typed in, and every "
    "step was checked in three independent ways."
)

PLANNED_NOTATION = N_(
    "There are {m} examples with {n} features each. Bold letters are vectors and "
    "matrices; {ones} is the column of {m} ones. A function applied to a vector acts on "
    "each entry, and {hadamard} is the entrywise product of two vectors. A shape is written "
    "rows × columns."
)

# The names of the check routes, as the handouts show them.
ROUTE_NAMES = (N_("symbolic"), N_("explicit"), N_("numeric"))

# [sizes] and [parts] are filled in from verify.py, which owns those numbers.
PLANNED_CHECKS = {
    "symbolic": N_(
        "Entry by entry at symbolic sizes {m} and {n}: every name is expanded, "
        "derivatives are taken by SymPy directly (not by the chain rule), and the two sides "
        "must reduce to the same expression."
    ),
    "explicit": N_(
        "At the sizes [sizes], every matrix is written out entry by entry and "
        "differentiated exactly; every claimed shape must hold."
    ),
    "numeric": N_(
        "On random data of the right kind, derivatives are approximated by central "
        "differences; the two sides must agree to within one part in [parts]."
    ),
}

CHECKS = {
    "symbolic": N_(
        "Matrix algebra at symbolic sizes {m} and {n}; the two sides must "
        "reduce to the same expression, and the gradients are also taken in one go."
    ),
    "explicit": N_(
        "At the sizes [sizes], every matrix is written out entry by entry and "
        "differentiated exactly; every claimed shape must hold."
    ),
    "numeric": N_(
        "On random data, derivatives are approximated by central differences; "
        "the two sides must agree to within one part in [parts]."
    ),
}

# The worked example; [bound] is filled in with the stability bound of its data. "bound"
# ends with the sentence "figures", which a handout without figures leaves out.
EXAMPLE = {
    "introduction": N_(
        "The data below are small whole numbers, so that the first iteration can be redone "
        "with pencil and paper. Each line takes a formula of the derivation, puts the numbers "
        "in, and works it out exactly; the table then follows the iterations that come after."
    ),
    "bound": N_(
        "Gradient descent converges when the learning rate {eta} lies between 0 and "
        "2/λmax, where λmax is the largest eigenvalue of the Hessian of the cost; for these "
        "data the bound is [bound]. The figures show the cost falling, the path of the "
        "weights across the contours of the cost, and what happens on either side of the bound."
    ),
    "figures": N_(
        "The figures show the cost falling, the path of the weights across the contours of "
        "the cost, and what happens on either side of the bound."
    ),
}

# Captions of the worked example's figures.
CAPTIONS = {
    "cost": N_(
        "The cost above its least value, J − J*, against the iteration, with η = {lr}, "
        "on a log scale: a straight line means a constant rate of convergence."
    ),
    "contours": N_(
        "Contours of the cost over the two weights, the bias held at its best value for "
        "each pair, and the path gradient descent takes from its start to the minimum."
    ),
    "rates": N_(
        "The cost for several learning rates: it falls faster as η grows towards the bound "
        "2/λmax, and just above the bound it grows without limit."
    ),
}


@dataclass(frozen=True)
class Reference:
    """A published article, cited as author, title, where, year and address."""

    author: str  # a message: the name as the handout's language writes it
    title: str  # the title as published, not translated
    venue: str
    year: int
    url: str
    translations: tuple[tuple[str, str], ...] = ()  # (language, title of a translation)


# The article the 19 steps follow (author, title, venue, year and address as its own
# "cite this work" note gives them), read in a Chinese translation whose translator and
# place of publication are not known, so they are left out.
SOURCE = Reference(
    author=N_("Pratik Shukla"),
    title="Mathematical Intuition behind the Gradient Descent Algorithm",
    venue="Towards AI",
    year=2022,
    url="https://towardsai.net/p/l/mathematical-intuition-behind-the-gradient-descent-algorithm",
    translations=(("zh", "梯度下降算法背后的数学直觉"),),
)
CITATION = N_("{author}, “{title}”, {venue}, {year}. {url}")
TRANSLATION = N_("Translated as {title}.")
