"""Requests as real clients send them (issue 11): newer blocks, fields only the compatible
form carries, ids from other providers, and outputs the target would refuse.

Block shapes: anthropic SDK 2.14 ``types/beta/beta_compaction_block_param.py``
(``BetaCompactionBlockParam``: content, encrypted_content, signature, tool_changes,
cache_control) and ``types/tool_reference_block_param.py`` (``{type: "tool_reference",
tool_name}``, what Claude Code's tool search puts inside a tool result).
"""

from __future__ import annotations

import re
import time

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, TranslationError, to_anthropic, to_openai
from translate._tools import OMITTED, anthropic_id, openai_id
from translate.targets import PRESETS

from . import canonical
from .test_requests import validate

ANTHROPIC_ID = re.compile(r"[a-zA-Z0-9_-]+")


def as_dict(x) -> dict:
    return msgspec.to_builtins(x)


def paths(losses: list[Loss]) -> list[list[str]]:
    return [[loss.path, loss.kind] for loss in losses]


COMPACTION = {
    "type": "compaction",
    "content": "The user asked to fix the span parser; tests now pass.",
    "encrypted_content": "EqQBCkYIBxgCKkD",
    "signature": "sig==",
    "tool_changes": [],
}
# What Claude Code sends after a server-side compaction and a tool search.
CLAUDE_CODE = {
    "model": "claude-opus-4-7",
    "max_tokens": 128000,
    "stream": True,
    "messages": [
        {"role": "user", "content": "find a tool to fetch a page"},
        {
            "role": "assistant",
            "content": [
                COMPACTION,
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": "ToolSearch",
                    "input": {"query": "fetch"},
                    "caller": {"type": "direct"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "content": [{"type": "tool_reference", "tool_name": "WebFetch"}],
                }
            ],
        },
    ],
    "tools": [
        {"name": "ToolSearch", "input_schema": {"type": "object"}},
        {"name": "WebFetch", "input_schema": {"type": "object"}, "defer_loading": True},
    ],
    "context_management": {"edits": [{"type": "compact_20260112"}]},
}


def test_a_claude_code_request_round_trips_through_compatible() -> None:
    losses: list[Loss] = []
    forward = to_openai.request(CLAUDE_CODE, losses=losses)
    back = to_anthropic.request(msgspec.json.encode(forward), losses=losses)
    assert losses == []
    assert canonical.anthropic_request(as_dict(back)) == canonical.anthropic_request(CLAUDE_CODE)
    sent = as_dict(forward)
    assert sent.pop("context_management") == CLAUDE_CODE["context_management"]  # carried
    validate("openai", sent)


def test_newer_blocks_become_text_the_model_can_use_elsewhere() -> None:
    losses: list[Loss] = []
    out = as_dict(to_openai.request(CLAUDE_CODE, target="openai", losses=losses))
    assistant, tool = out["messages"][1], out["messages"][2]
    assert assistant["content"] == COMPACTION["content"]
    assert tool["content"] == [{"type": "text", "text": "Tool loaded: WebFetch"}]
    assert ["messages[1].content[0]", "approximated"] in paths(losses)
    assert ["messages[2].content[0].content[0]", "approximated"] in paths(losses)
    assert ["tools[1].defer_loading", "dropped"] in paths(losses)
    validate("openai", out, "openai")


def test_a_failed_compaction_is_a_no_op_said_as_a_loss() -> None:
    body = {**CLAUDE_CODE, "messages": [{"role": "assistant", "content": [{"type": "compaction"}]}]}
    losses: list[Loss] = []
    out = as_dict(to_openai.request(body, target="openai", losses=losses))
    assert out["messages"][0]["content"] is None or out["messages"][0]["content"]
    assert paths(losses)[0] == ["messages[0].content[0]", "dropped"]


def test_compaction_in_responses_and_streams_is_text_and_a_loss() -> None:
    """An openai client has no compaction block: its summary is said as text, a Loss
    (tests/test_compaction.py has the cases)."""
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [COMPACTION, {"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    losses: list[Loss] = []
    out = as_dict(to_openai.response(message, losses=losses))
    assert out["choices"][0]["message"]["content"] == COMPACTION["content"] + "\n\nok"
    assert paths(losses) == [["content[0]", "approximated"]]
    events = [
        {"type": "message_start", "message": {**message, "content": []}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "compaction"}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "compaction_delta", "content": "summary"},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 1},
        },
        {"type": "message_stop"},
    ]
    chunks = [msgspec.to_builtins(c) for c in to_openai.stream(events)]
    said = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert said == "summary\n\n"


