"""Request translation against the fixtures, the SDK types, and the loss ledger."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

import translate
from translate import Loss, LossError, TranslationError, to_anthropic, to_openai
from translate._tools import OMITTED, short_name

from . import sdk_strict

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def load(case: str, name: str) -> dict:
    return json.loads((ROOT / case / name).read_text())


def meta(case: str) -> dict:
    return load(case, "meta.json")


def as_dict(struct) -> dict:
    return msgspec.to_builtins(struct)


def paths(losses: list[Loss]) -> list[list[str]]:
    return [[loss.path, loss.kind] for loss in losses]


def translate_from(source: str):
    return to_openai.request if source == "anthropic" else to_anthropic.request


def other_side(source: str) -> str:
    return "openai" if source == "anthropic" else "anthropic"


# What only the compatible form says, beside the providers' extensions (README, "Targets").
COMPATIBLE_EXTENSIONS = sdk_strict.OPENAI_REQUEST_EXTENSIONS | {
    "$.messages[role=tool].is_error",
    "$.messages[role=tool].cache_control",
    "$.messages[*].tool_calls[*].cache_control",
    "$.messages[*].tool_calls[*].caller",
    "$.tools[*].cache_control",
    "$.tools[*].defer_loading",
    "$.tools[*].allowed_callers",
    "$.tools[*].eager_input_streaming",
    "$.tools[*].input_examples",
}
# Parts only the compatible form has: anthropic blocks carried as they are (README, "Targets").
COMPATIBLE_PARTS = {"assistant": {"compaction"}, "tool": {"tool_reference"}}


def validate(dialect: str, body: dict, target: str = "compatible") -> None:
    """Strict SDK validation: official targets get no extension, compatible its documented
    ones; images in compatible tool messages are checked as the user parts they are."""
    if dialect == "openai":
        if target == "openai":
            sdk_strict.validate_openai_request(body, extensions=None)
            return
        body = json.loads(json.dumps(body))
        for m in body["messages"]:
            carried = COMPATIBLE_PARTS.get(m["role"], set())
            if carried and isinstance(m.get("content"), list):
                m["content"] = [p for p in m["content"] if p["type"] not in carried]
            if m["role"] == "tool" and isinstance(m["content"], list):
                media = [p for p in m["content"] if p["type"] != "text"]
                if media:
                    sdk_strict.validate_openai_request(
                        {"model": "m", "messages": [{"role": "user", "content": media}]},
                        extensions=COMPATIBLE_EXTENSIONS,
                    )
                    m["content"] = [p for p in m["content"] if p["type"] == "text"]
        sdk_strict.validate_openai_request(body, extensions=COMPATIBLE_EXTENSIONS)
    elif target == "compatible" and _openai_carriers(body):
        body = json.loads(json.dumps(body))  # what compatible carries of openai (README)
        for m in body["messages"]:
            m.pop("openai_role", None)
            for b in m["content"] if isinstance(m["content"], list) else ():
                b.pop("openai_detail", None)
        validate(dialect, body, target)
    elif target == "anthropic" or not any(k in body for k in ("temperature", "top_p", "top_k")):
        if _beta(body):
            sdk_strict.validate_anthropic_beta_request(body)
        else:
            sdk_strict.validate_anthropic_request(body)
    elif _beta(body):
        sdk_strict.validate_anthropic_beta_request_2023(body)
    else:
        sdk_strict.validate_anthropic_request_2023(body)


def _openai_carriers(body: dict) -> bool:
    """Does the compatible anthropic request carry openai fields (``openai_role`` on a
    message, ``openai_detail`` on a thinking block)?"""
    return any(
        "openai_role" in m
        or any("openai_detail" in b for b in m["content"] if isinstance(m["content"], list))
        for m in body["messages"]
    )


def _beta(body: dict) -> bool:
    """Does the anthropic request hold beta content (a ``compaction`` block)?"""
    return any(
        isinstance(m["content"], list) and any(b["type"] == "compaction" for b in m["content"])
        for m in body["messages"]
    )


# --- fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_fixture_translates_to_its_pair(case: str) -> None:
    m = meta(case)
    src, dst = m["source"], other_side(m["source"])
    losses: list[Loss] = []
    out = translate_from(src)((ROOT / case / f"{src}.json").read_bytes(), losses=losses)
    assert as_dict(out) == load(case, f"{dst}.json")
    assert paths(losses) == m["losses"][f"to_{dst}"]


@pytest.mark.parametrize("case", CASES)
def test_fixture_pair_translates_back(case: str) -> None:
    """The way back gives the source itself, or the reviewed ``.roundtrip.json`` where the
    source used a spelling the canonical form identifies (developer role, max_tokens, ...)."""
    m = meta(case)
    src, dst = m["source"], other_side(m["source"])
    losses: list[Loss] = []
    back = translate_from(dst)((ROOT / case / f"{dst}.json").read_bytes(), losses=losses)
    expected = (
        f"{src}.roundtrip.json"
        if (ROOT / case / f"{src}.roundtrip.json").exists()
        else f"{src}.json"
    )
    assert as_dict(back) == load(case, expected)
    assert paths(losses) == m["losses"][f"to_{src}"]


TARGET_CASES = [
    (case, name.split("@")[1][: -len(".json")])
    for case in CASES
    for name in sorted(p.name for p in (ROOT / case).iterdir())
    if "@" in name
]


@pytest.mark.parametrize(("case", "target"), TARGET_CASES)
def test_fixture_for_each_target(case: str, target: str) -> None:
    m = meta(case)
    src, dst = m["source"], other_side(m["source"])
    losses: list[Loss] = []
    out = as_dict(translate_from(src)(load(case, f"{src}.json"), target=target, losses=losses))
    assert out == load(case, f"{dst}@{target}.json")
    assert paths(losses) == m["losses"][f"to_{dst}@{target}"]
    validate(dst, out, target)


@pytest.mark.parametrize("case", CASES)
def test_fixture_files_validate_against_the_sdk_types(case: str) -> None:
    """Top-level fields a real client sends ahead of the SDK (``beyond_the_sdk`` in
    meta.json: Claude Code's beta ``context_management``) are left out of the check."""
    beyond = meta(case).get("beyond_the_sdk", [])
    for path in sorted((ROOT / case).glob("*.json")):
        if path.name == "meta.json" or "@" in path.name:
            continue
        body = json.loads(path.read_text())
        validate(path.name.split(".")[0], {k: v for k, v in body.items() if k not in beyond})


def test_the_seed_is_in_the_fixtures() -> None:
    assert load("seed_mimo_chat", "openai.json")["messages"][1] == {
        "role": "user",
        "content": "please introduce yourself",
    }
    assert load("seed_mimo_messages", "anthropic.json")["system"][0]["cache_control"] == {
        "type": "ephemeral"
    }


def test_claude_code_turn_is_large_and_real() -> None:
    raw = (ROOT / "claude_code_agent" / "anthropic.json").read_bytes()
    body = json.loads(raw)
    assert 20_000 <= len(raw) <= 30_000
    assert len(body["tools"]) >= 20
    kinds = {
        b["type"] for m in body["messages"] if isinstance(m["content"], list) for b in m["content"]
    }
    assert {"thinking", "redacted_thinking", "tool_use", "tool_result", "text"} <= kinds


# --- tool names --------------------------------------------------------------------------


def test_long_tool_names_are_shortened_and_restorable() -> None:
    body = load("claude_code_agent", "anthropic.json")
    out = as_dict(to_openai.request(body))
    long_names = [t["name"] for t in body["tools"] if len(t["name"]) > 64]
    assert len(long_names) >= 2
    sent = [t["function"]["name"] for t in out["tools"]]
    assert all(len(n) <= 64 for n in sent)
    assert len(set(sent)) == len(sent)
    for name in long_names:
        assert short_name(name, 64) in sent
    # restoring from the original request gives the original back exactly
    restore = {short_name(n, 64): n for n in long_names}
    back = as_dict(to_anthropic.request(out))
    for t in back["tools"]:
        t["name"] = restore.get(t["name"], t["name"])
    for m in back["messages"]:
        for b in m["content"] if isinstance(m["content"], list) else ():
            if b["type"] == "tool_use":
                b["name"] = restore.get(b["name"], b["name"])
    assert back == body


def test_short_name_is_deterministic_and_distinct() -> None:
    a = "mcp__server__" + "x" * 80
    b = "mcp__server__" + "x" * 79 + "y"
    assert short_name(a, 64) == short_name(a, 64)
    assert short_name(a, 64) != short_name(b, 64)
    assert len(short_name(a, 64)) == 64
    assert short_name("Bash", 64) == "Bash"


# --- fields without a twin ---------------------------------------------------------------

MINIMAL_OPENAI = {
    "model": "m",
    "messages": [{"role": "user", "content": "hi"}],
    "max_completion_tokens": 10,
}
MINIMAL_ANTHROPIC = {
    "model": "m",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}

OPENAI_WITHOUT_TWIN = [
    ("n", 2, "dropped"),
    ("logprobs", True, "dropped"),
    ("top_logprobs", 3, "dropped"),
    ("logit_bias", {"50256": -100}, "dropped"),
    ("seed", 7, "dropped"),
    ("frequency_penalty", 0.5, "dropped"),
    ("presence_penalty", 0.2, "dropped"),
    ("modalities", ["text", "audio"], "dropped"),
    ("audio", {"format": "mp3", "voice": "alloy"}, "dropped"),
    ("prediction", {"type": "content", "content": "x"}, "dropped"),
    ("web_search_options", {"search_context_size": "low"}, "dropped"),
    ("web_search_options", {}, "dropped"),  # the empty object turns search on
    ("moderation", {}, "dropped"),  # likewise: moderated with the default model
    ("verbosity", "low", "dropped"),
    ("store", True, "dropped"),
    ("metadata", {"k": "v"}, "dropped"),
    ("safety_identifier", "s", "dropped"),
    ("prompt_cache_key", "k", "dropped"),
    ("prompt_cache_retention", "24h", "dropped"),
    ("service_tier", "flex", "dropped"),
    ("functions", [{"name": "f"}], "dropped"),
    ("reasoning_effort", "minimal", "approximated"),
]


@pytest.mark.parametrize(("field", "value", "kind"), OPENAI_WITHOUT_TWIN)
def test_openai_field_without_twin_is_a_loss(field: str, value, kind: str) -> None:
    body = {**MINIMAL_OPENAI, field: value}
    losses: list[Loss] = []
    to_anthropic.request(body, losses=losses)
    assert [[field, kind]] == [[l.path, l.kind] for l in losses if l.path.startswith(field)]
    with pytest.raises(LossError) as err:
        to_anthropic.request(body, strict=True)
    assert err.value.losses[0].path == field


ANTHROPIC_WITHOUT_TWIN = [
    ("cache_control", {"type": "ephemeral"}, "cache_control", "dropped"),
    ("container", "container_1", "container", "dropped"),
    ("inference_geo", "us", "inference_geo", "dropped"),
    ("speed", "fast", "speed", "dropped"),
    ("workspace_id", "w", "workspace_id", "dropped"),
    ("user_profile_id", "u", "user_profile_id", "dropped"),
    ("diagnostics", {"previous_message_id": "msg_1"}, "diagnostics", "dropped"),
    (
        "tools",
        [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}],
        "tools[0]",
        "dropped",
    ),
    (
        "messages",
        [
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "x",
                        "citations": [
                            {
                                "type": "char_location",
                                "cited_text": "x",
                                "document_index": 0,
                                "document_title": None,
                                "start_char_index": 0,
                                "end_char_index": 1,
                            }
                        ],
                    }
                ],
            }
        ],
        "messages[0].content[0].citations",
        "dropped",
    ),
    (
        "messages",
        [{"role": "user", "content": [{"type": "container_upload", "file_id": "f"}]}],
        "messages[0].content[0]",
        "dropped",
    ),
    (
        "messages",
        [
            {
                "role": "user",
                "content": [
                    {"type": "document", "source": {"type": "url", "url": "https://x/y.pdf"}}
                ],
            }
        ],
        "messages[0].content[0]",
        "dropped",
    ),
]


