"""The Responses dialect: structs, Responses <-> Chat and Responses <-> Messages (requests,
responses, errors), against the openai SDK's Responses types and the fixtures."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, NotRequired

import msgspec
import pytest
from openai.types import responses as sdk
from openai.types.responses import response_create_params as rcp
from openai.types.responses import response_reasoning_item_param as rrip

from translate import Loss, LossError, TranslationError, to_anthropic, to_openai, to_responses
from translate import responses as r
from translate.targets import PRESETS

from . import sdk_strict
from .canonical import responses_request

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "responses_api"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())
OPENAI_TARGETS = [n for d, n in PRESETS if d == "openai"]
ANTHROPIC_TARGETS = [n for d, n in PRESETS if d == "anthropic"]
REGEN = os.environ.get("TRANSLATE_REGEN") == "1"


def load(case: str, name: str) -> Any:
    return json.loads((ROOT / case / name).read_text())


def pin(case: str, name: str, value: Any) -> None:
    """Compare with the pinned expected output (TRANSLATE_REGEN=1 writes it)."""
    path = ROOT / case / name
    if REGEN or not path.exists():
        path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    assert value == json.loads(path.read_text())


def losses_of(ls: list[Loss]) -> list[list[str]]:
    return [[loss.path, loss.kind] for loss in ls]


# --- the SDK's Responses types as strict validators -------------------------------------------


class _Reasoning(rrip.ResponseReasoningItemParam, total=False):
    """Codex sends reasoning items without ``id`` (models.rs: skip_serializing) and the API
    takes them with ``store: false``; the SDK marks ``id`` required."""

    id: NotRequired[str]  # type: ignore[misc]


_INPUT = Any  # the SDK's input item union with the reasoning item above


def validate_responses_request(d: dict) -> None:
    """A Responses request as the SDK types it, with reasoning ids optional and
    ``client_metadata`` (Codex, newer than the SDK) allowed."""
    d = copy.deepcopy(d)
    for item in d.get("input") or () if isinstance(d.get("input"), list) else ():
        if item.get("type") == "reasoning":
            item.setdefault("id", "rs_placeholder")
        if item.get("type") == "custom_tool_call":  # Codex sends it (models.rs); the SDK lacks it
            item.pop("status", None)
        if item.get("type") == "message" and item.get("role") != "assistant":
            # Codex 0.171.0 sends ids on input messages (fixtures codex_0171_*), which the
            # API takes with store false; the SDK's input message param has no id.
            item.pop("id", None)
        if item.get("type") == "reasoning" and item.get("content") is None:
            item.pop("content", None)  # Codex 0.171.0 replays "content": null
        if item.get("role") == "assistant" and isinstance(item.get("content"), list):
            # Codex replays assistant messages as {role, content: [{type: output_text, text}]}
            # (models.rs ContentItem::OutputText), which the API takes; the SDK's param type
            # for them wants the id, status and annotations of an output message.
            item.setdefault("type", "message")
            item.setdefault("id", "msg_placeholder")
            item.setdefault("status", "completed")
            for part in item["content"]:
                if part.get("type") == "output_text":
                    part.setdefault("annotations", [])
    d.pop("client_metadata", None)
    sdk_strict.validate(rcp.ResponseCreateParams, d)


def validate_response(d: dict) -> None:
    sdk_strict.validate(sdk.Response, d)


def builtins(x: Any) -> Any:
    return msgspec.to_builtins(x)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("target", OPENAI_TARGETS)
def test_fixture_to_chat(case: str, target: str) -> None:
    body = load(case, "responses.json")
    validate_responses_request(body)
    losses: list[Loss] = []
    chat = builtins(to_openai.request(json.dumps(body).encode(), target=target, losses=losses))
    official = () if target == "openai" else sdk_strict.OPENAI_REQUEST_EXTENSIONS
    extra = {
        k: chat.pop(k)
        for k in ("include", "reasoning_summary", "namespaces", "client_metadata")
        if k in chat
    }
    sdk_strict.validate_openai_request(chat, extensions=official)
    chat.update(extra)
    pin(case, f"openai@{target}.json", {"request": chat, "losses": losses_of(losses)})
    # bytes, str, dict and struct in: the same answer
    assert builtins(to_openai.request(body, target=target)) == chat
    assert builtins(to_openai.request(json.dumps(body), target=target, source="responses")) == chat


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("target", ANTHROPIC_TARGETS)
def test_fixture_to_messages(case: str, target: str) -> None:
    body = load(case, "responses.json")
    losses: list[Loss] = []
    messages = builtins(to_anthropic.request(body, target=target, losses=losses))
    extra = {
        k: messages.pop(k)
        for k in (
            "include",
            "reasoning_summary",
            "namespaces",
            "client_metadata",
            "verbosity",
            "prompt_cache_key",
            "store",
        )
        if k in messages
    }
    # compatible carries a developer message's role and a reasoning item's id on its
    # thinking block (README, "What maps to what"): set aside for the SDK's check
    roles = {
        i: m.pop("openai_role") for i, m in enumerate(messages["messages"]) if "openai_role" in m
    }
    details = {
        (i, j): b.pop("openai_detail")
        for i, m in enumerate(messages["messages"])
        for j, b in enumerate(m["content"] if isinstance(m["content"], list) else ())
        if "openai_detail" in b
    }
    if target.startswith("anthropic-2023") or target in (
        "mimo-anthropic",
        "kimi-anthropic",
        "deepseek-anthropic",
    ):
        sdk_strict.validate_anthropic_request_2023(messages)
    else:
        sdk_strict.validate_anthropic_request(messages)
    for i, role in roles.items():
        messages["messages"][i]["openai_role"] = role
    for (i, j), detail in details.items():
        messages["messages"][i]["content"][j]["openai_detail"] = detail
    messages.update(extra)
    for loss in losses:  # paths name the caller's input, never the Chat hub's
        assert not loss.path.startswith("messages"), loss
        assert loss.path.partition(".")[0].partition("[")[0] in body, loss
    pin(case, f"anthropic@{target}.json", {"request": messages, "losses": losses_of(losses)})


@pytest.mark.parametrize("case", CASES)
def test_fixture_round_trip_through_compatible(case: str) -> None:
    body = load(case, "responses.json")
    losses: list[Loss] = []
    chat = to_openai.request(body, losses=losses)
    back = builtins(to_responses.request(chat, losses=losses))
    validate_responses_request(back)
    assert responses_request(back, losses) == responses_request(body, losses)


@pytest.mark.parametrize("case", CASES)
def test_fixture_round_trip_through_messages(case: str) -> None:
    body = load(case, "responses.json")
    losses: list[Loss] = []
    messages = to_anthropic.request(body, losses=losses)
    back = builtins(to_responses.request(messages, losses=losses))
    validate_responses_request(back)
    assert responses_request(back, losses, messages=True) == responses_request(
        body, losses, messages=True
    )
    # a reasoning item's id (Codex gives back the rs_ ids it got) rides on its thinking
    # block in compatible (openai_detail) and comes back (the real Codex 0.171.0 capture
    # once found it dropped silently); a target without the carrier says so in a Loss
    ids = [item.get("id") for item in body["input"] if item.get("type") == "reasoning"]
    assert ids
    assert [item.get("id") for item in back["input"] if item.get("type") == "reasoning"] == ids
    reasoning = [
        f"input[{i}]"
        for i, item in enumerate(body["input"])
        if item.get("type") == "reasoning" and item.get("id") is not None
    ]
    assert not {f"{path}.id" for path in reasoning} & {loss.path for loss in losses}
    dropped: list[Loss] = []
    to_anthropic.request(body, target="anthropic-2023-06-01", losses=dropped)
    for path in reasoning:  # its id, or the whole item
        assert {path, f"{path}.id"} & {loss.path for loss in dropped}, path


def _ns_request() -> dict[str, Any]:
    fn = {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}
    return {
        "model": "m",
        "input": "hi",
        "reasoning": {"summary": "auto"},
        "tools": [
            fn,
            {
                "type": "namespace",
                "name": "ns__",
                "description": "d",
                "tools": [fn, fn | {"name": "g"}],
            },
            {"type": "web_search"},
        ],
    }


@pytest.mark.parametrize("target", ANTHROPIC_TARGETS)
def test_messages_losses_name_the_callers_paths_once(target: str) -> None:
    # the composed translation renames the second step's losses only: a first-step loss
    # (the hosted tool at tools[2]) is the caller's path already; the hub's carrier fields
    # (reasoning_summary, namespaces) are named by the caller's fields they carry
    losses: list[Loss] = []
    to_anthropic.request(_ns_request(), target=target, losses=losses)
    paths = [loss.path for loss in losses]
    assert "tools[2]" in paths
    for path in paths:
        assert path in ("tools[1]", "tools[2]", "reasoning.summary"), path
    if target != "compatible":
        assert {"tools[1]", "reasoning.summary"} <= set(paths)


# --- reasoning ---------------------------------------------------------------------------------

ITEMS = [
    {"type": "reasoning", "summary": [{"type": "summary_text", "text": "plan"}]},
    {
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "s"}],
        "encrypted_content": "E",
    },
    {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "a"}, {"type": "summary_text", "text": "b"}],
        "encrypted_content": "E",
    },
    {"type": "reasoning", "summary": [], "encrypted_content": "E"},
    {
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "s"}],
        "content": [{"type": "reasoning_text", "text": "raw"}],
        "encrypted_content": "E",
    },
    {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "raw"}]},
]


@pytest.mark.parametrize("n", range(len(ITEMS)))
def test_reasoning_round_trip(n: int) -> None:
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    body = {
        "model": "m",
        "input": [{"role": "user", "content": "hi"}, ITEMS[n], ITEMS[-1 - n], call],
    }
    losses: list[Loss] = []
    back = builtins(to_responses.request(to_openai.request(body, losses=losses)))
    assert losses == []
    assert back["input"][1:] == body["input"][1:]


def test_claude_thinking_survives_codex() -> None:
    """Claude's signed thinking -> a reasoning item Codex stores and sends back (it drops raw
    content, keeps summary and encrypted_content) -> the same signed thinking block."""
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Let me look.", "signature": "SIG=="},
            {"type": "redacted_thinking", "data": "REDACTED=="},
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "shell_command",
                "input": {"command": "ls"},
            },
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    resp = builtins(to_responses.response(message))
    validate_response(resp)
    kinds = [item["type"] for item in resp["output"]]
    assert kinds == ["reasoning", "reasoning", "function_call"]
    replay = [
        {k: v for k, v in item.items() if k not in ("id", "status")} for item in resp["output"]
    ]
    request = {
        "model": "claude-sonnet-4-5",
        "input": [
            {"role": "user", "content": "ls"},
            *replay,
            {"type": "function_call_output", "call_id": "toolu_1", "output": "a.txt"},
        ],
    }
    losses: list[Loss] = []
    back = builtins(to_anthropic.request(request, target="anthropic", losses=losses))
    assert back["messages"][1]["content"][:2] == message["content"][:2]
    assert losses == []


# --- responses and errors ----------------------------------------------------------------------

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1760000000,
    "model": "deepseek-chat",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "Running the tests.",
                "reasoning_content": "The test fails; run it.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {
                            "name": "mcp__github__list_issues",
                            "arguments": '{"repo":"a/b"}',
                        },
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {
                            "name": "apply_patch",
                            "arguments": '{"input":"*** Begin Patch\\n*** End Patch\\n"}',
                        },
                    },
                ],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "total_tokens": 120,
        "prompt_tokens_details": {"cached_tokens": 64},
        "completion_tokens_details": {"reasoning_tokens": 8},
    },
}


def test_chat_completion_to_response_restores_tools() -> None:
    request = load("codex_turn", "responses.json")
    losses: list[Loss] = []
    resp = builtins(to_responses.response(COMPLETION, request=request, losses=losses))
    validate_response(resp)
    assert losses == []
    assert resp["model"] == request["model"]
    reasoning, message, ns_call, custom = resp["output"]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "The test fails; run it."}]
    assert message["content"][0]["text"] == "Running the tests."
    assert (ns_call["namespace"], ns_call["name"]) == ("mcp__github__", "list_issues")
    assert custom == {
        "type": "custom_tool_call",
        "call_id": "call_2",
        "name": "apply_patch",
        "input": "*** Begin Patch\n*** End Patch\n",
        "id": "fc_chatcmpl-1_1",
    }
    assert resp["usage"]["input_tokens_details"]["cached_tokens"] == 64
    assert resp["status"] == "completed"


def test_response_round_trip_through_chat() -> None:
    resp = to_responses.response(COMPLETION)
    chat = builtins(to_openai.response(msgspec.json.encode(resp)))
    sdk_strict.validate_chat_completion(chat)
    assert chat["choices"][0]["message"]["content"] == "Running the tests."
    assert chat["choices"][0]["message"]["reasoning_content"] == "The test fails; run it."
    assert chat["choices"][0]["finish_reason"] == "tool_calls"
    assert chat["usage"]["prompt_tokens"] == 100
    message = builtins(to_anthropic.response(resp))
    sdk_strict.validate_anthropic_message(message)
    assert [b["type"] for b in message["content"]] == ["thinking", "text", "tool_use", "tool_use"]


def test_length_is_incomplete() -> None:
    c = copy.deepcopy(COMPLETION)
    c["choices"][0]["finish_reason"] = "length"
    resp = builtins(to_responses.response(c))
    assert resp["status"] == "incomplete"
    assert resp["incomplete_details"] == {"reason": "max_output_tokens"}


def test_errors() -> None:
    status, body = to_responses.error(
        {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    )
    assert status == 429
    sdk_strict.validate_openai_error(builtins(body))
    status, body = to_anthropic.error(builtins(body), status)
    assert status == 429
    sdk_strict.validate_anthropic_error(builtins(body))


# --- losses, detection, bad input --------------------------------------------------------------


def test_state_is_a_loss() -> None:
    body = {
        "model": "m",
        "input": "hi",
        "previous_response_id": "resp_1",
        "store": True,
        "conversation": "conv_1",
    }
    losses: list[Loss] = []
    to_openai.request(body, losses=losses)
    assert {loss.path for loss in losses} == {"previous_response_id", "store", "conversation"}
    with pytest.raises(LossError):
        to_openai.request(body, strict=True)


def test_unknown_fields_and_values() -> None:
    body = {
        "model": "m",
        "input": "hi",
        "future_field": 1,
        "reasoning": {"effort": "ultra"},
        "text": {"verbosity": "terse"},
    }
    losses: list[Loss] = []
    chat = builtins(to_openai.request(body, losses=losses))
    assert chat["future_field"] == 1
    assert {loss.path for loss in losses} == {"reasoning.effort", "text.verbosity"}
    losses = []
    to_openai.request(body, target="openai", losses=losses)
    assert "future_field" in {loss.path for loss in losses}


def test_detection() -> None:
    schema = {"type": "object", "properties": {"messages": {"type": "array"}}}
    mentions = {
        "model": "m",
        "input": "hi",
        "tools": [{"type": "function", "name": "f", "parameters": schema}],
    }
    raw = json.dumps(mentions).encode()
    assert b'"messages"' in raw
    assert builtins(to_openai.request(raw))["tools"][0]["function"]["parameters"] == schema
    anthropic = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert builtins(to_openai.request(anthropic))["max_completion_tokens"] == 5


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"[]",
        b"{",
        b'{"input": 3}',
        b'{"model": "m", "input": [{"type": "nope"}]}',
        '{"model": "m", "input": [{"role": "robot", "content": "x"}]}',
    ],
)
def test_bad_input(bad: Any) -> None:
    with pytest.raises(TranslationError):
        to_openai.request(bad, source="responses")
    with pytest.raises(TranslationError):
        to_anthropic.request(bad, source="responses")


def test_struct_schemas_decode_sdk_shapes() -> None:
    event = {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "Hi",
        "sequence_number": 3,
        "logprobs": [],
    }
    assert isinstance(msgspec.convert(event, r.StreamEvent), r.OutputTextDeltaEvent)
    err = {
        "type": "error",
        "code": "server_error",
        "message": "boom",
        "param": None,
        "sequence_number": 1,
    }
    assert isinstance(msgspec.convert(err, r.StreamEvent), r.ErrorEvent)


@pytest.mark.parametrize(
    ("extra", "lost"),
    [
        ({"web_search_options": {}}, ["web_search_options"]),  # {} turns search on
        ({"logit_bias": {}, "functions": []}, []),  # empty: says nothing
        ({"n": 2, "seed": 7}, ["n", "seed"]),
    ],
)
def test_chat_fields_without_a_responses_twin(extra: dict[str, Any], lost: list[str]) -> None:
    losses: list[Loss] = []
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **extra}
    to_responses.request(body, losses=losses)
    assert [loss.path for loss in losses] == lost
