"""The to_openai stream state machine alone (in the manner of h11's ``test_state.py``):
its states, its one transition table, and what each event does in each state, without
SSE bytes, SDKs or accumulators in the way."""

from __future__ import annotations

from typing import Any

import pytest

from translate import Loss, TranslationError
from translate import anthropic as a
from translate import openai as o
from translate.to_openai._stream import (
    _BLOCK_EVENTS,
    _EVENT_STRUCTS,
    TRANSITIONS,
    Block,
    State,
    Stream,
)

START = a.MessageStartEvent(
    message=a.MessageResponse(
        id="msg_1", model="m", content=[], usage=a.Usage(input_tokens=1, output_tokens=0)
    )
)
PING = a.PingEvent()
ERROR = a.ErrorEvent(error=a.ErrorObject(type="overloaded_error", message="Overloaded"))
STOP_REASON = a.MessageDeltaEvent(
    delta=a.MessageDelta(stop_reason="end_turn"), usage=a.MessageDeltaUsage(output_tokens=2)
)
USAGE_ONLY = a.MessageDeltaEvent(delta=a.MessageDelta(), usage=a.MessageDeltaUsage(output_tokens=3))
MESSAGE_STOP = a.MessageStopEvent()


def start(index: int, block: Any) -> a.ContentBlockStartEvent:
    return a.ContentBlockStartEvent(index=index, content_block=block)


def delta(index: int, d: Any) -> a.ContentBlockDeltaEvent:
    return a.ContentBlockDeltaEvent(index=index, delta=d)


def stop(index: int) -> a.ContentBlockStopEvent:
    return a.ContentBlockStopEvent(index=index)


TEXT = a.TextBlock(text="")
THINKING = a.ThinkingBlock(thinking="", signature="")
REDACTED = a.RedactedThinkingBlock(data="ENC")
TOOL = a.ToolUseBlock(id="t", name="f", input={})
SERVER = a.ServerToolUseBlock(id="s", name="web_search", input={})


def opened() -> Stream:
    s = Stream()
    s.feed(START)
    return s


def finished() -> Stream:
    s = opened()
    s.feed(STOP_REASON)
    return s


# --- the table ---------------------------------------------------------------------------


def test_every_state_has_a_row_for_every_event_of_its_kind() -> None:
    assert set(TRANSITIONS) == set(State) | set(Block)
    for state, row in TRANSITIONS.items():
        kinds = _EVENT_STRUCTS if isinstance(state, State) else _BLOCK_EVENTS
        assert set(row) == {*kinds, None}, state
        assert all(callable(h) for h in row.values())


def test_state_and_block_names_are_distinct_keys() -> None:
    # Both are StrEnums in one dict: their values must never collide.
    assert not {s.value for s in State} & {b.value for b in Block}
    assert len(TRANSITIONS) == len(State) + len(Block)


def test_handlers_are_the_streams_own_methods() -> None:
    for row in TRANSITIONS.values():
        for handler in row.values():
            assert getattr(Stream, handler.__name__) is handler


# --- the message -------------------------------------------------------------------------


def test_a_whole_message_walks_idle_open_finished_closed() -> None:
    s = Stream()
    assert s.state is State.IDLE
    s.feed(PING)
    assert s.state is State.IDLE
    (role,) = s.feed(START)
    assert s.state is State.OPEN and role.choices[0].delta.role == "assistant"
    s.feed(USAGE_ONLY)  # a usage update alone does not finish the message
    assert s.state is State.OPEN
    (finish,) = s.feed(STOP_REASON)
    assert s.state is State.FINISHED and finish.choices[0].finish_reason == "stop"
    assert s.feed(USAGE_ONLY) == []  # usage may still be updated
    (usage,) = s.feed(MESSAGE_STOP)
    assert s.state is State.CLOSED and usage.choices == [] and usage.usage.completion_tokens == 3


@pytest.mark.parametrize(
    "event", [stop(0), delta(0, a.TextDelta(text="x")), STOP_REASON, MESSAGE_STOP, start(0, TEXT)]
)
def test_idle_takes_only_message_start_ping_and_error(event: Any) -> None:
    with pytest.raises(TranslationError, match="before message_start"):
        Stream().feed(event)


def test_an_error_ends_the_stream_from_any_live_state() -> None:
    for make in (Stream, opened, finished):
        s = make()
        (body,) = s.feed(ERROR)
        assert s.state is State.CLOSED and isinstance(body, o.ErrorBody)
        assert body.error.type == "overloaded_error" and body.error.message == "Overloaded"


def test_message_start_twice_is_an_error() -> None:
    for make in (opened, finished):
        with pytest.raises(TranslationError, match="unexpected message_start"):
            make().feed(START)


