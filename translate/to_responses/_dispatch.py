"""Which dialect a payload speaks, and the hooks that let ``to_openai`` and ``to_anthropic``
take Responses payloads.

The rule (README, "The Responses dialect"): an explicit ``source=`` wins; otherwise the shape
says it. A request with ``input`` and no ``messages`` is a Responses request; a response
with ``"object": "response"`` is a Responses ``Response``. For bytes the check is a scan
for the keys before any decoding (``"messages"`` absent and ``"input"`` present), so the
anthropic and Chat paths pay a type test and a substring scan that stops at their
``"messages"`` key (about 0.1 us on a small request) and decode once as before; a Responses
body that happens to contain the word ``"messages"`` still gets there, on the fallback
taken when the other decoder rejects it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import msgspec

from .. import anthropic as a
from .. import openai as o
from .. import responses as r
from .._errors import Loss, LossError, TranslationError
from ._to_chat import typed

Source = Literal["responses", "openai", "anthropic"]
Kind = Literal["request", "response"]
F = TypeVar("F", bound=Callable[..., Any])


def _top(body: Any) -> dict[str, Any] | None:
    """The top-level object of ``body`` as a dict, or None when it is not one."""
    if isinstance(body, dict):
        return body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            value = msgspec.json.decode(body)
        except (msgspec.DecodeError, RecursionError, UnicodeError):  # a lone surrogate in a str
            return None
        return value if isinstance(value, dict) else None
    if isinstance(body, msgspec.Struct):
        return None
    if hasattr(body, "model_dump"):
        try:
            value = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        except Exception:
            return None
        return value if isinstance(value, dict) else None
    return None


def _from_dict(d: dict[str, Any], kind: Kind) -> Source | None:
    if kind == "request":
        if "messages" in d:
            return "anthropic" if _anthropic(d) else "openai"
        return "responses" if "input" in d else None
    if d.get("object") == "response":
        return "responses"
    if "choices" in d:
        return "openai"
    if d.get("type") == "message":
        return "anthropic"
    return None


_OPENAI_ROLES = frozenset(("tool", "developer", "function"))
_OPENAI_KEYS = frozenset(("tool_calls", "tool_call_id", "refusal", "reasoning_content"))
_OPENAI_PARTS = frozenset(("image_url", "input_audio", "file", "refusal"))


def _anthropic(d: dict[str, Any]) -> bool:
    """A request with ``messages``: anthropic when it says ``system`` or ``stop_sequences``
    at the top, or ``max_tokens`` with no message in an openai-only shape."""
    if "system" in d or "stop_sequences" in d:
        return True
    if "max_tokens" not in d or "max_completion_tokens" in d:
        return False
    for m in d.get("messages") or ():
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        if (isinstance(role, str) and role in _OPENAI_ROLES) or not _OPENAI_KEYS.isdisjoint(m):
            return False
        content = m.get("content")
        if isinstance(content, list):
            for part in content:
                kind = part.get("type") if isinstance(part, dict) else None
                if isinstance(kind, str) and kind in _OPENAI_PARTS:
                    return False
    return True


def source_of(body: Any, kind: Kind) -> Source | None:
    """The dialect of ``body`` by its shape; None when the shape does not say."""
    if isinstance(body, (r.ResponseCreateParams, r.Response)):
        return "responses"
    if isinstance(body, (o.ChatCompletionRequest, o.ChatCompletion)):
        return "openai"
    if isinstance(body, (a.MessagesRequest, a.MessageResponse)):
        return "anthropic"
    d = _top(body)
    return None if d is None else _from_dict(d, kind)


_STRUCTS: dict[Kind, tuple[type, ...]] = {
    "request": (r.ResponseCreateParams,),
    "response": (r.Response,),
}
_OTHER_STRUCTS: dict[Kind, tuple[type, ...]] = {
    "request": (o.ChatCompletionRequest, a.MessagesRequest),
    "response": (o.ChatCompletion, a.MessageResponse),
}


def _looks_responses(body: Any, kind: Kind) -> bool:
    """The cheap check made before the existing converters run: a type check, then for
    bytes and str a scan for the keys (no decoding); dicts by their keys."""
    cls = type(body)
    if cls is bytes or cls is str:
        if kind == "request":
            return _REQ_KEYS[cls][0] not in body and _REQ_KEYS[cls][1] in body
        return _response_bytes(body)
    if cls is dict:
        if kind == "request":
            return "messages" not in body and "input" in body
        return bool(body.get("object") == "response")
    if cls in _STRUCTS[kind]:
        return True
    if cls in _OTHER_STRUCTS[kind]:
        return False
    if isinstance(body, msgspec.Struct):  # a subclass (a decoder's, a carrier of extras)
        return isinstance(body, _STRUCTS[kind])
    if isinstance(body, (bytes, bytearray, memoryview)):
        return _looks_responses(bytes(body), kind)
    return source_of(body, kind) == "responses"


_REQ_KEYS: dict[type, tuple[Any, Any]] = {
    bytes: (b'"messages"', b'"input"'),
    str: ('"messages"', '"input"'),
}


def _response_bytes(body: bytes | str) -> bool:
    raw = body.encode() if isinstance(body, str) else body
    return (
        b'"object":"response"' in raw or b'"object": "response"' in raw
    ) and b'"choices"' not in raw


def hook(kind: Kind, responses_fn: Callable[..., Any]) -> Callable[[F], F]:
    """Wrap an existing converter: Responses payloads go to ``responses_fn``, the rest as
    before. ``source="responses"`` forces the Responses path; any other source the old one.

    What the Chat and Messages paths pay: a type test and, for bytes, one substring scan
    that stops at their ``"messages"`` key, no decoding; about 0.1 us on a small request.
    """
    if kind == "request":
        return _hook_request(responses_fn)

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(body: Any, *args: Any, source: Source | None = None, **kw: Any) -> Any:
            if source is None:
                if _looks_responses(body, kind):
                    return responses_fn(body, *args, **kw)
            elif source == "responses":
                return responses_fn(body, *args, **kw)
            try:
                return fn(body, *args, **kw)
            except LossError:
                raise
            except TranslationError:
                if source is None and source_of(body, kind) == "responses":
                    return responses_fn(body, *args, **kw)
                raise

        return wrapper  # type: ignore[return-value]

    return wrap


def _hook_request(responses_fn: Callable[..., Any]) -> Callable[[F], F]:
    """``hook`` for requests, with the converters' own keywords spelled out (no ``*args``
    or ``**kw`` to pack on every call)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(
            body: Any,
            *,
            target: Any = "compatible",
            strict: bool = False,
            losses: list[Loss] | None = None,
            source: Source | None = None,
        ) -> Any:
            if source is None:
                if type(body) is bytes:  # the hot path (find is cheaper than in)
                    body, hit = _bytes_request(body)
                else:
                    hit = _looks_responses(body, "request")
            else:
                hit = source == "responses"
            if hit:
                return responses_fn(body, target=target, strict=strict, losses=losses)
            try:
                return fn(body, target=target, strict=strict, losses=losses)
            except LossError:
                raise
            except TranslationError:
                if source is None and source_of(body, "request") == "responses":
                    return responses_fn(body, target=target, strict=strict, losses=losses)
                raise

        return wrapper  # type: ignore[return-value]

    return wrap


