"""A fake upstream for the gateway tests: payloads of both dialects, shaped like the
fixtures (MiMo's chat completions, Anthropic's Messages), and a plain ASGI app serving
them for the tests that run real servers:

    python -m uvicorn tests.fake_upstream:app --port PORT

- ``POST /openai/v1/chat/completions``: an openai-dialect upstream (MiMo-like chunks);
- ``POST /anthropic/v1/messages``: an anthropic-dialect upstream;
- ``POST /scripted/v1/chat/completions``: a tool loop for a real client (``scripted``),
  every request kept for ``GET /seen``;
- ``POST /scripted-anthropic/v1/messages``: the same tool loop in the anthropic dialect
  (``scripted_anthropic``), with signed thinking;
- ``GET /stats``: what it saw (streams completed, cancelled by the client, dropped).

Both answer each request with a stream made from the last user text (its *tag*), so a test
knows what every stream must contain. A tag starting with ``drop`` breaks the connection
mid-stream; one starting with ``hang`` keeps streaming slowly (at most 20 s) so that a
client can leave.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

UPSTREAM_KEY = "sk-upstream-5eCr3t-0123456789"
MODEL = "MaaS_Mimo_V2.5_20260423"
CREATED = 1780036512


# -- openai dialect (MiMo's shapes: fixtures/responses/seed_mimo_chat, fixtures/streams/mimo_*) --


def chat_completion(
    *,
    model: str = MODEL,
    content: str | None = None,
    reasoning: str | None = None,
    tool_calls: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    finish: str = "stop",
    prompt_tokens: int = 55,
    completion_tokens: int = 149,
    id: str = "chatcmpl-LnYo0Rzyh3fkDQGmYoETI54W",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": cid,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for cid, name, args in tool_calls
        ]
    return {
        "id": id,
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish,
                "native_finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": 40},
            "prompt_tokens_details": {"cached_tokens": 0},
        },
    }


def chat_frames(
    *,
    model: str = MODEL,
    reasoning: list[str] = (),  # type: ignore[assignment]
    content: list[str] = (),  # type: ignore[assignment]
    tool_calls: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    finish: str = "stop",
    id: str = "chatcmpl-5Qb0fXw2RkTmJ8yHcVnLpD3a",
) -> list[bytes]:
    """``data: <chunk>`` frames as MiMo streams them, usage chunk and ``[DONE]`` included."""

    def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> bytes:
        body = {
            "id": id,
            "choices": [
                {
                    "index": 0,
                    "delta": delta,
                    "finish_reason": finish_reason,
                    "native_finish_reason": finish_reason,
                }
            ],
            "created": CREATED,
            "model": model,
            "object": "chat.completion.chunk",
            **extra,
        }
        return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"

    frames = [chunk({"content": "", "reasoning_content": "", "role": "assistant"})]
    frames += [chunk({"reasoning_content": r}) for r in reasoning]
    frames += [chunk({"content": c}) for c in content]
    for i, (cid, name, args) in enumerate(tool_calls):
        text = json.dumps(args)
        frames.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": cid,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        half = len(text) // 2
        for piece in (text[:half], text[half:]):
            frames.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    frames.append(chunk({"content": ""}, finish))
    usage = {
        "prompt_tokens": 55,
        "completion_tokens": 149,
        "total_tokens": 204,
        "completion_tokens_details": {"reasoning_tokens": 40},
    }
    frames.append(
        b"data: "
        + json.dumps(
            {
                "id": id,
                "choices": [],
                "created": CREATED,
                "model": model,
                "object": "chat.completion.chunk",
                "usage": usage,
            }
        ).encode()
        + b"\n\n"
    )
    frames.append(b"data: [DONE]\n\n")
    return frames


# -- anthropic dialect (fixtures/responses/anthropic_*, fixtures/streams/anthropic_*) ---------

ANTHROPIC_MODEL = "claude-sonnet-4-5-20250929"


def anthropic_message(
    *,
    model: str = ANTHROPIC_MODEL,
    thinking: tuple[str, str] | None = None,
    text: str | None = None,
    tool_uses: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    stop_reason: str = "end_turn",
    id: str = "msg_01Hq3XwV8mLgZk4b9Rt2sNpA",
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if thinking is not None:
        content.append({"type": "thinking", "thinking": thinking[0], "signature": thinking[1]})
    if text is not None:
        content.append({"type": "text", "text": text})
    content += [
        {"type": "tool_use", "id": tid, "name": name, "input": args}
        for tid, name, args in tool_uses
    ]
    return {
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 48,
            "output_tokens": 196,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def anthropic_frames(
    *,
    model: str = ANTHROPIC_MODEL,
    thinking: list[str] = (),  # type: ignore[assignment]
    signature: str = "EqQBCkYIBxgCKkDs1pF0x7P9aQpGv3m1lYk2r4Zb6sKxw8dQe5hTn0uJcV2yR7fL3gA9iMoX4tB1zE6nW8qS",
    text: list[str] = (),  # type: ignore[assignment]
    tool_uses: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    stop_reason: str = "end_turn",
    id: str = "msg_01JcQ8mXv5wT3nR7bL2kP9sY",
) -> list[bytes]:
    """``event: <type>`` / ``data: <json>`` frames as Anthropic streams them, pings included."""

    def frame(body: dict[str, Any]) -> bytes:
        return (
            f"event: {body['type']}\ndata: ".encode()
            + json.dumps(body, ensure_ascii=False).encode()
            + b"\n\n"
        )

    usage = {
        "input_tokens": 12,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 3,
    }
    frames = [
        frame(
            {
                "type": "message_start",
                "message": {
                    "model": model,
                    "id": id,
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                },
            }
        ),
        frame({"type": "ping"}),
    ]
    index = 0
    if thinking:
        frames.append(
            frame(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                }
            )
        )
        frames += [
            frame(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "thinking_delta", "thinking": t},
                }
            )
            for t in thinking
        ]
        frames.append(
            frame(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "signature_delta", "signature": signature},
                }
            )
        )
        frames.append(frame({"type": "content_block_stop", "index": index}))
        index += 1
    if text:
        frames.append(
            frame(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                }
            )
        )
        frames += [
            frame(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": t},
                }
            )
            for t in text
        ]
        frames.append(frame({"type": "content_block_stop", "index": index}))
        index += 1
    for tid, name, args in tool_uses:
        frames.append(
            frame(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "tool_use", "id": tid, "name": name, "input": {}},
                }
            )
        )
        raw = json.dumps(args)
        half = len(raw) // 2
        for piece in (raw[:half], raw[half:]):
            frames.append(
                frame(
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": piece},
                    }
                )
            )
        frames.append(frame({"type": "content_block_stop", "index": index}))
        index += 1
    frames.append(
        frame(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": 196},
            }
        )
    )
    frames.append(frame({"type": "message_stop"}))
    return frames


# -- what a tagged request gets -------------------------------------------------------------

PARTS = 24


def tagged_reasoning(tag: str) -> list[str]:
    return [f"Thinking about {tag}", f", step 2 of {tag}."]


def tagged_text(tag: str) -> list[str]:
    return [f"[{tag}:{i}]" for i in range(PARTS)]


def tag_of(request: dict[str, Any]) -> str:
    """The last user text of a request of either dialect."""
    for message in reversed(request.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        for part in content or []:
            if isinstance(part, dict) and part.get("type") == "text":
                return part["text"]
    return ""


# -- the ASGI app ---------------------------------------------------------------------------

STATS: dict[str, Any] = {"completed": 0, "cancelled": [], "dropped": 0, "bad_auth": 0}
SEEN: list[Any] = []  # the requests of the scripted route
SCRIPT_REASONING = "I should run the command the user asked for."
SCRIPT_ANSWER = "The command printed hello. DONE-7f3a"


# Codex's second turn (``codex exec resume``): another command, another answer.
SCRIPT_REASONING_2 = "The user wants a second command: run it too."
SCRIPT_ANSWER_2 = "The second command printed goodbye. DONE-2c9e"
SCRIPT_SIGNATURES = (
    "EqQBCkYIBxgCKkDs1pF0x7P9aQpGv3m1lYk2r4Zb6sKxw8dQe5hTn0uJcV2yR7fL3gA9iMoX4tB1zE6nW8qS",
    "EpYBCkYIBxgCKkBa8pQ3mV7xR2tL9kN4wF6yH1cJ5sD0gZ3bU8eT2qA7iO4nM6vX9rK1lP5jW3hE0dS8fY2",
)


def _script_step(names: list[str], last_tool: str | None, last_user: str) -> Any:
    """The scripted tool loop, dialect aside: ("answer", text) or ("call", reasoning,
    signature, call id, tool name, arguments).

    A turn whose last message is a tool result gets the final answer (the second one when
    the result says goodbye). Otherwise, with Claude Code's ``Bash`` tool: ``echo hello``;
    with Codex's ``exec_command``: ``echo hello``, or ``echo goodbye`` when the user asked
    for the second command. Anything else (a client's side requests) gets a short text."""
    if last_tool is not None:
        return ("answer", SCRIPT_ANSWER_2 if "goodbye" in last_tool else SCRIPT_ANSWER)
    if "Bash" in names:
        args = {"command": "echo hello", "description": "Say hello"}
        return ("call", SCRIPT_REASONING, SCRIPT_SIGNATURES[0], "call_hello_1", "Bash", args)
    if "exec_command" in names:
        if "goodbye" in last_user:
            return (
                "call",
                SCRIPT_REASONING_2,
                SCRIPT_SIGNATURES[1],
                "call_goodbye_2",
                "exec_command",
                {"cmd": "echo goodbye"},
            )
        return (
            "call",
            SCRIPT_REASONING,
            SCRIPT_SIGNATURES[0],
            "call_hello_1",
            "exec_command",
            {"cmd": "echo hello"},
        )
    return ("answer", "ok")


def scripted(request: dict[str, Any]) -> list[bytes]:
    """A tool loop, for a real client, in the openai dialect (``_script_step``): the call
    comes with ``reasoning_content``."""
    messages = request.get("messages") or []
    model = request.get("model", MODEL)
    last_tool = None
    if messages and messages[-1].get("role") == "tool":
        last_tool = json.dumps(messages[-1].get("content"))
    names = [t.get("function", {}).get("name") for t in request.get("tools") or []]
    step = _script_step(names, last_tool, tag_of(request))
    if step[0] == "answer":
        return chat_frames(model=model, content=[step[1]])
    _, reasoning, _, cid, name, args = step
    return chat_frames(
        model=model, reasoning=[reasoning], tool_calls=[(cid, name, args)], finish="tool_calls"
    )


def scripted_anthropic(request: dict[str, Any]) -> list[bytes]:
    """The same tool loop in the anthropic dialect: the call comes after a signed thinking
    block (the signature a real Anthropic upstream checks when it comes back)."""
    messages = request.get("messages") or []
    model = request.get("model", ANTHROPIC_MODEL)
    last_tool = None
    if messages and messages[-1].get("role") == "user":
        content = messages[-1].get("content")
        results = [
            b for b in content or [] if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
        if isinstance(content, list) and results:
            last_tool = json.dumps(results[-1].get("content"))
    names = [t.get("name") for t in request.get("tools") or []]
    step = _script_step(names, last_tool, tag_of(request))
    if step[0] == "answer":
        return anthropic_frames(model=model, text=[step[1]])
    _, reasoning, signature, cid, name, args = step
    return anthropic_frames(
        model=model,
        thinking=[reasoning],
        signature=signature,
        tool_uses=[(cid.replace("call_", "toolu_"), name, args)],
        stop_reason="tool_use",
    )


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    if path == "/stats":
        await _json(send, 200, STATS)
        return
    if path == "/seen":
        await _json(send, 200, SEEN)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if path == "/openai/v1/chat/completions":
        if headers.get("authorization") != f"Bearer {UPSTREAM_KEY}":
            STATS["bad_auth"] += 1
            await _json(
                send,
                401,
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
            return
        request = json.loads(body)
        tag = tag_of(request)
        frames = chat_frames(
            model=request["model"], reasoning=tagged_reasoning(tag), content=tagged_text(tag)
        )
    elif path == "/scripted/v1/chat/completions":
        request = json.loads(body)
        SEEN.append(request)
        frames = scripted(request)
        tag = ""
    elif path == "/scripted-anthropic/v1/messages":
        request = json.loads(body)
        SEEN.append(request)
        frames = scripted_anthropic(request)
        tag = ""
    elif path == "/anthropic/v1/messages":
        if headers.get("x-api-key") != UPSTREAM_KEY or "anthropic-version" not in headers:
            STATS["bad_auth"] += 1
            await _json(
                send,
                401,
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                },
            )
            return
        request = json.loads(body)
        tag = tag_of(request)
        frames = anthropic_frames(
            model=request["model"], thinking=tagged_reasoning(tag), text=tagged_text(tag)
        )
    else:
        await _json(send, 404, {"error": {"message": f"no route {path}"}})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream")],
        }
    )
    if tag.startswith("hang"):
        await _hang(tag, frames, receive, send)
        return
    for i, f in enumerate(frames):
        if tag.startswith("drop") and i == len(frames) // 2:
            STATS["dropped"] += 1
            raise ConnectionAbortedError(
                "the fake upstream drops this connection"
            )  # uvicorn closes it
        await send({"type": "http.response.body", "body": f, "more_body": True})
        await asyncio.sleep(0.001)  # let the concurrent streams interleave
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    STATS["completed"] += 1


async def _hang(tag: str, frames: list[bytes], receive: Any, send: Any) -> None:
    """Stream the first frames, then one keep-alive comment every 50 ms for at most 20 s,
    until the client (the gateway) goes away: that is recorded."""

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(watch())
    try:
        for f in frames[:4]:
            await send({"type": "http.response.body", "body": f, "more_body": True})
        for _ in range(400):
            if watcher.done():
                STATS["cancelled"].append(tag)
                return
            await send(
                {"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True}
            )
            await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()


async def _json(send: Any, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})