@pytest.mark.parametrize(("field", "value", "path", "kind"), ANTHROPIC_WITHOUT_TWIN)
def test_anthropic_field_without_twin_is_a_loss(field: str, value, path: str, kind: str) -> None:
    body = {**MINIMAL_ANTHROPIC, field: value}
    losses: list[Loss] = []
    to_openai.request(body, losses=losses)
    assert [[l.path, l.kind] for l in losses] == [[path, kind]]
    with pytest.raises(LossError) as err:
        to_openai.request(body, strict=True)
    assert [l.path for l in err.value.losses] == [path]


def test_official_anthropic_drops_sampling_and_unsigned_thinking() -> None:
    body = {
        **MINIMAL_OPENAI,
        "temperature": 0.5,
        "top_p": 0.9,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "a", "reasoning_content": "unsigned thoughts"},
            {"role": "user", "content": "more"},
        ],
    }
    losses: list[Loss] = []
    out = as_dict(to_anthropic.request(body, target="anthropic", losses=losses))
    assert "temperature" not in out and "top_p" not in out
    assert out["messages"][1] == {"role": "assistant", "content": "a"}
    assert paths(losses) == [
        ["messages[1].reasoning", "dropped"],
        ["temperature", "dropped"],
        ["top_p", "dropped"],
    ]
    sdk_strict.validate_anthropic_request(out)


