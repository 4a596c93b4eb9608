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
from .._decode import Unknown
from .._errors import Loss
from .._ledger import Ctx, finish
from ..targets import PRESETS, Target
from ._dispatch import relay
from ._response import chat_response
from ._to_chat import ToChat, decode_request

_MESSAGE = re.compile(r"^messages\[(\d+)\](.*)$")
_TOOL = re.compile(r"^tools\[(\d+)\](.*)$")
_FIELDS = {
    "max_completion_tokens": "max_output_tokens",
    "max_tokens": "max_output_tokens",
    "reasoning_effort": "reasoning.effort",
    "response_format": "text.format",
    "verbosity": "text.verbosity",
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
    chat = finish(ctx, conv.build(), unknown, False, None)
    inner = list(ctx.losses)
    result = to_messages.request(chat, target=target, losses=inner)
    relay(inner, strict, losses, _renamer(conv))
    return result


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
