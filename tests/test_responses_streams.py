"""Streams into the Responses dialect: Chat chunks and Messages events -> Responses events.

Judges: the openai SDK's own ``ResponseStreamState`` (what ``client.responses.stream()``
runs) and a real ``openai.OpenAI`` client over a mock transport, strict validation of
every event against the SDK's event types, a strict accumulator (``responses_streams``),
and the non-stream converter (stream and batch commute).
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from pathlib import Path
from typing import Any

import httpx2
import msgspec
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, to_responses
from translate.to_responses import _stream

from .canonical import responses_response
from .responses_streams import accumulate, responses_frames, sdk_accumulate, validate
from .streams import (
    accumulate_anthropic,
    accumulate_openai,
    anthropic_events,
    anthropic_sse,
    openai_chunks,
    openai_sse,
)

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
STREAMS = ROOT / "streams"
CASES = sorted(p.name for p in STREAMS.iterdir() if p.is_dir())
CODEX = json.loads((ROOT / "responses_api" / "codex_turn" / "responses.json").read_text())

ENV = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "m"}


def chunk(delta: dict, finish: str | None = None, **extra: Any) -> dict:
    return dict(ENV, choices=[{"index": 0, "delta": delta, "finish_reason": finish}], **extra)


def usage_chunk(prompt: int = 10, completion: int = 5, cached: int = 0) -> dict:
    return dict(
        ENV,
        choices=[],
        usage={
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    )


def run(items: list[Any], **kw: Any) -> tuple[list[dict], list[Loss]]:
    losses: list[Loss] = []
    events = [msgspec.to_builtins(e) for e in to_responses.stream(items, losses=losses, **kw)]
    validate(events)
    return events, losses


def judged(events: list[dict]) -> tuple[str, dict]:
    """The strict accumulator's and the SDK's verdicts agree; returns the former."""
    kind, resp = accumulate(events)
    final, _ = sdk_accumulate(events)
    if kind == "response.completed":
        assert final is not None
        assert final.id == resp["id"]
        assert [item.type for item in final.output] == [item["type"] for item in resp["output"]]
        assert final.output_text == "".join(
            p.get("text", "")
            for item in resp["output"]
            if item["type"] == "message"
            for p in item["content"]
        )
    return kind, resp


TURN = [
    chunk({"role": "assistant", "content": ""}),
    chunk({"reasoning_content": "The test "}),
    chunk({"reasoning_content": "fails."}),
    chunk({"content": "Running "}),
    chunk({"content": "it."}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "shell", "arguments": ""},
                }
            ]
        }
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"cmd":'}}]}),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"pytest"}'}}]}),
    chunk({}, "tool_calls"),
    usage_chunk(100, 20, 64),
]


def test_text_reasoning_tool_call_turn() -> None:
    """The event sequence Codex reads for one turn, in the SDK's order and shapes."""
    events, losses = run(TURN)
    assert losses == []
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    kind, resp = judged(events)
    assert kind == "response.completed"
    assert resp["id"] == "chatcmpl-1"
    assert resp["output"] == [
        {
            "type": "reasoning",
            "id": "rs_chatcmpl-1_0",
            "summary": [{"type": "summary_text", "text": "The test fails."}],
        },
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Running it.", "annotations": []}],
            "id": "msg_chatcmpl-1",
            "status": "completed",
        },
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "shell",
            "arguments": '{"cmd":"pytest"}',
            "id": "fc_chatcmpl-1_0",
            "status": "completed",
        },
    ]
    assert resp["usage"] == {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 64, "cache_write_tokens": 0},
        "output_tokens": 20,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 120,
    }
    # the batch converter says the same response
    batch = msgspec.to_builtins(to_responses.response(accumulate_openai(TURN)))
    assert responses_response(resp) == responses_response(batch)