def test_temperature_above_anthropic_range_is_coerced() -> None:
    losses: list[Loss] = []
    out = to_anthropic.request({**MINIMAL_OPENAI, "temperature": 1.7}, losses=losses)
    assert out.temperature == 1.0
    assert paths(losses) == [["temperature", "coerced"]]


def test_unknown_fields_are_carried_by_compatible_and_lost_elsewhere() -> None:
    body = {**MINIMAL_ANTHROPIC, "betas_future_field": {"a": 1}}
    out = as_dict(to_openai.request(body))
    assert out["betas_future_field"] == {"a": 1}
    losses: list[Loss] = []
    out = as_dict(to_openai.request(body, target="openai", losses=losses))
    assert "betas_future_field" not in out
    assert paths(losses) == [["betas_future_field", "dropped"]]
    nested = {**MINIMAL_ANTHROPIC, "messages": [{"role": "user", "content": "hi", "weight": 2}]}
    losses = []
    to_openai.request(nested, losses=losses)
    assert paths(losses) == [["messages[0].weight", "dropped"]]


def test_losses_list_is_only_appended_to() -> None:
    losses: list[Loss] = [Loss("earlier", "dropped", "kept")]
    to_anthropic.request({**MINIMAL_OPENAI, "seed": 1}, losses=losses)
    assert [l.path for l in losses] == ["earlier", "seed"]


