"""Reading a hand-derived gradient: text hygiene, then the lark grammar, into a parse tree.

First stage of `derive check` (parse -> build -> diagnose -> check). Nothing here
evaluates anything: the text is screened (length, characters, nesting), parsed by the
LALR grammar in grammar.lark, and the tree is bounded (depth, numbers, powers). Every
refusal is an `ExpressionError` that names the column of the offending character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from derive.core.errors import InputError, shorten
from derive.core.i18n import gettext

MAX_LENGTH = 2000  # characters
MAX_NESTING = 20  # brackets inside brackets
MAX_DEPTH = 60  # levels of nesting in the parse tree (signs, powers and sums count too)
MAX_DIGITS = 15  # in one number
MAX_EXPONENT = 16  # |k| in a power a^k
MAX_POWER_DIGITS = 100  # in a power of a number, computed at once
MAX_CALLS = 4  # calls inside calls: log(1 - σ(z)) is two (exp, σ', e^{…} and norms count)
OPENING, CLOSING = "([{", ")]}"
WHITESPACE = "\t\n\r"
KNOWN_COMMANDS = frozenset(
    (
        *("frac", "dfrac", "tfrac", "alpha", "beta", "hat", "widehat", "top", "intercal"),
        *("mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "mathbb", "vec"),
        *("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "bigg", "Bigg"),
        *("biggl", "biggr", "Biggl", "Biggr", "cdot", "times", "sum", "quad", "qquad"),
        *("displaystyle", "limits", "nolimits"),
    )
)
# The LaTeX of every model (parse(..., models=True)) knows functions, ∘, norms and Greek.
MODEL_COMMANDS = KNOWN_COMMANDS | frozenset(
    (
        *("sigma", "exp", "log", "ln", "tanh", "operatorname", "text", "prime", "odot"),
        *("circ", "lVert", "rVert", "gamma", "delta", "epsilon", "varepsilon", "zeta"),
        *("eta", "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi"),
        *("rho", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta"),
        *("Theta", "Lambda", "Xi", "Pi", "Phi", "Psi", "Omega"),
    )
)
CALLS = frozenset(("call", "derivative", "exp_power", "norm"))
# A left-hand side that parse(..., models=True) drops: ∂J/∂β =, dJ/dbeta =, ∂p_i/∂z_i =,
# \frac{\partial J}{\partial \beta} =; and a leading = (a line of a derivation).
_D = r"(?:∂|d|\\partial(?![A-Za-z])|\\mathrm\s*\{\s*d\s*\})"
_OF = (
    r"\s*(?:\\[A-Za-z]+\s*(?:\{[^{}=]*\})?|[A-Za-zα-ωŷ𝟏µ][A-Za-z0-9]*)[ᵢⱼₖ]*"
    r"(?:\s*_\s*(?:\{[^{}=]*\}|[A-Za-z0-9]+))?"
    r"(?:\s*\^\s*(?:\{[^{}=]*\}|\(\s*[a-z]\s*\)|[A-Za-z0-9⊤ᵀ]))?\s*"
)
LEFT_SIDE = re.compile(
    rf"\s*(?:{_D}{_OF}/\s*{_D}{_OF}|\\[dt]?frac\s*\{{\s*{_D}{_OF}\}}\s*\{{\s*{_D}{_OF}\}}\s*)?="
)


class ExpressionError(InputError):
    """An expression that cannot be read, with the place of the problem in the text.

    `str()` is the one-line message (column first); `pointer()` gives the text,
    or the part of it around the problem, and a caret under the offending character.
    """

    def __init__(self, problem: str, text: str, position: int | None = None) -> None:
        where = "" if position is None else gettext("column {column}: ").format(column=position + 1)
        super().__init__(f"{where}{problem}")
        self.problem = problem
        self.text = text
        self.position = position

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, str, int | None]]:
        return (type(self), (self.problem, self.text, self.position))

    def pointer(self, width: int = 60) -> tuple[str, ...]:
        """Two lines: the text around the problem (printable), and a caret under it."""
        if self.position is None:
            return ()
        start = max(0, min(self.position - width // 2, len(self.text) - width))
        shown = _printable(self.text[start : start + width])
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + width < len(self.text) else ""
        caret = " " * (len(prefix) + self.position - start) + "^"
        return (f"{prefix}{shown}{suffix}", caret)


def _printable(text: str) -> str:
    """One character per character of `text`, none that a terminal would act on."""
    return "".join(
        ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else "�" for ch in text
    )


Tree = lark.Tree[lark.Token]
Node = Tree | lark.Token


@dataclass(frozen=True)
class Parsed:
    """The text as read (NFC, whitespace as spaces), its notation and its parse tree."""

    text: str
    notation: str  # "plain" or "latex"
    tree: Tree
    models: bool = False  # read in the notation of every model (parse(..., models=True))


@lru_cache(maxsize=2)
def parser(models: bool = False) -> lark.Lark:
    """The LALR parser of grammar.lark (package data) for the article's notation or every
    model's, each built once per process and only when needed (the tables of both take
    longer to build than either's)."""
    grammar = files("derive.grade").joinpath("grammar.lark").read_text(encoding="utf-8")
    starts = ["model_plain", "model_latex"] if models else ["plain", "latex"]
    return lark.Lark(grammar, parser="lalr", start=starts, propagate_positions=True)


