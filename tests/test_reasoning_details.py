"""OpenRouter's ``reasoning_details`` entries, and a Codex reasoning item through Chat:
what an entry says beside its thinking (``id``, ``format``, ``index``, a summary, a missing
signature) rides on the thinking block as ``openai_detail`` in ``compatible`` and comes
back exactly; elsewhere it is a Loss, never a silent drop. Entry shapes: OpenRouter's
reasoning-tokens documentation (``reasoning.text`` with ``signature``, ``reasoning.summary``,
``reasoning.encrypted``, each with ``id``, ``format`` and ``index``).
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from translate import Loss, to_anthropic, to_openai

from .streams import accumulate_openai, anthropic_events, anthropic_sse, openai_frames
from .test_requests import validate

DETAILS: list[dict[str, Any]] = [
    {
        "type": "reasoning.text",
        "text": "Let me check.",
        "signature": "EqQBCkYI",
        "id": "rs_1",
        "format": "anthropic-claude-v1",
        "index": 0,
    },
    {"type": "reasoning.encrypted", "data": "gAAAAAB", "id": "rs_2", "index": 1},
    {
        "type": "reasoning.summary",
        "summary": "Checked the file.",
        "id": "rs_3",
        "format": "openai-responses-v1",
        "index": 2,
    },
    {"type": "reasoning.text", "text": "No signature here.", "id": "rs_4", "index": 3},
]


def _request(details: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "ok", "reasoning_details": details},
            {"role": "user", "content": "go on"},
        ],
    }


def test_compatible_carries_every_entry_and_gives_it_back() -> None:
    losses: list[Loss] = []
    messages = msgspec.to_builtins(to_anthropic.request(_request(DETAILS), losses=losses))
    validate("anthropic", messages)
    assert losses == []
    blocks = messages["messages"][1]["content"]
    assert [b["type"] for b in blocks] == [
        "thinking",
        "redacted_thinking",
        "thinking",
        "thinking",
        "text",
    ]
    assert blocks[2]["openai_detail"] == {
        "id": "rs_3",
        "format": "openai-responses-v1",
        "index": 2,
        "type": "reasoning.summary",
    }
    assert blocks[3]["openai_detail"] == {"id": "rs_4", "index": 3, "signature": None}
    back = msgspec.to_builtins(to_openai.request(messages, losses=losses))
    assert losses == []
    assert back["messages"][1]["reasoning_details"] == DETAILS


def test_other_targets_say_what_they_drop() -> None:
    losses: list[Loss] = []
    to_anthropic.request(_request(DETAILS), target="mimo-anthropic", losses=losses)
    said = {(loss.path, loss.kind) for loss in losses}
    base = "messages[1].reasoning_details"
    for j in range(4):
        assert (f"{base}[{j}].id", "dropped") in said
    assert (f"{base}[2]", "approximated") in said  # a summary replayed as thinking


def test_an_entry_dropped_whole_is_not_also_reported_piece_by_piece() -> None:
    """Real Anthropic verifies signatures: reasoning in another provider's format goes."""
    losses: list[Loss] = []
    to_anthropic.request(_request(DETAILS[2:3]), target="anthropic", losses=losses)
    assert [(loss.path, loss.kind) for loss in losses] == [
        ("messages[1].reasoning_details[0]", "dropped")
    ]


def test_an_index_out_of_list_order_is_a_loss() -> None:
    details = [{**DETAILS[0], "index": 5}]
    losses: list[Loss] = []
    to_anthropic.request(_request(details), target="mimo-anthropic", losses=losses)
    assert ("messages[1].reasoning_details[0].index", "dropped") in {
        (loss.path, loss.kind) for loss in losses
    }


def _completion(details: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 0,
        "model": "anthropic/claude",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "ok", "reasoning_details": details},
            }
        ],
    }


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({**DETAILS[0], "index": 0}, [("choices[0].message.reasoning_details[0].id", "dropped")]),
        (
            {**DETAILS[1], "id": None, "index": 4},
            [("choices[0].message.reasoning_details[0].index", "dropped")],
        ),
    ],
)
def test_a_response_reports_the_id_and_an_index_out_of_order(
    entry: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    losses: list[Loss] = []
    to_anthropic.response(_completion([entry]), losses=losses)
    said = [(loss.path, loss.kind) for loss in losses if loss.path.startswith("choices")]
    assert said == expected


def test_a_carried_entry_goes_out_again_in_a_response_and_a_stream() -> None:
    block = {"type": "thinking", "thinking": "t", "signature": "s", "openai_detail": {"id": "rs_9"}}
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [block, {"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    body = msgspec.to_builtins(to_openai.response(message))
    assert body["choices"][0]["message"]["reasoning_details"] == [
        {"type": "reasoning.text", "id": "rs_9", "text": "t", "signature": "s"}
    ]
    events = anthropic_events(message)
    start = next(e for e in events if e["type"] == "content_block_start")
    start["content_block"]["openai_detail"] = block["openai_detail"]  # carried from the start
    chunks, _ = openai_frames(b"".join(to_openai.sse([anthropic_sse(events)])))
    streamed = accumulate_openai(chunks)["choices"][0]["message"]["reasoning_details"]
    assert [(d.get("id"), d.get("text"), d.get("signature")) for d in streamed] == [
        ("rs_9", "t", "s")
    ]
