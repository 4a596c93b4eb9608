"""Any upstream error body -> the error body of ``/v1/responses``.

An HTTP error of the Responses API is the Chat Completions body ``{"error": {message, type,
param, code}}``, so this is ``to_openai.error``: anthropic errors get their openai type,
everything else is read as tolerantly, and the status is kept.
"""

from __future__ import annotations

from typing import Any

from .. import openai as o


def error(body: Any, status: int | None = None) -> tuple[int, o.ErrorBody]:
    """Translate an error body into ``(status, ErrorBody)`` for a Responses client. Never raises."""
    from ..to_openai._error import error as to_openai_error

    return to_openai_error(body, status)
