"""Any upstream error body -> the error body of ``/v1/responses``.

An HTTP error of the Responses API is the Chat Completions body ``{"error": {message, type,
param, code}}``, so this is ``to_openai.error``: anthropic errors get their openai type,
everything else is read as tolerantly, and the status is kept. One refinement Responses
clients rely on: a prompt longer than the model's context is ``code:
"context_length_exceeded"`` whatever the upstream's wording (Anthropic's "prompt is too
long", the "maximum context length" of OpenAI-compatible servers); Codex reads that code
(and only it) as "the context window is full", which it answers by compacting.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from .. import openai as o

CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
_CONTEXT_WORDING = re.compile(
    r"prompt is too long|maximum context length|context[ _]length[ _]exceeded"
    r"|exceeds? (?:the )?(?:model's )?context (?:window|limit|length)"
    r"|context (?:window|limit) (?:exceeded|reached)",
    re.IGNORECASE,
)


def error(body: Any, status: int | None = None) -> tuple[int, o.ErrorBody]:
    """Translate an error body into ``(status, ErrorBody)`` for a Responses client. Never raises."""
    from ..to_openai._error import error as to_openai_error

    status, err = to_openai_error(body, status)
    obj = err.error
    unnamed = obj.code in (None, "", "400", 400) or obj.code is UNSET
    if status == 400 and unnamed and context_exceeded(obj):
        obj.code = CONTEXT_LENGTH_EXCEEDED
    return status, err


def context_exceeded(obj: o.ErrorObject) -> bool:
    """Whether an error says the prompt is longer than the model's context: its code or
    type says so, or its wording does. The one rule for error bodies and stream errors."""
    if CONTEXT_LENGTH_EXCEEDED in (obj.type, obj.code):
        return True
    text = obj.message if isinstance(obj.message, str) else ""
    param = obj.param if isinstance(obj.param, str) else ""
    return bool(_CONTEXT_WORDING.search(text) or _CONTEXT_WORDING.search(param))
