"""Response translation: the fixtures, the SDK types, the loss ledger, ``request=``, and
properties over generated responses.

The round-trip properties compare with the canonical forms of ``canonical.py``
(``anthropic_message``, ``openai_completion``): each rule identifies two spellings the way
back cannot tell apart, as documented in the converters' docstrings. Nothing in them hides
a loss: the properties only compare round trips that reported none, and the generators
draw from the domain where translation must report none.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import anthropic.types as at
import msgspec
import openai.types.chat as oc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, LossError, TranslationError, to_anthropic, to_openai
from translate import anthropic as a
from translate import openai as o
from translate._tools import short_name

from . import canonical, sdk_strict
from .canonical import WRITTEN_STOP_REASONS
from .strategies import from_type
from .streams import accumulate_openai, anthropic_events

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "responses"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())

# The compatible form's choice-level extensions beside the reasoning carriers: vLLM's
# ``stop_reason`` (the matched stop string) and MiMo's / OpenRouter's ``native_finish_reason``.
RESPONSE_EXTENSIONS = sdk_strict.OPENAI_RESPONSE_EXTENSIONS | {
    "$.choices[*].stop_reason",
    "$.choices[*].native_finish_reason",
}


def load(case: str, name: str) -> Any:
    return json.loads((ROOT / case / name).read_text())


def meta(case: str) -> dict:
    return load(case, "meta.json")


def as_dict(struct: Any) -> Any:
    return msgspec.to_builtins(struct)


def paths(losses: list[Loss]) -> list[list[str]]:
    return [[loss.path, loss.kind] for loss in losses]


def validate(dialect: str, body: dict) -> None:
    if dialect == "openai":
        sdk_strict.validate_chat_completion(body, extensions=RESPONSE_EXTENSIONS)
    else:
        sdk_strict.validate_anthropic_message(body)


def translate(dialect_to: str, body: Any, **kw: Any) -> Any:
    """``to_<dialect_to>.response``; ``created`` only goes to ``to_openai``."""
    if dialect_to == "openai":
        return to_openai.response(body, **kw)
    kw.pop("created", None)
    return to_anthropic.response(body, **kw)


def other(dialect: str) -> str:
    return "openai" if dialect == "anthropic" else "anthropic"


# --- fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_fixture_translates_to_its_pair(case: str) -> None:
    m = meta(case)
    src, dst = m["source"], other(m["source"])
    request = load(case, "request.json") if (ROOT / case / "request.json").exists() else None
    losses: list[Loss] = []
    out = as_dict(
        translate(
            dst,
            (ROOT / case / f"{src}.json").read_bytes(),
            request=request,
            created=m.get("created"),
            losses=losses,
        )
    )
    assert out == load(case, f"{dst}.json")
    assert paths(losses) == m["losses"][f"to_{dst}"]
    validate(dst, out)


@pytest.mark.parametrize("case", [c for c in CASES if meta(c).get("back", True)])
def test_fixture_pair_translates_back(case: str) -> None:
    """The way back gives the source, or the reviewed ``.roundtrip.json`` where the source
    used a spelling the canonical form identifies (or lost something on the way there)."""
    m = meta(case)
    src, dst = m["source"], other(m["source"])
    losses: list[Loss] = []
    back = as_dict(
        translate(src, load(case, f"{dst}.json"), created=m.get("created"), losses=losses)
    )
    expected = (
        f"{src}.roundtrip.json"
        if (ROOT / case / f"{src}.roundtrip.json").exists()
        else f"{src}.json"
    )
    assert back == load(case, expected)
    assert paths(losses) == m["losses"][f"to_{src}"]
    validate(src, back)


@pytest.mark.parametrize("case", CASES)
def test_fixture_strict_raises_exactly_when_something_is_lost(case: str) -> None:
    m = meta(case)
    src, dst = m["source"], other(m["source"])
    request = load(case, "request.json") if (ROOT / case / "request.json").exists() else None
    body = load(case, f"{src}.json")
    if m["losses"][f"to_{dst}"]:
        with pytest.raises(LossError) as info:
            translate(dst, body, request=request, strict=True)
        assert paths(info.value.losses) == m["losses"][f"to_{dst}"]
    else:
        translate(dst, body, request=request, strict=True)


@pytest.mark.parametrize("case", CASES)
def test_fixture_inputs_are_what_the_sdks_parse(case: str) -> None:
    """Every fixture payload is a response the official SDK models accept (the inputs
    carry provider extensions, so this is the SDK's own lenient parse, not strictness)."""
    for dialect, model in (("anthropic", at.Message), ("openai", oc.ChatCompletion)):
        for path in sorted((ROOT / case).glob(f"{dialect}*.json")):
            model.model_validate_json(path.read_bytes())


def test_the_seed_responses_are_in_the_fixtures() -> None:
    chat = load("seed_mimo_chat", "openai.json")
    assert chat["choices"][0]["native_finish_reason"] == "stop"
    assert chat["usage"]["completion_tokens_details"]["reasoning_tokens"] == 99
    messages = load("seed_mimo_messages", "anthropic.json")
    assert [b["type"] for b in messages["content"]] == ["text", "thinking"]
    back = load("seed_mimo_messages", "anthropic.roundtrip.json")
    assert [b["type"] for b in back["content"]] == ["thinking", "text"]
    assert back["content"][0]["signature"] == ""


def test_sdk_objects_are_accepted_as_bodies() -> None:
    message = at.Message.model_validate(load("anthropic_signed_thinking", "anthropic.json"))
    assert as_dict(to_openai.response(message)) == load("anthropic_signed_thinking", "openai.json")
    completion = oc.ChatCompletion.model_validate(load("openai_refusal", "openai.json"))
    assert as_dict(to_anthropic.response(completion)) == load("openai_refusal", "anthropic.json")


# --- content -----------------------------------------------------------------------------

MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "Hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1764230000,
    "model": "gpt-4.1",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def message(**changes: Any) -> dict:
    d = copy.deepcopy(MESSAGE)
    d.update(changes)
    return d


def completion(message: dict | None = None, usage: Any = ..., **choice: Any) -> dict:
    d = copy.deepcopy(COMPLETION)
    if message is not None:
        d["choices"][0]["message"] = {"role": "assistant", **message}
    d["choices"][0].update(choice)
    if usage is not ...:
        d["usage"] = usage
    return d


def test_thinking_after_text_comes_first_without_loss() -> None:
    body = message(
        content=[
            {"type": "text", "text": "A"},
            {"type": "thinking", "thinking": "t1", "signature": ""},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
            {"type": "thinking", "thinking": "t2", "signature": "sig"},
        ],
        stop_reason="tool_use",
    )
    losses: list[Loss] = []
    out = as_dict(to_openai.response(body, losses=losses))
    assert losses == []
    msg = out["choices"][0]["message"]
    assert msg["reasoning_content"] == "t1\n\nt2"
    assert msg["reasoning_details"] == [
        {"type": "reasoning.text", "text": "t1", "signature": ""},
        {"type": "reasoning.text", "text": "t2", "signature": "sig"},
    ]
    back = as_dict(to_anthropic.response(out))
    assert [b["type"] for b in back["content"]] == ["thinking", "thinking", "text", "tool_use"]


def test_text_after_a_tool_call_is_a_loss() -> None:
    body = message(
        content=[
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
            {"type": "text", "text": "done"},
        ],
        stop_reason="tool_use",
    )
    losses: list[Loss] = []
    out = as_dict(to_openai.response(body, losses=losses))
    assert paths(losses) == [["content[1]", "approximated"]]
    assert out["choices"][0]["message"]["content"] == "done"


def test_every_reasoning_carrier_reads_as_thinking() -> None:
    for field in ("reasoning_content", "reasoning"):
        out = as_dict(to_anthropic.response(completion({"content": "x", field: "why"})))
        assert out["content"] == [
            {"type": "thinking", "thinking": "why", "signature": ""},
            {"type": "text", "text": "x"},
        ]
    details = [
        {
            "type": "reasoning.text",
            "text": "a",
            "signature": "s1",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {"type": "reasoning.encrypted", "data": "ENC", "format": "anthropic-claude-v1", "index": 1},
        {"type": "reasoning.text", "text": "b", "index": 2},
    ]
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.response(
            completion({"content": None, "reasoning": "a\n\nb", "reasoning_details": details}),
            losses=losses,
        )
    )
    assert losses == []
    assert out["content"] == [
        {"type": "thinking", "thinking": "a", "signature": "s1"},
        {"type": "redacted_thinking", "data": "ENC"},
        {"type": "thinking", "thinking": "b", "signature": ""},
    ]


def test_reasoning_carriers_that_disagree_are_a_loss() -> None:
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.response(
            completion({"content": "x", "reasoning_content": "one", "reasoning": "two"}),
            losses=losses,
        )
    )
    assert out["content"][0] == {"type": "thinking", "thinking": "one", "signature": ""}
    assert paths(losses) == [["choices[0].message.reasoning", "dropped"]]
    losses = []
    details = [
        {
            "type": "reasoning.summary",
            "summary": "short",
            "format": "openai-responses-v1",
            "id": "rs_1",
        }
    ]
    to_anthropic.response(
        completion({"content": "x", "reasoning_content": "long", "reasoning_details": details}),
        losses=losses,
    )
    assert paths(losses) == [
        ["choices[0].message.reasoning_details[0]", "approximated"],
        ["choices[0].message.reasoning_details[0].format", "approximated"],
        ["choices[0].message.reasoning_details[0].id", "dropped"],
        ["choices[0].message.reasoning_content", "dropped"],
    ]


