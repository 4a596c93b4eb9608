"""Stream test helpers: SSE parsing, strict accumulators of both dialects, and the
inverse of accumulation (a whole response cut into a stream).

The accumulators are judges as well as folds: they fail on any protocol break a
client would trip on (a delta before its block starts or into another block, a block
index out of order, a delta of the wrong kind, a tool call index that skips, content
after the end). The official SDKs' accumulators are the other judges (test_streams.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from translate.sse import SSEDecoder

# --- SSE ---------------------------------------------------------------------------------


def anthropic_frames(data: bytes) -> list[dict]:
    """Anthropic SSE bytes -> event dicts. Every frame must name its type in ``event:``."""
    dec = SSEDecoder()
    frames = dec.feed(data) + dec.close()
    assert not dec.truncated, dec.partial
    out = []
    for f in frames:
        body = json.loads(f.data)
        assert f.event == body["type"], (f.event, body)
        out.append(body)
    return out


def openai_frames(data: bytes) -> tuple[list[dict], bool]:
    """Openai SSE bytes -> (chunk dicts, whether ``[DONE]`` ended it). Nothing may follow
    ``[DONE]``; frames have no ``event:`` line."""
    dec = SSEDecoder()
    frames = dec.feed(data) + dec.close()
    assert not dec.truncated, dec.partial
    out, done = [], False
    for f in frames:
        assert not done, "a frame after [DONE]"
        assert f.event is None
        if f.data == "[DONE]":
            done = True
        else:
            out.append(json.loads(f.data))
    return out, done


def anthropic_sse(events: Iterable[dict]) -> bytes:
    return b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + json.dumps(e).encode() + b"\n\n"
        for e in events
    )


def openai_sse(chunks: Iterable[Any], done: bool = True) -> bytes:
    out = b"".join(
        b"data: " + (c if isinstance(c, str) else json.dumps(c)).encode() + b"\n\n" for c in chunks
    )
    return out + (b"data: [DONE]\n\n" if done else b"")


def builtins(items: Iterable[Any]) -> list[dict]:
    return [msgspec.to_builtins(x) for x in items]


# --- accumulators ------------------------------------------------------------------------


class StreamError(Exception):
    """The stream ended with an error event / error chunk; ``.body`` is its data."""

    def __init__(self, body: dict) -> None:
        super().__init__(json.dumps(body))
        self.body = body


_DELTA_FOR = {
    "text_delta": "text",
    "citations_delta": "text",
    "thinking_delta": "thinking",
    "signature_delta": "thinking",
    "input_json_delta": "tool_use",
}


def accumulate_anthropic(events: Iterable[dict]) -> dict:
    """Fold anthropic stream events into the Message they describe, strictly."""
    msg: dict | None = None
    open_index = None
    buf = ""
    stopped = False
    for e in events:
        t = e["type"]
        assert not stopped, f"{t} after message_stop"
        if t == "ping":
            continue
        if t == "error":
            raise StreamError(e)
        if msg is None:
            assert t == "message_start", f"{t} before message_start"
            msg = copy.deepcopy(e["message"])
            assert msg["content"] == []
            continue
        assert t != "message_start", "a second message_start"
        if t == "content_block_start":
            assert open_index is None, f"block {e['index']} starts while {open_index} is open"
            assert e["index"] == len(msg["content"]), (
                f"block index {e['index']}, expected {len(msg['content'])}"
            )
            block = copy.deepcopy(e["content_block"])
            if block["type"] == "thinking":
                assert "signature" in block, "a thinking block without signature"
            msg["content"].append(block)
            open_index = e["index"]
            buf = ""
        elif t == "content_block_delta":
            assert e["index"] == open_index, f"delta into block {e['index']}, open: {open_index}"
            block = msg["content"][open_index]
            d = e["delta"]
            assert block["type"] == _DELTA_FOR[d["type"]], (
                f"{d['type']} into a {block['type']} block"
            )
            if d["type"] == "text_delta":
                block["text"] += d["text"]
            elif d["type"] == "thinking_delta":
                block["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                block["signature"] = d["signature"]
            elif d["type"] == "input_json_delta":
                buf += d["partial_json"]
            else:
                block.setdefault("citations", []).append(d["citation"])
        elif t == "content_block_stop":
            assert e["index"] == open_index, f"stop of block {e['index']}, open: {open_index}"
            block = msg["content"][open_index]
            if block["type"] == "tool_use" and buf:
                block["input"] = json.loads(buf)
            open_index = None
        elif t == "message_delta":
            assert open_index is None, "message_delta with a block open"
            for k, v in e["delta"].items():
                msg[k] = v
            for k, v in (e.get("usage") or {}).items():
                if v is not None:
                    msg["usage"][k] = v
        elif t == "message_stop":
            stopped = True
        else:  # pragma: no cover
            raise AssertionError(f"unknown event {t}")
    assert msg is not None, "no message_start"
    assert stopped, "no message_stop"
    return msg


def _merge(acc: dict, delta: dict) -> None:
    """One indexed entry (tool call, reasoning detail): strings concatenate, the rest is set."""
    for k, v in delta.items():
        if isinstance(v, dict):
            _merge(acc.setdefault(k, {}), v)
        elif isinstance(v, str) and isinstance(acc.get(k), str) and k not in ("type", "id"):
            acc[k] += v
        else:
            acc[k] = v


def accumulate_openai(chunks: Iterable[dict]) -> dict:
    """Fold openai chunks into the ChatCompletion they describe, strictly."""
    out: dict | None = None
    msg: dict = {}
    finish = None
    extras: dict = {}
    for c in chunks:
        if "error" in c and "choices" not in c:
            raise StreamError(c)
        assert c["object"] == "chat.completion.chunk"
        if out is None:
            out = {k: c[k] for k in ("id", "created", "model", "service_tier") if k in c}
            assert c["choices"] and c["choices"][0]["delta"].get("role") == "assistant", (
                "the first chunk has the role"
            )
        else:
            assert c["id"] == out["id"] and c["model"] == out["model"]
        if c.get("usage") is not None:
            assert not c["choices"], "usage on a chunk with choices"
            assert finish is not None, "usage before the finish reason"
            out["usage"] = c["usage"]
            continue
        assert len(c["choices"]) == 1 and c["choices"][0]["index"] == 0
        choice = c["choices"][0]
        assert finish is None, "a choice chunk after the finish reason"
        for k, v in choice["delta"].items():
            if v is None:
                continue
            if k in ("tool_calls", "reasoning_details"):
                entries = msg.setdefault(k, [])
                for item in v:
                    i = item["index"]
                    assert i <= len(entries), f"{k} index {i} skips"
                    if i == len(entries):
                        if k == "tool_calls":
                            assert item.get("id") and item["function"].get("name"), (
                                "first fragment without id/name"
                            )
                        entries.append({})
                    _merge(entries[i], item)
            elif k == "role":
                msg["role"] = v
            elif isinstance(v, str):
                msg[k] = msg.get(k, "") + v
            else:
                msg[k] = v
        if choice.get("finish_reason"):
            finish = choice["finish_reason"]
            extras = {
                k: choice[k]
                for k in ("stop_reason", "native_finish_reason")
                if choice.get(k) is not None
            }
    assert out is not None, "no chunk"
    assert finish is not None, "no finish reason"
    out["object"] = "chat.completion"
    out["choices"] = [{"index": 0, "message": msg, "finish_reason": finish, **extras}]
    return out


# --- responses cut into streams ----------------------------------------------------------

Cut = Callable[[str], list[str]]
_DELTA_USAGE = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "server_tool_use",
    "output_tokens_details",
)


def whole(text: str) -> list[str]:
    return [text] if text else []


def anthropic_events(message: dict, cut: Cut = whole) -> list[dict]:
    """The event stream of an anthropic Message, each text cut into pieces by ``cut``."""
    usage = message.get("usage", {"input_tokens": 0, "output_tokens": 0})
    start = dict(message, content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = {k: (0 if k == "output_tokens" else v) for k, v in usage.items()}
    events: list[dict] = [{"type": "message_start", "message": start}]
    for i, b in enumerate(message["content"]):
        kind = b["type"]
        if kind == "text":
            events.append(
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {"type": "text", "text": ""},
                }
            )
            for piece in cut(b["text"]):
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "text_delta", "text": piece},
                    }
                )
        elif kind == "thinking":
            events.append(
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                }
            )
            for piece in cut(b["thinking"]):
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "thinking_delta", "thinking": piece},
                    }
                )
            if b["signature"]:
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "signature_delta", "signature": b["signature"]},
                    }
                )
        elif kind == "tool_use":
            events.append(
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {
                        "type": "tool_use",
                        "id": b["id"],
                        "name": b["name"],
                        "input": {},
                    },
                }
            )
            for piece in cut(json.dumps(b["input"]) if b["input"] else ""):
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "input_json_delta", "partial_json": piece},
                    }
                )
        else:
            events.append({"type": "content_block_start", "index": i, "content_block": b})
        events.append({"type": "content_block_stop", "index": i})
    delta_usage = {k: v for k, v in usage.items() if k in _DELTA_USAGE}
    events.append(
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": message.get("stop_reason"),
                "stop_sequence": message.get("stop_sequence"),
            },
            "usage": delta_usage,
        }
    )
    events.append({"type": "message_stop"})
    return events


def openai_chunks(completion: dict, cut: Cut = whole, usage_chunk: bool = True) -> list[dict]:
    """The chunk stream of an openai ChatCompletion (one choice), texts cut by ``cut``."""
    env = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
    }
    choice = completion["choices"][0]
    m = choice["message"]

    if "service_tier" in completion:
        env["service_tier"] = completion["service_tier"]

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return dict(env, choices=[{"index": 0, "delta": delta, "finish_reason": finish}])

    out = [chunk({"role": "assistant", "content": ""})]
    for field in ("reasoning_content", "reasoning"):
        for piece in cut(m.get(field) or ""):
            out.append(chunk({field: piece}))
    for piece in cut(m.get("content") or ""):
        out.append(chunk({"content": piece}))
    for i, call in enumerate(m.get("tool_calls") or ()):
        fn = call["function"]
        out.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": fn["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        for piece in cut(fn["arguments"]):
            out.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    for piece in cut(m.get("refusal") or ""):
        out.append(chunk({"refusal": piece}))
    last = chunk({}, choice["finish_reason"])
    for field in ("stop_reason", "native_finish_reason"):
        if field in choice:
            last["choices"][0][field] = choice[field]
    out.append(last)
    if usage_chunk and completion.get("usage"):
        out.append(dict(env, choices=[], usage=completion["usage"]))
    return out
