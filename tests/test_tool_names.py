"""Tool names both dialects accept: ``^[a-zA-Z0-9_-]{1,64}$`` for openai (and MiMo),
``{1,128}`` for anthropic (../shared/DIALECTS.md, "Tool names"). A name over the limit or
outside the alphabet (``get.weather``: vLLM and Ollama take it, OpenAI and Anthropic answer
400) is rewritten the same way wherever it appears and restored from ``request=`` in the
response and the stream; an empty or missing name is bad input.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import TranslationError, to_anthropic, to_openai, to_responses
from translate._tools import NAME_LIMITS, restore_names, short_name

from .streams import accumulate_openai, anthropic_events, anthropic_sse, openai_frames
from .test_requests import validate


@given(st.text(min_size=1, max_size=200), st.sampled_from(NAME_LIMITS))
def test_a_rewritten_name_fits_and_restores(name: str, limit: int) -> None:
    sent = short_name(name, limit)
    assert re.fullmatch(rf"[a-zA-Z0-9_-]{{1,{limit}}}", sent), sent
    assert short_name(sent, limit) == sent  # a name that fits is itself
    if sent != name:
        assert restore_names([name])[sent] == name


@given(st.lists(st.text(min_size=1, max_size=90), min_size=2, max_size=2, unique=True))
def test_two_names_never_share_a_rewrite(names: list[str]) -> None:
    for limit in NAME_LIMITS:
        assert short_name(names[0], limit) != short_name(names[1], limit)


DOTTED = "get.weather"


def _openai_request() -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": DOTTED, "arguments": '{"city":"Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sun"},
        ],
        "tools": [
            {"type": "function", "function": {"name": DOTTED, "parameters": {"type": "object"}}}
        ],
        "tool_choice": {"type": "function", "function": {"name": DOTTED}},
    }


@pytest.mark.parametrize("target", ["anthropic", "compatible", "mimo-anthropic"])
def test_openai_names_outside_the_alphabet_reach_anthropic_rewritten(target: str) -> None:
    out = msgspec.to_builtins(to_anthropic.request(_openai_request(), target=target))
    validate("anthropic", out, target)
    sent = out["tools"][0]["name"]
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,128}", sent)
    assert sent.startswith("get_weather_")
    assert out["tool_choice"] == {"type": "tool", "name": sent}
    uses = [b for b in out["messages"][1]["content"] if b["type"] == "tool_use"]
    assert [b["name"] for b in uses] == [sent]


def test_the_openai_client_gets_its_names_back_in_response_and_stream() -> None:
    req = _openai_request()
    sent = msgspec.to_builtins(to_anthropic.request(req, target="anthropic"))["tools"][0]["name"]
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": sent, "input": {"city": "Oslo"}}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 3},
    }
    body = msgspec.to_builtins(to_openai.response(message, request=req))
    assert body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == DOTTED
    sse = b"".join(to_openai.sse([anthropic_sse(anthropic_events(message))], request=req))
    chunks, done = openai_frames(sse)
    assert done
    streamed = accumulate_openai(chunks)
    assert streamed["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == DOTTED
    # Without the request there is nothing to restore from: the name as the model said it.
    alone = msgspec.to_builtins(to_openai.response(message))
    assert alone["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == sent


def test_anthropic_names_outside_the_alphabet_reach_openai_rewritten() -> None:
    req = {
        "model": "claude",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"name": "mcp:search docs", "input_schema": {"type": "object"}}],
    }
    out = msgspec.to_builtins(to_openai.request(req, target="openai"))
    validate("openai", out, "openai")
    sent = out["tools"][0]["function"]["name"]
    assert re.fullmatch(r"mcp_search_docs_[0-9a-f]{10}", sent)
    completion = _calling(sent)
    back = msgspec.to_builtins(to_anthropic.response(completion, request=req))
    assert back["content"][0]["name"] == "mcp:search docs"


def _calling(name: str) -> dict[str, Any]:
    """A ChatCompletion whose one tool call names ``name``, as the upstream model said it."""
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": "{}"}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    choice = {"index": 0, "finish_reason": "tool_calls", "message": message}
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice]}


@pytest.mark.parametrize("name", ["", None])
def test_an_empty_or_missing_name_is_bad_input(name: str | None) -> None:
    function: dict[str, Any] = {"parameters": {"type": "object"}}
    if name is not None:
        function["name"] = name
    req = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    req["tools"] = [{"type": "function", "function": function}]
    with pytest.raises(TranslationError) as info:
        to_anthropic.request(req)
    assert info.value.path.startswith("tools[0].function")


def test_a_responses_client_s_names_reach_chat_rewritten_and_come_back() -> None:
    """Codex over a Chat upstream: a function named outside Chat's alphabet."""
    req = {
        "model": "m",
        "input": [
            {"role": "user", "content": "weather?"},
            {"type": "function_call", "call_id": "c0", "name": DOTTED, "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c0", "output": "sun"},
        ],
        "tools": [{"type": "function", "name": DOTTED, "parameters": {"type": "object"}}],
        "tool_choice": {"type": "function", "name": DOTTED},
    }
    losses: list[Any] = []
    chat = msgspec.to_builtins(to_openai.request(req, target="openai", losses=losses))
    validate("openai", chat, "openai")
    sent = chat["tools"][0]["function"]["name"]
    assert sent.startswith("get_weather_")
    assert chat["tool_choice"]["function"]["name"] == sent
    assert chat["messages"][1]["tool_calls"][0]["function"]["name"] == sent
    assert [(loss.path, loss.kind) for loss in losses if "renamed" in loss.detail] == [
        ("tools[0].name", "approximated")
    ]
    completion = _calling(sent)
    out = msgspec.to_builtins(to_responses.response(completion, request=req))
    assert [item["name"] for item in out["output"] if item["type"] == "function_call"] == [DOTTED]


def test_an_empty_name_in_a_responses_request_is_bad_input() -> None:
    req = {"model": "m", "input": "hi", "tools": [{"type": "function", "name": ""}]}
    with pytest.raises(TranslationError) as info:
        to_openai.request(req)
    assert info.value.path == "tools[0].name"