# --- the mappings, both ways -------------------------------------------------------------


def test_tool_choice_table_both_ways() -> None:
    tools = [{"name": "t", "input_schema": {"type": "object"}}]
    cases = [
        ({"type": "auto"}, "auto", None),
        ({"type": "any"}, "required", None),
        ({"type": "none"}, "none", None),
        ({"type": "tool", "name": "t"}, {"type": "function", "function": {"name": "t"}}, None),
        ({"type": "any", "disable_parallel_tool_use": True}, "required", False),
        ({"type": "auto", "disable_parallel_tool_use": False}, "auto", True),
    ]
    for choice, expected, parallel in cases:
        body = {**MINIMAL_ANTHROPIC, "tools": tools, "tool_choice": choice}
        out = as_dict(to_openai.request(body))
        assert out["tool_choice"] == expected
        assert out.get("parallel_tool_calls") == parallel
        assert as_dict(to_anthropic.request(out))["tool_choice"] == choice


def test_parallel_tool_calls_needs_a_tool_that_may_be_called() -> None:
    """``parallel_tool_calls`` rides on an anthropic tool_choice. With tools, openai's
    default choice is ``auto``; without tools it is ``none``, and the flag means nothing
    (OpenAI rejects it there): a Loss, never an invented ``tool_choice: auto``."""
    tools = [{"type": "function", "function": {"name": "t"}}]
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.request(
            {**MINIMAL_OPENAI, "tools": tools, "parallel_tool_calls": False}, losses=losses
        )
    )
    assert out["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert losses == []
    for without in ({}, {"tools": []}):
        losses = []
        out = as_dict(
            to_anthropic.request(
                {**MINIMAL_OPENAI, **without, "parallel_tool_calls": False}, losses=losses
            )
        )
        assert "tool_choice" not in out
        assert paths(losses) == [["parallel_tool_calls", "dropped"]]
    losses = []
    out = as_dict(
        to_anthropic.request(
            {**MINIMAL_OPENAI, "tool_choice": "auto", "parallel_tool_calls": True}, losses=losses
        )
    )
    assert out["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": False}
    assert losses == []


@pytest.mark.parametrize(
    ("field", "empty"), [("logit_bias", {}), ("metadata", {}), ("functions", [])]
)
def test_an_empty_field_without_twin_says_nothing(field: str, empty: object) -> None:
    losses: list[Loss] = []
    out = as_dict(to_anthropic.request({**MINIMAL_OPENAI, field: empty}, losses=losses))
    assert losses == []
    assert out == as_dict(to_anthropic.request(MINIMAL_OPENAI))


def test_thinking_and_effort_both_ways() -> None:
    cases = [
        (
            {"thinking": {"type": "enabled", "budget_tokens": 8000}},
            {"thinking": {"type": "enabled", "budget_tokens": 8000}},
        ),
        (
            {"thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}},
            {"thinking": {"type": "adaptive"}, "reasoning_effort": "high"},
        ),
        ({"output_config": {"effort": "max"}}, {"reasoning_effort": "max"}),
        ({"thinking": {"type": "disabled"}}, {"reasoning_effort": "none"}),
        (
            {"thinking": {"type": "adaptive", "display": "omitted"}},
            {"thinking": {"type": "adaptive", "display": "omitted"}},
        ),
    ]
    for anthropic_fields, openai_fields in cases:
        out = as_dict(to_openai.request({**MINIMAL_ANTHROPIC, **anthropic_fields}))
        assert {k: out[k] for k in openai_fields} == openai_fields
        assert not {"thinking", "reasoning_effort"} - set(openai_fields) & set(out)
        back = as_dict(to_anthropic.request(out))
        assert {k: back[k] for k in anthropic_fields} == anthropic_fields


def test_provider_thinking_switches_are_read() -> None:
    def thinking(**fields):
        return as_dict(to_anthropic.request({**MINIMAL_OPENAI, **fields})).get("thinking")

    assert thinking(thinking={"type": "enabled", "budget_tokens": 2048}) == {
        "type": "enabled",
        "budget_tokens": 2048,
    }
    assert thinking(reasoning={"max_tokens": 3000}) == {"type": "enabled", "budget_tokens": 3000}
    assert thinking(reasoning={"enabled": False}) == {"type": "disabled"}
    assert thinking(chat_template_kwargs={"enable_thinking": False}) == {"type": "disabled"}
    assert thinking(chat_template_kwargs={"enable_thinking": True}) == {"type": "adaptive"}
    assert thinking(reasoning_effort="none") == {"type": "disabled"}
    losses: list[Loss] = []
    out = to_anthropic.request({**MINIMAL_OPENAI, "thinking": {"type": "enabled"}}, losses=losses)
    assert as_dict(out)["thinking"] == {"type": "enabled", "budget_tokens": 8192}
    assert paths(losses) == [["thinking", "coerced"]]


def test_tool_results_with_error_images_and_text_after() -> None:
    body = {
        **MINIMAL_ANTHROPIC,
        "messages": [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "a", "input": {"x": 1}},
                    {"type": "tool_use", "id": "toolu_2", "name": "b", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": "boom",
                        "is_error": True,
                    },
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_2",
                        "content": [
                            {"type": "text", "text": "shot"},
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "image/png",
                                    "data": "iVBORw0KGgo=",
                                },
                            },
                        ],
                    },
                    {"type": "text", "text": "and then?"},
                ],
            },
        ],
    }
    out = as_dict(to_openai.request(body))
    assert out["messages"] == [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "type": "function",
                    "id": "toolu_1",
                    "function": {"name": "a", "arguments": '{"x":1}'},
                },
                {"type": "function", "id": "toolu_2", "function": {"name": "b", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "content": "boom", "tool_call_id": "toolu_1", "is_error": True},
        {
            "role": "tool",
            "content": [
                {"type": "text", "text": "shot"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
            "tool_call_id": "toolu_2",
        },
        {"role": "user", "content": "and then?"},
    ]
    assert as_dict(to_anthropic.request(out)) == body
    # the official API: error as a prefix, the image after the results in a user message
    losses: list[Loss] = []
    official = as_dict(to_openai.request(body, target="openai", losses=losses))
    assert official["messages"][2:] == [
        {"role": "tool", "content": "Error: boom", "tool_call_id": "toolu_1"},
        {"role": "tool", "content": [{"type": "text", "text": "shot"}], "tool_call_id": "toolu_2"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "text", "text": "and then?"},
            ],
        },
    ]
    assert paths(losses) == [
        ["messages[2].content[0].is_error", "approximated"],
        ["messages[2].content[1].content[1]", "approximated"],
    ]
    sdk_strict.validate_openai_request(official, extensions=None)