def test_empty_content_is_no_text_block() -> None:
    out = as_dict(to_anthropic.response(completion({"content": ""})))
    assert out["content"] == []
    out = as_dict(to_openai.response(message(content=[])))
    assert out["choices"][0]["message"] == {"role": "assistant", "content": None}


def test_broken_arguments_travel_raw_and_come_back_as_they_were() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1,'}}
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.response(
            completion({"content": None, "tool_calls": [call]}, finish_reason="tool_calls"),
            losses=losses,
        )
    )
    assert out["content"] == [
        {"type": "tool_use", "id": "call_1", "name": "f", "input": {"_raw_arguments": '{"a": 1,'}}
    ]
    assert paths(losses) == [
        ["choices[0].message.tool_calls[0].function.arguments", "approximated"]
    ]
    back = as_dict(to_openai.response(out))
    assert back["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == '{"a": 1,'


def test_a_real_lone_raw_arguments_parameter_is_told_apart() -> None:
    # a parameter named _raw_arguments holding a JSON object is a real parameter
    body = message(
        content=[{"type": "tool_use", "id": "t", "name": "f", "input": {"_raw_arguments": "{}"}}],
        stop_reason="tool_use",
    )
    out = as_dict(to_openai.response(body))
    assert (
        out["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        == '{"_raw_arguments":"{}"}'
    )
    # holding anything else, it is ambiguous with the convention: a Loss on the way in
    call = {
        "id": "c",
        "type": "function",
        "function": {"name": "f", "arguments": '{"_raw_arguments": "x"}'},
    }
    losses: list[Loss] = []
    to_anthropic.response(
        completion({"content": None, "tool_calls": [call]}, finish_reason="tool_calls"),
        losses=losses,
    )
    assert paths(losses) == [
        ["choices[0].message.tool_calls[0].function.arguments", "approximated"]
    ]


def test_blank_arguments_are_no_arguments() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "  "}}
    out = as_dict(
        to_anthropic.response(
            completion({"content": None, "tool_calls": [call]}, finish_reason="tool_calls")
        )
    )
    assert out["content"][0]["input"] == {}


def test_legacy_function_call_becomes_a_tool_use_with_a_derived_id() -> None:
    losses: list[Loss] = []
    body = completion(
        {"content": None, "function_call": {"name": "f", "arguments": "{}"}},
        finish_reason="function_call",
    )
    out = as_dict(to_anthropic.response(body, losses=losses))
    assert out["content"] == [
        {"type": "tool_use", "id": "chatcmpl-1-function_call", "name": "f", "input": {}}
    ]
    assert out["stop_reason"] == "tool_use"
    assert paths(losses) == [
        ["choices[0].message.function_call", "approximated"],
        ["choices[0].finish_reason", "approximated"],
    ]


