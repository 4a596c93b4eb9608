"""Turning whatever the caller holds into a typed struct, or a TranslationError.

Bytes and str go straight into the struct (``msgspec.json.Decoder(Type)``). Every struct
forbids unknown fields, so a payload newer than the structs fails that; it is then decoded
once, untyped, and converted (``msgspec.convert``: no string is copied, a few microseconds
for a large request), and its type is remembered so that the next body of that type (the
next request of the same client) is decoded untyped at once. msgspec's error names the first unknown field (``Object contains
unknown field `x` - at `$.a[0].b```) or the first unknown value of an enum (``Literal``)
field (``Invalid enum value 'x' - at `$.a.b```). That one field is set aside with its path
(``Unknown``) and the conversion runs again, until it passes: no second decode and no
Python walk of the tree, whatever the size of the request. Only when one payload has many
unknown fields (more than ``_GUIDED``) is the rest of them found in one Python walk against
the type tree (``_strip``). Callers turn each ``Unknown`` into a carried field or a Loss:
an unknown field or enum value is never fatal and never silently dropped.

What stays a ``TranslationError``: anything that is not JSON, a wrong JSON type, a missing
required field, an unknown tag of a tagged union (an unknown content block ``type`` or
message ``role`` changes the meaning of what it carries: msgspec says ``Invalid value``
there, not ``Invalid enum value``), and an unknown value of a required enum field that
cannot be set aside (its object is an item of a list: a message, a block).

A dict is read as the JSON text it stands for: one that holds what JSON cannot (a lone
surrogate, what ``json.loads`` makes of ``"\\ud800"``; an object that is not JSON; a key
that is not a string) raises ``TranslationError``, and so does a NaN or infinite number in
a typed number field (``temperature``); elsewhere it is ``null``, as JSON encoders write it.
"""

from __future__ import annotations

import functools
import keyword
import math
import re
from typing import Any, NamedTuple, TypeVar, cast

import msgspec
import msgspec.inspect as mi

from ._errors import TranslationError

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)


class Unknown(NamedTuple):
    """A field the struct does not model (or a value of an enum field it does not know):
    where it was, its name, its value, and what the Loss says about it."""

    path: str
    key: str
    value: Any
    detail: str = "unknown field"


UNKNOWN_VALUE = "unknown value"
"""The detail of an ``Unknown`` that is a known field with a value the structs do not know."""


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _path_of(msg: str) -> tuple[str, str]:
    """Split a msgspec error message ``reason - at `$.a[0].b``` into (``a[0].b``, reason)."""
    reason, sep, where = msg.rpartition(" - at `")
    if not sep:
        return "", msg
    where = where.rstrip("`")
    if where.startswith("key` in `"):  # ``Expected `str` - at `key` in `$.a```
        where, reason = where[9:], f"an object key: {reason}"
    if where.startswith("$"):
        where = where[1:].lstrip(".")
    return where, reason


_untyped = msgspec.json.Decoder()
_encode = msgspec.json.Encoder().encode

_UNKNOWN_FIELD = "Object contains unknown field `"
_UNKNOWN_ENUM = "Invalid enum value "
_MISSING = "Object missing required field `"
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")

_GUIDED = 64
"""Unknown fields set aside one conversion each; past this many, one walk finds the rest.
A conversion costs about 1/100 of a walk (76 KB Claude Code request: 6 us against 650 us),
so the worst case, many unknown fields, costs at most 64 conversions and one walk."""

# Keyed by the type asked for. functools.cache would do, but its wrapper loses the type
# parameter, and these typed dicts keep it.
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
_infos: dict[Any, mi.Type] = {}
_loose: set[Any] = set()
"""Types whose last body as text did not fit the typed decoder (a speed hint only: each
body is decoded typed first, or untyped first, with the same result)."""
_floats: dict[Any, tuple[str, ...]] = {}


