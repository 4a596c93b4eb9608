"""Stream translation both ways: fixtures, the official SDKs as consumers, split
independence, the exact events of the hard cases, round trips, commutation with the
response converters, and constant memory.

Set TRANSLATE_REGEN=1 to rewrite the expected files of fixtures/streams (then review them).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import msgspec
import openai
import pytest
from anthropic.lib.streaming._messages import accumulate_event
from hypothesis import given
from hypothesis import strategies as st
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk as SDKChunk

from translate import Loss, LossError, TranslationError, to_anthropic, to_openai
from translate import openai as o
from translate._tools import short_name
from translate.sse import DONE

from . import sdk_strict

# The forms of the round-trip and commutation properties (both sides of each comparison).
from .canonical import anthropic_stream as canonical_anthropic
from .canonical import openai_stream as canonical_openai
from .streams import (
    StreamError,
    accumulate_anthropic,
    accumulate_openai,
    anthropic_events,
    anthropic_frames,
    anthropic_sse,
    builtins,
    openai_chunks,
    openai_frames,
    openai_sse,
)

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "streams"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())
REGEN = os.environ.get("TRANSLATE_REGEN") == "1"


def meta(case: str) -> dict:
    return json.loads((ROOT / case / "meta.json").read_text())


def request_of(case: str) -> Any:
    path = ROOT / case / "request.json"
    return json.loads(path.read_text()) if path.exists() else None


def translate_case(case: str, chunks: list[bytes] | None = None) -> tuple[bytes, list[Loss]]:
    m = meta(case)
    src = m["source"]
    data = (ROOT / case / f"{src}.sse").read_bytes()
    module = to_anthropic if src == "openai" else to_openai
    losses: list[Loss] = []
    out = b"".join(
        module.sse(
            chunks if chunks is not None else [data], request=request_of(case), losses=losses
        )
    )
    return out, losses


def target_of(case: str) -> str:
    return "anthropic" if meta(case)["source"] == "openai" else "openai"


# --- the SDKs as judges -------------------------------------------------------------------


def sdk_accumulate_anthropic(events: list[dict]) -> Any:
    """The anthropic SDK's own accumulation (``MessageStream`` uses it); ping and error
    frames are handled by its SSE reader before events are built, so they stop here."""
    snapshot = None
    bufs: dict[int, bytes] = {}
    for e in events:
        if e["type"] == "ping":
            continue
        if e["type"] == "error":
            raise StreamError(e)
        snapshot = accumulate_event(event=e, current_snapshot=snapshot, json_bufs=bufs)
    return snapshot


def sdk_accumulate_openai(chunks: list[dict]) -> Any:
    state = ChatCompletionStreamState()
    for c in chunks:
        if "error" in c and "choices" not in c:
            raise StreamError(c)
        state.handle_chunk(SDKChunk.model_validate(c))
    # (get_final_completion() refuses finish_reason length / content_filter by design)
    return state.current_completion_snapshot


def validate_output(target: str, data: bytes) -> list[dict]:
    """Every frame of a translated stream is valid for the SDK, strictly; returns them."""
    if target == "anthropic":
        events = anthropic_frames(data)
        for e in events:
            sdk_strict.validate_anthropic_stream_event(e)
        return events
    chunks, done = openai_frames(data)
    for c in chunks:
        if "error" in c:
            sdk_strict.validate_openai_error(c)
        else:
            sdk_strict.validate_chat_completion_chunk(c)
    assert done or "error" in chunks[-1], "an openai stream ends with [DONE] or an error frame"
    return chunks


# --- fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    out, losses = translate_case(case)
    target = target_of(case)
    expected = ROOT / case / f"{target}.sse"
    got_losses = [[loss.path, loss.kind] for loss in losses]
    if REGEN:
        expected.write_bytes(out)
        m = meta(case)
        m["losses"] = got_losses
        (ROOT / case / "meta.json").write_text(json.dumps(m, indent=2) + "\n")
    assert out == expected.read_bytes()
    assert got_losses == meta(case)["losses"]
    validate_output(target, out)


@pytest.mark.parametrize("case", CASES)
def test_fixture_sdk_accumulators(case: str) -> None:
    """Both the SDK's accumulator and ours accept the output and agree on the content."""
    out, _ = translate_case(case)
    target = target_of(case)
    frames = validate_output(target, out)
    errored = "error" in json.dumps(frames[-1])[:20]
    if target == "anthropic":
        if errored:
            with pytest.raises(StreamError):
                sdk_accumulate_anthropic(frames)
            return
        ours = accumulate_anthropic(frames)
        sdk = sdk_accumulate_anthropic(frames).to_dict()
        assert list(sdk["content"]) == ours["content"]
        assert sdk["stop_reason"] == ours["stop_reason"]
        assert sdk["usage"] == ours["usage"]
    else:
        if errored:
            with pytest.raises(StreamError):
                sdk_accumulate_openai(frames)
            return
        ours = accumulate_openai(frames)
        sdk = sdk_accumulate_openai(frames)
        msg = ours["choices"][0]["message"]
        assert sdk.choices[0].message.content == msg.get("content")
        assert sdk.choices[0].finish_reason == ours["choices"][0]["finish_reason"]
        calls = [
            (c.id, c.function.name, c.function.arguments)
            for c in sdk.choices[0].message.tool_calls or ()
        ]
        assert calls == [
            (c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in msg.get("tool_calls", ())
        ]
        extra = sdk.choices[0].message.model_extra or {}
        assert extra.get("reasoning_content") == msg.get("reasoning_content")
        if "usage" in ours:
            assert sdk.usage.model_dump(exclude_none=True) == ours["usage"]


@pytest.mark.parametrize("case", CASES)
def test_fixture_split_at_every_byte(case: str) -> None:
    """The output does not depend on where the input was split: at every single byte
    boundary into two pieces, and into one-byte pieces."""
    whole, losses = translate_case(case)
    src = meta(case)["source"]
    data = (ROOT / case / f"{src}.sse").read_bytes()
    for i in range(1, len(data)):
        out, split_losses = translate_case(case, [data[:i], data[i:]])
        assert out == whole, f"split at byte {i}"
        assert split_losses == losses
    out, _ = translate_case(case, [data[i : i + 1] for i in range(len(data))])
    assert out == whole


@pytest.mark.parametrize("case", CASES)
def test_fixture_struct_level_equals_sse(case: str) -> None:
    """``stream()`` on structs gives exactly the frames ``sse()`` writes (the SSE layer's
    pre-encoded envelope included)."""
    out, _ = translate_case(case)
    src = meta(case)["source"]
    data = (ROOT / case / f"{src}.sse").read_bytes()
    if src == "openai":
        chunks, done = openai_frames(data)
        items: list[Any] = chunks + (["[DONE]"] if done else [])
        events = list(to_anthropic.stream(items, request=request_of(case)))
        expected = b"".join(
            b"event: "
            + e.__struct_config__.tag.encode()
            + b"\ndata: "
            + msgspec.json.encode(e)
            + b"\n\n"
            for e in events
        )
    else:
        items = list(anthropic_frames(data))
        chunks_out = list(to_openai.stream(items, request=request_of(case)))
        expected = b"".join(b"data: " + msgspec.json.encode(c) + b"\n\n" for c in chunks_out)
        if not isinstance(chunks_out[-1], o.ErrorBody):
            expected += DONE
    assert out == expected


def test_fixtures_cover_the_issue() -> None:
    need = {
        "mimo_reasoning_tool_calls",
        "deepseek_reasoner",
        "vllm_reasoning",
        "openrouter_reasoning_details",
        "openai_usage_parallel_tools",
        "anthropic_interleaved_thinking",
        "anthropic_error",
    }
    assert need <= set(CASES)
    text = (ROOT / "anthropic_interleaved_thinking" / "anthropic.sse").read_text()
    for what in ("signature_delta", "event: ping", "redacted_thinking", '"index":4'):
        assert what in text
    assert "event: error" in (ROOT / "anthropic_error" / "anthropic.sse").read_text()


def test_request_restores_names_and_model() -> None:
    out, _ = translate_case("openai_usage_parallel_tools")
    events = anthropic_frames(out)
    long = "mcp__filesystem__list_directory_with_sizes_and_modification_times_recursive"
    assert short_name(long, 64) in (ROOT / "openai_usage_parallel_tools" / "openai.sse").read_text()
    names = [e["content_block"]["name"] for e in events if e["type"] == "content_block_start"]
    assert names == ["read_file", long]
    assert events[0]["message"]["model"] == "claude-sonnet-4-5"
    # without request=, the names stay as the upstream sent them
    data = (ROOT / "openai_usage_parallel_tools" / "openai.sse").read_bytes()
    events = anthropic_frames(b"".join(to_anthropic.sse([data])))
    assert events[0]["message"]["model"] == "gpt-4.1-2025-04-14"
    assert short_name(long, 64) in [
        e["content_block"]["name"] for e in events if e["type"] == "content_block_start"
    ]


# --- the real SDK clients reading sse() output --------------------------------------------


def _fixture_upstream(case: str) -> bytes:
    return (ROOT / case / f"{meta(case)['source']}.sse").read_bytes()


def _pieces(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_anthropic_client_reads_translated_stream() -> None:
    """``client.messages.stream`` over an in-process transport serving ``to_anthropic.sse``."""
    upstream = _fixture_upstream("mimo_reasoning_tool_calls")

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages"
        body = to_anthropic.sse(_pieces(upstream), request=json.loads(request.content))
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = anthropic.Anthropic(
        api_key="k",
        base_url="http://gateway",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with client.messages.stream(
        model="mimo", max_tokens=1024, messages=[{"role": "user", "content": "weather?"}]
    ) as s:
        texts = list(s.text_stream)
        final = s.get_final_message()
    assert "".join(texts) == "Let me check both cities."
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert final.content[0].signature == ""
    assert [b.input for b in final.content[2:]] == [{"city": "Beijing"}, {"city": "Shanghai"}]
    assert final.stop_reason == "tool_use"
    assert final.model == "mimo"
    assert (
        final.usage.input_tokens,
        final.usage.cache_read_input_tokens,
        final.usage.output_tokens,
    ) == (84, 128, 87)


def test_anthropic_client_sees_the_upstream_error() -> None:
    upstream = openai_sse(
        [
            _chunk({"role": "assistant", "content": "Hel"}),
            {"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": "429"}},
        ],
        done=False,
    )

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, headers={"content-type": "text/event-stream"}, content=to_anthropic.sse([upstream])
        )

    client = anthropic.Anthropic(
        api_key="k",
        base_url="http://gateway",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client.messages.stream(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        ) as s,
    ):
        s.get_final_message()
    assert "rate_limit_error" in str(info.value)


def test_openai_client_reads_translated_stream() -> None:
    """``client.chat.completions.create(stream=True)`` over a transport serving ``to_openai.sse``."""
    upstream = _fixture_upstream("anthropic_interleaved_thinking")

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/chat/completions")
        body = to_openai.sse(_pieces(upstream, 11), request=json.loads(request.content))
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = openai.OpenAI(
        api_key="k",
        base_url="http://gateway/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    chunks = list(
        client.chat.completions.create(
            model="claude",
            messages=[{"role": "user", "content": "why?"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    state = ChatCompletionStreamState()
    for c in chunks:
        state.handle_chunk(c)
    final = state.get_final_completion()
    msg = final.choices[0].message
    assert msg.content == "I'll read the module and its test."
    assert [(c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls] == [
        ("Read", {"file_path": "/repo/src/app.py"}),
        ("Read", {"file_path": "/repo/tests/test_app.py"}),
        ("TodoRead", {}),
    ]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.model == "claude"
    assert final.usage.prompt_tokens == 12 + 2048 + 15360
    assert final.usage.prompt_tokens_details.cached_tokens == 15360
    extra = msg.model_extra
    assert (
        extra["reasoning_content"]
        == "The tests fail on import. I should read the module and its test together."
    )
    assert extra["reasoning_details"][0]["signature"].startswith("EuYB")
    assert extra["reasoning_details"][1]["type"] == "reasoning.encrypted"


def test_openai_client_without_usage_request_gets_no_usage_chunk() -> None:
    upstream = _fixture_upstream("mimo_messages_unsigned_thinking")

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = to_openai.sse([upstream], request=json.loads(request.content))
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = openai.OpenAI(
        api_key="k",
        base_url="http://gateway/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    chunks = list(
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    assert all(c.choices for c in chunks) and all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_openai_client_raises_on_upstream_error() -> None:
    upstream = _fixture_upstream("anthropic_error")

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, headers={"content-type": "text/event-stream"}, content=to_openai.sse([upstream])
        )

    client = openai.OpenAI(
        api_key="k",
        base_url="http://gateway/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with pytest.raises(openai.APIError, match="Overloaded"):
        for _ in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        ):
            pass


async def _asgi_app(scope: dict, receive: Any, send: Any) -> None:
    """A gateway in one function: reads the client's request, streams the translation of
    a fixture's upstream bytes through ``async_sse``."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    request = json.loads(body)
    path = scope["path"]
    if path == "/v1/messages":
        upstream, translate, case = "openai", to_anthropic.async_sse, "openrouter_reasoning_details"
    else:
        upstream, translate, case = (
            "anthropic",
            to_openai.async_sse,
            "anthropic_interleaved_thinking",
        )

    async def pieces() -> Any:
        for p in _pieces((ROOT / case / f"{upstream}.sse").read_bytes(), 13):
            await asyncio.sleep(0)
            yield p

    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream")],
        }
    )
    async for out in translate(pieces(), request=request):
        await send({"type": "http.response.body", "body": out, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def test_async_clients_through_an_asgi_app() -> None:
    async def main() -> None:
        transport = httpx2.ASGITransport(app=_asgi_app)
        ac = anthropic.AsyncAnthropic(
            api_key="k",
            base_url="http://gateway",
            http_client=httpx2.AsyncClient(transport=transport),
        )
        async with ac.messages.stream(
            model="m", max_tokens=99, messages=[{"role": "user", "content": "haiku"}]
        ) as s:
            final = await s.get_final_message()
        assert [b.type for b in final.content] == ["thinking", "text"]
        assert final.content[0].signature.startswith("EqMB")
        assert final.content[1].text.startswith("Soft rain")
        oc = openai.AsyncOpenAI(
            api_key="k",
            base_url="http://gateway/v1",
            http_client=httpx2.AsyncClient(transport=transport),
        )
        chunks = [
            c
            async for c in await oc.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}], stream=True
            )
        ]
        assert chunks[-1].choices[0].finish_reason == "tool_calls"

    asyncio.run(main())


# --- exact events of the hard cases ---------------------------------------------------------

ENV = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


def _chunk(delta: dict, finish: str | None = None, **extra: Any) -> dict:
    return dict(ENV, choices=[{"index": 0, "delta": delta, "finish_reason": finish}], **extra)


def _usage_chunk(prompt: int = 10, completion: int = 5, cached: int = 0) -> dict:
    usage: dict = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return dict(ENV, choices=[], usage=usage)


def _to_anthropic(items: list[Any], **kw: Any) -> tuple[list[dict], list[Loss]]:
    losses: list[Loss] = []
    events = builtins(to_anthropic.stream(items, losses=losses, **kw))
    for e in events:
        sdk_strict.validate_anthropic_stream_event(e)
    return events, losses


def _short(events: list[dict]) -> list[tuple]:
    """An event as a short tuple, for exact expectations that read like the stream."""
    out: list[tuple] = []
    for e in events:
        t = e["type"]
        if t == "message_start":
            out.append(("start",))
        elif t == "content_block_start":
            b = e["content_block"]
            out.append(
                ("open", e["index"], b["type"]) + ((b["name"],) if b["type"] == "tool_use" else ())
            )
        elif t == "content_block_delta":
            d = e["delta"]
            value = d.get("text", d.get("thinking", d.get("partial_json", d.get("signature"))))
            out.append((d["type"].removesuffix("_delta"), e["index"], value))
        elif t == "content_block_stop":
            out.append(("close", e["index"]))
        elif t == "message_delta":
            out.append(("delta", e["delta"]["stop_reason"], e["usage"]))
        elif t == "message_stop":
            out.append(("stop",))
        elif t == "error":
            out.append(("error", e["error"]["type"], e["error"]["message"]))
    return out


def test_text_after_tool_calls_goes_before_them() -> None:
    """Text after a tool call: the call is held (bounded) and said after the text, as the
    response says the accumulated stream (one text, then the calls); text never lands in
    the tool block's index."""
    events, _ = _to_anthropic(
        [
            _chunk({"role": "assistant", "content": "A"}),
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c0",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ]
                }
            ),
            _chunk({"content": "B"}),
            _chunk({}, "tool_calls"),
            _usage_chunk(),
        ]
    )
    assert _short(events) == [
        ("start",),
        ("open", 0, "text"),
        ("text", 0, "A"),
        ("text", 0, "B"),
        ("close", 0),
        ("open", 1, "tool_use", "f"),
        ("close", 1),
        ("delta", "tool_use", {"output_tokens": 5, "input_tokens": 10}),
        ("stop",),
    ]
    accumulate_anthropic(events)
    sdk_accumulate_anthropic(events)


def test_several_thinking_segments() -> None:
    """reasoning_content interrupted by text is a new thinking block; reasoning_details
    with a new index is a new thinking block even without anything between."""
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant", "content": "", "reasoning_content": "r1"}),
            _chunk({"content": "t1"}),
            _chunk({"reasoning_content": "r2"}),
            _chunk({"reasoning_details": [{"type": "reasoning.text", "text": "d0", "index": 5}]}),
            _chunk(
                {
                    "reasoning_details": [
                        {"type": "reasoning.text", "text": "d1", "index": 6, "signature": "S"}
                    ]
                }
            ),
            _chunk(
                {"reasoning_details": [{"type": "reasoning.encrypted", "data": "ENC", "index": 7}]}
            ),
            _chunk({"content": "t2"}, "stop"),
        ]
    )
    assert _short(events) == [
        ("start",),
        ("open", 0, "thinking"),
        ("thinking", 0, "r1"),
        ("close", 0),
        ("open", 1, "text"),
        ("text", 1, "t1"),
        ("close", 1),
        ("open", 2, "thinking"),
        ("thinking", 2, "r2"),
        ("thinking", 2, "d0"),
        ("close", 2),
        ("open", 3, "thinking"),
        ("thinking", 3, "d1"),
        ("signature", 3, "S"),
        ("close", 3),
        ("open", 4, "redacted_thinking"),
        ("close", 4),
        ("open", 5, "text"),
        ("text", 5, "t2"),
        ("close", 5),
        ("delta", "end_turn", {"output_tokens": 0, "input_tokens": 0}),
        ("stop",),
    ]
    assert [(x.path, x.kind) for x in losses] == [("usage", "approximated")]
    message = accumulate_anthropic(events)
    assert [b.get("signature") for b in message["content"] if b["type"] == "thinking"] == [
        "",
        "",
        "S",
    ]


def test_ghost_tool_call_is_a_loss_not_a_block() -> None:
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant", "content": ""}),
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c0",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a":1}'},
                        }
                    ]
                }
            ),
            _chunk(
                {
                    "tool_calls": [
                        {"index": 1, "id": "", "type": "function", "function": {"arguments": "{}"}}
                    ]
                }
            ),
            _chunk({}, "tool_calls"),
            _usage_chunk(),
            "[DONE]",
        ]
    )
    assert _short(events) == [
        ("start",),
        ("open", 0, "tool_use", "f"),
        ("input_json", 0, '{"a":1}'),
        ("close", 0),
        ("delta", "tool_use", {"output_tokens": 5, "input_tokens": 10}),
        ("stop",),
    ]
    assert [(x.path, x.kind) for x in losses] == [
        ("choices[0].delta.tool_calls[index=1]", "dropped")
    ]
    assert "ghost" in losses[0].detail