def test_annotations_split_the_text_and_come_back() -> None:
    content = "See [a](https://a.example) and [b](https://b.example)."
    anns = [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://a.example",
                "title": "A",
                "start_index": 4,
                "end_index": 26,
            },
        },
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://a2.example",
                "title": "A2",
                "start_index": 4,
                "end_index": 26,
            },
        },
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://b.example",
                "title": "B",
                "start_index": 31,
                "end_index": 53,
            },
        },
    ]
    out = as_dict(to_anthropic.response(completion({"content": content, "annotations": anns})))
    assert [b["text"] for b in out["content"]] == [
        "See ",
        "[a](https://a.example)",
        " and ",
        "[b](https://b.example)",
        ".",
    ]
    assert [c["url"] for c in out["content"][1]["citations"]] == [
        "https://a.example",
        "https://a2.example",
    ]
    assert out["content"][1]["citations"][0] == {
        "type": "web_search_result_location",
        "cited_text": "[a](https://a.example)",
        "url": "https://a.example",
        "title": "A",
        "encrypted_index": "",
    }
    back = as_dict(to_openai.response(out, created=1764230000))
    assert back["choices"][0]["message"] == {
        "role": "assistant",
        "content": content,
        "annotations": anns,
    }


def test_annotations_that_do_not_fit_are_a_loss() -> None:
    anns = [
        {
            "type": "url_citation",
            "url_citation": {"url": "u1", "title": "", "start_index": 0, "end_index": 4},
        },
        {
            "type": "url_citation",
            "url_citation": {"url": "u2", "title": "", "start_index": 2, "end_index": 5},
        },
        {
            "type": "url_citation",
            "url_citation": {"url": "u3", "title": "", "start_index": 3, "end_index": 99},
        },
    ]
    losses: list[Loss] = []
    out = as_dict(
        to_anthropic.response(completion({"content": "abcdef", "annotations": anns}), losses=losses)
    )
    assert [b["text"] for b in out["content"]] == ["abcd", "ef"]
    assert paths(losses) == [
        ["choices[0].message.annotations[1]", "dropped"],
        ["choices[0].message.annotations[2]", "dropped"],
    ]


def test_citations_without_a_url_are_a_loss() -> None:
    citation = {
        "type": "char_location",
        "cited_text": "x",
        "document_index": 0,
        "document_title": None,
        "start_char_index": 0,
        "end_char_index": 1,
    }
    losses: list[Loss] = []
    out = as_dict(
        to_openai.response(
            message(content=[{"type": "text", "text": "x", "citations": [citation]}]), losses=losses
        )
    )
    assert "annotations" not in out["choices"][0]["message"]
    assert paths(losses) == [["content[0].citations[0]", "dropped"]]


def test_server_blocks_and_fields_without_a_twin_are_losses() -> None:
    body = message(
        content=[{"type": "container_upload", "file_id": "file_1"}],
        container={"id": "c", "expires_at": "2026-11-27T00:00:00Z"},
        usage={
            "input_tokens": 1,
            "output_tokens": 1,
            "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 2},
            "inference_geo": "us",
            "speed": "fast",
            "service_tier": "batch",
        },
    )
    losses: list[Loss] = []
    to_openai.response(body, losses=losses)
    assert paths(losses) == [
        ["content[0]", "dropped"],
        ["usage.server_tool_use", "dropped"],
        ["usage.service_tier", "dropped"],
        ["usage.inference_geo", "dropped"],
        ["usage.speed", "dropped"],
        ["container", "dropped"],
    ]


def test_unknown_fields_are_reported_not_carried() -> None:
    """A response goes to a client of the other dialect: an unknown field, top-level or
    nested, is a Loss (requests, by contrast, carry unknown top-level fields)."""
    body = completion()
    body["provider"] = "Together"
    body["usage"]["cost"] = 0.0012
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(body, losses=losses))
    assert "provider" not in out
    assert paths(losses) == [["usage.cost", "dropped"], ["provider", "dropped"]]
    validate("anthropic", out)


def test_n_greater_than_one_keeps_the_first_choice() -> None:
    body = completion()
    body["choices"].append(
        {"index": 1, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}
    )
    body["choices"].append(
        {"index": 2, "message": {"role": "assistant", "content": "Hey"}, "finish_reason": "length"}
    )
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(body, losses=losses))
    assert out["content"] == [{"type": "text", "text": "Hi"}]
    assert paths(losses) == [["choices[1]", "dropped"], ["choices[2]", "dropped"]]
    with pytest.raises(LossError):
        to_anthropic.response(body, strict=True)


def test_no_choice_and_no_usage() -> None:
    body = completion(usage=None)
    body["choices"] = []
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(body, losses=losses))
    assert out["content"] == [] and out["stop_reason"] == "end_turn"
    assert out["usage"] == {"input_tokens": 0, "output_tokens": 0}
    assert paths(losses) == [["choices", "dropped"], ["usage", "approximated"]]
    validate("anthropic", out)


def test_bad_bodies_raise_translation_errors_naming_the_path() -> None:
    with pytest.raises(TranslationError) as info:
        to_anthropic.response(completion({"content": 5}))
    assert info.value.path == "choices[0].message.content"
    with pytest.raises(TranslationError):
        to_openai.response(b"{not json")
    with pytest.raises(TranslationError) as info:
        to_openai.response(message(content=[{"type": "hologram"}]))
    assert info.value.path.startswith("content[0]")
    with pytest.raises(TranslationError) as info:
        to_anthropic.response(
            completion(), request={"model": "m", "max_tokens": "many", "messages": []}
        )
    assert info.value.path == "request.max_tokens"


# --- refusals ----------------------------------------------------------------------------


def test_openai_refusal_round_trips_through_stop_details() -> None:
    body = completion({"content": None, "refusal": "No."})
    out = as_dict(to_anthropic.response(body))
    assert out["content"] == [{"type": "text", "text": "No."}]
    assert out["stop_reason"] == "refusal"
    assert out["stop_details"] == {"type": "refusal", "category": None, "explanation": "No."}
    back = as_dict(to_openai.response(out, created=body["created"]))
    assert back["choices"][0] == {
        "index": 0,
        "message": {"role": "assistant", "content": None, "refusal": "No."},
        "finish_reason": "stop",
    }