def test_thinking_blocks_and_signatures_become_reasoning() -> None:
    body = {
        **MINIMAL_ANTHROPIC,
        "messages": [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "first", "signature": "EqQBCkYIBxgCKkD"},
                    {"type": "redacted_thinking", "data": "EmwKAhgBEgy3"},
                    {"type": "text", "text": "answer"},
                ],
            },
            {"role": "user", "content": "next"},
        ],
    }
    out = as_dict(to_openai.request(body))
    assert out["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "answer"}],
        "reasoning_content": "first",
        "reasoning_details": [
            {"type": "reasoning.text", "text": "first", "signature": "EqQBCkYIBxgCKkD"},
            {"type": "reasoning.encrypted", "data": "EmwKAhgBEgy3"},
        ],
    }
    assert as_dict(to_anthropic.request(out)) == body


def test_images_and_documents_both_ways() -> None:
    body = {
        **MINIMAL_OPENAI,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                    {
                        "type": "file",
                        "file": {
                            "file_data": "data:application/pdf;base64,JVBERi0x",
                            "filename": "r.pdf",
                        },
                    },
                ],
            }
        ],
    }
    out = as_dict(to_anthropic.request(body))
    assert out["messages"][0]["content"] == [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"},
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
            "title": "r.pdf",
        },
    ]
    assert as_dict(to_openai.request(out)) == body