def test_only_a_ghost_call_stops_as_end_turn() -> None:
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant", "content": "ok"}),
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": ""}}]}),
            _chunk({}, "tool_calls"),
            _usage_chunk(),
        ]
    )
    assert _short(events)[-2][:2] == ("delta", "end_turn")
    assert [(x.path, x.kind) for x in losses] == [
        ("choices[0].delta.tool_calls[index=0]", "dropped"),
        ("choices[0].finish_reason", "approximated"),
    ]


def test_parallel_tool_calls_with_late_names() -> None:
    """Arguments before the name are held until the name comes; each openai index is its
    own block, in order; a call's first argument piece is never lost. (Held calls are said
    whole, their input as the response reads it: compact JSON.)"""
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant"}),
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c0",
                            "type": "function",
                            "function": {"arguments": '{"x"'},
                        }
                    ]
                }
            ),
            _chunk(
                {"tool_calls": [{"index": 0, "function": {"name": "first", "arguments": ":1}"}}]}
            ),
            _chunk({"tool_calls": [{"index": 1, "id": "c1", "function": {"arguments": '{"y":'}}]}),
            _chunk({"tool_calls": [{"index": 1, "function": {"name": "second"}}]}),
            _chunk({"tool_calls": [{"index": 1, "function": {"arguments": "2}"}}]}),
            _chunk({}, "tool_calls"),
            _usage_chunk(),
        ]
    )
    assert _short(events) == [
        ("start",),
        ("open", 0, "tool_use", "first"),
        ("input_json", 0, '{"x":1}'),
        ("close", 0),
        ("open", 1, "tool_use", "second"),
        ("input_json", 1, '{"y":2}'),
        ("close", 1),
        ("delta", "tool_use", {"output_tokens": 5, "input_tokens": 10}),
        ("stop",),
    ]
    assert losses == []
    message = accumulate_anthropic(events)
    assert [(b["id"], b["input"]) for b in message["content"]] == [
        ("c0", {"x": 1}),
        ("c1", {"y": 2}),
    ]