def test_content_filter_is_refusal_both_ways() -> None:
    out = as_dict(
        to_anthropic.response(
            completion(
                {"content": "partial", "refusal": "Filtered."}, finish_reason="content_filter"
            )
        )
    )
    assert out["content"] == [{"type": "text", "text": "partial"}]
    assert out["stop_reason"] == "refusal"
    back = as_dict(to_openai.response(out, created=COMPLETION["created"]))
    assert back["choices"][0]["message"] == {
        "role": "assistant",
        "content": "partial",
        "refusal": "Filtered.",
    }
    assert back["choices"][0]["finish_reason"] == "content_filter"


# --- stop reasons ------------------------------------------------------------------------


def finish_of(body: dict, **kw: Any) -> tuple[str, Any, list[list[str]]]:
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(body, losses=losses, **kw))
    return out["stop_reason"], out["stop_sequence"], paths(losses)


@pytest.mark.parametrize(("anthropic_reason", "openai_reason", "exact"), WRITTEN_STOP_REASONS)
def test_every_stop_reason_maps_by_the_table_and_comes_back(
    anthropic_reason: str, openai_reason: str, exact: bool
) -> None:
    body = message(
        stop_reason=anthropic_reason,
        stop_sequence="END" if anthropic_reason == "stop_sequence" else None,
    )
    if anthropic_reason == "tool_use":
        body["content"].append({"type": "tool_use", "id": "t", "name": "f", "input": {}})
    losses: list[Loss] = []
    out = as_dict(to_openai.response(body, losses=losses))
    choice = out["choices"][0]
    assert choice["finish_reason"] == openai_reason
    assert (choice.get("native_finish_reason") == anthropic_reason) == (not exact)
    assert losses == []
    validate("openai", out)
    back = as_dict(to_anthropic.response(out))
    assert (back["stop_reason"], back["stop_sequence"]) == (anthropic_reason, body["stop_sequence"])


def test_stop_after_tool_calls_is_tool_use() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    assert finish_of(completion({"content": None, "tool_calls": [call]}, finish_reason="stop")) == (
        "tool_use",
        None,
        [],
    )


def test_tool_calls_without_a_call_is_end_turn_and_a_loss() -> None:
    assert finish_of(completion(finish_reason="tool_calls")) == (
        "end_turn",
        None,
        [["choices[0].finish_reason", "approximated"]],
    )


def test_tool_use_without_a_call_is_stop_and_a_loss_on_the_way_to_openai() -> None:
    """Found by the leaf-field sweep: it went out as tool_calls with no call, silently, and
    read back as end_turn."""
    for chunks in (False, True):
        losses: list[Loss] = []
        body = message(stop_reason="tool_use")
        if chunks:
            chunks_out = to_openai.stream(anthropic_events(body), losses=losses)
            out = accumulate_openai(msgspec.to_builtins(c) for c in chunks_out)
        else:
            out = as_dict(to_openai.response(body, losses=losses))
        assert out["choices"][0]["finish_reason"] == "stop"
        assert [[x.path, x.kind] for x in losses] == [["stop_reason", "approximated"]]


def test_unknown_and_missing_finish_reasons_are_losses() -> None:
    assert finish_of(completion(finish_reason="insufficient_system_resource")) == (
        "end_turn",
        None,
        [["choices[0].finish_reason", "approximated"]],
    )
    assert finish_of(completion(finish_reason=None)) == (
        "end_turn",
        None,
        [["choices[0].finish_reason", "approximated"]],
    )


def test_native_finish_reasons() -> None:
    # MiMo says the same as finish_reason: nothing more to say
    assert finish_of(completion(native_finish_reason="stop")) == ("end_turn", None, [])
    # OpenRouter passing on Anthropic's own reason
    assert finish_of(completion(finish_reason="stop", native_finish_reason="pause_turn")) == (
        "pause_turn",
        None,
        [],
    )
    # a provider's own word beside a different finish reason is a loss
    assert finish_of(completion(finish_reason="length", native_finish_reason="MAX_TOKENS")) == (
        "max_tokens",
        None,
        [["choices[0].native_finish_reason", "dropped"]],
    )


def test_vllm_stop_reason() -> None:
    assert finish_of(completion(stop_reason="</s>")) == ("stop_sequence", "</s>", [])
    assert finish_of(completion(stop_reason=151645)) == (
        "end_turn",
        None,
        [],
    )  # a stop token: the turn's end
    assert finish_of(completion(stop_reason=None)) == ("end_turn", None, [])


def test_stop_sequence_recognised_from_the_request() -> None:
    body = completion(native_finish_reason="stop_sequence")
    one = {
        "model": "m",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "x"}],
        "stop_sequences": ["###"],
    }
    two = dict(one, stop_sequences=["###", "END"])
    assert finish_of(body, request=one) == ("stop_sequence", "###", [])
    assert finish_of(body, request=json.dumps(two).encode()) == (
        "stop_sequence",
        None,
        [["choices[0].native_finish_reason", "approximated"]],
    )
    assert finish_of(body) == (
        "stop_sequence",
        None,
        [["choices[0].native_finish_reason", "approximated"]],
    )
    # a plain stop says nothing of a sequence, whatever the request asked for
    assert finish_of(completion(), request=one) == ("end_turn", None, [])


# --- usage -------------------------------------------------------------------------------


def test_usage_arithmetic_with_cache_reads_and_writes() -> None:
    body = message(
        usage={
            "input_tokens": 10,
            "output_tokens": 7,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 20,
            "cache_creation": {"ephemeral_5m_input_tokens": 20, "ephemeral_1h_input_tokens": 0},
            "output_tokens_details": {"thinking_tokens": 5},
        }
    )
    usage = as_dict(to_openai.response(body))["usage"]
    assert usage == {
        "prompt_tokens": 130,
        "completion_tokens": 7,
        "total_tokens": 137,
        "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 20},
        "completion_tokens_details": {"reasoning_tokens": 5},
    }
    back = as_dict(to_anthropic.response(to_openai.response(body)))
    assert back["usage"] == body["usage"]


