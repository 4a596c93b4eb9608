"""The gateway (translate.gateway, `translate serve`) with the clients people run.

In process: the official anthropic and openai SDKs talk to the gateway through
``httpx2.ASGITransport``, and the gateway talks to a fake upstream of the other dialect
through ``httpx2.MockTransport`` (payloads from our fixtures, or shaped like them:
tests/fake_upstream.py). Then with real servers on loopback: the fake upstream and
``translate serve`` as uvicorn subprocesses, 50 concurrent streams each way.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import msgspec
import openai
import pytest

from translate import _serve, to_anthropic, to_openai
from translate._upstream import H1Client, HttpxClient
from translate.gateway import Gateway, estimate_tokens

from .fake_upstream import (
    ANTHROPIC_MODEL,
    MODEL,
    UPSTREAM_KEY,
    anthropic_frames,
    anthropic_message,
    chat_completion,
    chat_frames,
    tagged_reasoning,
    tagged_text,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CLIENT_KEY = "gw-client-key-42"
CLAUDE = "claude-sonnet-4-6"
GPT = "gpt-4.1"
MODEL_MAP = {"claude-*": MODEL, GPT: ANTHROPIC_MODEL}


def run(coro: Any, timeout: float = 30) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


# -- the fake upstream, in process -----------------------------------------------------------


class Chunks(httpx2.AsyncByteStream):
    """An upstream response body: the frames in pieces of varied sizes, optionally failing
    (``fail``: an exception raised after ``at`` frames, or in the middle of frame ``at``
    with ``mid_frame``) or hanging after ``at`` frames (until closed, at most 10 s)."""

    def __init__(
        self,
        frames: list[bytes],
        *,
        at: int | None = None,
        fail: Exception | None = None,
        mid_frame: bool = False,
        hang: bool = False,
    ) -> None:
        self.frames, self.at, self.fail, self.mid_frame, self.hang = (
            frames,
            at,
            fail,
            mid_frame,
            hang,
        )
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> Any:
        sizes = (1, 7, 64, 300)
        for i, frame in enumerate(self.frames):
            if i == self.at:
                if self.mid_frame:
                    yield frame[: len(frame) // 2]
                if self.fail is not None:
                    raise self.fail
                if self.hang:
                    for _ in range(1000):
                        await asyncio.sleep(0.01)
                    return
            pos = 0
            while pos < len(frame):  # a frame split across reads, several frames in one read
                size = sizes[(i + pos) % len(sizes)]
                yield frame[pos : pos + size]
                pos += size
            self.sent += 1
            await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.closed = True


class Upstream:
    """Answers each call with the next reply: an ``httpx2.Response``, a function of the
    request body giving one (it may assert what it received), or an exception to raise."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.seen: list[httpx2.Request] = []
        self.bodies: list[Any] = []

    async def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        body = json.loads(request.content) if request.content else None
        self.bodies.append(body)
        assert self.replies, f"unexpected upstream call {len(self.seen)}"
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            reply = reply(body)
            if asyncio.iscoroutine(reply):
                reply = await reply
        return reply


def json_reply(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx2.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx2.Response(
        status, content=content, headers={"content-type": "application/json", **(headers or {})}
    )


def sse_reply(frames: list[bytes], **kw: Any) -> httpx2.Response:
    return httpx2.Response(
        200, stream=Chunks(frames, **kw), headers={"content-type": "text/event-stream"}
    )


def gateway(upstream: Upstream, dialect: str = "openai", **kw: Any) -> Gateway:
    url = (
        "https://mimo.example/v1/ai/ep-123"
        if dialect == "openai"
        else "https://claude.example/anthropic"
    )
    kw.setdefault("target", "mimo" if dialect == "openai" else "anthropic")
    kw.setdefault("client_api_key", CLIENT_KEY)
    kw.setdefault("model_map", MODEL_MAP)
    kw.setdefault("allowed_hosts", ["gateway.test"])
    return Gateway(
        url,
        dialect,
        upstream_api_key=UPSTREAM_KEY,  # type: ignore[arg-type]
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(upstream.handler)),
        **kw,
    )


def to_gateway(app: Any) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://gateway.test"
    )


def claude(app: Any, key: str = CLIENT_KEY, **kw: Any) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        api_key=key,
        base_url="http://gateway.test",
        http_client=to_gateway(app),
        max_retries=0,
        **kw,
    )


def gpt(app: Any, key: str = CLIENT_KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=key, base_url="http://gateway.test/v1", http_client=to_gateway(app), max_retries=0
    )


def hello(text: str = "please introduce yourself") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


# -- anthropic clients, openai-dialect upstream ----------------------------------------------


def test_anthropic_sdk_non_streaming_against_mimo() -> None:
    seed = (FIXTURES / "responses/seed_mimo_chat/openai.json").read_bytes()
    up = Upstream(json_reply(seed))

    async def go() -> Any:
        return await claude(gateway(up)).messages.create(
            model=CLAUDE, max_tokens=1024, messages=hello(), system="You are MiMo."
        )

    msg = run(go())
    assert [b.type for b in msg.content] == ["thinking", "text"]
    assert msg.content[0].signature == "" and msg.content[0].thinking.startswith(
        "Hmm, the user asked"
    )
    assert msg.content[1].text.startswith("Hello! I'm MiMo")
    assert msg.model == CLAUDE  # the client's model, not the upstream's
    assert (
        msg.stop_reason == "end_turn"
        and msg.usage.input_tokens == 55
        and msg.usage.output_tokens == 149
    )
    # What went up: the mapped model, the mimo target's fields, the upstream's key only.
    (request,) = up.seen
    assert str(request.url) == "https://mimo.example/v1/ai/ep-123/chat/completions"
    assert request.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert "x-api-key" not in request.headers and CLIENT_KEY not in str(request.headers.raw)
    assert up.bodies[0]["model"] == MODEL
    assert up.bodies[0]["messages"][0] == {"role": "system", "content": "You are MiMo."}
    assert up.bodies[0]["max_completion_tokens"] == 1024


def test_anthropic_sdk_streaming_fixture_is_the_library_output() -> None:
    raw = (FIXTURES / "streams/mimo_reasoning_tool_calls/openai.sse").read_bytes()
    frames = [f + b"\n\n" for f in raw.split(b"\n\n") if f.strip()]
    up = Upstream(sse_reply(frames), sse_reply(frames))
    app = gateway(up, model_map={})
    request = {
        "model": "MaaS_Mimo_V2.5_20260423",
        "max_tokens": 1024,
        "stream": True,
        "messages": hello("weather in Beijing and Shanghai?"),
    }

    async def go() -> tuple[Any, bytes]:
        async with claude(app).messages.stream(
            **{k: v for k, v in request.items() if k != "stream"}
        ) as s:
            final = await s.get_final_message()
        resp = await to_gateway(app).post(
            "/v1/messages", json=request, headers={"x-api-key": CLIENT_KEY}
        )
        assert resp.headers["content-type"].startswith("text/event-stream")
        return final, resp.content

    final, wire = run(go())
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert [b.input for b in final.content if b.type == "tool_use"] == [
        {"city": "Beijing"},
        {"city": "Shanghai"},
    ]
    assert final.stop_reason == "tool_use"
    assert up.bodies[0]["stream"] is True and up.bodies[0]["stream_options"] == {
        "include_usage": True
    }
    # A thin layer: the bytes are exactly the library's own translation of the stream.
    assert wire == b"".join(to_anthropic.sse([raw], request=msgspec.json.encode(request)))


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "stream"])
def test_anthropic_sdk_tool_loop_replays_thinking(streaming: bool) -> None:
    """Three turns of Claude Code against MiMo: every earlier tool-call turn goes back up
    with its reasoning_content (MiMo answers 400 without it)."""
    r1, r2 = "I should read the module first.", "The bug is on line 3; fix it."
    calls = [
        ("call_9c1d6b0e4f2a4e7c8d5b3a10", "Read", {"file_path": "/repo/app.py"}),
        (
            "call_0a7e2c4b9d1f4e6a8c3b5d72",
            "Edit",
            {"file_path": "/repo/app.py", "old": "x", "new": "y"},
        ),
    ]

    def turn(n: int) -> Callable[[dict[str, Any]], httpx2.Response]:
        def reply(body: dict[str, Any]) -> httpx2.Response:
            assistant = [m for m in body["messages"] if m["role"] == "assistant"]
            assert [m.get("reasoning_content") for m in assistant] == [r1, r2][: n - 1]
            assert [m["tool_calls"][0]["id"] for m in assistant] == [c[0] for c in calls][: n - 1]
            tools = [m for m in body["messages"] if m["role"] == "tool"]
            assert [t["tool_call_id"] for t in tools] == [c[0] for c in calls][: n - 1]
            assert body["thinking"] == {"type": "enabled"}
            if n == 3:
                kw: dict[str, Any] = {
                    "content": "Fixed: the test passes now.",
                    "reasoning": "Both done.",
                }
            else:
                kw = {
                    "content": "Let me look.",
                    "reasoning": [r1, r2][n - 1],
                    "tool_calls": [calls[n - 1]],
                    "finish": "tool_calls",
                }
            if streaming:
                return sse_reply(
                    chat_frames(
                        reasoning=[kw["reasoning"]],
                        content=[kw["content"]],
                        tool_calls=kw.get("tool_calls", []),
                        finish=kw.get("finish", "stop"),
                    )
                )
            return json_reply(chat_completion(**kw))

        return reply

    up = Upstream(turn(1), turn(2), turn(3))
    tools = [
        {
            "name": "Read",
            "description": "Read a file",
            "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}},
        },
        {"name": "Edit", "description": "Edit a file", "input_schema": {"type": "object"}},
    ]

    async def go() -> Any:
        client = claude(gateway(up))
        messages: list[dict[str, Any]] = hello("fix the failing test")
        for _ in range(3):
            kw = {
                "model": CLAUDE,
                "max_tokens": 4096,
                "messages": messages,
                "tools": tools,
                "thinking": {"type": "enabled", "budget_tokens": 2048},
            }
            if streaming:
                async with client.messages.stream(**kw) as s:
                    msg = await s.get_final_message()
            else:
                msg = await client.messages.create(**kw)
            assert msg.model == CLAUDE
            if msg.stop_reason != "tool_use":
                return msg
            messages.append(
                {
                    "role": "assistant",
                    "content": [b.model_dump(exclude_none=True) for b in msg.content],
                }
            )
            use = next(b for b in msg.content if b.type == "tool_use")
            messages.append(
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "ok"}],
                }
            )
        raise AssertionError("the loop did not end")

    final = run(go())
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[1].text == "Fixed: the test passes now."
    assert len(up.seen) == 3 and not up.replies