def parse(source: str | bytes, models: bool = False) -> Parsed:
    """Screen the text and parse it; raise `ExpressionError` for anything unreadable.

    `models=True` reads the notation of every model (calls, ∘, norms, Greek names), and
    drops a leading = or a clean left-hand side (∂J/∂β =); the article's is the default."""
    text = _screen(_decode(source), models)
    notation = "latex" if "\\" in text else "plain"
    try:
        tree = parser(models).parse(text, start=f"model_{notation}" if models else notation)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    _bound_tree(tree, text)
    return Parsed(text=text, notation=notation, tree=tree, models=models)


def _drop_left_side(text: str) -> str:
    """A leading = or a left-hand side ∂J/∂β = blanked out (columns keep their place),
    when the text has exactly one = and what stands before it is such a side."""
    if text.count("=") != 1:
        return text
    found = LEFT_SIDE.match(text)
    if found is None:
        return text
    return " " * found.end() + text[found.end() :]


def _decode(source: str | bytes) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError as error:
        shown = source[: error.start].decode("utf-8") + "\ufffd"
        raise ExpressionError(
            gettext("invalid UTF-8: byte 0x{byte} is not text").format(
                byte=f"{source[error.start]:02x}"
            ),
            shown,
            len(shown) - 1,
        ) from None


# Full-width forms of ASCII (U+FF01 to U+FF5E, typed with a Chinese input method) and the
# ideographic space, read as ASCII: one character for one, so a caret still points right.
_FULLWIDTH = {0xFF01 + offset: 0x21 + offset for offset in range(94)} | {0x3000: 0x20}


