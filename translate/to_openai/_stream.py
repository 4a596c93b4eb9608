"""Anthropic Messages stream events -> openai ``ChatCompletionChunk`` stream.

A sans-I/O state machine in the style of h11: :class:`Stream` is fed one upstream event at
a time (``feed``) and returns the openai chunks that event completes; ``close`` ends the
stream. It never reads or writes anything itself. :class:`SSE` is the same at the bytes
level (anthropic SSE bytes in, openai SSE bytes out); :func:`stream`, :func:`sse` and
:func:`async_sse` wrap them for iterables.

The machine: the message is in one :class:`State` and each open content block in one
:class:`Block` state; what an event does in a state is one entry of ``TRANSITIONS``
(``{state: {event type: handler}}``, message and block rows alike, ``None`` standing for
any other event). No handler is reached any other way.

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

What the wild sends, read tolerantly: events after the end (after ``message_stop`` or an
``error`` event) are dropped with one Loss, however the bytes were split; a frame nested
too deeply to decode ends the stream like any unreadable frame; a ``tool_use`` block
without ``input`` is a call with ``{}`` (a Loss if nothing else says its arguments);
blocks that never stop are ended by ``message_delta``.

Memory is O(1) in the length of the stream, whatever the upstream sends: every piece is
passed on as it arrives; what is kept is the open blocks (at most ``MAX_OPEN_BLOCKS``: a
block opened beyond them ends the oldest, with a Loss), the last text while it could be
a refusal (at most ``REFUSAL_MAX`` characters), a few counters, and the loss ledger
(``_ledger.OnceLedger``: at most 256 distinct losses).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode
from .._errors import Loss, LossError, LossKind, TranslationError
from .._ledger import OnceLedger
from .._tables import tag
from .._tools import openai_id
from .._usage import to_openai_usage, where_served
from ..sse import DONE, SSEDecoder, apump, encode_data, pump
from . import _refine as r
from ._error import error as _error_body

__all__ = ["SSE", "Block", "State", "Stream", "async_sse", "sse", "stream"]

_event_decoder = msgspec.json.Decoder(a.StreamEvent)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()

REFUSAL_MAX = 4096
"""The longest last text kept to recognise a refusal also said as text (a sentence)."""
MAX_OPEN_BLOCKS = 64
"""Blocks open at once (Anthropic opens one at a time); a block opened beyond them ends
the one opened first, with a Loss, so an upstream that never stops a block cannot grow
the state."""

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
_AFTER_END = "events after the end of the stream"

Out = o.ChatCompletionChunk | o.ErrorBody
_BARE: Any = o.ChunkDelta  # what _DeltaStream returns for a plain content chunk


class State(enum.StrEnum):
    """The state of the message. (``StrEnum``: a member hashes as its string, cached,
    where a plain ``Enum`` member hashes in Python; the table is a dict on them.)"""

    IDLE = "IDLE"  # nothing received yet
    OPEN = "OPEN"  # message_start came: the role chunk is sent; blocks open and close
    FINISHED = "FINISHED"  # message_delta said the stop reason: the finish chunk is sent
    CLOSED = "CLOSED"  # message_stop, an error, close() or abort(): nothing follows


class Block(enum.StrEnum):
    """The state of one open content block (values distinct from ``State``'s: one table)."""

    TEXT = "TEXT"  # a text block: its pieces are delta.content
    THINKING = "THINKING"  # a thinking block: reasoning_content + reasoning_details[key]
    REDACTED = "REDACTED"  # a redacted thinking block: said whole when it starts
    TOOL_EMPTY = "TOOL_EMPTY"  # a tool call, none of its arguments said yet
    TOOL_SAID = "TOOL_SAID"  # a tool call, some of its arguments said
    COMPACTION = "COMPACTION"  # a compaction block: its summary said as delta.content
    DROPPED = "DROPPED"  # a block with no openai twin (a Loss): its deltas go with it


# The members as module constants: an Enum member looked up on its class costs ~0.1 us
# in CPython 3.11, a global a tenth of that, and the hot path compares states per event.
IDLE, OPEN, FINISHED, CLOSED = State.IDLE, State.OPEN, State.FINISHED, State.CLOSED
TEXT, THINKING, REDACTED = Block.TEXT, Block.THINKING, Block.REDACTED
TOOL_EMPTY, TOOL_SAID, DROPPED = Block.TOOL_EMPTY, Block.TOOL_SAID, Block.DROPPED
COMPACTION = Block.COMPACTION


class _Open:
    """An open anthropic block: its state, the openai index it speaks through (tool call
    or reasoning_details index), whether its tool_use came without ``input``."""

    __slots__ = ("key", "no_input", "row", "state")

    def __init__(self, state: Block, key: int) -> None:
        self.key = key
        self.no_input = False
        self.to(state)

    def to(self, state: Block) -> None:
        self.state = state
        self.row = TRANSITIONS[state]


Handler = Callable[..., list[Any]]


class Stream(OnceLedger):
    """Anthropic stream events in, openai chat completion chunks out.

    ``feed(item)`` takes one event: a ``translate.anthropic`` event struct, a dict, or the
    bytes / str of one JSON payload, and returns the chunks it completed (the ``[DONE]``
    sentinel is the SSE layer's: see :class:`SSE`). ``close()`` ends the stream: if it
    ended before ``message_delta``, an error chunk says so. ``abort(message)`` ends it now
    with an error chunk. An event that cannot be read (not JSON, nested too deeply, not an
    event) raises ``TranslationError``; events after the end give nothing (one Loss).

    ``request``: the client's original openai request, if at hand: the model it asked for
    is echoed and ``stream_options.include_usage`` decides the usage chunk (without a
    request the usage chunk is sent: anthropic streams always carry usage).
    ``created``: the ``created`` timestamp of every chunk: a gateway passes its clock; ``0``
    otherwise, since an anthropic stream says nothing of time and a translation never
    reads the clock (as ``to_openai.response``).
    ``losses`` / ``strict``: as for :class:`translate.to_anthropic.Stream`.
    """

    __slots__ = (
        "_bare",
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
        "_names",
        "_row",
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
        self.losses: list[Loss] = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        self._bare = False  # plain content chunks as their bare delta (see _DeltaStream)
        self._to(IDLE)
        self._model: str | None = None
        self._include_usage = True
        self._tier: Any = UNSET  # the chunks' service_tier
        self._names: dict[str, str] = {}  # tool names to_anthropic.request rewrote
        req = r.client_request(request)
        if req is not None:
            self._names = r.restore_names(req)
            self._model = req.model
            opts = req.stream_options
            self._include_usage = isinstance(opts, o.StreamOptions) and opts.include_usage is True
        self._created = created
        self._id = ""
        self._blocks: dict[int, _Open] = {}  # open blocks by anthropic index, oldest first
        self._last: _Open | None = None  # the block opened last (the one deltas go to)
        self._last_index = -1
        self._tools = 0  # tool_use blocks seen: the next tool call index
        self._thoughts = 0  # thinking blocks seen: the next reasoning_details index
        self._texts = 0  # thinking blocks with text seen (for the "\n\n" join)
        self._usage = a.Usage(input_tokens=0, output_tokens=0)  # the message's, as accumulated
        # The last text block's text while it is short (a refusal said as text is a
        # sentence): enough to recognise it, its pieces (empty ones skipped) at most
        # REFUSAL_MAX characters in all, so at most REFUSAL_MAX pieces.
        self._last_text: list[str] | None = None
        self._last_len = 0
        self._events = 0

    # -- the public surface ------------------------------------------------------------

    def feed(self, item: Any) -> list[Out]:
        """Take one upstream event; return the openai chunks it completes, in order."""
        if self.state is CLOSED:
            return self._after_end(item)  # answered before decoding: nothing is read
        self._events += 1
        try:
            t = type(item)
            if t is str or t is bytes or t is bytearray or t is memoryview:
                try:
                    event = _event_decoder.decode(item)
                except msgspec.DecodeError:
                    event = self._slow(item)
            elif type(item) in _EVENT_STRUCTS:
                event = item
            else:
                event = self._slow(item)
            if event is None:
                return []
            return self._row[type(event)](self, event)
        except RecursionError:
            # A frame nested deeper than the decoder (or the encoder) goes: unreadable.
            raise TranslationError(
                f"event[{self._events - 1}]", "nested too deeply to decode"
            ) from None

    def close(self) -> list[Out]:
        """End of the upstream stream. After ``message_delta`` the message is complete
        (a missing ``message_stop`` loses nothing); before it, an error chunk ends it."""
        if self.state is CLOSED:
            return []
        if self.state is FINISHED:
            return self._stop()
        if self.state is IDLE:
            return self._abort("the upstream stream ended before message_start")
        return self._abort("the upstream stream ended before its message_delta")

    def abort(self, message: str, kind: str = "api_error") -> list[Out]:
        """End the stream now with an error chunk (``kind``: an anthropic error type)."""
        if self.state is CLOSED:
            return []
        return self._abort(message, kind)

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        """Record a loss found around the stream (e.g. by the SSE layer) in its ledger."""
        self._lose(path, kind, detail)

    def envelope(self) -> o.ChatCompletionChunk:
        """What every chunk of this stream shares (``id``, ``created``, ``model``,
        ``service_tier``), as a chunk without choices."""
        return o.ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,  # type: ignore[arg-type]
            choices=[],
            service_tier=self._tier,
        )

    # -- reading -----------------------------------------------------------------------

    def _slow(self, item: Any) -> Any:
        """An event the typed decoder refused: unknown fields (reported), an event type
        this library does not know (Anthropic: new event types may be added; reported and
        skipped), or not an event at all (``TranslationError``)."""
        value = item
        if hasattr(item, "model_dump"):
            value = item.model_dump(mode="json", by_alias=True, exclude_unset=True)
        elif not isinstance(item, dict):
            try:
                value = _any_decoder.decode(item)
            except msgspec.DecodeError as exc:
                raise TranslationError(
                    f"event[{self._events - 1}]", f"not valid JSON: {exc}"
                ) from None
        if (
            isinstance(value, dict)
            and isinstance(value.get("type"), str)
            and value["type"] not in _EVENT_TYPES
        ):
            self._lose(value["type"], "dropped", "an event type this translator does not know")
            return None
        unknown: list[Unknown] = []
        event: Any = decode(value, a.StreamEvent, unknown)  # type: ignore[arg-type]
        for u in unknown:
            self._lose(f"{u.path}.{u.key}" if u.path else u.key, "dropped", u.detail)
        return event

    # -- transitions of the message ----------------------------------------------------

    def _to(self, state: State) -> None:
        self.state = state
        self._row = TRANSITIONS[state]

    def _before_start(self, event: Any) -> list[Out]:
        raise TranslationError(f"event[{self._events - 1}]", f"{tag(event)} before message_start")

    def _unexpected(self, event: Any) -> list[Out]:
        raise TranslationError(f"event[{self._events - 1}]", f"unexpected {tag(event)}")

    def _after_end(self, event: Any) -> list[Out]:
        self._lose("", "dropped", _AFTER_END)
        return []

    def _ping(self, event: a.PingEvent) -> list[Out]:
        return []  # Anthropic: "Event streams may also include any number of ping events."

    def _error(self, event: a.ErrorEvent) -> list[Out]:
        return self._abort(event.error.message, event.error.type)

    def _start(self, event: a.MessageStartEvent) -> list[Out]:
        """OpenAI: the first chunk's delta says ``role: assistant`` (and ``content: ""``)."""
        self._to(OPEN)
        m = event.message
        self._id = m.id
        if self._model is None:
            self._model = m.model
        if m.usage is not UNSET:
            self._usage = msgspec.structs.replace(m.usage)
            self._tier = r.served_tier(m.usage, self._lose)
        r.message_extras(m, self._lose)
        for i in range(len(m.content)):
            self._lose(f"message.content[{i}]", "dropped", "content inside message_start")
        return [self._chunk(o.ChunkDelta(role="assistant", content=""))]

    def _block_start(self, event: a.ContentBlockStartEvent) -> list[Out]:
        index = event.index
        out: list[Out] = []
        old = self._blocks.pop(index, None)
        if old is not None:
            out += self._end(old, index, "a block started again before it stopped")
        elif len(self._blocks) >= MAX_OPEN_BLOCKS:
            first = next(iter(self._blocks))
            out += self._end(self._blocks.pop(first), first, "a block never stopped")
        b: Any = event.content_block  # dispatched on its exact type, as fast as it gets
        t = type(b)
        path = f"content[{index}]"
        if t is a.TextBlock:
            block = _Open(TEXT, 0)
            self._last_text = [b.text] if len(b.text) <= REFUSAL_MAX else None
            self._last_len = len(b.text)
            if self._tools:
                self._lose(
                    path, "approximated", "text after a tool call moves before the tool calls"
                )
            if b.text:
                out.append(self._chunk(o.ChunkDelta(content=b.text)))
            if b.citations:
                self._lose(f"{path}.citations", "dropped", "citations have no openai twin")
        elif t is a.ThinkingBlock or t is a.RedactedThinkingBlock:
            block = _Open(THINKING if t is a.ThinkingBlock else REDACTED, self._thoughts)
            self._thoughts += 1
            detail = r.reasoning_detail(b, block.key)
            carried = b.openai_detail
            if carried is not UNSET and carried.index not in (UNSET, block.key):
                self._lose(
                    f"{path}.openai_detail.index", "dropped", "a stream's index is its own key"
                )
            if t is a.ThinkingBlock:
                # Thinking blocks are joined in reasoning_content as the response joins them.
                text = (r.REASONING_JOIN if self._texts else "") + b.thinking
                self._texts += 1
            else:
                text = ""  # reasoning_content holds the thinking texts; a redacted block has none
            out.append(
                self._chunk(o.ChunkDelta(reasoning_content=text, reasoning_details=[detail]))
            )
        elif t is a.ToolUseBlock:
            block = _Open(TOOL_EMPTY, self._tools)
            self._tools += 1
            args = ""
            if b.input:  # a provider that sends the input whole
                args = r.tool_arguments(b, path, self._lose)
                block.to(TOOL_SAID)
            block.no_input = type(b.input) is a.NoInput
            call = o.DeltaToolCall(
                index=block.key,
                id=openai_id(b.id),
                type="function",
                function=o.DeltaFunction(
                    name=self._names.get(b.name, b.name) if self._names else b.name,
                    arguments=args,
                ),
            )
            out.append(self._chunk(o.ChunkDelta(tool_calls=[call])))
            r.tool_use_extras(b, path, self._lose)
        elif t is a.CompactionBlock:
            block = _Open(COMPACTION, 0)  # key: 1 once some of the summary is said
            if b.content:
                block.key = 1
                out.append(self._chunk(o.ChunkDelta(content=b.content)))
        else:
            block = _Open(DROPPED, -1)
            r.dropped_block(b, path, self._lose)
        self._blocks[index] = self._last = block
        self._last_index = index
        return out

    def _late_block(self, event: a.ContentBlockStartEvent) -> list[Out]:
        self._lose(f"content_block_start[{event.index}]", "dropped", "a block after message_delta")
        return []

    def _block_event(self, event: a.ContentBlockDeltaEvent) -> list[Out]:
        """A delta: the open block's row says what it does."""
        index = event.index
        block = self._last if index == self._last_index else self._blocks.get(index)
        if block is None:
            self._lose(
                f"content_block_delta[{index}]", "dropped", "a delta for a block that is not open"
            )
            return []
        return block.row[type(event.delta)](self, block, event)

    def _block_stop(self, event: a.ContentBlockStopEvent) -> list[Out]:
        index = event.index
        block = self._blocks.pop(index, None)
        if index == self._last_index:
            self._last_index = -1
            self._last = None
        if block is None:
            return []  # nothing open there: nothing to end
        return block.row[a.ContentBlockStopEvent](self, block, event)

    def _message_delta(self, event: a.MessageDeltaEvent) -> list[Out]:
        """Anthropic ``message_delta``: the stop reason and the cumulative usage. OpenAI:
        the stop reason is the ``finish_reason`` of a last choice chunk with an empty
        delta (``_refine.finish_fields``), a refusal's explanation a ``refusal`` piece."""
        self._usage_update(event)
        d = event.delta
        reason = d.stop_reason
        if reason is UNSET or reason is None:
            return []  # a usage update only
        out = self._end_all()
        self._to(FINISHED)
        refusal = r.refusal(d.stop_details, reason, self._lose)
        if refusal is not None:
            last = self._last_text
            if reason == "refusal" and last is not None and "".join(last) == refusal:
                # to_anthropic says an openai refusal as a last text block too; the
                # response takes it back out of content, a stream has sent it already.
                self._lose(
                    "stop_details.explanation",
                    "approximated",
                    "the refusal was also said as text: it stays in content",
                )
            out.append(self._chunk(o.ChunkDelta(refusal=refusal)))
        finish, native, matched = r.finish_fields(
            reason, d.stop_sequence, bool(self._tools), self._lose
        )
        chunk = self._chunk(o.ChunkDelta(), finish)
        choice = chunk.choices[0]
        choice.native_finish_reason = native
        choice.stop_reason = matched
        out.append(chunk)
        return out

    def _usage_update(self, event: a.MessageDeltaEvent) -> list[Out]:
        """Anthropic: usage on ``message_delta`` is cumulative; a count left out (or
        ``null``) keeps the value ``message_start`` gave, as the SDK accumulates it."""
        u = event.usage
        if u is not UNSET:
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
        r.message_extras(event.delta, self._lose, ("container",))
        return []

    def _early_stop(self, event: a.MessageStopEvent) -> list[Out]:
        return self._abort("message_stop before any stop reason")

    def _message_stop(self, event: a.MessageStopEvent) -> list[Out]:
        return self._stop()

    def _stop(self) -> list[Out]:
        """Anthropic ``message_stop``. OpenAI: the usage chunk, ``choices: []``, if asked for."""
        self._to(CLOSED)
        usage = to_openai_usage(self._usage, self._lose)
        where_served(self._usage, self._lose)
        if not self._include_usage:
            return []
        chunk = self.envelope()
        chunk.usage = usage
        return [chunk]

    def _abort(self, message: str, kind: str = "api_error") -> list[Out]:
        """An anthropic ``error`` event, or a stream that cannot go on -> the openai
        mid-stream error frame, ``{"error": {...}}``; the stream ends there."""
        if self.state is IDLE:
            self._lose("", "dropped", message)
        self._to(CLOSED)
        self._blocks.clear()
        self._last_index = -1
        self._last = None
        # The one error table (``_tables.ERRORS``), through the error converter.
        _, body = _error_body(a.ErrorResponse(error=a.ErrorObject(type=kind, message=message)))
        return [body]

    # -- transitions of a block --------------------------------------------------------

    def _text(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        text = event.delta.text  # type: ignore[union-attr]
        last = self._last_text
        if last is not None and text:
            self._last_len += len(text)
            if self._last_len > REFUSAL_MAX:
                self._last_text = None
            else:
                last.append(text)
        delta: Any = o.ChunkDelta(content=text)
        return [delta if self._bare else self._chunk(delta)]

    def _thinking(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        text = event.delta.thinking  # type: ignore[union-attr]
        detail = o.ReasoningText(text=text, index=block.key)
        delta: Any = o.ChunkDelta(reasoning_content=text, reasoning_details=[detail])
        return [delta if self._bare else self._chunk(delta)]

    def _signature(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        # The signature travels in the thinking block's reasoning_details entry.
        detail = o.ReasoningText(signature=event.delta.signature, index=block.key)  # type: ignore[union-attr]
        return [self._chunk(o.ChunkDelta(reasoning_details=[detail]))]

    def _arguments(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        piece = event.delta.partial_json  # type: ignore[union-attr]
        if not piece:
            return []
        if block.state is TOOL_EMPTY:
            block.to(TOOL_SAID)
        call = o.DeltaToolCall(index=block.key, function=o.DeltaFunction(arguments=piece))
        delta: Any = o.ChunkDelta(tool_calls=[call])
        return [delta if self._bare else self._chunk(delta)]

    def _citations(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        path = f"content[{event.index}].citations_delta"
        self._lose(path, "dropped", "citations have no openai twin")
        return []

    def _compaction(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        # Its encrypted_content goes with the block's Loss (``_compaction_end``).
        delta: a.CompactionDelta = event.delta  # type: ignore[assignment]
        if not delta.content:
            return []
        block.key = 1
        return [self._chunk(o.ChunkDelta(content=delta.content))]

    def _compaction_end(self, block: _Open, event: a.ContentBlockStopEvent) -> list[Out]:
        """The summary said (the response's ``_refine.compaction``): what follows it starts
        a paragraph of its own; none said: a failed compaction, nothing."""
        r.compaction_loss(block.key == 1, f"content[{event.index}]", self._lose)
        return [self._chunk(o.ChunkDelta(content=r.COMPACTION_END))] if block.key else []

    def _mismatch(self, block: _Open, event: a.ContentBlockDeltaEvent) -> list[Out]:
        path = f"content[{event.index}].{tag(event.delta)}"
        self._lose(path, "dropped", "a delta of another kind than its block")
        return []

    def _nothing(self, block: _Open, event: Any) -> list[Out]:
        return []

    def _no_arguments(self, block: _Open, event: Any) -> list[Out]:
        """A tool_use block "starts with input: {}" and no piece followed: the input is
        the empty object, the arguments ``"{}"``, as in a non-streamed response."""
        if block.no_input:
            self._lose(
                f"content[{event.index}].input",
                "coerced",
                "a tool_use without input: called with {}",
            )
        call = o.DeltaToolCall(index=block.key, function=o.DeltaFunction(arguments="{}"))
        return [self._chunk(o.ChunkDelta(tool_calls=[call]))]

    # -- helpers -----------------------------------------------------------------------

    def _end(self, block: _Open, index: int, why: str) -> list[Out]:
        """End a block that was not stopped: as its stop would, with a Loss."""
        if block.state is not DROPPED:
            self._lose(f"content[{index}]", "approximated", why)
        if block is self._last:
            self._last = None
            self._last_index = -1
        return block.row[a.ContentBlockStopEvent](self, block, a.ContentBlockStopEvent(index=index))

    def _end_all(self) -> list[Out]:
        out: list[Out] = []
        while self._blocks:
            index = next(iter(self._blocks))
            out += self._end(self._blocks.pop(index), index, "a block never stopped")
        return out

    def _chunk(self, delta: o.ChunkDelta, finish: str | None = None) -> o.ChatCompletionChunk:
        return o.ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,  # type: ignore[arg-type]
            choices=[o.ChunkChoice(index=0, delta=delta, finish_reason=finish)],
            service_tier=self._tier,
        )


# The one table: what each event does in each state. Rows of the message are keyed by
# event type, rows of a block by delta type (and ContentBlockStopEvent, its end); ``None``
# is any other event. ``_complete`` then spells ``None`` out for every type of its kind,
# so a lookup is a plain subscript on the hot path.
TRANSITIONS: dict[State | Block, dict[type | None, Handler]] = {
    State.IDLE: {
        a.MessageStartEvent: Stream._start,
        a.PingEvent: Stream._ping,
        a.ErrorEvent: Stream._error,
        None: Stream._before_start,
    },
    State.OPEN: {
        a.ContentBlockDeltaEvent: Stream._block_event,
        a.ContentBlockStartEvent: Stream._block_start,
        a.ContentBlockStopEvent: Stream._block_stop,
        a.MessageDeltaEvent: Stream._message_delta,
        a.MessageStopEvent: Stream._early_stop,
        a.PingEvent: Stream._ping,
        a.ErrorEvent: Stream._error,
        None: Stream._unexpected,
    },
    State.FINISHED: {
        a.ContentBlockDeltaEvent: Stream._block_event,
        a.ContentBlockStartEvent: Stream._late_block,
        a.ContentBlockStopEvent: Stream._block_stop,
        a.MessageDeltaEvent: Stream._usage_update,
        a.MessageStopEvent: Stream._message_stop,
        a.PingEvent: Stream._ping,
        a.ErrorEvent: Stream._error,
        None: Stream._unexpected,
    },
    State.CLOSED: {None: Stream._after_end},
    Block.TEXT: {
        a.TextDelta: Stream._text,
        a.CitationsDelta: Stream._citations,
        a.ContentBlockStopEvent: Stream._nothing,
        None: Stream._mismatch,
    },
    Block.THINKING: {
        a.ThinkingDelta: Stream._thinking,
        a.SignatureDelta: Stream._signature,
        a.ContentBlockStopEvent: Stream._nothing,
        None: Stream._mismatch,
    },
    Block.REDACTED: {a.ContentBlockStopEvent: Stream._nothing, None: Stream._mismatch},
    Block.TOOL_EMPTY: {
        a.InputJSONDelta: Stream._arguments,
        a.ContentBlockStopEvent: Stream._no_arguments,
        None: Stream._mismatch,
    },
    Block.TOOL_SAID: {
        a.InputJSONDelta: Stream._arguments,
        a.ContentBlockStopEvent: Stream._nothing,
        None: Stream._mismatch,
    },
    Block.COMPACTION: {
        a.CompactionDelta: Stream._compaction,
        a.ContentBlockStopEvent: Stream._compaction_end,
        None: Stream._mismatch,
    },
    Block.DROPPED: {None: Stream._nothing},
}

_EVENT_STRUCTS = frozenset(a.StreamEvent.__args__)
_BLOCK_EVENTS = frozenset((*a.Delta.__args__, a.ContentBlockStopEvent))


def _complete(table: dict[State | Block, dict[type | None, Handler]]) -> None:
    for state, row in table.items():
        for t in _EVENT_STRUCTS if isinstance(state, State) else _BLOCK_EVENTS:
            row.setdefault(t, row[None])


_complete(TRANSITIONS)


# --- the bytes level --------------------------------------------------------------------


class _DeltaStream(Stream):
    """The state machine of :class:`SSE`: a plain content chunk is returned as its bare
    ``ChunkDelta`` and :class:`SSE` writes the envelope around it from bytes encoded once
    per stream (``id``, ``created`` and ``model`` never change). The bytes are exactly
    those of the whole chunk encoded (a test holds them equal); only the time differs."""

    __slots__ = ()

    def __init__(self, request: Any, created: int, losses: list[Loss] | None, strict: bool) -> None:
        Stream.__init__(self, request, created=created, losses=losses, strict=strict)
        self._bare = True  # the hot handlers return their delta without calling _chunk

    def _chunk(self, delta: o.ChunkDelta, finish: str | None = None) -> Any:
        if finish is None:
            return delta
        return Stream._chunk(self, delta, finish)


class SSE:
    """Anthropic SSE bytes in, openai SSE bytes out: the bytes-level translator.

    ``feed(data)`` takes the next bytes of the upstream stream, split anywhere, and returns
    the openai frames they completed (``data: <chunk>``, ending with ``data: [DONE]``);
    ``close()`` ends the stream; ``abort(reason)`` ends it now with an error frame (a
    gateway whose upstream connection broke). It never raises on what the upstream sends
    (``strict=True`` aside, which raises ``LossError`` at the first loss): a frame that
    cannot be read, a stream that stops early, ends with an error frame. Nothing follows
    the end, however the bytes arrive; frames after it are one Loss. ``losses``: the
    ledger, as for :class:`Stream`; the other arguments are :class:`Stream`'s too.
    """

    __slots__ = ("_decoder", "_ended", "_prefix", "_stream", "_suffix")

    def __init__(
        self,
        request: Any = None,
        *,
        created: int = 0,
        losses: list[Loss] | None = None,
        strict: bool = False,
    ) -> None:
        self._decoder = SSEDecoder(event_types=_EVENT_TYPES)
        self._stream = _DeltaStream(request, created, losses, strict)
        self._ended = False
        self._prefix = b""
        self._suffix = b""

    @property
    def losses(self) -> list[Loss]:
        return self._stream.losses

    @property
    def ended(self) -> bool:
        """The client's stream has ended (``[DONE]`` or an error frame was returned)."""
        return self._ended

    def feed(self, data: bytes) -> bytes:
        if self._ended:
            self._after_end(data)
            return b""
        s = self._stream
        chunks: list[Any] = []
        try:
            # The event type is in the JSON too ("type"); the SSE ``event`` field is only
            # its echo, so the data alone decides.
            text = self._decoder.feed_data(data)
            if text is not None:  # the common case: one read, one frame, (mostly) one chunk
                chunks = s.feed(text)  # bare ChunkDeltas among them: see _DeltaStream
                if len(chunks) == 1 and type(chunks[0]) is _BARE and self._prefix:
                    return self._prefix + _encoder.encode(chunks[0]) + self._suffix
            else:
                frames = self._decoder.feed(data)
                for i, frame in enumerate(frames):
                    try:
                        chunks += s.feed(frame.data)
                    except LossError:
                        raise
                    except TranslationError as exc:
                        chunks += s.abort(f"the upstream stream could not be read: {exc}")
                    if s.state is CLOSED:
                        self._later(frames[i + 1 :])
                        break
        except LossError:
            raise
        except TranslationError as exc:
            chunks += s.abort(f"the upstream stream could not be read: {exc}")
        return self._frames(chunks)

    def close(self) -> bytes:
        if self._ended:
            return b""
        s = self._stream
        try:
            self._decoder.close()
        except TranslationError as exc:  # an error the last feed() completed frames before
            return self._frames(s.abort(f"the upstream stream could not be read: {exc}"))
        if self._decoder.truncated:
            s.lose("", "dropped", "the upstream stream ended inside a frame")
        return self._frames(s.close())

    def abort(self, reason: str, kind: str = "api_error") -> bytes:
        """End the client's stream now with an error frame saying ``reason`` (``kind``:
        an anthropic error type, as an ``error`` event would name it)."""
        if self._ended:
            return b""
        return self._frames(self._stream.abort(reason, kind))

    def _after_end(self, data: bytes) -> None:
        try:
            frames = self._decoder.feed(data)
        except TranslationError:
            return  # an unreadable frame after the end: nothing of it would be said
        self._later(frames)

    def _later(self, frames: list[Any]) -> None:
        """Frames after the end: dropped, one Loss (``[DONE]`` is no event: nothing)."""
        for frame in frames:
            if frame.data != "[DONE]":
                self._stream.lose("", "dropped", _AFTER_END)
                return

    def _frames(self, chunks: list[Any]) -> bytes:
        encode = _encoder.encode
        out = b""
        for c in chunks:
            if type(c) is _BARE:
                if not self._prefix:
                    self._envelope()
                out += self._prefix + encode(c) + self._suffix
            else:
                out += encode_data(encode(c))
        if self._stream.state is CLOSED:
            self._ended = True
            # OpenAI ends a stream with "data: [DONE]"; an error frame ends it alone.
            if not chunks or type(chunks[-1]) is not o.ErrorBody:
                out += DONE
        return out

    def _envelope(self) -> None:
        encode = _encoder.encode
        head = self._stream.envelope()
        tier = head.service_tier
        head.service_tier = UNSET
        # '{"id":...,"model":...,"choices":[]}' -> up to '"choices":[' + the choice head.
        self._prefix = b"data: " + encode(head)[:-2] + b'{"index":0,"delta":'
        tail = o.ChatCompletionChunk(id="", created=0, model="", choices=[], service_tier=tier)
        # '...,"choices":[]' + ',"service_tier":...}' when there is one.
        self._suffix = (
            b',"finish_reason":null}]' + encode(tail).split(b'"choices":[]', 1)[1] + b"\n\n"
        )


# --- wrappers ---------------------------------------------------------------------------


def stream(
    events: Iterable[Any],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[Out]:
    """The openai chunks for an iterable of anthropic events (structs, dicts or JSON)."""
    s = Stream(request, created=created, losses=losses, strict=strict)
    for event in events:
        yield from s.feed(event)
    yield from s.close()


def sse(
    byte_chunks: Iterable[bytes],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[bytes]:
    """Anthropic SSE bytes in -> openai SSE bytes out, ending with ``data: [DONE]``: an
    :class:`SSE` pumped over ``byte_chunks``. Input may be split anywhere. An upstream that
    cannot be read or ends early gives a stream ending with an error frame, never an
    exception. ``created``: as for :class:`Stream` (a gateway passes its clock; a
    translation never reads it)."""
    return pump(SSE(request, created=created, losses=losses, strict=strict), byte_chunks)


def async_sse(
    byte_chunks: AsyncIterable[bytes],
    *,
    request: Any = None,
    created: int = 0,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(SSE(request, created=created, losses=losses, strict=strict), byte_chunks)
