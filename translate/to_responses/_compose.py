"""Responses <-> Messages: the composition through the compatible Chat hub, on structs.

Nothing is encoded in between: the Responses request becomes a compatible Chat struct
(``_to_chat``), which the Chat -> Messages converter takes as it is. The losses of the
second step name Chat paths; they are renamed to the caller's Responses input with the map
the first step kept (``ToChat.paths``: Chat message index -> input item path).
"""

from __future__ import annotations

import re
from typing import Any

from .. import anthropic as a
from .. import responses as r
from .._decode import Unknown
from .._errors import Loss
from .._ledger import Ctx, finish
from ..targets import PRESETS, Target
from ._dispatch import relay
from ._response import chat_response
from ._to_chat import NAMESPACES, ToChat, decode_request

_MESSAGE = re.compile(r"^messages\[(\d+)\](.*)$")
_TOOL = re.compile(r"^tools\[(\d+)\](.*)$")
_FIELDS = {
    "max_completion_tokens": "max_output_tokens",
    "max_tokens": "max_output_tokens",
    "reasoning_effort": "reasoning.effort",
    "response_format": "text.format",
    "verbosity": "text.verbosity",
    # the compatible hub's carrier fields (``ToChat.extensions``), by the field they carry
    "reasoning_summary": "reasoning.summary",
    "reasoning_generate_summary": "reasoning.generate_summary",
    "prompt_cache_comparison_response_id": "prompt_cache_options.comparison_response_id",
    "prompt_cache_prewarm": "prompt_cache_options.prewarm",
}


def _renamer(conv: ToChat) -> Any:
    def rename(path: str) -> str:
        m = _MESSAGE.match(path)
        if m:
            i = int(m.group(1))
            if i < len(conv.paths):
                rest = m.group(2)
                keep = (
                    rest if rest.startswith(".content[") and conv.paths[i] != "instructions" else ""
                )
                return conv.paths[i] + keep
        m = _TOOL.match(path)
        if m:
            i = int(m.group(1))
            if i < len(conv.tool_paths):
                return conv.tool_paths[i] + m.group(2)
        head, dot, rest = path.partition(".")
        return _FIELDS.get(head, head) + dot + rest if head in _FIELDS else path

    return rename


def anthropic_request(
    body: Any,
    *,
    target: str | Target = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> a.MessagesRequest:
    """A Responses request -> an anthropic Messages request (``to_anthropic.request``)."""
    from ..to_anthropic import _request as to_messages

    unknown: list[Unknown] = []
    req = decode_request(body, unknown)
    ctx = Ctx(PRESETS[("openai", "compatible")])
    conv = ToChat(ctx, req)
    conv.functions_only = True  # Messages has no free-form tools: one string 'input'
    chat = finish(ctx, conv.build(unknown), [], False, None)
    first = list(ctx.losses)  # already named in the caller's input: renamed never again
    inner: list[Loss] = []
    result = to_messages.request(chat, target=target, losses=inner)
    relay(first + _second(conv, req, inner), strict, losses, lambda p: p)
    return result


def _second(conv: ToChat, req: r.ResponseCreateParams, inner: list[Loss]) -> list[Loss]:
    """The Chat -> Messages losses, named in the caller's Responses input: the hub's
    carrier fields by what they carry (``namespaces``: each namespace tool); a reasoning
    id Messages cannot keep (``reasoning_details[j].id``) at the ``id`` of the turn's item."""
    rename = _renamer(conv)
    tools = req.tools if isinstance(req.tools, list) else []
    out: list[Loss] = []
    for loss in inner:
        if loss.path == NAMESPACES or loss.path.startswith(NAMESPACES + "["):
            out.extend(
                Loss(f"tools[{i}]", "approximated", "a namespace: its tools offered one by one")
                for i, tool in enumerate(tools)
                if isinstance(tool, r.NamespaceTool) and tool.tools
            )
            continue
        path = rename(loss.path)
        if _DETAIL_ID.search(loss.path) and not path.endswith(".id"):
            path += ".id"
        out.append(Loss(path, loss.kind, loss.detail))
    return out


_DETAIL_ID = re.compile(r"\.reasoning_details\[\d+\]\.id$")


def anthropic_response(
    body: Any,
    *,
    request: Any = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> a.MessageResponse:
    """A Responses ``Response`` -> an anthropic Message (``to_anthropic.response``)."""
    from ..to_anthropic import _response as to_messages

    inner: list[Loss] = []
    chat = chat_response(body, losses=inner)
    result = to_messages.response(chat, losses=inner)
    relay(inner, strict, losses, lambda p: p)
    return result
