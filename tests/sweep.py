"""Every leaf field of an SDK type, each set in a payload of its own.

``leaves(tp)`` walks the official SDK's annotations (TypedDicts, pydantic models, unions,
literals, lists) the way ``sdk_strict`` reads them, and yields ``(path, value)``: a value of
``tp`` that is minimal (required keys only, at their smallest values) except along ``path``,
where the leaf is set. ``path`` is a tuple of keys, ``[]`` standing for a list item. Each
union member and each literal value counts as a leaf of its own; recursion stops at a type
already on the way down (a cycle) or below ``MAX_DEPTH``.
"""

from __future__ import annotations

import datetime
import enum
import typing
from collections.abc import Iterator
from typing import Any, Literal, Union

import pydantic
from typing_extensions import is_typeddict

from .sdk_strict import _LISTS, _MAPS, _model_fields, _typeddict_fields, _unwrap_field

MAX_DEPTH = 9
Path = tuple[str, ...]


def _members(tp: Any) -> list[Any]:
    tp, _, _ = _unwrap_field(tp, True)
    origin = typing.get_origin(tp)
    if origin is Union or type(tp).__name__ == "UnionType":
        out: list[Any] = []
        for m in typing.get_args(tp):
            out += _members(m)
        return out
    return [tp]


def _fields(tp: Any) -> dict[str, tuple] | None:
    if is_typeddict(tp):
        return _typeddict_fields(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return _model_fields(tp)
    return None


def _scalar(tp: Any) -> list[Any] | None:
    """The sample values of a scalar type (None if ``tp`` is not a scalar)."""
    if tp is type(None):
        return [None]
    if tp is str:
        return ["QUJD"]  # a word, and also base64 (of "ABC") where data is expected
    if tp is bool:
        return [True]
    if tp is int:
        return [7]
    if tp is float:
        return [0.5]
    if tp in (Any, object):
        return [{"k": "v"}]
    if typing.get_origin(tp) is Literal:
        return list(typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [m.value for m in tp]
    if tp in (datetime.datetime, datetime.date):
        return ["2026-01-01T00:00:00Z"]
    return None


def minimal(tp: Any, stack: tuple = ()) -> Any:
    """The smallest value of ``tp``: required keys only, first union member that works."""
    for m in _members(tp):
        if m is type(None):
            continue
        value = _minimal_member(m, stack)
        if value is not _NONE:
            return value
    return None


_NONE = object()


def _minimal_member(m: Any, stack: tuple) -> Any:
    scalar = _scalar(m)
    if scalar is not None:
        return scalar[0]
    origin = typing.get_origin(m)
    if origin in _LISTS or m in _LISTS:
        return []
    if origin in _MAPS or m in _MAPS:
        return {}
    fields = _fields(m)
    if fields is None or m in stack:
        return _NONE
    out = {}
    for key, (ann, required) in fields.items():
        if required:
            value = minimal(ann, (*stack, m))
            out[key] = value
    return out


def leaves(tp: Any, stack: tuple = (), depth: int = 0) -> Iterator[tuple[Path, Any]]:
    """``(path, value)`` for every leaf reachable from ``tp``."""
    if depth > MAX_DEPTH:
        return
    for m in _members(tp):
        scalar = _scalar(m)
        if scalar is not None:
            for v in scalar:
                yield (), v
            continue
        origin = typing.get_origin(m)
        if origin in _LISTS or m in _LISTS:
            args = typing.get_args(m)
            item = args[0] if args else Any
            for path, v in leaves(item, stack, depth + 1):
                yield ("[]", *path), [v]
            continue
        if origin in _MAPS or m in _MAPS:
            args = typing.get_args(m)
            yield (), {"k": minimal(args[1]) if len(args) == 2 else "v"}
            continue
        fields = _fields(m)
        if fields is None or m in stack:
            continue
        base = _minimal_member(m, stack)
        for key, (ann, _) in fields.items():
            for path, v in leaves(ann, (*stack, m), depth + 1):
                yield (key, *path), {**base, key: v}
