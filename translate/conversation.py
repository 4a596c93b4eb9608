"""Conversations: a request and its response (or its response stream) as one request body.

A logged exchange is a request plus what came back. As training or evaluation data it is one
conversation: the request's messages followed by the response as the assistant turn, in the
dialect the data is wanted in, with the request's tools. :func:`conversation` builds it in
the *source* dialect first (the response becomes the next assistant message exactly as a
client replays it on its next turn) and then translates the whole request with the same
``request`` function as everything else, so tool ids, tool schemas, reasoning and
signatures are kept exactly as a request translation keeps them.

What a conversation does not carry: the response's envelope (its id, model, usage and
timestamps), which describes the call, not the conversation. Said as a Loss: a turn cut
short (``max_tokens`` / ``length``, a refusal, ``content_filter``, an ``incomplete``
Responses status), choices after the first, annotations, an empty assistant turn (nothing to
append). Loss paths name the row as given, so that a user finds each in their file:
``request.messages[3].content[0].cache_control`` (``request.input[3]...`` for Responses;
without a ``"request"`` key the row is the request and the paths are the request's), and
for the response's turn the response's own fields: ``response.content[1].signature``
(anthropic), ``response.choices[0].message.reasoning_content`` (openai),
``response.output[2]...`` (Responses). A turn that is not in the row as it is translated
(a stream, accumulated, or a response of another dialect than the request's, translated
first) is named ``response``, with the path within the turn in the Loss's detail. A
TranslationError names its path the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

import msgspec

from . import to_anthropic, to_openai, to_responses
from ._errors import Loss, LossError, TranslationError
from .sse import SSEDecoder
from .to_responses._dispatch import source_of

Dialect = Literal["openai", "anthropic", "responses"]

__all__ = ["Dialect", "accumulate", "conversation", "load"]

_MODULES: dict[str, Any] = {
    "openai": to_openai,
    "anthropic": to_anthropic,
    "responses": to_responses,
}
_DECODE = msgspec.json.Decoder()

# The stop reasons that say a turn is whole: anything else is said as a Loss.
_WHOLE = frozenset(
    (
        None,
        "end_turn",
        "tool_use",
        "stop_sequence",
        "pause_turn",
        "stop",
        "tool_calls",
        "function_call",
        "completed",
    )
)
# The assistant message keys a Chat Completions request takes back (the rest of a
# response message is said as a Loss when it holds anything).
_REPLAYED = (
    "content",
    "refusal",
    "tool_calls",
    "function_call",
    "name",
    "reasoning_content",
    "reasoning",
    "reasoning_details",
)


def load(value: Any) -> Any:
    """Builtins (dicts, lists, str, numbers) from bytes, str, a struct or a pydantic model."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return _DECODE.decode(value)
        except msgspec.DecodeError as exc:
            raise TranslationError("", f"not JSON: {exc}") from None
    if isinstance(value, str):
        return load(value.encode())
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _is_sse(value: Any) -> bool:
    if isinstance(value, str):
        value = value[:16].encode()
    return isinstance(value, (bytes, bytearray)) and bytes(value[:16]).lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith((b"event:", b"data:", b":"))


def _events(value: Any) -> list[Any]:
    """A stream's events as builtins: from SSE text or bytes, or a list of events."""
    if isinstance(value, list):
        return [load(e) for e in value]
    raw = value.encode() if isinstance(value, str) else bytes(value)
    decoder = SSEDecoder()
    frames = decoder.feed(raw) + decoder.close()
    out = []
    for frame in frames:
        if frame.data == "[DONE]":
            continue
        try:
            out.append(_DECODE.decode(frame.data))
        except msgspec.DecodeError as exc:
            raise TranslationError("response", f"a stream event is not JSON: {exc}") from None
    return out