def test_message_stop_before_a_stop_reason_ends_with_an_error() -> None:
    s = opened()
    (body,) = s.feed(MESSAGE_STOP)
    assert s.state is State.CLOSED and "before any stop reason" in body.error.message


def test_close_in_each_state() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    (body,) = s.close()
    assert "before message_start" in body.error.message and s.state is State.CLOSED
    assert "before its message_delta" in opened().close()[0].error.message
    s = finished()
    (usage,) = s.close()  # a missing message_stop loses nothing
    assert usage.choices == [] and s.state is State.CLOSED
    assert s.close() == [] and s.abort("x") == []


def test_closed_takes_nothing() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(ERROR)
    for event in (START, PING, ERROR, STOP_REASON, MESSAGE_STOP, b"{not json"):
        assert s.feed(event) == []
        assert s.state is State.CLOSED
    assert [x.detail for x in losses] == ["events after the end of the stream"]


def test_a_block_after_the_finish_is_dropped() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(STOP_REASON)
    assert s.feed(start(0, TEXT)) == [] and s.state is State.FINISHED
    assert [x.detail for x in losses] == ["a block after message_delta"]


# --- the blocks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "state"),
    [
        (TEXT, Block.TEXT),
        (THINKING, Block.THINKING),
        (REDACTED, Block.REDACTED),
        (TOOL, Block.TOOL_EMPTY),
        (a.ToolUseBlock(id="t", name="f", input={"a": 1}), Block.TOOL_SAID),
        (SERVER, Block.DROPPED),
    ],
)
def test_each_block_opens_in_its_state(block: Any, state: Block) -> None:
    s = opened()
    s.feed(start(3, block))
    assert s._blocks[3].state is state
    s.feed(stop(3))
    assert 3 not in s._blocks and s.state is State.OPEN


def test_a_tool_call_moves_from_empty_to_said() -> None:
    s = opened()
    s.feed(start(0, TOOL))
    assert s.feed(delta(0, a.InputJSONDelta(partial_json=""))) == []  # nothing said yet
    assert s._blocks[0].state is Block.TOOL_EMPTY
    (piece,) = s.feed(delta(0, a.InputJSONDelta(partial_json='{"a":')))
    assert s._blocks[0].state is Block.TOOL_SAID
    assert piece.choices[0].delta.tool_calls[0].function.arguments == '{"a":'
    assert s.feed(stop(0)) == []  # said: its stop adds nothing


def test_an_empty_tool_call_says_its_empty_arguments_when_it_stops() -> None:
    s = opened()
    s.feed(start(0, TOOL))
    (end,) = s.feed(stop(0))
    assert end.choices[0].delta.tool_calls[0].function.arguments == "{}"


@pytest.mark.parametrize(
    ("block", "d"),
    [
        (TEXT, a.ThinkingDelta(thinking="x")),
        (THINKING, a.TextDelta(text="x")),
        (REDACTED, a.ThinkingDelta(thinking="x")),
        (TOOL, a.TextDelta(text="x")),
    ],
)
def test_a_delta_of_another_kind_is_a_loss(block: Any, d: Any) -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(start(0, block))
    before = s._blocks[0].state
    assert s.feed(delta(0, d)) == []
    assert s._blocks[0].state is before
    assert [x.detail for x in losses] == ["a delta of another kind than its block"]


def test_deltas_of_a_dropped_block_go_with_it() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(start(0, SERVER))
    assert s.feed(delta(0, a.InputJSONDelta(partial_json="{}"))) == []
    assert len(losses) == 1  # the block's own Loss, nothing per delta


def test_a_delta_for_a_block_that_is_not_open_is_a_loss() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    assert s.feed(delta(5, a.TextDelta(text="x"))) == []
    assert s.feed(stop(5)) == []
    assert [x.detail for x in losses] == ["a delta for a block that is not open"]


def test_the_finish_ends_blocks_never_stopped() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(start(0, TOOL))
    s.feed(start(1, THINKING))
    out = s.feed(STOP_REASON)
    assert s._blocks == {} and s.state is State.FINISHED
    assert out[0].choices[0].delta.tool_calls[0].function.arguments == "{}"
    # once per path pattern (the stream's ledger), then end_turn after a tool call
    assert [(x.path, x.detail) for x in losses] == [
        ("content[0]", "a block never stopped"),
        ("stop_reason", "end_turn after tool calls reads as tool_use"),
    ]


def test_a_block_started_again_at_its_index_ends_the_first() -> None:
    losses: list[Loss] = []
    s = Stream(losses=losses)
    s.feed(START)
    s.feed(start(0, TOOL))
    out = s.feed(start(0, THINKING))
    assert out[0].choices[0].delta.tool_calls[0].function.arguments == "{}"
    assert s._blocks[0].state is Block.THINKING
    assert [x.detail for x in losses] == ["a block started again before it stopped"]