# -- openai clients, anthropic-dialect upstream ----------------------------------------------


def test_openai_sdk_non_streaming_against_anthropic() -> None:
    body = (FIXTURES / "responses/anthropic_signed_thinking/anthropic.json").read_bytes()
    up = Upstream(json_reply(body))

    async def go() -> Any:
        return await gpt(gateway(up, "anthropic")).chat.completions.create(
            model=GPT,
            messages=[
                {"role": "system", "content": "Be exact."},
                {"role": "user", "content": "sum 1..100"},
            ],
            max_completion_tokens=2048,
            reasoning_effort="high",
        )

    completion = run(go())
    message = completion.choices[0].message
    assert message.content == "The sum of the integers from 1 to 100 is 5050."
    assert completion.model == GPT and completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens == 48 and completion.usage.completion_tokens == 196
    assert message.model_extra["reasoning_content"].startswith("The user wants the sum")
    (request,) = up.seen
    assert str(request.url) == "https://claude.example/anthropic/v1/messages"
    assert request.headers["x-api-key"] == UPSTREAM_KEY and "authorization" not in request.headers
    assert request.headers["anthropic-version"] == "2026-10-21"  # the `anthropic` target's API
    sent = up.bodies[0]
    assert sent["model"] == ANTHROPIC_MODEL and sent["max_tokens"] == 2048
    assert sent["output_config"] == {"effort": "high"} and "temperature" not in sent


def test_openai_sdk_streaming_against_anthropic() -> None:
    raw = (FIXTURES / "streams/anthropic_interleaved_thinking/anthropic.sse").read_bytes()
    frames = [f + b"\n\n" for f in raw.split(b"\n\n") if f.strip()]
    up = Upstream(sse_reply(frames))

    async def go() -> list[Any]:
        stream = await gpt(gateway(up, "anthropic")).chat.completions.create(
            model=GPT,
            messages=[{"role": "user", "content": "run the tests"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        return [chunk async for chunk in stream]

    chunks = run(go())
    events = [json.loads(f.split(b"data: ", 1)[1]) for f in frames]
    deltas = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "".join(
        d["text"] for d in deltas if d["type"] == "text_delta"
    )
    assert "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content") or ""
        for c in chunks
        if c.choices
    ) == "".join(d["thinking"] for d in deltas if d["type"] == "thinking_delta")
    assert {c.model for c in chunks} == {GPT}
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert up.bodies[0]["stream"] is True


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "stream"])
def test_openai_sdk_tool_loop_replays_signed_thinking(streaming: bool) -> None:
    """An OpenAI-SDK agent against Claude: the assistant messages it sends back (as the SDK
    gave them) carry reasoning_details, and Claude gets its signed thinking back."""
    sig1, sig2 = "EqQBCkYIBxgCKkDs1pF0x7P9aQ", "ErcBCkgIBhABGAIiQLvQ6mZ3w0"
    uses = [
        ("toolu_01D7FLrfh4GYq7yT1ULFeyMV", "get_weather", {"city": "Paris"}),
        ("toolu_01Kq2W9mZb6Xc3Vn8Rt4Ys1P", "get_weather", {"city": "Rome"}),
    ]
    thoughts = [("Paris first.", sig1), ("Now Rome.", sig2)]

    def turn(n: int) -> Callable[[dict[str, Any]], httpx2.Response]:
        def reply(body: dict[str, Any]) -> httpx2.Response:
            assistant = [m for m in body["messages"] if m["role"] == "assistant"]
            assert len(assistant) == n - 1
            for m, (text, sig), use in zip(assistant, thoughts, uses):
                thinking = [b for b in m["content"] if b["type"] == "thinking"]
                assert thinking == [{"type": "thinking", "thinking": text, "signature": sig}]
                assert [b["id"] for b in m["content"] if b["type"] == "tool_use"] == [use[0]]
            if n == 3:
                kw: dict[str, Any] = {"text": "Paris 21C, Rome 25C."}
                if streaming:
                    return sse_reply(
                        anthropic_frames(
                            thinking=["Done."], signature="EsigDone", text=[kw["text"]]
                        )
                    )
                return json_reply(anthropic_message(thinking=("Done.", "EsigDone"), **kw))
            if streaming:
                return sse_reply(
                    anthropic_frames(
                        thinking=[thoughts[n - 1][0]],
                        signature=thoughts[n - 1][1],
                        text=["Checking."],
                        tool_uses=[uses[n - 1]],
                        stop_reason="tool_use",
                    )
                )
            return json_reply(
                anthropic_message(
                    thinking=thoughts[n - 1],
                    text="Checking.",
                    tool_uses=[uses[n - 1]],
                    stop_reason="tool_use",
                )
            )

        return reply

    up = Upstream(turn(1), turn(2), turn(3))
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]

    async def go() -> Any:
        client = gpt(gateway(up, "anthropic"))
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": "weather in Paris, then Rome"}
        ]
        for _ in range(3):
            kw = {"model": GPT, "messages": messages, "tools": tools, "reasoning_effort": "medium"}
            if streaming:
                # The SDK's own accumulator, extension fields included.
                async with client.chat.completions.stream(**kw) as s:
                    completion = await s.get_final_completion()
            else:
                completion = await client.chat.completions.create(**kw)
            assert completion.model == GPT
            choice = completion.choices[0]
            if choice.finish_reason != "tool_calls":
                return choice.message
            messages.append(choice.message.model_dump(exclude_none=True))
            call = choice.message.tool_calls[0]
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": "21C" if len(messages) < 4 else "25C",
                }
            )
        raise AssertionError("the loop did not end")

    final = run(go())
    assert final.content == "Paris 21C, Rome 25C."
    assert len(up.seen) == 3 and not up.replies


# -- upstream errors -------------------------------------------------------------------------


def _fixture_error(name: str) -> bytes:
    folder = FIXTURES / "errors" / name
    meta = json.loads((folder / "meta.json").read_text())
    return (folder / meta["input"]).read_bytes()


ANTHROPIC_CLIENT_ERRORS = [
    ("openai_rate_limit", 429, anthropic.RateLimitError, "rate_limit_error"),
    ("openai_server_error", 500, anthropic.InternalServerError, "api_error"),
    ("anthropic_overloaded", 529, anthropic.OverloadedError, "overloaded_error"),
    ("mimo_param_incorrect", 400, anthropic.BadRequestError, "invalid_request_error"),
    ("nginx_html", 502, anthropic.InternalServerError, "api_error"),
    ("openai_invalid_api_key", 401, anthropic.AuthenticationError, "authentication_error"),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "stream"])
@pytest.mark.parametrize(
    "name,status,exc,kind", ANTHROPIC_CLIENT_ERRORS, ids=[e[0] for e in ANTHROPIC_CLIENT_ERRORS]
)
def test_upstream_errors_reach_the_anthropic_sdk(
    name: str, status: int, exc: type, kind: str, streaming: bool
) -> None:
    body = _fixture_error(name)
    up = Upstream(httpx2.Response(status, content=body, headers={"retry-after": "7"}))

    async def go() -> None:
        client = claude(gateway(up))
        if streaming:
            async with client.messages.stream(model=CLAUDE, max_tokens=64, messages=hello()) as s:
                await s.get_final_message()
        else:
            await client.messages.create(model=CLAUDE, max_tokens=64, messages=hello())

    with pytest.raises(exc) as info:
        run(go())
    err = info.value
    assert (
        err.status_code == status
        and err.body["type"] == "error"
        and err.body["error"]["type"] == kind
    )
    assert err.response.headers["retry-after"] == "7"
    expected = msgspec.to_builtins(to_anthropic.error(body, status=status)[1])
    if status in (401, 403):  # the gateway's key, not the client's: said so
        message = expected["error"]["message"]
        expected["error"]["message"] = (
            f"the upstream refused the gateway's upstream key ({status}): {message}"
        )
    assert err.body == expected


OPENAI_CLIENT_ERRORS = [
    ("anthropic_rate_limit", 429, openai.RateLimitError),
    ("anthropic_overloaded", 529, openai.InternalServerError),
    ("openai_server_error", 500, openai.InternalServerError),
    ("anthropic_invalid_request", 400, openai.BadRequestError),
    ("anthropic_billing", 402, openai.APIStatusError),
    ("cloudflare_html", 502, openai.InternalServerError),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "stream"])