def test_fragment_for_an_earlier_call_still_reaches_it() -> None:
    """Calls are held until the content ends, so a late fragment of an earlier call is
    still its own (it used to be a Loss); one after the call was said is a Loss."""
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant"}),
            _chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "c0", "function": {"name": "f", "arguments": "{}"}}
                    ]
                }
            ),
            _chunk(
                {
                    "tool_calls": [
                        {"index": 1, "id": "c1", "function": {"name": "g", "arguments": "{}"}}
                    ]
                }
            ),
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": " "}}]}),
            _chunk({}, "tool_calls"),
            _usage_chunk(),
        ]
    )
    message = accumulate_anthropic(events)  # never a delta into a closed or other block
    assert [b["input"] for b in message["content"]] == [{}, {}]
    assert losses == []
    s = to_anthropic.Stream()
    s.feed(_chunk({"tool_calls": [{"index": 0, "id": "c0", "function": {"name": "f"}}]}))
    s.feed(_chunk({}, "tool_calls"))
    s.feed(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}))
    assert ("choices[0].delta", "dropped") in [(x.path, x.kind) for x in s.losses]


def test_finish_stop_after_tool_calls_is_tool_use() -> None:
    events, _ = _to_anthropic(
        [
            _chunk({"role": "assistant"}),
            _chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "c0", "function": {"name": "f", "arguments": "{}"}}
                    ]
                }
            ),
            _chunk({}, "stop"),
            _usage_chunk(),
        ]
    )
    assert _short(events)[-2][:2] == ("delta", "tool_use")


