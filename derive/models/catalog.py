"""The models derive knows: the built-in descriptions (builtin/*.toml) and a user's file.

Entry to the models for the commands (`--model NAME|FILE`, `derive models [NAME]`): a name
or a path becomes a `ModelSpec` through description.py. Specs are cached by the text they
come from, so loading a model twice costs nothing; nothing is read at import.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from derive.core.errors import shorten
from derive.core.i18n import gettext, join_list
from derive.models.description import MAX_FILE, read_spec
from derive.models.expressions import DescriptionError
from derive.models.linear import Scale
from derive.models.spec import ModelSpec

# In the order `derive models` lists them: the article's model first.
BUILTIN = ("mse", "ridge", "logistic", "poisson", "neuron")


def builtin_text(name: str) -> str:
    """The description file of a built-in model, as written (for `derive models NAME`)."""
    if name not in BUILTIN:
        raise _unknown(name)
    folder = files("derive.models").joinpath("builtin")
    return folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")


def is_builtin(spec: ModelSpec, name: str | None = None) -> bool:
    """Whether `spec` is the built-in model of its key (or of `name`), not a file that took
    the same name: its text is the built-in description's."""
    key = name or spec.key
    return key in BUILTIN and spec.text == builtin_text(key)


def load_model(name_or_path: str, scale: str | None = None) -> ModelSpec:
    """A built-in model by name, or the model of a description file; `scale` ("1/m" or
    "1/(2m)", None for the model's own) picks the factor in front of the cost where the
    model has two. A built-in name wins over a file of the same name."""
    scale = None if scale is None else Scale.parse(scale).value
    if name_or_path in BUILTIN:
        return _read(builtin_text(name_or_path), name_or_path, f"{name_or_path}.toml", scale)
    path = Path(name_or_path)
    if not path.exists():
        if path.suffix == ".toml" or len(path.parts) > 1:  # meant as a file
            problem = gettext("cannot read {path}: there is no such file")
            raise DescriptionError(problem.format(path=shorten(name_or_path, 200)))
        raise _unknown(name_or_path)
    return _read(_file_text(path), path.stem, str(path), scale)


def read_description(text: str, key: str, source: str, scale: str | None = None) -> ModelSpec:
    """The model of a description's text; `key` names the model, `source` the file in
    messages."""
    scale = None if scale is None else Scale.parse(scale).value
    return _read(text, key, source, scale)


@lru_cache(maxsize=32)
def _read(text: str, key: str, source: str, scale: str | None) -> ModelSpec:
    return replace(read_spec(text, key, source, scale), text=text)


def _unknown(name: str) -> DescriptionError:
    problem = gettext(
        "unknown model {name}: the built-in models are {models}, or give a .toml file"
    )
    name = repr(shorten(name, 100))
    return DescriptionError(problem.format(name=name, models=join_list(BUILTIN)))


def _file_text(path: Path) -> str:
    """The text of a description file, at most MAX_FILE characters read."""
    try:
        with path.open(encoding="utf-8-sig") as file:  # a byte-order mark is not TOML
            text = file.read(MAX_FILE + 1)
    except UnicodeDecodeError:
        problem = gettext("cannot read {path}: it is not UTF-8 text")
        raise DescriptionError(problem.format(path=path)) from None
    except OSError as error:
        problem = gettext("cannot read {path}: {reason}")
        reason = error.strerror or type(error).__name__
        raise DescriptionError(problem.format(path=path, reason=reason)) from None
    return text
