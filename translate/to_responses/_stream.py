"""Chat Completions chunks (or anthropic Messages events) -> Responses stream events.

A sans-I/O state machine in the style of h11: :class:`Stream` is fed one upstream chunk at
a time (``feed``) and returns the Responses events that chunk completes; ``close`` ends
the stream. :class:`SSE` is the same machine over bytes; :func:`stream`, :func:`sse` and
:func:`async_sse` drive them. A Messages upstream is read through ``to_openai.Stream`` (the
compatible Chat form, exact for what a Response can say), then through the same machine:
the source is known by the first event's shape (an anthropic event has a ``type`` such as
``message_start``; a chunk has ``choices``) or by ``source=``.

The machine has two levels of state, each an Enum, and one table ``TRANSITIONS``
(``{state: {event: handler}}``) holds the transitions of both:

- the response (``Phase``): IDLE (nothing yet), OPEN (``response.created`` sent, items
  come and go), FINISHED (a finish reason came: every item is done, waiting for the usage
  or the end), CLOSED (``response.completed`` / ``incomplete`` / ``failed`` sent: nothing
  follows, whatever arrives); its events (``Ev``): a chunk, a finish reason, ``[DONE]``,
  the end of the upstream, an upstream error, an abort by the caller;
- each output item (``Item``): PENDING (a tool call without a name yet: nothing said, its
  arguments kept), OPEN (``response.output_item.added`` sent, deltas flow), DONE
  (``response.output_item.done`` sent: later pieces are a Loss), GHOST (a call that never
  got a name: a Loss, never an item); its events (``Piece``): a name, a delta, the end.

The events, in the order and shape the openai SDK's ``ResponseStreamState`` and Codex
read them (openai ``openai/lib/streaming/responses``; DIALECTS.md, "What real traffic
looks like"): ``response.created``, ``response.in_progress``; per item
``response.output_item.added``, then its parts (``response.content_part.added`` /
``response.reasoning_summary_part.added``), their deltas (``response.output_text.delta``,
``response.refusal.delta``, ``response.reasoning_summary_text.delta``,
``response.reasoning_text.delta``, ``response.function_call_arguments.delta``), their ends
(``.done``), and ``response.output_item.done`` for every item; last
``response.completed`` (or ``response.incomplete`` with ``incomplete_details.reason``, or
``response.failed`` with an ``error``) whose ``response`` has the ``id``, every item of
``output`` and the ``usage``. ``sequence_number`` counts the events from 0.

What becomes what is the rule of the non-stream converter (``_response``; its functions
are called, not copied): ``reasoning_content`` (or vLLM's ``reasoning``) is a reasoning
item with one summary part; OpenRouter's ``reasoning_details`` are one reasoning item per
detail ``(id, index)``, raw content (format ``openai-responses-v1``) as ``reasoning_text``
content, signatures and encrypted details as ``encrypted_content`` (never made up);
text and refusal are the parts of a message item; each tool call a ``function_call``
item, or a ``custom_tool_call`` when ``request=`` says its tool was custom (its input is
said whole when the call ends: the upstream spelled it as JSON arguments), with its
namespace restored; ids are the non-stream converter's (``rs_<id>_<n>``, ``msg_<id>``,
``fc_<id>_<n>``); ``length`` / ``content_filter`` are ``response.incomplete``.

Real upstreams are read as they are (DESIGN.md, "Reading the wild"): a new ``id`` at a used
``index`` is a new call; a fragment without ``index`` continues the call it follows, or
opens the next when it carries an id or a name that call does not have; a call's name may
come after its arguments; usage may come in a trailing ``choices: []`` chunk, on the finish
chunk, inside the choice (Kimi) or never. An upstream error chunk becomes
``response.failed``; an upstream that ends without a finish reason gets its open items done
(``status: incomplete``) and ``response.failed``, never a hang.

Memory. The state is O(1) in the number of events: nothing is kept per event. But
``response.output_item.done`` and ``response.completed`` must carry every item whole (Codex
builds its history from them), so the items' text is kept: the output itself, at most
``MAX_OUTPUT_CHARS`` characters of it (text, reasoning, arguments together) in at most
``MAX_ITEMS`` items. A response longer than that ends with ``response.failed`` (an answer
that cannot be carried whole is not sent as if it were). The loss ledger keeps at most
``_ledger.MAX_STREAM_LOSSES`` losses.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .. import responses as r
from .._decode import Unknown, decode
from .._errors import Loss, LossKind, TranslationError
from .._ledger import OnceLedger
from ..sse import SSEDecoder, apump, pump
from ._bytes import ByteStream, drive
from ._error import CONTEXT_LENGTH_EXCEEDED, context_exceeded
from ._response import _names, call_item, client_model, finish_status, usage
from ._to_chat import CONTENT_FORMAT

__all__ = [
    "MAX_ITEMS",
    "MAX_OUTPUT_CHARS",
    "SSE",
    "TRANSITIONS",
    "Ev",
    "Item",
    "Phase",
    "Piece",
    "Stream",
    "async_sse",
    "sse",
    "stream",
]

MAX_OUTPUT_CHARS = 8 * 1024 * 1024
"""Characters of output (text, refusal, reasoning, arguments) kept for the done events and
``response.completed``: 8 Mi, some 2 million tokens, far beyond any model's output limit."""
MAX_ITEMS = 4096
"""Output items in one response (a model's parallel calls are a handful)."""
_COMPACT = 64  # pieces of an open part are joined when there are more

_chunk_decoder = msgspec.json.Decoder(o.ChatCompletionChunk)
_HUB: list[Any] = []  # to_openai.Stream, the Messages -> Chat machine (``_messages_start``)
_TYPE_FIRST = ('{"type":"', b'{"type":"')  # how an anthropic event's JSON starts, not a chunk's
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()

_ANTHROPIC_EVENTS = frozenset(
    (
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
    )
)
_ANTHROPIC_STRUCTS = frozenset(a.StreamEvent.__args__)
# The codes a failed response's ``error.code`` may hold (the openai SDK's ResponseError),
# and the one Codex reads as "the context window is full" (it compacts and retries).
_CODES = frozenset(
    (
        CONTEXT_LENGTH_EXCEEDED,
        "server_error",
        "rate_limit_exceeded",
        "invalid_prompt",
        "vector_store_timeout",
        "invalid_image",
        "invalid_image_format",
        "invalid_base64_image",
        "invalid_image_url",
        "image_too_large",
        "image_too_small",
        "image_parse_error",
        "image_content_policy_violation",
        "invalid_image_mode",
        "image_file_too_large",
        "unsupported_image_media_type",
        "empty_image_file",
        "failed_to_download_image",
        "image_file_not_found",
    )
)


class Phase(enum.Enum):
    """The response's state."""

    IDLE = "IDLE"
    OPEN = "OPEN"
    FINISHED = "FINISHED"
    CLOSED = "CLOSED"

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


