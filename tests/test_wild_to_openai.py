"""Real-world shapes for the to_openai direction, the bytes-level SSE layer and errors
(issue 10): error bodies that arrive SSE-framed, frames after the end of a stream, frames
nested too deeply to decode, loose anthropic shapes, hostile upstreams in O(1) memory."""

from __future__ import annotations

import pytest

from translate import to_anthropic, to_openai

# --- errors ------------------------------------------------------------------------------

_FRAMED = [
    (b'data: {"error": {"message": "model is required", "type": "invalid_request_error"}}\n\n', 400),
    (b'data: {"error":{"message":"model is required","code":400}}\n\ndata: [DONE]\n\n', 400),
    (
        b'event: error\ndata: {"type": "error", "error": {"type": "invalid_request_error",'
        b' "message": "model is required"}}\n\n',
        400,
    ),
    (b': keep-alive\r\n\r\ndata: {"error": {"message": "model is required"}}\r\n\r\n', 422),
]


@pytest.mark.parametrize(("body", "status"), _FRAMED)
def test_an_sse_framed_error_body_keeps_its_message(body: bytes, status: int) -> None:
    for module in (to_openai, to_anthropic):
        got_status, out = module.error(body, status)
        assert got_status == status
        assert out.error.message == "model is required"
    assert to_anthropic.error(body, status)[1].error.type == "invalid_request_error"


def test_a_framed_body_without_json_is_still_its_text() -> None:
    status, out = to_anthropic.error(b"data: upstream exploded\n\n", 500)
    assert (status, out.error.type) == (500, "api_error")
    assert "upstream exploded" in out.error.message


def test_529_with_an_openai_server_error_is_overloaded() -> None:
    body = {"error": {"message": "busy", "type": "server_error", "param": None, "code": None}}
    assert to_anthropic.error(body, 529)[1].error.type == "overloaded_error"
    assert to_anthropic.error(body, 504)[1].error.type == "timeout_error"
    assert to_anthropic.error(body, 500)[1].error.type == "api_error"
    assert to_anthropic.error(body)[0] == 500
    # Anthropic's own word is kept as it said it.
    own = {"type": "error", "error": {"type": "api_error", "message": "busy"}}
    assert to_anthropic.error(own, 529)[1].error.type == "api_error"