def test_deepseek_and_kimi_cache_reads() -> None:
    deepseek = {
        "prompt_tokens": 100,
        "completion_tokens": 5,
        "total_tokens": 105,
        "prompt_cache_hit_tokens": 64,
        "prompt_cache_miss_tokens": 36,
    }
    assert as_dict(to_anthropic.response(completion(usage=deepseek)))["usage"] == {
        "input_tokens": 36,
        "output_tokens": 5,
        "cache_read_input_tokens": 64,
    }
    kimi = {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105, "cached_tokens": 80}
    assert as_dict(to_anthropic.response(completion(usage=kimi)))["usage"] == {
        "input_tokens": 20,
        "output_tokens": 5,
        "cache_read_input_tokens": 80,
    }


def test_usage_that_does_not_add_up_is_a_loss() -> None:
    losses: list[Loss] = []
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 99,
        "prompt_tokens_details": {"cached_tokens": 30},
        "prompt_cache_hit_tokens": 20,
    }
    out = as_dict(to_anthropic.response(completion(usage=usage), losses=losses))
    assert out["usage"] == {"input_tokens": 0, "output_tokens": 5, "cache_read_input_tokens": 30}
    assert paths(losses) == [
        ["usage.prompt_cache_hit_tokens", "dropped"],
        ["usage.prompt_tokens", "approximated"],
        ["usage.total_tokens", "approximated"],
    ]


def test_counts_without_a_twin_are_losses_unless_zero() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 15,
        "prompt_tokens_details": {"audio_tokens": 0, "image_tokens": 4},
        "completion_tokens_details": {
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 3,
        },
    }
    losses: list[Loss] = []
    to_anthropic.response(completion(usage=usage), losses=losses)
    assert paths(losses) == [
        ["usage.prompt_tokens_details.image_tokens", "dropped"],
        ["usage.completion_tokens_details.rejected_prediction_tokens", "dropped"],
    ]


# --- request= ----------------------------------------------------------------------------


def test_request_echoes_the_model_the_client_asked_for() -> None:
    req = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
    assert as_dict(to_openai.response(message(), request=req))["model"] == "gpt-4o"
    areq = {
        "model": "claude-opus-4-1",
        "max_tokens": 9,
        "messages": [{"role": "user", "content": "x"}],
    }
    assert as_dict(to_anthropic.response(completion(), request=areq))["model"] == "claude-opus-4-1"
    # optional: without it the upstream's model stays
    assert as_dict(to_anthropic.response(completion()))["model"] == "gpt-4.1"


def test_request_restores_shortened_tool_names_from_history_and_tool_choice() -> None:
    long_a, long_b = "mcp__" + "a" * 90, "mcp__" + "b" * 70
    req = {
        "model": "m",
        "max_tokens": 9,
        "tools": [{"name": "Bash", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": long_b},
        "messages": [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t0", "name": long_a, "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "t0", "content": "ok"}],
            },
        ],
    }
    sent = as_dict(to_openai.request(req))
    assert sent["tool_choice"]["function"]["name"] == short_name(long_b, 64)
    calls = [
        {
            "id": f"c{i}",
            "type": "function",
            "function": {"name": short_name(n, 64), "arguments": "{}"},
        }
        for i, n in enumerate((long_a, long_b, "Bash"))
    ]
    out = as_dict(
        to_anthropic.response(
            completion({"content": None, "tool_calls": calls}, finish_reason="tool_calls"),
            request=req,
        )
    )
    assert [b["name"] for b in out["content"]] == [long_a, long_b, "Bash"]
    # without the request the names stay as sent
    out = as_dict(
        to_anthropic.response(
            completion({"content": None, "tool_calls": calls}, finish_reason="tool_calls")
        )
    )
    assert [b["name"] for b in out["content"]] == [
        short_name(long_a, 64),
        short_name(long_b, 64),
        "Bash",
    ]


def test_created_is_the_callers_or_zero() -> None:
    assert as_dict(to_openai.response(message()))["created"] == 0
    assert as_dict(to_openai.response(message(), created=1764230000))["created"] == 1764230000


# --- properties: the lossless domain -----------------------------------------------------

text = st.text(max_size=12)
nonempty = st.text(min_size=1, max_size=12)
ident = st.text("abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=24)
count = st.integers(0, 10**6)
json_scalar = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | text
json_value = st.recursive(
    json_scalar | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ident, inner, max_size=3),
    max_leaves=6,
)
json_object = st.dictionaries(ident, json_value, max_size=3).filter(
    lambda d: "_raw_arguments" not in d
)
signature = st.sampled_from(["", "EqQBCkYIBxgCKkDs1pF0x7P9aQ", "sig=="])


def absent_none_or(draw: Any, d: dict, key: str, strategy: Any) -> None:
    choice = draw(st.integers(0, 2))
    if choice == 1:
        d[key] = None
    elif choice == 2:
        d[key] = draw(strategy)


@st.composite
def a_citation(draw: Any, cited: str) -> dict:
    return {
        "type": "web_search_result_location",
        "cited_text": cited,
        "url": "https://" + draw(ident) + ".example",
        "title": draw(text),
        "encrypted_index": "",
    }


@st.composite
def a_text_block(draw: Any) -> dict:
    if draw(st.booleans()):
        block = {"type": "text", "text": draw(text)}
        absent_none_or(draw, block, "citations", st.just([]))
        return block
    body = draw(nonempty)
    return {
        "type": "text",
        "text": body,
        "citations": draw(st.lists(a_citation(body), min_size=1, max_size=2)),
    }


@st.composite
def a_thinking_block(draw: Any) -> dict:
    if draw(st.integers(0, 3)) == 0:
        return {"type": "redacted_thinking", "data": draw(ident)}
    sig = draw(signature)
    # (an empty unsigned thinking block is empty reasoning, which is no block: issue 10)
    return {
        "type": "thinking",
        "thinking": draw(text if sig else text.filter(bool)),
        "signature": sig,
    }