class Ev(enum.Enum):
    """What happens to the response."""

    CHUNK = "CHUNK"  # an upstream chunk
    FINISH = "FINISH"  # its choice has a finish reason
    DONE = "DONE"  # the [DONE] sentinel
    CLOSE = "CLOSE"  # the upstream ended
    ERROR = "ERROR"  # an upstream error chunk
    ABORT = "ABORT"  # the caller (or an unreadable upstream) ends it

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


class Item(enum.Enum):
    """An output item's state."""

    PENDING = "PENDING"
    OPEN = "OPEN"
    DONE = "DONE"
    GHOST = "GHOST"

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


class Piece(enum.Enum):
    """What arrives for an item."""

    NAME = "NAME"
    DELTA = "DELTA"
    END = "END"

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


class Kind(enum.Enum):
    REASONING = "reasoning"
    MESSAGE = "message"
    CALL = "call"

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


class Part(enum.Enum):
    """The kind of an item's open part (what a delta adds to)."""

    SUMMARY = "summary"  # a reasoning summary part
    RAW = "raw"  # a reasoning_text content part
    TEXT = "text"  # an output_text part
    REFUSAL = "refusal"  # a refusal part
    ARGS = "args"  # a call's arguments

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


IDLE, OPEN, FINISHED, CLOSED = Phase.IDLE, Phase.OPEN, Phase.FINISHED, Phase.CLOSED
_PENDING, _OPEN, _DONE, _GHOST = Item.PENDING, Item.OPEN, Item.DONE, Item.GHOST
_NAME, _DELTA, _END = Piece.NAME, Piece.DELTA, Piece.END
_SUMMARY, _RAW, _TEXT, _REFUSAL, _ARGS = Part.SUMMARY, Part.RAW, Part.TEXT, Part.REFUSAL, Part.ARGS
_REASONING, _MESSAGE, _CALL = Kind.REASONING, Kind.MESSAGE, Kind.CALL
_NO_FUNCTION = o.DeltaFunction()
_DetailText = o.ReasoningText
_ChunkT = o.ChatCompletionChunk


class _Text:
    """The text of an open part, as pieces joined now and then (never one string grown by
    copying, never one object per piece for long)."""

    __slots__ = ("done", "tail")

    def __init__(self) -> None:
        self.done: list[str] = []
        self.tail: list[str] = []

    def add(self, piece: str) -> None:
        tail = self.tail
        tail.append(piece)
        if len(tail) >= _COMPACT:
            self.done.append("".join(tail))
            tail.clear()

    def value(self) -> str:
        if self.tail:
            self.done.append("".join(self.tail))
            self.tail.clear()
        if len(self.done) > 1:
            self.done[:] = ["".join(self.done)]
        return self.done[0] if self.done else ""


class _Item:
    """One output item: its state, its place, its closed parts and the open one."""

    __slots__ = (
        "call_id",
        "custom",
        "encrypted",
        "final",
        "id",
        "id_json",
        "key",
        "kind",
        "label",
        "name",
        "namespace",
        "ncontent",
        "nsummary",
        "output_index",
        "part",
        "parts",
        "position",
        "row",
        "state",
        "text",
    )

    def __init__(self, kind: Kind, state: Item) -> None:
        self.kind = kind
        self.state = state
        self.row = TRANSITIONS[state]
        self.output_index = -1
        self.id = ""
        self.id_json: bytes | None = None  # the id as JSON (``Stream.feed_frame``)
        self.key: Any = None  # a reasoning item's (detail id, detail index)
        self.parts: list[tuple[Part, str]] = []  # the closed parts
        self.part: Part | None = None  # the open part
        self.text = _Text()
        self.encrypted: Any = UNSET
        self.call_id = ""  # a call's
        self.name = ""
        self.namespace: Any = UNSET
        self.custom = False
        self.label = ""  # its openai index, for loss paths
        self.position = -1  # a call's place among the calls
        self.nsummary = 0  # closed summary parts
        self.ncontent = 0  # closed content parts
        self.final: Any = None  # the item whole, once done

    def to(self, state: Item) -> None:
        self.state = state
        self.row = TRANSITIONS[state]

    def path(self) -> str:
        return f"choices[0].delta.tool_calls[index={self.label}]"


Out = r.StreamEvent


