"""Anthropic Messages stream events -> openai ``ChatCompletionChunk`` stream.

A sans-I/O state machine in the style of h11: :class:`Stream` is fed one upstream event at
a time (``feed``) and returns the openai chunks that event completes; ``close`` ends the
stream. It never reads or writes anything itself. :func:`stream` wraps it for an iterable
of events, :func:`sse` and :func:`async_sse` for SSE bytes in and out.

The rules it implements, each cited where it is implemented:

- Anthropic, "Streaming Messages": ``message_start``, then per content block
  ``content_block_start`` / ``content_block_delta``\\* / ``content_block_stop`` (the
  ``index`` being the block's place in ``content``), then ``message_delta`` (stop reason,
  cumulative usage) and ``message_stop``; ``ping`` events may come anywhere; an ``error``
  event may come mid-stream.
- OpenAI, "Chat Completions streaming": the first chunk's delta has ``role``; text
  pieces are ``delta.content``; a tool call is "a list of ``tool_calls`` fragments, keyed by
  ``index``", its first fragment with ``id``, ``type`` and ``function.name``, later ones
  with ``function.arguments`` pieces; the last choice chunk has ``finish_reason``; with
  ``stream_options.include_usage`` one more chunk with ``choices: []`` and ``usage``; then
  ``data: [DONE]``. A mid-stream error is a ``data: {"error": {...}}`` frame.
- Reasoning, as the providers stream it (DIALECTS.md): text in ``reasoning_content``
  (DeepSeek, MiMo, Kimi), and OpenRouter's ``reasoning_details`` entries, keyed by their
  own ``index`` like tool calls, which keep each thinking block apart with its signature.

Memory is O(1) in the length of the stream: every piece is passed on as it arrives; what is
kept is the state of the open block and a few counters.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode
from .._errors import Loss, TranslationError
from .._ledger import OnceLedger
from .._tables import RESPONSE_TIER_TO_OPENAI, STOP_TO_OPENAI
from .._usage import to_openai_usage, where_served
from ..sse import DONE, SSEDecoder, apump, encode_data, pump
from ._error import error as _error_body

__all__ = ["Stream", "async_sse", "sse", "stream"]

_event_decoder = msgspec.json.Decoder(a.StreamEvent)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()

_REFUSAL_MAX = 4096

_EVENT_TYPES = frozenset(
    (
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    )
)

# States of the message (h11 style: one explicit state).
IDLE = "IDLE"  # nothing received yet
OPEN = "OPEN"  # role chunk sent; blocks may open and close
FINISHED = "FINISHED"  # message_delta came: the finish chunk is sent
CLOSED = "CLOSED"  # message_stop or an error: nothing more is emitted

# Kinds of content block.
_THINKING, _TEXT, _TOOL, _OTHER = 1, 2, 3, 4


class _Block:
    """The open anthropic block: its kind, the openai index it speaks through (tool call
    index or reasoning_details index) and whether any argument piece was said."""

    __slots__ = ("key", "kind", "said")

    def __init__(self, kind: int, key: int) -> None:
        self.kind = kind
        self.key = key
        self.said = False


class Stream(OnceLedger):
    """Anthropic stream events in, openai chat completion chunks out.

    ``feed(item)`` takes one event: a ``translate.anthropic`` event struct, a dict, or the
    bytes / str of one JSON payload, and returns the chunks it completed (the ``[DONE]``
    sentinel is the SSE layer's: see :func:`sse`). ``close()`` ends the stream: if it ended
    before ``message_delta``, an error chunk says so.

    ``request``: the client's original openai request, if at hand: the model it asked for
    is echoed and ``stream_options.include_usage`` decides the usage chunk (without a
    request the usage chunk is sent: anthropic streams always carry usage).
    ``created``: the ``created`` timestamp of every chunk: a gateway passes its clock; ``0``
    otherwise, since an anthropic stream says nothing of time and a translation never
    reads the clock (as ``to_openai.response``).
    ``losses`` / ``strict``: as for :class:`translate.to_anthropic.Stream`.
    """

    __slots__ = (
        "_blocks",
        "_created",
        "_events",
        "_id",
        "_include_usage",
        "_last",
        "_last_index",
        "_last_len",
        "_last_text",
        "_model",
        "_seen",
        "_texts",
        "_thoughts",
        "_tier",
        "_tools",
        "_usage",
        "losses",
        "state",
        "strict",
    )

    def __init__(
        self,
        request: Any = None,
        *,
        created: int = 0,
        losses: list[Loss] | None = None,
        strict: bool = False,
    ) -> None:
        self.state = IDLE
        self.losses: list[Loss] = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        self._model: str | None = None
        self._include_usage = True
        self._tier: Any = UNSET  # the chunks' service_tier
        if request is not None:
            # Tool names need no restoring this way: an openai client's names fit both
            # dialects' limits, so to_anthropic.request shortened nothing.
            req = decode(request, o.ChatCompletionRequest, [])
            self._model = req.model
            opts = req.stream_options
            self._include_usage = opts not in (UNSET, None) and opts.include_usage is True  # type: ignore[union-attr]
        self._created = created
        self._id = ""
        self._blocks: dict[int, _Block] = {}  # open blocks by anthropic index
        self._last: _Block | None = None  # the block opened last (the one deltas go to)
        self._last_index = -1
        self._tools = 0  # tool_use blocks seen: the next tool call index
        self._thoughts = 0  # thinking blocks seen: the next reasoning_details index
        self._texts = 0  # thinking blocks with text seen (for the "\n\n" join)
        self._usage = a.Usage(input_tokens=0, output_tokens=0)  # the message's, as accumulated
        # The last text block's text while it is short (a refusal said as text is a
        # sentence): enough to recognise it, bounded by _REFUSAL_MAX whatever the stream.
        self._last_text: list[str] | None = None
        self._last_len = 0
        self._events = 0

    # -- input -------------------------------------------------------------------------

    def feed(self, item: Any) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """Take one upstream event; return the openai chunks it completes, in order."""
        if self.state is CLOSED:
            return []
        self._events += 1
        t = type(item)
        if t is bytes or t is str or t is bytearray or t is memoryview:
            return self._raw(item)
        if isinstance(item, msgspec.Struct):
            event = item
        else:
            event = self._slow(item)
            if event is None:
                return []
        return self._event(event)

    def _raw(self, data: Any) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        try:
            event = _event_decoder.decode(data)
        except msgspec.DecodeError:
            event = self._slow(data)
            if event is None:
                return []
        return self._event(event)

    def _slow(self, item: Any) -> Any:
        """An event the typed decoder refused: unknown fields (reported), an event type
        this library does not know (Anthropic: new event types may be added; reported and
        skipped), or not an event at all (``TranslationError``)."""
        value = item
        if not isinstance(item, dict) and not hasattr(item, "model_dump"):
            try:
                value = _any_decoder.decode(item)
            except msgspec.DecodeError as exc:
                raise TranslationError(
                    f"event[{self._events - 1}]", f"not valid JSON: {exc}"
                ) from None
        elif hasattr(item, "model_dump"):
            value = item.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if (
            isinstance(value, dict)
            and isinstance(value.get("type"), str)
            and value["type"] not in _EVENT_TYPES
        ):
            self._lose(value["type"], "dropped", "an event type this translator does not know")
            return None
        unknown: list[Unknown] = []
        event = decode(value, a.StreamEvent, unknown)  # type: ignore[arg-type]
        for u in unknown:
            self._lose(f"{u.path}.{u.key}" if u.path else u.key, "dropped", "unknown field")
        return event

    def close(self) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """End of the upstream stream. After ``message_delta`` the message is complete
        (a missing ``message_stop`` loses nothing); before it, an error chunk ends it."""
        if self.state is CLOSED:
            return []
        if self.state is FINISHED:
            return self._stop()
        if self.state is IDLE:
            return self._abort("the upstream stream ended before message_start")
        return self._abort("the upstream stream ended before its message_delta")

    def abort(
        self, message: str, kind: str = "api_error"
    ) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """End the stream now with an error chunk."""
        if self.state is CLOSED:
            return []
        return self._abort(message, kind)

    # -- events ------------------------------------------------------------------------

    def _event(self, event: Any) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        t = type(event)
        if t is a.ContentBlockDeltaEvent and self.state is not IDLE:
            return self._delta(event)
        if t is a.PingEvent:
            return []  # Anthropic: "Event streams may also include any number of ping events."
        if t is a.ErrorEvent:
            return self._abort(event.error.message, event.error.type)
        if self.state is IDLE:
            if t is not a.MessageStartEvent:
                raise TranslationError(
                    f"event[{self._events - 1}]", f"{_tag(event)} before message_start"
                )
            return self._start(event)
        if t is a.ContentBlockStartEvent:
            return self._block_start(event)
        if t is a.ContentBlockStopEvent:
            return self._block_stop(event)
        if t is a.MessageDeltaEvent:
            return self._message_delta(event)
        if t is a.MessageStopEvent:
            return self._stop()
        raise TranslationError(
            f"event[{self._events - 1}]", f"unexpected {_tag(event)}"
        )  # message_start again

    def _chunk(self, delta: o.ChunkDelta, finish: str | None = None) -> o.ChatCompletionChunk:
        return o.ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,  # type: ignore[arg-type]
            choices=[o.ChunkChoice(index=0, delta=delta, finish_reason=finish)],
            service_tier=self._tier,
        )

    def _start(self, event: a.MessageStartEvent) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """OpenAI: the first chunk's delta says ``role: assistant`` (and ``content: ""``)."""
        self.state = OPEN
        m = event.message
        self._id = m.id
        if self._model is None:
            self._model = m.model
        if m.usage is not UNSET:
            self._usage = msgspec.structs.replace(m.usage)
            tier = m.usage.service_tier
            if tier is None:
                self._tier = None
            elif tier is not UNSET:
                if tier in RESPONSE_TIER_TO_OPENAI:
                    self._tier = RESPONSE_TIER_TO_OPENAI[tier]
                else:
                    self._lose(
                        "usage.service_tier", "dropped", f"no openai service tier for {tier!r}"
                    )
        for field in ("container", "diagnostics"):
            if getattr(m, field):
                self._lose(field, "dropped", "no twin in the openai dialect")
        out: list[o.ChatCompletionChunk | o.ErrorBody] = [
            self._chunk(o.ChunkDelta(role="assistant", content=""))
        ]
        for i, block in enumerate(m.content):
            self._lose(f"message.content[{i}]", "dropped", "content inside message_start")
        return out

    def _block_start(
        self, event: a.ContentBlockStartEvent
    ) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        if self.state is not OPEN:
            self._lose(
                f"content_block_start[{event.index}]", "dropped", "a block after message_delta"
            )
            return []
        b = event.content_block
        t = type(b)
        out: list[o.ChatCompletionChunk | o.ErrorBody] = []
        self._last_index = -1
        if t is a.TextBlock:
            self._blocks[event.index] = _Block(_TEXT, 0)
            self._last_text = [b.text]
            self._last_len = len(b.text)
            if self._tools:
                self._lose(
                    f"content[{event.index}]",
                    "approximated",
                    "text after a tool call moves before the tool calls",
                )
            if b.text:
                out.append(self._chunk(o.ChunkDelta(content=b.text)))
            if b.citations not in (UNSET, None) and b.citations:
                self._lose(
                    f"content[{event.index}].citations", "dropped", "citations have no openai twin"
                )
        elif t is a.ThinkingBlock:
            key = self._thoughts
            self._thoughts += 1
            self._blocks[event.index] = _Block(_THINKING, key)
            # Thinking blocks are joined with a blank line in reasoning_content, as the
            # non-streamed response joins them.
            sep = "\n\n" if self._texts else ""
            self._texts += 1
            detail = o.ReasoningText(text=b.thinking, index=key)
            if b.signature:
                detail.signature = b.signature
            out.append(
                self._chunk(
                    o.ChunkDelta(reasoning_content=sep + b.thinking, reasoning_details=[detail])
                )
            )
        elif t is a.RedactedThinkingBlock:
            key = self._thoughts
            self._thoughts += 1
            self._blocks[event.index] = _Block(_OTHER, key)
            detail = o.ReasoningEncrypted(data=b.data, index=key)
            # reasoning_content holds the thinking texts joined; a redacted block adds none.
            out.append(self._chunk(o.ChunkDelta(reasoning_content="", reasoning_details=[detail])))
        elif t is a.ToolUseBlock:
            key = self._tools
            self._tools += 1
            block = self._blocks[event.index] = _Block(_TOOL, key)
            args = ""
            if b.input:
                args = _encoder.encode(b.input).decode()  # a provider that sends the input whole
                block.said = True
            call = o.DeltaToolCall(
                index=key,
                id=b.id,
                type="function",
                function=o.DeltaFunction(name=b.name, arguments=args),
            )
            out.append(self._chunk(o.ChunkDelta(tool_calls=[call])))
            if b.cache_control not in (UNSET, None):
                self._lose(
                    f"content[{event.index}].cache_control",
                    "dropped",
                    "no cache hints in a response",
                )
            if b.caller is not UNSET and (
                b.caller.type != "direct" or b.caller.tool_id is not UNSET
            ):
                self._lose(
                    f"content[{event.index}].caller",
                    "dropped",
                    "calls made by a server tool have no twin",
                )
            if b.toolset_name not in (UNSET, None):
                self._lose(
                    f"content[{event.index}].toolset_name",
                    "dropped",
                    "no twin in the openai dialect",
                )
        else:
            self._blocks[event.index] = _Block(_OTHER, -1)
            self._lose(
                f"content[{event.index}]", "dropped", f"{_tag(b)} has no twin in the openai dialect"
            )
        self._last = self._blocks[event.index]
        self._last_index = event.index
        return out

    def _delta(self, event: a.ContentBlockDeltaEvent) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        block = self._last if event.index == self._last_index else self._blocks.get(event.index)
        if block is None:
            self._lose(
                f"content_block_delta[{event.index}]",
                "dropped",
                "a delta for a block that is not open",
            )
            return []
        d = event.delta
        t = type(d)
        kind = block.kind
        if t is a.TextDelta and kind == _TEXT:
            if self._last_text is not None:
                self._last_len += len(d.text)
                if self._last_len > _REFUSAL_MAX:
                    self._last_text = None
                else:
                    self._last_text.append(d.text)
            return [self._chunk(o.ChunkDelta(content=d.text))]
        if t is a.ThinkingDelta and kind == _THINKING:
            detail = o.ReasoningText(text=d.thinking, index=block.key)
            return [
                self._chunk(o.ChunkDelta(reasoning_content=d.thinking, reasoning_details=[detail]))
            ]
        if t is a.InputJSONDelta and kind == _TOOL:
            if not d.partial_json:
                return []
            block.said = True
            call = o.DeltaToolCall(
                index=block.key, function=o.DeltaFunction(arguments=d.partial_json)
            )
            return [self._chunk(o.ChunkDelta(tool_calls=[call]))]
        if t is a.SignatureDelta and kind == _THINKING:
            # The signature travels in the thinking block's reasoning_details entry.
            detail = o.ReasoningText(signature=d.signature, index=block.key)
            return [self._chunk(o.ChunkDelta(reasoning_details=[detail]))]
        if kind != _OTHER:
            path = f"content[{event.index}].{_tag(d)}"
            if t is a.CitationsDelta:
                self._lose(path, "dropped", "citations have no openai twin")
            else:
                self._lose(path, "dropped", "a delta of another kind than its block")
        return []

    def _block_stop(
        self, event: a.ContentBlockStopEvent
    ) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        block = self._blocks.pop(event.index, None)
        if event.index == self._last_index:
            self._last_index = -1
            self._last = None
        if block is not None and block.kind == _TOOL and not block.said:
            # A tool_use block "starts with input: {}" and no piece followed: the input is
            # the empty object, which is the arguments "{}", as in a non-streamed response.
            call = o.DeltaToolCall(index=block.key, function=o.DeltaFunction(arguments="{}"))
            return [self._chunk(o.ChunkDelta(tool_calls=[call]))]
        return []

    def _message_delta(
        self, event: a.MessageDeltaEvent
    ) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """Anthropic ``message_delta``: the stop reason (through the one table,
        ``_tables.STOP_REASONS``) and the cumulative usage. OpenAI: the stop reason is the
        ``finish_reason`` of a last choice chunk with an empty delta."""
        if event.usage is not UNSET:
            self._take_usage(event.usage)
        d = event.delta
        if d.container not in (UNSET, None):
            self._lose("container", "dropped", "no twin in the openai dialect")
        if self.state is not OPEN:
            return []
        reason = d.stop_reason
        if reason is UNSET or reason is None:
            return []  # a usage update only
        self._close_open()
        self.state = FINISHED
        out: list[o.ChatCompletionChunk | o.ErrorBody] = []
        refusal = self._refusal(d.stop_details, reason)
        if refusal is not None:
            out.append(self._chunk(o.ChunkDelta(refusal=refusal)))
        out.append(self._finish(reason, d.stop_sequence))
        return out

    def _finish(self, reason: Any, sequence: Any) -> o.ChatCompletionChunk:
        """``stop_reason`` -> ``finish_reason`` by the one table (``_tables.STOP_REASONS``),
        as ``to_openai.response`` says it: a reason ``finish_reason`` can only approximate
        is said exactly in ``native_finish_reason`` (as OpenRouter and MiMo do); the stop
        sequence that matched goes to vLLM's choice ``stop_reason``."""
        chunk = self._chunk(o.ChunkDelta(), "stop")
        choice = chunk.choices[0]
        if isinstance(reason, str) and reason in STOP_TO_OPENAI:
            finish, exact = STOP_TO_OPENAI[reason]
            choice.finish_reason = finish
            if not exact:
                choice.native_finish_reason = reason
        else:
            self._lose(
                "stop_reason", "approximated", f"unknown stop reason {reason!r}: said as stop"
            )
        if reason == "stop_sequence":
            if isinstance(sequence, str):
                choice.stop_reason = sequence
            else:
                choice.native_finish_reason = reason
        elif sequence not in (UNSET, None):
            self._lose("stop_sequence", "dropped", f"a stop sequence beside stop_reason {reason!r}")
        if reason == "end_turn" and self._tools:
            self._lose("stop_reason", "approximated", "end_turn after tool calls reads as tool_use")
        return chunk

    def _refusal(self, details: Any, reason: Any) -> str | None:
        """``stop_details.explanation`` of a refusal -> the openai ``refusal`` (as the
        response says it; a stream cannot take back a text block already sent, so a
        refusal also said as text stays in ``content`` too)."""
        if details is UNSET or details is None:
            return None
        if details.get("type") != "refusal":
            self._lose("stop_details", "dropped", "no twin in the openai dialect")
            return None
        for key, value in details.items():
            if key not in ("type", "category", "explanation") or (
                key == "category" and value is not None
            ):
                self._lose(f"stop_details.{key}", "dropped", "no twin in the openai dialect")
        explanation = details.get("explanation")
        if explanation is None:
            return None
        if not isinstance(explanation, str):
            self._lose("stop_details.explanation", "dropped", "not a string")
            return None
        if reason != "refusal":
            self._lose("stop_details", "approximated", f"a refusal beside stop_reason {reason!r}")
        elif self._last_text is not None and "".join(self._last_text) == explanation:
            # to_anthropic says an openai refusal as a last text block too; the response
            # takes it back out of content, a stream has sent it already.
            self._lose(
                "stop_details.explanation",
                "approximated",
                "the refusal was also said as text: it stays in content",
            )
        return explanation

    def _close_open(self) -> None:
        if self._blocks:
            for index in self._blocks:
                self._lose(f"content[{index}]", "approximated", "a block never stopped")
            self._blocks.clear()
            self._last_index = -1
            self._last = None

    def _stop(self) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """Anthropic ``message_stop``. OpenAI: the usage chunk, ``choices: []``, if asked for."""
        if self.state is OPEN:
            return self._abort("message_stop before any stop reason")
        self.state = CLOSED
        usage = self._openai_usage()
        if not self._include_usage:
            return []
        chunk = o.ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,
            choices=[],
            usage=usage,
            service_tier=self._tier,  # type: ignore[arg-type]
        )
        return [chunk]

    def _take_usage(self, u: a.MessageDeltaUsage) -> None:
        """Anthropic: usage on ``message_delta`` is cumulative; a count left out (or
        ``null``) keeps the value ``message_start`` gave, as the SDK accumulates it."""
        kept = self._usage
        kept.output_tokens = u.output_tokens
        for field in (
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "server_tool_use",
            "output_tokens_details",
        ):
            value = getattr(u, field)
            if value is not UNSET and value is not None:
                setattr(kept, field, value)

    def _openai_usage(self) -> o.Usage:
        """The message's usage -> openai usage, by the arithmetic ``to_openai.response`` uses."""
        usage = to_openai_usage(self._usage, self._lose)
        where_served(self._usage, self._lose)
        return usage

    def _abort(
        self, message: str, kind: str = "api_error"
    ) -> list[o.ChatCompletionChunk | o.ErrorBody]:
        """An anthropic ``error`` event, or a stream that cannot go on -> the openai
        mid-stream error frame, ``{"error": {...}}``; the stream ends there."""
        if self.state is IDLE:
            self._lose("", "dropped", message)
        self.state = CLOSED
        self._blocks.clear()
        self._last_index = -1
        # The one error table (``_tables.ERRORS``), through the error converter.
        _, body = _error_body(a.ErrorResponse(error=a.ErrorObject(type=kind, message=message)))
        return [body]

    # -- losses ------------------------------------------------------------------------