def test_codex_request_restores_custom_and_namespaced_calls() -> None:
    """With the client's request, a custom tool's call (said as JSON arguments upstream) is
    a custom_tool_call with its input events, a namespaced one gets its namespace back."""
    chunks = [
        chunk({"role": "assistant", "content": ""}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "mcp__github__list_issues", "arguments": ""},
                    },
                    {
                        "index": 1,
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "apply_patch", "arguments": '{"input":"*** Begin'},
                    },
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"repo":"a/b"}'}}]}),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": ' Patch\\n"}'}}]}),
        chunk({}, "tool_calls"),
        usage_chunk(),
    ]
    events, losses = run(chunks, request=CODEX)
    assert losses == []
    _, resp = judged(events)
    assert resp["model"] == CODEX["model"]
    ns_call, custom = resp["output"]
    assert (ns_call["namespace"], ns_call["name"]) == ("mcp__github__", "list_issues")
    assert custom == {
        "type": "custom_tool_call",
        "call_id": "call_2",
        "name": "apply_patch",
        "input": "*** Begin Patch\n",
        "id": "fc_chatcmpl-1_1",
    }
    types = [e["type"] for e in events]
    assert types.index("response.custom_tool_call_input.done") < types.index("response.completed")
    batch = to_responses.response(accumulate_openai(chunks), request=CODEX)
    assert responses_response(resp) == responses_response(msgspec.to_builtins(batch))


@pytest.mark.parametrize(
    ("finish", "reason"), [("length", "max_output_tokens"), ("content_filter", "content_filter")]
)
def test_incomplete(finish: str, reason: str) -> None:
    events, _ = run([chunk({"role": "assistant", "content": "Hi"}), chunk({}, finish)])
    kind, resp = judged(events)
    assert kind == "response.incomplete"
    assert resp["incomplete_details"] == {"reason": reason}


def test_upstream_error_mid_stream_is_response_failed() -> None:
    items = [
        chunk({"role": "assistant", "content": "Hel"}),
        {"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": None}},
        chunk({"content": "never"}),
    ]
    events, _ = run(items)
    kind, resp = judged(events)
    assert kind == "response.failed"
    assert resp["error"] == {"code": "rate_limit_exceeded", "message": "Rate limit reached"}
    # the open item is done (incomplete) before the failure: every item added is done
    assert resp["output"][0]["status"] == "incomplete"
    assert resp["output"][0]["content"][0]["text"] == "Hel"


@pytest.mark.parametrize(
    "error",
    [
        {
            "message": "This model's maximum context length is 128000 tokens.",
            "type": "invalid_request_error",
            "code": None,
        },
        {"message": "too long", "type": "invalid_request_error", "code": "context_length_exceeded"},
    ],
)
def test_context_length_error_mid_stream_keeps_its_code(error: dict) -> None:
    # Codex compacts on response.failed with code context_length_exceeded (and only it); the
    # openai SDK's ResponseError Literal does not list that code, so no SDK validation here
    items = [chunk({"role": "assistant", "content": "Hel"}), {"error": error}]
    kind, resp = accumulate([msgspec.to_builtins(e) for e in to_responses.stream(items)])
    assert kind == "response.failed"
    assert resp["error"] == {"code": "context_length_exceeded", "message": error["message"]}


def test_anthropic_prompt_too_long_mid_stream_is_context_length_exceeded() -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 0},
        },
    }
    error = {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens"},
    }
    kind, resp = accumulate([msgspec.to_builtins(e) for e in to_responses.stream([start, error])])
    assert kind == "response.failed"
    assert resp["error"] == {
        "code": "context_length_exceeded",
        "message": "prompt is too long: 210000 tokens",
    }


@pytest.mark.parametrize("cut", [0, 1, 3, 5])
def test_truncated_upstream_ends_well_formed(cut: int) -> None:
    events, _ = run(TURN[:cut])
    kind, resp = judged(events)
    assert kind == "response.failed"
    assert resp["error"]["code"] == "server_error"
    assert "ended" in resp["error"]["message"]


def test_an_unreadable_frame_read_alone_fails_the_response() -> None:
    """A frame that is not JSON, arriving as one read (the decoder's one-frame path), ends
    the stream with response.failed; it raised UnboundLocalError before the three bytes
    translators shared one outer loop (``_bytes.ByteStream``)."""
    s = to_responses.SSE()
    first = s.feed(b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in TURN[:2]))
    out = first + s.feed(b"data: {not json\n\n") + s.close()
    events = responses_frames(out)
    validate(events)
    kind, resp = judged(events)
    assert kind == "response.failed"
    assert "could not be read" in resp["error"]["message"]
    assert s.feed(openai_sse(TURN[2:])) == b""  # nothing is read after the end


