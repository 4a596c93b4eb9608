"""Responses streams for Chat and Messages clients (issue 13): Responses events -> Chat chunks
(``to_openai.stream`` / ``sse`` / ``SSE`` / ``Stream``) and -> Messages events
(``to_anthropic.*``, through the compatible Chat hub).

Judges: the openai SDK's ``ChatCompletionStreamState`` and the anthropic SDK's accumulator
accept the output, every chunk and event validates strictly (``sdk_strict``), stream and
batch commute (``accumulate(to_x.stream(events)) == to_x.response(accumulated Response)``),
and splitting the bytes anywhere changes nothing. The state machine is tested alone too.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, to_anthropic, to_openai, to_responses
from translate import openai as o
from translate import responses as r
from translate.to_responses import _reverse as rv

from . import sdk_strict
from .responses_streams import accumulate
from .streams import (
    StreamError,
    accumulate_anthropic,
    accumulate_openai,
    anthropic_frames,
    openai_frames,
)
from .test_streams import sdk_accumulate_anthropic, sdk_accumulate_openai

STREAMS = Path(__file__).resolve().parent.parent / "fixtures" / "streams"
OPENAI_CASES = sorted(
    p.name for p in STREAMS.iterdir() if (p / "openai.sse").exists() and p.name != "anthropic_error"
)


def responses_sse(events: list[dict]) -> bytes:
    return b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + json.dumps(e).encode() + b"\n\n"
        for e in events
    )


def upstream(case: str) -> list[dict]:
    """A real Chat stream turned into the Responses events a server sends for it."""
    raw = (STREAMS / case / "openai.sse").read_bytes()
    out = b"".join(to_responses.sse([raw]))
    from .responses_streams import responses_frames

    return responses_frames(out)


def plain(value: Any) -> Any:
    """Absent is null; a streamed tool call or reasoning detail is keyed by its place in the
    list (every Chat accumulator keys it so), the non-stream one is not (or by its item):
    that index is not compared."""
    if isinstance(value, dict):
        keyed = value.get("type") in ("function", "custom") or str(
            value.get("type", "")
        ).startswith("reasoning.")
        return {
            k: plain(v) for k, v in value.items() if v is not None and not (k == "index" and keyed)
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def tier_known(events: list[dict]) -> bool:
    """Whether the stream's first event says the service tier (a chunk says it from then
    on; one said only by the terminal response is not in the chunks before it)."""
    return events[0].get("response", {}).get("service_tier") is not None


def same(streamed: dict, batch: dict, events: list[dict]) -> None:
    if not tier_known(events):
        batch = {k: v for k, v in batch.items() if k != "service_tier"}
        if isinstance(batch.get("usage"), dict):  # Messages say it in the usage
            batch["usage"] = {k: v for k, v in batch["usage"].items() if k != "service_tier"}
    if batch.get("type") == "message" and turns(events) > 1:
        # One Chat message holds the whole batch response: its reasoning comes first. A
        # stream says a later turn's thinking where it comes (after the first turn's text
        # or calls): the blocks of each kind are compared in their order.
        streamed, batch = by_kind(streamed), by_kind(batch)
    assert plain(streamed) == plain(batch)


def turns(events: list[dict]) -> int:
    """Assistant turns in the output (a reasoning item after a message or call starts one)."""
    n, last = 0, 3
    for e in events:
        if e["type"] == "response.output_item.added":
            rank = {"reasoning": 0, "message": 1}.get(e["item"]["type"], 2)
            if rank < last or rank == 1 == last:
                n += 1
            last = rank
    return n


def by_kind(message: dict) -> dict:
    blocks = message.get("content") or []
    kinds = ("thinking", "redacted_thinking", "text", "tool_use")
    grouped = [b for k in kinds for b in blocks if b["type"] == k]
    texts = [b["text"] for b in grouped if b["type"] == "text"]  # one text in one message
    grouped = [b for b in grouped if b["type"] != "text"]
    if texts:
        at = sum(b["type"] in ("thinking", "redacted_thinking") for b in grouped)
        grouped.insert(at, {"type": "text", "text": "".join(texts)})
    return dict(message, content=grouped)


def chat_of(events: list[dict]) -> tuple[list[dict], dict]:
    """The chunks for ``events`` (validated, SDK-accumulated) and their accumulation."""
    data = b"".join(to_openai.sse([responses_sse(events)]))
    chunks, done = openai_frames(data)
    for c in chunks:
        if "error" in c:
            sdk_strict.validate_openai_error(c)
        else:
            sdk_strict.validate_chat_completion_chunk(c)
    assert done or "error" in chunks[-1]
    sdk = sdk_accumulate_openai(chunks)
    assert sdk is not None
    return chunks, accumulate_openai(chunks)


def messages_of(events: list[dict]) -> dict:
    data = b"".join(to_anthropic.sse([responses_sse(events)]))
    out = anthropic_frames(data)
    for e in out:
        sdk_strict.validate_anthropic_stream_event(e)
    sdk_accumulate_anthropic(out)
    return accumulate_anthropic(out)


def batch_chat(events: list[dict]) -> dict:
    _, resp = accumulate(events)
    return msgspec.to_builtins(to_openai.response(resp))  # type: ignore[no-any-return]


def batch_messages(events: list[dict]) -> dict:
    _, resp = accumulate(events)
    return msgspec.to_builtins(to_anthropic.response(resp))  # type: ignore[no-any-return]


# --- the fixtures' streams, as a Responses server sends them ----------------------------


@pytest.mark.parametrize("case", OPENAI_CASES)
def test_chat_client_reads_a_responses_stream(case: str) -> None:
    events = upstream(case)
    _, acc = chat_of(events)
    same(acc, batch_chat(events), events)


@pytest.mark.parametrize("case", OPENAI_CASES)
def test_messages_client_reads_a_responses_stream(case: str) -> None:
    events = upstream(case)
    same(messages_of(events), batch_messages(events), events)


@pytest.mark.parametrize("case", OPENAI_CASES)
def test_any_split_changes_nothing(case: str) -> None:
    data = responses_sse(upstream(case))
    whole_chat = b"".join(to_openai.sse([data]))
    whole_messages = b"".join(to_anthropic.sse([data]))
    for size in (1, 7, 64):
        pieces = [data[i : i + size] for i in range(0, len(data), size)]
        assert b"".join(to_openai.sse(pieces)) == whole_chat
        assert b"".join(to_anthropic.sse(pieces)) == whole_messages


@pytest.mark.parametrize("case", OPENAI_CASES)
def test_stream_and_structs(case: str) -> None:
    """``stream`` over event dicts and over structs, ``Stream.feed``: the same chunks."""
    events = upstream(case)
    via_dicts = [msgspec.to_builtins(c) for c in to_openai.stream(events)]
    structs = [msgspec.convert(e, r.StreamEvent) for e in events]
    via_structs = [msgspec.to_builtins(c) for c in to_openai.stream(structs)]
    s = to_openai.Stream(source="responses")
    fed = [msgspec.to_builtins(c) for e in events for c in s.feed(e)] + [
        msgspec.to_builtins(c) for c in s.close()
    ]
    assert via_dicts == via_structs == fed
    frames, _ = openai_frames(b"".join(to_openai.sse([responses_sse(events)])))
    assert via_dicts == frames


# --- generated responses ---------------------------------------------------------------

_text = st.text(max_size=12)


@st.composite
def responses(draw: Any) -> dict:
    """A Response as a server would stream it: reasoning, messages and calls in any order."""
    items: list[dict] = []
    for n in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["reasoning", "message", "function_call"]))
        if kind == "reasoning":
            item: dict = {
                "type": "reasoning",
                "id": f"rs_{n}",
                "summary": [
                    {"type": "summary_text", "text": t}
                    for t in draw(st.lists(_text, min_size=1, max_size=3))
                ],
            }
            if draw(st.booleans()):
                item["encrypted_content"] = draw(_text)
        elif kind == "message":
            parts = draw(
                st.lists(
                    st.one_of(
                        _text.map(lambda t: {"type": "output_text", "text": t, "annotations": []}),
                        # (an empty refusal: to_anthropic's Chat stream says no refusal)
                        st.text(min_size=1, max_size=12).map(
                            lambda t: {"type": "refusal", "refusal": t}
                        ),
                    ),
                    min_size=1,
                    max_size=2,
                )
            )
            item = {
                "type": "message",
                "id": f"msg_{n}",
                "role": "assistant",
                "status": "completed",
                "content": parts,
            }
        else:
            item = {
                "type": "function_call",
                "id": f"fc_{n}",
                "call_id": f"call_{n}",
                "name": draw(st.sampled_from(["read", "write"])),
                "arguments": json.dumps(draw(st.dictionaries(st.sampled_from("ab"), _text))),
                "status": "completed",
            }
        items.append(item)
    status = draw(st.sampled_from(["completed", "completed", "incomplete"]))
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1780000000,
        "model": "gpt-5.1-codex",
        "output": items,
        "status": status,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "usage": {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 2},
            "output_tokens": 5,
            "output_tokens_details": {"reasoning_tokens": 1},
            "total_tokens": 15,
        },
    }


def cut(text: str, k: int) -> list[str]:
    return [text[i : i + k] for i in range(0, len(text), k)] or [""]


def server_events(resp: dict, k: int) -> list[dict]:
    """The events a Responses server sends for ``resp``, its texts cut every ``k``."""
    seq = iter(range(10**6))
    shell = dict(resp, output=[], status="in_progress", usage=None, incomplete_details=None)
    out = [
        {"type": "response.created", "sequence_number": next(seq), "response": shell},
        {"type": "response.in_progress", "sequence_number": next(seq), "response": shell},
    ]

    def ev(kind: str, **kw: Any) -> None:
        out.append({"type": kind, "sequence_number": next(seq), **kw})

    for i, item in enumerate(resp["output"]):
        ref = {"item_id": item["id"], "output_index": i}
        if item["type"] == "reasoning":
            ev("response.output_item.added", output_index=i, item=dict(item, summary=[]))
            for j, s in enumerate(item["summary"]):
                part = {"type": "summary_text", "text": ""}
                ev("response.reasoning_summary_part.added", summary_index=j, part=part, **ref)
                for piece in cut(s["text"], k):
                    ev("response.reasoning_summary_text.delta", summary_index=j, delta=piece, **ref)
                ev("response.reasoning_summary_text.done", summary_index=j, text=s["text"], **ref)
                ev("response.reasoning_summary_part.done", summary_index=j, part=s, **ref)
        elif item["type"] == "message":
            ev(
                "response.output_item.added",
                output_index=i,
                item=dict(item, content=[], status="in_progress"),
            )
            for j, p in enumerate(item["content"]):
                if p["type"] == "output_text":
                    ev("response.content_part.added", content_index=j, part=dict(p, text=""), **ref)
                    for piece in cut(p["text"], k):
                        ev(
                            "response.output_text.delta",
                            content_index=j,
                            delta=piece,
                            logprobs=[],
                            **ref,
                        )
                    ev(
                        "response.output_text.done",
                        content_index=j,
                        text=p["text"],
                        logprobs=[],
                        **ref,
                    )
                else:
                    ev(
                        "response.content_part.added",
                        content_index=j,
                        part=dict(p, refusal=""),
                        **ref,
                    )
                    for piece in cut(p["refusal"], k):
                        ev("response.refusal.delta", content_index=j, delta=piece, **ref)
                    ev("response.refusal.done", content_index=j, refusal=p["refusal"], **ref)
                ev("response.content_part.done", content_index=j, part=p, **ref)
        else:
            ev(
                "response.output_item.added",
                output_index=i,
                item=dict(item, arguments="", status="in_progress"),
            )
            for piece in cut(item["arguments"], k):
                ev("response.function_call_arguments.delta", delta=piece, **ref)
            ev("response.function_call_arguments.done", arguments=item["arguments"], **ref)
        ev("response.output_item.done", output_index=i, item=item)
    kind = "response.completed" if resp["status"] == "completed" else "response.incomplete"
    ev(kind, response=resp)
    return out


@given(responses(), st.integers(1, 5))
def test_generated_streams_commute(resp: dict, k: int) -> None:
    events = server_events(resp, k)
    _, acc = chat_of(events)
    same(acc, batch_chat(events), events)
    same(messages_of(events), batch_messages(events), events)


def _chat_frames(chunks: list[Any]) -> bytes:
    """The SSE a Chat client gets for these chunks (``ChatSSE``'s writer, event by event)."""
    out = b"".join(b"data: " + msgspec.json.encode(c) + b"\n\n" for c in chunks)
    return out if chunks and isinstance(chunks[-1], o.ErrorBody) else out + b"data: [DONE]\n\n"


@given(responses(), st.integers(1, 5))
def test_one_frame_a_read_is_the_chunks_frames(resp: dict, k: int) -> None:
    """Servers send one frame a read; ``ChatSSE`` then writes the delta chunks straight to
    their bytes (``ChatStream.feed_frame``): they are the chunks' frames, exactly."""
    events = server_events(resp, k)
    fast = b"".join(to_openai.sse([responses_sse([e]) for e in events]))
    assert fast == _chat_frames(list(to_openai.stream(events)))


@given(responses(), st.integers(1, 5))
def test_one_frame_a_read_is_the_messages_events_frames(resp: dict, k: int) -> None:
    """The same for a Messages client (``MessagesSSE``: its own frame writer, the two
    machines' dispatch inline): ``to_anthropic``'s frames of the same events."""
    from translate.to_anthropic._stream import _frames

    events = server_events(resp, k)
    fast = b"".join(to_anthropic.sse([responses_sse([e]) for e in events]))
    assert fast == _frames(list(to_anthropic.stream(events)))


def test_one_frame_a_read_escapes_as_the_encoder_does() -> None:
    pieces = ['"', "\\", "\n", "\u2028", "\x00\x1f\x7f", "é", "😀", ""]
    text = [{"type": "output_text", "text": "".join(pieces), "annotations": []}]
    resp = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "m",
        "status": "completed",
        "output": [
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": "".join(pieces)}],
            },
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": text,
            },
            {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "c",
                "name": "f",
                "arguments": "".join(pieces),
            },
        ],
        "service_tier": "default",
    }
    events = server_events(resp, len(pieces))
    fast = b"".join(to_openai.sse([responses_sse([e]) for e in events]))
    assert fast == _chat_frames(list(to_openai.stream(events)))


