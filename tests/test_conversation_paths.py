"""Losses and errors of a conversation row or a batch line name paths in the row as the user
has it in their file (issue 14): ``request.messages[3]...``, ``response.content[1]...``,
``params...``, ``result.message...``, not paths in the conversation as it was put together."""

from __future__ import annotations

from typing import Any

import pytest

from translate import Loss, TranslationError, batch, conversation


def _message(*content: dict[str, Any], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": list(content),
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


THINKING = {"type": "thinking", "thinking": "Look first.", "signature": "c2ln"}
ANTHROPIC_REQUEST = {
    "model": "claude-opus-4-8",
    "max_tokens": 64,
    "tools": [
        {"name": "ls", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}
    ],
    "messages": [
        {"role": "user", "content": "List the files."},
        {
            "role": "assistant",
            "content": [THINKING, {"type": "tool_use", "id": "toolu_1", "name": "ls", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
    ],
}


def _losses(row: Any, **options: Any) -> list[tuple[str, str, str]]:
    """The losses, sorted (their order is the translator's business, their paths are ours)."""
    found: list[Loss] = []
    conversation.conversation(row, losses=found, **options)
    return sorted((x.path, x.kind, x.detail) for x in found)


def test_anthropic_row_losses_name_the_request_and_the_response() -> None:
    row = {
        "request": ANTHROPIC_REQUEST,
        "response": _message(THINKING, {"type": "text", "text": "a"}),
    }
    reasoning = "target openai does not accept replayed reasoning"
    assert _losses(row, target="openai") == [
        ("request.messages[1].content[0]", "dropped", reasoning),
        ("request.tools[0].cache_control", "dropped", "target openai has no cache hint here"),
        ("response.content[0]", "dropped", reasoning),
    ]
    # a row without "request" is the request itself: its paths are the request's
    assert _losses(ANTHROPIC_REQUEST, target="openai") == [
        ("messages[1].content[0]", "dropped", reasoning),
        ("tools[0].cache_control", "dropped", "target openai has no cache hint here"),
    ]


def test_openai_row_losses_name_the_choice_message() -> None:
    request = {"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}]}
    message = {
        "role": "assistant",
        "content": "Hello",
        "annotations": [
            {
                "type": "url_citation",
                "url_citation": {
                    "url": "https://a.b",
                    "title": "t",
                    "start_index": 0,
                    "end_index": 1,
                },
            }
        ],
    }
    response = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-5",
        "choices": [{"index": 0, "finish_reason": "length", "message": message}],
    }
    assert _losses({"request": request, "response": response}) == [
        ("response.choices[0].finish_reason", "dropped", "the turn ended length"),
        ("response.choices[0].message.annotations", "dropped", "no request twin"),
    ]


def test_responses_row_losses_name_the_output_item() -> None:
    request = {"model": "gpt-5", "input": "Hi", "instructions": "Be brief."}
    response = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-5",
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}]},
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hello", "annotations": []}],
            },
        ],
    }
    assert _losses({"request": request, "response": response}) == [
        ("response.output[1].id", "dropped", "item ids name server-side state")
    ]


def test_a_turn_not_in_the_row_as_given_is_named_response_with_the_path_within_it() -> None:
    stream = "".join(
        f"event: {e['type']}\ndata: {__import__('json').dumps(e)}\n\n"
        for e in [
            {"type": "message_start", "message": {**_message(), "content": []}},
            {"type": "content_block_start", "index": 0, "content_block": THINKING},
            {"type": "content_block_stop", "index": 0},
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "text", "text": ""},
            },
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "text_delta", "text": "a"},
            },
            {"type": "content_block_stop", "index": 1},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}},
            {"type": "message_stop"},
        ]
    )
    request = {**ANTHROPIC_REQUEST, "tools": [], "messages": ANTHROPIC_REQUEST["messages"][:1]}
    assert _losses({"request": request, "response": stream}, target="openai") == [
        (
            "response",
            "dropped",
            "target openai does not accept replayed reasoning (in the response's turn: content[0])",
        )
    ]


def test_errors_name_the_row_too() -> None:
    bad = {**ANTHROPIC_REQUEST, "messages": [{"role": "user", "content": "a"}, {"role": "robot"}]}
    with pytest.raises(TranslationError) as caught:
        conversation.conversation({"request": bad, "response": _message()})
    assert caught.value.path == "request.messages[1].role"
    with pytest.raises(TranslationError) as caught:
        conversation.conversation(
            {"request": ANTHROPIC_REQUEST, "response": _message()}, target="x"
        )
    assert caught.value.path == "target"  # the argument, not the row


def test_batch_lines_name_params_body_and_results() -> None:
    found: list[Loss] = []
    line = {"custom_id": "q-1", "params": {**ANTHROPIC_REQUEST, "stream": True}}
    batch.request(line, target="openai", losses=found)
    assert sorted(x.path for x in found) == [
        "params.messages[1].content[0]",
        "params.stream",
        "params.tools[0].cache_control",
    ]
    with pytest.raises(TranslationError) as caught:
        batch.request({"custom_id": "q-1", "params": {**ANTHROPIC_REQUEST, "messages": [{}]}})
    assert caught.value.path.startswith("params.messages[0]")
    with pytest.raises(TranslationError) as caught:
        body = {"model": "gpt-5", "messages": [{"role": "robot", "content": "x"}]}
        batch.request(
            {"custom_id": "q", "method": "POST", "url": "/v1/chat/completions", "body": body}
        )
    assert caught.value.path == "body.messages[0].role"
    citation = {
        "type": "char_location",
        "cited_text": "a",
        "document_index": 0,
        "document_title": "d",
        "start_char_index": 0,
        "end_char_index": 1,
    }
    found = []
    text = {"type": "text", "text": "a", "citations": [citation]}
    batch.result(
        {"custom_id": "q", "result": {"type": "succeeded", "message": _message(text)}}, losses=found
    )
    assert [x.path for x in found] == ["result.message.content[0].citations[0]"]
    with pytest.raises(TranslationError) as caught:
        weird = _message({"type": "weird"})
        batch.result({"custom_id": "q", "result": {"type": "succeeded", "message": weird}})
    assert caught.value.path == "result.message.content[0].type"
    found = []
    chat = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-5",
        "system_fingerprint": "fp",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "a"}}
        ],
    }
    line = {"id": "batch_req_1", "custom_id": "q", "response": {"status_code": 200, "body": chat}}
    batch.result(line, losses=found)
    assert [x.path for x in found] == [
        "id",
        "response.body.usage",
        "response.body.system_fingerprint",
    ]