class Stream(OnceLedger):
    """Chat Completions chunks (or anthropic Messages events) in, Responses events out.

    ``feed(item)`` takes one upstream chunk or event: a struct of this library, a dict, or
    the bytes / str of one JSON payload (``"[DONE]"`` included), and returns the events
    it completed. ``close()`` ends the stream: if no finish reason came, the open items
    are done (``incomplete``) and ``response.failed`` says why. ``abort(message)`` ends it
    now with ``response.failed``. Nothing is said after the terminal event.

    ``request``: the client's Responses request, if at hand: the model it asked for is
    echoed, namespaced and custom tool calls are restored. ``source``: ``"openai"`` or
    ``"anthropic"`` when known (otherwise read off the first event). ``losses`` /
    ``strict``: as for :class:`translate.to_anthropic.Stream`. ``max_output_chars``: the
    cap on kept output (``MAX_OUTPUT_CHARS``).
    """

    __slots__ = (
        "_calls",
        "_chunks",
        "_created",
        "_details",
        "_finish",
        "_id",
        "_inner",
        "_items",
        "_kept",
        "_last",
        "_max",
        "_messages",
        "_model",
        "_names",
        "_ncalls",
        "_open",
        "_over",
        "_plain",
        "_reasonings",
        "_seen",
        "_seg",
        "_seq",
        "_source",
        "_tier",
        "_unindexed",
        "_usage",
        "losses",
        "state",
        "strict",
    )

    def __init__(
        self,
        request: Any = None,
        *,
        source: str | None = None,
        losses: list[Loss] | None = None,
        strict: bool = False,
        max_output_chars: int = MAX_OUTPUT_CHARS,
    ) -> None:
        self.state = IDLE
        self.losses: list[Loss] = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        self._model = client_model(request)
        self._names = _names(request)
        self._source = source
        self._inner: Any = None  # the Messages -> Chat stream, for an anthropic upstream
        self._max = max_output_chars
        self._seq = 0
        self._id = ""
        self._created = 0
        self._tier: Any = UNSET
        self._items: list[_Item] = []  # every item said (added), by output_index
        self._open: list[_Item] = []  # items not yet done, oldest first (calls, the segment)
        self._seg: _Item | None = None  # the open reasoning or message item
        self._calls: dict[Any, _Item] = {}  # the calls by their key (openai index)
        self._last: _Item | None = None  # the call the last fragment went to
        self._unindexed = 0
        self._details = False  # reasoning_details seen: reasoning_content repeats them
        self._plain = 0  # reasoning items without an id of their own (rs_<id>_<n>)
        self._reasonings = 0
        self._messages = 0
        self._kept = 0  # characters of output kept
        self._over: str | None = None  # why the output outgrew what is kept
        self._ncalls = 0
        self._finish: Any = None
        self._usage: o.Usage | None = None
        self._chunks = 0

    # -- input -------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Out]:
        """Take one upstream chunk (or event); return the Responses events it completes."""
        if self.state is CLOSED:
            return []
        if self._inner is not None:  # a Messages upstream, through the Chat hub
            return self._settle(self._from_messages(self._inner.feed(item)))
        return self._settle(self._feed(item))

    def feed_frame(self, data: str) -> bytes:
        """What ``SSE`` sends for one frame's data: ``frames(self.feed(data))``, with the
        hot case (one more piece of an open part, ``_fast``) written straight to its bytes
        (inline: this is most of a stream)."""
        if self.state is not OPEN or self._over is not None:
            return frames(self.feed(data))
        if self._inner is not None:  # a Messages upstream, through the Chat hub
            chunks = self._inner.feed(data)
            if len(chunks) != 1 or type(chunks[0]) is not _ChunkT:
                return frames(self._settle(self._from_messages(chunks)))
            chunk = chunks[0]
            piece = self._fast(chunk)
            if piece is None:
                return frames(self._settle(self._from_messages(chunks)))
        else:
            try:
                chunk = _chunk_decoder.decode(data)
            except msgspec.DecodeError:
                return frames(self.feed(data))
            self._chunks += 1
            piece = self._fast(chunk)
            if piece is None:
                return frames(self._settle(self._on(Ev.CHUNK, chunk)))
        item, part, text = piece
        seq = self._seq
        self._seq = seq + 1
        ident = item.id_json
        if ident is None:
            ident = item.id_json = _encoder.encode(item.id)
        if part is _ARGS:
            out = _FRAMES[_ARGS] % (seq, ident, item.output_index, _encoder.encode(text))
        else:
            index = item.nsummary if part is _SUMMARY else item.ncontent
            out = _FRAMES[part] % (seq, ident, item.output_index, index, _encoder.encode(text))
        if self._over is not None:
            out += frames(self._settle([]))
        return out

    def _settle(self, out: list[Out]) -> list[Out]:
        """The events of a read, and ``response.failed`` when the output outgrew what is
        kept (``max_output_chars``)."""
        if self._over is not None and self.state is not CLOSED:
            out += self._fail(
                (f"the response is too long to translate: {self._over}", "server_error")
            )
        return out

    def _feed(self, item: Any) -> list[Out]:
        if self._inner is not None:
            return self._from_messages(self._inner.feed(item))
        self._chunks += 1
        t = type(item)
        if t is bytes or t is str:
            if self._source is None and item[:9] in _TYPE_FIRST:  # an anthropic event, likely
                return self._raw_slow(item)
            try:
                chunk = _chunk_decoder.decode(item)
            except msgspec.DecodeError:
                return self._raw_slow(item)
            if self.state is OPEN:
                piece = self._fast(chunk)
                if piece is not None:
                    return [self._event(piece)]
            return self._on(Ev.CHUNK, chunk)
        if t is o.ChatCompletionChunk:
            return self._on(Ev.CHUNK, item)
        if t is o.ErrorBody:
            return self._on(Ev.ERROR, item)
        if t in _ANTHROPIC_STRUCTS or self._source == "anthropic":
            return self._messages_start(item)
        if t is bytearray or t is memoryview:
            return self._raw_slow(bytes(item))
        value = item
        if hasattr(item, "model_dump"):
            value = item.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return self._value(value)

    def _fast(self, chunk: o.ChatCompletionChunk) -> tuple[_Item, Part, str] | None:
        """The hot path, what most chunks are: one more piece of an open part (text, plain
        reasoning text, one reasoning_details text as the Messages hub says thinking, a
        call's arguments) and nothing else. The piece is taken (kept, as
        ``_delta_event`` keeps it) and returned for ``_event`` or ``feed_frame`` to say: what
        ``_open_chunk`` would do, without its dispatch. None for any other chunk, nothing
        taken (the state being OPEN)."""
        choices = chunk.choices
        if len(choices) != 1 or chunk.usage:
            return None
        choice = choices[0]
        d = choice.delta
        if (
            choice.index
            or choice.finish_reason
            or choice.logprobs
            or choice.usage
            or d.refusal
            or d.function_call
            or d.audio
            or d.annotations
        ):
            return None
        if d.tool_calls:
            return self._fast_arguments(d)
        seg = self._seg
        if seg is None or seg.state is not _OPEN:
            return None
        details = d.reasoning_details
        text = d.content
        if details:
            # reasoning_details say the reasoning (reasoning_content repeats it, unread)
            if text or len(details) != 1 or seg.kind is not _REASONING:
                return None
            detail = details[0]
            if type(detail) is not _DetailText or isinstance(detail.signature, str):
                return None
            text = detail.text
            fmt = detail.format
            if fmt is UNSET or fmt is None:
                part = _SUMMARY
            elif fmt == CONTENT_FORMAT:
                part = _RAW
            else:
                return None  # a format the Responses API has no twin for: a Loss
            key = seg.key
            if (
                not text
                or type(text) is not str
                or key is None
                or key[0] != detail.id
                or key[1] != detail.index
            ):
                return None
        elif text:
            if d.reasoning_content or d.reasoning or seg.kind is not _MESSAGE:
                return None
            part = _TEXT
        else:
            text = d.reasoning_content
            if not text or d.reasoning or self._details or seg.kind is not _REASONING:
                return None
            if seg.key is not None:
                return None
            part = _SUMMARY
        if seg.part is not part:
            return None
        self._kept += len(text)
        if self._kept > self._max:
            self._over = f"over {self._max} characters of output"
        tail = seg.text.tail  # (_Text.add)
        tail.append(text)
        if len(tail) >= _COMPACT:
            seg.text.done.append("".join(tail))
            tail.clear()
        return seg, part, text

    def _event(self, piece: tuple[_Item, Part, str]) -> Out:
        """A piece ``_fast`` took, as its delta event (``_delta_event``'s; ``feed_frame``
        writes its frame straight from ``_FRAMES``: tests hold the two equal)."""
        item, part, text = piece
        seq = self._seq
        self._seq = seq + 1
        if part is _TEXT:
            return r.OutputTextDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                content_index=item.ncontent,
                delta=text,
                sequence_number=seq,
            )
        if part is _ARGS:
            return r.FunctionCallArgumentsDeltaEvent(
                item_id=item.id, output_index=item.output_index, delta=text, sequence_number=seq
            )
        if part is _SUMMARY:
            return r.ReasoningSummaryTextDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                summary_index=item.nsummary,
                delta=text,
                sequence_number=seq,
            )
        return r.ReasoningTextDeltaEvent(
            item_id=item.id,
            output_index=item.output_index,
            content_index=item.ncontent,
            delta=text,
            sequence_number=seq,
        )

    def _fast_arguments(self, d: o.ChunkDelta) -> tuple[_Item, Part, str] | None:
        """One more piece of an open function call's arguments, alone in its chunk (what
        ``_fragment`` makes of it), or None."""
        calls = d.tool_calls
        if (
            len(calls) != 1  # type: ignore[arg-type]
            or d.content
            or d.reasoning_content
            or d.reasoning
            or d.reasoning_details
        ):
            return None
        frag = calls[0]  # type: ignore[index]
        fn = frag.function
        if frag.id or fn is UNSET or fn is None or fn.name or not fn.arguments:
            return None
        call = self._calls.get(frag.index) if frag.index is not UNSET else None
        if call is None or call.state is not _OPEN or call.custom:
            return None
        self._last = call
        text = fn.arguments
        self._kept += len(text)
        if self._kept > self._max:
            self._over = f"over {self._max} characters of output"
        call.text.add(text)
        return call, _ARGS, text

    def _raw_slow(self, data: Any) -> list[Out]:
        """Not a plain chunk: ``[DONE]``, an error, an anthropic event, or a chunk with
        fields this library does not model (reported, not fatal)."""
        if self._source == "anthropic":
            return self._messages_start(data)
        text = data if type(data) is str else bytes(data).decode("utf-8", "replace")
        if text.strip() == "[DONE]":
            return self._on(Ev.DONE, None)
        try:
            value = _any_decoder.decode(data)
        except msgspec.DecodeError as exc:
            raise TranslationError(f"chunk[{self._chunks - 1}]", f"not valid JSON: {exc}") from None
        except RecursionError:
            raise TranslationError(f"chunk[{self._chunks - 1}]", "nested too deeply") from None
        return self._value(value, data)

    def _value(self, value: Any, raw: Any = None) -> list[Out]:
        """A decoded payload (``raw``: its JSON, when it came as such: an anthropic upstream's
        first event goes to the hub as it came, read there in one typed pass)."""
        if isinstance(value, dict):
            kind = value.get("type")
            if (
                self._source != "openai"
                and "choices" not in value
                and (kind in _ANTHROPIC_EVENTS or (kind == "error" and "error" in value))
            ):
                return self._messages_start(value if raw is None else raw)
            if "error" in value and "choices" not in value:
                return self._on(Ev.ERROR, decode(value, o.ErrorBody, []))
        unknown: list[Unknown] = []
        try:
            chunk = decode(value, o.ChatCompletionChunk, unknown)
        except RecursionError:
            raise TranslationError(f"chunk[{self._chunks - 1}]", "nested too deeply") from None
        self._unknown(unknown)
        return self._on(Ev.CHUNK, chunk)

    def _messages_start(self, event: Any) -> list[Out]:
        """An anthropic upstream: its events go through ``to_openai.Stream`` (the
        compatible Chat chunks, which say everything a Response can), then through here."""
        if not _HUB:  # imported once, on first use: the packages import each other
            from ..to_openai._stream import Stream as ToChat

            _HUB.append(ToChat)
        self._source = "anthropic"
        self._inner = _HUB[0](losses=self.losses, strict=self.strict)
        return self._from_messages(self._inner.feed(event))

    def _from_messages(self, chunks: list[Any]) -> list[Out]:
        if len(chunks) == 1 and self.state is OPEN and type(chunks[0]) is o.ChatCompletionChunk:
            piece = self._fast(chunks[0])  # the usual: one delta of the open part
            if piece is not None:
                return [self._event(piece)]
        out: list[Out] = []
        for chunk in chunks:
            if self.state is CLOSED:
                break
            if type(chunk) is o.ErrorBody:
                out += self._on(Ev.ERROR, chunk)
            else:
                out += self._on(Ev.CHUNK, chunk)
        if self._inner.state == "CLOSED" and self.state is not CLOSED:  # (a StrEnum)
            out += self._on(Ev.DONE, None)
        return out

    def done(self) -> list[Out]:
        """The ``[DONE]`` sentinel: the upstream says the stream is over."""
        return self._on(Ev.DONE, None)

    def close(self) -> list[Out]:
        """End of the upstream stream: the last events."""
        if self._inner is not None and self.state is not CLOSED:
            out = self._from_messages(self._inner.close())
            return out + self._on(Ev.CLOSE, None)
        return self._on(Ev.CLOSE, None)

    def abort(self, message: str, code: str = "server_error") -> list[Out]:
        """End the stream now with ``response.failed`` (``code``: a ResponseError code)."""
        return self._on(Ev.ABORT, (message, code))

    def _on(self, event: Ev, arg: Any) -> list[Out]:
        """What ``event`` does in the current state: one lookup in ``TRANSITIONS``."""
        out: list[Out] = TRANSITIONS[self.state][event](self, arg)
        return out

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        """Record a Loss in this stream's ledger (once per path pattern and detail)."""
        self._lose(path, kind, detail)

    # -- the response: handlers of the Phase rows ---------------------------------------

    def _ignore(self, _: Any) -> list[Out]:
        return []

    def _response(self, status: str) -> r.Response:
        return r.Response(
            id=self._id,
            created_at=self._created,
            model=self._model or "",
            output=[],
            status=status,
        )

    def _begin(self, out: list[Out]) -> None:
        """The first two events: ``response.created`` and ``response.in_progress``."""
        self.state = OPEN
        resp = self._response("in_progress")
        out.append(r.ResponseCreatedEvent(response=resp, sequence_number=self._seq))
        out.append(r.ResponseInProgressEvent(response=resp, sequence_number=self._seq + 1))
        self._seq += 2

    def _start(self, chunk: o.ChatCompletionChunk) -> list[Out]:
        ident = chunk.id
        if isinstance(ident, str) and ident:
            self._id = ident
        else:
            self._id = "resp"
            self._lose("id", "approximated", "the upstream stream has no id: 'resp' stands in")
        self._created = chunk.created if isinstance(chunk.created, int) else 0
        if self._source is None:
            self._source = "openai"
        if self._model is None:
            self._model = chunk.model
        if chunk.service_tier not in (UNSET, None):
            self._tier = chunk.service_tier
        out: list[Out] = []
        self._begin(out)
        self._chunk(chunk, out)
        return out

    def _open_chunk(self, chunk: o.ChatCompletionChunk) -> list[Out]:
        out: list[Out] = []
        self._chunk(chunk, out)
        return out

    def _chunk(self, chunk: o.ChatCompletionChunk, out: list[Out]) -> None:
        for choice in chunk.choices:
            if choice.index:
                self._lose(f"choices[{choice.index}]", "dropped", "a Response has one output")
                continue
            if self.state is OPEN:
                self._delta(choice.delta, out)
            elif _has_content(choice.delta):
                self._lose("choices[0].delta", "dropped", "content after the finish reason")
            if choice.logprobs:
                self._lose("choices[0].logprobs", "dropped", "no twin kept here")
            if choice.usage:
                self._usage = choice.usage  # Kimi
            if choice.finish_reason:
                out += self._on(Ev.FINISH, choice)
        if chunk.usage:
            self._usage = chunk.usage
            # OpenAI: the usage chunk has "choices: []" and comes last before [DONE].
            if not chunk.choices and self.state is FINISHED:
                out += self._complete(None)

    def _finished(self, choice: o.ChunkChoice) -> list[Out]:
        """A finish reason: the content is complete, every item is done now; the terminal
        event waits for the usage (a trailing ``choices: []`` chunk) or the end."""
        out: list[Out] = []
        self._end_all(out)
        self._finish = choice.finish_reason
        self.state = FINISHED
        return out

    def _complete(self, _: Any) -> list[Out]:
        """``response.completed``, or ``response.incomplete`` for ``length`` and
        ``content_filter``: the whole response, its ``output`` and ``usage``."""
        self.state = CLOSED
        status, details = finish_status(self._finish, self._lose)
        resp = self._final(status)
        resp.incomplete_details = details
        cls: Any = r.ResponseIncompleteEvent if status == "incomplete" else r.ResponseCompletedEvent
        return [cls(response=resp, sequence_number=self._next())]

    def _final(self, status: str) -> r.Response:
        resp = self._response(status)
        resp.output = [item.final for item in self._items if item.final is not None]
        resp.completed_at = self._created  # as the non-stream converter says it
        if self._usage is not None:
            resp.usage = usage(self._usage)
        if self._tier is not UNSET:
            resp.service_tier = self._tier
        return resp

    def _early(self, _: Any) -> list[Out]:
        return self._fail(("the upstream stream ended before its first chunk", "server_error"))

    def _unfinished_done(self, _: Any) -> list[Out]:
        return self._fail(
            ("the upstream stream ended ([DONE]) without a finish reason", "server_error")
        )

    def _unfinished(self, _: Any) -> list[Out]:
        return self._fail(("the upstream stream ended without a finish reason", "server_error"))

    def _fail(self, why: tuple[str, str]) -> list[Out]:
        """``response.failed``: the open items are done first (``status: incomplete``),
        so that every item added is also done; before any chunk, the response starts and
        fails at once."""
        message, code = why
        out: list[Out] = []
        if self.state is IDLE:
            self._id = "resp"
            self._lose("", "dropped", message)
            self._begin(out)
        elif self.state is OPEN:
            self._end_all(out, incomplete=True)
        self.state = CLOSED
        resp = self._final("failed")
        resp.error = r.ResponseError(code=code, message=message)
        out.append(r.ResponseFailedEvent(response=resp, sequence_number=self._next()))
        return out

    def _error(self, body: o.ErrorBody) -> list[Out]:
        """An upstream error chunk (``data: {"error": {...}}``) -> ``response.failed``
        with its message and the nearest ResponseError code."""
        err = body.error
        code = err.code if isinstance(err.code, str) and err.code in _CODES else None
        if code is None and context_exceeded(err):
            code = CONTEXT_LENGTH_EXCEEDED
        elif code is None:
            kind = f"{err.type} {err.code}"
            if "rate_limit" in kind or "429" in kind:
                code = "rate_limit_exceeded"
            elif "invalid_request" in kind:
                code = "invalid_prompt"
            else:
                code = "server_error"
        return self._fail((err.message, code))

    # -- one delta -----------------------------------------------------------------------

    def _delta(self, delta: o.ChunkDelta, out: list[Out]) -> None:
        """One choice delta, in the order a message holds it: reasoning, text, refusal,
        tool calls."""
        if delta.reasoning_details:
            self._reasoning_details(delta.reasoning_details, out)
        elif not self._details:
            text = delta.reasoning_content or delta.reasoning
            if text:
                self._segment(_REASONING, None, _SUMMARY, text, out)
            if delta.reasoning_content and delta.reasoning not in (UNSET, None, text):
                self._lose(
                    "choices[0].delta.reasoning", "dropped", "differs from reasoning_content"
                )
        text = delta.content
        if text:
            seg = self._seg
            if seg is not None and seg.kind is _MESSAGE and seg.part is _TEXT:  # the hot path
                self._add(seg, text, out)
            else:
                self._segment(_MESSAGE, None, _TEXT, text, out)
        if delta.refusal:
            self._segment(_MESSAGE, None, _REFUSAL, delta.refusal, out)
        if delta.tool_calls:
            for frag in delta.tool_calls:
                self._fragment(frag, out)
        if delta.function_call:
            self._lose("choices[0].delta.function_call", "dropped", "the deprecated function_call")
        if delta.audio:
            self._lose("choices[0].delta.audio", "dropped", "no audio in a Response")
        if delta.annotations:
            self._lose("choices[0].delta.annotations", "dropped", "no twin kept here")

    def _reasoning_details(self, details: list[o.ReasoningDetail], out: list[Out]) -> None:
        """OpenRouter's ``reasoning_details``: one reasoning item per detail ``(id,
        index)``, as ``_request.FromChat.reasoning`` reads a message's details."""
        self._details = True
        path = "choices[0].delta.reasoning_details"
        for d in details:
            key = (d.id, d.index)
            if isinstance(d, o.ReasoningEncrypted):
                item = self._reasoning_item(key, out)
                item.encrypted = d.data
                continue
            if isinstance(d, o.ReasoningText):
                part = _RAW if d.format == CONTENT_FORMAT else _SUMMARY
                if d.format not in (UNSET, None, CONTENT_FORMAT):
                    self._lose(f"{path}.format", "dropped", "no twin in the Responses API")
                text = d.text if isinstance(d.text, str) else ""
                item = self._reasoning_item(key, out)
                if text or item.part is None:
                    self._piece(item, part, text, out)
                if isinstance(d.signature, str):  # "" too, as the request reads it
                    item.encrypted = d.signature
            else:
                item = self._reasoning_item(key, out)
                self._piece(item, _SUMMARY, d.summary, out)

    def _reasoning_item(self, key: Any, out: list[Out]) -> _Item:
        seg = self._seg
        if seg is not None and seg.kind is _REASONING and seg.key == key:
            return seg
        return self._new_segment(_REASONING, key, out)

    def _segment(self, kind: Kind, key: Any, part: Part, text: str, out: list[Out]) -> None:
        seg = self._seg
        if seg is None or seg.kind is not kind or (kind is _REASONING and seg.key != key):
            seg = self._new_segment(kind, key, out)
        self._piece(seg, part, text, out)

    def _new_segment(self, kind: Kind, key: Any, out: list[Out]) -> _Item:
        """A reasoning or message item: the open one is done first (items of one kind
        come one after the other)."""
        if self._seg is not None:
            self._seg.row[_END](self, self._seg, None, out)
        item = _Item(kind, _OPEN)
        item.key = key
        if kind is _REASONING:
            detail_id = key[0] if key is not None else None
            if isinstance(detail_id, str):
                item.id = detail_id
            else:
                item.id = f"rs_{self._id}_{self._plain}"
                self._plain += 1
            added: r.Item = r.Reasoning(id=item.id, summary=[])
        else:
            n = self._messages
            self._messages += 1
            item.id = f"msg_{self._id}" if n == 0 else f"msg_{self._id}_{n}"
            added = r.Message(role="assistant", content=[], id=item.id, status="in_progress")
        self._add_item(item, added, out)
        self._seg = item
        return item

    def _add_item(self, item: _Item, added: r.Item, out: list[Out]) -> None:
        if len(self._items) >= MAX_ITEMS:
            self._over = f"over {MAX_ITEMS} output items"
        item.output_index = len(self._items)
        self._items.append(item)
        self._open.append(item)
        out.append(
            r.OutputItemAddedEvent(
                item=added, output_index=item.output_index, sequence_number=self._next()
            )
        )

    def _piece(self, item: _Item, part: Part, text: str, out: list[Out]) -> None:
        """A piece of a segment's part: a new part when the kind of part changes."""
        if item.part is not part:
            if item.part is not None:
                self._end_part(item, out)
            self._start_part(item, part, out)
        if text:
            self._add(item, text, out)

    def _add(self, item: _Item, text: str, out: list[Out]) -> None:
        item.row[_DELTA](self, item, text, out)

    # -- the parts of an item ----------------------------------------------------------

    def _part_index(self, item: _Item, part: Part) -> int:
        return item.nsummary if part is _SUMMARY else item.ncontent

    def _start_part(self, item: _Item, part: Part, out: list[Out]) -> None:
        item.part = part
        i = self._part_index(item, part)
        seq = self._next()
        e: Out
        if part is _SUMMARY:
            e = r.ReasoningSummaryPartAddedEvent(
                item_id=item.id,
                output_index=item.output_index,
                summary_index=i,
                part=r.SummaryText(text=""),
                sequence_number=seq,
            )
        else:
            p: Any = (
                r.OutputText(text="")
                if part is _TEXT
                else r.Refusal(refusal="")
                if part is _REFUSAL
                else r.ReasoningText(text="")
            )
            e = r.ContentPartAddedEvent(
                item_id=item.id,
                output_index=item.output_index,
                content_index=i,
                part=p,
                sequence_number=seq,
            )
        out.append(e)

    def _end_part(self, item: _Item, out: list[Out]) -> None:
        part = item.part
        if part is None or part is _ARGS:
            return
        text = item.text.value()
        item.text = _Text()
        i = self._part_index(item, part)
        item.parts.append((part, text))
        item.part = None
        if part is _SUMMARY:
            item.nsummary += 1
        else:
            item.ncontent += 1
        ident, index = item.id, item.output_index
        if part is _SUMMARY:
            out.append(
                r.ReasoningSummaryTextDoneEvent(
                    item_id=ident,
                    output_index=index,
                    summary_index=i,
                    text=text,
                    sequence_number=self._next(),
                )
            )
            out.append(
                r.ReasoningSummaryPartDoneEvent(
                    item_id=ident,
                    output_index=index,
                    summary_index=i,
                    part=r.SummaryText(text=text),
                    sequence_number=self._next(),
                )
            )
            return
        done: Any
        p: Any
        if part is _TEXT:
            done = r.OutputTextDoneEvent(
                item_id=ident, output_index=index, content_index=i, text=text
            )
            p = r.OutputText(text=text)
        elif part is _REFUSAL:
            done = r.RefusalDoneEvent(
                item_id=ident, output_index=index, content_index=i, refusal=text
            )
            p = r.Refusal(refusal=text)
        else:
            done = r.ReasoningTextDoneEvent(
                item_id=ident, output_index=index, content_index=i, text=text
            )
            p = r.ReasoningText(text=text)
        done.sequence_number = self._next()
        out.append(done)
        out.append(
            r.ContentPartDoneEvent(
                item_id=ident,
                output_index=index,
                content_index=i,
                part=p,
                sequence_number=self._next(),
            )
        )

    # -- items: handlers of the Item rows -----------------------------------------------

    def _keep(self, n: int) -> None:
        self._kept += n
        if self._kept > self._max:
            self._over = f"over {self._max} characters of output"

    def _delta_event(self, item: _Item, text: str, out: list[Out]) -> None:
        """An open item's delta: kept (for its done events) and said."""
        self._keep(len(text))
        item.text.add(text)
        part = item.part
        if part is _ARGS and item.custom:  # its input is said whole at the end
            return
        seq = self._next()
        e: Any
        if part is _TEXT:
            e = r.OutputTextDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                content_index=item.ncontent,
                delta=text,
                sequence_number=seq,
            )
        elif part is _ARGS:
            e = r.FunctionCallArgumentsDeltaEvent(
                item_id=item.id, output_index=item.output_index, delta=text, sequence_number=seq
            )
        elif part is _SUMMARY:
            e = r.ReasoningSummaryTextDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                summary_index=item.nsummary,
                delta=text,
                sequence_number=seq,
            )
        elif part is _REFUSAL:
            e = r.RefusalDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                content_index=item.ncontent,
                delta=text,
                sequence_number=seq,
            )
        else:
            e = r.ReasoningTextDeltaEvent(
                item_id=item.id,
                output_index=item.output_index,
                content_index=item.ncontent,
                delta=text,
                sequence_number=seq,
            )
        out.append(e)

    def _hold(self, item: _Item, text: str, out: list[Out]) -> None:
        """A call without a name yet: its arguments are kept, nothing is said."""
        self._keep(len(text))
        item.text.add(text)

    def _named(self, item: _Item, name: str, out: list[Out]) -> None:
        """A call's name: its item is added and the arguments held so far are said. A
        custom tool's call (``request=`` says so) is added when it ends: its input is
        JSON-encoded in the upstream's arguments, said whole once it is known."""
        ns, local, kind = self._names.get(name, (UNSET, name, "function"))
        item.name = name
        item.namespace = ns
        item.custom = kind == "custom"
        item.position = self._ncalls
        self._ncalls += 1
        item.id = f"fc_{self._id}_{item.position}"
        if not item.call_id:
            item.call_id = f"call_{self._id}_{item.position}"
            self._lose(f"{item.path()}.id", "approximated", "a call without an id: one is made")
        item.to(_OPEN)
        item.part = _ARGS
        if self._seg is not None:  # a call ends the reasoning or text before it
            seg, self._seg = self._seg, None
            seg.row[_END](self, seg, None, out)
        if item.custom:
            return
        added = r.FunctionCall(
            call_id=item.call_id,
            name=local,
            arguments="",
            namespace=ns,
            id=item.id,
            status="in_progress",
        )
        self._add_item(item, added, out)
        held = item.text.value()
        if held:
            out.append(
                r.FunctionCallArgumentsDeltaEvent(
                    item_id=item.id,
                    output_index=item.output_index,
                    delta=held,
                    sequence_number=self._next(),
                )
            )

    def _second_name(self, item: _Item, name: str, out: list[Out]) -> None:
        if name != item.name:
            self._lose(f"{item.path()}.function.name", "dropped", "a second name for a call")

    def _ghost(self, item: _Item, _: Any, out: list[Out]) -> None:
        item.to(_GHOST)
        self._kept -= len(item.text.value())
        item.text = _Text()
        self._lose(item.path(), "dropped", "a tool call that never got a name (a ghost call)")

    def _item_done(self, item: _Item, incomplete: Any, out: list[Out]) -> None:
        """An item ends: its open part, then ``response.output_item.done`` with the
        item whole, as the non-stream converter makes it."""
        item.to(_DONE)
        if item is self._seg:
            self._seg = None
        if item.kind is _CALL:
            args = item.text.value()
            item.text = _Text()
            item.parts = [(_ARGS, args)]
            item.part = None
            done = self._done_item(item)
            if item.custom:  # added now, as what its arguments make it
                self._custom_call(item, done, args, out)
            else:
                self._arguments_done(item, args, out)
        else:
            self._end_part(item, out)
            done = self._done_item(item)
        if incomplete and not isinstance(done, r.Reasoning):
            done.status = "incomplete"  # type: ignore[union-attr]
        item.final = done
        item.parts = []
        out.append(
            r.OutputItemDoneEvent(
                item=done, output_index=item.output_index, sequence_number=self._next()
            )
        )

    def _custom_call(self, item: _Item, done: r.Item, args: str, out: list[Out]) -> None:
        """A custom tool's call: added, its input said whole (or, when the arguments are
        not one string ``input``, said as the function call they are), done."""
        if isinstance(done, r.CustomToolCall):
            added: r.Item = msgspec.structs.replace(done, input="")
            self._add_item(item, added, out)
            ident, index = item.id, item.output_index
            out.append(
                r.CustomToolCallInputDeltaEvent(
                    item_id=ident,
                    output_index=index,
                    delta=done.input,
                    sequence_number=self._next(),
                )
            )
            out.append(
                r.CustomToolCallInputDoneEvent(
                    item_id=ident,
                    output_index=index,
                    input=done.input,
                    sequence_number=self._next(),
                )
            )
            return
        assert isinstance(done, r.FunctionCall)
        self._lose(item.path(), "approximated", "a custom tool's call without one string 'input'")
        self._add_item(item, msgspec.structs.replace(done, arguments="", status="in_progress"), out)
        if args:
            out.append(
                r.FunctionCallArgumentsDeltaEvent(
                    item_id=item.id,
                    output_index=item.output_index,
                    delta=args,
                    sequence_number=self._next(),
                )
            )
        self._arguments_done(item, args, out)

    def _arguments_done(self, item: _Item, args: str, out: list[Out]) -> None:
        out.append(
            r.FunctionCallArgumentsDoneEvent(
                item_id=item.id,
                output_index=item.output_index,
                arguments=args,
                sequence_number=self._next(),
            )
        )

    def _late(self, item: _Item, _: Any, out: list[Out]) -> None:
        self._lose(item.path(), "dropped", "a fragment of a tool call that came after it was done")

    def _nothing(self, item: _Item, _: Any, out: list[Out]) -> None:
        pass

    def _done_item(self, item: _Item) -> r.Item:
        """The item whole: what ``response.output_item.done`` and ``response.completed``
        carry (the non-stream converter's items; its own function for calls)."""
        if item.kind is _CALL:
            args = item.parts[0][1] if item.parts else ""
            call = o.FunctionToolCall(
                id=item.call_id, function=o.FunctionCall(name=item.name, arguments=args)
            )
            return call_item(call, self._names, item.id)
        if item.kind is _REASONING:
            reasoning = r.Reasoning(id=item.id, summary=[])
            content: list[r.ReasoningContent] = []
            for part, text in item.parts:
                if part is _SUMMARY:
                    reasoning.summary.append(r.SummaryText(text=text))
                else:
                    content.append(r.ReasoningText(text=text))
            if content:
                reasoning.content = content
            if item.encrypted is not UNSET:
                reasoning.encrypted_content = item.encrypted
            return reasoning
        parts: list[r.MessagePart] = [
            r.OutputText(text=text) if part is _TEXT else r.Refusal(refusal=text)
            for part, text in item.parts
        ]
        return r.Message(role="assistant", content=parts, id=item.id, status="completed")

    def _end_all(self, out: list[Out], incomplete: bool = False) -> None:
        """No more content: every item not yet done is done, oldest first; calls that
        never got a name are ghosts."""
        for item in self._open:
            item.row[_END](self, item, incomplete, out)
        self._open = []
        self._seg = None

    # -- tool calls --------------------------------------------------------------------

    def _fragment(self, frag: o.DeltaToolCall, out: list[Out]) -> None:
        ident = frag.id or ""
        fn = frag.function or _NO_FUNCTION
        name = fn.name or None
        args = fn.arguments or None
        item = self._call_for(frag.index, ident, name)
        if ident and not item.call_id:
            item.call_id = ident
        if name is not None:
            item.row[_NAME](self, item, name, out)
        if args is not None:
            item.row[_DELTA](self, item, args, out)

    def _call_for(self, index: Any, ident: str, name: str | None) -> _Item:
        """OpenAI keys fragments by ``index``. A new id at a used index is a new call
        (Ollama, Gemini gateways); a fragment without index continues the call it
        follows, or opens the next when it carries an id or a name that call does not
        have (Google)."""
        if index is UNSET:
            call = self._last
            if (
                call is None
                or (ident and call.call_id and ident != call.call_id)
                or (name is not None and call.name and not (ident and ident == call.call_id))
            ):
                self._unindexed += 1
                call = self._new_call(("?", self._unindexed), f"?{self._unindexed}")
            self._last = call
            return call
        call = self._calls.get(index)
        if call is None or (ident and call.call_id and ident != call.call_id):
            call = self._new_call(index, str(index))
        self._last = call
        return call

    def _new_call(self, key: Any, label: str) -> _Item:
        calls = self._calls
        calls.pop(key, None)
        if len(calls) >= 64:  # forget the oldest key: its item is kept in _items
            del calls[next(iter(calls))]
        item = calls[key] = _Item(_CALL, _PENDING)
        item.label = label
        live = self._open
        if len(live) >= 128:  # done items leave; beyond 64 unnamed calls, the oldest is a ghost
            live[:] = [i for i in live if i.state is _OPEN or i.state is _PENDING]
            pending = [i for i in live if i.state is _PENDING]
            for old in pending[: max(0, len(pending) - 64)]:
                self._ghost(old, None, [])
                live.remove(old)
        live.append(item)
        return item

    # -- helpers -------------------------------------------------------------------------

    def _next(self) -> int:
        n = self._seq
        self._seq = n + 1
        return n

    def _unknown(self, unknown: list[Unknown]) -> None:
        for u in unknown:
            self._lose(f"{u.path}.{u.key}" if u.path else u.key, "dropped", "unknown field")


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


