"""Turning whatever the caller holds into a typed struct, or a TranslationError.

The fast path decodes bytes straight into the struct (``msgspec.json.Decoder(Type)``).
Every struct forbids unknown fields, so a payload with a field we do not model fails that
path; only then do we walk the payload once against the type tree, set the unknown fields
aside with their paths (``Unknown``) and convert what remains. Callers turn each ``Unknown``
into a carried field or a Loss: an unknown field is never fatal and never silently dropped.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple, TypeVar, cast

import msgspec
import msgspec.inspect as mi

from ._errors import TranslationError

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)


class Unknown(NamedTuple):
    """A field the struct does not model: where it was, its name, its value."""

    path: str
    key: str
    value: Any


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _path_of(msg: str) -> tuple[str, str]:
    """Split a msgspec error message ``reason - at `$.a[0].b``` into (``a[0].b``, reason)."""
    reason, sep, where = msg.rpartition(" - at `")
    if not sep:
        return "", msg
    where = where.rstrip("`")
    if where.startswith("$"):
        where = where[1:].lstrip(".")
    return where, reason


# Keyed by the type asked for. functools.cache would do, but its wrapper loses the type
# parameter (a Decoder[T] comes back as Decoder[Any]), and these typed dicts keep it.
_decoders: dict[type[Any], msgspec.json.Decoder[Any]] = {}
_infos: dict[type[Any], mi.Type] = {}


def decode(body: Any, tp: type[T], unknown: list[Unknown]) -> T:
    """Decode ``body`` (bytes, str, dict, a struct, a pydantic model) as ``tp``.

    Unknown fields are appended to ``unknown``; anything else that does not fit ``tp``
    raises ``TranslationError`` naming the JSON path.
    """
    if type(body) is tp:
        return body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        decoder: msgspec.json.Decoder[T] | None = _decoders.get(tp)
        if decoder is None:
            decoder = _decoders[tp] = msgspec.json.Decoder(tp)
        try:
            return decoder.decode(body)
        except msgspec.ValidationError as exc:
            if "unknown field" not in str(exc):
                raise TranslationError(*_path_of(str(exc))) from None
        except msgspec.DecodeError as exc:
            raise TranslationError("", f"not valid JSON: {exc}") from None
        except (UnicodeDecodeError, RecursionError) as exc:
            raise TranslationError("", f"not valid JSON: {exc}") from None
        try:
            body = msgspec.json.decode(body)
        except (msgspec.DecodeError, RecursionError) as exc:  # pragma: no cover - decoded above
            raise TranslationError("", f"not valid JSON: {exc}") from None
    elif isinstance(body, msgspec.Struct):
        body = msgspec.to_builtins(body)
    elif hasattr(body, "model_dump"):
        body = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if not isinstance(body, dict):
        raise TranslationError("", f"expected a JSON object, got {type(body).__name__}")
    try:
        return msgspec.convert(body, tp)
    except msgspec.ValidationError as exc:
        if "unknown field" not in str(exc):
            raise TranslationError(*_path_of(str(exc))) from None
    except RecursionError:
        raise TranslationError("", "nested too deeply") from None
    info = _infos.get(tp)
    if info is None:
        info = _infos[tp] = mi.type_info(tp)
    cleaned = _strip(body, info, "", unknown)
    try:
        return msgspec.convert(cleaned, tp)
    except msgspec.ValidationError as exc:
        raise TranslationError(*_path_of(str(exc))) from None


def _strip(value: Any, t: mi.Type, path: str, out: list[Unknown]) -> Any:
    """A copy of ``value`` without the fields ``t`` does not know; those go to ``out``."""
    if isinstance(t, mi.StructType):
        if not isinstance(value, dict):
            return value
        fields = {f.encode_name: f for f in t.fields}
        kept: dict[str, Any] = {}
        for key, item in value.items():
            field = fields.get(key)
            if field is not None:
                kept[key] = _strip(item, field.type, join(path, key), out)
            elif key == t.tag_field:
                kept[key] = item
            else:
                out.append(Unknown(path, key, item))
        return kept
    if isinstance(t, mi.UnionType):
        member = _member(value, t)
        return value if member is None else _strip(value, member, path, out)
    if isinstance(t, mi.ListType) and isinstance(value, list):
        return [_strip(item, t.item_type, f"{path}[{i}]", out) for i, item in enumerate(value)]
    if isinstance(t, mi.DictType) and isinstance(value, dict):
        return {k: _strip(v, t.value_type, join(path, k), out) for k, v in value.items()}
    return value


def _member(value: Any, t: mi.UnionType) -> mi.Type | None:
    """The member of a union that ``value`` would decode as, chosen the way msgspec does:
    by JSON type, then by tag."""
    if isinstance(value, dict):
        structs = [m for m in t.types if isinstance(m, mi.StructType)]
        if len(structs) == 1:
            return structs[0]
        for m in structs:
            if m.tag_field is not None and value.get(m.tag_field) == m.tag:
                return m
        dicts = [m for m in t.types if isinstance(m, mi.DictType)]
        return dicts[0] if dicts else None
    if isinstance(value, list):
        lists = [m for m in t.types if isinstance(m, mi.ListType)]
        return lists[0] if lists else None
    return None


@functools.lru_cache(maxsize=256)
def _with_fields(cls: type[msgspec.Struct], names: tuple[str, ...]) -> type[msgspec.Struct]:
    return msgspec.defstruct(
        cls.__name__,
        [(name, Any, msgspec.UNSET) for name in names],
        bases=(cls,),
        kw_only=True,
        module=cls.__module__,
    )


def with_extra(obj: S, extra: dict[str, Any]) -> S:
    """``obj`` with ``extra`` fields added, still an instance of its class.

    How the ``compatible`` target carries unknown top-level fields: msgspec encodes a
    struct's declared fields only, so the carrier is a subclass declaring them too.
    """
    if not extra:
        return obj
    cls = _with_fields(type(obj), tuple(extra))
    values = {f: getattr(obj, f) for f in obj.__struct_fields__}
    # defstruct is typed as returning a plain Struct class; this one subclasses type(obj).
    return cast("S", cls(**values, **extra))
