"""Responses stream events -> Chat Completions chunks (and, through them, Messages events).

The direction a Chat or Messages client needs in front of a Responses upstream. A sans-I/O
state machine like the others: :class:`ChatStream` is fed one Responses event at a time
and returns the Chat chunks it completed; ``close`` ends the stream. What an event does in
a state is one entry of ``TRANSITIONS`` (``{State: {event type: handler}}``, ``None``
standing for any other event); no handler is reached any other way. Messages clients get
the same chunks through ``to_anthropic``'s Chat -> Messages machine (:class:`MessagesStream`),
the compatible Chat hub, as the non-stream composition does.

The rules it implements (OpenAI, "Streaming API responses" and the Responses event
reference; Codex as it reads them, DIALECTS.md):

- ``response.created`` (or ``queued``) opens the stream: the first chunk says the role;
  id, model and ``created`` come from its ``response``.
- ``response.output_item.added`` opens an item: a ``function_call`` (or
  ``custom_tool_call``) is the next tool call (``index`` counts them), its id and name in
  its first fragment; ``message`` and ``reasoning`` items open nothing in Chat.
- Deltas are passed on as they come: ``output_text`` -> ``content``, ``refusal`` ->
  ``refusal``, ``reasoning_summary_text`` / ``reasoning_text`` -> ``reasoning_content``
  (parts of one assistant turn joined by a blank line, as the non-stream converter joins
  them), ``function_call_arguments`` / ``custom_tool_call_input`` -> the call's arguments.
- ``response.output_item.done`` carries the whole item: a reasoning item's
  ``reasoning_details`` (its parts, its ``id`` and ``encrypted_content`` as the signature)
  are said then, each keyed by its place in the list as every Chat accumulator keys them;
  an item whose text came in no delta (servers that send only the done events) is said
  whole then.
- ``response.completed`` / ``response.incomplete`` end it: the finish reason (``tool_calls``
  when a call was made, ``length`` / ``content_filter`` for an incomplete response), then
  the usage chunk (``choices: []``). ``response.failed`` and ``error`` end it with an error
  chunk. An upstream that stops without any of them ends with an error chunk.

Memory is O(1) in the length of the stream: every piece is passed on as it arrives; what
is kept is a few counters, the open turn's reasoning separator state, the call ids seen
(at most ``MAX_CALLS``) and the ledger (each loss once per path pattern, at most 256). A
reasoning item's whole text is in memory only as its ``output_item.done`` event is.
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
from .._ledger import Ctx, OnceLedger
from .._tables import tag
from ..sse import DONE, SSEDecoder, apump, encode_data, pump
from ..targets import PRESETS
from ._bytes import ByteStream, drive
from ._response import _FINISH, chat_usage
from ._to_chat import ToChat, flat_name

__all__ = ["TRANSITIONS", "ChatStream", "MessagesStream", "State", "is_responses_event"]

MAX_CALLS = 4096
"""Tool calls counted in one response; a call beyond them ends the stream (a Loss)."""

_event_decoder = msgspec.json.Decoder(r.StreamEvent)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()
_TAGS = {
    cls: cls.__struct_config__.tag  # the tag, without a schema walk at import
    for cls in r.StreamEvent.__args__
}
_KNOWN = frozenset(_TAGS.values())
_Chunk, _Choice, _Delta = o.ChatCompletionChunk, o.ChunkChoice, o.ChunkDelta
_TextDelta = r.OutputTextDeltaEvent
_SummaryDelta = r.ReasoningSummaryTextDeltaEvent
_ArgumentsDelta = r.FunctionCallArgumentsDeltaEvent
_MARK = "\x00translate\x00"
_MARKED = b'{"content":' + msgspec.json.encode(_MARK) + b"}"
_ARGUMENTS = b'%b{"tool_calls":[{"index":%d,"function":{"arguments":%b}}]}%b'
"""An arguments delta's chunk (``ChatStream.feed_frame``): envelope, index, arguments."""
_COMPATIBLE = PRESETS[("openai", "compatible")]

Out = o.ChatCompletionChunk | o.ErrorBody


