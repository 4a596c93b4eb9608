"""Openai ``ChatCompletionChunk`` stream -> anthropic Messages stream events.

A sans-I/O state machine in the style of h11: :class:`Stream` is fed one upstream chunk at
a time (``feed``) and returns the anthropic events that chunk completes; ``close`` ends
the stream. It never reads or writes anything itself. :class:`SSE` is the same machine
over bytes (SSE in, SSE out); :func:`stream`, :func:`sse` and :func:`async_sse` drive them.

The rules it implements, each cited where it is implemented:

- Anthropic, "Streaming Messages", event flow: "a ``message_start`` event; then a series
  of content blocks, each of which have a ``content_block_start``, one or more
  ``content_block_delta`` events, and a ``content_block_stop`` event. Each content block
  will have an ``index`` that corresponds to its index in the final Message ``content``
  array; then one or more ``message_delta`` events, indicating top-level changes to the
  final Message object; a final ``message_stop`` event."
- OpenAI, "Chat Completions streaming": a tool call's fragments are keyed by
  ``tool_calls[].index``; its first fragment carries ``id`` and ``function.name``, later
  ones argument pieces. With ``stream_options.include_usage`` "an additional chunk will be
  streamed before the ``data: [DONE]`` message. The ``usage`` field on this chunk shows the
  token usage statistics for the entire request, and the ``choices`` field will always be
  an empty array." A mid-stream error is a ``data: {"error": {...}}`` frame.

The machine has three levels of state, each an Enum, and each level's transitions are one
table ``{state: {event: handler}}`` (``MESSAGE``, ``BLOCKS``, ``CALLS``):

- the message (``Msg``): IDLE (nothing yet), OPEN (``message_start`` sent), FINISHED (a
  finish reason came: blocks closed, waiting for the usage or the end), CLOSED (``message_stop``
  or ``error`` sent: nothing follows, whatever arrives);
- the open content block (``Block``): NONE, THINKING, TEXT, TOOL; events are the pieces of
  content (``Piece``) that arrive: thinking, text, a tool call's block, the stop;
- each tool call (``Call``): PENDING (no name yet), HELD (named; its arguments are held
  whole), OPEN (released: its ``tool_use`` block is the open one, its arguments stream),
  DONE (said: later pieces are a Loss), GHOST (it never got a name: a Loss, never a
  block); events (``Frag``): a name, arguments, the end.

Real upstreams are read as they are (DESIGN.md, "Reading the wild"):

- a fragment without ``index`` (Google) continues the call it follows, or, carrying an id
  or a name the call does not have, opens the next;
- a new ``id`` at a used ``index`` (Ollama, Gemini gateways: every call at ``index: 0``) is
  a new call;
- tool calls are held until the content ends (the finish, the end, an error) and then
  said whole, after the text: so text beside or between argument pieces (vLLM with
  speculative decoding puts content in the same delta) never cuts a call, and the stream
  says what the response says of the accumulated stream (one text, then the calls, each
  input read by ``parse_arguments``: an object, a double-encoded object decoded once,
  anything else as ``_raw_arguments``). Only when the held arguments of all calls pass
  ``MAX_HELD_ARGUMENTS`` characters is a call released: its block opens and streams (its
  arguments shaped piece by piece by ``_tools.Arguments``), and text that arrives beside
  it is held until it ends (``MAX_HELD_TEXT``); within one delta, fragments that continue
  the open call go first.

Memory is O(1) in the length of the stream, whatever the upstream sends: text and
thinking pieces are passed on as they arrive, never joined, and what is held is capped:
``MAX_HELD_ARGUMENTS`` characters of held calls' arguments (all of them), ``MAX_HELD_TEXT``
of text beside a released call, ``_tools.MAX_HELD_ARGUMENTS`` of a released call's
string-shaped arguments, ``MAX_REFUSAL`` of a refusal (its explanation; beyond, a Loss),
``MAX_CALLS`` calls known and held at a time (beyond, the oldest held one is said, or is a
ghost), and the loss ledger (``_ledger.MAX_STREAM_LOSSES``). A hostile stream reaches all
the caps at about 320 KB (``tests/test_state_to_anthropic.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from enum import IntEnum
from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode
from .._errors import Loss, LossError, LossKind, TranslationError
from .._ledger import OnceLedger
from .._tools import Arguments, parse_arguments
from .._usage import to_anthropic_usage
from ..sse import SSEDecoder, apump, encode_event_data, pump
from . import _refine as r
from ._error import error as _error_response

__all__ = [
    "MAX_CALLS",
    "MAX_HELD_ARGUMENTS",
    "MAX_HELD_TEXT",
    "MAX_REFUSAL",
    "SSE",
    "Block",
    "Call",
    "Frag",
    "Msg",
    "Piece",
    "Stream",
    "async_sse",
    "sse",
    "stream",
]

MAX_HELD_TEXT = 4_096
"""Characters of text held beside an open tool call before the call is ended (the text
vLLM puts beside arguments is the few tokens of one speculative step)."""
MAX_HELD_ARGUMENTS = 4_096
"""Characters of arguments held in all held tool calls (beyond, a named call streams)."""
_COMPACT = 32  # held pieces are joined when there are more, so their count stays small
MAX_REFUSAL = 16_384
"""Characters of a refusal kept (for ``stop_details.explanation`` and its text block)."""
MAX_CALLS = 64
"""Tool calls known at a time; the oldest stopped (or nameless) one is forgotten first."""

_chunk_decoder = msgspec.json.Decoder(o.ChatCompletionChunk)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


class Msg(IntEnum):
    """The message's state."""

    IDLE = 0
    OPEN = 1
    FINISHED = 2
    CLOSED = 3


class Ev(IntEnum):
    """What happens to the message."""

    CHUNK = 0  # an upstream chunk
    FINISH = 1  # its choice has a finish reason
    DONE = 2  # the [DONE] sentinel
    CLOSE = 3  # the upstream ended
    ERROR = 4  # an upstream error frame
    ABORT = 5  # the caller (or an unreadable upstream) ends it