def test_done_without_usage_completes_and_sse_has_no_done_sentinel() -> None:
    data = openai_sse(TURN[:-1])
    out = b"".join(to_responses.sse([data]))
    assert b"[DONE]" not in out
    events = responses_frames(out)
    validate(events)
    kind, resp = judged(events)
    assert kind == "response.completed" and "usage" not in resp


def test_wild_shapes() -> None:
    """Every call at index 0 with its own id (Ollama), a name after the arguments, a call
    without index (Google), a ghost call that never gets a name."""
    chunks = [
        chunk({"role": "assistant"}),
        chunk(
            {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}
        ),
        chunk({"tool_calls": [{"index": 0, "id": "b", "function": {"arguments": '{"x":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"name": "g", "arguments": "1}"}}]}),
        chunk({"tool_calls": [{"id": "c", "function": {"name": "h", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"index": 5, "id": "ghost", "function": {"arguments": "{}"}}]}),
        chunk({}, "stop"),
    ]
    events, losses = run(chunks)
    _, resp = judged(events)
    assert [(i["call_id"], i["name"], i["arguments"]) for i in resp["output"]] == [
        ("a", "f", "{}"),
        ("b", "g", '{"x":1}'),
        ("c", "h", "{}"),
    ]
    assert [loss.path for loss in losses] == ["choices[0].delta.tool_calls[index=5]"]


def test_reasoning_details_keep_signatures_and_raw_content() -> None:
    chunks = [
        chunk({"role": "assistant"}),
        chunk({"reasoning_details": [{"type": "reasoning.text", "text": "plan", "index": 0}]}),
        chunk({"reasoning_details": [{"type": "reasoning.text", "signature": "SIG", "index": 0}]}),
        chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "ENC", "index": 1}]}),
        chunk(
            {
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": "raw",
                        "format": "openai-responses-v1",
                        "id": "rs_x",
                        "index": 2,
                    }
                ]
            }
        ),
        chunk({"content": "ok"}, "stop"),
    ]
    events, losses = run(chunks)
    assert losses == []
    _, resp = judged(events)
    assert resp["output"][:3] == [
        {
            "type": "reasoning",
            "id": "rs_chatcmpl-1_0",
            "summary": [{"type": "summary_text", "text": "plan"}],
            "encrypted_content": "SIG",
        },
        {"type": "reasoning", "id": "rs_chatcmpl-1_1", "summary": [], "encrypted_content": "ENC"},
        {
            "type": "reasoning",
            "id": "rs_x",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "raw"}],
        },
    ]
    assert "response.reasoning_text.delta" in [e["type"] for e in events]
    batch = msgspec.to_builtins(to_responses.response(accumulate_openai(chunks)))
    assert responses_response(resp) == responses_response(batch)


def test_output_over_the_cap_fails() -> None:
    s = to_responses.Stream(max_output_chars=10)
    events = [msgspec.to_builtins(e) for item in TURN for e in s.feed(item)]
    events += [msgspec.to_builtins(e) for e in s.close()]
    validate(events)
    kind, resp = judged(events)
    assert kind == "response.failed"
    assert "over 10 characters" in resp["error"]["message"]


# --- fixtures: real upstream shapes, both sources, split anywhere -----------------------------


def fixture_upstream(case: str) -> tuple[str, bytes]:
    source = json.loads((STREAMS / case / "meta.json").read_text())["source"]
    return source, (STREAMS / case / f"{source}.sse").read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    source, data = fixture_upstream(case)
    losses: list[Loss] = []
    out = b"".join(to_responses.sse([data], losses=losses))
    events = responses_frames(out)
    validate(events)
    kind, resp = judged(events)
    if case == "anthropic_error":
        assert kind == "response.failed"
    else:
        assert kind in ("response.completed", "response.incomplete"), resp.get("error")
    # the same events at the struct level, the source named or not
    explicit = b"".join(to_responses.sse([data], source=source))
    assert explicit == out