def decode(body: Any, tp: type[T], unknown: list[Unknown]) -> T:
    """Decode ``body`` (bytes, str, dict, a struct, a pydantic model) as ``tp``.

    Unknown fields and unknown enum values are appended to ``unknown``; anything else that
    does not fit ``tp`` raises ``TranslationError`` naming the JSON path.
    """
    if type(body) is tp:
        return body
    owned = True  # ours to change in place: nobody else holds it
    text = None
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        text = body
        if tp not in _loose:
            # The usual body fits: one typed decode. One that does not (unknown fields,
            # a bad value) is decoded again, untyped, below; its type is remembered as
            # loose, so that the next body of the type is decoded untyped at once.
            decoder: msgspec.json.Decoder[T] | None = _decoders.get(tp)
            if decoder is None:
                decoder = _decoders[tp] = msgspec.json.Decoder(tp)
            try:
                return decoder.decode(body)
            except msgspec.ValidationError as exc:
                if not str(exc).startswith((_UNKNOWN_FIELD, _UNKNOWN_ENUM)):
                    raise TranslationError(*_path_of(str(exc))) from None
                _loose.add(tp)
            except (msgspec.DecodeError, UnicodeError, RecursionError):
                pass  # the untyped decode says why
        try:
            body = _untyped.decode(body)
        except msgspec.DecodeError as exc:
            raise TranslationError("", f"not valid JSON: {exc}") from None
        except UnicodeError as exc:  # a str holding a lone surrogate
            raise TranslationError("", f"not valid JSON: {exc}") from None
        except RecursionError:
            raise TranslationError("", "not valid JSON: nested too deeply") from None
    else:
        if isinstance(body, msgspec.Struct):
            body = msgspec.to_builtins(body)
        elif hasattr(body, "model_dump"):
            body = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        else:
            owned = False
        if isinstance(body, dict):
            _check_json(body)
    if not isinstance(body, dict):
        raise TranslationError("", f"expected a JSON object, got {type(body).__name__}")
    before = len(unknown)
    result = _convert(body, tp, unknown, owned)
    if text is None:
        _check_floats(result, tp)
    elif len(unknown) == before:
        _loose.discard(tp)  # this one fitted: the next is tried typed first again
    return result


def _convert(body: dict[str, Any], tp: type[T], unknown: list[Unknown], owned: bool) -> T:
    """``msgspec.convert``, setting aside each unknown field or enum value it names."""
    try:
        return msgspec.convert(body, tp)
    except msgspec.ValidationError as exc:
        msg = str(exc)
    except RecursionError:
        raise TranslationError("", "nested too deeply") from None
    root: Any = body
    copied: set[int] = set()
    if not owned:  # the caller's dict: every container changed is a copy
        root = dict(body)
        copied.add(id(root))
    found: list[Unknown] = []
    walked = False
    # The enum value set aside last: (its object's path, its key, its object before,
    # the error, where it was); ``before`` is None once its object has gone instead.
    last: tuple[str, str, dict[str, Any] | None, str, str] | None = None
    while True:
        where, reason = _path_of(msg)
        if reason.startswith(_UNKNOWN_FIELD) and reason.endswith("`"):
            parent, key, detail = where, reason[len(_UNKNOWN_FIELD) : -1], "unknown field"
        elif reason.startswith(_UNKNOWN_ENUM) and where and not where.endswith("]"):
            parent, _, key = where.rpartition(".")
            detail = UNKNOWN_VALUE
        elif last is not None and reason.startswith(_MISSING):
            # The enum field set aside was required. Its whole object goes instead, once,
            # when that object is a field (not an item of a list: a message, a block).
            p_path, p_key, before, origin, origin_where = last
            if (
                before is None
                or reason != f"{_MISSING}{p_key}`"
                or where != p_path
                or not where
                or where.endswith("]")
            ):
                raise TranslationError(origin_where, origin) from None
            parent, _, key = where.rpartition(".")
            container = _container(root, parent, owned, copied)
            if container is None or key not in container:
                raise TranslationError(origin_where, origin) from None
            found.pop()
            container[key] = before
            found.append(Unknown(parent, key, container.pop(key)))
            last = (parent, key, None, origin, origin_where)
            result, msg = _try(root, tp)
            if not msg:
                unknown.extend(found)
                return cast("T", result)
            continue
        else:
            raise TranslationError(where, reason) from None
        container = (
            None
            if len(found) >= _GUIDED and not walked
            else _container(root, parent, owned, copied)
        )
        if container is None or key not in container:
            if walked:
                raise TranslationError(where, reason) from None
            root = _walk(root, tp, found)
            walked = True
            last = None
        else:
            if detail is UNKNOWN_VALUE:
                last = (parent, key, dict(container), reason, where)
            else:
                last = None
            found.append(Unknown(parent, key, container.pop(key), detail))
        result, msg = _try(root, tp)
        if not msg:
            unknown.extend(found)
            return cast("T", result)