@given(responses(), st.integers(1, 5))
def test_done_events_alone_say_the_same(resp: dict, k: int) -> None:
    """A server that sends no deltas (the items whole in ``output_item.done``): the same."""
    events = [
        e
        for e in server_events(resp, k)
        if "output_item" in e["type"]
        or (
            not e["type"].startswith("response.output")
            and not e["type"].startswith(
                ("response.reasoning", "response.content", "response.refusal")
            )
            and not e["type"].startswith("response.function")
        )
    ]
    for n, e in enumerate(events):
        e["sequence_number"] = n
    _, acc = chat_of(events)
    same(acc, batch_chat(events), events)


# --- endings ---------------------------------------------------------------------------------

BASE = server_events(
    {
        "id": "resp_9",
        "object": "response",
        "created_at": 1,
        "model": "m",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hello there", "annotations": []}],
            }
        ],
        "status": "completed",
        "incomplete_details": None,
        "usage": None,
    },
    4,
)


def test_failed_and_error_events_end_with_an_error_chunk() -> None:
    failed = dict(
        BASE[0],
        type="response.failed",
        response=dict(
            BASE[0]["response"], status="failed", error={"code": "server_error", "message": "boom"}
        ),
    )
    chunks, _ = openai_frames(b"".join(to_openai.sse([responses_sse([*BASE[:5], failed])])))
    assert chunks[-1]["error"]["message"] == "boom"
    with pytest.raises(StreamError):
        accumulate_openai(chunks)
    err = {"type": "error", "sequence_number": 9, "message": "overloaded", "code": "429"}
    chunks, done = openai_frames(b"".join(to_openai.sse([responses_sse([*BASE[:5], err])])))
    assert chunks[-1]["error"]["message"] == "overloaded" and not done
    events = anthropic_frames(b"".join(to_anthropic.sse([responses_sse([*BASE[:5], err])])))
    assert events[-1]["type"] == "error"


