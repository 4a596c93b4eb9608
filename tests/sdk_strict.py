"""Strict validation of wire payloads against the official SDKs' types.

The SDKs are our test oracles, but neither checks much at runtime: request params are
TypedDicts (no validation at all) and response models are pydantic models with
``extra="allow"``. This module walks the SDK type annotations and checks a JSON-like value
(dicts, lists, str, int, float, bool, None) against them *strictly*:

- unknown keys are rejected (unless allowed by an ``extensions`` path pattern),
- missing required keys are rejected,
- every value must have exactly the annotated JSON type (``bool`` is not an ``int``).

``validate(tp, value)`` raises :class:`StrictError` whose message names the JSON path, e.g.
``$.messages[3].content[1].source.media_type: expected one of 'image/jpeg', 'image/png',
'image/gif', 'image/webp', got string 'image/bmp'``.

Supported annotations: TypedDict (total / non-total, ``Required`` / ``NotRequired``,
inheritance), pydantic ``BaseModel`` subclasses (``model_fields``: required = no default, wire
key = alias), ``Literal``, ``Union`` / ``Optional``, ``Annotated`` (``PropertyInfo(alias=...)``
on a TypedDict key renames the wire key, as the openai SDK's ``_transform`` does), lists
(``list`` / ``List`` / ``Iterable`` / ``Sequence`` / ``SequenceNotStr``), string-keyed
mappings (``dict`` / ``Dict`` / ``Mapping``), ``str``, ``int``, ``float`` (int or float),
``bool``, ``None``, ``object`` / ``Any``, enums, ``datetime`` (an RFC 3339 string). ``IO[bytes]``, ``PathLike``, ``bytes`` and
tuples are SDK conveniences that never appear on the wire and match nothing.

Unions are decided by JSON kind first (``Union[str, List[Block]]`` given a list checks the
list member only). Several object members are told apart by a discriminating key (``type``,
``role``, else any key whose Literal values differ per member, e.g. ``stream``): the tag
picks the member and its error is reported. Otherwise every member is tried.

Compiled checkers are cached per type, so repeated validation is cheap.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import os
import re
import typing
from collections.abc import Callable, Iterable, Mapping, MutableMapping, MutableSequence, Sequence
from typing import IO, Any, Literal, NotRequired, Required, Union

import anthropic.types as _at
import openai.types.chat as _oc
import openai.types.shared as _os
import pydantic
from anthropic.types import message_create_params as _amcp
from anthropic.types.beta import message_create_params as _abmcp
from openai.types.chat import completion_create_params as _occp
from typing_extensions import TypedDict, is_typeddict

__all__ = [
    "OPENAI_REQUEST_EXTENSIONS",
    "OPENAI_RESPONSE_EXTENSIONS",
    "AnthropicErrorResponse",
    "AnthropicPingEvent",
    "AnthropicStreamEvent",
    "MessageCreateParams2023",
    "OpenAIErrorBody",
    "StrictError",
    "validate",
    "validate_anthropic_beta_request",
    "validate_anthropic_beta_request_2023",
    "validate_anthropic_error",
    "validate_anthropic_message",
    "validate_anthropic_request",
    "validate_anthropic_request_2023",
    "validate_anthropic_stream_event",
    "validate_chat_completion",
    "validate_chat_completion_chunk",
    "validate_openai_error",
    "validate_openai_request",
]


class StrictError(AssertionError):
    """A value does not match the SDK type. ``path`` is a JSON path such as ``$.a[0].b``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------------------------
# JSON kinds and paths

_KINDS = {
    type(None): "null",
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    list: "list",
    dict: "object",
}
_ALL_KINDS = frozenset(_KINDS.values())


def _kind(value: object) -> str:
    return _KINDS.get(type(value), "other")


_KIND_NAMES = {
    "null": "null",
    "bool": "boolean",
    "int": "integer",
    "float": "number",
    "str": "string",
}


