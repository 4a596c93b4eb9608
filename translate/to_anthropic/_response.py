"""Openai ``ChatCompletion`` -> anthropic ``Message``.

Read top to bottom: the entry point, then the content in the dialect's order (thinking
from whichever reasoning carrier the upstream used, text split at its url annotations, a
refusal, tool calls), the stop reason, the usage. Every input path that cannot be carried
exactly goes to the ledger as a Loss.

Not translated but derived, the same way every time:

- ``id``: the completion id, unchanged (both dialects' ids are opaque strings).
- ``created``: the Message has no time; it is not carried (``to_openai.response`` takes
  it back as ``created=``).
- ``model``: the model the client asked for when ``request=`` is given, else the
  completion's.
- tool names: a name the request translation shortened to fit the openai limit
  (``short_name(name, 64)``) is restored from the client's tools in ``request=``.
- thinking signatures: an upstream's own (``reasoning_details``) are kept; unsigned
  reasoning gets ``signature: ""``, never a forged one. A url annotation's citation gets
  ``encrypted_index: ""`` for the same reason.

What the way back cannot tell apart (the canonical form of a ChatCompletion): ``reasoning``
is ``reasoning_content``; ``reasoning_details`` of one unsigned text is that text in
``reasoning_content``, and ``reasoning_content`` beside details is their texts joined;
details' ``index`` is their position and a ``format`` of ``anthropic-claude-v1`` /
``unknown`` is no format; ``content: ""`` is ``null``; tool arguments are compact JSON (blank ones ``{}``); the cache
reads of DeepSeek (``prompt_cache_hit_tokens``) and Kimi (``usage.cached_tokens``) are
``prompt_tokens_details.cached_tokens``; zero counts without a twin (``audio_tokens``...)
are absent; a ``native_finish_reason`` that says no more than ``finish_reason`` is absent;
``null`` optional fields are absent, except ``cached_tokens``, ``cache_write_tokens``,
``completion_tokens_details`` and ``service_tier``, which keep their ``null``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode, join
from .._errors import Loss, TranslationError
from .._ledger import Ctx, finish
from .._tables import FINISH_TO_ANTHROPIC, RESPONSE_TIER_TO_ANTHROPIC, STOP_TO_OPENAI
from .._tools import parse_arguments, tool_names
from .._usage import to_anthropic_usage
from ..targets import resolve

_ANTHROPIC_FORMATS = (UNSET, None, "anthropic-claude-v1", "unknown")
OPENAI_NAME_LIMIT = 64
"""The limit ``to_openai.request`` shortened tool names to (every openai target's)."""


# A response goes back to a client of the other dialect, whose SDK reads only its own
# fields: the compatible form, but an unknown top-level field is a Loss, never carried.
_RESPONSES = msgspec.structs.replace(resolve("compatible", "anthropic"), unknown_fields="drop")


def response(
    body: Any,
    *,
    request: Any = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> a.MessageResponse:
    """Translate an openai ChatCompletion into an anthropic Messages response.

    ``body``: bytes, str, dict, ``translate.openai.ChatCompletion`` or a pydantic model
    (``openai.types.chat.ChatCompletion``). ``request``: the client's anthropic request,
    in any of the same forms (optional; restores shortened tool names, echoes the model,
    names the stop sequence that matched). Whatever cannot be carried is appended to
    ``losses``; ``strict=True`` raises ``LossError`` instead. Bad input raises
    ``TranslationError`` naming the JSON path.
    """
    unknown: list[Unknown] = []
    completion = decode(body, o.ChatCompletion, unknown)
    req = _client_request(request)
    ctx = Ctx(_RESPONSES)
    return finish(ctx, _Response(ctx, completion, req).build(), unknown, strict, losses)


def _client_request(request: Any) -> a.MessagesRequest | None:
    if request is None:
        return None
    try:
        return decode(request, a.MessagesRequest, [])
    except TranslationError as exc:
        raise TranslationError(join("request", exc.path), exc.reason) from None


def _restore_names(req: a.MessagesRequest | None) -> dict[str, str]:
    """``{as sent: original}`` for the client's tool names the request had to shorten."""
    if req is None:
        return {}
    names = [t.name for t in req.tools or () if isinstance(t.name, str)]
    for m in req.messages:
        if isinstance(m, a.AssistantMessage) and isinstance(m.content, list):
            names.extend(b.name for b in m.content if isinstance(b, a.ToolUseBlock))
    if isinstance(req.tool_choice, a.ToolChoiceTool):
        names.append(req.tool_choice.name)
    return {short: name for name, short in tool_names(names, OPENAI_NAME_LIMIT).items()}


class _Response:
    __slots__ = ("c", "ctx", "names", "req")

    def __init__(self, ctx: Ctx, c: o.ChatCompletion, req: a.MessagesRequest | None) -> None:
        self.ctx = ctx
        self.c = c
        self.req = req
        self.names = _restore_names(req)

    def build(self) -> a.MessageResponse:
        c, ctx = self.c, self.ctx
        for i in range(1, len(c.choices)):
            ctx.drop(f"choices[{i}]", "n > 1: only the first choice is translated")
        blocks: list[a.ContentBlock] = []
        stop_reason, stop_sequence = "end_turn", None
        if c.choices:
            choice = c.choices[0]
            path = "choices[0].message"
            m = choice.message
            blocks.extend(self.reasoning(m, path))
            texts = self.text(m, path)
            blocks.extend(texts)
            refusal = m.refusal if isinstance(m.refusal, str) else None
            if refusal is not None and choice.finish_reason == "stop":
                blocks.append(
                    a.TextBlock(text=refusal)
                )  # every client sees it; to_openai takes it back out
            elif (
                refusal is not None
                and texts
                and texts[-1].text == refusal
                and texts[-1].citations is UNSET
            ):
                ctx.approx(
                    join(path, "refusal"),
                    "the content ends with the refusal: reads back as a refusal said as text",
                )
            calls = self.tool_uses(m, path)
            blocks.extend(calls)
            stop_reason, stop_sequence = self.stop(choice, bool(calls), refusal)
            if choice.logprobs not in (UNSET, None):
                ctx.drop("choices[0].logprobs", "no twin in the anthropic dialect")
            if m.audio not in (UNSET, None):
                ctx.drop(join(path, "audio"), "anthropic answers in text only")
        else:
            ctx.drop("choices", "no choice to translate: an empty message")
        out = a.MessageResponse(
            id=c.id,
            model=self.req.model if self.req is not None else c.model,
            content=blocks,
            stop_reason=stop_reason,
            stop_sequence=stop_sequence,
            usage=self.usage(c.usage),
        )
        if c.choices and isinstance(c.choices[0].message.refusal, str):
            out.stop_details = {
                "type": "refusal",
                "category": None,
                "explanation": c.choices[0].message.refusal,
            }
        if c.service_tier is None:
            out.usage.service_tier = None
        elif c.service_tier is not UNSET:
            tier = RESPONSE_TIER_TO_ANTHROPIC.get(c.service_tier)
            if tier is None:
                ctx.drop("service_tier", f"no anthropic service tier for {c.service_tier!r}")
            else:
                out.usage.service_tier = tier
        for field in ("system_fingerprint", "metadata", "moderation"):
            if getattr(c, field) not in (UNSET, None):
                ctx.drop(field, "no twin in the anthropic dialect")
        return out

    # -- content ---------------------------------------------------------------------

    def reasoning(self, m: o.ResponseMessage, path: str) -> list[a.ContentBlock]:
        """Reasoning from any carrier -> thinking blocks, first in the message.

        ``reasoning_details`` wins: each entry keeps its signature, encrypted ones become
        ``redacted_thinking``. Otherwise ``reasoning_content`` or ``reasoning`` become one
        unsigned block (``signature: ""``).
        """
        ctx = self.ctx
        blocks: list[a.ContentBlock] = []
        if m.reasoning_details not in (UNSET, None) and m.reasoning_details:
            for j, d in enumerate(m.reasoning_details):
                dpath = f"{path}.reasoning_details[{j}]"
                if isinstance(d, o.ReasoningText):
                    text = d.text if isinstance(d.text, str) else ""
                    blocks.append(a.ThinkingBlock(thinking=text, signature=d.signature or ""))
                elif isinstance(d, o.ReasoningEncrypted):
                    blocks.append(a.RedactedThinkingBlock(data=d.data))
                else:
                    blocks.append(a.ThinkingBlock(thinking=d.summary, signature=""))
                    ctx.approx(dpath, "a reasoning summary said as unsigned thinking")
                if d.format not in _ANTHROPIC_FORMATS:
                    ctx.approx(
                        join(dpath, "format"),
                        f"reasoning in format {d.format!r} said as anthropic thinking",
                    )
                if d.id not in (UNSET, None):
                    ctx.drop(join(dpath, "id"), "thinking blocks have no id")
            joined = "\n\n".join(b.thinking for b in blocks if isinstance(b, a.ThinkingBlock))
            for field in ("reasoning_content", "reasoning"):
                value = getattr(m, field)
                if value not in (UNSET, None, joined):
                    ctx.drop(join(path, field), "differs from reasoning_details, which is used")
            return blocks
        text = m.reasoning_content if m.reasoning_content not in (UNSET, None) else m.reasoning
        if isinstance(text, str):
            blocks.append(a.ThinkingBlock(thinking=text, signature=""))
            if m.reasoning_content not in (UNSET, None) and m.reasoning not in (UNSET, None, text):
                ctx.drop(join(path, "reasoning"), "differs from reasoning_content, which is used")
        return blocks

    def text(self, m: o.ResponseMessage, path: str) -> list[a.TextBlock]:
        """``content`` -> text blocks, split where url annotations begin and end: each
        annotated span is a block citing its urls, the rest plain blocks between them.
        Empty content is no block (Anthropic rejects empty text blocks when a client
        sends the message back)."""
        ctx = self.ctx
        content = m.content
        annotations = m.annotations if m.annotations not in (UNSET, None) else []
        if not isinstance(content, str):
            if annotations:
                ctx.drop(join(path, "annotations"), "annotations without content")
            return []
        n = len(content)
        spans: list[tuple[int, int, list[a.Citation]]] = []
        order = sorted(
            range(len(annotations)),
            key=lambda k: (
                annotations[k].url_citation.start_index,
                annotations[k].url_citation.end_index,
            ),
        )
        for k in order:
            uc = annotations[k].url_citation
            start, end = uc.start_index, uc.end_index
            apath = f"{path}.annotations[{k}]"
            if not 0 <= start <= end <= n:
                ctx.drop(apath, "its span lies outside the content")
                continue
            citation = a.WebSearchResultLocation(
                url=uc.url, title=uc.title, encrypted_index="", cited_text=content[start:end]
            )
            if spans and (start, end) == spans[-1][:2]:
                spans[-1][2].append(citation)
            elif spans and start < spans[-1][1]:
                ctx.drop(apath, "its span overlaps an earlier annotation's")
            else:
                spans.append((start, end, [citation]))
        blocks: list[a.TextBlock] = []
        pos = 0
        for start, end, citations in spans:
            if start > pos:
                blocks.append(a.TextBlock(text=content[pos:start]))
            blocks.append(a.TextBlock(text=content[start:end], citations=citations))
            pos = end
        if pos < n:
            blocks.append(a.TextBlock(text=content[pos:]))
        return blocks

    def tool_uses(self, m: o.ResponseMessage, path: str) -> list[a.ToolUseBlock]:
        ctx = self.ctx
        blocks: list[a.ToolUseBlock] = []
        for j, call in enumerate(m.tool_calls or ()):
            cpath = f"{path}.tool_calls[{j}]"
            if not isinstance(call, o.FunctionToolCall):
                ctx.drop(cpath, "custom tool calls have no twin in the anthropic dialect")
                continue
            fn = call.function
            name = self.names.get(fn.name, fn.name)
            blocks.append(
                a.ToolUseBlock(
                    id=call.id,
                    name=name,
                    input=parse_arguments(
                        fn.arguments, self.ctx, join(cpath, "function.arguments")
                    ),
                )
            )
            if call.cache_control not in (UNSET, None):
                ctx.drop(join(cpath, "cache_control"), "no cache hints in a response")
        if m.function_call not in (UNSET, None):
            fn = m.function_call
            fpath = join(path, "function_call")
            name = self.names.get(fn.name, fn.name)
            call_id = f"{self.c.id}-function_call"
            blocks.append(
                a.ToolUseBlock(
                    id=call_id,
                    name=name,
                    input=parse_arguments(fn.arguments, self.ctx, join(fpath, "arguments")),
                )
            )
            ctx.approx(
                fpath,
                "the deprecated function_call said as a tool_use block whose id is derived from the completion's",
            )
        return blocks

    # -- stop reason -----------------------------------------------------------------

    def stop(
        self, choice: o.Choice, has_calls: bool, refusal: str | None
    ) -> tuple[str, str | None]:
        """``finish_reason`` -> ``stop_reason`` by the one table, refined by what else the
        upstream said: an anthropic ``native_finish_reason`` (OpenRouter, MiMo) that agrees
        with it, vLLM's ``stop_reason`` (the stop string that matched), the client's stop
        list when the upstream says a sequence matched but not which and the list has only
        one, tool calls (``stop`` after tool calls is ``tool_use``), a refusal."""
        ctx, path = self.ctx, "choices[0]"
        fr, native, matched = choice.finish_reason, choice.native_finish_reason, choice.stop_reason
        if isinstance(native, str) and native in STOP_TO_OPENAI and STOP_TO_OPENAI[native][0] == fr:
            reason = native
        else:
            if isinstance(native, str) and native.lower() != (fr or "").lower():
                ctx.drop(
                    join(path, "native_finish_reason"),
                    f"{native!r} beside finish_reason {fr!r} has no twin",
                )
            if isinstance(fr, str) and fr in FINISH_TO_ANTHROPIC:
                reason = FINISH_TO_ANTHROPIC[fr]
                if fr == "function_call":
                    ctx.approx(
                        join(path, "finish_reason"),
                        "the deprecated function_call reads as tool_use",
                    )
            else:
                reason = "end_turn"
                what = "no finish reason" if fr is None else f"unknown finish reason {fr!r}"
                ctx.approx(join(path, "finish_reason"), f"{what}: said as end_turn")
        sequence = None
        if isinstance(matched, str):
            if reason in ("end_turn", "stop_sequence"):
                reason, sequence = "stop_sequence", matched
            else:
                ctx.drop(join(path, "stop_reason"), f"a stop string beside finish_reason {fr!r}")
        elif reason == "stop_sequence":  # (an int ``stop_reason`` is a stop token: the turn's end)
            stops = (
                self.req.stop_sequences
                if self.req is not None and self.req.stop_sequences is not UNSET
                else []
            )
            if len(stops) == 1:
                sequence = stops[0]
            else:
                ctx.approx(
                    join(path, "native_finish_reason"), "which stop sequence matched is unknown"
                )
        if reason == "end_turn" and has_calls:
            reason = "tool_use"
        elif reason == "tool_use" and not has_calls:
            reason = "end_turn"
            ctx.approx(join(path, "finish_reason"), "tool calls announced, none made")
        if refusal is not None and reason != "refusal":
            if fr != "stop":
                ctx.approx(
                    join(path, "finish_reason"), f"a refusal's stop reason is refusal, not {fr!r}"
                )
            if sequence is not None:
                ctx.drop(join(path, "stop_reason"), "a refusal names no stop sequence")
            reason, sequence = "refusal", None
        return reason, sequence

    # -- usage -----------------------------------------------------------------------

    def usage(self, u: o.Usage | Any | None) -> a.Usage:
        """The shared arithmetic (``_usage``): ``input_tokens`` is the prompt less its cache
        reads and writes."""
        if u is UNSET or u is None:
            self.ctx.approx("usage", "no usage reported: zeros")
            return a.Usage(input_tokens=0, output_tokens=0)
        return to_anthropic_usage(u, self.ctx.lose)