def test_usage_less_stream() -> None:
    """No usage chunk ever: the stream still ends (at [DONE] or the end), usage zero, a Loss."""
    for tail in (["[DONE]"], []):
        events, losses = _to_anthropic(
            [_chunk({"role": "assistant", "content": "hi"}), _chunk({}, "length")] + tail
        )
        assert _short(events) == [
            ("start",),
            ("open", 0, "text"),
            ("text", 0, "hi"),
            ("close", 0),
            ("delta", "max_tokens", {"output_tokens": 0, "input_tokens": 0}),
            ("stop",),
        ]
        assert [(x.path, x.kind) for x in losses] == [("usage", "approximated")]


def test_usage_on_the_finish_chunk() -> None:
    """DeepSeek / MiMo style: usage rides on the finish chunk, no choices: [] chunk."""
    events, losses = _to_anthropic(
        [
            _chunk({"role": "assistant", "content": "hi"}),
            _chunk(
                {},
                "stop",
                usage={
                    "prompt_tokens": 7,
                    "completion_tokens": 2,
                    "total_tokens": 9,
                    "prompt_tokens_details": {"cached_tokens": 3},
                },
            ),
            "[DONE]",
        ]
    )
    assert _short(events)[-2] == (
        "delta",
        "end_turn",
        {"output_tokens": 2, "input_tokens": 4, "cache_read_input_tokens": 3},
    )
    assert losses == []


