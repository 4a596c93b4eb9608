"""Which dialect a payload speaks, and the hooks that let ``to_openai`` and ``to_anthropic``
take Responses payloads.

The rule (README, "The Responses dialect"): an explicit ``source=`` wins; otherwise the shape
says it. A request with ``input`` and no ``messages`` is a Responses request; a response
with ``"object": "response"`` is a Responses ``Response``. For bytes the check is a scan
for the keys before any decoding (``"messages"`` absent and ``"input"`` present), so the
anthropic and Chat paths pay a few microseconds and decode once as before; a Responses
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

Source = Literal["responses", "openai", "anthropic"]
Kind = Literal["request", "response"]
F = TypeVar("F", bound=Callable[..., Any])

_OBJECT_RESPONSE = (b'"object":"response"', b'"object": "response"')


def _top(body: Any) -> dict[str, Any] | None:
    """The top-level object of ``body`` as a dict, or None when it is not one."""
    if isinstance(body, dict):
        return body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            value = msgspec.json.decode(body)
        except (msgspec.DecodeError, RecursionError):
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
        if m.get("role") in _OPENAI_ROLES or not _OPENAI_KEYS.isdisjoint(m):
            return False
        content = m.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") in _OPENAI_PARTS:
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


def _looks_responses(body: Any, kind: Kind) -> bool:
    """The cheap check made before the existing converters run."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body) if not isinstance(body, bytes) else body
        if kind == "request":
            return b'"messages"' not in raw and b'"input"' in raw
        return any(key in raw for key in _OBJECT_RESPONSE) and b'"choices"' not in raw
    if isinstance(body, str):
        return _looks_responses(body.encode(), kind)
    if isinstance(body, dict):
        return _from_dict(body, kind) == "responses"
    if isinstance(body, (r.ResponseCreateParams, r.Response)):
        return True
    if isinstance(body, msgspec.Struct):
        return False
    return source_of(body, kind) == "responses"


def hook(kind: Kind, responses_fn: Callable[..., Any]) -> Callable[[F], F]:
    """Wrap an existing converter: Responses payloads go to ``responses_fn``, the rest as
    before. ``source="responses"`` forces the Responses path; any other source the old one."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(body: Any, *args: Any, source: Source | None = None, **kw: Any) -> Any:
            if source == "responses" or (source is None and _looks_responses(body, kind)):
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


def relay(
    inner: list[Loss], strict: bool, losses: list[Loss] | None, rename: Callable[[str], str]
) -> None:
    """Hand the losses of a composed translation over, their paths in the caller's input."""
    mapped = [Loss(rename(loss.path), loss.kind, loss.detail) for loss in inner]
    if strict and mapped:
        raise LossError(mapped)
    if losses is not None:
        losses.extend(mapped)
