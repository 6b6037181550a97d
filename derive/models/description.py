"""A model description, a small TOML file, read into a `ModelSpec`; catalog.py finds the file.

The format (derive/models/builtin/*.toml are examples, commented):
  title = "..." or { en = "...", zh = "..." }; about = { en, zh } (what the cost measures)
  [data], [parameters]: name = "m×n" (or "m x n"; sizes m, n, 1) or
      { shape = "m×1", values = "real" | "binary" | "counts" | "positive" (data only), en, zh }
  [constants]: name = { value = "0.1" (a decimal, a fraction "1/10" or a TOML number), en, zh }
  [[intermediates]]: name, value (an expression of names defined before it), en, zh
  [cost]: value = "..." (J, always 1×1), scale = "1/m" (the factor written in value, named
      for --scale), [cost.scales] "1/(2m)" = "..." (the same cost at another scale)
  [example]: kept for a later issue, not read here.
Names are ASCII identifiers or one Greek letter typed in Unicode (a quoted key: "λ"), which
stands for its ASCII name (λ is lambda). A 1×1 declared name is a Symbol, others are
MatrixSymbols; a 1×1 intermediate is a Symbol when its value is a number, else a 1×1
MatrixSymbol. Every problem is one DescriptionError naming the place; nothing is evaluated.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType

import sympy as sp
from sympy import MatrixSymbol, OneMatrix, Symbol
from sympy.matrices.exceptions import ShapeError

from derive.core.errors import shorten
from derive.core.i18n import gettext, join_list
from derive.math.entrywise import AsMatrix
from derive.models.expressions import (
    MAX_NAME,
    NAME,
    ONE,
    RESERVED,
    DescriptionError,
    Scope,
    Value,
    ascii_name,
    build_expression,
    located,
    shape_text,
)
from derive.models.linear import Scale, ScaleError
from derive.models.spec import KINDS, LANGUAGES, Intermediate, ModelSpec, Prose, Quantity

MAX_FILE = 20_000  # characters in a description
MAX_INTERMEDIATES = 12
MAX_DECLARED = 16  # data, parameters and constants together
CONCRETE = (7, 3)  # the sizes m, n at which SymPy checks the shapes again
SECTIONS = (("data", "data"), ("parameters", "parameter"), ("constants", "constant"))
KEYS = ("title", "about", "data", "parameters", "constants", "intermediates", "cost", "example")
ENTRY_KEYS = {"data": ("shape", "values"), "parameter": ("shape",), "constant": ("value",)}
SHAPE = re.compile(r"\s*([mn1])\s*[×xX*]\s*([mn1])\s*")
DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?")
FRACTION = re.compile(r"[+-]?[0-9]{1,15}/[0-9]{1,15}")
TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def toml_module() -> ModuleType:
    """tomllib (Python 3.11+) or its backport tomli, which has the same interface."""
    return importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")


def read_toml(text: str, source: str) -> dict[str, object]:
    """The TOML table of a description; its length and syntax checked."""
    if len(text) > MAX_FILE:
        problem = gettext("the file has {count} characters; the limit is {limit}")
        raise located(source, problem.format(count=len(text), limit=MAX_FILE))
    toml = toml_module()
    try:
        table: dict[str, object] = toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise _toml_error(str(error), text, source) from None
    except (ValueError, RecursionError):  # a huge integer, arrays nested thousands deep
        raise located(source, gettext("this TOML is too large to read")) from None
    return table


def _toml_error(message: str, text: str, source: str) -> DescriptionError:
    """tomllib's message with its place: "(at line 3, column 5)" or "(at end of document)"."""
    found = TOML_POSITION.search(message)
    detail = message[: found.start()] if found else message
    lines = text.split("\n")
    line, column = (found[1], found[2]) if found and found[1] else (len(lines), len(lines[-1]) + 1)
    problem = gettext("line {line}, column {column}: not valid TOML ({detail})")
    problem = problem.format(line=line, column=column, detail=detail)
    at = int(line) - 1
    if 0 <= at < len(lines) and lines[at][:1] and not lines[at][:1].isascii():
        problem += gettext('; a name in Greek letters needs quotes: "α" = "1×1"')
    return located(source, problem)


def read_spec(text: str, key: str, source: str, scale: str | None = None) -> ModelSpec:
    """The model of a description's text; `scale` picks one of the cost's scales."""
    return Reader(source).spec(read_toml(text, source), key, scale)