def test_the_developer_role_and_tool_definition_fields_are_carried_or_lost() -> None:
    tools = [
        {
            "name": "t",
            "input_schema": {"type": "object"},
            "defer_loading": True,
            "allowed_callers": ["direct", "code_execution_20250825"],
            "eager_input_streaming": True,
            "input_examples": [{"a": 1}],
        }
    ]
    body = {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}
    losses: list[Loss] = []
    back = to_anthropic.request(to_openai.request({**body, "tools": tools}), losses=losses)
    assert losses == [] and as_dict(back)["tools"] == tools


# --- outputs the target refuses ---------------------------------------------------------


def test_only_server_tools_leaves_no_tools_and_no_choice() -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "web_search_20250305", "name": "web_search"}],
        "tool_choice": {"type": "tool", "name": "web_search"},
    }
    for target in ("compatible", "openai"):
        losses: list[Loss] = []
        out = as_dict(to_openai.request(body, target=target, losses=losses))
        assert "tools" not in out and "tool_choice" not in out
        assert paths(losses) == [["tools[0]", "dropped"], ["tool_choice", "dropped"]]
    any_choice = {**body, "tool_choice": {"type": "any", "disable_parallel_tool_use": True}}
    out = as_dict(to_openai.request(any_choice, target="openai"))
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & set(out)


@pytest.mark.parametrize("tool", [{"input_schema": {}}, {"name": "", "input_schema": {}}])
def test_a_tool_without_a_name_is_bad_input(tool: dict) -> None:
    body = {"model": "m", "max_tokens": 1, "messages": [], "tools": [tool]}
    with pytest.raises(TranslationError, match=r"tools\[0\]\.name"):
        to_openai.request(body)
    openai_body = {
        "model": "m",
        "messages": [],
        "tools": [{"type": "function", "function": {"name": ""}}],
    }
    with pytest.raises(TranslationError, match=r"tools\[0\]\.function\.name"):
        to_anthropic.request(openai_body)


def _file(data: str, filename: str) -> dict:
    return {
        "model": "m",
        "messages": [
            {
                "role": "user",
                "content": [{"type": "file", "file": {"file_data": data, "filename": filename}}],
            }
        ],
    }


def test_files_that_are_not_pdfs_are_said_by_their_type() -> None:
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.request(_file("aGVsbG8=", "notes.txt"), target="anthropic", losses=losses)
    )
    assert out["messages"][0]["content"] == [
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "hello"},
            "title": "notes.txt",
        }
    ]
    assert paths(losses) == [["messages[0].content[0].file.file_data", "approximated"]]
    out = as_dict(to_anthropic.request(_file("data:image/png;base64,iVBORw0KGgo=", "a.png")))
    assert out["messages"][0]["content"][0]["source"]["media_type"] == "image/png"
    losses = []
    out = as_dict(
        to_anthropic.request(_file("data:application/zip;base64,UEsDBA==", "a.zip"), losses=losses)
    )
    assert out["messages"][0]["content"] == [{"type": "text", "text": OMITTED}]
    assert paths(losses) == [["messages[0].content[0].file.file_data", "dropped"]]
    out = as_dict(to_anthropic.request(_file("JVBERi0xLjQK", "report")))
    assert out["messages"][0]["content"][0]["source"]["media_type"] == "application/pdf"


def test_an_image_by_file_id_leaves_no_empty_turn() -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "messages": [
            {
                "role": "user",
                "content": [{"type": "image", "source": {"type": "file", "file_id": "f"}}],
            }
        ],
    }
    losses: list[Loss] = []
    out = as_dict(to_openai.request(body, target="openai", losses=losses))
    assert out["messages"][0]["content"] == [{"type": "text", "text": OMITTED}]
    assert paths(losses) == [["messages[0].content[0]", "dropped"]]


def test_a_tool_message_left_without_parts_is_a_string() -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "messages": [
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t", "name": "n", "input": {}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [
                            {"type": "image", "source": {"type": "url", "url": "https://x/a.png"}}
                        ],
                    }
                ],
            },
        ],
    }
    out = as_dict(to_openai.request(body, target="openai"))
    assert out["messages"][1] == {"role": "tool", "content": "", "tool_call_id": "t"}
    assert out["messages"][2]["role"] == "user"