def test_error_chunk_becomes_error_event() -> None:
    for extra in ([], ["[DONE]"]):
        events, _ = _to_anthropic(
            [
                _chunk({"role": "assistant", "content": "par"}),
                {
                    "error": {
                        "message": "Param Incorrect",
                        "type": "",
                        "param": "reasoning_content is missing",
                        "code": "400",
                    }
                },
                _chunk({"content": "ignored"}),
            ]
            + extra
        )
        assert _short(events) == [
            ("start",),
            ("open", 0, "text"),
            ("text", 0, "par"),
            ("close", 0),
            ("error", "invalid_request_error", "Param Incorrect: reasoning_content is missing"),
        ]


def test_error_bytes_at_sse_level() -> None:
    upstream = openai_sse(
        [
            _chunk({"role": "assistant", "content": "x"}),
            {"error": {"message": "boom", "type": "server_error", "code": None}},
        ],
        done=False,
    )
    events = anthropic_frames(b"".join(to_anthropic.sse([upstream])))
    assert _short(events)[-1] == ("error", "api_error", "boom")


@pytest.mark.parametrize("cut", [0, 1, 2, 3])
def test_truncated_openai_stream(cut: int) -> None:
    """An upstream that stops without finish reason or [DONE]: blocks closed, an error event."""
    chunks = [
        _chunk({"role": "assistant", "content": "", "reasoning_content": "hmm"}),
        _chunk({"content": "partial"}),
        _chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"a"'}}
                ]
            }
        ),
    ][:cut]
    data = openai_sse(chunks, done=False) + b'data: {"id":"chatcmpl-1","obj'  # and a torn frame
    events = anthropic_frames(b"".join(to_anthropic.sse([data])))
    expected = {
        0: [],
        1: [("open", 0, "thinking"), ("thinking", 0, "hmm"), ("close", 0)],
        2: [
            ("open", 0, "thinking"),
            ("thinking", 0, "hmm"),
            ("close", 0),
            ("open", 1, "text"),
            ("text", 1, "partial"),
            ("close", 1),
        ],
        3: [
            ("open", 0, "thinking"),
            ("thinking", 0, "hmm"),
            ("close", 0),
            ("open", 1, "text"),
            ("text", 1, "partial"),
            ("close", 1),
            ("open", 2, "tool_use", "f"),
            ("input_json", 2, '{"_raw_arguments":"{\\"a\\""}'),  # cut short: not an object
            ("close", 2),
        ],
    }[cut]
    if cut == 0:
        assert _short(events) == [
            ("error", "api_error", "the upstream stream ended before its first chunk")
        ]
        return
    assert _short(events) == [("start",)] + expected + [
        ("error", "api_error", "the upstream stream ended without a finish reason")
    ]
    with pytest.raises((StreamError, json.JSONDecodeError)):  # the torn tool input, or the error
        accumulate_anthropic(events)
    with pytest.raises(StreamError):
        sdk_accumulate_anthropic(events)  # the SDK parses partial input as it goes


def test_done_without_finish_reason_is_an_error() -> None:
    events, _ = _to_anthropic([_chunk({"role": "assistant", "content": "x"}), "[DONE]"])
    assert _short(events)[-1] == (
        "error",
        "api_error",
        "the upstream stream ended ([DONE]) without a finish reason",
    )


def test_unreadable_upstream_ends_with_error_event() -> None:
    data = (
        openai_sse([_chunk({"role": "assistant", "content": "x"})], done=False)
        + b"data: {not json\n\n"
    )
    events = anthropic_frames(b"".join(to_anthropic.sse([data])))
    assert _short(events)[-1][:2] == ("error", "api_error")
    with pytest.raises(TranslationError):
        to_anthropic.Stream().feed("{not json")


def test_struct_and_dict_and_bytes_inputs_agree() -> None:
    items = [_chunk({"role": "assistant", "content": "a"}), _chunk({}, "stop"), _usage_chunk()]
    as_bytes = [json.dumps(c).encode() for c in items]
    as_structs = [msgspec.convert(c, o.ChatCompletionChunk) for c in items]
    results = [
        builtins(to_anthropic.stream(x))
        for x in (items, as_bytes, as_structs, [json.dumps(c) for c in items])
    ]
    assert all(r == results[0] for r in results)


def test_unknown_fields_are_losses_once() -> None:
    s = to_anthropic.Stream()
    for _ in range(100):
        s.feed(_chunk({"content": "x", "weird": 1}))
    assert [(x.path, x.kind) for x in s.losses] == [("choices[0].delta.weird", "dropped")]


def test_strict_raises_at_the_first_loss() -> None:
    s = to_anthropic.Stream(strict=True)
    s.feed(_chunk({"role": "assistant", "content": "x"}))
    s.feed(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}))
    with pytest.raises(LossError):
        s.feed(_chunk({}, "stop"))


def test_n_greater_than_one_keeps_the_first_choice() -> None:
    c = dict(
        ENV,
        choices=[{"index": 0, "delta": {"content": "a"}}, {"index": 1, "delta": {"content": "b"}}],
    )
    events, losses = _to_anthropic([c, _chunk({}, "stop"), _usage_chunk()])
    assert ("text", 0, "a") in _short(events) and ("text", 0, "b") not in _short(events)
    assert ("choices[1]", "dropped") in [(x.path, x.kind) for x in losses]


# --- anthropic -> openai: exact chunks -------------------------------------------------------

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    },
}


def _to_openai(events: list[Any], **kw: Any) -> tuple[list[dict], list[Loss]]:
    losses: list[Loss] = []
    chunks = builtins(to_openai.stream(events, losses=losses, **kw))
    for c in chunks:
        if "error" in c:
            sdk_strict.validate_openai_error(c)
        else:
            sdk_strict.validate_chat_completion_chunk(c)
    return chunks, losses


def _deltas(chunks: list[dict]) -> list[Any]:
    out: list[Any] = []
    for c in chunks:
        if "error" in c:
            out.append(("error", c["error"]["type"], c["error"]["message"]))
        elif not c["choices"]:
            out.append(("usage", c["usage"]))
        elif c["choices"][0]["finish_reason"]:
            out.append(("finish", c["choices"][0]["finish_reason"]))
        else:
            out.append(c["choices"][0]["delta"])
    return out