@pytest.mark.parametrize("case", ["openai_usage_parallel_tools", "anthropic_interleaved_thinking"])
def test_fixture_split_at_every_byte(case: str) -> None:
    _, data = fixture_upstream(case)
    whole = b"".join(to_responses.sse([data]))
    for i in range(1, len(data)):
        assert b"".join(to_responses.sse([data[:i], data[i:]])) == whole, i
    assert b"".join(to_responses.sse([data[i : i + 1] for i in range(len(data))])) == whole


def test_openai_client_reads_the_translated_stream() -> None:
    """``client.responses.stream()`` over a transport serving ``to_responses.sse``: the
    SDK's own stream reader and accumulator, end to end."""
    _, upstream = fixture_upstream("openai_usage_parallel_tools")

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/responses")
        pieces = [upstream[i : i + 11] for i in range(0, len(upstream), 11)]
        body = to_responses.sse(pieces, request=json.loads(request.content))
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = openai.OpenAI(
        api_key="k",
        base_url="http://gateway/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with client.responses.stream(model="codex-model", input="weather?") as s:
        final = s.get_final_response()
    assert final.model == "codex-model"
    calls = [item for item in final.output if item.type == "function_call"]
    assert len(calls) >= 2 and all(json.loads(c.arguments) is not None for c in calls)
    assert final.usage is not None and final.usage.total_tokens > 0


# --- stream and batch commute -----------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12)
_ident = st.text("abcdefghij_", min_size=1, max_size=8)
_count = st.integers(0, 10**6)


@st.composite
def cutter(draw: Any) -> Any:
    seeds = draw(st.lists(st.integers(1, 50), min_size=1, max_size=6))

    def cut(text: str) -> list[str]:
        if not text:
            return []
        points = sorted({s % len(text) for s in seeds} - {0})
        return [text[i:j] for i, j in zip([0] + points, points + [len(text)])]

    return cut


@st.composite
def completions(draw: Any) -> dict:
    """Chat completions as chat upstreams stream them: reasoning (plain, or OpenRouter's
    details), text, a refusal, tool calls, every finish reason, usage or none."""
    message: dict = {"role": "assistant"}
    details = draw(st.booleans())
    if details:
        entries = []
        for i in range(draw(st.integers(1, 3))):
            if draw(st.booleans()):
                entry = {"type": "reasoning.text", "text": draw(_text.filter(bool)), "index": i}
                if draw(st.booleans()):
                    entry["signature"] = "S" + draw(_ident)
            else:
                entry = {"type": "reasoning.encrypted", "data": "E" + draw(_ident), "index": i}
            entries.append(entry)
        message["reasoning_details"] = entries
    elif draw(st.booleans()):
        message[draw(st.sampled_from(["reasoning_content", "reasoning"]))] = draw(
            _text.filter(bool)
        )
    if draw(st.booleans()):
        message["content"] = draw(_text.filter(bool))
    calls = draw(st.lists(st.tuples(_ident, st.dictionaries(_ident, _count)), max_size=3))
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": n, "arguments": json.dumps(args)},
            }
            for i, (n, args) in enumerate(calls)
        ]
        finish = draw(st.sampled_from(["tool_calls", "stop", "length"]))
    else:
        finish = draw(st.sampled_from(["stop", "length", "content_filter"]))
        if draw(st.booleans()):
            message["refusal"] = draw(_text.filter(bool))
    out: dict = {
        "id": "chatcmpl-" + draw(_ident),
        "object": "chat.completion",
        "created": draw(_count),
        "model": draw(_ident),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if draw(st.booleans()):
        prompt, completion = draw(_count), draw(_count)
        out["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": draw(st.integers(0, prompt))},
        }
    if draw(st.booleans()):
        out["service_tier"] = draw(st.sampled_from(["default", "priority"]))
    return out