@st.composite
def a_usage(draw: Any) -> dict:
    u = {"input_tokens": draw(count), "output_tokens": draw(count)}
    absent_none_or(draw, u, "cache_read_input_tokens", count)
    absent_none_or(draw, u, "cache_creation_input_tokens", count)
    write = u.get("cache_creation_input_tokens")
    if isinstance(write, int):
        absent_none_or(
            draw,
            u,
            "cache_creation",
            st.just({"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0}),
        )
    absent_none_or(
        draw, u, "output_tokens_details", st.builds(lambda n: {"thinking_tokens": n}, count)
    )
    absent_none_or(draw, u, "service_tier", st.sampled_from(["standard", "priority"]))
    absent_none_or(draw, u, "server_tool_use", st.just(None))
    absent_none_or(draw, u, "inference_geo", st.just(None))
    absent_none_or(draw, u, "speed", st.just("standard"))
    return u


@st.composite
def anthropic_messages(draw: Any) -> dict:
    """Messages in the lossless domain: thinking anywhere, text before tool calls, url
    citations quoting their block, every stop reason the table carries."""
    texts = draw(st.lists(a_text_block(), max_size=3))
    ids = draw(st.lists(ident, max_size=3, unique=True))
    tools = [
        {
            "type": "tool_use",
            "id": i,
            "name": draw(st.text("abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=90)),
            "input": draw(json_object),
        }
        for i in ids
    ]
    for t in tools:
        absent_none_or(draw, t, "toolset_name", st.just(None))
        if draw(st.booleans()):
            t["caller"] = {"type": "direct"}
    blocks = texts + tools
    for thought in draw(st.lists(a_thinking_block(), max_size=3)):
        blocks.insert(draw(st.integers(0, len(blocks))), thought)
    reasons = [
        "max_tokens",
        "stop_sequence",
        "pause_turn",
        "model_context_window_exceeded",
        "refusal",
    ]
    reasons.append("tool_use" if tools else "end_turn")
    reason = draw(st.sampled_from(reasons))
    m = {
        "id": draw(ident),
        "type": "message",
        "role": "assistant",
        "model": draw(ident),
        "content": blocks,
        "stop_reason": reason,
        "usage": draw(a_usage()),
    }
    if reason == "stop_sequence":
        m["stop_sequence"] = draw(text)
    else:
        absent_none_or(draw, m, "stop_sequence", st.just(None))
    if reason == "refusal":
        last = [b for b in texts if "citations" not in b or not b["citations"]]
        explanation = draw(
            st.sampled_from(
                [None, "No.", last[-1]["text"]] if last and texts[-1] is last[-1] else [None, "No."]
            )
        )
        absent_none_or(
            draw,
            m,
            "stop_details",
            st.just({"type": "refusal", "category": None, "explanation": explanation}),
        )
    for field in ("container", "diagnostics"):
        absent_none_or(draw, m, field, st.just(None))
    return m


def check_no_loss_round_trip_from_anthropic(m: dict) -> None:
    there: list[Loss] = []
    out = as_dict(to_openai.response(json.dumps(m).encode(), created=7, losses=there))
    validate("openai", out)
    back_losses: list[Loss] = []
    back = as_dict(to_anthropic.response(out, losses=back_losses))
    validate("anthropic", back)
    assert there == [] and back_losses == []
    assert back == canonical.anthropic_message(m)


@given(anthropic_messages())
def test_anthropic_round_trip_is_exact_on_the_lossless_domain(m: dict) -> None:
    check_no_loss_round_trip_from_anthropic(m)


@st.composite
def an_annotated_content(draw: Any) -> tuple[str, list[dict]]:
    """Content and url annotations over spans that do not overlap (equal spans may repeat)."""
    content = draw(text)
    cuts = sorted(draw(st.lists(st.integers(0, len(content)), max_size=6)))
    spans = []
    for s, e in zip(cuts[::2], cuts[1::2]):
        spans.extend([(s, e)] * draw(st.integers(1, 2)))
    anns = [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://" + draw(ident),
                "title": draw(text),
                "start_index": s,
                "end_index": e,
            },
        }
        for s, e in spans
    ]
    return content, anns


@st.composite
def an_openai_usage(draw: Any) -> dict:
    read = draw(st.none() | count)
    write = draw(st.none() | count)
    prompt = draw(count) + (read or 0) + (write or 0)
    completion = draw(count)
    u: dict = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    where = draw(st.sampled_from(["details", "deepseek", "kimi", "none"]))
    details: dict = {}
    if read is not None or where == "details":
        if where == "deepseek" and read is not None:
            u["prompt_cache_hit_tokens"], u["prompt_cache_miss_tokens"] = read, prompt - read
        elif where == "kimi" and read is not None:
            u["cached_tokens"] = read
        else:
            details["cached_tokens"] = read
    if draw(st.booleans()):
        details["cache_write_tokens"] = write
    if draw(st.booleans()):
        details["audio_tokens"] = 0
    if details or draw(st.booleans()):
        u["prompt_tokens_details"] = details if details or draw(st.booleans()) else None
    absent_none_or(
        draw,
        u,
        "completion_tokens_details",
        st.fixed_dictionaries(
            {"reasoning_tokens": st.none() | count},
            optional={"accepted_prediction_tokens": st.just(0), "audio_tokens": st.none()},
        ),
    )
    return u


@st.composite
def openai_completions(draw: Any) -> dict:
    """ChatCompletions in the lossless domain: every reasoning carrier, annotations that
    fit, refusals of both shapes, tool calls, the stop reason extensions."""
    msg: dict = {"role": "assistant"}
    content, anns = draw(an_annotated_content())
    shape = draw(st.integers(0, 3))
    if shape == 0:
        msg["content"] = content
        if anns or draw(st.booleans()):
            msg["annotations"] = anns
    elif shape == 1:
        msg["content"] = content
    elif shape == 2:
        msg["content"] = None
    carrier = draw(st.sampled_from(["none", "reasoning_content", "reasoning", "both", "details"]))
    if carrier in ("reasoning_content", "both"):  # (empty reasoning is none: issue 10)
        msg["reasoning_content"] = draw(text.filter(bool))
    if carrier == "reasoning":
        msg["reasoning"] = draw(text.filter(bool))
    if carrier == "both":
        msg["reasoning"] = msg["reasoning_content"]
    if carrier == "details":
        details = []
        for i, kind in enumerate(
            draw(st.lists(st.sampled_from(["text", "encrypted"]), min_size=1, max_size=3))
        ):
            d = (
                {"type": "reasoning.text", "text": draw(text), "signature": draw(signature)}
                if kind == "text"
                else {"type": "reasoning.encrypted", "data": draw(ident)}
            )
            absent_none_or(draw, d, "format", st.sampled_from(["anthropic-claude-v1", "unknown"]))
            if draw(st.booleans()):
                d["index"] = i
            details.append(d)
        msg["reasoning_details"] = details
        if draw(st.booleans()):
            msg["reasoning_content"] = "\n\n".join(
                d.get("text", "") for d in details if d["type"] == "reasoning.text"
            )
    ids = draw(st.lists(ident, max_size=3, unique=True))
    calls = [
        {
            "id": i,
            "type": "function",
            "function": {
                "name": draw(ident),
                "arguments": draw(st.sampled_from(["", "{}"]) | json_object.map(json.dumps)),
            },
        }
        for i in ids
    ]
    if calls or draw(st.booleans()):
        msg["tool_calls"] = calls
    refusal = draw(st.none() | st.text(max_size=8).map(lambda t: "\u26d4" + t))
    absent_none_or(draw, msg, "refusal", st.just(refusal) if refusal is not None else st.just(None))
    refusal = msg.get("refusal")
    for field in ("audio", "function_call"):
        absent_none_or(draw, msg, field, st.just(None))
    choice: dict = {"index": 0, "message": msg}
    if refusal is not None:
        choice["finish_reason"] = draw(st.sampled_from(["stop", "content_filter"]))
    else:
        choice["finish_reason"] = draw(
            st.sampled_from(
                ["stop", "length", "content_filter"] + (["tool_calls"] if calls else [])
            )
        )
        natives = {
            "stop": ["stop", "end_turn", "pause_turn"],
            "length": ["length", "max_tokens", "model_context_window_exceeded"],
            "content_filter": ["refusal"],
            "tool_calls": ["tool_calls", "tool_use"],
        }[choice["finish_reason"]]
        absent_none_or(draw, choice, "native_finish_reason", st.sampled_from(natives))
        if choice["finish_reason"] == "stop" and choice.get("native_finish_reason") != "pause_turn":
            absent_none_or(draw, choice, "stop_reason", text | st.integers(0, 200000))
            if isinstance(choice.get("stop_reason"), str) and draw(st.booleans()):
                choice["native_finish_reason"] = "stop_sequence"
    absent_none_or(draw, choice, "logprobs", st.just(None))
    c = {
        "id": draw(ident),
        "object": "chat.completion",
        "created": draw(count),
        "model": draw(ident),
        "choices": [choice],
        "usage": draw(an_openai_usage()),
    }
    absent_none_or(draw, c, "service_tier", st.sampled_from(["default", "priority"]))
    for field in ("system_fingerprint", "metadata", "moderation"):
        absent_none_or(draw, c, field, st.just(None))
    return c


def check_no_loss_round_trip_from_openai(c: dict) -> None:
    there: list[Loss] = []
    out = as_dict(to_anthropic.response(json.dumps(c).encode(), losses=there))
    validate("anthropic", out)
    back_losses: list[Loss] = []
    back = as_dict(to_openai.response(out, created=c["created"], losses=back_losses))
    validate("openai", back)
    assert there == [] and back_losses == []
    assert back == canonical.openai_completion(c)


@given(openai_completions())
def test_openai_round_trip_is_exact_on_the_lossless_domain(c: dict) -> None:
    check_no_loss_round_trip_from_openai(c)


@given(a_usage())
def test_usage_totals_are_invariant_from_anthropic(u: dict) -> None:
    out = as_dict(to_openai.response(message(usage=u)))["usage"]
    total = (
        u["input_tokens"]
        + (u.get("cache_read_input_tokens") or 0)
        + (u.get("cache_creation_input_tokens") or 0)
        + u["output_tokens"]
    )
    assert out["total_tokens"] == total == out["prompt_tokens"] + out["completion_tokens"]
    assert out["completion_tokens"] == u["output_tokens"]


@given(an_openai_usage())
def test_usage_totals_are_invariant_from_openai(u: dict) -> None:
    out = as_dict(to_anthropic.response(completion(usage=u)))["usage"]
    total = (
        out["input_tokens"]
        + (out.get("cache_read_input_tokens") or 0)
        + (out.get("cache_creation_input_tokens") or 0)
        + out["output_tokens"]
    )
    assert total == u["total_tokens"]


# --- properties: request= ----------------------------------------------------------------


@given(
    st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=128),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    ident,
    ident,
)
def test_request_restores_every_shortened_name_and_echoes_the_model(
    names: list[str], asked: str, served: str
) -> None:
    req = {
        "model": asked,
        "max_tokens": 9,
        "messages": [{"role": "user", "content": "x"}],
        "tools": [{"name": n, "input_schema": {"type": "object"}} for n in names],
    }
    sent = [t["function"]["name"] for t in as_dict(to_openai.request(req))["tools"]]
    assert all(len(n) <= 64 for n in sent)
    calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": "{}"}}
        for i, n in enumerate(sent)
    ]
    body = completion({"content": None, "tool_calls": calls}, finish_reason="tool_calls")
    body["model"] = served
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(body, request=req, losses=losses))
    assert [b["name"] for b in out["content"]] == names
    assert out["model"] == asked
    assert losses == []