# --- wrappers ---------------------------------------------------------------------------


def stream(
    events: Iterable[Any],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
) -> Iterator[o.ChatCompletionChunk | o.ErrorBody]:
    """The openai chunks for an iterable of anthropic events (structs, dicts or JSON)."""
    s = Stream(request, created=created, losses=losses)
    for event in events:
        yield from s.feed(event)
    yield from s.close()


class _DeltaStream(Stream):
    """The state machine of :func:`sse`: a plain content chunk is returned as its bare
    ``ChunkDelta`` and :class:`_SSE` writes the envelope around it from bytes encoded once
    per stream (``id``, ``created`` and ``model`` never change). The bytes are exactly
    those of the whole chunk encoded (a test holds them equal); only the time differs."""

    __slots__ = ()

    def _chunk(self, delta: o.ChunkDelta, finish: str | None = None) -> Any:
        if finish is None:
            return delta
        return Stream._chunk(self, delta, finish)


class _SSE:
    """Bytes in, bytes out: SSEDecoder -> Stream -> ``data: <json>`` ... ``data: [DONE]``."""

    __slots__ = ("decoder", "ended", "prefix", "stream", "suffix")

    def __init__(self, request: Any, created: int, losses: list[Loss] | None) -> None:
        self.decoder = SSEDecoder()
        self.stream = _DeltaStream(request, created=created, losses=losses)
        self.ended = False
        self.prefix = b""
        self.suffix = b""

    def feed(self, data: bytes) -> bytes:
        s = self.stream
        if s.state is CLOSED:
            return b""
        chunks: list[Any] = []
        try:
            frames = self.decoder.feed(data)
            if len(frames) == 1:  # the common case: one read, one frame, (mostly) one chunk
                s._events += 1
                chunks = s._raw(frames[0].data)
                if len(chunks) == 1 and type(chunks[0]) is o.ChunkDelta and self.prefix:
                    return self.prefix + _encoder.encode(chunks[0]) + self.suffix
            else:
                for frame in frames:
                    # The event type is in the JSON too ("type"); the SSE ``event`` field
                    # is only its echo, so the data alone decides.
                    s._events += 1
                    chunks += s._raw(frame.data)
        except TranslationError as exc:
            chunks += s.abort(f"the upstream stream could not be read: {exc}")
        return self._frames(chunks)

    def close(self) -> bytes:
        s = self.stream
        if s.state is not CLOSED:
            try:
                self.decoder.close()
            except TranslationError as exc:  # an error the last feed() completed frames before
                return self._frames(s.abort(f"the upstream stream could not be read: {exc}"))
            if self.decoder.truncated:
                s._lose("", "dropped", "the upstream stream ended inside a frame")
            return self._frames(s.close())
        return b""

    def _frames(self, chunks: list[Any]) -> bytes:
        encode = _encoder.encode
        out = b""
        for c in chunks:
            if type(c) is o.ChunkDelta:
                if not self.prefix:
                    s = self.stream
                    head = o.ChatCompletionChunk(
                        id=s._id, created=s._created, model=s._model, choices=[]
                    )  # type: ignore[arg-type]
                    # '{"id":...,"model":...,"choices":[]}' -> up to '"choices":[' + the choice head.
                    self.prefix = b"data: " + encode(head)[:-2] + b'{"index":0,"delta":'
                    tail = o.ChatCompletionChunk(
                        id="", created=0, model="", choices=[], service_tier=s._tier
                    )
                    # '...,"choices":[]' + ',"service_tier":...}' when there is one.
                    self.suffix = (
                        b',"finish_reason":null}]'
                        + encode(tail).split(b'"choices":[]', 1)[1]
                        + b"\n\n"
                    )
                out += self.prefix + encode(c) + self.suffix
            else:
                out += encode_data(encode(c))
        if self.stream.state is CLOSED and not self.ended:
            self.ended = True
            # OpenAI ends a stream with "data: [DONE]"; an error frame ends it alone.
            if not chunks or type(chunks[-1]) is not o.ErrorBody:
                out += DONE
        return out


def sse(
    byte_chunks: Iterable[bytes],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
) -> Iterator[bytes]:
    """Anthropic SSE bytes in -> openai SSE bytes out, ending with ``data: [DONE]``. Input
    may be split anywhere. An upstream that cannot be read or ends early gives a stream
    ending with an error frame, never an exception. ``created``: as for :class:`Stream`
    (a gateway passes its clock; a translation never reads it)."""
    return pump(_SSE(request, created, losses), byte_chunks)


def async_sse(
    byte_chunks: AsyncIterable[bytes],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(_SSE(request, created, losses), byte_chunks)


def _tag(struct: Any) -> str:
    """The ``type`` a tagged struct is encoded with (msgspec keeps it out of the attributes)."""
    return struct.__struct_config__.tag  # type: ignore[no-any-return]
