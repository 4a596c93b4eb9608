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
  (``short_name``) is restored from the client's tools in ``request=``.
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

import copy
from typing import Any

import msgspec
from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode, join
from .._errors import Loss, TranslationError
from .._ledger import Ctx, finish
from .._tools import parse_arguments
from .._usage import to_anthropic_usage
from ..targets import resolve
from . import _refine as r
from ._refine import client_request, restore_names

__all__ = ["response"]


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
    ctx = Ctx(_RESPONSES)
    try:
        completion = decode(body, o.ChatCompletion, unknown)
    except TranslationError:
        loose = _loosen(body, ctx)
        if loose is None:
            raise
        completion = decode(loose, o.ChatCompletion, unknown)
    req = client_request(request)
    return finish(ctx, _Response(ctx, completion, req).build(), unknown, strict, losses)


def _loosen(body: Any, ctx: Ctx) -> dict[str, Any] | None:
    """Tool calls as OpenAI-compatible servers write them (DESIGN.md, "Reading the
    wild"): without ``type`` (a call with a ``function`` is a function call), without
    ``function.arguments`` (none: ``{}``). The body with those filled in, or ``None``
    when nothing needed it (the first error stands)."""
    try:
        if isinstance(body, (bytes, bytearray, memoryview, str)):
            value = msgspec.json.decode(body)
        elif isinstance(body, msgspec.Struct):
            value = msgspec.to_builtins(body)
        elif hasattr(body, "model_dump"):
            value = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        else:
            value = copy.deepcopy(body)
    except (msgspec.DecodeError, RecursionError, TypeError, ValueError):
        return None
    changed = False
    choices = value.get("choices") if isinstance(value, dict) else None
    for i, choice in enumerate(choices if isinstance(choices, list) else ()):
        message = choice.get("message") if isinstance(choice, dict) else None
        calls = message.get("tool_calls") if isinstance(message, dict) else None
        for j, call in enumerate(calls if isinstance(calls, list) else ()):
            if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
                continue
            if call.get("type") is None:
                call["type"] = "function"
                changed = True
            if call.get("id") is None:
                call["id"] = ""  # made up where the block is made, as a stream does
                changed = True
            fn = call["function"]
            if fn.get("arguments") is None:
                fn["arguments"] = ""
                changed = True
                ctx.approx(
                    f"choices[{i}].message.tool_calls[{j}].function.arguments",
                    "no arguments: the input is {}",
                )
    return value if changed else None


class _Response:
    __slots__ = ("c", "ctx", "id", "names", "req")

    def __init__(self, ctx: Ctx, c: o.ChatCompletion, req: a.MessagesRequest | None) -> None:
        self.ctx = ctx
        self.c = c
        self.req = req
        self.id = r.message_id(c.id, ctx.lose)
        self.names = restore_names(req)

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
            if refusal is not None and r.refusal_as_text(choice.finish_reason):
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
            id=self.id,
            model=self.req.model if self.req is not None else c.model,
            content=blocks,
            stop_reason=stop_reason,
            stop_sequence=stop_sequence,
            usage=self.usage(c.usage),
        )
        if c.choices and isinstance(c.choices[0].message.refusal, str):
            out.stop_details = r.refusal_details(c.choices[0].message.refusal)
        if isinstance(out.usage, a.Usage):
            r.service_tier(c.service_tier, out.usage, ctx.lose)
        for field in r.ENVELOPE_WITHOUT_TWIN:
            if getattr(c, field, None):
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
                r.reasoning_detail(d, ctx.lose, dpath, j)
            joined = "\n\n".join(b.thinking for b in blocks if isinstance(b, a.ThinkingBlock))
            for field in ("reasoning_content", "reasoning"):
                value = getattr(m, field)
                if value not in (UNSET, None, joined):
                    ctx.drop(join(path, field), "differs from reasoning_details, which is used")
            return blocks
        said = r.reasoning_text(m.reasoning_content, m.reasoning, ctx.lose, path)
        if said is not None:
            blocks.append(a.ThinkingBlock(thinking=said, signature=""))
        elif m.reasoning_content == "" or m.reasoning == "":  # as in a stream: no block
            field = "reasoning_content" if m.reasoning_content == "" else "reasoning"
            ctx.drop(join(path, field), "empty reasoning: no thinking block")
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
        cited: list[tuple[int, int, int, o.URLCitation]] = []
        for k, annotation in enumerate(annotations):
            apath = f"{path}.annotations[{k}]"
            uc = annotation.url_citation
            if annotation.type != "url_citation" or not isinstance(uc, o.URLCitation):
                ctx.drop(apath, f"a {annotation.type!r} annotation has no anthropic twin")
                continue
            start, end = uc.start_index, uc.end_index
            if not isinstance(start, int) or not isinstance(end, int):
                ctx.approx(apath, "no span: the citation covers the whole content")
                start, end = 0, n
            cited.append((start, end, k, uc))
        for start, end, k, uc in sorted(cited, key=lambda x: x[:2]):
            apath = f"{path}.annotations[{k}]"
            if not 0 <= start <= end <= n:
                ctx.drop(apath, "its span lies outside the content")
                continue
            title = uc.title if isinstance(uc.title, str) else None
            citation = a.WebSearchResultLocation(
                url=uc.url, title=title, encrypted_index="", cited_text=content[start:end]
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
                    id=r.tool_id(call.id, self.id, len(blocks), ctx.lose, join(cpath, "id")),
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
            call_id = r.tool_id(f"{self.id}-function_call", self.id, len(blocks), ctx.lose, fpath)
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
        """``finish_reason`` -> ``stop_reason``: the refinement streams share (``_refine``)."""
        return r.stop_reason(
            choice.finish_reason,
            choice.native_finish_reason,
            choice.stop_reason,
            r.stop_sequences(self.req),
            has_calls,
            refusal is not None,
            self.ctx.lose,
        )

    # -- usage -----------------------------------------------------------------------

    def usage(self, u: o.Usage | Any | None) -> a.Usage:
        """The shared arithmetic (``_usage``): ``input_tokens`` is the prompt less its cache
        reads and writes."""
        if u is UNSET or u is None:
            self.ctx.approx("usage", "no usage reported: zeros")
            return a.Usage(input_tokens=0, output_tokens=0)
        return to_anthropic_usage(u, self.ctx.lose)