@given(st.lists(nonempty, min_size=1, max_size=4, unique=True), st.data())
def test_request_names_the_stop_sequence_that_matched(stops: list[str], data: Any) -> None:
    req = {
        "model": "m",
        "max_tokens": 9,
        "messages": [{"role": "user", "content": "x"}],
        "stop_sequences": stops,
    }
    matched = data.draw(st.sampled_from(stops))
    # vLLM says which: always recognised
    assert finish_of(completion(stop_reason=matched), request=req)[:2] == ("stop_sequence", matched)
    # the upstream says only that a sequence matched: recognised when there is one candidate
    expected = stops[0] if len(stops) == 1 else None
    assert finish_of(completion(native_finish_reason="stop_sequence"), request=req)[:2] == (
        "stop_sequence",
        expected,
    )


# --- properties: the whole struct surface ------------------------------------------------


@given(from_type(a.MessageResponse))
def test_any_message_translates_to_a_valid_completion_or_reports_why_not(
    m: a.MessageResponse,
) -> None:
    """Whatever a Message holds: a ChatCompletion the SDK accepts, and where nothing was
    reported lost, the way back is the canonical input."""
    losses: list[Loss] = []
    out = as_dict(to_openai.response(m, created=1, losses=losses))
    validate("openai", out)
    if losses:
        return
    back_losses: list[Loss] = []
    back = as_dict(to_anthropic.response(out, losses=back_losses))
    validate("anthropic", back)
    if not back_losses:
        assert back == canonical.anthropic_message(as_dict(m))