def test_system_anywhere() -> None:
    body = {
        **MINIMAL_OPENAI,
        "messages": [
            {"role": "system", "content": "first"},
            {"role": "user", "content": "hi"},
            {"role": "developer", "content": "later rule"},
            {"role": "user", "content": "again"},
        ],
    }
    out = as_dict(to_anthropic.request(body))
    assert out["system"] == "first"
    assert out["messages"][1] == {
        "role": "system",
        "content": "later rule",
        "openai_role": "developer",
    }
    assert as_dict(to_openai.request(out)) == body
    losses: list[Loss] = []
    new = as_dict(to_anthropic.request(body, target="anthropic", losses=losses))
    assert new["messages"][1] == {"role": "system", "content": "later rule"}
    assert [(x.path, x.kind) for x in losses] == [("messages[2].role", "approximated")]
    assert "o-series" in losses[0].detail
    losses = []
    old = as_dict(to_anthropic.request(body, target="anthropic-2023-06-01", losses=losses))
    assert old["system"] == [
        {"type": "text", "text": "first"},
        {"type": "text", "text": "later rule"},
    ]
    assert [m["role"] for m in old["messages"]] == ["user", "user"]
    assert paths(losses) == [["messages[2].role", "approximated"], ["messages[2]", "approximated"]]


def test_a_first_developer_message_comes_back_as_developer() -> None:
    body = {
        **MINIMAL_OPENAI,
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "rules"}]},
            {"role": "user", "content": "hi"},
        ],
    }
    losses: list[Loss] = []
    out = as_dict(to_anthropic.request(body, losses=losses))
    assert "system" not in out and out["messages"][0]["openai_role"] == "developer"
    assert as_dict(to_openai.request(out, losses=losses)) == body and losses == []
    validate("anthropic", out)
    official = as_dict(to_anthropic.request(body, target="anthropic", losses=losses))
    assert official["system"] == [{"type": "text", "text": "rules"}]
    assert paths(losses) == [["messages[0].role", "approximated"]]


