"""Compaction (anthropic beta ``compact-2026-01-12``: the server compacts the context and
answers with a ``compaction`` block, which the client sends back) for an openai client,
which has no such block: the summary is said as text the model can read when the client
sends the turn back, with a Loss, the same in a response and in a stream; a failed
compaction (no summary) is nothing. Shapes from the anthropic SDK 2.14 beta types
(``BetaCompactionBlock``, ``BetaCompactionContentBlockDelta``); no wire capture exists
(Claude Code 2.1.197 compacts on the client).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from translate import Loss, to_openai, to_responses

from . import sdk_strict
from .streams import accumulate_openai, anthropic_sse, openai_frames

SUMMARY = "The user asked for a refactor of the parser; tests pass after step 3."


def _message(compaction: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [compaction, {"type": "text", "text": "Next, step 4."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 3},
    }


def _events(compaction: dict[str, Any]) -> list[dict[str, Any]]:
    """As the API streams it: the block starts empty, its summary comes in one delta."""
    start = {**_message(compaction), "content": [], "stop_reason": None}
    delta = {k: v for k, v in compaction.items() if k in ("content", "encrypted_content")}
    return [
        {"type": "message_start", "message": start},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "compaction", "content": None},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "compaction_delta", **delta}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "text_delta", "text": "Next, step 4."},
        },
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 3},
        },
        {"type": "message_stop"},
    ]


CASES = {
    "summarized": (
        {"type": "compaction", "content": SUMMARY, "encrypted_content": "Eo8BCkYI"},
        SUMMARY + "\n\nNext, step 4.",
        [("content[0]", "approximated")],
    ),
    "failed": (
        {"type": "compaction", "content": None},
        "Next, step 4.",
        [("content[0]", "dropped")],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_compaction_reaches_an_openai_client_as_text(case: str) -> None:
    block, content, expected = CASES[case]
    losses: list[Loss] = []
    body = msgspec.to_builtins(to_openai.response(_message(block), losses=losses))
    sdk_strict.validate_chat_completion(body)
    assert body["choices"][0]["message"]["content"] == content
    assert [(loss.path, loss.kind) for loss in losses] == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_stream_says_what_the_response_says(case: str) -> None:
    block, content, expected = CASES[case]
    losses: list[Loss] = []
    sse = b"".join(to_openai.sse([anthropic_sse(_events(block))], losses=losses))
    chunks, done = openai_frames(sse)
    assert done
    for chunk in chunks:
        sdk_strict.validate_chat_completion_chunk(chunk)
    assert accumulate_openai(chunks)["choices"][0]["message"]["content"] == content
    assert [(loss.path, loss.kind) for loss in losses] == expected


def test_the_request_says_a_replayed_compaction_as_its_summary() -> None:
    """Claude Code sends the block back in the next request: a target without the
    carrier reads the summary as text (``compatible`` keeps the block itself)."""
    req = {
        "model": "claude",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "go on"},
            {"role": "assistant", "content": [{"type": "compaction", "content": SUMMARY}]},
            {"role": "user", "content": "continue"},
        ],
    }
    losses: list[Loss] = []
    out = msgspec.to_builtins(to_openai.request(req, target="openai", losses=losses))
    assert out["messages"][1]["content"] == [{"type": "text", "text": SUMMARY}]
    assert [(loss.path, loss.kind) for loss in losses] == [
        ("messages[1].content[0]", "approximated")
    ]
    carried = msgspec.to_builtins(to_openai.request(req, target="compatible"))
    assert carried["messages"][1]["content"] == [{"type": "compaction", "content": SUMMARY}]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_responses_client_reads_the_same_text_batch_and_streamed(case: str) -> None:
    """Codex over a Messages upstream: the summary is output text of the message item."""
    block, content, expected = CASES[case]
    losses: list[Loss] = []
    body = msgspec.to_builtins(to_responses.response(_message(block), losses=losses))
    assert [part["text"] for part in body["output"][0]["content"]] == [content]
    assert [(loss.path, loss.kind) for loss in losses] == expected
    streamed: list[Loss] = []
    sse = b"".join(to_responses.sse([anthropic_sse(_events(block))], losses=streamed))
    done = [
        json.loads(frame.partition("data: ")[2])
        for frame in sse.decode().split("\n\n")
        if frame.startswith("event: response.completed")
    ]
    assert [p["text"] for p in done[0]["response"]["output"][0]["content"]] == [content]
    assert [(loss.path, loss.kind) for loss in streamed] == expected