def _show(value: object) -> str:
    """A short description of a value for error messages: ``string 'abc'``, ``array of 3 items``."""
    kind = _kind(value)
    if kind in ("list", "object"):
        n = len(value)  # type: ignore[arg-type]
        return f"array of {n} items" if kind == "list" else f"object with {n} keys"
    if kind == "other":
        return f"non-JSON {type(value).__name__}"
    if kind == "null":
        return "null"
    text = json.dumps(value) if kind != "str" else repr(value)
    return f"{_KIND_NAMES[kind]} {text if len(text) <= 40 else text[:37] + '...'}"


_INDEX = re.compile(r"\[\d+\]")


def _literal(value: object) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _listing(items: Iterable[str], sep: str = ", ", limit: int = 8) -> str:
    """Join items for a message, eliding all but the first few of a long list."""
    items = list(items)
    if len(items) > limit:
        items = items[: limit - 2] + [f"... ({len(items) - limit + 2} more)"]
    return sep.join(items)


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _fail(path: str, reason: str) -> typing.NoReturn:
    raise StrictError(path, reason)


# --------------------------------------------------------------------------------------------
# extensions: extra keys allowed by path pattern


def _extension_allowed(ext: frozenset, path: str, key: str, obj: dict) -> bool:
    """Is the unknown ``key`` of ``obj`` (found at ``path``) allowed by a pattern?

    A pattern is a path in which ``[*]`` matches any index. The index right before the key
    may also be qualified by the object's ``role`` or ``type`` tag, e.g.
    ``$.messages[role=assistant].reasoning_content``.
    """
    norm = _INDEX.sub("[*]", path)
    if _child(norm, key) in ext:
        return True
    if norm.endswith("[*]"):
        for tag in ("role", "type"):
            value = obj.get(tag)
            if isinstance(value, str) and _child(f"{norm[:-3]}[{tag}={value}]", key) in ext:
                return True
    return False


# --------------------------------------------------------------------------------------------
# nodes: one compiled checker per annotation
#
# Every node has ``kinds`` (the JSON kinds it can accept, used to narrow unions), ``desc``
# (for messages) and ``check(value, path, ext)``. Object nodes resolve their fields and union
# nodes their dispatch tables lazily, so recursive types compile.


class _Node:
    kinds: frozenset = _ALL_KINDS
    desc = "?"

    def check(self, value: object, path: str, ext: frozenset) -> None:
        raise NotImplementedError

    def children(self) -> Sequence[_Node]:
        """The nodes this one delegates to, resolving anything lazy."""
        return ()


class _Any(_Node):
    desc = "any"

    def check(self, value, path, ext):
        pass


class _Scalar(_Node):
    def __init__(self, kind: str, desc: str) -> None:
        self.kinds = frozenset([kind])
        self.desc = desc
        self._type = next(t for t, k in _KINDS.items() if k == kind)

    def check(self, value, path, ext):
        if type(value) is not self._type:
            _fail(path, f"expected {self.desc}, got {_show(value)}")


class _Float(_Node):
    kinds = frozenset(["int", "float"])
    desc = "number"

    def check(self, value, path, ext):
        t = type(value)
        if t is int:
            return
        if t is not float:
            _fail(path, f"expected number, got {_show(value)}")
        if not math.isfinite(value):  # type: ignore[arg-type]
            _fail(path, f"expected a finite number, got {value!r}")


class _Never(_Node):
    """SDK-side conveniences (file objects, paths, bytes, tuples) that JSON cannot carry."""

    kinds = frozenset()

    def __init__(self, desc: str) -> None:
        self.desc = desc

    def check(self, value, path, ext):
        _fail(path, f"{self.desc} cannot appear on the wire, got {_show(value)}")


class _DateTime(_Node):
    """``datetime`` / ``date`` fields travel as RFC 3339 strings."""

    kinds = frozenset(["str"])

    def __init__(self, tp: type) -> None:
        self.desc = f"RFC 3339 {tp.__name__} string"
        self._parse = tp.fromisoformat

    def check(self, value, path, ext):
        if type(value) is not str:
            _fail(path, f"expected {self.desc}, got {_show(value)}")
        try:
            self._parse(value)
        except ValueError:
            _fail(path, f"expected {self.desc}, got {_show(value)}")