def _block(i: int, block: dict, *deltas: dict) -> list[dict]:
    return (
        [{"type": "content_block_start", "index": i, "content_block": block}]
        + [{"type": "content_block_delta", "index": i, "delta": d} for d in deltas]
        + [{"type": "content_block_stop", "index": i}]
    )


END = [
    {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 20},
    },
    {"type": "message_stop"},
]


def test_openai_thinking_text_tools_exact() -> None:
    events = (
        [START, {"type": "ping"}]
        + _block(
            0,
            {"type": "thinking", "thinking": "", "signature": ""},
            {"type": "thinking_delta", "thinking": "a"},
            {"type": "signature_delta", "signature": "SIG"},
        )
        + _block(
            1,
            {"type": "thinking", "thinking": "", "signature": ""},
            {"type": "thinking_delta", "thinking": "b"},
        )
        + _block(
            2,
            {"type": "text", "text": ""},
            {"type": "text_delta", "text": "hi"},
        )
        + _block(
            3,
            {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
            {"type": "input_json_delta", "partial_json": '{"q":'},
            {"type": "input_json_delta", "partial_json": "1}"},
        )
        + _block(4, {"type": "tool_use", "id": "t2", "name": "g", "input": {}})
        + _block(
            5,
            {"type": "text", "text": ""},
            {"type": "text_delta", "text": " after"},
        )
        + [
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                "usage": {"output_tokens": 20, "cache_read_input_tokens": 5},
            },
            {"type": "message_stop"},
        ]
    )
    chunks, losses = _to_openai(events)
    assert _deltas(chunks) == [
        {"role": "assistant", "content": ""},
        {
            "reasoning_content": "",
            "reasoning_details": [{"type": "reasoning.text", "index": 0, "text": ""}],
        },
        {
            "reasoning_content": "a",
            "reasoning_details": [{"type": "reasoning.text", "index": 0, "text": "a"}],
        },
        {"reasoning_details": [{"type": "reasoning.text", "index": 0, "signature": "SIG"}]},
        {
            "reasoning_content": "\n\n",
            "reasoning_details": [{"type": "reasoning.text", "index": 1, "text": ""}],
        },
        {
            "reasoning_content": "b",
            "reasoning_details": [{"type": "reasoning.text", "index": 1, "text": "b"}],
        },
        {"content": "hi"},
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "f", "arguments": ""},
                }
            ]
        },
        {"tool_calls": [{"index": 0, "function": {"arguments": '{"q":'}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]},
        {
            "tool_calls": [
                {
                    "index": 1,
                    "id": "t2",
                    "type": "function",
                    "function": {"name": "g", "arguments": ""},
                }
            ]
        },
        {"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]},
        {"content": " after"},
        ("finish", "tool_calls"),
        (
            "usage",
            {
                "prompt_tokens": 15,
                "completion_tokens": 20,
                "total_tokens": 35,
                "prompt_tokens_details": {"cached_tokens": 5},
            },
        ),
    ]
    assert [(x.path, x.kind) for x in losses] == [
        ("content[5]", "approximated")
    ]  # text after a tool call
    final = sdk_accumulate_openai(chunks)
    assert final.choices[0].message.content == "hi after"
    assert final.choices[0].message.model_extra["reasoning_details"] == [
        {"type": "reasoning.text", "index": 0, "text": "a", "signature": "SIG"},
        {"type": "reasoning.text", "index": 1, "text": "b"},
    ]


def test_openai_error_event_and_truncation() -> None:
    body = [START] + _block(0, {"type": "text", "text": ""}, {"type": "text_delta", "text": "x"})
    chunks, _ = _to_openai(
        body + [{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}]
    )
    assert _deltas(chunks)[-1] == ("error", "overloaded_error", "Overloaded")
    chunks, _ = _to_openai(body[:-1])  # the stream stops inside the text block
    assert _deltas(chunks) == [
        {"role": "assistant", "content": ""},
        {"content": "x"},
        ("error", "server_error", "the upstream stream ended before its message_delta"),
    ]
    data = anthropic_sse(body[:-1])[:-9]  # torn last frame, no message_delta
    out, done = openai_frames(b"".join(to_openai.sse([data])))
    assert (
        not done
        and out[-1]["error"]["message"] == "the upstream stream ended before its message_delta"
    )
    out, done = openai_frames(b"".join(to_openai.sse([b""])))
    assert not done and out == [
        {
            "error": {
                "message": "the upstream stream ended before message_start",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        }
    ]


def test_openai_missing_message_stop_still_completes() -> None:
    chunks, _ = _to_openai(
        [START]
        + _block(0, {"type": "text", "text": ""}, {"type": "text_delta", "text": "x"})
        + END[:1]
    )
    assert _deltas(chunks)[-2:] == [
        ("finish", "stop"),
        ("usage", {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}),
    ]


def test_openai_include_usage_follows_the_request() -> None:
    events = (
        [START] + _block(0, {"type": "text", "text": ""}, {"type": "text_delta", "text": "x"}) + END
    )
    req = {"model": "asked", "messages": [{"role": "user", "content": "q"}], "stream": True}
    chunks, _ = _to_openai(events, request=req)
    assert _deltas(chunks)[-1] == ("finish", "stop") and {c["model"] for c in chunks} == {"asked"}
    chunks, _ = _to_openai(events, request=dict(req, stream_options={"include_usage": True}))
    assert _deltas(chunks)[-1][0] == "usage"


def test_openai_created_is_the_callers() -> None:
    events = (
        [START] + _block(0, {"type": "text", "text": ""}, {"type": "text_delta", "text": "x"}) + END
    )
    chunks, done = openai_frames(
        b"".join(to_openai.sse([anthropic_sse(events)], created=1764237602))
    )
    assert done and {c["created"] for c in chunks} == {1764237602}
    assert {c["created"] for c in builtins(to_openai.stream(events))} == {0}


def test_openai_unknown_event_type_is_skipped_with_a_loss() -> None:
    events = (
        [START, {"type": "message_annotation", "x": 1}]
        + _block(0, {"type": "text", "text": ""})
        + END
    )
    chunks, losses = _to_openai(events)
    assert _deltas(chunks)[-2:][0] == ("finish", "stop")
    assert [(x.path, x.kind) for x in losses] == [("message_annotation", "dropped")]


def test_openai_server_tool_blocks_are_losses() -> None:
    events = (
        [START]
        + _block(
            0,
            {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}},
            {"type": "input_json_delta", "partial_json": '{"q":1}'},
        )
        + END
    )
    chunks, losses = _to_openai(events)
    assert _deltas(chunks) == [
        {"role": "assistant", "content": ""},
        ("finish", "stop"),
        ("usage", {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}),
    ]
    assert [(x.path, x.kind) for x in losses] == [("content[0]", "dropped")]


def test_openai_event_before_message_start_is_an_error() -> None:
    with pytest.raises(TranslationError):
        to_openai.Stream().feed({"type": "content_block_stop", "index": 0})


# --- round trips and commutation (hypothesis) -------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_ident = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=10)
_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), _text)
_json_value = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_ident, inner, max_size=3)
    ),
    max_leaves=6,
)
_input = st.dictionaries(_ident, _json_value, max_size=3)
_count = st.integers(0, 10**6)


