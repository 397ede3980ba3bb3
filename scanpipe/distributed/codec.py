"""JSON for task jobs and results, so a task file on shared storage is plain text.

Jobs and results are small frozen dataclasses (``PageJob``, ``PageResult``),
paths, enums, tuples and plain values. Classes are named by ``module:qualname``
and only imported from ``scanpipe`` or from modules the settings allow, and
only if they are dataclasses or enums: a task file can name data, not code.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class CodecError(ValueError):
    """A task file holds something that cannot be (de)serialised."""


def qualified_name(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # before str: a StrEnum is a str
        return {"__enum__": qualified_name(type(value)), "value": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Path):
        return {"__path__": str(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise CodecError("only dicts with string keys can go into a task file")
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": qualified_name(type(value)), "fields": fields}
    raise CodecError(f"cannot put a {type(value).__name__} into a task file")


def resolve(name: str, allowed_modules: Iterable[str]) -> Any:
    """Import ``module:qualname`` if the module is scanpipe's or explicitly allowed."""
    module, _, qualname = name.partition(":")
    allowed = set(allowed_modules)
    if not (module == "scanpipe" or module.startswith("scanpipe.") or module in allowed):
        raise CodecError(
            f"{name!r} is outside scanpipe and not in SCANPIPE_CELERY_TASK_MODULES; refusing it"
        )
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def decode(data: Any, allowed_modules: Iterable[str] = ()) -> Any:
    allowed = tuple(allowed_modules)
    if isinstance(data, list):
        return [decode(v, allowed) for v in data]
    if not isinstance(data, dict):
        return data
    if "__path__" in data:
        return Path(data["__path__"])
    if "__tuple__" in data:
        return tuple(decode(v, allowed) for v in data["__tuple__"])
    if "__dict__" in data:
        return {k: decode(v, allowed) for k, v in data["__dict__"].items()}
    if "__enum__" in data:
        cls = resolve(data["__enum__"], allowed)
        if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
            raise CodecError(f"{data['__enum__']} is not an enum")
        return cls(data["value"])
    if "__dataclass__" in data:
        cls = resolve(data["__dataclass__"], allowed)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise CodecError(f"{data['__dataclass__']} is not a dataclass")
        return cls(**{k: decode(v, allowed) for k, v in data["fields"].items()})
    raise CodecError(f"unknown value in a task file: {sorted(data)[:3]}")