@pytest.mark.parametrize(
    "name,status,exc", OPENAI_CLIENT_ERRORS, ids=[e[0] for e in OPENAI_CLIENT_ERRORS]
)
def test_upstream_errors_reach_the_openai_sdk(
    name: str, status: int, exc: type, streaming: bool
) -> None:
    folder = FIXTURES / "errors" / name
    meta = json.loads((folder / "meta.json").read_text())
    body = _fixture_error(name)
    status = meta["status"] or status
    up = Upstream(httpx2.Response(status, content=body))

    async def go() -> None:
        stream = await gpt(gateway(up, "anthropic")).chat.completions.create(
            model=GPT, messages=hello(), stream=streaming
        )
        if streaming:
            async for _ in stream:
                pass

    with pytest.raises(exc) as info:
        run(go())
    assert info.value.status_code == status
    assert info.value.body == msgspec.to_builtins(to_openai.error(body, status=status)[1])["error"]


def test_malformed_upstream_body_is_a_502_in_both_dialects() -> None:
    truncated = json.dumps(chat_completion(content="hello"))[:-20].encode()
    up = Upstream(
        json_reply(truncated),
        httpx2.Response(302, headers={"location": "https://elsewhere.example/"}),
        json_reply(b"<html>oops</html>"),
    )

    async def go() -> None:
        with pytest.raises(anthropic.InternalServerError) as a:
            await claude(gateway(up)).messages.create(model=CLAUDE, max_tokens=64, messages=hello())
        assert (
            a.value.status_code == 502 and "could not be read" in a.value.body["error"]["message"]
        )
        with pytest.raises(anthropic.InternalServerError) as a:  # a redirect is not followed
            await claude(gateway(up)).messages.create(model=CLAUDE, max_tokens=64, messages=hello())
        assert a.value.status_code == 502
        with pytest.raises(openai.InternalServerError) as o:
            await gpt(gateway(up, "anthropic")).chat.completions.create(model=GPT, messages=hello())
        assert o.value.status_code == 502 and "could not be read" in o.value.body["message"]

    run(go())


@pytest.mark.parametrize(
    "failure,status,exc",
    [
        (httpx2.ConnectError("connection refused"), 502, anthropic.InternalServerError),
        (httpx2.ConnectTimeout("connect timed out"), 504, anthropic.GatewayTimeoutError),
        (httpx2.ReadTimeout("read timed out"), 504, anthropic.GatewayTimeoutError),
    ],
    ids=["connect-error", "connect-timeout", "read-timeout"],
)
def test_unreachable_upstream(failure: Exception, status: int, exc: type) -> None:
    up = Upstream(failure, failure)

    async def go() -> None:
        with pytest.raises(exc) as a:
            await claude(gateway(up)).messages.create(model=CLAUDE, max_tokens=64, messages=hello())
        assert a.value.status_code == status
        with pytest.raises(openai.InternalServerError) as o:
            await gpt(gateway(up, "anthropic")).chat.completions.create(
                model=GPT, messages=hello(), stream=True
            )
        assert o.value.status_code == status

    run(go())


@pytest.mark.parametrize("mid_frame", [False, True], ids=["between-frames", "inside-a-frame"])
@pytest.mark.parametrize(
    "failure,kind",
    [
        (
            httpx2.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            ),
            "api_error",
        ),
        (httpx2.ReadTimeout("read timed out"), "timeout_error"),
    ],
    ids=["dropped", "timeout"],
)
def test_a_dropped_upstream_ends_the_anthropic_stream_with_an_error_event(
    failure: Exception, kind: str, mid_frame: bool
) -> None:
    frames = chat_frames(reasoning=["Let me think."], content=["Hello", " there", " friend"])
    chunks = Chunks(frames, at=4, fail=failure, mid_frame=mid_frame)
    up = Upstream(
        httpx2.Response(200, stream=chunks),
        sse_reply(frames, at=4, fail=failure, mid_frame=mid_frame),
    )
    app = gateway(up)
    texts: list[str] = []

    async def go() -> bytes:
        with pytest.raises(anthropic.APIStatusError) as info:
            async with claude(app).messages.stream(
                model=CLAUDE, max_tokens=64, messages=hello()
            ) as s:
                async for event in s:
                    if event.type == "text":
                        texts.append(event.text)
        assert info.value.body["type"] == "error"
        if not mid_frame:  # the gateway says why; inside a frame, the library's own ending does
            assert info.value.body["error"]["type"] == kind
            assert ("lost" if kind == "api_error" else "stopped sending") in info.value.body[
                "error"
            ]["message"]
        resp = await to_gateway(app).post(
            "/v1/messages",
            headers={"x-api-key": CLIENT_KEY},
            json={"model": CLAUDE, "max_tokens": 64, "messages": hello(), "stream": True},
        )
        return resp.content

    wire = run(go())
    assert texts == ["Hello", " there"]  # what arrived before the drop was delivered
    assert chunks.closed
    events = [e for e in wire.split(b"\n\n") if e]
    assert events[-1].startswith(b"event: error\ndata: ")
    names = [e.split(b"\n")[0] for e in events]
    assert names.count(b"event: content_block_start") == names.count(
        b"event: content_block_stop"
    )  # blocks closed first


def test_a_dropped_upstream_ends_the_openai_stream_with_an_error_chunk() -> None:
    frames = anthropic_frames(thinking=["Hmm."], text=["one", " two", " three"])
    up = Upstream(sse_reply(frames, at=9, fail=httpx2.ReadError("connection reset")))
    got: list[str] = []

    async def go() -> None:
        stream = await gpt(gateway(up, "anthropic")).chat.completions.create(
            model=GPT, messages=hello(), stream=True
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                got.append(chunk.choices[0].delta.content)

    with pytest.raises(openai.APIError) as info:
        run(go())
    assert "lost" in info.value.message
    assert got == ["one", " two"]


def _keyed(upstream: Upstream, key: str, dialect: str = "openai", **kw: Any) -> Gateway:
    """A gateway whose upstream key is ``key`` (one letter, a common word)."""
    app = gateway(upstream, dialect, **kw)
    rebuilt = Gateway(
        "https://mimo.example/v1/ai/ep-123"
        if dialect == "openai"
        else "https://claude.example/anthropic",
        dialect,  # type: ignore[arg-type]
        target="mimo" if dialect == "openai" else "anthropic",
        upstream_api_key=key,
        client_api_key=CLIENT_KEY,
        model_map=MODEL_MAP,
        allowed_hosts=["gateway.test"],
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(upstream.handler)),
        **kw,
    )
    del app
    return rebuilt


@pytest.mark.parametrize("key", ["k", "test", UPSTREAM_KEY])
def test_model_output_is_never_changed_whatever_the_key(key: str) -> None:
    """The upstream key is kept out by construction: the model's text, its tool calls and
    the gateway's own messages reach the client byte for byte, with a key of one letter."""
    text = "All test runs passed. thinking.display k"
    command = {"command": "echo unit-test-passed k"}
    frames = chat_frames(content=[text], tool_calls=[("call_1", "Bash", command)])
    up = Upstream(
        json_reply(
            chat_completion(
                content=text, tool_calls=[("call_1", "Bash", command)], finish="tool_calls"
            )
        ),
        sse_reply(frames),
    )
    app = _keyed(up, key)

    async def go() -> None:
        client = claude(app)
        msg = await client.messages.create(model=CLAUDE, max_tokens=9, messages=hello())
        assert msg.content[0].text == text and msg.content[1].input == command
        async with client.messages.stream(model=CLAUDE, max_tokens=9, messages=hello()) as s:
            final = await s.get_final_message()
        assert final.content[0].text == text and final.content[1].input == command
        # the gateway's own message, naming a field with a "k" in it
        with pytest.raises(anthropic.BadRequestError) as info:
            await client.messages.create(
                model=CLAUDE,
                max_tokens=9,
                messages=hello(),
                extra_body={"thinking": {"type": "enabled"}},
            )
        assert "[redacted]" not in info.value.message

    run(go())