def accumulate(events: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """(dialect, response) accumulated from a response stream's events (builtins): an
    anthropic Message, an openai ChatCompletion or a Responses ``Response``."""
    events = list(events)
    first = next((e for e in events if isinstance(e, dict)), None)
    if first is None:
        raise TranslationError("response", "an empty stream")
    kind = first.get("type")
    if isinstance(kind, str) and kind.startswith("response."):
        return "responses", _responses(events)
    if "choices" in first or first.get("object") == "chat.completion.chunk":
        return "openai", _chat(events)
    return "anthropic", _messages(events)


def _stream_error(event: dict[str, Any]) -> TranslationError:
    error = event.get("error")
    message = error.get("message") if isinstance(error, dict) else error
    return TranslationError("response", f"the stream ended with an error: {message}")


def _messages(events: list[Any]) -> dict[str, Any]:
    message: dict[str, Any] | None = None
    blocks: dict[int, dict[str, Any]] = {}
    partial: dict[int, list[str]] = {}
    for n, e in enumerate(events):
        kind = e.get("type") if isinstance(e, dict) else None
        if kind == "message_start":
            message = dict(e["message"])
        elif kind == "content_block_start":
            blocks[e["index"]] = dict(e["content_block"])
            if e["content_block"].get("type") in ("tool_use", "server_tool_use"):
                partial[e["index"]] = []
        elif kind == "content_block_delta":
            block, delta = blocks[e["index"]], e["delta"]
            dt = delta.get("type")
            if dt == "text_delta":
                block["text"] = block.get("text", "") + delta["text"]
            elif dt == "input_json_delta":
                partial[e["index"]].append(delta["partial_json"])
            elif dt == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta["thinking"]
            elif dt == "signature_delta":
                block["signature"] = delta["signature"]
            elif dt == "citations_delta":
                block.setdefault("citations", []).append(delta["citation"])
            else:
                raise TranslationError(f"response[{n}].delta.type", f"unknown delta {dt!r}")
        elif kind == "content_block_stop":
            pieces = partial.pop(e["index"], None)
            if pieces:
                blocks[e["index"]]["input"] = load("".join(pieces))
        elif kind == "message_delta" and message is not None:
            message.update(e.get("delta") or {})
            message["usage"] = {**(message.get("usage") or {}), **(e.get("usage") or {})}
        elif kind == "error":
            raise _stream_error(e)
    if message is None:
        raise TranslationError("response", "a stream without message_start")
    message["content"] = [blocks[i] for i in sorted(blocks)]
    return message


def _chat(events: list[Any]) -> dict[str, Any]:
    head: dict[str, Any] = {}
    message: dict[str, Any] = {"role": "assistant", "content": None}
    calls: dict[int, dict[str, Any]] = {}
    finish = None
    others = 0
    usage = None
    for e in events:
        if not isinstance(e, dict):
            continue
        if "error" in e:
            raise _stream_error(e)
        if not head:
            head = {k: e[k] for k in ("id", "created", "model") if k in e}
        if e.get("usage"):
            usage = e["usage"]
        for choice in e.get("choices") or ():
            if choice.get("index", 0) != 0:
                others += 1
                continue
            delta = choice.get("delta") or {}
            for key in ("content", "refusal", "reasoning_content", "reasoning"):
                if isinstance(delta.get(key), str):
                    message[key] = (message.get(key) or "") + delta[key]
            if delta.get("reasoning_details"):
                message.setdefault("reasoning_details", []).extend(delta["reasoning_details"])
            for j, call in enumerate(delta.get("tool_calls") or ()):
                slot = calls.setdefault(
                    call.get("index", j),
                    {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                )
                slot["id"] = call.get("id") or slot["id"]
                fn = call.get("function") or {}
                slot["function"]["name"] += fn.get("name") or ""
                slot["function"]["arguments"] += fn.get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    out: dict[str, Any] = {
        "id": head.get("id", ""),
        "object": "chat.completion",
        "created": head.get("created", 0),
        "model": head.get("model", ""),
        "choices": [{"index": 0, "message": message, "finish_reason": finish or "stop"}],
    }
    if usage:
        out["usage"] = usage
    if others:
        out["choices"].append({"index": 1, "message": {"role": "assistant"}})
    return out


def _responses(events: list[Any]) -> dict[str, Any]:
    for e in reversed(events):
        kind = e.get("type") if isinstance(e, dict) else None
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            response: dict[str, Any] = e["response"]
            return response
        if kind == "error":
            raise _stream_error(e)
    raise TranslationError("response", "a Responses stream without response.completed")


def _dialect_of(body: Any, kind: Literal["request", "response"]) -> str:
    found = source_of(body, kind)
    if found is None:
        if kind == "request" and isinstance(body, dict) and "messages" in body:
            return "openai"
        raise TranslationError("" if kind == "request" else "response", f"not a {kind}")
    return found


def _assistant(response: dict[str, Any], source: str, losses: list[Loss]) -> list[dict[str, Any]]:
    """The response as the items a request of ``source`` takes back (zero or one message,
    or a Responses output's items)."""
    if source == "anthropic":
        if response.get("stop_reason") not in _WHOLE:
            losses.append(
                Loss("response.stop_reason", "dropped", f"the turn ended {response['stop_reason']}")
            )
        content = response.get("content") or []
        if not content:
            losses.append(Loss("response.content", "dropped", "an empty assistant turn"))
            return []
        return [{"role": "assistant", "content": content}]
    if source == "openai":
        choices = response.get("choices") or []
        if not choices:
            losses.append(Loss("response.choices", "dropped", "no choice to append"))
            return []
        if len(choices) > 1:
            losses.append(Loss("response.choices[1]", "dropped", "a conversation takes one choice"))
        choice = choices[0]
        if choice.get("finish_reason") not in _WHOLE:
            losses.append(
                Loss(
                    "response.choices[0].finish_reason",
                    "dropped",
                    f"the turn ended {choice['finish_reason']}",
                )
            )
        got = choice.get("message") or {}
        message: dict[str, Any] = {"role": "assistant"}
        for key in _REPLAYED:
            if got.get(key) is not None:
                message[key] = got[key]
        if isinstance(got.get("audio"), dict) and "id" in got["audio"]:
            message["audio"] = {"id": got["audio"]["id"]}
        if got.get("annotations"):
            losses.append(
                Loss("response.choices[0].message.annotations", "dropped", "no request twin")
            )
        if len(message) == 1:
            losses.append(Loss("response.choices[0].message", "dropped", "an empty turn"))
            return []
        message.setdefault("content", None)
        return [message]
    status = response.get("status")
    if status not in _WHOLE:
        losses.append(Loss("response.status", "dropped", f"the response is {status}"))
    items = [dict(item) for item in response.get("output") or ()]
    if not items:
        losses.append(Loss("response.output", "dropped", "an empty output"))
    return items


def conversation(
    row: Any,
    *,
    to: Dialect | None = None,
    source: Dialect | None = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> dict[str, Any]:
    """One conversation, as a request body of dialect ``to`` (builtins), from ``row``.

    ``row``: ``{"request": ..., "response": ...}``: the request in any dialect, the response
    (optional) as a Message, ChatCompletion or Response, or as a stream (SSE text or bytes,
    or a list of events), in any dialect (a response of another dialect than the request's
    is first translated into the request's). A row without ``"request"`` is a request.
    Each part may be bytes, str, a dict, a struct or a pydantic model.

    ``to``: the output dialect (default: ``openai`` for anthropic and Responses requests,
    ``anthropic`` for openai ones); ``to`` equal to the source appends the turn and
    translates nothing. ``target``, ``strict`` and ``losses`` as in ``request``.
    """
    row = load(row)
    if not isinstance(row, dict):
        raise TranslationError("", f"expected a JSON object, got {type(row).__name__}")
    if "request" in row:
        request, response = load(row["request"]), row.get("response")
    else:
        request, response = row, None
    if not isinstance(request, dict):
        raise TranslationError("request", "expected a JSON object")
    src = source or _dialect_of(request, "request")
    to = to or ("anthropic" if src == "openai" else "openai")
    key = "input" if src == "responses" else "messages"
    history = request.get(key)
    names = _Names("request." if "request" in row else "", key, src, history)
    found: list[Loss] = []
    if isinstance(response, (str, bytes, bytearray)) and not _is_sse(response):
        response = load(response)  # JSON text: a response, or a stream's SSE text as a string
    if response is not None:
        if _is_sse(response) or isinstance(response, list):
            dialect, resp = accumulate(_events(response))
            names.literal = False
        else:
            resp = load(response)
            dialect = _dialect_of(resp, "response")
        if dialect != src:
            inner: list[Loss] = []
            extra = {"source": "responses"} if dialect == "responses" else {}
            try:
                translated = _MODULES[src].response(resp, losses=inner, **extra)
            except TranslationError as err:
                raise TranslationError(_join("response", err.path), err.reason) from None
            resp = msgspec.to_builtins(translated)
            found.extend(Loss(_join("response", x.path), x.kind, x.detail) for x in inner)
            names.literal = False
        turn = _assistant(resp, src, found)
        if src == "responses" and isinstance(history, str):
            history = [{"role": "user", "content": history}]
        request = {**request, key: list(history or ()) + turn}
        names.turn = len(turn)
    if to == src:
        out = request
    else:
        extra = {"source": "responses"} if src == "responses" else {}
        said: list[Loss] = []
        try:
            result = _MODULES[to].request(request, target=target, losses=said, **extra)
        except TranslationError as err:
            if err.path == "target":  # the argument, not the row
                raise
            path, _ = names.name(err.path)
            raise TranslationError(path, err.reason) from None
        out = msgspec.to_builtins(result)
        found.extend(names.loss(x) for x in said)
    if found:
        if strict:
            raise LossError(found)
        if losses is not None:
            losses.extend(found)
    return out


def _join(prefix: str, path: str) -> str:
    """``prefix`` and a path under it (``a.b``, ``.b``, ``[0]`` or nothing)."""
    if not path:
        return prefix
    return f"{prefix}{path}" if path[0] in ".[" else f"{prefix}.{path}"


_HEAD = re.compile(r"(messages|input)\[(\d+)\]")


class _Names:
    """Paths in the conversation as translated -> paths in the row as given."""

    def __init__(self, prefix: str, key: str, source: str, history: Any) -> None:
        self.prefix = prefix  # "request." when the row is {"request", "response"}
        self.key = key
        self.source = source
        self.text = isinstance(history, str)  # a Responses input given as one string
        self.before = 1 if self.text else len(history) if isinstance(history, list) else 0
        self.turn = 0  # items the response appended
        self.literal = True  # the appended turn is the response's own fields, as given

    def name(self, path: str) -> tuple[str, str]:
        """(the path in the row, a note for the detail: the path within a turn that is not
        in the row as it is)."""
        head = _HEAD.match(path)
        if head is None or head[1] != self.key:
            return (self.prefix + path if path else self.prefix.rstrip(".")), ""
        i, rest = int(head[2]), path[head.end() :]
        if i < self.before:
            if self.text:
                return f"{self.prefix}input", ""
            return f"{self.prefix}{path}", ""
        if not self.literal or i >= self.before + self.turn:
            within = f"[{i - self.before}]{rest}" if self.source == "responses" else rest
            return "response", f" (in the response's turn: {within.lstrip('.') or 'the turn'})"
        if self.source == "anthropic":
            return _join("response", rest), ""
        if self.source == "openai":
            return _join("response.choices[0].message", rest), ""
        return f"response.output[{i - self.before}]{rest}", ""

    def loss(self, loss: Loss) -> Loss:
        path, note = self.name(loss.path)
        return Loss(path, loss.kind, loss.detail + note)