class Block(IntEnum):
    """The kind of the open content block."""

    NONE = 0
    THINKING = 1
    TEXT = 2
    TOOL = 3


class Piece(IntEnum):
    """What arrives for the content."""

    THINKING = 0
    TEXT = 1
    TOOL = 2  # a tool call's block is to open
    STOP = 3  # no more of the open block (something else, the finish, the end)


class Call(IntEnum):
    """A tool call's state."""

    PENDING = 0  # no name yet: its argument pieces are held
    HELD = 1  # named, held whole until the content ends (or too much is held)
    OPEN = 2  # released: its block is the open one, its arguments stream
    DONE = 3  # said: later pieces are a Loss
    GHOST = 4  # it never got a name: a Loss, never a block


class Frag(IntEnum):
    """What arrives for a tool call."""

    NAME = 0
    ARGS = 1
    END = 2


# Module-level aliases: the hot path reads them without an attribute lookup.
IDLE, OPEN, FINISHED, CLOSED = Msg.IDLE, Msg.OPEN, Msg.FINISHED, Msg.CLOSED
_NONE, _THINKING, _TEXT, _TOOL = Block.NONE, Block.THINKING, Block.TEXT, Block.TOOL
_P_THINKING, _P_TEXT, _P_TOOL, _P_STOP = Piece.THINKING, Piece.TEXT, Piece.TOOL, Piece.STOP
_CHUNK, _FINISH, _DONE, _CLOSE, _ERROR, _ABORT = (
    Ev.CHUNK,
    Ev.FINISH,
    Ev.DONE,
    Ev.CLOSE,
    Ev.ERROR,
    Ev.ABORT,
)
_PENDING, _HELD, _CALL_OPEN = Call.PENDING, Call.HELD, Call.OPEN
_CALL_DONE, _GHOST = Call.DONE, Call.GHOST
_NAME, _ARGS, _END = Frag.NAME, Frag.ARGS, Frag.END


class _Call:
    """What is kept about one openai tool call."""

    __slots__ = ("args", "block", "held", "id", "label", "name", "pending", "size", "state")

    def __init__(self, label: str, ident: str) -> None:
        self.state = _PENDING
        self.label = label  # its openai index, for loss paths
        self.id = ident
        self.name = ""
        self.block = -1  # the anthropic block index, once it opened
        self.pending: list[str] = []  # argument pieces that came before the name
        self.size = 0
        self.held = False  # more pending pieces came than are kept
        self.args: Arguments | None = None

    def path(self) -> str:
        return f"choices[0].delta.tool_calls[index={self.label}]"


_NO_FUNCTION = o.DeltaFunction()


class _Approx:
    """``parse_arguments`` writes its losses here; they go to the stream's ledger."""

    __slots__ = ("lose",)

    def __init__(self, lose: Callable[[str, LossKind, str], None]) -> None:
        self.lose = lose

    def approx(self, path: str, detail: str) -> None:
        self.lose(path, "approximated", detail)


