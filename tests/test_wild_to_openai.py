"""Real-world shapes for the to_openai direction, the bytes-level SSE layer and errors
(issue 10): error bodies that arrive SSE-framed, frames after the end of a stream, frames
nested too deeply to decode, loose anthropic shapes, hostile upstreams in O(1) memory."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, LossError, TranslationError, cli, to_anthropic, to_openai
from translate import anthropic as a
from translate._ledger import MAX_STREAM_LOSSES
from translate.to_openai._stream import MAX_OPEN_BLOCKS, REFUSAL_MAX, State

from .canonical import openai_stream as canonical_openai
from .streams import accumulate_openai, anthropic_events, anthropic_sse, builtins, openai_frames
from .test_streams import anthropic_messages, cutter, sdk_accumulate_openai

# --- errors ------------------------------------------------------------------------------

_FRAMED = [
    (
        b'data: {"error": {"message": "model is required", "type": "invalid_request_error"}}\n\n',
        400,
    ),
    (b'data: {"error":{"message":"model is required","code":400}}\n\ndata: [DONE]\n\n', 400),
    (
        b'event: error\ndata: {"type": "error", "error": {"type": "invalid_request_error",'
        b' "message": "model is required"}}\n\n',
        400,
    ),
    (b': keep-alive\r\n\r\ndata: {"error": {"message": "model is required"}}\r\n\r\n', 422),
]


@pytest.mark.parametrize(("body", "status"), _FRAMED)
def test_an_sse_framed_error_body_keeps_its_message(body: bytes, status: int) -> None:
    for module in (to_openai, to_anthropic):
        got_status, out = module.error(body, status)
        assert got_status == status
        assert out.error.message == "model is required"
    assert to_anthropic.error(body, status)[1].error.type == "invalid_request_error"


def test_a_framed_body_without_json_is_still_its_text() -> None:
    status, out = to_anthropic.error(b"data: upstream exploded\n\n", 500)
    assert (status, out.error.type) == (500, "api_error")
    assert "upstream exploded" in out.error.message


def test_529_with_an_openai_server_error_is_overloaded() -> None:
    body = {"error": {"message": "busy", "type": "server_error", "param": None, "code": None}}
    assert to_anthropic.error(body, 529)[1].error.type == "overloaded_error"
    assert to_anthropic.error(body, 504)[1].error.type == "timeout_error"
    assert to_anthropic.error(body, 500)[1].error.type == "api_error"
    assert to_anthropic.error(body)[0] == 500
    # Anthropic's own word is kept as it said it.
    own = {"type": "error", "error": {"type": "api_error", "message": "busy"}}
    assert to_anthropic.error(own, 529)[1].error.type == "api_error"


# --- helpers ---------------------------------------------------------------------------

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    },
}
TEXT = [
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Part"}},
]
END = [
    {"type": "content_block_stop", "index": 0},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 5},
    },
    {"type": "message_stop"},
]
ERROR = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
LATER = [
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ial"}},
    ERROR,
    {"type": "message_stop"},
    {"type": "ping"},
]


def _splits(data: bytes) -> Iterator[list[bytes]]:
    """``data`` whole, then cut in two at every byte, then byte by byte."""
    yield [data]
    for i in range(1, len(data)):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))]


def _translate(pieces: list[bytes], **kw: Any) -> tuple[bytes, list[Loss]]:
    losses: list[Loss] = []
    return b"".join(to_openai.sse(pieces, losses=losses, **kw)), losses


# --- after the end -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "last"),
    [
        ([START, *TEXT, ERROR], "error"),
        ([START, *TEXT, *END], "usage"),
        ([START, ERROR], "error"),
    ],
    ids=["after-an-error", "after-message-stop", "error-first"],
)
def test_nothing_follows_the_end_however_the_bytes_arrive(events: list[dict], last: str) -> None:
    clean, clean_losses = _translate([anthropic_sse(events)])
    data = anthropic_sse(events + LATER)
    seen = set()
    for pieces in _splits(data):
        out, losses = _translate(pieces)
        seen.add(out)
        assert [x for x in losses if x.detail != "events after the end of the stream"] == (
            clean_losses
        )
        assert any(x.detail == "events after the end of the stream" for x in losses)
    assert seen == {clean}
    chunks, done = openai_frames(clean)
    if last == "error":
        assert not done and "error" in chunks[-1] and sum("error" in c for c in chunks) == 1
    else:
        assert done and chunks[-1]["choices"] == [] and "usage" in chunks[-1]
        assert sum(not c["choices"] for c in chunks) == 1


def test_the_conformance_shape_error_then_more_frames() -> None:
    out, _ = _translate([anthropic_sse([START, *TEXT, ERROR, *LATER])])
    chunks, done = openai_frames(out)
    assert not done
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1]) == "Part"
    assert chunks[-1]["error"]["message"] == "Overloaded"


def test_stream_feed_after_the_end_gives_nothing_and_says_so() -> None:
    losses: list[Loss] = []
    s = to_openai.Stream(losses=losses)
    for e in [START, *TEXT, ERROR]:
        s.feed(e)
    assert s.state is State.CLOSED
    assert s.feed(LATER[0]) == [] and s.feed(b"not even json") == [] and s.close() == []
    assert [(x.path, x.detail) for x in losses] == [("", "events after the end of the stream")]


# --- deep frames -------------------------------------------------------------------------

DEEP = (
    b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","x":'
    + b"[" * 1000
    + b"]" * 1000
    + b"}}"
)
DEEP_INPUT = (
    b'{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t",'
    b'"name":"f","input":{"a":' + b"[" * 1000 + b"]" * 1000 + b"}}}"
)


@pytest.mark.parametrize("frame", [DEEP, DEEP_INPUT], ids=["unknown-field", "tool-input"])
def test_a_deep_frame_ends_the_stream_like_any_unreadable_frame(frame: bytes) -> None:
    assert 2000 <= len(frame) <= 2200
    head = anthropic_sse([START, *TEXT])
    data = head + b"event: content_block_delta\ndata: " + frame + b"\n\n" + anthropic_sse(END)
    for pieces in ([data], [head, data[len(head) :]], [data[:100], data[100:2000], data[2000:]]):
        out, _ = _translate(pieces)
        chunks, done = openai_frames(out)
        assert not done and "nested too deeply" in chunks[-1]["error"]["message"]

    async def collect() -> bytes:
        async def source() -> AsyncIterator[bytes]:
            yield data

        return b"".join([x async for x in to_openai.async_sse(source())])

    assert asyncio.run(collect()) == _translate([data])[0]
    s = to_openai.Stream()
    s.feed(START)
    s.feed(TEXT[0])
    with pytest.raises(TranslationError, match="nested too deeply"):
        s.feed(frame)
    with pytest.raises(TranslationError):
        to_openai.Stream().feed(frame)


def test_a_deep_stream_through_the_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "deep.sse"
    head = anthropic_sse([START, *TEXT])
    path.write_bytes(head + b"event: content_block_delta\ndata: " + DEEP + b"\n\n")
    assert cli.main(["convert", str(path)]) == 0
    chunks, done = openai_frames(capsys.readouterr().out.encode())
    assert not done and "nested too deeply" in chunks[-1]["error"]["message"]


# --- loose anthropic shapes ----------------------------------------------------------------


def _message(*content: dict, stop: str = "end_turn") -> dict:
    return dict(
        START["message"],
        content=list(content),
        stop_reason=stop,
        usage={"input_tokens": 3, "output_tokens": 4},
    )


def test_citations_without_their_optional_fields_are_read() -> None:
    citations = [
        {
            "type": "char_location",
            "cited_text": "c",
            "document_index": 0,
            "start_char_index": 0,
            "end_char_index": 1,
        },
        {
            "type": "page_location",
            "cited_text": "c",
            "document_index": 0,
            "start_page_number": 1,
            "end_page_number": 2,
        },
        {
            "type": "content_block_location",
            "cited_text": "c",
            "document_index": 0,
            "start_block_index": 0,
            "end_block_index": 1,
        },
        {
            "type": "search_result_location",
            "cited_text": "c",
            "source": "s",
            "search_result_index": 0,
            "start_block_index": 0,
            "end_block_index": 1,
        },
        {
            "type": "web_search_result_location",
            "cited_text": "seen",
            "url": "https://x.org",
            "encrypted_index": "",
        },
    ]
    losses: list[Loss] = []
    out = to_openai.response(
        _message({"type": "text", "text": "seen", "citations": citations}), losses=losses
    )
    assert out.choices[0].message.content == "seen"
    (note,) = out.choices[0].message.annotations
    assert (note.url_citation.url, note.url_citation.title) == ("https://x.org", "")
    assert ("content[0].citations[4].title", "coerced") in [(x.path, x.kind) for x in losses]
    # Absent stays absent: re-encoded, no title the upstream did not send.
    block = msgspec.json.decode(msgspec.json.encode(citations[0]), type=a.CharLocation)
    assert "document_title" not in msgspec.to_builtins(block)


def test_a_tool_use_without_input_is_a_call_with_no_arguments() -> None:
    block = {"type": "tool_use", "id": "toolu_1", "name": "list_workspaces"}
    losses: list[Loss] = []
    out = to_openai.response(_message(block, stop="tool_use"), losses=losses)
    (call,) = out.choices[0].message.tool_calls
    assert (call.function.name, call.function.arguments) == ("list_workspaces", "{}")
    assert [(x.path, x.kind) for x in losses] == [("content[0].input", "coerced")]
    # The stream says the same, with the same Loss.
    events = [
        START,
        {"type": "content_block_start", "index": 0, "content_block": block},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 4},
        },
        {"type": "message_stop"},
    ]
    stream_losses: list[Loss] = []
    chunks = builtins(to_openai.stream(events, losses=stream_losses))
    streamed = accumulate_openai(chunks)
    assert streamed["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == "{}"
    assert [(x.path, x.kind) for x in stream_losses] == [("content[0].input", "coerced")]
    sdk_accumulate_openai(chunks)


def test_a_tool_result_with_null_content_is_no_content() -> None:
    body = {
        "model": "m",
        "max_tokens": 8,
        "messages": [
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "t1", "content": None}],
            },
        ],
    }
    losses: list[Loss] = []
    out = msgspec.to_builtins(to_openai.request(body, losses=losses))
    assert out["messages"][-1] == {"role": "tool", "content": "", "tool_call_id": "t1"}
    assert losses == []
    assert a.ToolResultBlock(tool_use_id="t", content=None).content is msgspec.UNSET


def test_a_tool_block_that_never_stops_still_gets_its_arguments() -> None:
    events = [
        START,
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
        },
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 1},
        },
        {"type": "message_stop"},
    ]
    losses: list[Loss] = []
    chunks = builtins(to_openai.stream(events, losses=losses))
    call = accumulate_openai(chunks)["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["arguments"] == "{}"
    assert [(x.path, x.kind, x.detail) for x in losses] == [
        ("content[0]", "approximated", "a block never stopped")
    ]


# --- memory for hostile upstreams -----------------------------------------------------------


def _hostile(n: int) -> Iterator[bytes]:
    """An upstream that tries every way to make the translator keep something per event:
    blocks never stopped, each at a new index; losses at new paths (unknown fields with new
    names, unknown event types, deltas for blocks that are not open); a text said in empty
    pieces (the refusal check keeps the last text); then a refusal, and frames after the end."""
    yield anthropic_sse([START])
    text = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":%d,"delta":{"type":"text_delta","text":""}}\n\n'
    for i in range(n):
        k = i % 6
        if k == 0:
            block = b'{"type":"text","text":""}'
            if i % 12 == 0:
                block = b'{"type":"tool_use","id":"t%d","name":"f","input":{}}' % i
            yield (
                b'event: content_block_start\ndata: {"type":"content_block_start","index":%d,'
                b'"content_block":%s}\n\n' % (i, block)
            )
        elif k == 1:
            yield text % (i - 1)
        elif k == 2:
            yield b'event: ping\ndata: {"type":"ping","x%d":1}\n\n' % i
        elif k == 3:
            yield b'event: odd\ndata: {"type":"odd_%d"}\n\n' % i
        elif k == 4:
            yield text % (10**9 + i)  # a block that is not open
        else:
            yield (
                b'event: content_block_stop\ndata: {"type":"content_block_stop","index":%d}\n\n'
                % (10**9 + i)
            )
    yield anthropic_sse(
        [
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": "refusal",
                    "stop_details": {"type": "refusal", "explanation": "no"},
                },
                "usage": {"output_tokens": 9},
            },
            {"type": "message_stop"},
        ]
    )
    for _ in range(n // 10):
        yield text % 0  # after the end


def _peak(n: int) -> tuple[int, int, int]:
    gc.collect()
    losses: list[Loss] = []
    tracemalloc.start()
    size = 0
    for out in to_openai.sse(_hostile(n), losses=losses):
        size += len(out)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, size, len(losses)


def test_a_hostile_100k_event_stream_in_bounded_memory() -> None:
    """Peak memory over 100,000 hostile events is the peak over 1,000, give or take a
    little: the open blocks are capped (MAX_OPEN_BLOCKS), the ledger too
    (MAX_STREAM_LOSSES), the last text (REFUSAL_MAX), and nothing else grows."""
    small, _, _ = _peak(1_000)
    large, size, count = _peak(100_000)
    assert size > 1_000_000  # the blocks really were translated
    assert count <= MAX_STREAM_LOSSES + 1
    assert large - small < 32_768, (small, large)


def test_the_caps_hold() -> None:
    losses: list[Loss] = []
    s = to_openai.Stream(losses=losses)
    s.feed(START)
    for i in range(3 * MAX_OPEN_BLOCKS):
        s.feed(
            {
                "type": "content_block_start",
                "index": i,
                "content_block": {"type": "text", "text": ""},
            }
        )
    assert len(s._blocks) == MAX_OPEN_BLOCKS  # the oldest were ended, with a Loss
    assert ("content[0]", "a block never stopped") in [(x.path, x.detail) for x in losses]
    for _ in range(3 * REFUSAL_MAX):
        s.feed(
            {
                "type": "content_block_delta",
                "index": 3 * MAX_OPEN_BLOCKS - 1,
                "delta": {"type": "text_delta", "text": "x"},
            }
        )
    assert s._last_text is None  # longer than any refusal: no longer kept


# --- the bytes-level translator -------------------------------------------------------------


def test_sse_class_feed_close_abort_and_losses() -> None:
    data = anthropic_sse([START, *TEXT, *END])
    t = to_openai.SSE(created=7)
    out = b"".join(t.feed(data[i : i + 50]) for i in range(0, len(data), 50)) + t.close()
    assert out == _translate([data], created=7)[0]
    assert t.ended and t.losses == [] and t.close() == b"" and t.abort("late") == b""

    t = to_openai.SSE()
    head = t.feed(anthropic_sse([START, *TEXT]))
    tail = t.abort("the upstream connection was lost", "timeout_error")
    chunks, done = openai_frames(head + tail)
    assert not done and chunks[-1]["error"] == {
        "message": "the upstream connection was lost",
        "type": "timeout_error",
        "param": None,
        "code": None,
    }
    assert t.ended and t.feed(anthropic_sse(END)) == b"" and t.close() == b""


def test_strict_raises_at_the_first_loss() -> None:
    events = [START, *TEXT, {"type": "odd"}, *END]
    with pytest.raises(LossError):
        list(to_openai.sse([anthropic_sse(events)], strict=True))
    with pytest.raises(LossError):
        list(to_openai.stream(events, strict=True))
    assert b"[DONE]" in b"".join(to_openai.sse([anthropic_sse(events)]))


# --- properties: the real-world variants --------------------------------------------------

_AFTER = st.lists(st.sampled_from([*LATER, START, TEXT[0]]), max_size=4)
_CITATIONS = [
    {
        "type": "char_location",
        "cited_text": "c",
        "document_index": 0,
        "start_char_index": 0,
        "end_char_index": 1,
    },
    {
        "type": "web_search_result_location",
        "cited_text": "c",
        "url": "https://x.org",
        "encrypted_index": "e",
    },
    {
        "type": "search_result_location",
        "cited_text": "c",
        "source": "s",
        "search_result_index": 0,
        "start_block_index": 0,
        "end_block_index": 1,
    },
]


def _loosen(events: list[dict], drop_input: bool, citation: int | None) -> list[dict]:
    """The wild's shapes of the same stream: tool_use blocks that start without ``input``,
    a citation without its optional fields inside the first text block."""
    out: list[dict] = []
    for e in events:
        block = e.get("content_block")
        if drop_input and block is not None and block["type"] == "tool_use":
            block = {k: v for k, v in block.items() if k != "input"}
        out.append(e if block is None else dict(e, content_block=block))
        if citation is not None and block is not None and block["type"] == "text":
            delta = {"type": "citations_delta", "citation": _CITATIONS[citation]}
            out.append({"type": "content_block_delta", "index": e["index"], "delta": delta})
            citation = None
    return out


def _cuts(data: bytes, seeds: list[int]) -> list[bytes]:
    points = sorted({s % (len(data) + 1) for s in seeds})
    return [data[i:j] for i, j in zip([0, *points], [*points, len(data)])]


@given(
    anthropic_messages(any_order=True),
    cutter(),
    st.booleans(),
    st.none() | st.integers(0, len(_CITATIONS) - 1),
    _AFTER,
    st.lists(st.integers(0, 10**6), max_size=4),
)
def test_wild_streams_are_read_agree_with_batch_and_ignore_the_split(  # noqa: PLR0917
    message: dict,
    cut: Any,
    drop_input: bool,
    citation: int | None,
    after: list[dict],
    seeds: list[int],
) -> None:
    """However loose the upstream (tool_use without input, citations without their
    optional fields, frames after the end) and however its bytes are split: the SDK's
    accumulator accepts the output, the stream says what the batch says, and the split
    changes nothing."""
    events = _loosen(anthropic_events(message, cut), drop_input, citation)
    data = anthropic_sse(events)
    whole, losses = _translate([data + anthropic_sse(after)])
    assert _translate(_cuts(data + anthropic_sse(after), seeds))[0] == whole
    assert whole == _translate([data])[0]  # nothing follows the end
    chunks, done = openai_frames(whole)
    assert done
    sdk_accumulate_openai(chunks)
    batch = msgspec.to_builtins(to_openai.response(message))
    assert canonical_openai(accumulate_openai(chunks)) == canonical_openai(batch)
    assert {x.detail for x in losses} <= {
        "events after the end of the stream",
        "citations have no openai twin",
        "a tool_use without input: called with {}",
    }


# Hypothesis raises the recursion limit while it runs a test: 1,000 levels may decode
# there, so the property nests deeper than any recursion limit a process would set.
DEEPER = DEEP.replace(b"[" * 1000 + b"]" * 1000, b"[" * 50_000 + b"]" * 50_000)


@given(anthropic_messages(), st.integers(1, 10**6), st.lists(st.integers(0, 10**6), max_size=3))
def test_a_deep_frame_anywhere_ends_the_stream_with_an_error(
    message: dict, where: int, seeds: list[int]
) -> None:
    events = anthropic_events(message)
    k = 1 + where % (len(events) - 1)  # after message_start, before or at message_stop
    frames = [anthropic_sse([e]) for e in events]
    frames.insert(k, b"event: content_block_delta\ndata: " + DEEPER + b"\n\n")
    data = b"".join(frames)
    out, _ = _translate([data])
    assert _translate(_cuts(data, seeds))[0] == out
    chunks, done = openai_frames(out)
    assert not done and "nested too deeply" in chunks[-1]["error"]["message"]
    sdk_accumulate_openai(chunks[:-1])  # what came before the error is a valid stream
    before = to_openai.SSE().feed(b"".join(frames[:k]))  # what the frames before it say
    assert out.startswith(before) and out.count(b"data: ") == before.count(b"data: ") + 1