def test_an_upstream_that_stops_early_ends_with_an_error() -> None:
    losses: list[Loss] = []
    chunks, done = openai_frames(b"".join(to_openai.sse([responses_sse(BASE[:6])], losses=losses)))
    assert "error" in chunks[-1] and not done
    assert losses
    events = anthropic_frames(b"".join(to_anthropic.sse([responses_sse(BASE[:6])])))
    assert events[-1]["type"] == "error"


def test_incomplete_is_length() -> None:
    resp = dict(
        BASE[-1]["response"],
        status="incomplete",
        incomplete_details={"reason": "max_output_tokens"},
    )
    events = [*BASE[:-1], dict(BASE[-1], type="response.incomplete", response=resp)]
    _, acc = chat_of(events)
    assert acc["choices"][0]["finish_reason"] == "length"
    assert messages_of(events)["stop_reason"] == "max_tokens"


def test_nothing_follows_the_end() -> None:
    losses: list[Loss] = []
    data = responses_sse([*BASE, *BASE[2:4]])
    out = b"".join(to_openai.sse([data], losses=losses))
    assert out == b"".join(to_openai.sse([responses_sse(BASE)]))


def test_newer_events_and_hosted_items_are_read() -> None:
    newer = {"type": "response.something_new", "sequence_number": 3, "x": 1}
    hosted = {
        "type": "response.output_item.added",
        "sequence_number": 4,
        "output_index": 1,
        "item": {"type": "web_search_call", "id": "ws_1", "status": "in_progress"},
    }
    losses: list[Loss] = []
    events = [*BASE[:2], newer, hosted, *BASE[2:]]
    chunks = [msgspec.to_builtins(c) for c in to_openai.stream(events, losses=losses)]
    assert accumulate_openai(chunks)["choices"][0]["message"]["content"] == "Hello there"
    assert [loss.path for loss in losses] == ["output[1]"]