class Stream(OnceLedger):
    """Openai chat completion chunks in, anthropic stream events out.

    ``feed(item)`` takes one chunk: a ``translate.openai.ChatCompletionChunk`` or
    ``ErrorBody``, a dict, or the bytes / str of one JSON payload (``"[DONE]"`` included)
    and returns the events it completed. ``close()`` ends the stream and returns the last
    events: if no finish reason (nor ``[DONE]``) came, the open block is closed and an
    ``error`` event ends the stream, so that a consumer never waits for a ``message_stop``
    that cannot come. Once the stream has ended (``message_stop`` or ``error`` sent),
    nothing more is read or said.

    ``request``: the client's original anthropic request, if at hand. It restores tool
    names that ``to_openai.request`` shortened and the model name the client asked for.
    ``losses``: a list that receives a :class:`~translate.Loss` for whatever could not be
    carried (also kept as ``.losses``); each kind of loss is reported once per path, so
    the list stays small however long the stream. ``strict=True`` raises
    :class:`~translate.LossError` at the first loss instead.
    """

    __slots__ = (
        "_approx",
        "_call",
        "_calls",
        "_chunks",
        "_detail",
        "_finish",
        "_held",
        "_held_args",
        "_held_size",
        "_id",
        "_index",
        "_last",
        "_model",
        "_names",
        "_native",
        "_queue",
        "_refusal",
        "_refusal_size",
        "_seen",
        "_stop_sequence",
        "_stops",
        "_tools",
        "_unindexed",
        "_usage",
        "block",
        "losses",
        "state",
        "strict",
    )

    def __init__(
        self, request: Any = None, *, losses: list[Loss] | None = None, strict: bool = False
    ) -> None:
        self.state = IDLE
        self.block = _NONE  # the kind of the open block
        self.losses: list[Loss] = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        req = r.client_request(request)
        self._model = req.model if req is not None else None
        self._stops = r.stop_sequences(req)
        # The names to_openai.request shortened (the client's tools, history, tool_choice).
        self._names = r.restore_names(req)
        self._refusal: list[str] | None = None  # a refusal's pieces
        self._refusal_size = 0
        self._index = -1  # the index of the last block opened
        self._detail: Any = UNSET  # reasoning_details index of the open thinking block
        self._calls: dict[Any, _Call] = {}  # the calls known, by their key
        self._call: _Call | None = None  # the call whose block is open
        self._last: _Call | None = None  # the call the last fragment went to
        self._unindexed = 0  # calls opened by fragments without index
        self._held: list[str] = []  # text that came while a tool call was open
        self._held_size = 0
        self._held_args = 0  # characters of arguments held in all held calls
        self._queue: list[_Call] = []  # held calls (named or not), in order of arrival
        self._approx = _Approx(self._lose)
        self._tools = 0  # tool_use blocks opened
        self._finish: str | None = None
        self._native: Any = UNSET  # native_finish_reason of the finish chunk
        self._stop_sequence: Any = UNSET  # vLLM's choice stop_reason of the finish chunk
        self._usage: o.Usage | None = None
        self._id = ""
        self._chunks = 0

    # -- input -------------------------------------------------------------------------

    def feed(self, item: Any) -> list[a.StreamEvent]:
        """Take one upstream chunk; return the anthropic events it completes, in order."""
        if self.state is CLOSED:
            return []
        self._chunks += 1
        try:
            return self._feed(item)
        except RecursionError:
            raise self._too_deep() from None

    def _feed(self, item: Any) -> list[a.StreamEvent]:
        t = type(item)
        if t is str or t is bytes:
            try:
                chunk = _chunk_decoder.decode(item)
            except msgspec.DecodeError:
                return self._raw_slow(item)
            return MESSAGE[self.state][_CHUNK](self, chunk)
        if t is o.ChatCompletionChunk:
            return MESSAGE[self.state][_CHUNK](self, item)
        if t is bytearray or t is memoryview:
            return self._raw_slow(bytes(item))
        if t is o.ErrorBody:
            return MESSAGE[self.state][_ERROR](self, item)
        if isinstance(item, dict):
            body = _error_body(item)
            if body is not None:
                return MESSAGE[self.state][_ERROR](self, body)
        unknown: list[Unknown] = []
        chunk = decode(item, o.ChatCompletionChunk, unknown)
        self._unknown(unknown)
        return MESSAGE[self.state][_CHUNK](self, chunk)

    def feed_data(self, data: str | bytes) -> list[a.StreamEvent]:
        """``feed`` for the payload of one SSE ``data:`` line (what :class:`SSE` reads)."""
        if self.state is CLOSED:
            return []
        self._chunks += 1
        try:
            try:
                chunk = _chunk_decoder.decode(data)
            except msgspec.DecodeError:
                return self._raw_slow(data)
            return MESSAGE[self.state][_CHUNK](self, chunk)
        except RecursionError:
            raise self._too_deep() from None

    def _too_deep(self) -> TranslationError:
        # A chunk nested deeper than the decoder (or the encoder) goes: unreadable, like
        # any chunk that is not JSON; the SSE layer ends the stream with an error event.
        return TranslationError(f"chunk[{self._chunks - 1}]", "nested too deeply to decode")

    def _raw_slow(self, data: Any) -> list[a.StreamEvent]:
        # Not a plain chunk: the [DONE] sentinel, an error frame, or a chunk with fields
        # this library does not model (reported, not fatal).
        text = data if type(data) is str else bytes(data).decode("utf-8", "replace")
        if text.strip() == "[DONE]":
            return self.done()
        try:
            value = _any_decoder.decode(data)
        except msgspec.DecodeError as exc:
            raise TranslationError(f"chunk[{self._chunks - 1}]", f"not valid JSON: {exc}") from None
        if isinstance(value, dict):
            body = _error_body(value)
            if body is not None:
                return MESSAGE[self.state][_ERROR](self, body)
        unknown: list[Unknown] = []
        chunk = decode(value, o.ChatCompletionChunk, unknown)
        self._unknown(unknown)
        return MESSAGE[self.state][_CHUNK](self, chunk)

    def done(self) -> list[a.StreamEvent]:
        """The ``[DONE]`` sentinel: the upstream says the stream is over."""
        return MESSAGE[self.state][_DONE](self, None)

    def close(self) -> list[a.StreamEvent]:
        """End of the upstream stream (also without ``[DONE]``): the last events."""
        return MESSAGE[self.state][_CLOSE](self, None)

    def abort(self, message: str, kind: str = "api_error") -> list[a.StreamEvent]:
        """End the stream now with an ``error`` event (the open block is closed first)."""
        return MESSAGE[self.state][_ABORT](self, (message, kind))

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        """Record a Loss in this stream's ledger (once per path pattern and detail)."""
        self._lose(path, kind, detail)

    # -- the message: handlers of MESSAGE ------------------------------------------------

    def _ignore(self, _: Any) -> list[a.StreamEvent]:
        return []

    def _start(self, chunk: o.ChatCompletionChunk) -> list[a.StreamEvent]:
        """Anthropic: the stream starts with "a ``message_start`` event" holding a
        ``Message`` with empty ``content``; usage there is what is known so far."""
        self.state = OPEN
        self._id = r.message_id(chunk.id, self._lose)
        # Envelope fields repeat on every chunk; the first chunk speaks for all of them.
        for field in r.ENVELOPE_WITHOUT_TWIN:
            if getattr(chunk, field, None):
                self._lose(field, "dropped", "no twin in the anthropic dialect")
        usage = a.Usage(input_tokens=0, output_tokens=0)
        r.service_tier(chunk.service_tier, usage, self._lose)
        message = a.MessageResponse(
            id=self._id,
            model=self._model if self._model is not None else chunk.model,
            content=[],
            stop_reason=None,
            stop_sequence=None,
            usage=usage,
        )
        out: list[a.StreamEvent] = [a.MessageStartEvent(message=message)]
        out += self._chunk(chunk)
        return out

    def _chunk(self, chunk: o.ChatCompletionChunk) -> list[a.StreamEvent]:
        """One chunk of an open (or finished) message."""
        # Field tests use truthiness: UNSET, None, "" and [] all mean "nothing said".
        out: list[a.StreamEvent] = []
        for choice in chunk.choices:
            if choice.index:
                self._lose(
                    f"choices[{choice.index}]",
                    "dropped",
                    "anthropic messages have one choice (n > 1)",
                )
                continue
            if self.state is OPEN:
                self._delta(choice.delta, out)
            elif _has_content(choice.delta):
                self._lose("choices[0].delta", "dropped", "content after the finish reason")
            if choice.logprobs:
                self._lose("choices[0].logprobs", "dropped", "no logprobs in the anthropic dialect")
            if choice.usage:
                self._usage = choice.usage  # Kimi: inside the choice
            if choice.finish_reason:
                out.extend(MESSAGE[self.state][_FINISH](self, choice))
        usage = chunk.usage
        if usage:
            self._usage = usage
            # OpenAI: the usage chunk "will always be" choices: [] and comes last before
            # [DONE]; once it is here after the finish reason, the message is complete.
            if not chunk.choices and self.state is FINISHED:
                out.extend(self._stop(None))
        return out

    def _finished(self, choice: o.ChunkChoice) -> list[a.StreamEvent]:
        """A finish reason: the content is complete, so the open block is stopped now
        (and a refusal said, as the response says it). The stop reason waits for the
        usage (a trailing ``choices: []`` chunk) or the end."""
        out: list[a.StreamEvent] = []
        self._end_content(out)
        self._finish = choice.finish_reason  # type: ignore[assignment]
        self._native = choice.native_finish_reason
        self._stop_sequence = choice.stop_reason  # vLLM: the stop string that matched
        if self._refusal is not None and r.refusal_as_text(self._finish):
            self._open(_TEXT, a.TextBlock(text=""), out)
            text = "".join(self._refusal)
            out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))
            self._close(out)
        self.state = FINISHED
        return out

    def _end_content(self, out: list[a.StreamEvent]) -> None:
        """No more content: the open block stops, calls that never got a name are ghosts."""
        BLOCKS[self.block][_P_STOP](self, None, out)
        for call in list(self._queue):  # held calls are said, in order; nameless ones are ghosts
            CALLS[call.state][_END](self, call, None, out)
        self._queue = []

    def _stop(self, _: Any) -> list[a.StreamEvent]:
        """Anthropic: "one or more ``message_delta`` events" (stop reason, cumulative
        usage), then "a final ``message_stop`` event"."""
        self.state = CLOSED
        reason, sequence = r.stop_reason(
            self._finish,
            self._native,
            self._stop_sequence,
            self._stops,
            self._tools > 0,
            self._refusal is not None,
            self._lose,
        )
        delta = a.MessageDelta(stop_reason=reason, stop_sequence=sequence)
        if self._refusal is not None:
            delta.stop_details = r.refusal_details("".join(self._refusal))
        return [
            a.MessageDeltaEvent(delta=delta, usage=self._delta_usage()),
            a.MessageStopEvent(),
        ]

    def _delta_usage(self) -> a.MessageDeltaUsage:
        """openai usage -> anthropic cumulative usage, by the arithmetic of ``_usage``.
        (A ``message_delta`` cannot say ``null`` nor the lifetimes of cache writes: the
        SDK keeps the ``message_start`` value then; both read as absent.)"""
        u = self._usage
        if u is None:
            self._lose("usage", "approximated", "no usage reported: zeros")
            return a.MessageDeltaUsage(output_tokens=0, input_tokens=0)
        usage = to_anthropic_usage(u, self._lose)
        out = a.MessageDeltaUsage(
            output_tokens=usage.output_tokens, input_tokens=usage.input_tokens
        )
        if isinstance(usage.cache_read_input_tokens, int):
            out.cache_read_input_tokens = usage.cache_read_input_tokens
        if isinstance(usage.cache_creation_input_tokens, int):
            out.cache_creation_input_tokens = usage.cache_creation_input_tokens
        if usage.output_tokens_details not in (UNSET, None):
            out.output_tokens_details = usage.output_tokens_details
        return out

    def _early(self, _: Any) -> list[a.StreamEvent]:
        return self._fail(("the upstream stream ended before its first chunk", "api_error"))

    def _unfinished_done(self, _: Any) -> list[a.StreamEvent]:
        return self._fail(
            ("the upstream stream ended ([DONE]) without a finish reason", "api_error")
        )

    def _unfinished(self, _: Any) -> list[a.StreamEvent]:
        return self._fail(("the upstream stream ended without a finish reason", "api_error"))

    def _fail(self, why: tuple[str, str]) -> list[a.StreamEvent]:
        message, kind = why
        out: list[a.StreamEvent] = []
        if self.state is IDLE:
            self._lose("", "dropped", message)
        else:
            self._end_content(out)
        self.state = CLOSED
        out.append(a.ErrorEvent(error=a.ErrorObject(type=kind, message=message)))
        return out

    def _error(self, body: o.ErrorBody) -> list[a.StreamEvent]:
        """An upstream error chunk (``data: {"error": {...}}``) -> an anthropic ``error``
        event through the error converter (one table, ``_tables.ERRORS``); the stream ends
        there, as it does on Anthropic's side."""
        _, resp = _error_response(body)
        events = self._fail((resp.error.message, resp.error.type))
        if resp.request_id is not UNSET:
            events[-1].request_id = resp.request_id  # type: ignore[union-attr]
        return events

    # -- one delta -----------------------------------------------------------------------

    def _delta(self, delta: o.ChunkDelta, out: list[a.StreamEvent]) -> None:
        """One choice delta, in the order a message holds it: reasoning, text, tool calls;
        but fragments that continue the open tool call go first (they belong to what is
        open, whatever shares the delta)."""
        calls = delta.tool_calls
        if calls and self.block is _TOOL:
            for frag in calls:
                self._fragment(frag, out)
            calls = None
        if delta.reasoning_details:
            self._details(delta.reasoning_details, delta, out)
        elif delta.reasoning_content or delta.reasoning:
            text = r.reasoning_text(
                delta.reasoning_content, delta.reasoning, self._lose, "choices[0].delta"
            )
            if text:
                BLOCKS[self.block][_P_THINKING](self, text, out)
        content = delta.content
        if content:
            if self.block is _TEXT:  # the common case: more of the open text
                out.append(
                    a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=content))
                )
            else:
                BLOCKS[self.block][_P_TEXT](self, content, out)
        if delta.refusal:
            self._refuse(delta.refusal)
        if calls:
            for frag in calls:
                self._fragment(frag, out)
        if delta.function_call or delta.audio or delta.annotations:
            fc = delta.function_call
            if fc:
                # As the response says it: a tool_use block whose id derives from the completion's.
                self._lose(
                    "choices[0].delta.function_call",
                    "approximated",
                    "the deprecated function_call said as a tool_use block whose id is derived from the completion's",
                )
                frag = o.DeltaToolCall(index=-1, id=f"{self._id}-function_call", function=fc)
                self._fragment(frag, out)
            if delta.audio:
                self._lose("choices[0].delta.audio", "dropped", "no audio in the anthropic dialect")
            if delta.annotations:
                self._lose(
                    "choices[0].delta.annotations",
                    "dropped",
                    "url citations have no anthropic twin in streams",
                )

    # -- blocks: handlers of BLOCKS --------------------------------------------------------

    def _open(self, kind: Block, block: a.ContentBlock, out: list[a.StreamEvent]) -> int:
        """Anthropic: each content block has "a ``content_block_start``" and its
        ``index`` "corresponds to its index in the final Message ``content`` array":
        blocks open in order, one after the other (the previous one stopped first)."""
        self._index += 1
        self.block = kind
        out.append(a.ContentBlockStartEvent(index=self._index, content_block=block))
        return self._index

    def _close(self, out: list[a.StreamEvent]) -> None:
        """Anthropic: each content block ends with "a ``content_block_stop`` event"."""
        self.block = _NONE
        self._detail = UNSET
        out.append(a.ContentBlockStopEvent(index=self._index))

    def _stop_block(self, _: Any, out: list[a.StreamEvent]) -> None:
        self._close(out)

    def _no_block(self, _: Any, out: list[a.StreamEvent]) -> None:
        pass

    def _text_open(self, text: str, out: list[a.StreamEvent]) -> None:
        """Text: one text block per segment, so text after a tool call or after more
        thinking opens a new block rather than landing in the previous block's index."""
        self._open(_TEXT, a.TextBlock(text=""), out)
        out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))

    def _text_more(self, text: str, out: list[a.StreamEvent]) -> None:
        out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))

    def _text_after(self, text: str, out: list[a.StreamEvent]) -> None:
        self._close(out)
        self._text_open(text, out)

    def _text_beside_call(self, text: str, out: list[a.StreamEvent]) -> None:
        """Text while a tool call is open: held until the call ends, so that the call's
        arguments that come after it still reach its block (anthropic blocks cannot
        interleave). Beyond ``MAX_HELD_TEXT`` characters the call ends and the text is said."""
        held = self._held
        held.append(text)
        if len(held) > _COMPACT:
            self._held = ["".join(held)]
        self._held_size += len(text)
        if self._held_size > MAX_HELD_TEXT:
            self._end_call(out)

    def _end_call(self, out: list[a.StreamEvent]) -> None:
        """The open call ends (its last argument piece said, its block stopped); text held
        beside it becomes the open text block."""
        call = self._call
        if call is not None:
            CALLS[_CALL_OPEN][_END](self, call, None, out)
        self._close(out)
        if self._held:
            text = "".join(self._held)
            self._held = []
            self._held_size = 0
            self._text_open(text, out)

    def _tool_stop(self, _: Any, out: list[a.StreamEvent]) -> None:
        self._end_call(out)
        if self.block is _TEXT:
            self._close(out)

    def _tool_then_thinking(self, text: str, out: list[a.StreamEvent]) -> None:
        self._end_call(out)
        BLOCKS[self.block][_P_THINKING](self, text, out)

    def _tool_then_tool(self, call: _Call, out: list[a.StreamEvent]) -> None:
        self._end_call(out)
        BLOCKS[self.block][_P_TOOL](self, call, out)

    def _thinking_open(self, text: str, out: list[a.StreamEvent]) -> None:
        """Reasoning text: one thinking block per segment. Anthropic's thinking block
        needs ``signature``: ``""`` until one is carried."""
        self._open(_THINKING, a.ThinkingBlock(thinking="", signature=""), out)
        if text:
            out.append(
                a.ContentBlockDeltaEvent(index=self._index, delta=a.ThinkingDelta(thinking=text))
            )

    def _thinking_more(self, text: str, out: list[a.StreamEvent]) -> None:
        if text:
            out.append(
                a.ContentBlockDeltaEvent(index=self._index, delta=a.ThinkingDelta(thinking=text))
            )

    def _thinking_after(self, text: str, out: list[a.StreamEvent]) -> None:
        self._close(out)
        self._thinking_open(text, out)

    def _tool_open(self, call: _Call, out: list[a.StreamEvent]) -> None:
        """Anthropic: tool blocks start with their ``name`` and ``input: {}``, the input
        follows as ``input_json_delta`` pieces."""
        ident = r.tool_id(call.id, self._id, self._tools, self._lose, f"{call.path()}.id")
        block = a.ToolUseBlock(id=ident, name=self._names.get(call.name, call.name), input={})
        call.block = self._open(_TOOL, block, out)
        call.state = _CALL_OPEN
        call.args = Arguments(self._lose, f"{call.path()}.function.arguments")
        self._call = call
        self._tools += 1

    def _tool_after(self, call: _Call, out: list[a.StreamEvent]) -> None:
        self._close(out)
        self._tool_open(call, out)

    # -- reasoning details, refusals -------------------------------------------------------

    def _details(
        self, details: list[o.ReasoningDetail], delta: o.ChunkDelta, out: list[a.StreamEvent]
    ) -> None:
        """OpenRouter's ``reasoning_details``: they win over ``reasoning_content`` /
        ``reasoning`` (which repeat the text) because they keep segments and signatures.
        A segment ends when anything else is said, or when the detail ``index`` changes."""
        said = []
        path = "choices[0].delta.reasoning_details"
        for d in details:
            r.reasoning_detail(d, self._lose, path)
            if isinstance(d, o.ReasoningEncrypted):
                # Redacted thinking arrives whole: a block with no deltas.
                BLOCKS[self.block][_P_STOP](self, None, out)
                self._open(_THINKING, a.RedactedThinkingBlock(data=d.data), out)
                self._close(out)
                continue
            if isinstance(d, o.ReasoningText):
                text = d.text if isinstance(d.text, str) else ""
            else:
                text = d.summary
            said.append(text)
            index = d.index
            if self.block is _THINKING and (
                index is UNSET or self._detail is UNSET or index == self._detail
            ):
                self._thinking_more(text, out)
            else:
                if self.block is not _NONE:
                    BLOCKS[self.block][_P_STOP](self, None, out)
                self._thinking_open(text, out)
            if index is not UNSET:
                self._detail = index
            if isinstance(d, o.ReasoningText) and isinstance(d.signature, str) and d.signature:
                # Anthropic: "a special signature_delta event" carries the signature,
                # "sent just before the content_block_stop event".
                out.append(
                    a.ContentBlockDeltaEvent(
                        index=self._index, delta=a.SignatureDelta(signature=d.signature)
                    )
                )
        joined = "".join(said)
        for field in ("reasoning_content", "reasoning"):
            value = getattr(delta, field)
            # The same text, or its blank-line join to an earlier segment (to_openai's).
            if value and value != joined and value != "\n\n" + joined:
                self._lose(
                    f"choices[0].delta.{field}",
                    "dropped",
                    "differs from reasoning_details, which is used",
                )

    def _refuse(self, text: str) -> None:
        """An openai ``refusal``: as the response says it, ``stop_reason: refusal`` with
        the whole refusal as ``stop_details.explanation`` and, after ``finish_reason: stop``,
        a last text block holding it. So its pieces are held (a refusal is a sentence, not
        a stream's worth: beyond ``MAX_REFUSAL`` characters, a Loss)."""
        if self._refusal is None:
            self._refusal = []
        room = MAX_REFUSAL - self._refusal_size
        if len(text) > room:
            self._lose(
                "choices[0].delta.refusal",
                "dropped",
                f"a refusal over {MAX_REFUSAL} characters: the rest is not kept",
            )
            text = text[: max(room, 0)]
        if text:
            self._refusal.append(text)
            self._refusal_size += len(text)

    # -- tool calls: handlers of CALLS -----------------------------------------------------

    def _fragment(self, frag: o.DeltaToolCall, out: list[a.StreamEvent]) -> None:
        """One tool call fragment -> the call it belongs to, then its name and arguments."""
        ident = frag.id or ""
        fn = frag.function or _NO_FUNCTION
        name = fn.name or None
        args = fn.arguments or None
        call = self._call_for(frag.index, ident, name, out)
        if ident and not call.id:
            call.id = ident
        if name is not None:
            CALLS[call.state][_NAME](self, call, name, out)
        if args is not None:
            CALLS[call.state][_ARGS](self, call, args, out)

    def _call_for(
        self, index: Any, ident: str, name: str | None, out: list[a.StreamEvent]
    ) -> _Call:
        """OpenAI keys fragments by ``index``. A new id at a used index is a new call
        (Ollama and Gemini gateways say every call at ``index: 0``); a fragment without
        index continues the call it follows, or opens the next when it carries an id or
        a name that call does not have (Google)."""
        if index is UNSET:
            call = self._last
            if (
                call is None
                or (ident and call.id and ident != call.id)
                or (name is not None and call.name and not (ident and ident == call.id))
            ):
                self._unindexed += 1
                call = self._new_call(("?", self._unindexed), f"?{self._unindexed}", ident, out)
            self._last = call
            return call
        call = self._calls.get(index)
        if call is None or (ident and call.id and ident != call.id):
            call = self._new_call(index, str(index), ident, out)
        self._last = call
        return call

    def _new_call(self, key: Any, label: str, ident: str, out: list[a.StreamEvent]) -> _Call:
        calls = self._calls
        calls.pop(key, None)
        if len(calls) >= MAX_CALLS:  # forget the oldest call that is neither open nor held
            for old_key, old in calls.items():
                if old.state is _CALL_DONE or old.state is _GHOST:
                    del calls[old_key]
                    break
            else:
                del calls[next(iter(calls))]
        queue = self._queue
        if len(queue) >= MAX_CALLS:  # too many held calls: the oldest is said (or a ghost)
            old = queue.pop(0)
            CALLS[old.state][_END](self, old, None, out)
        call = calls[key] = _Call(label, ident)
        queue.append(call)
        return call

    def _ghost(self, call: _Call) -> None:
        call.state = _GHOST
        self._held_args -= sum(map(len, call.pending))
        self._lose(
            call.path(),
            "dropped",
            f"a tool call that never got a name (a ghost call; {call.size} characters of arguments)",
        )
        call.pending = []

    def _named(self, call: _Call, name: str, out: list[a.StreamEvent]) -> None:
        call.name = name
        call.state = _HELD

    def _hold(self, call: _Call, args: str, out: list[a.StreamEvent]) -> None:
        """A held call's argument piece: kept whole (so that it is said as the response
        says it, after the text beside it), until ``MAX_HELD_ARGUMENTS`` characters of all
        held calls; then a named call is released (its block opens and streams)."""
        call.size += len(args)
        if self._held_args + len(args) <= MAX_HELD_ARGUMENTS:
            self._held_args += len(args)
            pending = call.pending
            pending.append(args)
            if len(pending) > _COMPACT:
                call.pending = ["".join(pending)]
            return
        if call.state is _HELD:
            self._release(call, args, out)
        elif not call.held:
            call.held = True
            self._lose(
                call.path(),
                "dropped",
                f"over {MAX_HELD_ARGUMENTS} characters of arguments before the name: the rest is not kept",
            )

    def _release(self, call: _Call, args: str, out: list[a.StreamEvent]) -> None:
        """Too much is held: the calls held before this one are said whole, this one's
        block opens and its arguments stream from here on (text beside it then waits for
        its end, ``MAX_HELD_TEXT``)."""
        for other in list(self._queue):
            if other is call:
                break
            if other.state is _HELD:
                self._say(other, out)
        self._queue.remove(call)
        BLOCKS[self.block][_P_TOOL](self, call, out)
        pending, call.pending = call.pending, []
        self._held_args -= sum(map(len, pending))
        pending.append(args)
        self._arguments(call, "".join(pending), out)

    def _say(self, call: _Call, out: list[a.StreamEvent]) -> None:
        """A held call, whole: its block, its input as ``parse_arguments`` reads it (the
        response's reading, so stream and response agree), its stop."""
        if call in self._queue:
            self._queue.remove(call)
        BLOCKS[self.block][_P_TOOL](self, call, out)
        text = "".join(call.pending)
        self._held_args -= len(text)
        call.pending = []
        call.args = None
        value = parse_arguments(text, self._approx, f"{call.path()}.function.arguments")
        if value:
            out.append(
                a.ContentBlockDeltaEvent(
                    index=call.block,
                    delta=a.InputJSONDelta(partial_json=_encoder.encode(value).decode()),
                )
            )
        call.state = _CALL_DONE
        self._call = None
        self._close(out)

    def _held_name(self, call: _Call, name: str, out: list[a.StreamEvent]) -> None:
        if name != call.name:
            self._lose(f"{call.path()}.function.name", "dropped", "a second name for a call")

    def _held_end(self, call: _Call, _: Any, out: list[a.StreamEvent]) -> None:
        self._say(call, out)

    def _pending_end(self, call: _Call, _: Any, out: list[a.StreamEvent]) -> None:
        if call in self._queue:
            self._queue.remove(call)
        self._ghost(call)

    def _open_args(self, call: _Call, args: str, out: list[a.StreamEvent]) -> None:
        self._arguments(call, args, out)

    def _arguments(self, call: _Call, args: str, out: list[a.StreamEvent]) -> None:
        piece = call.args.feed(args)  # type: ignore[union-attr]
        if piece:
            out.append(
                a.ContentBlockDeltaEvent(
                    index=call.block, delta=a.InputJSONDelta(partial_json=piece)
                )
            )

    def _open_end(self, call: _Call, _: Any, out: list[a.StreamEvent]) -> None:
        """The streamed call's last argument piece (what its shape still has to say); its
        block is stopped by the caller."""
        piece = call.args.end()  # type: ignore[union-attr]
        call.args = None
        call.state = _CALL_DONE
        self._call = None
        if piece:
            out.append(
                a.ContentBlockDeltaEvent(
                    index=call.block, delta=a.InputJSONDelta(partial_json=piece)
                )
            )

    def _late(self, call: _Call, _: Any, out: list[a.StreamEvent]) -> None:
        self._lose(
            call.path(),
            "dropped",
            "a fragment of a tool call that came after its block had stopped",
        )

    def _nothing(self, call: _Call, _: Any, out: list[a.StreamEvent]) -> None:
        pass

    # -- losses ------------------------------------------------------------------------

    def _unknown(self, unknown: list[Unknown]) -> None:
        for u in unknown:
            self._lose(f"{u.path}.{u.key}" if u.path else u.key, "dropped", u.detail)