def _screen(text: str, models: bool = False) -> str:
    """Length, characters and nesting, checked before the parser sees the text."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            gettext("the expression has {count} characters; the limit is {limit}").format(
                count=len(text), limit=MAX_LENGTH
            ),
            text[:80],
        )
    for position, ch in enumerate(text):
        if 0xD800 <= ord(ch) <= 0xDFFF:  # undecodable bytes of argv (surrogateescape)
            raise ExpressionError(gettext("invalid UTF-8: a byte here is not text"), text, position)
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    for position, ch in enumerate(text):
        if ch in WHITESPACE:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp"):
            raise ExpressionError(
                gettext("control character U+{code} is not allowed").format(code=f"{ord(ch):04X}"),
                text,
                position,
            )
    text = text.translate({ord(ch): " " for ch in WHITESPACE})
    if models:
        text = _drop_left_side(text)
    if not text.strip():
        raise ExpressionError(gettext("the expression is empty"), text)
    _check_nesting(text)
    _check_commands(text, MODEL_COMMANDS if models else KNOWN_COMMANDS)
    return text


def _check_nesting(text: str) -> None:
    depth = 0
    for position, ch in enumerate(text):
        if ch in OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionError(
                    gettext("brackets are nested more than {limit} deep").format(limit=MAX_NESTING),
                    text,
                    position,
                )
        elif ch in CLOSING:
            depth -= 1


def _check_commands(text: str, known: frozenset[str] = KNOWN_COMMANDS) -> None:
    """Unknown LaTeX commands get their own message (a common paste: \\partial J = ...)."""
    position = text.find("\\")
    while position != -1:
        end = position + 1
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[position + 1 : end]
        if name and name not in known:
            if name == "partial":
                problem = gettext(
                    "unknown LaTeX command \\{name}; give only the gradient, without ∂J/∂β ="
                )
            else:
                problem = gettext("unknown LaTeX command \\{name}")
            raise ExpressionError(problem.format(name=name), text, position)
        position = text.find("\\", end)


def _syntax_error(error: UnexpectedInput, text: str) -> ExpressionError:
    position = min(max(error.pos_in_stream or 0, 0), len(text))
    if isinstance(error, UnexpectedEOF) or position >= len(text):
        return ExpressionError(gettext("the expression ends too early"), text, len(text) - 1)
    if isinstance(error, UnexpectedToken):
        position = error.token.start_pos or position
        if error.token.type == "$END":
            return ExpressionError(gettext("the expression ends too early"), text, len(text) - 1)
    ch = text[position]
    if ch == "=":
        return ExpressionError(
            gettext("unexpected '=': give only the gradient, without the left-hand side"),
            text,
            position,
        )
    if isinstance(error, UnexpectedCharacters):
        return ExpressionError(
            gettext("unexpected character {character}").format(character=repr(ch)), text, position
        )
    token = getattr(error, "token", ch)
    return ExpressionError(
        gettext("unexpected {token}").format(token=repr(shorten(str(token)))), text, position
    )


# A flat chain a + b − c + … or a·b/c·… is one level, however long: its links are the
# left children of the same family of operator (chains.py folds them without recursion).
CHAINS = {"add": "sum", "sub": "sum", "mul": "product", "div": "product"}
CHAINS |= {"hadamard": "product", "ediv": "product"}  # ∘ and ./ of every model


def chain_family(node: Node) -> str | None:
    """The chain a node links: "sum" for + and −, "product" for ·, / and juxtaposition."""
    return CHAINS.get(node.data) if isinstance(node, lark.Tree) else None


def _bound_tree(tree: Tree, text: str) -> None:
    """Refuse trees nested deeper than MAX_DEPTH, and enormous numbers and powers, before
    any arithmetic; the walk is iterative, so that no recursion can overflow. The next link
    of a chain of + or · is not a level deeper (a long sum is not deep nesting); calls
    inside calls are bounded by MAX_CALLS."""
    stack: list[tuple[Node, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, calls = stack.pop()
        if isinstance(node, lark.Token):
            if node.type == "NUMBER" and len(node.replace(".", "")) > MAX_DIGITS:
                raise ExpressionError(
                    gettext("a number with more than {limit} digits").format(limit=MAX_DIGITS),
                    text,
                    node.start_pos,
                )
            continue
        if depth > MAX_DEPTH:
            raise ExpressionError(
                gettext("the expression is nested more than {limit} levels deep").format(
                    limit=MAX_DEPTH
                ),
                text,
                node_start(node),
            )
        if node.data == "power":
            _bound_power(node, text)
        if node.data in CALLS:
            calls += 1
            if calls > MAX_CALLS:
                raise ExpressionError(
                    gettext("functions are nested more than {limit} deep").format(limit=MAX_CALLS),
                    text,
                    node_start(node),
                )
        family = chain_family(node)
        stack.extend(
            (
                child,
                depth if place == 0 and family and chain_family(child) == family else depth + 1,
                calls,
            )
            for place, child in enumerate(node.children)
        )


def _bound_power(node: Tree, text: str) -> None:
    """a^k: k a whole number up to MAX_EXPONENT, a not a power, a number a^k not huge."""
    base, exponent = node.children
    k = _literal_integer(exponent)
    if k is None or abs(k) > MAX_EXPONENT:
        raise ExpressionError(
            gettext("an exponent is a whole number from -{limit} to {limit}").format(
                limit=MAX_EXPONENT
            ),
            text,
            node_start(exponent),
        )
    if isinstance(base, lark.Tree) and base.data == "power":
        raise ExpressionError(
            gettext("a power of a power: write one power"), text, node_start(node)
        )
    digits = _literal_integer(base)
    if digits is not None and len(str(abs(digits))) * abs(k) > MAX_POWER_DIGITS:
        raise ExpressionError(
            gettext("this power makes a number with more than {limit} digits").format(
                limit=MAX_POWER_DIGITS
            ),
            text,
            node_start(node),
        )


def _literal_integer(node: Node) -> int | None:
    """The value of a literal whole number, possibly negated (2, -3), or None."""
    sign = 1
    while isinstance(node, lark.Tree) and node.data == "neg":
        sign, node = -sign, node.children[0]
    if isinstance(node, lark.Tree) and node.data == "number":
        (token,) = node.children
        if isinstance(token, lark.Token) and token.isdigit():
            return sign * int(token)
    return None


def node_start(node: Node | None) -> int | None:
    """Where a node of the tree starts in the text (None when unknown)."""
    if isinstance(node, lark.Token):
        return node.start_pos
    if isinstance(node, lark.Tree):
        return getattr(node.meta, "start_pos", None)
    return None


def node_end(node: Node) -> int | None:
    """Where a node of the tree ends in the text (None when unknown)."""
    if isinstance(node, lark.Token):
        return node.end_pos
    return getattr(node.meta, "end_pos", None)