class _Literal(_Node):
    def __init__(self, values: Sequence[object]) -> None:
        self.values = tuple(values)
        self.keys = frozenset((type(v), v) for v in self.values)
        self.kinds = frozenset(_kind(v) for v in self.values)
        self.desc = "one of " + _listing(map(_literal, self.values))

    def check(self, value, path, ext):
        if (
            type(value) not in _KINDS
            or type(value) in (list, dict)
            or (type(value), value) not in self.keys
        ):
            _fail(path, f"expected {self.desc}, got {_show(value)}")


class _List(_Node):
    kinds = frozenset(["list"])

    def __init__(self, item: _Node) -> None:
        self.item = item
        self.desc = f"array of {item.desc}"

    def check(self, value, path, ext):
        if type(value) is not list:
            _fail(path, f"expected {self.desc}, got {_show(value)}")
        item = self.item
        if isinstance(item, _Any):
            return
        for i, v in enumerate(value):
            item.check(v, f"{path}[{i}]", ext)

    def children(self):
        return (self.item,)


class _Map(_Node):
    kinds = frozenset(["object"])

    def __init__(self, item: _Node) -> None:
        self.item = item
        self.desc = "object" if isinstance(item, _Any) else f"object of {item.desc}"

    def check(self, value, path, ext):
        if type(value) is not dict:
            _fail(path, f"expected {self.desc}, got {_show(value)}")
        check_values = not isinstance(self.item, _Any)
        for k, v in value.items():
            if type(k) is not str:
                _fail(path, f"object keys must be strings, got {k!r}")
            if check_values:
                self.item.check(v, _child(path, k), ext)

    def children(self):
        return (self.item,)


class _Field(typing.NamedTuple):
    node: _Node
    required: bool


class _Object(_Node):
    """A TypedDict or a pydantic model: a JSON object with known keys."""

    kinds = frozenset(["object"])

    def __init__(self, tp: type, fields: Callable[[type], dict[str, tuple]]) -> None:
        self.tp = tp
        self.desc = tp.__name__
        self._resolve = fields
        self._fields: dict[str, _Field] | None = None
        self._required: tuple = ()

    @property
    def fields(self) -> dict[str, _Field]:
        if self._fields is None:
            fields = {
                key: _Field(_compile(ann), req)
                for key, (ann, req) in self._resolve(self.tp).items()
            }
            self._required = tuple(k for k, f in fields.items() if f.required)
            self._fields = fields
        return self._fields

    def check(self, value, path, ext):
        if type(value) is not dict:
            _fail(path, f"expected object ({self.desc}), got {_show(value)}")
        fields = self.fields
        for key, v in value.items():
            field = fields.get(key)
            if field is None:
                if type(key) is not str:
                    _fail(path, f"object keys must be strings, got {key!r}")
                if ext and _extension_allowed(ext, path, key, value):
                    continue
                _fail(
                    _child(path, key),
                    f"unknown key in {self.desc} (known: {_listing(fields, limit=30)})",
                )
            field.node.check(v, _child(path, key), ext)
        for key in self._required:
            if key not in value:
                _fail(_child(path, key), f"missing required key of {self.desc}")

    def children(self):
        return [field.node for field in self.fields.values()]


class _Tag(typing.NamedTuple):
    """How a union of objects is told apart: by the Literal value of one key."""

    key: str
    by_value: dict[tuple, tuple]  # (type, value) -> the members accepting that tag value
    untagged: tuple  # the members for which the key is optional