def _try(root: Any, tp: Any) -> tuple[Any, str]:
    """The struct, or the error that names what to set aside next."""
    try:
        return msgspec.convert(root, tp), ""
    except msgspec.ValidationError as exc:
        return None, str(exc)
    except RecursionError:  # pragma: no cover - converted once before
        raise TranslationError("", "nested too deeply") from None


def _container(root: Any, path: str, owned: bool, copied: set[int]) -> dict[str, Any] | None:
    """The object at ``path`` (``a[0].b``) in ``root``; when ``root`` is the caller's, each
    container on the way is copied first (once), so that the caller's dict is never changed.
    ``None`` when the path does not lead to an object (keys with dots or brackets)."""
    node = root
    if path:
        pos = 0
        text = "." + path
        for m in _STEP.finditer(text):
            if m.start() != pos:
                return None
            pos = m.end()
            name, index = m.group(1), m.group(2)
            if name is not None:
                if not isinstance(node, dict) or name not in node:
                    return None
                child = node[name]
                if not owned and isinstance(child, dict) and id(child) not in copied:
                    child = node[name] = dict(child)
                    copied.add(id(child))
                elif not owned and isinstance(child, list) and id(child) not in copied:
                    child = node[name] = list(child)
                    copied.add(id(child))
            else:
                i = int(index)
                if not isinstance(node, list) or i >= len(node):
                    return None
                child = node[i]
                if not owned and isinstance(child, dict) and id(child) not in copied:
                    child = node[i] = dict(child)
                    copied.add(id(child))
                elif not owned and isinstance(child, list) and id(child) not in copied:
                    child = node[i] = list(child)
                    copied.add(id(child))
            node = child
        if pos != len(text):
            return None
    return node if isinstance(node, dict) else None


def _walk(root: Any, tp: Any, found: list[Unknown]) -> Any:
    """One pass over the whole payload against the type tree: a copy without the fields
    (and enum values) the structs do not know; those go to ``found``."""
    info = _infos.get(tp)
    if info is None:
        info = _infos[tp] = mi.type_info(tp)
    return _strip(root, info, "", found)


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
                if _bad_enum(item, field.type):
                    out.append(Unknown(path, key, item, UNKNOWN_VALUE))
                else:
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


def _bad_enum(value: Any, t: mi.Type) -> bool:
    """``value`` is of an enum field's JSON type but none of its values."""
    if not isinstance(value, str):
        return False
    if isinstance(t, mi.LiteralType):
        return value not in t.values
    if isinstance(t, mi.UnionType):
        literals = [m for m in t.types if isinstance(m, mi.LiteralType)]
        if literals and not any(isinstance(m, mi.StrType) for m in t.types):
            return all(value not in m.values for m in literals)
    return False


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


# --- a dict is the JSON text it stands for ---------------------------------------------


def _check_json(body: dict[str, Any]) -> None:
    """Raise ``TranslationError`` unless ``body`` can be written as JSON text."""
    try:
        _encode(body)
    except RecursionError:
        raise TranslationError("", "nested too deeply") from None
    except UnicodeEncodeError:
        where = _surrogate(body, "")
        raise TranslationError(where or "", "a string holds a lone surrogate: not UTF-8") from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise TranslationError("", f"not representable as JSON: {exc}") from None