def test_an_upstream_that_echoes_its_key_never_shows_it() -> None:
    """Every path by which an upstream's text reaches a client, with a one-letter key and an
    upstream that echoes it: JSON errors, text and HTML errors with the key near the point
    where a message is clipped, an error event mid-stream. None of it reaches the client."""
    key = "k"
    leak = {
        "error": {
            "message": f"Incorrect API key provided: {key}. You can find your key at ...",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    long_key = UPSTREAM_KEY
    near_cut = ("x" * 1995 + long_key).encode()  # clipped at 2000: most of the key inside
    html_page = f"<html><title>Bad gateway {long_key}</title></html>".encode()
    leak_frames = [
        f"event: error\ndata: {json.dumps({'type': 'error', 'error': {'type': 'api_error', 'message': 'bad key ' + key}})}\n\n".encode()
    ]
    openai_leak = [
        b"data: " + json.dumps({"error": {"message": f"key {key} refused"}}).encode() + b"\n\n"
    ]

    async def go() -> list[bytes]:
        bodies = []
        cases: list[tuple[Gateway, str, dict[str, Any]]] = [
            (
                _keyed(Upstream(json_reply(leak, 401)), key),
                "/v1/messages",
                {"model": CLAUDE, "max_tokens": 9, "messages": hello()},
            ),
            (
                _keyed(Upstream(json_reply(leak, 401)), key, "anthropic"),
                "/v1/chat/completions",
                {"model": GPT, "messages": hello()},
            ),
            (
                _keyed(Upstream(httpx2.Response(500, content=near_cut)), long_key),
                "/v1/messages",
                {"model": CLAUDE, "max_tokens": 9, "messages": hello()},
            ),
            (
                _keyed(Upstream(httpx2.Response(502, content=html_page)), long_key),
                "/v1/messages",
                {"model": CLAUDE, "max_tokens": 9, "messages": hello()},
            ),
            (
                _keyed(
                    Upstream(sse_reply(anthropic_frames(text=["hi"])[:3] + leak_frames)),
                    key,
                    "anthropic",
                ),
                "/v1/chat/completions",
                {"model": GPT, "messages": hello(), "stream": True},
            ),
            (
                _keyed(Upstream(sse_reply(chat_frames(content=["hi"])[:2] + openai_leak)), key),
                "/v1/messages",
                {"model": CLAUDE, "max_tokens": 9, "messages": hello(), "stream": True},
            ),
        ]
        for app, path, body in cases:
            resp = await to_gateway(app).post(
                path, json=body, headers={"authorization": f"Bearer {CLIENT_KEY}"}
            )
            bodies.append(resp.content)
            assert UPSTREAM_KEY not in repr(app)
        return bodies

    bodies = run(go())
    assert all(b"withheld" in b for b in bodies), bodies
    assert b"Incorrect API key" not in bodies[0]
    assert all(long_key[:8].encode() not in b for b in bodies)
    assert b"refused the gateway's upstream key" not in bodies[0]  # withheld says enough
    # the text before the error arrives unchanged
    assert b'"text":"hi"' in bodies[5]


# -- the gateway's own answers ---------------------------------------------------------------


def test_client_key_is_checked_in_the_clients_dialect() -> None:
    up = Upstream(
        *[json_reply(chat_completion(content="hi")) for _ in range(3)],
        json_reply(anthropic_message(text="hi")),
    )
    app_a, app_o = gateway(up), gateway(up, "anthropic")

    async def go() -> None:
        with pytest.raises(anthropic.AuthenticationError) as a:
            await claude(app_a, key="wrong").messages.create(
                model=CLAUDE, max_tokens=9, messages=hello()
            )
        assert a.value.body["error"]["type"] == "authentication_error"
        with pytest.raises(openai.AuthenticationError):
            await gpt(app_o, key="wrong").chat.completions.create(model=GPT, messages=hello())
        client = to_gateway(app_a)
        resp = await client.post(
            "/v1/messages", json={"model": CLAUDE, "max_tokens": 9, "messages": hello()}
        )
        assert resp.status_code == 401 and resp.json()["type"] == "error"
        # Both ways of sending the key: x-api-key (Claude Code's ANTHROPIC_API_KEY) and a bearer token.
        for headers in (
            {"x-api-key": CLIENT_KEY},
            {"authorization": f"Bearer {CLIENT_KEY}"},
            {"x-api-key": "stale", "authorization": f"Bearer {CLIENT_KEY}"},
        ):
            resp = await client.post(
                "/v1/messages",
                json={"model": CLAUDE, "max_tokens": 9, "messages": hello()},
                headers=headers,
            )
            assert resp.status_code == 200, resp.text
        assert (await gpt(app_o).chat.completions.create(model=GPT, messages=hello())).choices[
            0
        ].message.content == "hi"
        # No key configured: every client is served.
        open_app = gateway(Upstream(json_reply(chat_completion(content="hi"))), client_api_key=None)
        assert (
            await claude(open_app, key="anything").messages.create(
                model=CLAUDE, max_tokens=9, messages=hello()
            )
        ).content[0].text == "hi"

    run(go())
    assert len(up.seen) == 4


def test_request_size_limit_is_a_413_in_the_clients_dialect() -> None:
    up = Upstream()
    big = "x" * 5000

    async def go() -> None:
        with pytest.raises(anthropic.APIStatusError) as a:
            await claude(gateway(up, max_request_bytes=4096)).messages.create(
                model=CLAUDE, max_tokens=9, messages=hello(big)
            )
        assert a.value.status_code == 413 and a.value.body["error"]["type"] == "request_too_large"
        with pytest.raises(openai.APIStatusError) as o:
            await gpt(gateway(up, "anthropic", max_request_bytes=4096)).chat.completions.create(
                model=GPT, messages=hello(big)
            )
        assert o.value.status_code == 413 and o.value.body["type"] == "request_too_large"

    run(go())
    # A chunked body without content-length is counted as it arrives.
    sent: list[dict[str, Any]] = []
    parts = [b"{" + b" " * 3000, b" " * 3000, b"}"]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/messages",
        "headers": [(b"x-api-key", CLIENT_KEY.encode())],
    }
    run(gateway(up, max_request_bytes=4096)(scope, receive, send))
    assert sent[0]["status"] == 413 and len(parts) == 1  # stopped reading
    assert not up.seen


def test_bad_requests_and_wrong_routes() -> None:
    up = Upstream()
    app = gateway(up)

    async def go() -> None:
        with pytest.raises(anthropic.BadRequestError) as a:
            await claude(app).messages.create(
                model=CLAUDE, max_tokens=9, messages=[{"role": "narrator", "content": "x"}]
            )
        assert "messages[0].role" in a.value.body["error"]["message"]
        client = to_gateway(app)
        resp = await client.post(
            "/v1/messages", content=b"{not json", headers={"x-api-key": CLIENT_KEY}
        )
        assert resp.status_code == 400 and resp.json()["error"]["type"] == "invalid_request_error"
        # The openai route on a gateway whose upstream speaks openai: said in the openai dialect.
        with pytest.raises(openai.NotFoundError) as o:
            await gpt(app).chat.completions.create(model=GPT, messages=hello())
        assert "POST /v1/messages" in o.value.message
        resp = await client.get("/v1/messages", headers={"x-api-key": CLIENT_KEY})
        assert resp.status_code == 405 and resp.headers["allow"] == "POST"
        resp = await client.post("/v2/unknown", headers={"x-api-key": CLIENT_KEY})
        assert resp.status_code == 404 and resp.json()["type"] == "error"

    run(go())
    assert not up.seen


def test_losses_are_counted_and_strict_refuses_them() -> None:
    up = Upstream(json_reply(anthropic_message(text="hi")))

    async def go() -> None:
        resp = await to_gateway(gateway(up, "anthropic")).post(
            "/v1/chat/completions",
            json={"model": GPT, "messages": hello(), "seed": 7},
            headers={"authorization": f"Bearer {CLIENT_KEY}"},
        )
        assert resp.status_code == 200 and resp.headers["x-translate-losses"] == "1"
        with pytest.raises(openai.BadRequestError) as o:
            await gpt(gateway(up, "anthropic", strict=True)).chat.completions.create(
                model=GPT, messages=hello(), seed=7
            )
        assert "seed" in o.value.message

    run(go())
    assert len(up.seen) == 1 and "seed" not in up.bodies[0]


def test_model_mapping_exact_then_patterns_and_the_client_model_echoed() -> None:
    app = gateway(
        Upstream(),
        model_map={"claude-opus-4-1": "big", "claude-*": "small", "claude-haiku-*": "never"},
    )
    assert app.map_model("claude-opus-4-1") == "big"
    assert app.map_model("claude-haiku-4-5") == "small"  # the first pattern that matches
    assert app.map_model("MaaS_Mimo_V2.5_20260423") == "MaaS_Mimo_V2.5_20260423"
    frames = anthropic_frames(text=["ok"])
    up = Upstream(sse_reply(frames))

    async def go() -> list[Any]:
        stream = await gpt(
            gateway(up, "anthropic", model_map={"my-model": "claude-opus-4-1"})
        ).chat.completions.create(model="my-model", messages=hello(), stream=True)
        return [c async for c in stream]

    chunks = run(go())
    assert up.bodies[0]["model"] == "claude-opus-4-1"
    assert {c.model for c in chunks} == {"my-model"}


def test_upstream_auth_and_version_overrides() -> None:
    """MiMo's /v1/messages behind a MaaS wants a bearer token: upstream_auth says so."""
    up = Upstream(
        json_reply(anthropic_message(text="hi")), json_reply(anthropic_message(text="hi"))
    )

    async def go() -> None:
        await gpt(
            gateway(up, "anthropic", target="mimo-anthropic", upstream_auth="bearer")
        ).chat.completions.create(model=GPT, messages=hello())
        await gpt(gateway(up, "anthropic", target="kimi-anthropic")).chat.completions.create(
            model=GPT, messages=hello()
        )

    run(go())
    first, second = up.seen
    assert (
        first.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
        and "x-api-key" not in first.headers
    )
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert second.headers["x-api-key"] == UPSTREAM_KEY and "authorization" not in second.headers


def test_models_lists_the_map_and_the_upstreams_models() -> None:
    up = Upstream(
        json_reply(
            {"object": "list", "data": [{"id": "MaaS_Mimo_V2.5_pro_20260423", "object": "model"}]}
        ),
        httpx2.ConnectError("down"),
    )

    async def go() -> tuple[Any, Any]:
        page = await claude(gateway(up, model_map={"claude-sonnet-4-5": MODEL})).models.list()
        listed = await gpt(gateway(up, "anthropic", model_map={GPT: ANTHROPIC_MODEL})).models.list()
        return page, listed

    page, listed = run(go())
    assert [m.id for m in page.data] == ["claude-sonnet-4-5", MODEL, "MaaS_Mimo_V2.5_pro_20260423"]
    assert str(up.seen[0].url) == "https://mimo.example/v1/ai/ep-123/models"
    assert [m.id for m in listed.data] == [
        GPT,
        ANTHROPIC_MODEL,
    ]  # the upstream was down: the map alone
    assert str(up.seen[1].url) == "https://claude.example/anthropic/v1/models"


def _png(width: int, height: int) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x00" * width * 3 for _ in range(height))
    png = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def test_count_tokens_is_an_estimate_without_a_tokenizer() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 40  # 1800 characters
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": _png(100, 75)},
    }
    rich = {
        "system": "Be brief.",
        "messages": [{"role": "user", "content": [image, {"type": "text", "text": text}]}],
        "tools": [{"name": "Read", "input_schema": {"type": "object"}}],
    }
    up = Upstream()

    async def go() -> tuple[int, int]:
        client = claude(gateway(up))
        plain = await client.messages.count_tokens(model=CLAUDE, messages=hello(text))
        counted = await client.messages.count_tokens(model=CLAUDE, **rich)
        return plain.input_tokens, counted.input_tokens

    plain, counted = run(go())
    assert not up.seen  # answered by the gateway itself
    assert plain == round(len(text) / 3.5) + 4
    assert counted == estimate_tokens(rich)
    without_image = {
        **rich,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    }
    assert estimate_tokens(rich) - estimate_tokens(without_image) == 10  # 100 x 75 px / 750
    tool_json = len(json.dumps(rich["tools"][0], separators=(",", ":")))
    assert estimate_tokens(without_image) - plain == 350 + round(
        (9 + 1800 + tool_json) / 3.5
    ) - round(1800 / 3.5)
    assert estimate_tokens({"messages": [{"role": "user", "content": "你好世界"}]}) == 4 + 4
    big = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": _png(4000, 3000)},
    }
    assert estimate_tokens({"messages": [{"role": "user", "content": [big]}]}) == 1600 + 4
    thinking = {"type": "thinking", "thinking": "x" * 999, "signature": "s"}
    assert estimate_tokens({"messages": [{"role": "assistant", "content": [thinking]}]}) == 4