class _Union(_Node):
    def __init__(self, members: Sequence[_Node]) -> None:
        self.members = tuple(members)
        self.kinds = frozenset().union(*(m.kinds for m in self.members))
        self.desc = _listing(
            (m.desc for m in self.members if m.kinds), " | "
        )  # IO, PathLike: not JSON
        self._by_kind: dict[str, tuple] | None = None
        self._tag: _Tag | None = None

    def _prepare(self) -> dict[str, tuple]:
        by_kind = {kind: tuple(m for m in self.members if kind in m.kinds) for kind in self.kinds}
        objects = by_kind.get("object", ())
        if len(objects) > 1 and all(isinstance(m, _Object) for m in objects):
            self._tag = _find_tag(objects)
        self._by_kind = by_kind
        return by_kind

    def check(self, value, path, ext):
        by_kind = self._by_kind or self._prepare()
        kind = _kind(value)
        members = by_kind.get(kind, ())
        if not members:
            _fail(path, f"expected {self.desc}, got {_show(value)}")
        if kind == "object" and self._tag is not None:
            members = self._tagged_members(value, path)
        if len(members) == 1:
            return members[0].check(value, path, ext)
        self._try_all(members, value, path, ext)

    def _tagged_members(self, value: dict, path: str) -> tuple:
        key, by_value, untagged = self._tag  # type: ignore[misc]
        if key not in value:
            if not untagged:
                _fail(_child(path, key), f"missing required key (the tag of {self.desc})")
            return untagged
        tag = value[key]
        members = (
            by_value.get((type(tag), tag)) if _kind(tag) in ("str", "int", "bool", "null") else None
        )
        if members is None:
            known = _listing(dict.fromkeys(_literal(v) for _, v in by_value), limit=20)
            _fail(_child(path, key), f"unknown {key} {_literal(tag)}; expected one of {known}")
        return members

    def _try_all(self, members, value, path, ext):
        errors = []
        for member in members:
            try:
                member.check(value, path, ext)
                return
            except StrictError as e:
                errors.append((member, e))
        # Report the members that got furthest: usually the one the value was meant to be.
        deepest = max(len(e.path) for _, e in errors)
        best = [(m, e) for m, e in errors if len(e.path) == deepest]
        if deepest > len(path) and len({e.path for _, e in best}) == 1:
            if len(best) == 1:
                raise best[0][1]
            _fail(best[0][1].path, "; ".join(f"as {m.desc}: {e.reason}" for m, e in best))
        _fail(
            path,
            "matches no member of the union ("
            + "; ".join(f"{m.desc}: {e}" for m, e in errors)
            + ")",
        )

    def children(self):
        self._by_kind or self._prepare()
        return self.members


def _tag_values(node: _Node) -> frozenset | None:
    """The (type, value) pairs a Literal (or Optional[Literal]) field node accepts."""
    if isinstance(node, _Literal):
        return node.keys
    if isinstance(node, _Union) and all(
        isinstance(m, _Literal) or m.kinds == {"null"} for m in node.members
    ):
        pairs = frozenset((type(None), None) for m in node.members if not isinstance(m, _Literal))
        return pairs.union(*(m.keys for m in node.members if isinstance(m, _Literal)))
    return None


def _find_tag(members: Sequence[_Object]) -> _Tag | None:
    """Find the key whose Literal values tell the object members apart.

    ``type`` and ``role`` are taken when every member has them as a Literal (members sharing a
    value, e.g. TextBlockParam and TextBlock, are then tried in turn); any other key must
    split the members exactly (e.g. ``stream``: ``Literal[False]`` vs ``Literal[True]``).
    """
    common = set.intersection(*(set(m.fields) for m in members))
    for key in ["type", "role"] + sorted(common - {"type", "role"}):
        if key not in common:
            continue
        by_value: dict[tuple, tuple] = {}
        for m in members:
            values = _tag_values(m.fields[key].node)
            if values is None:
                break
            for v in values:
                by_value[v] = by_value.get(v, ()) + (m,)
        else:
            if key in ("type", "role") or all(len(ms) == 1 for ms in by_value.values()):
                untagged = tuple(m for m in members if not m.fields[key].required)
                return _Tag(key, by_value, untagged)
    return None


# --------------------------------------------------------------------------------------------
# fields of TypedDicts and models