@st.composite
def cutter(draw: Any) -> Any:
    """A cut: every text into pieces at drawn places (at most a few per text)."""
    seeds = draw(st.lists(st.integers(1, 50), min_size=1, max_size=6))

    def cut(text: str) -> list[str]:
        if not text:
            return []
        points = sorted({s % len(text) for s in seeds} - {0})
        return [text[i:j] for i, j in zip([0] + points, points + [len(text)])]

    return cut


@st.composite
def anthropic_messages(draw: Any, any_order: bool = False) -> dict:
    """Messages in the lossless domain of anthropic -> openai: reasoning, text, tool calls
    (in the order a chat completion says them, unless ``any_order``), every stop reason
    with an exact twin or a native_finish_reason, the usage counts both dialects have."""
    content: list[dict] = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            content.append(
                {
                    "type": "thinking",
                    "thinking": draw(_text),
                    "signature": draw(st.sampled_from(["", "Eq" + "x" * 8])),
                }
            )
        else:
            content.append({"type": "redacted_thinking", "data": "ENC" + draw(_ident)})
    if draw(st.booleans()):
        content.append({"type": "text", "text": draw(_text.filter(bool))})
    calls = draw(st.lists(st.tuples(_ident, _input), max_size=3))
    for i, (name, args) in enumerate(calls):
        content.append({"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": args})
    if any_order:
        content = draw(st.permutations(content))
        content = [
            b
            for i, b in enumerate(content)
            if not (b["type"] == "text" and any(c["type"] == "tool_use" for c in content[:i]))
        ]
    stop, sequence = "tool_use", None
    if not calls:
        stop = draw(
            st.sampled_from(
                [
                    "end_turn",
                    "max_tokens",
                    "refusal",
                    "stop_sequence",
                    "pause_turn",
                    "model_context_window_exceeded",
                ]
            )
        )
        if stop == "stop_sequence":
            sequence = draw(_text.filter(bool))
    usage: dict = {"input_tokens": draw(_count), "output_tokens": draw(_count)}
    if draw(st.booleans()):
        usage["cache_read_input_tokens"] = draw(_count)
    if draw(st.booleans()):
        usage["cache_creation_input_tokens"] = draw(_count)
    if draw(st.booleans()):
        usage["output_tokens_details"] = {"thinking_tokens": draw(_count)}
    if draw(st.booleans()):
        usage["service_tier"] = draw(st.sampled_from(["standard", "priority"]))
    return {
        "id": "msg_" + draw(_ident),
        "type": "message",
        "role": "assistant",
        "model": draw(_ident),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": sequence,
        "usage": usage,
    }


@st.composite
def openai_completions(draw: Any, refusals: bool = True) -> dict:
    """Completions in the lossless domain of openai -> anthropic (a refusal is not in the
    domain of the stream round trip: see test_refusal_round_trip_is_a_loss)."""
    message: dict = {"role": "assistant"}
    if draw(st.booleans()):
        message[draw(st.sampled_from(["reasoning_content", "reasoning"]))] = draw(
            _text.filter(bool)
        )
    if draw(st.booleans()):
        message["content"] = draw(_text.filter(bool))
    calls = draw(st.lists(st.tuples(_ident, _input), max_size=3))
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": n, "arguments": json.dumps(args)},
            }
            for i, (n, args) in enumerate(calls)
        ]
    choice: dict = {"index": 0, "message": message}
    if calls:
        choice["finish_reason"] = draw(st.sampled_from(["tool_calls", "stop"]))
    else:
        choice["finish_reason"] = draw(st.sampled_from(["stop", "length", "content_filter"]))
        if choice["finish_reason"] == "stop" and draw(st.booleans()):
            kind = draw(st.sampled_from(["sequence", "pause_turn"] + ["refusal"] * refusals))
            if kind == "sequence":
                choice["stop_reason"] = draw(_text.filter(bool))
            elif kind == "pause_turn":
                choice["native_finish_reason"] = "pause_turn"
            else:
                message["refusal"] = draw(_text.filter(bool))
    prompt, cached, written = draw(_count), draw(_count), draw(_count)
    completion = draw(_count)
    total = prompt + cached + written
    usage: dict = {
        "prompt_tokens": total,
        "completion_tokens": completion,
        "total_tokens": total + completion,
    }
    if cached or written or draw(st.booleans()):
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
        if written:
            usage["prompt_tokens_details"]["cache_write_tokens"] = written
    if draw(st.booleans()):
        usage["completion_tokens_details"] = {"reasoning_tokens": draw(_count)}
    out = {
        "id": "chatcmpl-" + draw(_ident),
        "object": "chat.completion",
        "created": 0,
        "model": draw(_ident),
        "choices": [choice],
        "usage": usage,
    }
    if draw(st.booleans()):
        out["service_tier"] = draw(st.sampled_from(["default", "priority"]))
    return out