def test_client_disconnect_cancels_the_upstream_call() -> None:
    chunks = Chunks(chat_frames(content=["a", "b", "c"]), at=3, hang=True)
    up = Upstream(httpx2.Response(200, stream=chunks))
    app = gateway(up)
    body = json.dumps(
        {"model": CLAUDE, "max_tokens": 9, "messages": hello(), "stream": True}
    ).encode()
    sent: list[dict[str, Any]] = []
    gone = asyncio.Event()
    calls = 0

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": body, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message.get("body", b"").find(b"text_delta") >= 0:
            gone.set()  # the client leaves after its first text

    async def go() -> float:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/v1/messages",
            "headers": [(b"x-api-key", CLIENT_KEY.encode())],
        }
        t0 = time.monotonic()
        await app(scope, receive, send)
        return time.monotonic() - t0

    elapsed = run(go())
    assert chunks.closed and elapsed < 5  # the upstream stream was closed, not drained for 10 s
    assert sent[0]["status"] == 200 and not any(m.get("more_body") is False for m in sent[1:])


def test_mounted_inside_another_asgi_app() -> None:
    """The gateway is an ASGI app: mount it under a prefix of your own app."""
    gw = gateway(
        Upstream(
            json_reply(chat_completion(content="mounted")),
            json_reply(chat_completion(content="mounted")),
        ),
        allowed_hosts=["app.test"],
    )

    async def health(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def make_parent(strip: bool) -> Any:
        async def parent(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].startswith("/llm/"):
                # Starlette's Mount keeps the full path and sets root_path; older servers strip it.
                path = scope["path"][len("/llm") :] if strip else scope["path"]
                await gw({**scope, "root_path": "/llm", "path": path}, receive, send)
            else:
                await health(scope, receive, send)

        return parent

    async def go() -> list[str]:
        out = []
        for strip in (False, True):
            client = anthropic.AsyncAnthropic(
                api_key=CLIENT_KEY,
                base_url="http://app.test/llm",
                max_retries=0,
                http_client=httpx2.AsyncClient(
                    transport=httpx2.ASGITransport(app=make_parent(strip))
                ),
            )
            out.append(
                (await client.messages.create(model=CLAUDE, max_tokens=9, messages=hello()))
                .content[0]
                .text
            )
        return out

    assert run(go()) == ["mounted", "mounted"]


def test_lifespan_starts_and_closes_the_client_it_made() -> None:
    app = Gateway("http://127.0.0.1:9/v1", "openai")
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    async def go() -> None:
        client = app._client
        assert isinstance(client, H1Client) and client._ssl is None
        await app(({"type": "lifespan"}), receive, send)
        assert client._ssl is not None  # made at startup, not by the first request
        assert not client._idle

    run(go())
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_serve_reads_flags_and_environment() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    _serve.add_arguments(parser)
    env = {
        "TRANSLATE_UPSTREAM_URL": "https://api.example/v1",
        "TRANSLATE_UPSTREAM_DIALECT": "openai",
        "TRANSLATE_TARGET": "deepseek",
        "TRANSLATE_UPSTREAM_API_KEY": "k-up",
        "TRANSLATE_API_KEY": "k-client",
        "TRANSLATE_MODEL_MAP": "claude-*=deepseek-chat, claude-opus-4-1=deepseek-reasoner",
    }
    app = _serve.build(parser.parse_args([]), env)
    assert app.target.name == "deepseek" and app.served == "anthropic"
    assert app.model_map == {"claude-*": "deepseek-chat", "claude-opus-4-1": "deepseek-reasoner"}
    assert app._upstreams[0].endpoint.url == "https://api.example/v1/chat/completions"
    flagged = _serve.build(
        parser.parse_args(["--target", "kimi", "--model-map", '{"a": "b"}']), env
    )
    assert flagged.target.name == "kimi" and flagged.model_map == {"a": "b"}
    with pytest.raises(ValueError):
        _serve.build(parser.parse_args([]), {})
    with pytest.raises(ValueError):
        _serve.build(parser.parse_args(["--target", "nope"]), env)
    with pytest.raises(ValueError):
        _serve.parse_model_map("a=b,broken")
    assert (
        Gateway("https://h/anthropic/v1", "anthropic")._upstreams[0].endpoint.url
        == "https://h/anthropic/v1/messages"
    )
    assert (
        Gateway("https://h/v1/chat/completions", "openai")._upstreams[0].endpoint.url
        == "https://h/v1/chat/completions"
    )


# -- real servers on loopback ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args: list[str], env: dict[str, str], ready: str) -> None:
        self.port = _free_port()
        # owned by the server object, closed in stop(): no with-block spans its life
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                *args,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**clean, "PYTHONPATH": str(ROOT), "NO_PROXY": "*", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited: {self.output()}")
            try:
                httpx2.get(self.url + ready, timeout=1, trust_env=False)
                return
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{args[0]} did not start: {self.output()}") from None
                time.sleep(0.05)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def servers() -> Any:
    started: list[Server] = []
    try:
        fake = Server(["uvicorn", "tests.fake_upstream:app"], {}, "/stats")
        started.append(fake)
        common = {"TRANSLATE_UPSTREAM_API_KEY": UPSTREAM_KEY, "TRANSLATE_API_KEY": CLIENT_KEY}
        for_claude = Server(
            ["translate", "serve"],
            {
                **common,
                "TRANSLATE_UPSTREAM_URL": fake.url + "/openai/v1",
                "TRANSLATE_UPSTREAM_DIALECT": "openai",
                "TRANSLATE_TARGET": "mimo",
                "TRANSLATE_MODEL_MAP": f"claude-*={MODEL}",
            },
            "/v1/models",
        )
        started.append(for_claude)
        for_gpt = Server(
            ["translate", "serve"],
            {
                **common,
                "TRANSLATE_UPSTREAM_URL": fake.url + "/anthropic",
                "TRANSLATE_UPSTREAM_DIALECT": "anthropic",
                "TRANSLATE_TARGET": "anthropic",
                "TRANSLATE_MODEL_MAP": json.dumps({GPT: ANTHROPIC_MODEL}),
            },
            "/v1/models",
        )
        started.append(for_gpt)
        yield fake, for_claude, for_gpt
    finally:
        for server in reversed(started):
            server.stop()


def _stats(fake: Server) -> dict[str, Any]:
    return httpx2.get(fake.url + "/stats", trust_env=False).json()


N_STREAMS = 50


def test_real_servers_50_concurrent_anthropic_streams(servers: Any) -> None:
    fake, gw, _ = servers
    before = _stats(fake)["completed"]

    async def go() -> tuple[list[Any], float]:
        async with httpx2.AsyncClient(trust_env=False, timeout=30) as http:
            client = anthropic.AsyncAnthropic(
                api_key=CLIENT_KEY, base_url=gw.url, http_client=http, max_retries=0
            )

            async def one(i: int) -> Any:
                async with client.messages.stream(
                    model=CLAUDE, max_tokens=512, messages=hello(f"req-{i:02d}")
                ) as s:
                    return await s.get_final_message()

            t0 = time.perf_counter()
            results = await asyncio.gather(*(one(i) for i in range(N_STREAMS)))
            return results, time.perf_counter() - t0

    results, elapsed = run(go(), timeout=60)
    for i, msg in enumerate(results):
        tag = f"req-{i:02d}"
        assert [b.type for b in msg.content] == ["thinking", "text"]
        assert msg.content[0].thinking == "".join(tagged_reasoning(tag))
        assert msg.content[1].text == "".join(tagged_text(tag))  # its own content, whole, in order
        assert (
            msg.model == CLAUDE and msg.stop_reason == "end_turn" and msg.usage.output_tokens == 149
        )
    assert _stats(fake)["completed"] - before == N_STREAMS
    print(f"\n{N_STREAMS} concurrent anthropic streams through a real gateway: {elapsed:.2f} s")


def test_real_servers_50_concurrent_openai_streams(servers: Any) -> None:
    _, _, gw = servers

    async def go() -> tuple[list[tuple[str, str, set[str]]], float]:
        async with httpx2.AsyncClient(trust_env=False, timeout=30) as http:
            client = openai.AsyncOpenAI(
                api_key=CLIENT_KEY, base_url=gw.url + "/v1", http_client=http, max_retries=0
            )

            async def one(i: int) -> tuple[str, str, set[str]]:
                stream = await client.chat.completions.create(
                    model=GPT, messages=hello(f"req-{i:02d}"), stream=True
                )
                text, finish, models = "", "", set()
                async for chunk in stream:
                    models.add(chunk.model)
                    if chunk.choices:
                        text += chunk.choices[0].delta.content or ""
                        finish = chunk.choices[0].finish_reason or finish
                return text, finish, models

            t0 = time.perf_counter()
            results = await asyncio.gather(*(one(i) for i in range(N_STREAMS)))
            return results, time.perf_counter() - t0

    results, elapsed = run(go(), timeout=60)
    for i, (text, finish, models) in enumerate(results):
        assert text == "".join(tagged_text(f"req-{i:02d}"))
        assert finish == "stop" and models == {GPT}
    print(f"\n{N_STREAMS} concurrent openai streams through a real gateway: {elapsed:.2f} s")


def test_real_servers_drop_and_disconnect(servers: Any) -> None:
    fake, gw, _ = servers

    async def go() -> None:
        async with httpx2.AsyncClient(trust_env=False, timeout=30) as http:
            client = anthropic.AsyncAnthropic(
                api_key=CLIENT_KEY, base_url=gw.url, http_client=http, max_retries=0
            )
            # The upstream drops the connection mid-stream: the client's stream ends with an error event.
            with pytest.raises(anthropic.APIStatusError) as info:
                async with client.messages.stream(
                    model=CLAUDE, max_tokens=64, messages=hello("drop-1")
                ) as s:
                    await s.get_final_message()
            assert (
                info.value.body["type"] == "error"
                and info.value.body["error"]["type"] == "api_error"
            )
            # The client leaves mid-stream: the gateway closes its upstream call.
            async with client.messages.stream(
                model=CLAUDE, max_tokens=64, messages=hello("hang-1")
            ) as s:
                async for event in s:
                    if event.type == "thinking":
                        break
            for _ in range(100):
                if "hang-1" in _stats(fake)["cancelled"]:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"the upstream call was not cancelled: {_stats(fake)}")

    run(go())
    # A wrong key never reaches the upstream.
    resp = httpx2.post(
        gw.url + "/v1/messages",
        json={"model": CLAUDE, "max_tokens": 9, "messages": hello()},
        headers={"x-api-key": "wrong"},
        trust_env=False,
    )
    assert resp.status_code == 401 and resp.json()["error"]["type"] == "authentication_error"
    assert _stats(fake)["bad_auth"] == 0