def _unwrap_field(ann: Any, required: bool) -> tuple:
    """Strip Required / NotRequired / Annotated around a field; return (type, required, alias)."""
    alias = None
    while True:
        origin = typing.get_origin(ann)
        if origin is Required:
            required, ann = True, typing.get_args(ann)[0]
        elif origin is NotRequired:
            required, ann = False, typing.get_args(ann)[0]
        elif origin is typing.Annotated:
            for meta in ann.__metadata__:
                if type(meta).__name__ == "PropertyInfo" and getattr(meta, "alias", None):
                    alias = meta.alias
            ann = ann.__origin__
        else:
            return ann, required, alias


def _key_totality(td: type) -> dict[str, bool]:
    """Which class defined each key, as its ``total`` flag.

    ``__required_keys__`` cannot be trusted: with ``from __future__ import annotations`` (as in
    the SDKs) typing_extensions sees ``Required[...]`` only as a string.
    """
    totality: dict[str, bool] = {}
    for base in getattr(td, "__orig_bases__", ()):
        if is_typeddict(base):
            totality.update(_key_totality(base))
    for key in td.__annotations__:
        totality.setdefault(key, td.__total__)
    return totality


def _typeddict_fields(td: type) -> dict[str, tuple]:
    hints = typing.get_type_hints(td, include_extras=True)
    totality = _key_totality(td)
    fields = {}
    for name, hint in hints.items():
        ann, required, alias = _unwrap_field(hint, totality.get(name, td.__total__))
        fields[alias or name] = (ann, required)
    return fields


def _model_fields(model: type) -> dict[str, tuple]:
    try:
        hints = typing.get_type_hints(model, include_extras=True)
    except Exception:  # unresolvable forward refs: pydantic's resolved annotations will do
        hints = {}
    fields = {}
    for name, info in model.model_fields.items():
        ann = hints.get(name, info.annotation)
        ann, _, _ = _unwrap_field(ann, True)
        alias = info.alias if isinstance(info.alias, str) else None
        fields[alias or name] = (ann, info.is_required())
    return fields


# --------------------------------------------------------------------------------------------
# compiling annotations

_CACHE: dict[Any, _Node] = {}
_LISTS = {list, Iterable, Sequence, MutableSequence, typing.Iterable, typing.Sequence}
_MAPS = {dict, Mapping, MutableMapping}


def _compile(tp: Any) -> _Node:
    try:
        return _CACHE[tp]
    except KeyError:
        pass
    except TypeError:  # unhashable annotation: compile without caching
        return _build(tp)
    node = _CACHE[tp] = _build(tp)
    return node


def _build(tp: Any) -> _Node:
    if tp is Any or tp is object:
        return _Any()
    if tp is None or tp is type(None):
        return _Scalar("null", "null")
    if tp is bool:
        return _Scalar("bool", "boolean")
    if tp is int:
        return _Scalar("int", "integer")
    if tp is float:
        return _Float()
    if tp is str:
        return _Scalar("str", "string")
    if tp in (bytes, bytearray, os.PathLike, IO, typing.BinaryIO):
        return _Never(getattr(tp, "__name__", str(tp)))
    if tp in (datetime.datetime, datetime.date):
        return _DateTime(tp)
    if isinstance(tp, (str, typing.ForwardRef)):
        raise TypeError(f"unresolved forward reference {tp!r}")
    if is_typeddict(tp):
        return _Object(tp, _typeddict_fields)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return _Object(tp, _model_fields)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _Literal([m.value for m in tp])

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Annotated, Required, NotRequired):
        return _compile(args[0])
    if origin is Literal:
        return _Literal(_flatten_literal(args))
    if origin is Union or (origin is not None and type(tp).__name__ == "UnionType"):
        return _union([_compile(a) for a in args])
    if origin in _LISTS or tp in _LISTS:
        return _List(_compile(args[0]) if args else _Any())
    if origin in _MAPS or tp in _MAPS or tp is dict:
        if args and args[0] is not str:
            raise TypeError(f"JSON object keys are strings, not {args[0]!r}")
        return _Map(_compile(args[1]) if args else _Any())
    if origin in (tuple, os.PathLike, IO) or tp in (tuple, tuple):
        return _Never(str(tp))
    raise TypeError(f"sdk_strict does not support the annotation {tp!r}")