_HEAD = 512
"""Where the keys of a request's first fields are (``model``, ``stream``, then ``messages``
or ``input``, as clients write them)."""


def _bytes_request(body: bytes) -> tuple[Any, bool]:
    """(the body, whether it is a Responses request) for bytes. A Chat or Messages request
    says ``"messages"`` early: no decoding, one short scan. A Responses request says
    ``"input"`` early: one typed decode decides, and is handed on (a body whose every key is
    a Responses field has no ``messages``: no other converter takes it). Else the rule
    itself (no ``"messages"`` anywhere, an ``"input"``) on the whole body; that scan is
    what the first two spare a large Responses body (11 us at 43 KB)."""
    if body.find(b'"messages"', 0, _HEAD) >= 0:
        return body, False
    if body.find(b'"input"', 0, _HEAD) >= 0:
        decoded = typed(body)
        if decoded is not None:
            return decoded, True
    return body, body.find(b'"messages"') < 0 and body.find(b'"input"') >= 0


def relay(
    inner: list[Loss], strict: bool, losses: list[Loss] | None, rename: Callable[[str], str]
) -> None:
    """Hand the losses of a composed translation over, their paths in the caller's input."""
    mapped = [Loss(rename(loss.path), loss.kind, loss.detail) for loss in inner]
    if strict and mapped:
        raise LossError(mapped)
    if losses is not None:
        losses.extend(mapped)


