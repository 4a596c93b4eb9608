"""Anthropic ``Message`` -> openai ``ChatCompletion``.

Read top to bottom: the entry point, then the content (thinking, text with its citations,
a refusal, tool calls), the stop reason, the usage. The output is the ``compatible`` form:
the official fields, and the documented extensions where they cannot say it all:
``reasoning_content`` (+ ``reasoning_details`` when one unsigned text would not say it
all) for thinking, vLLM's choice ``stop_reason`` for the stop sequence that matched, and
``native_finish_reason`` for the stop reasons ``finish_reason`` has no word for
(``pause_turn``, ``model_context_window_exceeded``). Everything else that cannot be carried
goes to the ledger as a Loss.

Not translated but derived, the same way every time:

- ``id``: the message id, unchanged (both dialects' ids are opaque strings).
- ``created``: the ``created=`` argument (a gateway passes its clock); else 0, since a
  Message says nothing of time and a translation never reads the clock.
- ``model``: the model the client asked for when ``request=`` is given (a gateway maps it
  to an upstream model; the client expects its own name back), else the message's.
- tool names: unchanged (an openai client's names fit both dialects' limits, so its
  request had nothing shortened).

What the way back cannot tell apart (the canonical form of a Message):

- the place of thinking blocks among the other blocks: they come first (a response's
  reasoning precedes its answer; MiMo sends its thinking block last);
- consecutive text blocks without citations are one block (``content`` is one string);
  an empty one is nothing (Anthropic rejects empty text blocks in requests);
- ``stop_sequence`` absent is ``null``; ``stop_details`` without a category or an
  explanation is absent; ``caller: {type: direct}`` is absent;
- cache writes without a lifetime breakdown are 5-minute writes
  (``cache_creation: {ephemeral_5m_input_tokens: <all>, ephemeral_1h_input_tokens: 0}``);
- ``null`` optional fields are absent, except where both dialects keep ``null``
  (``cache_read_input_tokens`` <-> ``cached_tokens``, ``cache_creation_input_tokens`` <->
  ``cache_write_tokens``, ``output_tokens_details`` <-> ``completion_tokens_details``,
  ``service_tier``).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode, join
from .._errors import Loss
from .._ledger import Ctx, finish
from .._tables import tag
from .._tools import openai_id
from .._usage import to_openai_usage, where_served
from ..targets import resolve
from . import _refine as r

# A response goes back to a client of the other dialect, whose SDK reads only its own
# fields: the compatible form, but an unknown top-level field is a Loss, never carried.
_RESPONSES = msgspec.structs.replace(resolve("compatible", "openai"), unknown_fields="drop")


def response(
    body: Any,
    *,
    request: Any = None,
    created: int | None = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> o.ChatCompletion:
    """Translate an anthropic Messages response into an openai ChatCompletion.

    ``body``: bytes, str, dict, ``translate.anthropic.MessageResponse`` or a pydantic model
    (``anthropic.types.Message``). ``request``: the client's openai request, in any of the
    same forms (optional; its model is echoed). ``created``: the Unix time to stamp (0 if
    not given). Whatever cannot be carried is appended to ``losses``; ``strict=True``
    raises ``LossError`` instead. Bad input raises ``TranslationError`` naming the path.
    """
    unknown: list[Unknown] = []
    msg = decode(body, a.MessageResponse, unknown)
    req = r.client_request(request)
    ctx = Ctx(_RESPONSES)
    out = _Response(ctx, msg, req, created).build()
    return finish(ctx, out, unknown, strict, losses)


class _Response:
    __slots__ = ("created", "ctx", "msg", "names", "refusal_as_text", "req")

    def __init__(
        self,
        ctx: Ctx,
        msg: a.MessageResponse,
        req: o.ChatCompletionRequest | None,
        created: int | None,
    ) -> None:
        self.ctx = ctx
        self.msg = msg
        self.req = req
        self.created = created
        self.refusal_as_text = False
        self.names = r.restore_names(req)

    def build(self) -> o.ChatCompletion:
        msg, ctx = self.msg, self.ctx
        message = o.ResponseMessage(content=None)
        thoughts: list[tuple[str, a.ThinkingBlock | a.RedactedThinkingBlock]] = []
        texts: list[tuple[str, a.TextBlock]] = []
        calls: list[o.ToolCall] = []
        after_tool = False
        for j, block in enumerate(msg.content):
            path = f"content[{j}]"
            if isinstance(block, (a.ThinkingBlock, a.RedactedThinkingBlock)):
                thoughts.append((path, block))
            elif isinstance(block, a.TextBlock):
                if after_tool:
                    ctx.approx(path, "text after a tool call moves before the tool calls")
                texts.append((path, block))
            elif isinstance(block, a.ToolUseBlock):
                calls.append(self.tool_call(block, path))
                after_tool = True
            elif isinstance(block, a.CompactionBlock):
                said = r.compaction(block.content, path, ctx.lose)
                if said is not None:
                    texts.append((path, a.TextBlock(text=said + r.COMPACTION_END)))
            else:
                r.dropped_block(block, path, ctx.lose)
        if thoughts:
            self.reasoning(message, thoughts)
        self.refusal(message, texts)
        message.content = self.text(message, texts)
        if calls:
            message.tool_calls = calls
        choice = o.Choice(index=0, message=message)
        self.stop(choice, bool(calls))
        out = o.ChatCompletion(
            id=msg.id,
            created=0 if self.created is None else self.created,
            model=self.req.model if self.req is not None else msg.model,
            choices=[choice],
        )
        if msg.usage is not UNSET:
            out.usage = self.usage(msg.usage, out)
        r.message_extras(msg, ctx.lose)
        return out

    # -- content ---------------------------------------------------------------------

    def reasoning(
        self,
        message: o.ResponseMessage,
        thoughts: list[tuple[str, a.ThinkingBlock | a.RedactedThinkingBlock]],
    ) -> None:
        """Thinking blocks -> ``reasoning_content`` (their texts, joined) and, unless a
        single unsigned block says it all, ``reasoning_details``: each block apart, with
        its signature, redacted ones as ``reasoning.encrypted`` (as the request does)."""
        message.reasoning_content = r.REASONING_JOIN.join(
            b.thinking for _, b in thoughts if isinstance(b, a.ThinkingBlock)
        )
        only = thoughts[0][1]
        if (
            len(thoughts) == 1
            and isinstance(only, a.ThinkingBlock)
            and not only.signature
            and only.openai_detail is UNSET
        ):
            return
        message.reasoning_details = [r.reasoning_detail(b) for _, b in thoughts]

    def refusal(self, message: o.ResponseMessage, texts: list[tuple[str, a.TextBlock]]) -> None:
        """``stop_details.explanation`` of a refusal <-> the openai ``refusal``.

        ``to_anthropic`` says an openai refusal (``finish_reason: stop``) as a last text
        block holding it, beside ``stop_reason: refusal`` and the explanation; that block
        is taken back out here, so both shapes of refusal round-trip.
        """
        explanation = r.refusal(self.msg.stop_details, self.msg.stop_reason, self.ctx.lose)
        if explanation is None:
            return
        message.refusal = explanation
        if self.msg.stop_reason != "refusal":
            return
        if texts and texts[-1][1].text == explanation and not texts[-1][1].citations:
            texts.pop()
            self.refusal_as_text = True

    def text(self, message: o.ResponseMessage, texts: list[tuple[str, a.TextBlock]]) -> str | None:
        """Text blocks, joined in order; web-search citations become url annotations over
        their block's span of the joined text (offsets in code points)."""
        if not texts:
            return None
        ctx = self.ctx
        parts: list[str] = []
        annotations: list[o.Annotation] = []
        offset = 0
        last_span: tuple[int, int] | None = None
        for path, block in texts:
            end = offset + len(block.text)
            if block.cache_control not in (UNSET, None):
                ctx.drop(join(path, "cache_control"), "no cache hints in a response")
            cited = False
            for k, c in enumerate(block.citations or ()):
                cpath = f"{path}.citations[{k}]"
                if not isinstance(c, a.WebSearchResultLocation):
                    ctx.drop(
                        cpath, f"a {tag(c)} citation has no twin: openai annotations cite urls"
                    )
                    continue
                title = r.citation_title(c, cpath, ctx.lose)
                if c.encrypted_index:
                    ctx.drop(join(cpath, "encrypted_index"), "no twin in openai annotations")
                if c.cited_text != block.text:
                    ctx.drop(
                        join(cpath, "cited_text"),
                        "an annotation cites the span of text it annotates",
                    )
                span = o.URLCitation(url=c.url, title=title, start_index=offset, end_index=end)
                annotations.append(o.Annotation(url_citation=span))
                cited = True
            if cited:
                if last_span == (offset, end):
                    ctx.approx(path, "cited empty text blocks at one place read back as one block")
                last_span = (offset, end)
            parts.append(block.text)
            offset = end
        if annotations:
            message.annotations = annotations
        return "".join(parts)

    def tool_call(self, block: a.ToolUseBlock, path: str) -> o.FunctionToolCall:
        lose = self.ctx.lose
        arguments = r.tool_arguments(block, path, lose)
        r.tool_use_extras(block, path, lose)
        return o.FunctionToolCall(
            id=openai_id(block.id),
            function=o.FunctionCall(
                name=self.names.get(block.name, block.name), arguments=arguments
            ),
        )

    # -- stop reason -----------------------------------------------------------------

    def stop(self, choice: o.Choice, has_calls: bool) -> None:
        """``stop_reason`` -> ``finish_reason`` by the one table (``STOP_REASONS``).

        The matched stop sequence goes to vLLM's ``stop_reason``; a reason that
        ``finish_reason`` can only approximate is said exactly in ``native_finish_reason``
        (as OpenRouter and MiMo do), where ``to_anthropic`` reads it back.
        """
        msg = self.msg
        finish, native, matched = r.finish_fields(
            msg.stop_reason, msg.stop_sequence, has_calls, self.ctx.lose
        )
        if self.refusal_as_text:
            # A refusal said as a last text block is openai's refusal beside "stop".
            finish, native = "stop", UNSET
        choice.finish_reason = finish
        choice.native_finish_reason = native
        choice.stop_reason = matched

    # -- usage -----------------------------------------------------------------------

    def usage(self, u: a.Usage, out: o.ChatCompletion) -> o.Usage:
        """The shared arithmetic (``_usage``), and the tier that served, which openai says
        on the completion rather than in its usage."""
        lose = self.ctx.lose
        usage = to_openai_usage(u, lose)
        out.service_tier = r.served_tier(u, lose)
        where_served(u, lose)
        return usage
