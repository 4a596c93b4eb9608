"""Openai ``ChatCompletionChunk`` stream -> anthropic Messages stream events.

A sans-I/O state machine in the style of h11: :class:`Stream` is fed one upstream chunk at
a time (``feed``) and returns the anthropic events that chunk completes; ``close`` ends
the stream. It never reads or writes anything itself. :func:`stream` wraps it for an
iterable of chunks, :func:`sse` and :func:`async_sse` for SSE bytes in and out.

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

Memory is O(1) in the length of the stream: text, thinking and argument pieces are
passed on as they arrive, never joined. What is kept per tool call is its id, its name and,
only until its name arrives, the argument pieces that came before it (a call whose name
never comes, a "ghost", is then reported as a Loss with them).
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
from .._tables import FINISH_TO_ANTHROPIC, RESPONSE_TIER_TO_ANTHROPIC, STOP_TO_OPENAI
from .._usage import to_anthropic_usage
from ..sse import SSEDecoder, apump, encode_event_data, pump
from ._error import error as _error_response
from ._response import _restore_names

__all__ = ["Stream", "async_sse", "sse", "stream"]

_chunk_decoder = msgspec.json.Decoder(o.ChatCompletionChunk)
_error_decoder = msgspec.json.Decoder(o.ErrorBody)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()

# States of the message (h11 style: one explicit state, never inferred from flags).
IDLE = "IDLE"  # nothing received yet
OPEN = "OPEN"  # message_start sent; content blocks may open and close
FINISHED = "FINISHED"  # a finish_reason came: blocks closed, waiting for usage or the end
CLOSED = "CLOSED"  # message_stop or an error event sent; nothing more is emitted

# Kinds of the open content block.
_THINKING, _TEXT, _TOOL = 1, 2, 3


class _Call:
    """What is kept about one openai tool call (keyed by its ``index``)."""

    __slots__ = ("block", "closed", "id", "name", "pending")

    def __init__(self) -> None:
        self.id = ""
        self.name = ""
        self.block = -1  # the anthropic block index, once its name came and it opened
        self.pending: list[str] | None = []  # argument pieces that came before the name
        self.closed = False


class Stream(OnceLedger):
    """Openai chat completion chunks in, anthropic stream events out.

    ``feed(item)`` takes one chunk: a ``translate.openai.ChatCompletionChunk`` or
    ``ErrorBody``, a dict, or the bytes / str of one JSON payload (``"[DONE]"`` included)
    and returns the events it completed. ``close()`` ends the stream and returns the last
    events: if no finish reason (nor ``[DONE]``) came, the open block is closed and an
    ``error`` event ends the stream, so that a consumer never waits for a ``message_stop``
    that cannot come.

    ``request``: the client's original anthropic request, if at hand. It restores tool
    names that ``to_openai.request`` shortened and the model name the client asked for.
    ``losses``: a list that receives a :class:`~translate.Loss` for whatever could not be
    carried (also kept as ``.losses``); each kind of loss is reported once per path, so
    the list stays small however long the stream. ``strict=True`` raises
    :class:`~translate.LossError` at the first loss instead.
    """

    __slots__ = (
        "_calls",
        "_chunks",
        "_detail",
        "_finish",
        "_id",
        "_index",
        "_kind",
        "_model",
        "_names",
        "_native",
        "_open_call",
        "_refusal",
        "_seen",
        "_stop_sequence",
        "_stops",
        "_tools",
        "_usage",
        "losses",
        "state",
        "strict",
    )

    def __init__(
        self, request: Any = None, *, losses: list[Loss] | None = None, strict: bool = False
    ) -> None:
        self.state = IDLE
        self.losses: list[Loss] = losses if losses is not None else []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()
        self._model: str | None = None
        self._stops: list[str] = []
        req = None
        if request is not None:
            req = decode(request, a.MessagesRequest, [])
            self._model = req.model
            if req.stop_sequences is not UNSET:
                self._stops = req.stop_sequences
        # The names to_openai.request shortened (the client's tools, history, tool_choice).
        self._names = _restore_names(req)
        self._refusal: list[str] | None = None  # a refusal's pieces, for stop_details
        self._index = -1  # the index of the last block opened
        self._kind = 0  # the kind of the open block; 0: none open
        self._detail: Any = UNSET  # reasoning_details index of the open thinking block
        self._calls: dict[int, _Call] = {}
        self._open_call: _Call | None = None
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
        t = type(item)
        if t is o.ChatCompletionChunk:
            return self._chunk(item)
        if t is bytes or t is str or t is bytearray or t is memoryview:
            return self._raw(item)
        if t is o.ErrorBody:
            return self._error(item)
        if isinstance(item, dict) and "error" in item and "choices" not in item:
            return self._error(decode(item, o.ErrorBody, []))
        unknown: list[Unknown] = []
        chunk = decode(item, o.ChatCompletionChunk, unknown)
        self._unknown(unknown)
        return self._chunk(chunk)

    def _raw(self, data: Any) -> list[a.StreamEvent]:
        try:
            chunk = _chunk_decoder.decode(data)
        except msgspec.DecodeError:
            return self._raw_slow(data)
        return self._chunk(chunk)

    def _raw_slow(self, data: Any) -> list[a.StreamEvent]:
        # Not a plain chunk: the [DONE] sentinel, an error frame, or a chunk with fields
        # this library does not model (reported, not fatal).
        if (
            data if type(data) is str else bytes(data).decode("utf-8", "replace")
        ).strip() == "[DONE]":
            return self.done()
        try:
            value = _any_decoder.decode(data)
        except msgspec.DecodeError as exc:
            raise TranslationError(f"chunk[{self._chunks - 1}]", f"not valid JSON: {exc}") from None
        if isinstance(value, dict) and "error" in value and "choices" not in value:
            return self._error(decode(value, o.ErrorBody, []))
        unknown: list[Unknown] = []
        chunk = decode(value, o.ChatCompletionChunk, unknown)
        self._unknown(unknown)
        return self._chunk(chunk)

    def done(self) -> list[a.StreamEvent]:
        """The ``[DONE]`` sentinel: the upstream says the stream is over."""
        if self.state is CLOSED:
            return []
        if self.state is IDLE:
            return self._abort("the upstream stream ended before its first chunk")
        if self.state is OPEN:
            return self._abort("the upstream stream ended ([DONE]) without a finish reason")
        return self._stop()

    def close(self) -> list[a.StreamEvent]:
        """End of the upstream stream (also without ``[DONE]``): the last events."""
        if self.state is CLOSED:
            return []
        if self.state is FINISHED:
            return self._stop()
        if self.state is IDLE:
            return self._abort("the upstream stream ended before its first chunk")
        return self._abort("the upstream stream ended without a finish reason")

    def abort(self, message: str, kind: str = "api_error") -> list[a.StreamEvent]:
        """End the stream now with an ``error`` event (the open block is closed first)."""
        if self.state is CLOSED:
            return []
        return self._abort(message, kind)

    # -- one chunk ---------------------------------------------------------------------

    def _chunk(self, chunk: o.ChatCompletionChunk) -> list[a.StreamEvent]:
        # Field tests use truthiness: UNSET, None, "" and [] all mean "nothing said".
        out: list[a.StreamEvent] = []
        state = self.state
        if state is not OPEN:
            if state is CLOSED:
                return out
            if state is IDLE:
                out.append(self._start(chunk))
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
                self._usage = choice.usage  # Kimi: the final usage inside the choice
            if choice.finish_reason and self.state is OPEN:
                self._native = choice.native_finish_reason
                self._stop_sequence = choice.stop_reason  # vLLM: the stop string that matched
                self._finished(choice.finish_reason, out)  # type: ignore[arg-type]
        usage = chunk.usage
        if usage:
            self._usage = usage
            # OpenAI: the usage chunk "will always be" choices: [] and comes last before
            # [DONE]; once it is here after the finish reason, the message is complete.
            if not chunk.choices and self.state is FINISHED:
                out.extend(self._stop())
        return out

    def _start(self, chunk: o.ChatCompletionChunk) -> a.MessageStartEvent:
        """Anthropic: the stream starts with "a ``message_start`` event" holding a
        ``Message`` with empty ``content``; usage there is what is known so far."""
        self.state = OPEN
        self._id = chunk.id
        # Envelope fields repeat on every chunk; the first chunk speaks for all of them.
        for field in ("system_fingerprint", "provider", "moderation"):
            if getattr(chunk, field):
                self._lose(field, "dropped", "no twin in the anthropic dialect")
        usage = a.Usage(input_tokens=0, output_tokens=0)
        tier = chunk.service_tier
        if tier is None:
            usage.service_tier = None
        elif tier is not UNSET:
            if tier in RESPONSE_TIER_TO_ANTHROPIC:
                usage.service_tier = RESPONSE_TIER_TO_ANTHROPIC[tier]
            else:
                self._lose("service_tier", "dropped", f"no anthropic service tier for {tier!r}")
        message = a.MessageResponse(
            id=chunk.id,
            model=self._model if self._model is not None else chunk.model,
            content=[],
            stop_reason=None,
            stop_sequence=None,
            usage=usage,
        )
        return a.MessageStartEvent(message=message)

    def _delta(self, delta: o.ChunkDelta, out: list[a.StreamEvent]) -> None:
        """One choice delta, in the order a message holds it: reasoning, text, tool calls."""
        if delta.reasoning_details:
            self._details(delta.reasoning_details, delta, out)  # type: ignore[arg-type]
        else:
            text = delta.reasoning_content
            if text:
                if delta.reasoning and delta.reasoning != text:
                    self._lose(
                        "choices[0].delta.reasoning",
                        "dropped",
                        "differs from reasoning_content, which is used",
                    )
            else:
                text = delta.reasoning
            if text:
                self._thinking(text, UNSET, out)  # type: ignore[arg-type]
        text = delta.content
        if text:
            if self._kind != _TEXT or self._refusal is not None:
                self._open(_TEXT, a.TextBlock(text=""), out)
            out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))  # type: ignore[arg-type]
        if delta.refusal:
            self._refuse(delta.refusal, out)  # type: ignore[arg-type]
        if delta.tool_calls:
            for call in delta.tool_calls:  # type: ignore[union-attr]
                self._tool(call, out)
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
                self._tool(frag, out)
            if delta.audio:
                self._lose("choices[0].delta.audio", "dropped", "no audio in the anthropic dialect")
            if delta.annotations:
                self._lose(
                    "choices[0].delta.annotations",
                    "dropped",
                    "url citations have no anthropic twin in streams",
                )

    # -- blocks ------------------------------------------------------------------------

    def _open(self, kind: int, block: a.ContentBlock, out: list[a.StreamEvent]) -> int:
        """Anthropic: each content block has "a ``content_block_start``" and its
        ``index`` "corresponds to its index in the final Message ``content`` array":
        blocks open in order, one after the other, the previous one stopped first."""
        if self._kind:
            self._close(out)
        self._index += 1
        self._kind = kind
        out.append(a.ContentBlockStartEvent(index=self._index, content_block=block))
        return self._index

    def _close(self, out: list[a.StreamEvent]) -> None:
        """Anthropic: each content block ends with "a ``content_block_stop`` event"."""
        if self._kind == _TOOL:
            self._open_call.closed = True  # type: ignore[union-attr]
            self._open_call = None
        self._kind = 0
        self._detail = UNSET
        out.append(a.ContentBlockStopEvent(index=self._index))

    def _thinking(self, text: str, detail: Any, out: list[a.StreamEvent]) -> None:
        """Reasoning text: one thinking block per segment. A segment ends when anything
        else is said, or (``reasoning_details``) when the detail ``index`` changes.
        Anthropic's thinking block needs ``signature``: ``""`` until one is carried."""
        if self._kind != _THINKING or (
            detail is not UNSET and self._detail is not UNSET and detail != self._detail
        ):
            self._open(_THINKING, a.ThinkingBlock(thinking="", signature=""), out)
        if detail is not UNSET:
            self._detail = detail
        if text:
            out.append(
                a.ContentBlockDeltaEvent(index=self._index, delta=a.ThinkingDelta(thinking=text))
            )

    def _details(
        self, details: list[o.ReasoningDetail], delta: o.ChunkDelta, out: list[a.StreamEvent]
    ) -> None:
        """OpenRouter's ``reasoning_details``: they win over ``reasoning_content`` /
        ``reasoning`` (which repeat the text) because they keep segments and signatures."""
        said = []
        for d in details:
            if d.format and d.format not in ("anthropic-claude-v1", "unknown"):
                self._lose(
                    "choices[0].delta.reasoning_details.format",
                    "approximated",
                    f"reasoning in format {d.format!r} said as anthropic thinking",
                )
            if d.id:
                self._lose(
                    "choices[0].delta.reasoning_details.id", "dropped", "thinking blocks have no id"
                )
            if isinstance(d, o.ReasoningText):
                text = d.text if isinstance(d.text, str) else ""
                said.append(text)
                self._thinking(text, d.index, out)
                if isinstance(d.signature, str) and d.signature:
                    # Anthropic: "a special signature_delta event" carries the signature,
                    # "sent just before the content_block_stop event".
                    out.append(
                        a.ContentBlockDeltaEvent(
                            index=self._index, delta=a.SignatureDelta(signature=d.signature)
                        )
                    )
            elif isinstance(d, o.ReasoningEncrypted):
                # Redacted thinking arrives whole: a block with no deltas.
                self._open(_THINKING, a.RedactedThinkingBlock(data=d.data), out)
                self._close(out)
            else:
                self._lose(
                    "choices[0].delta.reasoning_details",
                    "approximated",
                    "a reasoning summary is said as thinking",
                )
                said.append(d.summary)
                self._thinking(d.summary, d.index, out)
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

    def _refuse(self, text: str, out: list[a.StreamEvent]) -> None:
        """An openai ``refusal``: as the response says it, a text block of its own (every
        client sees it), ``stop_reason: refusal`` and ``stop_details.explanation``. The
        explanation is the whole refusal, so its pieces are the one text kept (a refusal
        is a sentence, not a stream's worth)."""
        if self._refusal is None:
            self._refusal = []
            self._open(_TEXT, a.TextBlock(text=""), out)
        elif self._kind != _TEXT:
            self._lose(
                "choices[0].delta.refusal",
                "approximated",
                "a refusal in pieces around other content: one block",
            )
            self._open(_TEXT, a.TextBlock(text=""), out)
        self._refusal.append(text)
        out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))

    def _text(self, text: str, out: list[a.StreamEvent]) -> None:
        """Text: one text block per segment, so text after a tool call or after more
        thinking opens a new block rather than landing in the previous block's index."""
        if self._kind != _TEXT or self._refusal is not None:
            self._open(_TEXT, a.TextBlock(text=""), out)
        out.append(a.ContentBlockDeltaEvent(index=self._index, delta=a.TextDelta(text=text)))

    def _tool(self, frag: o.DeltaToolCall, out: list[a.StreamEvent]) -> None:
        """One tool call fragment. OpenAI keys fragments by ``index``; its first
        fragment should carry ``id`` and ``function.name``, but the name may come late.
        The anthropic ``tool_use`` block opens when the name is known (anthropic: tool
        blocks start with their ``name`` and ``input: {}``, the input follows as
        ``input_json_delta`` pieces)."""
        key = frag.index
        call = self._calls.get(key)
        if call is None:
            call = self._calls[key] = _Call()
        if frag.id not in (UNSET, None, ""):
            if call.block >= 0 and frag.id != call.id:
                self._lose(
                    f"choices[0].delta.tool_calls[index={key}].id",
                    "dropped",
                    "a second id for an open call",
                )
            call.id = frag.id  # type: ignore[assignment]
        fn = frag.function
        name = args = None
        if fn is not UNSET and fn is not None:
            if fn.name not in (UNSET, None, ""):
                name = fn.name
            if fn.arguments not in (UNSET, None, ""):
                args = fn.arguments
        if call.closed:
            if args is not None or name is not None:
                self._lose(
                    f"choices[0].delta.tool_calls[index={key}]",
                    "dropped",
                    "a fragment of a tool call that came after a later block had started",
                )
            return
        if call.block < 0:
            if name is None:
                if args is not None:
                    call.pending.append(args)  # type: ignore[union-attr]
                return
            call.name = name  # type: ignore[assignment]
            ident = call.id
            if not ident:
                ident = f"toolu_{self._id}_{key}"
                self._lose(
                    f"choices[0].delta.tool_calls[index={key}].id",
                    "approximated",
                    "no id came: one is made up",
                )
            block = a.ToolUseBlock(id=ident, name=self._names.get(name, name), input={})
            call.block = self._open(_TOOL, block, out)
            self._open_call = call
            self._tools += 1
            if call.pending:
                args = "".join(call.pending) + (args or "")
            call.pending = None
        elif name is not None:
            self._lose(
                f"choices[0].delta.tool_calls[index={key}].function.name",
                "dropped",
                "a second name for an open call",
            )
        if args is not None:
            if self._open_call is not call:
                # Only possible if the call's block is still the open one; anything else
                # closed it above (``closed``). Kept as a guard: never a delta elsewhere.
                return  # pragma: no cover
            out.append(
                a.ContentBlockDeltaEvent(
                    index=call.block, delta=a.InputJSONDelta(partial_json=args)
                )
            )

    # -- the end -----------------------------------------------------------------------

    def _finished(self, finish: str, out: list[a.StreamEvent]) -> None:
        """A finish reason: the content is complete, so the open block is stopped now.
        The stop reason waits for the usage (a trailing ``choices: []`` chunk) or the end."""
        if self._kind:
            self._close(out)
        self._ghosts()
        self.state = FINISHED
        self._finish = finish

    def _ghosts(self) -> None:
        for key, call in self._calls.items():
            if call.block < 0 and not call.closed:
                call.closed = True
                size = sum(map(len, call.pending or ()))
                self._lose(
                    f"choices[0].delta.tool_calls[index={key}]",
                    "dropped",
                    f"a tool call that never got a name (a ghost call; {size} characters of arguments)",
                )
                call.pending = None

    def _stop_reason(self) -> tuple[str, str | None]:
        """``finish_reason`` -> ``stop_reason`` by the one table (``_tables.STOP_REASONS``),
        refined as ``to_anthropic.response`` refines it: an anthropic
        ``native_finish_reason`` that agrees with it (OpenRouter, MiMo), vLLM's choice
        ``stop_reason`` (the stop string that matched), the client's one stop sequence,
        tool calls (``stop`` after tool calls is ``tool_use``; ``tool_calls`` without a
        tool block, only ghosts, is ``end_turn``), a refusal."""
        fr, native, matched = self._finish, self._native, self._stop_sequence
        path = "choices[0]"
        if isinstance(native, str) and native in STOP_TO_OPENAI and STOP_TO_OPENAI[native][0] == fr:
            reason = native
        else:
            if isinstance(native, str) and native.lower() != (fr or "").lower():
                self._lose(
                    f"{path}.native_finish_reason",
                    "dropped",
                    f"{native!r} beside finish_reason {fr!r} has no twin",
                )
            if isinstance(fr, str) and fr in FINISH_TO_ANTHROPIC:
                reason = FINISH_TO_ANTHROPIC[fr]
                if fr == "function_call":
                    self._lose(
                        f"{path}.finish_reason",
                        "approximated",
                        "the deprecated function_call reads as tool_use",
                    )
            else:
                reason = "end_turn"
                what = "no finish reason" if fr is None else f"unknown finish reason {fr!r}"
                self._lose(f"{path}.finish_reason", "approximated", f"{what}: said as end_turn")
        sequence = None
        if isinstance(matched, str):
            if reason in ("end_turn", "stop_sequence"):
                reason, sequence = "stop_sequence", matched
            else:
                self._lose(
                    f"{path}.stop_reason", "dropped", f"a stop string beside finish_reason {fr!r}"
                )
        elif reason == "stop_sequence":  # an int stop_reason is a stop token: the turn's end
            if len(self._stops) == 1:
                sequence = self._stops[0]
            else:
                self._lose(
                    f"{path}.native_finish_reason",
                    "approximated",
                    "which stop sequence matched is unknown",
                )
        if reason == "end_turn" and self._tools:
            reason = "tool_use"
        elif reason == "tool_use" and not self._tools:
            reason = "end_turn"
            self._lose(f"{path}.finish_reason", "approximated", "tool calls announced, none made")
        if self._refusal is not None and reason != "refusal":
            if fr != "stop":
                self._lose(
                    f"{path}.finish_reason",
                    "approximated",
                    f"a refusal's stop reason is refusal, not {fr!r}",
                )
            if sequence is not None:
                self._lose(f"{path}.stop_reason", "dropped", "a refusal names no stop sequence")
            reason, sequence = "refusal", None
        return reason, sequence

    def _stop(self) -> list[a.StreamEvent]:
        """Anthropic: "one or more ``message_delta`` events" (stop reason, cumulative
        usage), then "a final ``message_stop`` event"."""
        self.state = CLOSED
        reason, sequence = self._stop_reason()
        delta = a.MessageDelta(stop_reason=reason, stop_sequence=sequence)
        if self._refusal is not None:
            delta.stop_details = {
                "type": "refusal",
                "category": None,
                "explanation": "".join(self._refusal),
            }
        return [
            a.MessageDeltaEvent(delta=delta, usage=self._delta_usage()),
            a.MessageStopEvent(),
        ]

    def _delta_usage(self) -> a.MessageDeltaUsage:
        """openai usage -> anthropic cumulative usage, by the arithmetic of ``_usage`` and
        the rules of ``to_anthropic.response``: ``input_tokens`` is the prompt less its
        cache reads and writes; reads come from ``prompt_tokens_details.cached_tokens``,
        else DeepSeek's ``prompt_cache_hit_tokens``, else Kimi's ``usage.cached_tokens``.
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

    def _abort(self, message: str, kind: str = "api_error") -> list[a.StreamEvent]:
        out: list[a.StreamEvent] = []
        if self.state is IDLE:
            self._lose("", "dropped", message)
        elif self._kind:
            self._close(out)
        self._ghosts()
        self.state = CLOSED
        out.append(a.ErrorEvent(error=a.ErrorObject(type=kind, message=message)))
        return out

    def _error(self, body: o.ErrorBody) -> list[a.StreamEvent]:
        """An upstream error chunk (``data: {"error": {...}}``) -> an anthropic ``error``
        event through the error converter (one table, ``_tables.ERRORS``); the stream ends
        there, as it does on Anthropic's side."""
        _, resp = _error_response(body)
        events = self._abort(resp.error.message, resp.error.type)
        if resp.request_id is not UNSET:
            events[-1].request_id = resp.request_id  # type: ignore[union-attr]
        return events

    # -- losses ------------------------------------------------------------------------

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