def details_chunks(completion: dict, cut: Any) -> list[dict]:
    """``openai_chunks``, with OpenRouter's reasoning details streamed first (text in
    pieces at its index, then the signature)."""
    message = completion["choices"][0]["message"]
    details = message.pop("reasoning_details", None)
    chunks = openai_chunks(completion, cut)
    if details is not None:
        message["reasoning_details"] = details
        env = {k: v for k, v in chunks[0].items() if k != "choices"}
        extra = []
        for d in details:
            if d["type"] == "reasoning.encrypted":
                pieces = [d]
            else:
                pieces = [
                    {"type": "reasoning.text", "text": p, "index": d["index"]}
                    for p in cut(d["text"])
                ]
                if "signature" in d:
                    pieces.append(
                        {"type": "reasoning.text", "signature": d["signature"], "index": d["index"]}
                    )
            extra += [
                dict(
                    env,
                    choices=[
                        {"index": 0, "delta": {"reasoning_details": [p]}, "finish_reason": None}
                    ],
                )
                for p in pieces
            ]
        chunks[1:1] = extra
    return chunks


@given(completions(), cutter())
def test_commutes_from_chat(completion: dict, cut: Any) -> None:
    """accumulate(to_responses.stream(chunks)) == to_responses.response(accumulate(chunks)),
    with the SDK's accumulator and strict validation on every example."""
    chunks = details_chunks(completion, cut)
    events, _ = run(chunks)
    _, streamed = judged(events)
    batch = msgspec.to_builtins(to_responses.response(accumulate_openai(chunks)))
    assert responses_response(streamed) == responses_response(batch)


@st.composite
def messages(draw: Any) -> dict:
    content: list[dict] = []
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            content.append(
                {"type": "thinking", "thinking": draw(_text), "signature": "Eq" + draw(_ident)}
            )
        else:
            content.append({"type": "redacted_thinking", "data": "ENC" + draw(_ident)})
    if draw(st.booleans()):
        content.append({"type": "text", "text": draw(_text.filter(bool))})
    calls = draw(st.lists(st.tuples(_ident, st.dictionaries(_ident, _count)), max_size=3))
    for i, (name, args) in enumerate(calls):
        content.append({"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": args})
    stop = "tool_use" if calls else draw(st.sampled_from(["end_turn", "max_tokens", "refusal"]))
    usage: dict = {"input_tokens": draw(_count), "output_tokens": draw(_count)}
    if draw(st.booleans()):
        usage["cache_read_input_tokens"] = draw(_count)
    return {
        "id": "msg_" + draw(_ident),
        "type": "message",
        "role": "assistant",
        "model": draw(_ident),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }


@given(messages(), cutter())
def test_commutes_from_messages(message: dict, cut: Any) -> None:
    """The same for a Messages upstream (through the compatible Chat hub), as bytes."""
    events_in = anthropic_events(message, cut)
    assert accumulate_anthropic(events_in)["content"] == message["content"]
    out = b"".join(to_responses.sse([anthropic_sse(events_in)]))
    events = responses_frames(out)
    validate(events)
    _, streamed = judged(events)
    batch = msgspec.to_builtins(to_responses.response(message))
    assert responses_response(streamed) == responses_response(batch)


# --- the bytes, one frame a read ---------------------------------------------------------------
# Servers send one frame a read; ``to_responses.SSE`` then writes the delta events straight to
# their bytes (``_stream.Stream.feed_frame``). Those bytes are the events' frames, exactly.

_TRICKY = ['"', "\\", "\n", "\r\t", "\u2028", "\x00\x1f\x7f", "é", "😀", "</script>", ""]


def _frame_a_read(chunks: list[dict]) -> list[bytes]:
    return [b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks] + [b"data: [DONE]\n\n"]


@given(completions(), cutter())
def test_one_frame_a_read_is_the_events_frames_from_chat(completion: dict, cut: Any) -> None:
    chunks = details_chunks(completion, cut)
    fast = b"".join(to_responses.sse(_frame_a_read(chunks)))
    assert fast == _stream.frames(list(to_responses.stream(chunks)))


@given(messages(), cutter())
def test_one_frame_a_read_is_the_events_frames_from_messages(message: dict, cut: Any) -> None:
    events = anthropic_events(message, cut)
    reads = [anthropic_sse([e]) for e in events]
    fast = b"".join(to_responses.sse(reads))
    assert fast == _stream.frames(list(to_responses.stream(events)))