@pytest.mark.parametrize("target", sorted(n for d, n in PRESETS if d == "openai"))
def test_thinking_disabled_wins_over_an_effort(target: str) -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "messages": [],
        "thinking": {"type": "disabled"},
        "output_config": {"effort": "high"},
    }
    out = as_dict(to_openai.request(body, target=target))
    if target == "compatible":
        assert out["reasoning_effort"] == "high" and out["thinking"] == {"type": "disabled"}
        return
    assert out.get("reasoning_effort") in (None, "none")
    assert out.get("thinking", {"type": "disabled"})["type"] == "disabled"
    assert out.get("reasoning", {}).get("effort") is None
    assert out.get("chat_template_kwargs", {}).get("enable_thinking", False) is False
    if "reasoning_effort" in PRESETS[("openai", target)].thinking_switch and target != "deepseek":
        assert out["reasoning_effort"] == "none"


def test_an_assistant_tool_call_turn_keeps_its_string_content() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "content": "let me look",
                "tool_calls": [
                    {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": "ok"},
        ],
    }
    back = as_dict(to_openai.request(to_anthropic.request(body)))
    assert back["messages"][1]["content"] == "let me look"


# --- tool-call ids ----------------------------------------------------------------------

FOREIGN_IDS = ["functions.Bash:0", "call_3e9417b7925e49aca9a71dc1885e__thought__CiIBDDnWx+/a=="]


@given(st.text(max_size=40))
def test_ids_map_into_the_alphabet_and_back(ident: str) -> None:
    said = anthropic_id(ident)
    assert ANTHROPIC_ID.fullmatch(said)
    assert openai_id(said) == ident
    if ANTHROPIC_ID.fullmatch(ident) and not ident.startswith("esc-"):
        assert said == ident


@pytest.mark.parametrize("ident", FOREIGN_IDS)
def test_foreign_ids_reach_anthropic_in_its_alphabet_and_come_back(ident: str) -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": ident,
                        "type": "function",
                        "function": {"name": "Bash", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": ident, "content": "ok"},
        ],
    }
    for target in ("compatible", "anthropic"):
        losses: list[Loss] = []
        out = as_dict(to_anthropic.request(body, target=target, losses=losses))
        use, result = out["messages"][1]["content"][0], out["messages"][2]["content"][0]
        assert ANTHROPIC_ID.fullmatch(use["id"]) and result["tool_use_id"] == use["id"]
        assert losses == []
        back = as_dict(to_openai.request(out))
        assert back["messages"][1]["tool_calls"][0]["id"] == ident
        assert back["messages"][2]["tool_call_id"] == ident
    # an openai upstream's response to an anthropic client: the id it sees, and its way back
    completion = {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": ident,
                            "type": "function",
                            "function": {"name": "Bash", "arguments": "{}"},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
    }
    message = as_dict(to_anthropic.response(completion))
    said = message["content"][0]["id"]
    assert ANTHROPIC_ID.fullmatch(said)
    assert (
        as_dict(to_openai.response(message))["choices"][0]["message"]["tool_calls"][0]["id"]
        == ident
    )


# --- linear work ------------------------------------------------------------------------


def _systems(n: int) -> dict:
    """An openai request with n system and developer messages after the first turn."""
    messages = [{"role": "user", "content": "hi"}]
    for i in range(n):
        messages.append({"role": "system" if i % 2 else "developer", "content": f"rule {i}"})
    return {"model": "m", "messages": messages}


def _turns(n: int) -> dict:
    """An anthropic request of n turns, with tool calls and results."""
    messages: list[dict] = []
    for i in range(n // 2):
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"step {i}"},
                    {"type": "tool_use", "id": f"toolu_{i}", "name": "t", "input": {}},
                ],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": "ok"}],
            }
        )
    return {"model": "m", "max_tokens": 1, "system": "s", "messages": messages}


CASES = [
    (to_anthropic.request, _systems, "anthropic-2023-06-01"),
    (to_anthropic.request, _systems, "compatible"),
    (to_openai.request, _turns, "openai"),
    (to_openai.request, _turns, "compatible"),
]


def _seconds(fn, make, n: int, target: str) -> float:
    body = msgspec.json.encode(make(n))
    start = time.perf_counter()
    fn(body, target=target)
    return time.perf_counter() - start


@pytest.mark.parametrize(("fn", "make", "target"), CASES)
def test_request_work_is_linear_in_the_messages(fn, make, target: str) -> None:
    """100 k system messages joined into ``system`` (targets without system messages)
    once took quadratic time (a 3.6 MB request, 17 s); every request path is linear:
    ten times the messages take about ten times as long, not a hundred."""
    small = min(_seconds(fn, make, 10_000, target) for _ in range(3))
    large = min(_seconds(fn, make, 100_000, target) for _ in range(2))
    assert large < 5.0, f"{large:.2f} s for 100k messages"
    # quadratic work grows 100x; allocation and a shared CPU make linear work 10-30x
    assert large / small < 40, f"10k: {small:.3f} s, 100k: {large:.3f} s"
