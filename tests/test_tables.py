"""The two-way tables and the loss ledger, alone (translate/_tables.py, translate/_ledger.py)."""

from __future__ import annotations

from typing import get_args

import pytest

from translate import Loss, LossError
from translate import anthropic as a
from translate import openai as o
from translate._ledger import MAX_STREAM_LOSSES, OnceLedger
from translate._tables import (
    ANTHROPIC_EFFORTS,
    CACHE_TTL_TO_ANTHROPIC,
    CACHE_TTL_TO_OPENAI,
    EFFORT_LEVELS,
    FINISH_TO_ANTHROPIC,
    STOP_TO_OPENAI,
    nearest_effort,
    to_anthropic,
    to_openai,
)
from translate.targets import PRESETS


def test_the_effort_levels_are_one_list() -> None:
    """The struct literals and every preset agree with the one table of efforts."""
    assert get_args(o.ReasoningEffort) == EFFORT_LEVELS
    assert get_args(a.Effort) == ANTHROPIC_EFFORTS
    for target in PRESETS.values():
        assert set(target.effort_levels) <= set(EFFORT_LEVELS), target.name


def test_rows_are_read_in_their_directions_first_row_wins() -> None:
    rows = (
        ("x", "X", True, "both"),
        ("y", "X", False, "to_openai"),
        ("x", "Z", True, "to_anthropic"),
    )
    assert to_openai(rows) == {"x": ("X", True), "y": ("X", False)}
    assert to_anthropic(rows) == {"X": ("x", True), "Z": ("x", True)}


def test_the_read_only_rows() -> None:
    # Written by no direction, read by to_anthropic: the deprecated function_call finish,
    # and the 12-hour cache lifetime openai has and anthropic has not.
    assert FINISH_TO_ANTHROPIC["function_call"] == "tool_use"
    assert "function_call" not in {o_ for o_, _ in STOP_TO_OPENAI.values()}
    assert CACHE_TTL_TO_ANTHROPIC["12h"] == ("1h", False)
    assert CACHE_TTL_TO_OPENAI["1h"] == ("30m", False)
    assert FINISH_TO_ANTHROPIC["stop"] == "end_turn"


@pytest.mark.parametrize(
    ("effort", "accepted", "nearest"),
    [
        ("xhigh", ("low", "high", "max"), "max"),  # a tie goes up
        ("minimal", ("low", "high", "max"), "low"),
        ("medium", ("none", "low"), "low"),  # none is never a strength
        ("low", ("none",), None),
        ("none", ("low",), None),
    ],
)
def test_nearest_effort(effort: str, accepted: tuple[str, ...], nearest: str | None) -> None:
    assert nearest_effort(effort, accepted) == nearest


class _Stream(OnceLedger):
    __slots__ = ("_seen", "losses", "strict")

    def __init__(self, strict: bool = False) -> None:
        self.losses: list[Loss] = []
        self.strict = strict
        self._seen: set[tuple[str, str]] = set()


def test_a_stream_ledger_reports_a_pattern_once() -> None:
    s = _Stream()
    for i in range(1000):
        s._lose(f"choices[0].delta.tool_calls[{i}].function", "dropped", "no name")
    s._lose("choices[0].delta.audio", "dropped", "no audio")
    assert s.losses == [
        Loss("choices[0].delta.tool_calls[0].function", "dropped", "no name"),
        Loss("choices[0].delta.audio", "dropped", "no audio"),
    ]


def test_a_stream_ledger_is_bounded_whatever_the_upstream_sends() -> None:
    s = _Stream()
    for i in range(100_000):
        s._lose("usage", "dropped", f"a detail that differs every time: {i}")
    assert len(s.losses) == MAX_STREAM_LOSSES + 1
    assert len(s._seen) == MAX_STREAM_LOSSES + 1
    assert s.losses[-1] == Loss("", "dropped", f"over {MAX_STREAM_LOSSES} losses: not itemised")


def test_a_strict_stream_ledger_raises_on_the_first_loss() -> None:
    s = _Stream(strict=True)
    with pytest.raises(LossError) as err:
        s._lose("x", "dropped", "y")
    assert err.value.losses == [Loss("x", "dropped", "y")]
