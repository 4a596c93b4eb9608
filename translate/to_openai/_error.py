"""Any upstream error body -> an openai error body ``{"error": {message, type, param, code}}``.

Meant for anthropic errors, but takes whatever an upstream or a proxy sent (see
``_error_body``): the answer is always a well-formed openai error and the status is kept.
"""

from __future__ import annotations

from typing import Any

from .. import openai as o
from .._error_body import fallback_message, read, status_of
from .._tables import ERROR_STATUS, ERROR_TO_OPENAI, anthropic_error_type


def error(body: Any, status: int | None = None) -> tuple[int, o.ErrorBody]:
    """Translate an error body (bytes, str, dict, a struct, a pydantic model, or anything
    else) into ``(status, openai ErrorBody)``. Never raises.

    ``status`` is kept as given; without it, the status the body states (vLLM's and MiMo's
    ``code``), else the one its type stands for (ERRORS in ``_tables``), else 500. An
    anthropic type becomes its row's openai type; any other type the body names is kept
    (the openai dialect's types are open); a body without one gets the type its status
    stands for. MiMo's real reason, sent in ``param``, is lifted into the message.
    """
    facts = read(body)
    status = status_of(
        status, facts, ERROR_STATUS.get(anthropic_error_type(facts.names, None), 500)
    )
    if facts.type in ERROR_TO_OPENAI:
        type_ = ERROR_TO_OPENAI[facts.type]
    elif facts.type:
        type_ = facts.type
    else:
        type_ = ERROR_TO_OPENAI[anthropic_error_type(facts.names, status)]
    obj = o.ErrorObject(
        message=facts.message or fallback_message(status),
        type=type_,
        param=facts.param,
        code=facts.code,
    )
    return status, o.ErrorBody(error=obj)