def _flatten_literal(args: tuple) -> list:
    values = []
    for a in args:
        values.extend(
            _flatten_literal(typing.get_args(a)) if typing.get_origin(a) is Literal else [a]
        )
    return values


def _union(members: Sequence[_Node]) -> _Node:
    flat: list = []
    for m in members:
        flat.extend(m.members if isinstance(m, _Union) else [m])
    if any(isinstance(m, _Any) for m in flat):
        return _Any()
    return flat[0] if len(flat) == 1 else _Union(flat)


def validate(
    tp: Any, value: object, path: str = "$", extensions: Iterable[str] | None = None
) -> None:
    """Check ``value`` against the SDK type ``tp``; raise :class:`StrictError` on mismatch."""
    ext = extensions if isinstance(extensions, frozenset) else frozenset(extensions or ())
    _compile(tp).check(value, path, ext)


def _compile_all(tp: Any) -> _Node:
    """Compile ``tp`` and everything reachable from it (raises TypeError if unsupported)."""
    root = _compile(tp)
    seen, todo = {id(root)}, [root]
    while todo:
        for child in todo.pop().children():
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)
    return root


# --------------------------------------------------------------------------------------------
# provider extensions of the openai dialect (DIALECTS.md)

OPENAI_REQUEST_EXTENSIONS = frozenset(
    [
        # replayed reasoning on assistant turns: DeepSeek, MiMo, Kimi, Qwen/GLM, llama.cpp
        # (reasoning_content); vLLM, OpenRouter (reasoning); OpenRouter (reasoning_details)
        "$.messages[role=assistant].reasoning_content",
        "$.messages[role=assistant].reasoning",
        "$.messages[role=assistant].reasoning_details",
        # top-level switches: MiMo / DeepSeek / Kimi `thinking: {type}`, vLLM / SGLang `top_k`
        # and `chat_template_kwargs`, OpenRouter `reasoning: {effort | max_tokens, enabled}`
        "$.thinking",
        "$.top_k",
        "$.chat_template_kwargs",
        "$.reasoning",
        # OpenRouter / Anthropic-style cache hints on the content parts of any message
        "$.messages[*].content[*].cache_control",
    ]
)

OPENAI_RESPONSE_EXTENSIONS = frozenset(
    f"$.choices[*].{where}.{key}"
    for where in ("message", "delta")
    for key in ("reasoning_content", "reasoning", "reasoning_details")
)


# --------------------------------------------------------------------------------------------
# types the SDKs lack


class _Sampling2023(TypedDict, total=False):
    temperature: float
    top_p: float
    top_k: int


class MessageCreateParams2023NonStreaming(
    _amcp.MessageCreateParamsNonStreaming, _Sampling2023, total=False
):
    """anthropic 2.14 dropped temperature / top_p / top_k (API 2026-10-21); 2023-06-01 has them."""


class MessageCreateParams2023Streaming(
    _amcp.MessageCreateParamsStreaming, _Sampling2023, total=False
):
    """The streaming twin of :class:`MessageCreateParams2023NonStreaming`."""


MessageCreateParams2023 = MessageCreateParams2023NonStreaming | MessageCreateParams2023Streaming


class BetaMessageCreateParams2023NonStreaming(
    _abmcp.MessageCreateParamsNonStreaming, _Sampling2023, total=False
):
    """The beta params (``compaction`` blocks, ``context_management``: what Claude Code
    sends with ``?beta=true``) with API 2023-06-01's sampling fields."""


class BetaMessageCreateParams2023Streaming(
    _abmcp.MessageCreateParamsStreaming, _Sampling2023, total=False
):
    """The streaming twin of :class:`BetaMessageCreateParams2023NonStreaming`."""


BetaMessageCreateParams2023 = (
    BetaMessageCreateParams2023NonStreaming | BetaMessageCreateParams2023Streaming
)