def test_arguments_that_are_not_an_object_travel_raw() -> None:
    body = {
        **MINIMAL_OPENAI,
        "messages": [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a": 1'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "r"},
        ],
    }
    losses: list[Loss] = []
    out = as_dict(to_anthropic.request(body, losses=losses))
    assert out["messages"][1]["content"] == [
        {"type": "tool_use", "id": "c1", "name": "f", "input": {"_raw_arguments": '{"a": 1'}}
    ]
    assert paths(losses) == [["messages[1].tool_calls[0].function.arguments", "approximated"]]
    assert (
        as_dict(to_openai.request(out))["messages"][1]["tool_calls"][0]["function"]["arguments"]
        == '{"a": 1'
    )


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "body", "path"),
    [
        (
            to_openai.request,
            {**MINIMAL_ANTHROPIC, "messages": [{"role": "robot", "content": "x"}]},
            "messages[0].role",
        ),
        (
            to_openai.request,
            {**MINIMAL_ANTHROPIC, "messages": [{"role": "user", "content": [{"type": "video"}]}]},
            "messages[0].content[0].type",
        ),
        (
            to_openai.request,
            {
                **MINIMAL_ANTHROPIC,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "image/bmp",
                                    "data": "x",
                                },
                            }
                        ],
                    }
                ],
            },
            "messages[0].content[0].source.media_type",
        ),
        (to_openai.request, {"model": "m", "messages": []}, ""),
        (
            to_anthropic.request,
            {**MINIMAL_OPENAI, "messages": [{"role": "narrator", "content": "x"}]},
            "messages[0].role",
        ),
        (
            to_anthropic.request,
            {**MINIMAL_OPENAI, "messages": [{"role": "user", "content": [{"type": "video_url"}]}]},
            "messages[0].content[0].type",
        ),
        (
            to_anthropic.request,
            {**MINIMAL_OPENAI, "max_completion_tokens": "ten"},
            "max_completion_tokens",
        ),
        (to_anthropic.request, b"{not json", ""),
        (to_anthropic.request, b"[1, 2]", ""),
        (to_anthropic.request, b"\xff\xfe", ""),
        (to_anthropic.request, "", ""),
    ],
)
def test_bad_input_names_the_path(fn, body, path: str) -> None:
    with pytest.raises(TranslationError) as err:
        fn(body)
    assert err.value.path == path
    assert str(err.value).startswith(f"{path or '$'}: ")


def test_unknown_target_is_an_error() -> None:
    with pytest.raises(TranslationError, match="unknown openai target"):
        to_openai.request(MINIMAL_ANTHROPIC, target="nope")
    with pytest.raises(TranslationError, match="speaks the anthropic dialect"):
        to_openai.request(
            MINIMAL_ANTHROPIC, target=translate.targets.PRESETS[("anthropic", "anthropic")]
        )


def test_body_forms_agree() -> None:
    import anthropic.types

    raw = (ROOT / "claude_code_agent" / "anthropic.json").read_bytes()
    expected = as_dict(to_openai.request(raw))
    assert as_dict(to_openai.request(raw.decode())) == expected
    assert as_dict(to_openai.request(json.loads(raw))) == expected
    struct = msgspec.json.decode(raw, type=translate.anthropic.MessagesRequest)
    assert as_dict(to_openai.request(struct)) == expected
    model = anthropic.types.Message.model_validate(
        {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "x",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    with pytest.raises(TranslationError):  # a pydantic object is read, and a Message is no request
        to_openai.request(model)


def test_a_data_url_that_is_not_base64_is_a_loss_not_a_crash() -> None:
    for url in (
        "data:image/png;base64,ïñvalid",
        "data:image/png;base64,@@@@",
        "data:image/png,rawtext",
        "data:",
    ):
        losses: list[Loss] = []
        body = {
            **MINIMAL_OPENAI,
            "messages": [
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
            ],
        }
        out = as_dict(to_anthropic.request(body, losses=losses))
        # anthropic rejects empty content: a placeholder says something was there
        assert out["messages"][0]["content"] == [{"type": "text", "text": OMITTED}]
        assert paths(losses) == [["messages[0].content[0].image_url.url", "dropped"]]