def _error_body(value: dict[str, Any]) -> o.ErrorBody | None:
    """An upstream error frame, in the shapes servers send it: ``{"error": {...}}``, also
    beside ``choices`` (OpenRouter ends a failed stream with ``finish_reason: error`` and
    an ``error`` object), or vLLM's flat ``{"object": "error", "message", "type", ...}``."""
    error = value.get("error")
    if isinstance(error, dict):
        return decode({"error": error}, o.ErrorBody, [])
    if isinstance(error, str) and "choices" not in value:
        return o.ErrorBody(error=o.ErrorObject(message=error))
    if value.get("object") == "error" and isinstance(value.get("message"), str):
        fields = {k: value[k] for k in ("message", "type", "param", "code") if k in value}
        return decode({"error": fields}, o.ErrorBody, [])
    return None


def _has_content(delta: o.ChunkDelta) -> bool:
    return any(
        getattr(delta, f) not in (UNSET, None, "", [])
        for f in (
            "content",
            "refusal",
            "tool_calls",
            "reasoning_content",
            "reasoning",
            "reasoning_details",
        )
    )


# --- the transition tables -------------------------------------------------------------------

_S = Stream
MESSAGE: dict[Msg, dict[Ev, Callable[[Stream, Any], list[a.StreamEvent]]]] = {
    Msg.IDLE: {
        Ev.CHUNK: _S._start,
        Ev.FINISH: _S._finished,  # (only from inside the first chunk, once it is OPEN)
        Ev.DONE: _S._early,
        Ev.CLOSE: _S._early,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Msg.OPEN: {
        Ev.CHUNK: _S._chunk,
        Ev.FINISH: _S._finished,
        Ev.DONE: _S._unfinished_done,
        Ev.CLOSE: _S._unfinished,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Msg.FINISHED: {
        Ev.CHUNK: _S._chunk,  # (usage, or content after the finish: a Loss)
        Ev.FINISH: _S._ignore,  # a second finish reason says nothing new
        Ev.DONE: _S._stop,
        Ev.CLOSE: _S._stop,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Msg.CLOSED: dict.fromkeys(Ev, _S._ignore),
}
"""The message: ``{state: {event: handler}}``; each handler sets the next state."""

BLOCKS: dict[Block, dict[Piece, Callable[[Stream, Any, list[a.StreamEvent]], None]]] = {
    Block.NONE: {
        Piece.THINKING: _S._thinking_open,
        Piece.TEXT: _S._text_open,
        Piece.TOOL: _S._tool_open,
        Piece.STOP: _S._no_block,
    },
    Block.THINKING: {
        Piece.THINKING: _S._thinking_more,
        Piece.TEXT: _S._text_after,
        Piece.TOOL: _S._tool_after,
        Piece.STOP: _S._stop_block,
    },
    Block.TEXT: {
        Piece.THINKING: _S._thinking_after,
        Piece.TEXT: _S._text_more,
        Piece.TOOL: _S._tool_after,
        Piece.STOP: _S._stop_block,
    },
    Block.TOOL: {
        Piece.THINKING: _S._tool_then_thinking,
        Piece.TEXT: _S._text_beside_call,
        Piece.TOOL: _S._tool_then_tool,
        Piece.STOP: _S._tool_stop,
    },
}
"""The open content block: ``{block: {piece: handler}}``."""

CALLS: dict[Call, dict[Frag, Callable[[Stream, _Call, Any, list[a.StreamEvent]], None]]] = {
    Call.PENDING: {Frag.NAME: _S._named, Frag.ARGS: _S._hold, Frag.END: _S._pending_end},
    Call.HELD: {Frag.NAME: _S._held_name, Frag.ARGS: _S._hold, Frag.END: _S._held_end},
    Call.OPEN: {Frag.NAME: _S._held_name, Frag.ARGS: _S._open_args, Frag.END: _S._open_end},
    Call.DONE: {Frag.NAME: _S._late, Frag.ARGS: _S._late, Frag.END: _S._nothing},
    Call.GHOST: {Frag.NAME: _S._late, Frag.ARGS: _S._late, Frag.END: _S._nothing},
}
"""One tool call: ``{call state: {fragment: handler}}``."""


# --- wrappers ---------------------------------------------------------------------------


def stream(
    chunks: Iterable[Any],
    *,
    request: Any = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[a.StreamEvent]:
    """The anthropic events for an iterable of openai chunks (structs, dicts or JSON)."""
    s = Stream(request, losses=losses, strict=strict)
    for chunk in chunks:
        yield from s.feed(chunk)
    yield from s.close()


_EVENT_NAMES = {
    cls: str(cls.__struct_config__.tag).encode()  # the tag, without a schema walk at import
    for cls in (
        a.MessageStartEvent,
        a.ContentBlockStartEvent,
        a.ContentBlockDeltaEvent,
        a.ContentBlockStopEvent,
        a.MessageDeltaEvent,
        a.MessageStopEvent,
        a.PingEvent,
        a.ErrorEvent,
    )
}


class SSE:
    """The bytes-level translator: openai SSE bytes in (``data: <chunk>`` ...
    ``data: [DONE]``, split anywhere), anthropic SSE bytes out (``event: <type>`` /
    ``data: <json>`` frames). ``feed(data)`` returns the bytes to send for what ``data``
    completed, ``close()`` the last ones, ``abort(reason)`` ends the stream now with an
    ``error`` event. An upstream that cannot be read or ends early gives a well-formed
    stream that ends with an ``error`` event, never an exception (``strict=True`` raises
    :class:`~translate.LossError` at the first loss). Once the stream has ended, nothing
    more is read: the output does not depend on how the bytes were split.
    """

    __slots__ = ("_decoder", "stream")

    def __init__(
        self, request: Any = None, *, losses: list[Loss] | None = None, strict: bool = False
    ) -> None:
        self._decoder = SSEDecoder()
        self.stream = Stream(request, losses=losses, strict=strict)

    @property
    def losses(self) -> list[Loss]:
        return self.stream.losses

    def feed(self, data: bytes) -> bytes:
        s = self.stream
        if s.state is CLOSED:
            return b""
        events: list[a.StreamEvent] = []
        try:
            text = self._decoder.feed_data(data)
            if text is not None:  # the common case: one read, one ``data:`` frame
                events = s.feed_data(text)
                if len(events) == 1:
                    e = events[0]
                    return encode_event_data(_EVENT_NAMES[type(e)], _encoder.encode(e))
                return _frames(events)
            for frame in self._decoder.feed(data):
                if s.state is CLOSED:
                    break  # nothing follows the end, however the bytes arrived
                events += s.feed_data(frame.data)
        except LossError:
            raise
        except TranslationError as exc:
            # What the frames before the unreadable one completed is sent first: the
            # output must not depend on how the bytes were split.
            events += s.abort(f"the upstream stream could not be read: {exc}")
        return _frames(events)

    def close(self) -> bytes:
        s = self.stream
        if s.state is CLOSED:
            return b""
        try:
            self._decoder.close()
        except LossError:
            raise
        except TranslationError as exc:  # an error the last feed() completed frames before
            return _frames(s.abort(f"the upstream stream could not be read: {exc}"))
        if self._decoder.truncated:
            s.lose("", "dropped", "the upstream stream ended inside a frame")
        return _frames(s.close())

    def abort(self, reason: str, kind: str = "api_error") -> bytes:
        """End the stream now (e.g. the upstream connection failed, or timed out:
        ``kind="timeout_error"``): an ``error`` event of that type."""
        return _frames(self.stream.abort(reason, kind))


def _frames(events: list[a.StreamEvent]) -> bytes:
    """Anthropic frames: ``event: <type>`` then ``data: <json>``, then a blank line."""
    if len(events) == 1:  # the common case, without a join
        e = events[0]
        return encode_event_data(_EVENT_NAMES[type(e)], _encoder.encode(e))
    out = b""
    for e in events:
        out += encode_event_data(_EVENT_NAMES[type(e)], _encoder.encode(e))
    return out


def sse(
    byte_chunks: Iterable[bytes],
    *,
    request: Any = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[bytes]:
    """Openai SSE bytes in (``data: <chunk>`` ... ``data: [DONE]``) -> anthropic SSE bytes
    out, through :class:`SSE`. Input may be split anywhere. An upstream that cannot be read
    or ends early gives a well-formed anthropic stream that ends with an ``error`` event,
    never an exception."""
    return pump(SSE(request, losses=losses, strict=strict), byte_chunks)


def async_sse(
    byte_chunks: AsyncIterable[bytes],
    *,
    request: Any = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(SSE(request, losses=losses, strict=strict), byte_chunks)