# -- issue 12: limits, stalls, browsers, visibility, Claude Code's needs -------------------


async def _asgi(
    app: Any,
    path: str,
    parts: list[bytes],
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    pause: float = 0.0,
) -> list[dict[str, Any]]:
    """One request straight through ASGI; ``pause`` seconds before each body part after the first."""
    sent: list[dict[str, Any]] = []
    todo = list(parts)
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if not todo:
            await asyncio.sleep(3600)
        if not first and pause:
            await asyncio.sleep(pause)
        first = False
        return {"type": "http.request", "body": todo.pop(0), "more_body": bool(todo)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"x-api-key", CLIENT_KEY.encode()), *(headers or [])],
    }
    await app(scope, receive, send)
    return sent


def test_request_bytes_are_bounded_in_total_and_slow_bodies_time_out() -> None:
    app = gateway(Upstream(), max_pending_bytes=10_000, body_timeout=0.3)

    async def go() -> None:
        # 3 unfinished bodies of 4 KB each: the third does not fit in 10 KB -> 503
        slow = [
            asyncio.ensure_future(_asgi(app, "/v1/messages", [b"{" + b" " * 4000, b"}"], pause=1))
            for _ in range(3)
        ]
        results = await asyncio.gather(*slow)
        statuses = sorted(r[0]["status"] for r in results)
        assert statuses == [408, 408, 503], statuses  # two time out, one was refused
        assert app._pending == 0  # all released

    run(go())


def test_upstream_answer_cap_and_the_overall_deadline() -> None:
    big = chat_completion(content="x" * 5000)
    slow = chat_frames(content=[f"w{i}" for i in range(50)])

    async def go() -> None:
        resp = await to_gateway(gateway(Upstream(json_reply(big)), max_response_bytes=4096)).post(
            "/v1/messages",
            json={"model": CLAUDE, "max_tokens": 9, "messages": hello()},
            headers={"x-api-key": CLIENT_KEY},
        )
        assert resp.status_code == 502 and "larger" in resp.json()["error"]["message"]
        # an upstream that never stops trickling: the deadline ends the stream with an error
        up = Upstream(sse_reply(slow, at=3, hang=True))
        resp = await to_gateway(gateway(up, deadline=0.3)).post(
            "/v1/messages",
            json={"model": CLAUDE, "max_tokens": 9, "messages": hello(), "stream": True},
            headers={"x-api-key": CLIENT_KEY},
        )
        assert resp.status_code == 200
        assert b"event: error" in resp.content and b"deadline" in resp.content
        up = Upstream(json_reply(big))

        async def late(body: Any) -> httpx2.Response:
            await asyncio.sleep(2)
            return json_reply(big)

        up = Upstream(late)
        resp = await to_gateway(gateway(up, deadline=0.2)).post(
            "/v1/messages",
            json={"model": CLAUDE, "max_tokens": 9, "messages": hello()},
            headers={"x-api-key": CLIENT_KEY},
        )
        assert resp.status_code == 504 and "deadline" in resp.json()["error"]["message"]

    run(go())


def test_no_request_stalls_the_others() -> None:
    """A quadratic HTML title scan, deep nesting and a large body: each linear, bounded,
    or off the event loop; a ticker never waits more than 100 ms."""
    page = b"<html>" + b"<title>" * 9400
    nested = (
        b'{"messages": [{"role": "user", "content": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    )
    models = b'{"data": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    large = json.dumps(
        {"model": CLAUDE, "max_tokens": 9, "messages": hello("y " * 4_000_000)}
    ).encode()
    replies = [
        httpx2.Response(502, content=page),
        json_reply(models),
        json_reply(chat_completion(content="done")),
    ]

    async def handler(request: httpx2.Request) -> httpx2.Response:
        return replies.pop(0)  # not decoded here: the fake upstream would stall the loop itself

    app = gateway(Upstream())
    app._client = HttpxClient(httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    worst = 0.0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, loop.time() - t - 0.005)

    async def go() -> list[int]:
        stop = asyncio.Event()
        tick = asyncio.ensure_future(ticker(stop))
        await asyncio.sleep(0.02)
        client = to_gateway(app)
        h = {"x-api-key": CLIENT_KEY}
        statuses = []
        resp = await client.post(
            "/v1/messages", json={"model": CLAUDE, "max_tokens": 9, "messages": hello()}, headers=h
        )
        statuses.append(resp.status_code)
        resp = await client.post("/v1/messages/count_tokens", content=nested, headers=h)
        statuses.append(resp.status_code)
        resp = await client.get("/v1/models", headers=h)
        statuses.append(resp.status_code)
        parts = [large[i : i + 65536] for i in range(0, len(large), 65536)]
        sent = await _asgi(
            app, "/v1/messages", parts
        )  # the test client would stall, not the gateway
        statuses.append(sent[0]["status"])
        stop.set()
        await tick
        return statuses

    t = time.perf_counter()
    assert run(go()) == [502, 400, 200, 200]
    assert worst < 0.1, f"the event loop stalled {worst * 1000:.0f} ms"
    assert time.perf_counter() - t < 10


def test_browsers_and_unexpected_hosts_are_refused() -> None:
    up = Upstream(
        json_reply(chat_completion(content="hi")), json_reply(chat_completion(content="hi"))
    )
    body = json.dumps({"model": CLAUDE, "max_tokens": 9, "messages": hello()}).encode()
    open_app = gateway(up, client_api_key=None, allowed_hosts=("localhost", "127.0.0.1", "::1"))

    async def status(app: Any, headers: list[tuple[bytes, bytes]]) -> int:
        sent = await _asgi(
            app, "/v1/messages", [body], [(b"content-type", b"text/plain"), *headers]
        )
        return int(sent[0]["status"])

    async def go() -> None:
        # a cross-site text/plain POST from a web page: refused before the upstream is asked
        assert (
            await status(
                open_app, [(b"host", b"127.0.0.1:8080"), (b"origin", b"https://evil.example")]
            )
            == 403
        )
        # DNS rebinding: the page's own host name
        assert await status(open_app, [(b"host", b"evil.example:8080")]) == 403
        assert await status(open_app, [(b"host", b"[::1]:8080")]) == 200
        allowed = gateway(up, client_api_key=None, allowed_origins=["https://app.example"])
        assert (
            await status(allowed, [(b"host", b"gateway.test"), (b"origin", b"https://app.example")])
            == 200
        )

    run(go())
    assert len(up.seen) == 2