class State(enum.Enum):
    IDLE = "idle"  # nothing read yet
    OPEN = "open"  # response.created read: items and deltas
    ENDED = "ended"  # the finish (or an error) was said: nothing more is read

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is slow)


IDLE, OPEN, ENDED = State.IDLE, State.OPEN, State.ENDED

# Rank of an item in an assistant turn, in the order Chat says them (ToChat's turns).
_RANK = {"reasoning": 0, "message": 1, "function_call": 2, "custom_tool_call": 2}


def _no_writer(chunks: list[Any]) -> bytes:
    raise TypeError("feed_frame is ChatSSE's: it gives the writer")


def is_responses_event(value: Any) -> bool:
    """Whether one upstream event (a struct, a dict, or its JSON) is a Responses one."""
    if type(value) in _TAGS:
        return True
    if isinstance(value, dict):
        kind = value.get("type")
        return isinstance(kind, str) and kind.startswith("response.")
    if isinstance(value, (bytes, bytearray, str)):
        head = value[:200] if isinstance(value, str) else bytes(value[:200]).decode("latin-1")
        return '"type":"response.' in head or '"type": "response.' in head
    return False


class ChatStream(OnceLedger):
    """Responses events in (structs, dicts or the JSON of one frame), Chat chunks out.

    ``feed(event)`` returns the chunks the event completed; ``close()`` ends the stream (an
    error chunk if no terminal event came). ``created``: the chunks' ``created`` (default:
    the response's ``created_at``). ``losses`` / ``strict``: as for every stream.
    """

    __slots__ = (
        "_any_call",
        "_calls",
        "_conv",
        "_created",
        "_ctx",
        "_details",
        "_env",
        "_envelope",
        "_hub",
        "_item",
        "_part_key",
        "_plain",
        "_rank",
        "_reason_index",
        "_row",
        "_seen",
        "_streamed",
        "_summary_kind",
        "_tier",
        "_turn_items",
        "_turn_parts",
        "_write",
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
        self._row = _ROWS[IDLE]
        self.losses = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        self._created = created
        self._env: tuple[str, int, str] = ("", 0, "")  # id, created, model
        self._envelope: tuple[bytes, bytes] | None = None  # (``_wrap``)
        self._write: Callable[[list[Out]], bytes] = _no_writer  # ChatSSE's (``feed_frame``)
        self._tier: Any = UNSET  # service_tier, said on every chunk as OpenAI does
        self._ctx = Ctx(_COMPATIBLE)
        self._conv = ToChat(self._ctx, r.ResponseCreateParams())
        self._conv.output = True
        self._calls: dict[int, int] = {}  # output_index -> tool call index
        self._any_call = False
        self._rank = -1  # rank of the last item of the open turn
        self._turn_parts = 0  # reasoning parts said in the open turn (for the separator)
        self._turn_items = 0  # reasoning items in the open turn (their details' number)
        self._details = 0  # reasoning_details said so far (their index)
        self._item = -1  # output_index of the open item
        self._streamed = False  # the open item's text came in deltas
        self._summary_kind = ""  # "summary" or "content": the kind the open reasoning says
        self._part_key: tuple[str, int] | None = None  # the reasoning part being said
        self._plain: r.Reasoning | None = None  # a lone plain reasoning item, held
        # For the Messages hub: reasoning said as reasoning_details only, live, one entry
        # per part (a thinking block), the item's signature on its last at the item's end.
        self._hub = False
        self._reason_index = -1

    # -- the public surface ------------------------------------------------------------

    def feed(self, item: Any) -> list[Out]:
        if self.state is ENDED:
            return []
        if isinstance(item, (bytes, bytearray, memoryview, str)):
            return self.feed_data(item)  # type: ignore[arg-type]
        if type(item) not in _TAGS:
            if hasattr(item, "model_dump"):
                item = item.model_dump(mode="json", by_alias=True, exclude_unset=True)
            item = self._read(item)
            if item is None:
                return []
        return self._dispatch(item)

    def feed_data(self, data: str | bytes) -> list[Out]:
        """One frame's data (the JSON of one event)."""
        if self.state is ENDED:
            return []
        try:
            event = _event_decoder.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            try:
                value = _any_decoder.decode(data)
            except (msgspec.DecodeError, RecursionError, UnicodeError) as exc:
                raise TranslationError("", f"not a JSON event: {exc}") from None
            event = self._read(value)
            if event is None:
                return []
        return self._row[type(event)](self, event)

    def close(self) -> list[Out]:
        if self.state is ENDED:
            return []
        return self._fail("the upstream stream ended before response.completed", "api_error")

    def abort(self, message: str, kind: str = "api_error") -> list[Out]:
        """End the stream now with an error chunk (a gateway whose upstream broke)."""
        if self.state is ENDED:
            return []
        return self._fail(message, kind)

    @property
    def ended(self) -> bool:
        return self.state is ENDED

    # -- reading -------------------------------------------------------------------------

    def _read(self, value: Any) -> Any:
        """A dict -> its event struct; None for an event this machine has no use for."""
        if not isinstance(value, dict):
            raise TranslationError("", "a Responses event is a JSON object")
        kind = value.get("type")
        if kind not in _KNOWN:
            if isinstance(kind, str) and kind.startswith("response."):
                return None  # a newer event: nothing a Chat client could be told
            raise TranslationError("type", f"not a Responses event: {kind!r}")
        unknown: list[Unknown] = []
        return decode(value, r.StreamEvent, unknown)  # type: ignore[arg-type]

    def _dispatch(self, event: Any) -> list[Out]:
        """What ``event`` does in the current state: one lookup in ``TRANSITIONS`` (the
        state's row as ``_ROWS`` keys it, by the event's class, kept by ``_to``)."""
        return self._row[type(event)](self, event)

    def _to(self, state: State) -> None:
        self.state = state
        self._row = _ROWS[state]

    def _lose(self, path: str, kind: LossKind, detail: str) -> None:
        OnceLedger._lose(self, path, kind, detail)

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        """Record a Loss in this stream's ledger (once per path pattern and detail)."""
        OnceLedger._lose(self, path, kind, detail)

    def _drain(self) -> None:
        """The losses ToChat reported (reasoning parts, names) go to this stream's ledger."""
        for loss in self._ctx.losses:
            self._lose(loss.path, loss.kind, loss.detail)
        self._ctx.losses.clear()

    # -- output --------------------------------------------------------------------------

    def _chunk(self, delta: o.ChunkDelta, finish: Any = UNSET) -> o.ChatCompletionChunk:
        ident, created, model = self._env
        return _Chunk(
            id=ident,
            created=created,
            model=model,
            choices=[_Choice(delta=delta, finish_reason=finish)],
            service_tier=self._tier,
        )

    def feed_frame(self, data: str) -> bytes:
        """What ``ChatSSE`` sends for one frame's data: ``write(self.feed_data(data))`` (the
        writer ``ChatSSE`` gives), with the hot case (a delta of the open text, reasoning
        or call) written straight to its bytes (``_wrap``: the chunk's JSON around its
        delta; tests hold them equal)."""
        write = self._write
        if self.state is not OPEN:
            return write(self.feed_data(data))
        try:
            event: Any = _event_decoder.decode(data)  # (its class is tested below)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return write(self.feed_data(data))  # (read again, the slow way: it says why)
        cls = type(event)
        if cls is _TextDelta:
            if event.output_index == self._item:
                self._streamed = True
                head, tail = self._envelope or self._wrap()
                return head + b'{"content":' + _encoder.encode(event.delta) + b"}" + tail
        elif cls is _SummaryDelta:
            key, delta = self._part_key, event.delta
            if (
                event.output_index == self._item
                and not self._hub
                and key is not None
                and key[0] == "summary"
                and key[1] == event.summary_index
                and delta
                and self._summary_kind == "summary"
            ):
                self._streamed = True
                head, tail = self._envelope or self._wrap()
                return head + b'{"reasoning_content":' + _encoder.encode(delta) + b"}" + tail
        elif cls is _ArgumentsDelta:
            index = self._calls.get(event.output_index)
            if index is not None:
                self._streamed = True
                head, tail = self._envelope or self._wrap()
                return _ARGUMENTS % (head, index, _encoder.encode(event.delta), tail)
        return write(self._row[cls](self, event))

    def _wrap(self) -> tuple[bytes, bytes]:
        """The SSE frame of this stream's chunks up to their delta object, and after it:
        a chunk encoded with a delta whose JSON cannot occur in its envelope (a quote in
        the id or model is escaped there), cut at it."""
        marked = _encoder.encode(self._chunk(_Delta(content=_MARK)))
        head, sep, tail = marked.partition(_MARKED)
        assert sep, marked
        self._envelope = (b"data: " + head, tail + b"\n\n")
        return self._envelope

    def _fail(self, message: str, kind: str, code: Any = UNSET) -> list[Out]:
        self._to(ENDED)
        self._lose("", "dropped", f"the stream ended with an error: {message}"[:200])
        return [o.ErrorBody(error=o.ErrorObject(message=message, type=kind, code=code))]

    # -- handlers ------------------------------------------------------------------------

    def _open(self, event: Any) -> list[Out]:
        resp: r.Response = event.response
        created = self._created or int(resp.created_at)
        self._env = (resp.id, created, resp.model)
        self._tier = resp.service_tier if resp.service_tier is not None else UNSET
        self._envelope = None
        self._to(OPEN)
        return [self._chunk(o.ChunkDelta(role="assistant"))]

    def _early(self, event: Any) -> list[Out]:
        """An event before response.created: the stream is opened with what it says."""
        self._env = ("resp", self._created, "")
        self._envelope = None
        self._to(OPEN)
        self._lose("", "approximated", "no response.created: the chunks have no id or model")
        first = self._chunk(o.ChunkDelta(role="assistant"))
        return [first, *self._dispatch(event)]

    def _nothing(self, event: Any) -> list[Out]:
        return []

    def _annotation(self, event: Any) -> list[Out]:
        self._lose(
            f"output[{event.output_index}].content[{event.content_index}].annotations",
            "dropped",
            "Chat chunks carry no annotations",
        )
        return []

    def _turn(self, kind: str) -> bool:
        """An item of ``kind`` arrives: one that cannot follow what the open turn says
        (reasoning < text < calls; one text a turn) starts the next turn (ToChat's rule).
        Whether it did."""
        rank = _RANK[kind]
        new = self._rank < 0 or rank < self._rank or (rank == 1 and self._rank >= 1)
        if new:
            self._turn_parts = 0
            self._turn_items = 0
            self._plain = None  # a held lone plain reasoning item stays plain
        self._rank = rank
        return new

    def _added(self, event: r.OutputItemAddedEvent) -> list[Out]:
        item = event.item
        kind = tag(item)
        self._item = event.output_index
        self._streamed = False
        self._part_key = None
        self._summary_kind = ""
        if kind not in _RANK:
            self._lose(
                f"output[{event.output_index}]", "dropped", f"a {kind} item has no Chat twin"
            )
            self._item = -1
            return []
        out: list[Out] = []
        new = self._turn(kind)
        if kind == "reasoning":
            held = self._plain
            if held is not None and not new:  # not alone in its turn after all
                self._plain = None
                out += self._say_details(held, 0)
            if not self._hub and not self._turn_items:  # a turn's reasoning, even empty
                out.append(self._chunk(o.ChunkDelta(reasoning_content="")))
            self._turn_items += 1
            return out
        if kind == "message":
            return out
        if len(self._calls) >= MAX_CALLS:
            return out + self._fail(f"over {MAX_CALLS} tool calls", "api_error")
        index = len(self._calls)
        self._calls[event.output_index] = index
        self._any_call = True
        name = self._conv.name(flat_name(item.namespace, item.name))  # type: ignore[union-attr,arg-type]
        if kind == "custom_tool_call":
            self._lose(
                f"output[{event.output_index}]",
                "approximated",
                "a custom tool call streamed as a function call (its input as the arguments)",
            )
        args = item.arguments if kind == "function_call" else item.input  # type: ignore[union-attr]
        call = o.DeltaToolCall(
            index=index,
            id=item.call_id,  # type: ignore[union-attr]
            type="function",
            function=o.DeltaFunction(name=name, arguments=args),
        )
        self._streamed = bool(args)
        out.append(self._chunk(o.ChunkDelta(tool_calls=[call])))
        return out

    def _text(self, event: Any) -> list[Out]:
        if event.output_index != self._item:
            return []
        self._streamed = True
        ident, created, model = self._env
        return [
            _Chunk(
                id=ident,
                created=created,
                model=model,
                choices=[_Choice(delta=_Delta(content=event.delta))],
                service_tier=self._tier,
            )
        ]

    def _refusal(self, event: Any) -> list[Out]:
        if event.output_index != self._item:
            return []
        self._streamed = True
        return [self._chunk(o.ChunkDelta(refusal=event.delta))]

    def _reasoning_part(self, kind: str, index: int, delta: str) -> list[Out]:
        """A piece of the reasoning text: a new part after others is joined by a blank line
        (ToChat joins a turn's parts so); an item says its raw content or, without it, its
        summary (ToChat's choice): the other kind, arriving second, is not said."""
        if self._summary_kind and kind != self._summary_kind:
            self._lose(
                f"output[{self._item}].{kind}",
                "dropped",
                "a reasoning item with a summary and raw content: the first streamed is said",
            )
            return []
        self._summary_kind = kind
        self._streamed = True
        if self._hub:  # one detail per part (its thinking block), as ToChat's details
            new = self._part_key != (kind, index)
            self._part_key = (kind, index)
            if new:
                self._reason_index = self._details
                self._details += 1
            elif not delta:
                return []
            detail = o.ReasoningText(text=delta, index=self._reason_index)
            return [self._chunk(o.ChunkDelta(reasoning_details=[detail]))]
        text = delta
        if self._part_key != (kind, index):
            self._part_key = (kind, index)
            if self._turn_parts:
                text = "\n\n" + delta
            self._turn_parts += 1
        if not text:
            return []
        return [self._chunk(o.ChunkDelta(reasoning_content=text))]

    def _summary_added(self, event: r.ReasoningSummaryPartAddedEvent) -> list[Out]:
        if event.output_index != self._item:
            return []
        return self._reasoning_part("summary", event.summary_index, "")

    def _summary_delta(self, event: r.ReasoningSummaryTextDeltaEvent) -> list[Out]:
        if event.output_index != self._item:
            return []
        key, delta = self._part_key, event.delta
        if (
            key is not None
            and key[0] == "summary"
            and key[1] == event.summary_index
            and delta
            and self._summary_kind == "summary"
        ):  # more of the part being said (what ``_reasoning_part`` does for it)
            self._streamed = True
            if self._hub:
                detail = o.ReasoningText(text=delta, index=self._reason_index)
                return [self._chunk(_Delta(reasoning_details=[detail]))]
            return [self._chunk(_Delta(reasoning_content=delta))]
        return self._reasoning_part("summary", event.summary_index, delta)

    def _content_added(self, event: r.ContentPartAddedEvent) -> list[Out]:
        """A part opens: said at once, empty (a part that stays empty is still said)."""
        if event.output_index != self._item:
            return []
        part = event.part
        if isinstance(part, r.ReasoningText):
            return self._reasoning_part("content", event.content_index, "")
        self._streamed = True
        if isinstance(part, r.Refusal):
            return [self._chunk(o.ChunkDelta(refusal=part.refusal))]
        return [self._chunk(o.ChunkDelta(content=part.text))]

    def _reasoning_delta(self, event: r.ReasoningTextDeltaEvent) -> list[Out]:
        if event.output_index != self._item:
            return []
        return self._reasoning_part("content", event.content_index, event.delta)

    def _arguments(self, event: Any) -> list[Out]:
        index = self._calls.get(event.output_index)
        if index is None:
            return []
        self._streamed = True
        call = o.DeltaToolCall(index=index, function=o.DeltaFunction(arguments=event.delta))
        return [self._chunk(o.ChunkDelta(tool_calls=[call]))]

    def _done(self, event: r.OutputItemDoneEvent) -> list[Out]:
        item = event.item
        kind = tag(item)
        if event.output_index != self._item or kind not in _RANK:
            return []
        self._item = -1
        streamed = self._streamed
        if kind == "message":
            return [] if streamed else self._say_message(item)  # type: ignore[arg-type]
        if kind == "reasoning":
            return self._reasoning_done(item, streamed)  # type: ignore[arg-type]
        if streamed:
            return []
        text = item.arguments if kind == "function_call" else item.input  # type: ignore[union-attr]
        if not text:
            return []
        call = o.DeltaToolCall(
            index=self._calls[event.output_index], function=o.DeltaFunction(arguments=text)
        )
        return [self._chunk(o.ChunkDelta(tool_calls=[call]))]

    def _say_message(self, m: r.Message) -> list[Out]:
        if isinstance(m.content, str):
            return [self._chunk(o.ChunkDelta(content=m.content))]
        out: list[Out] = []
        for part in m.content:
            if isinstance(part, r.OutputText):
                out.append(self._chunk(o.ChunkDelta(content=part.text)))
            elif isinstance(part, r.Refusal):
                out.append(self._chunk(o.ChunkDelta(refusal=part.refusal)))
        return out

    def _reasoning_done(self, item: r.Reasoning, streamed: bool) -> list[Out]:
        out: list[Out] = []
        if not streamed:  # said whole now, as its deltas would have said it
            parts = [("content", p.text) for p in item.content or ()] or [
                ("summary", s.text) for s in item.summary
            ]
            for j, (kind, text) in enumerate(parts):
                out += self._reasoning_part(kind, j, text)
            self._summary_kind = ""
        if self._hub:
            enc = item.encrypted_content
            if enc in (UNSET, None):
                return out
            said = bool(item.content) or bool(item.summary)  # its last text detail takes it
            if not said:
                self._reason_index = self._details
                self._details += 1
            detail: o.ReasoningDetail = (
                o.ReasoningText(text="", signature=enc, index=self._reason_index)
                if said
                else o.ReasoningEncrypted(data=enc, index=self._reason_index)
            )
            return [*out, self._chunk(o.ChunkDelta(reasoning_details=[detail]))]
        plain = (
            self._turn_items == 1
            and item.id is UNSET
            and not item.content
            and item.encrypted_content in (UNSET, None)
            and len(item.summary) == 1
        )
        if plain:  # alone in its turn it says no details (ToChat's plain reasoning)
            self._plain = item
            return out
        return out + self._say_details(item, self._turn_items - 1)

    def _say_details(self, item: r.Reasoning, k: int) -> list[Out]:
        details = self._conv.details(item, f"output[{self._item}]", k)
        self._drain()
        if not details:
            return []
        for d in details:
            d.index = self._details  # its place in the list, as accumulators key it
            self._details += 1
        return [self._chunk(o.ChunkDelta(reasoning_details=details))]

    def _finish(self, event: Any) -> list[Out]:
        resp: r.Response = event.response
        self._to(ENDED)
        out: list[Out] = []
        if resp.service_tier is not None:  # the tier that served it, known at the end
            self._tier = resp.service_tier
        reason = "tool_calls" if self._any_call else "stop"
        if resp.status == "incomplete":
            why = resp.incomplete_details.reason if resp.incomplete_details else None
            reason = _FINISH.get(why, "length")  # type: ignore[arg-type]
        out.append(self._chunk(o.ChunkDelta(), reason))
        if resp.usage not in (UNSET, None):
            ident, created, model = self._env
            out.append(
                o.ChatCompletionChunk(
                    id=ident,
                    created=created,
                    model=model,
                    choices=[],
                    usage=chat_usage(resp.usage),
                    service_tier=self._tier,
                )
            )
        return out

    def _failed(self, event: r.ResponseFailedEvent) -> list[Out]:
        err = event.response.error
        if err is None:
            return self._fail("the upstream response failed", "api_error")
        return self._fail(err.message, "api_error", err.code)

    def _error(self, event: r.ErrorEvent) -> list[Out]:
        return self._fail(event.message, "api_error", event.code or UNSET)

    def _after_end(self, event: Any) -> list[Out]:
        return []


_Handler = Callable[[ChatStream, Any], list[Out]]

TRANSITIONS: dict[State, dict[str | None, _Handler]] = {
    IDLE: {
        "response.created": ChatStream._open,
        "response.queued": ChatStream._open,
        "response.in_progress": ChatStream._open,
        "error": ChatStream._error,
        "response.failed": ChatStream._failed,
        None: ChatStream._early,
    },
    OPEN: {
        "response.output_item.added": ChatStream._added,
        "response.output_item.done": ChatStream._done,
        "response.output_text.delta": ChatStream._text,
        "response.refusal.delta": ChatStream._refusal,
        "response.reasoning_summary_part.added": ChatStream._summary_added,
        "response.reasoning_summary_text.delta": ChatStream._summary_delta,
        "response.content_part.added": ChatStream._content_added,
        "response.reasoning_text.delta": ChatStream._reasoning_delta,
        "response.function_call_arguments.delta": ChatStream._arguments,
        "response.custom_tool_call_input.delta": ChatStream._arguments,
        "response.output_text.annotation.added": ChatStream._annotation,
        "response.completed": ChatStream._finish,
        "response.incomplete": ChatStream._finish,
        "response.failed": ChatStream._failed,
        "error": ChatStream._error,
        None: ChatStream._nothing,  # the done events, progress of hosted tools, ...
    },
    ENDED: {None: ChatStream._after_end},
}


_ROWS: dict[State, dict[type, _Handler]] = {
    state: {cls: row.get(name) or row[None] for cls, name in _TAGS.items()}
    for state, row in TRANSITIONS.items()
}
"""``TRANSITIONS`` keyed by event class, every class in every row (the default filled in):
the dispatch is one lookup, no tag read."""


# --- Messages, through the compatible Chat hub ------------------------------------------


class MessagesStream:
    """Responses events in, anthropic Messages events out: :class:`ChatStream`'s chunks fed
    to ``to_anthropic``'s Chat -> Messages machine (on structs, nothing re-encoded)."""

    __slots__ = ("chat", "messages")

    def __init__(
        self, request: Any = None, *, losses: list[Loss] | None = None, strict: bool = False
    ) -> None:
        from ..to_anthropic._stream import Stream as ToMessages

        ledger = losses if losses is not None else []
        self.chat = ChatStream(losses=ledger, strict=strict)
        self.chat._hub = True
        self.messages = ToMessages(request, losses=ledger, strict=strict)

    @property
    def losses(self) -> list[Loss]:
        return self.chat.losses

    @property
    def ended(self) -> bool:
        return self.chat.ended

    def _on(self, chunks: list[Out]) -> list[Any]:
        if len(chunks) == 1 and self.chat.state is OPEN:  # the usual: one delta
            out: list[Any] = self.messages.feed(chunks[0])
            return out
        out = []
        for chunk in chunks:
            out += self.messages.feed(chunk)
        if self.chat.state is ENDED:
            out += self.messages.close()
        return out

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        self.chat.lose(path, kind, detail)

    def feed(self, item: Any) -> list[Any]:
        return self._on(self.chat.feed(item))

    def feed_data(self, data: str | bytes) -> list[Any]:
        return self._on(self.chat.feed_data(data))

    def feed_frame(self, data: str) -> bytes:
        """What ``MessagesSSE`` sends for one frame's data: its frames of
        ``self.feed_data(data)``, the two machines' dispatch and the writer inline for one
        chunk making one event (this is most of a stream)."""
        chat = self.chat
        if chat.state is not OPEN:
            return _messages_frames(self.feed_data(data))
        try:
            event = _event_decoder.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return _messages_frames(self.feed_data(data))  # (the slow way: it says why)
        chunks = chat._row[type(event)](chat, event)
        if len(chunks) != 1 or chat.state is not OPEN:
            return _messages_frames(self._on(chunks))
        events = self.messages.feed(chunks[0])
        if len(events) != 1:
            return _messages_frames(events)
        e = events[0]
        return _HEADS[type(e)] + _encoder.encode(e) + b"\n\n"

    def close(self) -> list[Any]:
        return self._on(self.chat.close()) + self.messages.close()

    def abort(self, message: str, kind: str = "api_error") -> list[Any]:
        self.chat.abort(message, kind)
        return self.messages.abort(message, kind)


# --- bytes --------------------------------------------------------------------------------


class ChatSSE(ByteStream):
    """Responses SSE bytes in (split anywhere), Chat SSE bytes out (``data: <chunk>``,
    ending with ``data: [DONE]``; an error frame ends it alone). Never raises on what the
    upstream sends (``strict=True`` aside): an unreadable frame ends the stream with an
    error frame (``_bytes.ByteStream``)."""

    __slots__ = ()

    def __init__(
        self,
        request: Any = None,
        *,
        created: int = 0,
        losses: list[Loss] | None = None,
        strict: bool = False,
    ) -> None:
        s = ChatStream(request, created=created, losses=losses, strict=strict)
        s._write = self._chat
        super().__init__(
            SSEDecoder(event_types=_KNOWN),
            s,
            machine=s,
            end=ENDED,
            read=s.feed_data,
            frames=self._chat,
            frame=s.feed_frame,
        )

    def _chat(self, chunks: list[Out]) -> bytes:
        if len(chunks) == 1 and self.stream.state is not ENDED:  # the usual: one delta
            return b"data: " + _encoder.encode(chunks[0]) + b"\n\n"
        out = b"".join(encode_data(_encoder.encode(c)) for c in chunks)
        if chunks and self.stream.state is ENDED and not isinstance(chunks[-1], o.ErrorBody):
            out += DONE
        return out


class MessagesSSE(ByteStream):
    """Responses SSE bytes in, anthropic SSE bytes out (``event:`` / ``data:`` frames)."""

    __slots__ = ()

    def __init__(
        self, request: Any = None, *, losses: list[Loss] | None = None, strict: bool = False
    ) -> None:
        s = MessagesStream(request, losses=losses, strict=strict)
        super().__init__(
            SSEDecoder(event_types=_KNOWN),
            s,
            machine=s.chat,
            end=ENDED,
            read=s.feed_data,
            frames=_messages_frames,
            frame=s.feed_frame,
        )


_HEADS: dict[type, bytes] = {
    cls: b"event: " + str(cls.__struct_config__.tag).encode() + b"\ndata: "
    for cls in a.StreamEvent.__args__
}
"""Each Messages event type's frame up to its data (``to_anthropic``'s frames, made once)."""


def _messages_frames(events: list[Any]) -> bytes:
    """Anthropic frames: ``event: <type>`` then ``data: <json>``, then a blank line."""
    encode = _encoder.encode
    if len(events) == 1:
        e = events[0]
        return _HEADS[type(e)] + encode(e) + b"\n\n"
    return b"".join([_HEADS[type(e)] + encode(e) + b"\n\n" for e in events])


def chat_stream(events: Iterable[Any], **kw: Any) -> Iterator[Out]:
    return drive(ChatStream(**kw), events)


def messages_stream(events: Iterable[Any], **kw: Any) -> Iterator[Any]:
    return drive(MessagesStream(**kw), events)


def chat_sse(byte_chunks: Iterable[bytes], **kw: Any) -> Iterator[bytes]:
    return pump(ChatSSE(**kw), byte_chunks)


def chat_async_sse(byte_chunks: AsyncIterable[bytes], **kw: Any) -> AsyncIterator[bytes]:
    return apump(ChatSSE(**kw), byte_chunks)


def messages_sse(byte_chunks: Iterable[bytes], **kw: Any) -> Iterator[bytes]:
    return pump(MessagesSSE(**kw), byte_chunks)


def messages_async_sse(byte_chunks: AsyncIterable[bytes], **kw: Any) -> AsyncIterator[bytes]:
    return apump(MessagesSSE(**kw), byte_chunks)