@given(from_type(o.ChatCompletion))
def test_any_completion_translates_to_a_valid_message_or_reports_why_not(
    c: o.ChatCompletion,
) -> None:
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(c, losses=losses))
    validate("anthropic", out)
    if losses:
        return
    back_losses: list[Loss] = []
    created = c.created if isinstance(c.created, int) else 0  # (optional: servers omit it)
    back = as_dict(to_openai.response(out, created=created, losses=back_losses))
    validate("openai", back)
    if not back_losses:
        assert back == canonical.openai_completion(as_dict(c))


# The same surface narrowed to what a response of each dialect holds (its block types, its
# stop reasons, consistent usage), so that the lossless branch above is taken often.
_A_REASONS = st.sampled_from(
    [r for r, _, _ in WRITTEN_STOP_REASONS if r not in ("stop_sequence", "refusal")]
)
_A_BLOCK_OVERRIDES = {
    (a.TextBlock, "cache_control"): st.none(),
    (a.TextBlock, "citations"): st.none() | st.just([]),
    (a.ToolUseBlock, "cache_control"): st.none(),
    (a.ToolUseBlock, "caller"): st.just(a.Caller(type="direct")),
    (a.ToolUseBlock, "toolset_name"): st.none(),
    (a.ToolUseBlock, "input"): json_object,
}
_A_RESPONSE_BLOCK = st.one_of(
    from_type(a.ThinkingBlock),
    from_type(a.RedactedThinkingBlock),
    from_type(a.TextBlock, overrides=_A_BLOCK_OVERRIDES),
)
_A_TOOL_USE = from_type(a.ToolUseBlock, overrides=_A_BLOCK_OVERRIDES)


@st.composite
def _response_messages(draw: Any) -> a.MessageResponse:
    m = draw(
        from_type(
            a.MessageResponse,
            overrides={
                (a.MessageResponse, "stop_reason"): _A_REASONS,
                (a.MessageResponse, "stop_sequence"): st.none(),
                (a.MessageResponse, "stop_details"): st.none(),
                (a.MessageResponse, "container"): st.none(),
                (a.MessageResponse, "diagnostics"): st.none(),
                (a.MessageResponse, "content"): st.lists(_A_RESPONSE_BLOCK, max_size=4),
                a.Usage: a_usage().map(lambda u: msgspec.convert(u, a.Usage)),
            },
        )
    )
    tools = draw(st.lists(_A_TOOL_USE, max_size=2, unique_by=lambda t: t.id))
    m.content = m.content + tools
    if tools and m.stop_reason == "end_turn":
        m.stop_reason = "tool_use"
    if not tools and m.stop_reason == "tool_use":
        m.stop_reason = "end_turn"
    return m


@given(_response_messages())
def test_response_shaped_messages_round_trip_unless_a_loss_is_reported(
    m: a.MessageResponse,
) -> None:
    losses: list[Loss] = []
    out = as_dict(to_openai.response(m, created=1, losses=losses))
    validate("openai", out)
    back_losses: list[Loss] = []
    back = as_dict(to_anthropic.response(out, losses=back_losses))
    validate("anthropic", back)
    if not losses and not back_losses:
        assert back == canonical.anthropic_message(as_dict(m))


@st.composite
def _response_completions(draw: Any) -> o.ChatCompletion:
    c = draw(
        from_type(
            o.ChatCompletion,
            overrides={
                o.Usage: an_openai_usage().map(lambda u: msgspec.convert(u, o.Usage)),
                (o.ChatCompletion, "choices"): st.lists(
                    from_type(
                        o.Choice,
                        overrides={
                            (o.Choice, "finish_reason"): st.sampled_from(
                                ["stop", "length", "tool_calls", "content_filter"]
                            ),
                            (o.Choice, "native_finish_reason"): st.none(),
                            (o.Choice, "logprobs"): st.none(),
                            (o.ResponseMessage, "annotations"): st.none() | st.just([]),
                            (o.ResponseMessage, "audio"): st.none(),
                            (o.ResponseMessage, "function_call"): st.none(),
                            (o.ResponseMessage, "reasoning_details"): st.none() | st.just([]),
                            (o.ResponseMessage, "tool_calls"): st.none()
                            | st.lists(
                                st.builds(
                                    lambda i, n, args: o.FunctionToolCall(
                                        id=i,
                                        function=o.FunctionCall(name=n, arguments=json.dumps(args)),
                                    ),
                                    ident,
                                    ident,
                                    json_object,
                                ),
                                max_size=2,
                                unique_by=lambda t: t.id,
                            ),
                        },
                    ),
                    min_size=1,
                    max_size=1,
                ),
                (o.ChatCompletion, "service_tier"): st.none()
                | st.sampled_from(["default", "priority"]),
                (o.ChatCompletion, "system_fingerprint"): st.none(),
                (o.ChatCompletion, "metadata"): st.none(),
                (o.ChatCompletion, "moderation"): st.none(),
            },
        )
    )
    return c


@given(_response_completions())
def test_response_shaped_completions_round_trip_unless_a_loss_is_reported(
    c: o.ChatCompletion,
) -> None:
    losses: list[Loss] = []
    out = as_dict(to_anthropic.response(c, losses=losses))
    validate("anthropic", out)
    back_losses: list[Loss] = []
    created = c.created if isinstance(c.created, int) else 0  # (optional: servers omit it)
    back = as_dict(to_openai.response(out, created=created, losses=back_losses))
    validate("openai", back)
    if not isinstance(c.created, int):
        del back["created"]  # the time is the caller's (created=), not the message's
    if not losses and not back_losses:
        assert back == canonical.openai_completion(as_dict(c))