# --- wrappers ---------------------------------------------------------------------------


def stream(
    chunks: Iterable[Any], *, request: Any = None, losses: list[Loss] | None = None
) -> Iterator[a.StreamEvent]:
    """The anthropic events for an iterable of openai chunks (structs, dicts or JSON)."""
    s = Stream(request, losses=losses)
    for chunk in chunks:
        yield from s.feed(chunk)
    yield from s.close()


_EVENT_NAMES = {
    cls: msgspec.inspect.type_info(cls).tag.encode()  # type: ignore[attr-defined]
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


class _SSE:
    """Bytes in, bytes out: SSEDecoder -> Stream -> ``event: <type>\\ndata: <json>``."""

    __slots__ = ("decoder", "stream")

    def __init__(self, request: Any, losses: list[Loss] | None) -> None:
        self.decoder = SSEDecoder()
        self.stream = Stream(request, losses=losses)

    def feed(self, data: bytes) -> bytes:
        s = self.stream
        if s.state is CLOSED:
            return b""
        events: list[a.StreamEvent] = []
        try:
            frames = self.decoder.feed(data)
            if len(frames) == 1 and frames[0].data != "[DONE]":  # the common case
                s._chunks += 1
                events = s._raw(frames[0].data)
                if len(events) == 1:
                    e = events[0]
                    return encode_event_data(_EVENT_NAMES[type(e)], _encoder.encode(e))
            else:
                for frame in frames:
                    text = frame.data
                    s._chunks += 1
                    events += s.done() if text == "[DONE]" else s._raw(text)
        except TranslationError as exc:
            events += s.abort(f"the upstream stream could not be read: {exc}")
        return _frames(events)

    def close(self) -> bytes:
        s = self.stream
        if s.state is CLOSED:
            return b""
        try:
            self.decoder.close()
        except TranslationError as exc:  # an error the last feed() completed frames before
            return _frames(s.abort(f"the upstream stream could not be read: {exc}"))
        if self.decoder.truncated:
            s._lose("", "dropped", "the upstream stream ended inside a frame")
        return _frames(s.close())


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
    byte_chunks: Iterable[bytes], *, request: Any = None, losses: list[Loss] | None = None
) -> Iterator[bytes]:
    """Openai SSE bytes in (``data: <chunk>`` ... ``data: [DONE]``) -> anthropic SSE bytes
    out. Input may be split anywhere. An upstream that cannot be read or ends early gives
    a well-formed anthropic stream that ends with an ``error`` event, never an exception."""
    return pump(_SSE(request, losses), byte_chunks)


def async_sse(
    byte_chunks: AsyncIterable[bytes], *, request: Any = None, losses: list[Loss] | None = None
) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(_SSE(request, losses), byte_chunks)