def test_losses_are_logged_and_named_in_a_header(caplog: Any) -> None:
    up = Upstream(json_reply(anthropic_message(text="hi")))
    caplog.set_level("INFO", logger="translate.gateway")

    async def go() -> httpx2.Response:
        return await to_gateway(gateway(up, "anthropic")).post(
            "/v1/chat/completions",
            json={"model": GPT, "messages": hello(), "seed": 7},
            headers={"authorization": f"Bearer {CLIENT_KEY}"},
        )

    resp = run(go())
    assert resp.headers["x-translate-losses"] == "1"
    assert resp.headers["x-translate-loss"] == "dropped seed"
    assert "x-translate-loss" in resp.headers["access-control-expose-headers"]
    lines = [r.getMessage() for r in caplog.records if r.name == "translate.gateway"]
    assert (
        len(lines) == 1 and "POST /v1/chat/completions" in lines[0] and "seed (dropped)" in lines[0]
    )


def test_strict_takes_the_loss_kinds_that_are_fatal() -> None:
    body = {"model": GPT, "messages": hello(), "seed": 7, "max_tokens": 99999}

    async def go(strict: Any) -> int:
        up = Upstream(json_reply(anthropic_message(text="hi")))
        resp = await to_gateway(gateway(up, "anthropic", strict=strict, max_tokens=100)).post(
            "/v1/chat/completions", json=body, headers={"authorization": f"Bearer {CLIENT_KEY}"}
        )
        return resp.status_code

    assert run(go(["coerced"])) == 400  # max_tokens lowered
    assert run(go(["approximated"])) == 200
    assert run(go(["seed"])) == 400  # a path pattern
    assert run(go(True)) == 400


def test_claude_code_request_to_an_openai_upstream() -> None:
    """The real Claude Code request: its billing line, user id and 32000 max_tokens are not
    sent as they are, and each change is a loss; tool schemas cleaned for OpenAI."""
    request = json.loads((FIXTURES / "requests/claude_code_agent/anthropic.json").read_text())
    request["stream"] = False
    request["tools"][0]["input_schema"]["properties"]["x"] = {
        "type": "string",
        "pattern": "^(?!foo).*$",
        "format": "uri",
    }
    request["tools"][0]["input_schema"]["$schema"] = "http://json-schema.org/draft-07/schema#"
    reply = json_reply(chat_completion(content="ok"))
    up = Upstream(
        reply, json_reply(chat_completion(content="ok")), json_reply(chat_completion(content="ok"))
    )

    async def go(app: Gateway) -> httpx2.Response:
        return await to_gateway(app).post(
            "/v1/messages", json=request, headers={"x-api-key": CLIENT_KEY}
        )

    resp = run(go(gateway(up, target="openai", max_tokens=8192)))
    assert resp.status_code == 200
    sent = up.bodies[0]
    system = sent["messages"][0]["content"]
    texts = [p["text"] for p in system] if isinstance(system, list) else [system]
    assert not any(t.startswith("x-anthropic-billing-header") for t in texts)
    assert "user" not in sent
    assert sent.get("max_completion_tokens", sent.get("max_tokens")) == 8192
    params = sent["tools"][0]["function"]["parameters"]
    assert "$schema" not in params and params["properties"]["x"] == {"type": "string"}
    named = resp.headers["x-translate-loss"]
    for part in (
        "dropped system[0]",
        "dropped metadata.user_id",
        "coerced max_tokens",
        "tools[0].input_schema.$schema",
    ):
        assert part in named
    # kept when asked
    resp = run(go(gateway(up, target="openai", keep_billing_header=True, forward_user=True)))
    sent = up.bodies[1]
    assert sent["user"] == request["metadata"]["user_id"]
    assert "billing" in json.dumps(sent["messages"][0])


def test_routes_send_each_model_to_its_own_upstream(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        """
[[route]]
models = ["claude-opus-*", "claude-sonnet-*"]
url = "https://big.example/v1"
dialect = "openai"
target = "deepseek"
key_env = "BIG_KEY"
model = "big-model"
max_tokens = 8000

[[route]]
models = ["claude-haiku-*"]
url = "http://small.example/v1"
dialect = "openai"
key_env = "SMALL_KEY"
model = "small-model"
"""
    )
    import argparse

    parser = argparse.ArgumentParser()
    _serve.add_arguments(parser)
    env = {"BIG_KEY": "k-big", "SMALL_KEY": "k-small"}
    app = _serve.build(parser.parse_args(["--config", str(config)]), env)
    up = Upstream(*[json_reply(chat_completion(content="ok")) for _ in range(2)])
    app._client = _serve_client(up)

    async def go() -> list[int]:
        out = []
        for model in ("claude-opus-4-7", "claude-haiku-4-5", "gpt-4o"):
            resp = await to_gateway(app).post(
                "/v1/messages",
                json={"model": model, "max_tokens": 64000, "messages": hello()},
                headers={"host": "127.0.0.1:8080"},
            )
            out.append(resp.status_code)
            if resp.status_code == 200:
                assert resp.json()["model"] == model
        return out

    assert run(go()) == [200, 200, 404]
    big, small = up.seen
    assert str(big.url) == "https://big.example/v1/chat/completions"
    assert big.headers["authorization"] == "Bearer k-big"
    assert up.bodies[0]["model"] == "big-model" and up.bodies[0]["max_tokens"] == 8000
    assert str(small.url) == "http://small.example/v1/chat/completions"
    assert small.headers["authorization"] == "Bearer k-small"
    small_body = up.bodies[1]
    assert small_body["model"] == "small-model"
    assert small_body.get("max_completion_tokens", small_body.get("max_tokens")) == 64000
    with pytest.raises(ValueError, match="SMALL_KEY"):
        _serve.build(parser.parse_args(["--config", str(config)]), {"BIG_KEY": "x"})


def _serve_client(up: Upstream) -> Any:
    return HttpxClient(httpx2.AsyncClient(transport=httpx2.MockTransport(up.handler)))


# -- Responses clients (Codex, the openai SDK's responses), Chat or Messages upstream -------

SHELL = [
    {
        "type": "function",
        "name": "shell",
        "description": "Run a command",
        "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}},
    }
]


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "stream"])
def test_responses_sdk_tool_loop_over_a_chat_upstream(streaming: bool) -> None:
    """Two turns, the way Codex sends them (store false, the whole history in input, the
    items of the first answer given back): reasoning_content goes back up on the tool-call
    turn, the tool output as a tool message."""
    call = ("call_7d1e", "shell", {"cmd": "ls"})

    def turn(n: int) -> Callable[[dict[str, Any]], httpx2.Response]:
        def reply(body: dict[str, Any]) -> httpx2.Response:
            assert body["model"] == MODEL and body.get("stream", False) is streaming
            if n == 2:
                assistant, tool = body["messages"][-2:]
                assert assistant["reasoning_content"] == "List first."
                assert assistant["tool_calls"][0]["id"] == "call_7d1e"
                assert tool == {"role": "tool", "tool_call_id": "call_7d1e", "content": "a.py"}
                kw: dict[str, Any] = {"content": "One file: a.py."}
            else:
                kw = {"reasoning": "List first.", "tool_calls": [call], "finish": "tool_calls"}
            if streaming:
                frames = chat_frames(
                    reasoning=[kw["reasoning"]] if "reasoning" in kw else [],
                    content=[kw["content"]] if "content" in kw else [],
                    tool_calls=kw.get("tool_calls", []),
                    finish=kw.get("finish", "stop"),
                )
                return sse_reply(frames)
            return json_reply(chat_completion(**kw))

        return reply

    up = Upstream(turn(1), turn(2))
    app = gateway(up, target="deepseek", model_map={"gpt-5*": MODEL})

    async def go() -> list[Any]:
        client = gpt(app)
        items: list[Any] = [{"role": "user", "content": "what files are there?"}]
        answers = []
        for _ in range(2):
            kw = {"model": "gpt-5-codex", "input": items, "tools": SHELL, "store": False}
            if streaming:
                async with client.responses.stream(**kw) as s:
                    resp = await s.get_final_response()
            else:
                resp = await client.responses.create(**kw)
            assert resp.model == "gpt-5-codex" and resp.id
            answers.append(resp)
            items += [o.model_dump(exclude_none=True) for o in resp.output]
            items += [{"type": "function_call_output", "call_id": "call_7d1e", "output": "a.py"}]
        return answers

    first, second = run(go())
    assert [o.type for o in first.output] == ["reasoning", "function_call"]
    assert first.output[0].summary[0].text == "List first."
    assert first.output[1].name == "shell" and json.loads(first.output[1].arguments) == {
        "cmd": "ls"
    }
    assert second.output_text == "One file: a.py."
    assert str(up.seen[0].url) == "https://mimo.example/v1/ai/ep-123/chat/completions"