def _table(value: object, where: str, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        problem = gettext("expected {what}, found {found}")
        raise located(where, problem.format(what=what, found=_kind(value)))
    return value


def _text(value: object, where: str, what: str) -> str:
    if not isinstance(value, str):
        problem = gettext("expected {what}, found {found}")
        raise located(where, problem.format(what=what, found=_kind(value)))
    return value


def _kind(value: object) -> str:
    """What a TOML value is, in words (a missing value is None)."""
    if value is None:
        return gettext("nothing")
    kinds = {bool: gettext("true or false"), int: gettext("a number"), float: gettext("a number")}
    kinds |= {str: gettext("text"), dict: gettext("a table"), list: gettext("a list")}
    return kinds.get(type(value), gettext("a date or a time"))


def _only(table: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            problem = gettext("unknown key {key}: the keys here are {keys}")
            raise located(where, problem.format(key=repr(shorten(key)), keys=join_list(allowed)))


def _prose(value: object, where: str, default: str = "") -> Prose:
    """A string (English) or a table { en = "...", zh = "..." }."""
    if isinstance(value, str) or value is None:
        return Prose(en=value or default)
    table = _table(value, where, gettext("text or a table of en and zh"))
    _only(table, LANGUAGES, where)
    texts = {lang: _text(table[lang], f"{where}.{lang}", gettext("text")) for lang in table}
    return Prose(en=texts.get("en") or default, zh=texts.get("zh", ""))


def _prose_of(entry: Mapping[str, object], where: str) -> Prose:
    """The en and zh keys of a table that holds other keys too."""
    return _prose({lang: entry[lang] for lang in LANGUAGES if lang in entry}, where)


def _shape(value: object, where: str, m: Symbol, n: Symbol) -> tuple[sp.Expr, sp.Expr]:
    found = SHAPE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        problem = gettext("bad shape {shape}: write rows×cols with m, n or 1 (m×n, m×1, 1×n)")
        raise located(where, problem.format(shape=repr(shorten(str(value)))))
    sizes = {"m": m, "n": n, "1": ONE}
    return (sizes[found[1]], sizes[found[2]])


def _number(value: object, where: str) -> sp.Rational:
    """A constant's value, exact: "0.1" is 1/10, a TOML float by its shortest decimal."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value)
    text = value.strip() if isinstance(value, str) else ""
    if DECIMAL.fullmatch(text) or FRACTION.fullmatch(text):
        denominator = text.partition("/")[2]
        if denominator and int(denominator) == 0:
            raise located(where, gettext("division by zero"))
        number: sp.Rational = sp.Rational(text)
        return number
    problem = gettext("{value} is not a number: write a decimal (0.1) or a fraction (1/10)")
    raise located(where, problem.format(value=repr(shorten(str(value)))))


class Reader:
    """Reads the parts of one description in order, keeping the names seen so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.m, self.n = sp.symbols("m n", integer=True, positive=True)
        self.seen: dict[str, str] = {}  # name -> where it was declared
        sizes = {"m": Value(self.m, (ONE, ONE)), "n": Value(self.n, (ONE, ONE))}
        self.values = {**sizes, "ones": Value(OneMatrix(self.m, 1), (self.m, ONE))}

    def where(self, place: str) -> str:
        return f"{self.source}: {place}"

    def spec(self, table: dict[str, object], key: str, scale: str | None) -> ModelSpec:
        _only(table, KEYS, self.source)
        declared = {role: self._section(table, section, role) for section, role in SECTIONS}
        quantities = [q for role in declared.values() for q in role]
        if len(quantities) > MAX_DECLARED:
            problem = gettext("{count} names are declared; the limit is {limit}")
            raise located(self.source, problem.format(count=len(quantities), limit=MAX_DECLARED))
        if not declared["parameter"]:
            problem = gettext("the model has no parameters: declare one under [parameters]")
            raise located(self.source, problem)
        self.values.update((q.name, _value(q.symbol)) for q in quantities)
        intermediates = self._intermediates(table.get("intermediates", []))
        cost, cost_source, chosen = self._cost(table.get("cost"), key, scale)
        self._check_dependence(declared["parameter"], intermediates, cost)
        if "example" in table:
            _table(table["example"], self.where("[example]"), gettext("a table"))
        return ModelSpec(
            key=key,
            title=_prose(table.get("title"), self.where("title"), default=key),
            m=self.m,
            n=self.n,
            data=tuple(declared["data"]),
            parameters=tuple(declared["parameter"]),
            constants=tuple(declared["constant"]),
            intermediates=intermediates,
            cost=cost,
            cost_source=cost_source,
            prose=_prose(table.get("about"), self.where("about")),
            scale=chosen,
        )

    def _name(self, raw: object, where: str, place: str) -> str:
        """A new name, in ASCII; not a built-in one, not one declared before."""
        if not isinstance(raw, str) or len(raw) > MAX_NAME or not NAME.fullmatch(raw):
            problem = gettext("{name} is not a name: use letters, digits and _, or a Greek letter")
            raise located(where, problem.format(name=repr(shorten(str(raw)))))
        name = ascii_name(raw)
        if name in RESERVED:
            problem = gettext("the name {name} is taken by derive ({names}): choose another")
            raise located(where, problem.format(name=name, names=join_list(RESERVED)))
        if name in self.seen:
            problem = gettext("{name} is declared twice ({first} and {second})")
            raise located(where, problem.format(name=name, first=self.seen[name], second=place))
        self.seen[name] = place
        return name

    def _section(self, table: dict[str, object], section: str, role: str) -> list[Quantity]:
        where = self.where(f"[{section}]")
        entries = _table(table.get(section, {}), where, gettext("a table of names"))
        return [self._quantity(raw, entry, section, role) for raw, entry in entries.items()]

    def _quantity(self, raw: str, entry: object, section: str, role: str) -> Quantity:
        shown = raw if NAME.fullmatch(raw) else repr(shorten(raw))  # no newline in a message
        where = self.where(f"{section}.{shown}")
        name = self._name(raw, where, section)
        if not isinstance(entry, dict):  # the short form: a shape, or a constant's value
            entry = {"value" if role == "constant" else "shape": entry}
        _only(entry, (*ENTRY_KEYS[role], *LANGUAGES), where)
        prose = _prose_of(entry, where)
        if role == "constant":
            if "value" not in entry:
                raise located(where, gettext("the constant {name} has no value").format(name=name))
            default = _number(entry["value"], where)
            symbol = Symbol(name, real=True)
            return Quantity(name, symbol, role, default=default, prose=prose)
        rows, cols = _shape(entry.get("shape"), where, self.m, self.n)
        kind = entry.get("values", "real")
        if kind not in KINDS:
            problem = gettext("unknown values {kind}: choose from {kinds}")
            raise located(
                where, problem.format(kind=repr(shorten(str(kind))), kinds=join_list(KINDS))
            )
        symbol = (
            Symbol(name, real=True)
            if (rows, cols) == (ONE, ONE)
            else MatrixSymbol(name, rows, cols)
        )
        return Quantity(name, symbol, role, kind=str(kind), prose=prose)

    def _intermediates(self, value: object) -> tuple[Intermediate, ...]:
        where = self.where("[[intermediates]]")
        if not isinstance(value, list):
            problem = gettext("expected {what}, found {found}")
            raise located(where, problem.format(what=gettext("a list"), found=_kind(value)))
        items = value
        if len(items) > MAX_INTERMEDIATES:
            problem = gettext("{count} intermediates; the limit is {limit}")
            raise located(where, problem.format(count=len(items), limit=MAX_INTERMEDIATES))
        tables = [_table(item, where, gettext("a table")) for item in items]
        names: list[str] = []
        for number, item in enumerate(tables, start=1):
            place = self.where(gettext("intermediate {name}").format(name=number))
            _only(item, ("name", "value", *LANGUAGES), place)
            if "name" not in item:
                raise located(place, gettext("the intermediate has no name"))
            names.append(self._intermediate_name(item["name"], place, names))
        built = []
        for number, (name, item) in enumerate(zip(names, tables, strict=True)):
            place = self.where(gettext("intermediate {name}").format(name=name))
            scope = Scope(dict(self.values), tuple(names[number + 1 :]), name)
            text = _text(item.get("value"), place, gettext("the value as text"))
            value = self._build(text, scope, place)
            symbol = _named(name, value)
            built.append(Intermediate(name, symbol, value.expr, text, _prose_of(item, place)))
            self.values[name] = _value(symbol)
        return tuple(built)

    def _intermediate_name(self, raw: object, where: str, names: list[str]) -> str:
        if isinstance(raw, str) and ascii_name(raw) in names:
            problem = gettext("intermediate {name} is defined twice")
            raise located(where, problem.format(name=ascii_name(raw)))
        return self._name(raw, where, "intermediates")

    def _cost(self, value: object, key: str, scale: str | None) -> tuple[sp.Basic, str, str | None]:
        where = self.where("cost")
        if value is None:
            raise located(self.source, gettext("the description has no [cost]"))
        table = _table(
            {"value": value} if isinstance(value, str) else value, where, gettext("a table")
        )
        _only(table, ("value", "scale", "scales"), where)
        if "value" not in table:
            raise located(where, gettext("the cost has no value"))
        texts = self._scales(table, where)
        chosen = _choose_scale(texts, key, scale)
        place = where if chosen == next(iter(texts), None) else f"{where} ({chosen})"
        text = _text(texts.get(chosen, table["value"]), place, gettext("the value as text"))
        cost = self._build(text, Scope(dict(self.values)), place)
        if cost.shape != (ONE, ONE):
            problem = gettext("J must be a number (1×1), but the cost is {shape}")
            raise located(place, problem.format(shape=shape_text(cost.shape)))
        expr = cost.expr if cost.is_matrix else AsMatrix(cost.expr)
        return expr, text, chosen if len(texts) > 1 else None

    def _build(self, text: str, scope: Scope, where: str) -> Value:
        """The expression built, then rebuilt at m = 7, n = 3, where SymPy checks each product
        and sum itself: the shape it finds must be the builder's."""
        value = build_expression(text, scope, where)
        if value.is_matrix:
            sizes = dict(zip((self.m, self.n), CONCRETE, strict=True))
            want = tuple(sp.sympify(size).xreplace(sizes) for size in value.shape)
            try:
                found = tuple(value.expr.xreplace(sizes).shape)
            except ShapeError:
                found = None
            if found != want:
                problem = gettext("the shapes do not fit when m = {m} and n = {n}")
                raise located(where, problem.format(m=CONCRETE[0], n=CONCRETE[1]))
        return value

    def _scales(self, table: dict[str, object], where: str) -> dict[str | None, object]:
        """The cost's text at each scale, the scale of `value` first."""
        others = _table(table.get("scales", {}), f"{where}.scales", gettext("a table"))
        if "scale" not in table:
            if others:
                raise located(where, gettext('name the scale of value: scale = "1/m"'))
            return {None: table["value"]}
        texts: dict[str | None, object] = {_scale(table["scale"], where): table["value"]}
        for name, text in others.items():
            texts[_scale(name, f"{where}.scales")] = text
        return texts

    def _check_dependence(
        self, parameters: list[Quantity], intermediates: tuple[Intermediate, ...], cost: sp.Basic
    ) -> None:
        """Each parameter reaches J, through the names each value uses."""
        uses = {item.symbol: item.definition.free_symbols for item in intermediates}
        reached, todo = set(), list(cost.free_symbols)
        while todo:
            symbol = todo.pop()
            if symbol not in reached:
                reached.add(symbol)
                todo.extend(uses.get(symbol, ()))
        for parameter in parameters:
            if parameter.symbol not in reached:
                problem = gettext("J does not depend on the parameter {name}")
                raise located(self.where("cost"), problem.format(name=parameter.name))


def _value(symbol: sp.Basic) -> Value:
    if isinstance(symbol, MatrixSymbol):
        return Value(symbol, (sp.sympify(symbol.rows), sp.sympify(symbol.cols)))
    return Value(symbol, (ONE, ONE))


def _named(name: str, value: Value) -> sp.Basic:
    """The symbol of an intermediate: a Symbol for a number, else a MatrixSymbol."""
    if not value.is_matrix:
        return Symbol(name, real=True)
    rows, cols = value.shape
    return MatrixSymbol(name, rows, cols)


def _scale(value: object, where: str) -> str:
    try:
        return Scale.parse(_text(value, where, gettext('a scale such as "1/m"'))).value
    except ScaleError as error:
        raise located(where, str(error)) from None


def _choose_scale(texts: Mapping[str | None, object], key: str, scale: str | None) -> str | None:
    """The scale asked for (None: the scale of value); ScaleError if the model has not it.
    A model that names no scale takes the default, 1/m, as the command line always asks."""
    first = next(iter(texts))
    wanted = None if scale is None else Scale.parse(scale).value
    if wanted is None or (first is None and wanted == Scale.MEAN.value):
        return first
    if wanted in texts:
        return wanted
    if first is None:
        problem = gettext("the model {model} has no cost scale to choose; leave out --scale")
        raise ScaleError(problem.format(model=key))
    problem = gettext("the model {model} has the cost scale {scales} only, not {scale}")
    scales = join_list(str(name) for name in texts)
    raise ScaleError(problem.format(model=key, scales=scales, scale=wanted))