def test_one_frame_a_read_escapes_as_the_encoder_does() -> None:
    """Text, reasoning and arguments that JSON must escape (quotes, backslashes, control
    characters, U+2028, non-ASCII): written straight, they are what the encoder writes."""
    pieces = [p + q for p in _TRICKY for q in ("", "x")]
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"reasoning_content": p}) for p in pieces]
    chunks += [chunk({"content": p}) for p in pieces]
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
    chunks.append(chunk({"tool_calls": [call]}))
    chunks += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]}) for p in pieces]
    chunks += [chunk({}, "tool_calls"), usage_chunk()]
    fast = b"".join(to_responses.sse(_frame_a_read(chunks)))
    assert fast == _stream.frames(list(to_responses.stream(chunks)))
    events = responses_frames(fast)
    validate(events)
    kind, resp = judged(events)
    assert kind == "response.completed"
    assert resp["output"][1]["content"][0]["text"] == "".join(pieces)
    # raw reasoning (reasoning_text) and summaries, as reasoning_details say them
    raw = {"type": "reasoning.text", "id": "rs_1", "index": 0, "format": "openai-responses-v1"}
    summary = {"type": "reasoning.text", "id": "rs_2", "index": 1}
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"reasoning_details": [dict(raw, text=p)]}) for p in pieces]
    chunks += [chunk({"reasoning_details": [dict(summary, text=p)]}) for p in pieces]
    chunks += [chunk({}, "stop"), usage_chunk()]
    fast = b"".join(to_responses.sse(_frame_a_read(chunks)))
    assert fast == _stream.frames(list(to_responses.stream(chunks)))
    kind, resp = judged(responses_frames(fast))
    assert [item["id"] for item in resp["output"]] == ["rs_1", "rs_2"]


# --- memory -------------------------------------------------------------------------------------


def _hostile(n: int, text: bool = False) -> Any:
    """A stream of ``n`` events that would grow a careless state: empty deltas, role
    chunks, unknown fields, usage-less finish-less chunks, calls re-using index 0 with new
    ids and no name (ghosts, their arguments held until they are known to be ghosts); with
    ``text``, a text piece every event (which the output must keep)."""
    head = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
    yield head + b'{"role":"assistant","content":""},"finish_reason":null}]}\n\n'
    for i in range(n):
        k = i % 4
        if text:
            delta = b'{"content":"word "}'
        elif k == 0:
            delta = b"{}"
        elif k == 1:
            delta = b'{"tool_calls":[{"index":0,"id":"g%d","function":{"arguments":"x"}}]}' % i
        elif k == 2:
            delta = b'{"role":"assistant","future":%d}' % i
        else:
            delta = b'{"content":""}'
        yield head + delta + b',"finish_reason":null}]}\n\n'
    yield head + b'{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'


def _peak(n: int, text: bool) -> tuple[int, bytes]:
    gc.collect()
    tracemalloc.start()
    s = to_responses.SSE()
    last = b""
    for data in _hostile(n, text):
        last = s.feed(data) or last
    last = s.close() or last
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, last


def test_100k_hostile_events_in_constant_memory() -> None:
    """Nothing grows with the number of events: the peak over a 100,000-event hostile
    stream is the peak over a 1,000-event one, give or take a little."""
    small, _ = _peak(1_000, False)
    large, last = _peak(100_000, False)
    assert b"response.completed" in last
    assert large - small < 65_536, (small, large)


def test_100k_text_events_keep_the_text_only() -> None:
    """With text, what grows is the text the last events must carry (500,000 characters
    here), never a structure per event: the peak is the kept text plus the last frames,
    which say it four times over (``output_text.done``, ``content_part.done``,
    ``output_item.done``, ``response.completed``, as the Responses API does)."""
    small, _ = _peak(1_000, True)
    large, last = _peak(100_000, True)
    assert b"response.completed" in last
    chars = 5 * 99_000
    assert large - small < 10 * chars, (small, large)