def _surrogate(value: Any, path: str) -> str | None:
    """The path of the first string (or key) holding a lone surrogate (error path only)."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and _surrogate(k, "") is not None:
                return path
            found = _surrogate(v, join(path, str(k)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _surrogate(v, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _float_fields(tp: Any) -> tuple[str, ...]:
    names = _floats.get(tp)
    if names is None:
        info = _infos.get(tp)
        if info is None:
            info = _infos[tp] = mi.type_info(tp)
        names = ()
        if isinstance(info, mi.StructType):
            names = tuple(
                f.name
                for f in info.fields
                if isinstance(f.type, mi.FloatType)
                or (
                    isinstance(f.type, mi.UnionType)
                    and any(isinstance(m, mi.FloatType) for m in f.type.types)
                )
            )
        _floats[tp] = names
    return names


def _check_floats(result: Any, tp: Any) -> None:
    """A NaN or an infinity in a typed number field is no JSON number: an error, not a
    ``null`` that would change what the field says."""
    for name in _float_fields(tp):
        value = getattr(result, name, None)
        if type(value) is float and not math.isfinite(value):
            encode_name = result.__struct_encode_fields__[result.__struct_fields__.index(name)]
            raise TranslationError(encode_name, f"not a JSON number: {value}")


# --- carrying unknown top-level fields -------------------------------------------------


_UNWRITABLE = re.compile(r'[\\"\x00-\x1f]')


def can_carry(name: str) -> bool:
    """A top-level field this name can be carried by ``with_extra`` (msgspec cannot name
    a field with a backslash, a quote or a control character)."""
    return _UNWRITABLE.search(name) is None


@functools.lru_cache(maxsize=256)
def _with_fields(cls: type[msgspec.Struct], names: tuple[str, ...]) -> type[msgspec.Struct]:
    taken = set(cls.__struct_fields__)
    fields = []
    for i, name in enumerate(names):
        attr = name
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            attr = f"extra_{i}_"
        while attr in taken:
            attr += "_"
        taken.add(attr)
        fields.append((attr, Any, msgspec.field(default=msgspec.UNSET, name=name)))
    return msgspec.defstruct(
        cls.__name__,
        fields,
        bases=(cls,),
        kw_only=True,
        module=cls.__module__,
    )


def with_extra(obj: S, extra: dict[str, Any]) -> S:
    """``obj`` with ``extra`` fields added, still an instance of its class.

    How the ``compatible`` target carries unknown top-level fields: msgspec encodes a
    struct's declared fields only, so the carrier is a subclass declaring them too (under
    the wire name; the attribute is the name itself when it is a plain identifier).
    """
    if not extra:
        return obj
    return new_with_extra(type(obj), extra, msgspec.structs.asdict(obj))


def new_with_extra(cls: type[S], extra: dict[str, Any], fields: dict[str, Any]) -> S:
    """A ``cls`` made of ``fields`` (by attribute name) with ``extra`` fields (by wire name)
    added: ``with_extra`` for a struct not made yet, so that it is made once (a copy of a
    large struct into its carrier costs more than the translation's own work on it)."""
    if not extra:
        return cls(**fields)
    key = (cls, tuple(extra))
    made = _carriers.get(key)
    if made is None:
        carrier = _with_fields(*key)
        if len(_carriers) >= 256:  # as the classes' own cache: a client's names, bounded
            _carriers.clear()  # (made again from that cache; safe beside other threads)
        made = _carriers[key] = (carrier, carrier.__struct_fields__[len(cls.__struct_fields__) :])
    carrier, attrs = made
    fields.update(zip(attrs, extra.values()))
    # defstruct is typed as returning a plain Struct class; this one subclasses cls.
    return cast("S", carrier(**fields))


_carriers: dict[tuple[type[Any], tuple[str, ...]], tuple[type[Any], tuple[str, ...]]] = {}
"""(struct class, extra names) -> (the carrier class, its extra attributes)."""