@given(anthropic_messages(), cutter(), cutter())
def test_round_trip_anthropic_stream(message: dict, cut1: Any, cut2: Any) -> None:
    """anthropic events -> openai chunks -> anthropic events: the same message, no loss,
    and both SDKs accept both streams (however the texts were cut)."""
    events = anthropic_events(message, cut1)
    losses: list[Loss] = []
    chunks = builtins(to_openai.stream(events, losses=losses))
    sdk_accumulate_openai(chunks)
    back = builtins(to_anthropic.stream(chunks, losses=losses))
    assert losses == []
    got = accumulate_anthropic(back)
    sdk = sdk_accumulate_anthropic(back).to_dict()
    assert sdk["content"] == got["content"]
    assert canonical_anthropic(got) == canonical_anthropic(message)
    # the same through the bytes, the input cut into pieces
    data = anthropic_sse(events)
    pieces = [p.encode() for p in cut2(data.decode())] or [data]
    again = b"".join(to_anthropic.sse(to_openai.sse(pieces)))
    assert canonical_anthropic(
        accumulate_anthropic(anthropic_frames(again))
    ) == canonical_anthropic(message)


@given(openai_completions(refusals=False), cutter())
def test_round_trip_openai_stream(completion: dict, cut: Any) -> None:
    chunks = openai_chunks(completion, cut)
    losses: list[Loss] = []
    events = builtins(to_anthropic.stream(chunks, losses=losses))
    sdk_accumulate_anthropic(events)
    back = builtins(to_openai.stream(events, losses=losses))
    assert losses == []
    got = accumulate_openai(back)
    assert canonical_openai(got) == canonical_openai(completion)
    sdk = sdk_accumulate_openai(back)
    assert sdk.choices[0].message.content == got["choices"][0]["message"].get("content")


def test_refusal_round_trip_is_a_loss() -> None:
    """An openai refusal goes to anthropic as a last text block plus stop_details; on the
    way back a stream cannot take the text out of content again: a Loss says so."""
    completion = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hi", "refusal": "no way"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    losses: list[Loss] = []
    events = builtins(to_anthropic.stream(openai_chunks(completion), losses=losses))
    message = accumulate_anthropic(events)
    assert message["content"] == [
        {"type": "text", "text": "hi"},
        {"type": "text", "text": "no way"},
    ]
    assert (message["stop_reason"], message["stop_details"]["explanation"]) == ("refusal", "no way")
    assert losses == []
    back = accumulate_openai(builtins(to_openai.stream(events, losses=losses)))
    assert back["choices"][0]["message"] == {
        "role": "assistant",
        "content": "hino way",
        "refusal": "no way",
    }
    assert [(x.path, x.kind) for x in losses] == [("stop_details.explanation", "approximated")]


@given(anthropic_messages(any_order=True), cutter())
def test_commutes_to_openai(message: dict, cut: Any) -> None:
    """accumulate(to_openai.stream(s)) == to_openai.response(accumulate(s))."""
    response = to_openai.response
    streamed = accumulate_openai(builtins(to_openai.stream(anthropic_events(message, cut))))
    batch = msgspec.to_builtins(response(message))
    assert canonical_openai(streamed) == canonical_openai(batch)


@given(openai_completions(), cutter())
def test_commutes_to_anthropic(completion: dict, cut: Any) -> None:
    """accumulate(to_anthropic.stream(s)) == to_anthropic.response(accumulate(s))."""
    response = to_anthropic.response
    streamed = accumulate_anthropic(builtins(to_anthropic.stream(openai_chunks(completion, cut))))
    batch = msgspec.to_builtins(response(completion))
    assert canonical_anthropic(streamed) == canonical_anthropic(batch)


# --- constant memory --------------------------------------------------------------------------


def _openai_upstream(n: int) -> Any:
    head = b'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
    yield head + b'{"role":"assistant","content":""},"finish_reason":null}]}\n\n'
    for i in range(n):
        if i % 3 == 0:
            delta = (
                b'{"reasoning_content":"thinking %d "}' % i
                if i < n // 3
                else b'{"content":"word %d "}' % i
            )
        else:
            delta = (
                b'{"content":"word %d "}' % i
                if i < 2 * n // 3
                else (
                    b'{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{\\"a\\":\\""}}]}'
                    if i == 2 * n // 3 + 1
                    else b'{"tool_calls":[{"index":0,"function":{"arguments":"xxxxxxxx"}}]}'
                )
            )
        yield head + delta + b',"finish_reason":null}]}\n\n'
    yield head + b'{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'


def _anthropic_upstream(n: int) -> Any:
    yield anthropic_sse([START])
    yield anthropic_sse(
        [
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            }
        ]
    )
    for i in range(n // 2):
        yield (
            b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"t %d"}}\n\n'
            % i
        )
    yield anthropic_sse(
        [
            {"type": "content_block_stop", "index": 0},
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
            },
        ]
    )
    for i in range(n // 2):
        yield (
            b'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"x %d"}}\n\n'
            % i
        )
    yield anthropic_sse([{"type": "content_block_stop", "index": 1}] + END)


@pytest.mark.parametrize("direction", ["to_anthropic", "to_openai"])
def test_100k_chunks_in_constant_memory(direction: str) -> None:
    """Memory held while translating does not grow with the stream: the peak over a
    100,000-chunk stream is the peak over a 1,000-chunk one, give or take a little."""
    module, upstream = (
        (to_anthropic, _openai_upstream)
        if direction == "to_anthropic"
        else (to_openai, _anthropic_upstream)
    )

    def peak(n: int) -> tuple[int, int]:
        gc.collect()
        tracemalloc.start()
        count = 0
        for out in module.sse(upstream(n)):
            count += len(out)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, count

    small, _ = peak(1_000)
    large, size = peak(100_000)
    assert size > 5_000_000  # the output really was produced
    assert large - small < 16_384, (small, large)


def test_an_unreadable_frame_after_a_good_one_ends_in_an_error_never_an_exception() -> None:
    """The decoder returns the good frame and holds the error back for close(): sse() must
    turn it into an error frame there too (to_openai once let it escape)."""
    start = (
        b'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message",'
        b'"role":"assistant","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}\n\n'
    )
    out = b"".join(to_openai.sse([start + b'event: ping\ndata: {"x": "\xff"}\n\n']))
    assert (
        out.endswith(b"\n\n")
        and out.rstrip().splitlines()[-1].startswith(b'data: {"error"')
        and b"[DONE]" not in out
    )
    chunk = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'
    out = b"".join(to_anthropic.sse([chunk + b'data: {"x": "\xff"}\n\n']))
    assert out.rstrip().splitlines()[-2] == b"event: error"