def _error_type_literals(union: Any) -> set:
    members = typing.get_args(typing.get_args(union)[0])  # Annotated[Union[...], discriminator]
    return {typing.get_args(m.model_fields["type"].annotation)[0] for m in members}


# error types the API documents (anthropic.types.ErrorType, DIALECTS.md) that have no member in
# the SDK's ErrorObject union: conflict_error (409), request_too_large (413), ...
_EXTRA_ERROR_TYPES = tuple(
    sorted(
        (set(typing.get_args(_at.ErrorType)) | {"request_too_large"})
        - _error_type_literals(_at.ErrorObject)
    )
)


class _ExtraErrorObject(TypedDict):
    message: str
    type: Literal[_EXTRA_ERROR_TYPES]  # type: ignore[valid-type]


class AnthropicErrorResponse(TypedDict, total=False):
    """anthropic.types.ErrorResponse, with the error types its ErrorObject union misses."""

    type: Required[Literal["error"]]
    error: Required[_at.ErrorObject | _ExtraErrorObject]
    request_id: str | None


class AnthropicPingEvent(TypedDict):
    """The SDK skips `ping` events: it has no type for them."""

    type: Literal["ping"]


# The SDK's RawMessageStreamEvent covers the six message events; `ping` is skipped and `error`
# raised by its stream reader before any model is built.
AnthropicStreamEvent = _at.RawMessageStreamEvent | AnthropicPingEvent | AnthropicErrorResponse


class OpenAIErrorBody(TypedDict):
    """The openai error body (also a mid-stream ``data: {"error": ...}`` frame)."""

    error: _os.ErrorObject


# --------------------------------------------------------------------------------------------
# entry points


def validate_anthropic_request(d: object) -> None:
    """An anthropic Messages request as anthropic 2.14 types it (API 2026-10-21)."""
    validate(_amcp.MessageCreateParams, d)


def validate_anthropic_request_2023(d: object) -> None:
    """The same, plus API 2023-06-01's temperature / top_p / top_k."""
    validate(MessageCreateParams2023, d)


def validate_anthropic_beta_request(d: object) -> None:
    """An anthropic request with beta content (``compaction``), as the beta types say."""
    validate(_abmcp.MessageCreateParams, d)


def validate_anthropic_beta_request_2023(d: object) -> None:
    """The beta request plus API 2023-06-01's temperature / top_p / top_k."""
    validate(BetaMessageCreateParams2023, d)


def validate_openai_request(
    d: object, extensions: Iterable[str] = OPENAI_REQUEST_EXTENSIONS
) -> None:
    """A Chat Completions request; provider extensions allowed by default (pass ``()`` for none)."""
    validate(_occp.CompletionCreateParams, d, extensions=extensions)


def validate_anthropic_message(d: object) -> None:
    """A non-streaming anthropic response (``anthropic.types.Message``)."""
    validate(_at.Message, d)


def validate_chat_completion(
    d: object, extensions: Iterable[str] = OPENAI_RESPONSE_EXTENSIONS
) -> None:
    """A non-streaming openai response; ``reasoning_content`` etc. allowed by default."""
    validate(_oc.ChatCompletion, d, extensions=extensions)


def validate_anthropic_error(d: object) -> None:
    """``{"type": "error", "error": {"type", "message"}, "request_id"?}``."""
    validate(AnthropicErrorResponse, d)


def validate_openai_error(d: object) -> None:
    """``{"error": {"message", "type", "param"?, "code"?}}``."""
    validate(OpenAIErrorBody, d)


def validate_anthropic_stream_event(d: object) -> None:
    """The data of one anthropic SSE frame: the six message events, ``ping`` or ``error``."""
    validate(AnthropicStreamEvent, d)


def validate_chat_completion_chunk(
    d: object, extensions: Iterable[str] = OPENAI_RESPONSE_EXTENSIONS
) -> None:
    """The data of one openai SSE frame (not ``[DONE]``; a mid-stream error is an error body)."""
    validate(_oc.ChatCompletionChunk, d, extensions=extensions)