def test_detection_leaves_the_old_streams_alone() -> None:
    """An anthropic stream into to_openai, a Chat stream into to_anthropic: as before."""
    raw = (STREAMS / "mimo_reasoning_tool_calls" / "openai.sse").read_bytes()
    assert isinstance(to_anthropic.Stream(), to_anthropic.Stream)
    old = b"".join(to_anthropic.sse([raw]))
    assert old == b"".join(to_anthropic.sse([raw[i : i + 5] for i in range(0, len(raw), 5)]))
    assert anthropic_frames(old)[0]["type"] == "message_start"


# --- the state machine alone ----------------------------------------------------------------


def test_the_table() -> None:
    """Every state has a row and a default; every handler is a ChatStream method."""
    assert set(rv.TRANSITIONS) == set(rv.State)
    for row in rv.TRANSITIONS.values():
        assert None in row
        for handler in row.values():
            assert getattr(rv.ChatStream, handler.__name__) is handler


def test_the_states() -> None:
    s = rv.ChatStream()
    assert s.state is rv.State.IDLE
    s.feed(BASE[0])
    assert s.state is rv.State.OPEN
    for e in BASE[1:-1]:
        s.feed(e)
    assert s.state is rv.State.OPEN
    s.feed(BASE[-1])
    assert s.state is rv.State.ENDED
    assert s.feed(BASE[3]) == [] and s.close() == []


def test_memory_is_bounded() -> None:
    """A 100k-delta stream: the state does not grow with it."""
    head = BASE[:5]
    delta = dict(BASE[5], delta="x" * 20)
    s = rv.ChatStream()
    for e in head:
        s.feed(e)
    event = msgspec.convert(delta, r.StreamEvent)
    for _ in range(1000):
        s.feed(event)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(100_000):
        s.feed(event)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 64_000, grown


@pytest.mark.parametrize("to", ["openai", "anthropic"])
def test_convert_reads_a_responses_stream(to: str, tmp_path: Path, capsysbinary: Any) -> None:
    from translate.cli import main

    path = tmp_path / "upstream.sse"
    path.write_bytes(responses_sse(upstream("mimo_reasoning_tool_calls")))
    assert main(["convert", str(path), "--to", to]) == 0
    out = capsysbinary.readouterr().out
    if to == "openai":
        chunks, done = openai_frames(out)
        assert done and accumulate_openai(chunks)["choices"][0]["finish_reason"] == "tool_calls"
    else:
        assert accumulate_anthropic(anthropic_frames(out))["stop_reason"] == "tool_use"