# --- streams: a Responses upstream for Chat and Messages clients -------------------------

_SNIFF_MAX = 1 << 20
"""Bytes read before the first event decides a stream's dialect; past them, the old one."""
_RESPONSES_MARKS = (b'"type":"response.', b'"type": "response.', b"event: response.")


def sniff(buf: bytes) -> bool | None:
    """Whether SSE bytes are a Responses stream, by their first frame with data (its
    ``event:`` line or its ``type``); None while no such frame is complete."""
    start = 0
    while True:
        end = -1
        for sep in (b"\n\n", b"\r\n\r\n", b"\r\r"):
            at = buf.find(sep, start)
            if at >= 0 and (end < 0 or at < end):
                end = at
        if end < 0:
            return None
        frame = buf[start:end]
        if b"data:" in frame:
            return any(mark in frame for mark in _RESPONSES_MARKS)
        start = end + 2


class _Detecting:
    """A stream translator that is the old one until its first event says Responses (or
    ``source="responses"`` says so at once). Anything not said here is the chosen one's."""

    _old: Any
    _new: Any

    def __init__(self, request: Any = None, *, source: Source | None = None, **kw: Any) -> None:
        self._args = (request, kw)
        self._inner = (self._new if source == "responses" else self._old)(request, **kw)
        self._undecided = source is None
        if source is not None:
            self._bind()

    def _choose(self, responses: bool) -> None:
        self._undecided = False
        if responses:
            request, kw = self._args
            self._inner = self._new(request, **kw)
        self._bind()

    def _bind(self) -> None:
        # Decided: from now on the chosen translator's own methods are called directly
        # (instance attributes shadow the class's), so a long stream pays no hop per read.
        inner = self._inner
        for name in ("feed", "feed_data", "close"):
            method = getattr(inner, name, None)
            if method is not None:
                setattr(self, name, method)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class DetectingStream(_Detecting):
    """Events in (structs, dicts, JSON): the first one decides."""

    def feed(self, item: Any) -> Any:
        if self._undecided:
            from ._reverse import is_responses_event

            self._choose(is_responses_event(item))
        return self._inner.feed(item)

    def feed_data(self, data: Any) -> Any:
        return self.feed(data) if self._undecided else self._inner.feed_data(data)

    def close(self) -> Any:
        return self._inner.close()


class DetectingSSE(_Detecting):
    """SSE bytes in: the bytes are held until the first frame with data is complete (at
    most ``_SNIFF_MAX``), then the chosen translator reads them all."""

    _held = b""

    def feed(self, data: bytes) -> bytes:
        if not self._undecided:
            out: bytes = self._inner.feed(data)
            return out
        buf = self._held + data
        said = sniff(buf)
        if said is None and len(buf) < _SNIFF_MAX:
            self._held = buf
            return b""
        self._held = b""
        self._choose(bool(said))
        out = self._inner.feed(buf)
        return out

    def close(self) -> bytes:
        if self._undecided:
            held, self._held = self._held, b""
            self._choose(bool(sniff(held + b"\n\n")))
            out: bytes = self._inner.feed(held) if held else b""
            last: bytes = self._inner.close()
            return out + last
        done: bytes = self._inner.close()
        return done

    def abort(self, *args: Any, **kw: Any) -> bytes:
        self._undecided = False
        out: bytes = self._inner.abort(*args, **kw)
        return out


def detecting(old: type, new: type, base: type[_Detecting], doc: str) -> Any:
    """The public class: ``old``'s signature plus ``source=``; ``new`` for Responses."""
    return type(old.__name__, (base,), {"_old": old, "_new": new, "__doc__": doc})


def stream_hook(old_fn: Callable[..., Any], new_fn: Callable[..., Any]) -> Callable[..., Any]:
    """An iterator function over events: the first event (or ``source=``) decides."""

    @functools.wraps(old_fn)
    def wrapper(events: Any, *args: Any, source: Source | None = None, **kw: Any) -> Any:
        from itertools import chain

        from ._reverse import is_responses_event

        if source is None:
            it = iter(events)
            first = next(it, None)
            if first is None:
                return old_fn((), *args, **kw)
            events = chain((first,), it)
            source = "responses" if is_responses_event(first) else None
        if source == "responses":
            return new_fn(events, *args, **kw)
        return old_fn(events, *args, **kw)

    return wrapper