def test_responses_sdk_over_a_messages_upstream_replays_signed_thinking() -> None:
    signature = "EqQBCkYIBxgCKkDs1pF0x7P9aQpGv3m1"

    def second(body: dict[str, Any]) -> httpx2.Response:
        assistant = body["messages"][-2]
        assert assistant["content"][0] == {
            "type": "thinking",
            "thinking": "Hmm.",
            "signature": signature,
        }
        assert body["messages"][-1]["content"][0]["type"] == "tool_result"
        return sse_reply(anthropic_frames(text=["Done."]))

    up = Upstream(
        sse_reply(
            anthropic_frames(
                thinking=["Hmm."],
                signature=signature,
                tool_uses=[("toolu_1", "shell", {"cmd": "ls"})],
                stop_reason="tool_use",
            )
        ),
        second,
    )
    app = gateway(up, "anthropic", model_map={"gpt-5*": ANTHROPIC_MODEL})

    async def go() -> Any:
        client = gpt(app)
        items: list[Any] = [{"role": "user", "content": "list"}]
        kw: dict[str, Any] = {
            "model": "gpt-5",
            "tools": SHELL,
            "store": False,
            "include": ["reasoning.encrypted_content"],
        }
        async with client.responses.stream(input=items, **kw) as s:
            first = await s.get_final_response()
        assert first.output[0].encrypted_content == signature
        items += [o.model_dump(exclude_none=True) for o in first.output]
        items.append({"type": "function_call_output", "call_id": "toolu_1", "output": "a.py"})
        async with client.responses.stream(input=items, **kw) as s:
            return await s.get_final_response()

    assert run(go()).output_text == "Done."
    assert str(up.seen[0].url) == "https://claude.example/anthropic/v1/messages"


CONTEXT_ERRORS = [
    (
        "anthropic",
        b'{"type":"error","error":{"type":"invalid_request_error",'
        b'"message":"prompt is too long: 208310 tokens > 200000 maximum"}}',
    ),
    (
        "openai",
        b'{"error":{"message":"This model\'s maximum context length is 131072 tokens. '
        b'However, you requested 140000 tokens.","type":"invalid_request_error","param":null,'
        b'"code":null}}',
    ),
    (
        "openai",
        b'{"error":{"message":"too long","type":"invalid_request_error",'
        b'"code":"context_length_exceeded"}}',
    ),
]


@pytest.mark.parametrize("dialect,body", CONTEXT_ERRORS)
def test_responses_client_gets_context_length_exceeded(dialect: str, body: bytes) -> None:
    up = Upstream(httpx2.Response(400, content=body))

    async def go() -> None:
        await gpt(gateway(up, dialect)).responses.create(model=GPT, input="hi", stream=True)

    with pytest.raises(openai.BadRequestError) as info:
        run(go())
    assert info.value.body["code"] == "context_length_exceeded"


@pytest.mark.parametrize("retry_after", ["12", None])
def test_responses_client_rate_limit_keeps_retry_after(retry_after: str | None) -> None:
    """Codex retries a 429 only when it says when: the upstream's Retry-After is passed on,
    none is made up."""
    headers = {"retry-after": retry_after} if retry_after else {}
    body = b'{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'
    up = Upstream(httpx2.Response(429, content=body, headers=headers))

    async def go() -> httpx2.Response:
        return await to_gateway(gateway(up, "anthropic")).post(
            "/v1/responses",
            headers={"authorization": f"Bearer {CLIENT_KEY}"},
            json={"model": GPT, "input": "hi", "stream": True},
        )

    resp = run(go())
    assert resp.status_code == 429 and resp.headers.get("retry-after") == retry_after
    assert resp.json()["error"]["message"] == "slow down"  # the openai body shape


def test_a_dropped_upstream_ends_the_responses_stream_with_response_failed() -> None:
    frames = chat_frames(reasoning=["Let me think."], content=["Hello", " there", " friend"])
    up = Upstream(sse_reply(frames, at=4, fail=httpx2.ReadError("connection reset")))

    async def go() -> httpx2.Response:
        return await to_gateway(gateway(up)).post(
            "/v1/responses",
            headers={"authorization": f"Bearer {CLIENT_KEY}"},
            json={"model": GPT, "input": "hi", "stream": True},
        )

    events = [e for e in run(go()).content.split(b"\n\n") if e]
    assert events[-1].startswith(b"event: response.failed\ndata: ")
    failed = json.loads(events[-1].split(b"data: ", 1)[1])
    assert "lost" in failed["response"]["error"]["message"]
    names = [e.split(b"\n")[0] for e in events]
    assert names.count(b"event: response.output_item.added") == names.count(
        b"event: response.output_item.done"
    )  # every item added is done


def test_responses_route_errors_are_openai_shaped() -> None:
    up = Upstream()

    async def go() -> list[httpx2.Response]:
        client = to_gateway(gateway(up))
        auth = {"authorization": f"Bearer {CLIENT_KEY}"}
        return [
            await client.post("/v1/responses", headers=auth, content=b"{not json"),
            await client.post("/v1/responses", json={"model": GPT, "input": "hi"}),
            await client.post(
                "/v1/chat/completions", headers=auth, json={"model": GPT, "messages": hello()}
            ),
        ]

    bad, unauthorized, wrong = run(go())
    assert bad.status_code == 400 and set(bad.json()) == {"error"}
    assert unauthorized.status_code == 401 and "message" in unauthorized.json()["error"]
    # a Chat client in front of a Chat upstream: the routes that upstream serves are named
    assert wrong.status_code == 404
    assert "POST /v1/messages or POST /v1/responses" in wrong.json()["error"]["message"]


# -- Chat and Messages clients, Responses upstream --------------------------------------------


def _responses_upstream(up: Upstream) -> Gateway:
    return Gateway(
        "https://responses.example/v1",
        "responses",
        upstream_api_key=UPSTREAM_KEY,
        client_api_key=CLIENT_KEY,
        allowed_hosts=["gateway.test"],
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(up.handler)),
    )


def _a_response(**kw: Any) -> bytes:
    """A Responses ``Response`` as an upstream would send it (made by the library from a
    ChatCompletion: reasoning, text and a function call)."""
    from translate import to_responses

    return msgspec.json.encode(to_responses.response(chat_completion(**kw)))


def test_chat_and_messages_clients_over_a_responses_upstream() -> None:
    call = ("call_3f", "shell", {"cmd": "ls"})
    up = Upstream(
        json_reply(_a_response(content="Looking.", tool_calls=[call], finish="tool_calls")),
        json_reply(_a_response(content="Hello.")),
    )
    app = _responses_upstream(up)
    tool = {"type": "function", "function": {"name": "shell", "parameters": {"type": "object"}}}

    async def go() -> tuple[Any, Any]:
        chat = await gpt(app).chat.completions.create(model="gpt-5", messages=hello(), tools=[tool])
        msg = await claude(app).messages.create(model="gpt-5", max_tokens=64, messages=hello())
        return chat, msg

    chat, msg = run(go())
    assert chat.choices[0].message.content == "Looking."
    assert chat.choices[0].message.tool_calls[0].function.name == "shell"
    assert chat.choices[0].finish_reason == "tool_calls"
    assert [b.type for b in msg.content] == ["text"] and msg.content[0].text == "Hello."
    assert [str(r.url) for r in up.seen] == ["https://responses.example/v1/responses"] * 2
    assert up.seen[0].headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
    first, second = up.bodies
    assert first["input"][0]["role"] == "user" and first["tools"][0]["name"] == "shell"
    assert second["max_output_tokens"] == 64 and "messages" not in second


def _a_response_stream(**kw: Any) -> list[bytes]:
    """A Responses event stream as an upstream would send it (made by the library from
    chat frames: reasoning, text, function calls, then ``response.completed``)."""
    from translate import to_responses

    return [b"".join(to_responses.sse(chat_frames(**kw)))]


@pytest.mark.parametrize("client", ["openai", "anthropic"])
def test_streams_from_a_responses_upstream_reach_chat_and_messages_clients(client: str) -> None:
    call = ("call_3f", "shell", {"cmd": "ls"})
    up = Upstream(
        sse_reply(
            _a_response_stream(
                reasoning=["Let me ", "look."],
                content=["Looking."],
                tool_calls=[call],
                finish="tool_calls",
            )
        )
    )
    app = _responses_upstream(up)

    async def chat() -> Any:
        tool = {"type": "function", "function": {"name": "shell", "parameters": {"type": "object"}}}
        kw: Any = {"model": "gpt-5", "messages": hello(), "tools": [tool]}
        async with gpt(app).chat.completions.stream(**kw) as s:
            return await s.get_final_completion()

    async def messages() -> Any:
        tool = {"name": "shell", "input_schema": {"type": "object"}}
        kw: Any = {"model": "gpt-5", "max_tokens": 64, "messages": hello(), "tools": [tool]}
        async with claude(app).messages.stream(**kw) as s:
            return await s.get_final_message()

    if client == "openai":
        done = run(chat())
        m = done.choices[0].message
        assert m.content == "Looking." and done.choices[0].finish_reason == "tool_calls"
        assert [(c.id, c.function.name, c.function.arguments) for c in m.tool_calls] == [
            ("call_3f", "shell", '{"cmd": "ls"}')  # the upstream's own string, unchanged
        ]
    else:
        msg = run(messages())
        assert [b.type for b in msg.content] == ["thinking", "text", "tool_use"]
        assert msg.content[0].thinking == "Let me look." and msg.content[1].text == "Looking."
        assert (msg.content[2].name, msg.content[2].input) == ("shell", {"cmd": "ls"})
        assert msg.stop_reason == "tool_use"
    assert up.bodies[0]["stream"] is True
    assert [str(r.url) for r in up.seen] == ["https://responses.example/v1/responses"]


def test_serve_takes_a_responses_upstream() -> None:
    import argparse

    env = {
        "TRANSLATE_UPSTREAM_URL": "http://127.0.0.1:9/v1",
        "TRANSLATE_UPSTREAM_DIALECT": "responses",
    }
    app = _serve.build(argparse.Namespace(), env)
    assert app.upstream_dialect == "responses" and app.serves == ("openai", "anthropic")
    assert app._upstreams[0].endpoint.url == "http://127.0.0.1:9/v1/responses"