# --- the transition table ---------------------------------------------------------------

_S = Stream
Handler = Callable[..., Any]
TRANSITIONS: dict[Phase | Item, dict[Ev | Piece, Handler]] = {
    Phase.IDLE: {
        Ev.CHUNK: _S._start,
        Ev.FINISH: _S._finished,  # (only from inside the first chunk, once it is OPEN)
        Ev.DONE: _S._early,
        Ev.CLOSE: _S._early,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Phase.OPEN: {
        Ev.CHUNK: _S._open_chunk,
        Ev.FINISH: _S._finished,
        Ev.DONE: _S._unfinished_done,
        Ev.CLOSE: _S._unfinished,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Phase.FINISHED: {
        Ev.CHUNK: _S._open_chunk,  # usage, or content after the finish (a Loss)
        Ev.FINISH: _S._ignore,  # a second finish reason says nothing new
        Ev.DONE: _S._complete,
        Ev.CLOSE: _S._complete,
        Ev.ERROR: _S._error,
        Ev.ABORT: _S._fail,
    },
    Phase.CLOSED: dict.fromkeys(Ev, _S._ignore),
    Item.PENDING: {Piece.NAME: _S._named, Piece.DELTA: _S._hold, Piece.END: _S._ghost},
    Item.OPEN: {
        Piece.NAME: _S._second_name,
        Piece.DELTA: _S._delta_event,
        Piece.END: _S._item_done,
    },
    Item.DONE: {Piece.NAME: _S._late, Piece.DELTA: _S._late, Piece.END: _S._nothing},
    Item.GHOST: {Piece.NAME: _S._late, Piece.DELTA: _S._late, Piece.END: _S._nothing},
}
"""The response (``Phase`` x ``Ev``) and each item (``Item`` x ``Piece``): every handler
sets the next state."""


# --- wrappers ---------------------------------------------------------------------------


def stream(
    chunks: Iterable[Any],
    *,
    request: Any = None,
    source: str | None = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[Out]:
    """The Responses events for an iterable of Chat chunks or Messages events (structs,
    dicts or JSON)."""
    return drive(Stream(request, source=source, losses=losses, strict=strict), chunks)


_EVENT_NAMES: dict[type, bytes] = {
    cls: str(cls.__struct_config__.tag).encode()  # the tag, without a schema walk at import
    for cls in r.StreamEvent.__args__
}


_HEADS: dict[type, bytes] = {
    cls: b"event: " + name + b"\ndata: " for cls, name in _EVENT_NAMES.items()
}
"""Each event type's frame up to its data (``sse.encode_event_data``'s, made once)."""


_FRAMES: dict[Part, bytes] = {
    part: b"event: " + name + b'\ndata: {"type":"' + name + b'","sequence_number":%d,"item_id":%b,'
    b'"output_index":%d,' + tail
    for part, name, tail in (
        (
            _TEXT,
            b"response.output_text.delta",
            b'"content_index":%d,"delta":%b,"logprobs":[]}\n\n',
        ),
        (_SUMMARY, b"response.reasoning_summary_text.delta", b'"summary_index":%d,"delta":%b}\n\n'),
        (_RAW, b"response.reasoning_text.delta", b'"content_index":%d,"delta":%b}\n\n'),
        (_ARGS, b"response.function_call_arguments.delta", b'"delta":%b}\n\n'),
    )
}
"""The frames of the four delta events, as ``frames`` writes them (msgspec writes a
struct's tag first, then its fields in their order), for ``Stream.feed_frame``."""


def frames(events: list[Out]) -> bytes:
    """Responses SSE frames: ``event: <type>`` then ``data: <json>``, then a blank line."""
    encode = _encoder.encode
    if len(events) == 1:
        e = events[0]
        return _HEADS[type(e)] + encode(e) + b"\n\n"
    return b"".join([_HEADS[type(e)] + encode(e) + b"\n\n" for e in events])


class SSE(ByteStream):
    """The bytes-level translator: Chat SSE bytes (``data: <chunk>`` ... ``data: [DONE]``)
    or Messages SSE bytes in, split anywhere; Responses SSE bytes out (``event: <type>`` /
    ``data: <json>`` frames, no ``[DONE]``: the Responses API ends with the terminal
    event). ``feed(data)`` returns the bytes to send for what ``data`` completed,
    ``close()`` the last ones, ``abort(reason)`` ends the stream now with
    ``response.failed``. It never raises on what the upstream sends (``strict=True`` aside):
    a frame that cannot be read, a stream that stops early, end with ``response.failed``.
    Once the stream has ended, nothing more is read (``_bytes.ByteStream``).
    """

    __slots__ = ()

    def __init__(
        self,
        request: Any = None,
        *,
        source: str | None = None,
        losses: list[Loss] | None = None,
        strict: bool = False,
        max_output_chars: int = MAX_OUTPUT_CHARS,
    ) -> None:
        s = Stream(
            request, source=source, losses=losses, strict=strict, max_output_chars=max_output_chars
        )
        decoder = SSEDecoder(event_types=_ANTHROPIC_EVENTS)  # (Chat frames have no event)
        super().__init__(
            decoder, s, machine=s, end=CLOSED, read=s.feed, frames=frames, frame=s.feed_frame
        )


def sse(
    byte_chunks: Iterable[bytes],
    *,
    request: Any = None,
    source: str | None = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> Iterator[bytes]:
    """Chat (or Messages) SSE bytes in -> Responses SSE bytes out, through :class:`SSE`.
    Input may be split anywhere; an upstream that cannot be read or ends early gives a
    well-formed stream ending with ``response.failed``, never an exception."""
    return pump(SSE(request, source=source, losses=losses, strict=strict), byte_chunks)


def async_sse(
    byte_chunks: AsyncIterable[bytes],
    *,
    request: Any = None,
    source: str | None = None,
    losses: list[Loss] | None = None,
    strict: bool = False,
) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(SSE(request, source=source, losses=losses, strict=strict), byte_chunks)
