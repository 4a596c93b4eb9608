"""Any upstream error body -> an anthropic error body ``{"type": "error", "error": {type, message}}``.

Meant for openai errors, but takes whatever an upstream or a proxy sent (see
``_error_body``): the answer is always a well-formed anthropic error and the status is kept.
"""

from __future__ import annotations

from typing import Any

from .. import anthropic as a
from .._error_body import error_type, fallback_message, read, status_of
from .._tables import ERROR_STATUS, anthropic_error_type


def error(body: Any, status: int | None = None) -> tuple[int, a.ErrorResponse]:
    """Translate an error body (bytes, str, dict, a struct, a pydantic model, or anything
    else) into ``(status, anthropic ErrorResponse)``. Never raises.

    ``status`` is kept as given; without it, the status the body states (vLLM's and MiMo's
    ``code``), else the one its type stands for (ERRORS in ``_tables``), else 500. The
    type is read from the body's type, code and status words, then from the status
    (``anthropic_error_type``). MiMo's real reason, sent in ``param``, is lifted into the
    message; openai's ``param`` (a parameter name, already in OpenAI's messages) and
    ``code`` have no place in an anthropic error and are not carried.
    """
    facts = read(body)
    status = status_of(
        status, facts, ERROR_STATUS.get(anthropic_error_type(facts.names, None), 500)
    )
    obj = a.ErrorObject(
        type=error_type(facts.names, status),
        message=facts.message or fallback_message(status),
    )
    out = a.ErrorResponse(error=obj)
    if facts.request_id is not None:
        out.request_id = facts.request_id
    return status, out
