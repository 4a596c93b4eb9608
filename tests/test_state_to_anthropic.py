"""The to_anthropic stream's state machine on its own (in the style of h11's test_state.py):
the three transition tables, each state's answer to each event, and the states a stream
goes through; then the real-world variants as properties (the SDK accumulators accept
the output, stream and batch agree, splitting the bytes anywhere changes nothing) and
memory under a hostile upstream.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from translate import Loss, to_anthropic
from translate.to_anthropic import _stream as S
from translate.to_anthropic._stream import BLOCKS, CALLS, MESSAGE, Block, Call, Ev, Frag, Msg, Piece

from .canonical import anthropic_stream as canonical_anthropic
from .streams import accumulate_anthropic, anthropic_frames, builtins, openai_sse
from .test_streams import sdk_accumulate_anthropic

ENV = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


def chunk(delta: dict, finish: str | None = None, **extra: Any) -> dict:
    return dict(ENV, choices=[{"index": 0, "delta": delta, "finish_reason": finish}], **extra)


USAGE = dict(ENV, choices=[], usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5})


# --- the tables -----------------------------------------------------------------------------


def test_every_state_answers_every_event() -> None:
    """No (state, event) pair is left to chance: each table is total."""
    assert set(MESSAGE) == set(Msg) and all(set(MESSAGE[m]) == set(Ev) for m in Msg)
    assert set(BLOCKS) == set(Block) and all(set(BLOCKS[b]) == set(Piece) for b in Block)
    assert set(CALLS) == set(Call) and all(set(CALLS[c]) == set(Frag) for c in Call)


def test_closed_absorbs_everything() -> None:
    s = to_anthropic.Stream()
    s.feed(chunk({"role": "assistant", "content": "x"}, "stop"))
    assert builtins(s.close())[-1]["type"] == "message_stop"
    assert s.state is Msg.CLOSED
    for ev in Ev:
        assert MESSAGE[Msg.CLOSED][ev](s, None) == []
    assert s.feed(chunk({"content": "more"})) == []
    assert s.feed({"error": {"message": "late"}}) == []
    assert s.done() == [] and s.close() == [] and s.abort("x") == []


def test_message_states_in_order() -> None:
    s = to_anthropic.Stream()
    assert s.state is Msg.IDLE
    s.feed(chunk({"role": "assistant", "content": "hi"}))
    assert (s.state, s.block) == (Msg.OPEN, Block.TEXT)
    s.feed(chunk({}, "stop"))
    assert (s.state, s.block) == (Msg.FINISHED, Block.NONE)
    s.feed(USAGE)
    assert s.state is Msg.CLOSED


def test_a_second_finish_reason_says_nothing_new() -> None:
    s = to_anthropic.Stream()
    s.feed(chunk({"content": "a"}, "length"))
    assert s.feed(chunk({}, "stop")) == []
    events = builtins(s.feed(USAGE))
    assert events[0]["delta"]["stop_reason"] == "max_tokens"


def test_error_and_abort_from_every_live_state() -> None:
    for before in ([], [chunk({"content": "a"})], [chunk({"content": "a"}, "stop")]):
        finished = bool(before) and before[0]["choices"][0]["finish_reason"] == "stop"
        for end in ("error", "abort", "close"):
            s = to_anthropic.Stream()
            for c in before:
                s.feed(c)
            if end == "error":
                out = s.feed({"error": {"message": "boom"}})
            elif end == "abort":
                out = s.abort("gone")
            else:
                out = s.close()
            assert s.state is Msg.CLOSED
            want = "message_stop" if end == "close" and finished else "error"
            assert builtins(out)[-1]["type"] == want, (before, end)


def test_block_states_follow_the_pieces() -> None:
    s = to_anthropic.Stream()
    s.feed(chunk({"reasoning_content": "r"}))
    assert s.block is Block.THINKING
    s.feed(chunk({"content": "t"}))
    assert s.block is Block.TEXT
    s.feed(chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}))
    assert s.block is Block.TEXT  # the call is held, the text goes on
    s.feed(chunk({"reasoning_content": "r2"}))
    assert s.block is Block.THINKING


def test_call_states() -> None:
    s = to_anthropic.Stream()
    s.feed(chunk({"tool_calls": [{"index": 0, "id": "c0", "function": {"arguments": "{"}}]}))
    (call,) = s._queue
    assert call.state is Call.PENDING
    s.feed(chunk({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": "}"}}]}))
    assert call.state is Call.HELD
    s.feed(chunk({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}))
    nameless = s._queue[1]
    out = builtins(s.feed(chunk({}, "tool_calls")))
    assert (call.state, nameless.state) == (Call.DONE, Call.GHOST)
    assert [e["type"] for e in out] == [
        "content_block_start",
        "content_block_stop",
    ]  # "{}" is no input: the block says {} by itself


def test_a_call_too_big_to_hold_streams() -> None:
    """Beyond MAX_HELD_ARGUMENTS a call is released: its block opens and streams, and
    text beside it waits for its end."""
    big = "x" * S.MAX_HELD_ARGUMENTS
    chunks = [
        chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a": "'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": big}}]}),
        chunk({"content": "beside"}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"}'}}]}),
        chunk({}, "tool_calls"),
        USAGE,
    ]
    s = to_anthropic.Stream()
    for c in chunks[:3]:
        s.feed(c)
    assert s.block is Block.TOOL
    s.feed(chunks[3])
    assert s.block is Block.TOOL
    message = accumulate_anthropic(builtins(to_anthropic.stream(chunks)))
    assert message["content"] == [
        {"type": "tool_use", "id": "c", "name": "f", "input": {"a": big}},
        {"type": "text", "text": "beside"},
    ]


# --- the real-world variants, as properties ---------------------------------------------------

_name = st.text("abcdefgh_", min_size=1, max_size=6)
_args = st.dictionaries(
    st.text("abcxyz", min_size=1, max_size=4), st.integers(-5, 5) | st.text(max_size=5), max_size=3
)


@st.composite
def wild_streams(draw: Any) -> tuple[list[dict], str]:
    """A turn as real upstreams cut it: text, then calls whose fragments are keyed by a
    distinct index, all at index 0 with their own ids (Ollama), or without index
    (Google); content beside argument pieces (vLLM); arguments that are objects, JSON
    encoded twice, or not objects at all."""
    shape = draw(st.sampled_from(["indexed", "index0", "noindex"]))
    text = draw(st.text(max_size=12))
    calls = draw(
        st.lists(
            st.tuples(_name, _args, st.sampled_from(["object", "double", "array"])), max_size=3
        )
    )
    beside = draw(st.lists(st.text(min_size=1, max_size=5), max_size=3))
    cut = draw(st.integers(1, 6))
    chunks = [chunk({"role": "assistant", "content": text[:3]})]
    if text[3:]:
        chunks.append(chunk({"content": text[3:]}))
    for i, (name, args, kind) in enumerate(calls):
        encoded = json.dumps(args)
        if kind == "double":
            encoded = json.dumps(encoded)
        elif kind == "array":
            encoded = json.dumps(list(args.values()))
        pieces = [encoded[j : j + cut] for j in range(0, len(encoded), cut)] or [""]
        for k, piece in enumerate(pieces):
            frag: dict = {"function": {"arguments": piece}}
            if k == 0:
                frag["id"] = f"call_{i}"
                frag["type"] = "function"
                frag["function"]["name"] = name
            if shape == "indexed":
                frag["index"] = i
            elif shape == "index0":
                frag["index"] = 0
            delta: dict = {"tool_calls": [frag]}
            if k > 0 and beside:
                delta["content"] = beside.pop()
            chunks.append(chunk(delta))
    chunks.append(chunk({}, "tool_calls" if calls else "stop"))
    chunks.append(USAGE)
    return chunks, shape


def _fold(chunks: list[dict]) -> dict:
    """The completion these chunks describe, read as DESIGN.md reads the wild."""
    text, calls, at = "", [], {}
    for c in chunks[:-2]:
        d = c["choices"][0]["delta"]
        text += d.get("content") or ""
        for tc in d.get("tool_calls") or ():
            idx, tid = tc.get("index"), tc.get("id")
            if idx is None:
                if not calls or (tid and tid != calls[-1]["id"]):
                    calls.append({"id": tid, "name": "", "args": ""})
                cur = calls[-1]
            elif idx not in at or (tid and tid != calls[at[idx]]["id"]):
                calls.append({"id": tid, "name": "", "args": ""})
                at[idx] = len(calls) - 1
                cur = calls[-1]
            else:
                cur = calls[at[idx]]
            cur["name"] = cur["name"] or tc["function"].get("name", "")
            cur["args"] += tc["function"].get("arguments", "")
    message: dict = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["args"]},
            }
            for c in calls
        ]
    finish = chunks[-2]["choices"][0]["finish_reason"]
    return dict(
        ENV,
        object="chat.completion",
        choices=[{"index": 0, "message": message, "finish_reason": finish}],
        usage=USAGE["usage"],
    )


@given(wild_streams())
def test_wild_streams_agree_with_the_response_and_the_sdk(case: tuple[list[dict], str]) -> None:
    chunks, _ = case
    losses: list[Loss] = []
    events = builtins(to_anthropic.stream(chunks, losses=losses))
    streamed = accumulate_anthropic(events)
    sdk = sdk_accumulate_anthropic(events).to_dict()
    assert list(sdk["content"]) == streamed["content"]
    for block in streamed["content"]:
        if block["type"] == "tool_use":
            assert isinstance(block["input"], dict)
    batch = msgspec.to_builtins(to_anthropic.response(_fold(chunks)))
    assert canonical_anthropic(streamed) == canonical_anthropic(batch)


# Each example translates the stream once per byte boundary (hundreds of translations):
# a few dozen streams keep it to seconds, every split of each is checked.
@settings(max_examples=25)
@given(wild_streams())
def test_wild_streams_do_not_depend_on_the_split(case: tuple[list[dict], str]) -> None:
    chunks, _ = case
    data = openai_sse(chunks)
    whole = b"".join(to_anthropic.sse([data]))
    for i in range(1, len(data)):
        assert b"".join(to_anthropic.sse([data[:i], data[i:]])) == whole, i
    anthropic_frames(whole)


def test_nothing_follows_the_end_however_the_bytes_arrive() -> None:
    data = openai_sse(
        [chunk({"role": "assistant", "content": "a"}, "stop"), USAGE], done=True
    ) + openai_sse([{"error": {"message": "after"}}, chunk({"content": "b"})], done=True)
    whole = b"".join(to_anthropic.sse([data]))
    assert b"after" not in whole and whole.rstrip().endswith(b'{"type":"message_stop"}')
    for i in range(1, len(data), 7):
        assert b"".join(to_anthropic.sse([data[:i], data[i:]])) == whole


# --- memory under a hostile upstream ---------------------------------------------------------


def _hostile(n: int) -> Any:
    """Everything that could grow: a new index per chunk with arguments and no name, calls
    at a reused index with new ids, refusal pieces, text beside an open call, never a
    finish reason."""
    head = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
    yield head + b'{"role":"assistant","content":""}}]}\n\n'
    for i in range(n):
        k = i % 5
        if k == 0:
            delta = b'{"tool_calls":[{"index":%d,"function":{"arguments":"xxxxxxxxxxxxxxxx"}}]}' % i
        elif k == 1:
            delta = (
                b'{"tool_calls":[{"index":0,"id":"id%d","function":{"name":"f","arguments":"[1,"}}]}'
                % i
            )
        elif k == 2:
            delta = b'{"refusal":"no %d "}' % i
        elif k == 3:
            delta = b'{"content":"word %d ","tool_calls":[{"function":{"arguments":"\\"yy"}}]}' % i
        else:
            delta = (
                b'{"reasoning_content":"t %d","tool_calls":[{"id":"g%d","function":{"name":"g","arguments":"zz"}}]}'
                % (i, i)
            )
        yield head + delta + b"}]}\n\n"


def test_a_hostile_100k_event_stream_stays_bounded() -> None:
    def peak(n: int) -> int:
        gc.collect()
        tracemalloc.start()
        losses: list[Loss] = []
        for _ in to_anthropic.sse(_hostile(n), losses=losses):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(losses) <= 257
        return top

    # The caps are all reached within 20,000 events (about 320 KB then); after that the
    # peak does not move.
    small, large = peak(20_000), peak(100_000)
    print(f"hostile stream peak: 20k events {small} B, 100k events {large} B")
    assert large < 1_000_000
    assert large - small < 16_384, (small, large)
