"""Responses stream helpers: SSE parsing, a strict accumulator, the openai SDK's own
accumulation (``ResponseStreamState``, what ``client.responses.stream()`` runs) and
strict validation of every event against the SDK's event types.

The accumulator is a judge as well as a fold: it fails on what Codex or the SDK would trip
on (an event before ``response.created``, a ``sequence_number`` out of order, a delta for
an item that is not open or into a part that was not added, an item added twice or never
done, a done text that is not its deltas, a terminal event whose ``output`` is not the done
items, anything after the terminal event).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from openai._models import construct_type
from openai._types import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import ResponseStreamEvent as SDKEvent

from translate.sse import SSEDecoder

from . import sdk_strict

TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def responses_frames(data: bytes) -> list[dict]:
    """Responses SSE bytes -> event dicts; every frame names its type in ``event:``."""
    dec = SSEDecoder()
    frames = dec.feed(data) + dec.close()
    assert not dec.truncated, dec.partial
    out = []
    for f in frames:
        body = json.loads(f.data)
        assert f.event == body["type"], (f.event, body)
        out.append(body)
    return out


def validate(events: Iterable[dict]) -> None:
    """Every event is one of the SDK's event types, strictly (no unknown key, every
    required key, the exact JSON types)."""
    for e in events:
        sdk_strict.validate(SDKEvent, e)


def sdk_accumulate(events: Iterable[dict]) -> tuple[Any, list[Any]]:
    """The openai SDK's accumulation: (the completed ``ParsedResponse`` or None, the
    events it fired)."""
    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    fired: list[Any] = []
    for e in events:
        fired += state.handle_event(construct_type(type_=SDKEvent, value=e))  # type: ignore[arg-type]
    return state._completed_response, fired


def accumulate(events: Iterable[dict]) -> tuple[str, dict]:
    """Fold Responses events into (the terminal event's type, its response), strictly."""
    items: dict[int, dict] = {}  # added, by output_index
    done: dict[int, dict] = {}
    texts: dict[tuple[int, str, int], str] = {}  # (output_index, kind, part index) -> text
    seq = 0
    terminal: tuple[str, dict] | None = None
    response_id = None
    for e in events:
        t = e["type"]
        assert terminal is None, f"{t} after {terminal[0]}"
        assert e["sequence_number"] == seq, (e["sequence_number"], seq, t)
        seq += 1
        if seq == 1:
            assert t == "response.created", t
            response_id = e["response"]["id"]
            assert e["response"]["output"] == []
            continue
        if t == "response.in_progress":
            assert e["response"]["id"] == response_id
            continue
        if t in TERMINAL:
            resp = e["response"]
            assert resp["id"] == response_id
            assert set(items) == set(done), "an item added and never done"
            assert resp["output"] == [done[i] for i in sorted(done)], "output is not the done items"
            assert resp["status"] == t.split(".")[1], (resp["status"], t)
            terminal = (t, resp)
            continue
        i = e["output_index"]
        if t == "response.output_item.added":
            assert i == len(items), f"output_index {i}, expected {len(items)}"
            items[i] = copy.deepcopy(e["item"])
            continue
        assert i in items and i not in done, f"{t} for item {i}, which is not open"
        item = items[i]
        if t == "response.output_item.done":
            got = e["item"]
            assert got["type"] == item["type"] and got.get("id") == item.get("id")
            assert got.get("call_id") == item.get("call_id")
            for (index, kind, n), text in texts.items():
                if index != i:
                    continue
                if kind == "summary":
                    assert got["summary"][n]["text"] == text
                elif kind == "arguments":
                    assert got["arguments"] == text
                elif kind == "input":
                    assert got["input"] == text
                else:
                    part = got["content"][n]
                    assert part.get("text", part.get("refusal")) == text, (part, text)
            done[i] = got
            continue
        assert e["item_id"] == item["id"], (e["item_id"], item["id"])
        if t == "response.content_part.added":
            assert e["content_index"] == sum(1 for k in texts if k[0] == i and k[1] != "summary")
            texts[(i, "content", e["content_index"])] = ""
        elif t == "response.reasoning_summary_part.added":
            assert e["summary_index"] == sum(1 for k in texts if k[0] == i and k[1] == "summary")
            texts[(i, "summary", e["summary_index"])] = ""
        elif t in (
            "response.output_text.delta",
            "response.refusal.delta",
            "response.reasoning_text.delta",
        ):
            texts[(i, "content", e["content_index"])] += e["delta"]
        elif t in ("response.output_text.done", "response.reasoning_text.done"):
            assert texts[(i, "content", e["content_index"])] == e["text"]
        elif t == "response.refusal.done":
            assert texts[(i, "content", e["content_index"])] == e["refusal"]
        elif t == "response.content_part.done":
            p = e["part"]
            assert texts[(i, "content", e["content_index"])] == p.get("text", p.get("refusal"))
        elif t == "response.reasoning_summary_text.delta":
            texts[(i, "summary", e["summary_index"])] += e["delta"]
        elif t in ("response.reasoning_summary_text.done", "response.reasoning_summary_part.done"):
            text = e["text"] if "text" in e else e["part"]["text"]
            assert texts[(i, "summary", e["summary_index"])] == text
        elif t == "response.function_call_arguments.delta":
            assert item["type"] == "function_call"
            texts[(i, "arguments", 0)] = texts.get((i, "arguments", 0), "") + e["delta"]
        elif t == "response.function_call_arguments.done":
            assert texts.get((i, "arguments", 0), "") == e["arguments"]
            texts[(i, "arguments", 0)] = e["arguments"]
        elif t == "response.custom_tool_call_input.delta":
            assert item["type"] == "custom_tool_call"
            texts[(i, "input", 0)] = texts.get((i, "input", 0), "") + e["delta"]
        elif t == "response.custom_tool_call_input.done":
            assert texts.get((i, "input", 0), "") == e["input"]
        else:  # pragma: no cover
            raise AssertionError(f"unexpected event {t}")
    assert terminal is not None, "no terminal event"
    return terminal
