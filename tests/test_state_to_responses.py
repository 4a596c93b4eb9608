"""The Chat -> Responses stream machine alone: its one transition table, each transition
driven in isolation (the handler looked up in ``TRANSITIONS``, called, the next state and
the events it said checked)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from translate import openai as o
from translate.to_responses._stream import (
    _CALL,
    TRANSITIONS,
    Ev,
    Item,
    Phase,
    Piece,
    Stream,
    _Item,
)


def types(events: list[Any]) -> list[str]:
    return [msgspec.to_builtins(e)["type"] for e in events]


def chunk(delta: dict | None = None, finish: str | None = None) -> o.ChatCompletionChunk:
    return msgspec.convert(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}],
        },
        o.ChatCompletionChunk,
    )


def in_state(phase: Phase) -> Stream:
    """A stream brought to ``phase`` through the table itself."""
    s = Stream()
    if phase is Phase.IDLE:
        return s
    TRANSITIONS[Phase.IDLE][Ev.CHUNK](s, chunk({"role": "assistant"}))
    if phase is Phase.OPEN:
        return s
    TRANSITIONS[Phase.OPEN][Ev.FINISH](s, chunk(finish="stop").choices[0])
    if phase is Phase.FINISHED:
        return s
    TRANSITIONS[Phase.FINISHED][Ev.CLOSE](s, None)
    return s


def test_the_table_is_complete() -> None:
    """Every state has a handler for every event of its kind, and nothing else."""
    assert set(TRANSITIONS) == set(Phase) | set(Item)
    for state, row in TRANSITIONS.items():
        assert set(row) == (set(Ev) if isinstance(state, Phase) else set(Piece)), state


ERROR = o.ErrorBody(error=o.ErrorObject(message="boom", type="server_error"))

# (state, event, argument) -> (next state, the event types said)
PHASES: list[tuple[Phase, Ev, Any, Phase, list[str]]] = [
    (
        Phase.IDLE,
        Ev.CHUNK,
        chunk({"role": "assistant"}),
        Phase.OPEN,
        ["response.created", "response.in_progress"],
    ),
    (
        Phase.IDLE,
        Ev.DONE,
        None,
        Phase.CLOSED,
        ["response.created", "response.in_progress", "response.failed"],
    ),
    (
        Phase.IDLE,
        Ev.CLOSE,
        None,
        Phase.CLOSED,
        ["response.created", "response.in_progress", "response.failed"],
    ),
    (
        Phase.IDLE,
        Ev.ERROR,
        ERROR,
        Phase.CLOSED,
        ["response.created", "response.in_progress", "response.failed"],
    ),
    (
        Phase.IDLE,
        Ev.ABORT,
        ("gone", "server_error"),
        Phase.CLOSED,
        ["response.created", "response.in_progress", "response.failed"],
    ),
    (
        Phase.OPEN,
        Ev.CHUNK,
        chunk({"content": "hi"}),
        Phase.OPEN,
        [
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
        ],
    ),
    (Phase.OPEN, Ev.FINISH, chunk(finish="stop").choices[0], Phase.FINISHED, []),
    (Phase.OPEN, Ev.DONE, None, Phase.CLOSED, ["response.failed"]),
    (Phase.OPEN, Ev.CLOSE, None, Phase.CLOSED, ["response.failed"]),
    (Phase.OPEN, Ev.ERROR, ERROR, Phase.CLOSED, ["response.failed"]),
    (Phase.OPEN, Ev.ABORT, ("gone", "server_error"), Phase.CLOSED, ["response.failed"]),
    (Phase.FINISHED, Ev.CHUNK, chunk({"content": "late"}), Phase.FINISHED, []),
    (Phase.FINISHED, Ev.FINISH, chunk(finish="stop").choices[0], Phase.FINISHED, []),
    (Phase.FINISHED, Ev.DONE, None, Phase.CLOSED, ["response.completed"]),
    (Phase.FINISHED, Ev.CLOSE, None, Phase.CLOSED, ["response.completed"]),
    (Phase.FINISHED, Ev.ERROR, ERROR, Phase.CLOSED, ["response.failed"]),
    (Phase.FINISHED, Ev.ABORT, ("gone", "server_error"), Phase.CLOSED, ["response.failed"]),
    *[(Phase.CLOSED, ev, None, Phase.CLOSED, []) for ev in Ev],
]


@pytest.mark.parametrize(("state", "event", "arg", "after", "said"), PHASES)
def test_response_transition(
    state: Phase, event: Ev, arg: Any, after: Phase, said: list[str]
) -> None:
    s = in_state(state)
    out = TRANSITIONS[state][event](s, arg)
    assert s.state is after
    assert types(out) == said


def call_in(state: Item) -> tuple[Stream, _Item]:
    s = in_state(Phase.OPEN)
    item = s._new_call(0, "0")
    item.call_id = "call_1"
    if state is Item.PENDING:
        return s, item
    if state in (Item.OPEN, Item.DONE):
        TRANSITIONS[Item.PENDING][Piece.NAME](s, item, "f", [])
    if state is Item.DONE:
        TRANSITIONS[Item.OPEN][Piece.END](s, item, None, [])
    if state is Item.GHOST:
        TRANSITIONS[Item.PENDING][Piece.END](s, item, None, [])
    return s, item


ITEMS: list[tuple[Item, Piece, Any, Item, list[str], bool]] = [
    (Item.PENDING, Piece.NAME, "f", Item.OPEN, ["response.output_item.added"], False),
    (Item.PENDING, Piece.DELTA, "{}", Item.PENDING, [], False),
    (Item.PENDING, Piece.END, None, Item.GHOST, [], True),
    (Item.OPEN, Piece.NAME, "g", Item.OPEN, [], True),
    (Item.OPEN, Piece.DELTA, "{}", Item.OPEN, ["response.function_call_arguments.delta"], False),
    (
        Item.OPEN,
        Piece.END,
        None,
        Item.DONE,
        ["response.function_call_arguments.done", "response.output_item.done"],
        False,
    ),
    (Item.DONE, Piece.NAME, "f", Item.DONE, [], True),
    (Item.DONE, Piece.DELTA, "{}", Item.DONE, [], True),
    (Item.DONE, Piece.END, None, Item.DONE, [], False),
    (Item.GHOST, Piece.NAME, "f", Item.GHOST, [], True),
    (Item.GHOST, Piece.DELTA, "{}", Item.GHOST, [], True),
    (Item.GHOST, Piece.END, None, Item.GHOST, [], False),
]


@pytest.mark.parametrize(("state", "piece", "arg", "after", "said", "lost"), ITEMS)
def test_item_transition(  # noqa: PLR0917 (pytest passes the parameters by position)
    state: Item, piece: Piece, arg: Any, after: Item, said: list[str], lost: bool
) -> None:
    s, item = call_in(state)
    assert item.kind is _CALL and item.state is state
    before = len(s.losses)
    out: list[Any] = []
    TRANSITIONS[state][piece](s, item, arg, out)
    assert item.state is after
    assert types(out) == said
    assert (len(s.losses) > before) is lost, s.losses
