"""Every leaf field of both SDKs' request and response types, through ``compatible``.

For each leaf (``tests/sweep.py`` walks the SDK annotations) a payload sets it, and either
the round trip through the other dialect gives it back exactly (up to the canonical form of
``tests/canonical.py``) or the translation reports a Loss whose path names the field (the
field itself, or an object holding it that was dropped or changed whole). Never a silent
drop, never a ``TranslationError`` on a valid payload.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from anthropic.types import Message
from anthropic.types import message_create_params as amcp
from anthropic.types.beta import message_create_params as abmcp
from openai.types.chat import ChatCompletion
from openai.types.chat import completion_create_params as occp

from translate import Loss, TranslationError, to_anthropic, to_openai

from . import canonical
from .sweep import leaves

_INDEX = re.compile(r"\[\d+\]")


def _norm(path: str) -> tuple[str, ...]:
    return tuple(p for p in _INDEX.sub(".[]", path).split(".") if p)


def _named(loss: Loss, leaf: tuple[str, ...]) -> bool:
    """Does the Loss name the leaf: its path, an object on the way to it, or a field beside
    one of those (a required sibling that the minimal payload had to set)?"""
    path = _norm(loss.path)
    if leaf[: len(path)] == path or path[: len(leaf)] == leaf:
        return True
    parent = leaf[:-1]  # an object holding the leaf, not the payload itself
    return (
        len(parent) > 0
        and len(path) > 1
        and (parent[: len(path) - 1] == path[:-1] or path[: len(parent)] == parent)
    )


def _anthropic_request(body: dict, losses: list[Loss]) -> tuple[dict, dict]:
    forward = to_openai.request(body, losses=losses)
    back = to_anthropic.request(msgspec.json.encode(forward), losses=losses)
    return canonical.anthropic_request(msgspec.to_builtins(back)), canonical.anthropic_request(body)


def _openai_request(body: dict, losses: list[Loss]) -> tuple[dict, dict]:
    forward = to_anthropic.request(body, losses=losses)
    back = to_openai.request(msgspec.json.encode(forward), losses=losses)
    return canonical.openai_request(msgspec.to_builtins(back)), canonical.openai_request(body)


def _anthropic_message(body: dict, losses: list[Loss]) -> tuple[dict, dict]:
    calls = any(b.get("type") == "tool_use" for b in body["content"])
    body = {"stop_reason": "tool_use" if calls else "end_turn", "stop_sequence": None, **body}
    forward = to_openai.response(body, losses=losses)
    back = to_anthropic.response(msgspec.json.encode(forward), losses=losses)
    return canonical.anthropic_message(msgspec.to_builtins(back)), canonical.anthropic_message(body)


def _openai_completion(body: dict, losses: list[Loss]) -> tuple[dict, dict]:
    if not body["choices"]:  # one choice, as every completion the anthropic dialect can say
        body = {
            **body,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant"}}],
        }
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    body = {"usage": usage, **body}  # anthropic messages always have usage
    forward = to_anthropic.response(body, losses=losses)
    # the anthropic dialect has no creation time: a gateway restores it (``created=``)
    back = to_openai.response(msgspec.json.encode(forward), created=body["created"], losses=losses)
    return canonical.openai_completion(msgspec.to_builtins(back)), canonical.openai_completion(body)


Trip = Callable[[dict, list[Loss]], tuple[dict, dict]]
SURFACES: dict[str, tuple[Any, Trip]] = {
    "anthropic MessageCreateParams": (amcp.MessageCreateParamsNonStreaming, _anthropic_request),
    "anthropic beta MessageCreateParams": (
        abmcp.MessageCreateParamsNonStreaming,
        _anthropic_request,
    ),
    "anthropic Message": (Message, _anthropic_message),
    "openai CompletionCreateParams": (occp.CompletionCreateParamsNonStreaming, _openai_request),
    "openai ChatCompletion": (ChatCompletion, _openai_completion),
}


def _beta_in_use(leaf: tuple[str, ...], body: dict) -> bool:
    """The beta surface is swept where Claude Code uses it (DIALECTS.md, "What real traffic
    looks like"): ``compaction`` blocks, ``context_management``, tools with
    ``defer_loading``. Its other beta blocks (mcp_tool_use, advisor results, ...) are
    content block types this library does not read: a TranslationError by design."""
    if leaf[0] == "context_management" or leaf[:3] == ("tools", "[]", "defer_loading"):
        return True
    return '"compaction"' in msgspec.json.encode(body.get("messages", [])).decode()


def sweep(name: str) -> tuple[int, int, list[str]]:
    """(round trips, losses, failures) over every leaf of a surface."""
    tp, trip = SURFACES[name]
    exact = lost = 0
    failures: list[str] = []
    for leaf, body in leaves(tp):
        if name.startswith("anthropic beta") and not _beta_in_use(leaf, body):
            continue
        where = ".".join(leaf)
        losses: list[Loss] = []
        try:
            back, expected = trip(body, losses)
        except TranslationError as exc:
            failures.append(f"{where}: rejected ({exc})")
            continue
        except (
            KeyError,
            TypeError,
            IndexError,
            ValueError,
            AttributeError,
        ):  # the canonical form has no word for it: a Loss or nothing
            back, expected = None, body
        if back == expected:
            exact += 1
        elif any(_named(loss, leaf) for loss in losses):
            lost += 1
        else:
            failures.append(f"{where}: silently changed; losses {[l.path for l in losses]}")
    return exact, lost, failures


# Leaves not yet carried nor reported: each is a known gap, named here so that a new one
# fails the test and a fixed one is noticed (the test fails until it leaves this list).
KNOWN: dict[str, set[str]] = {name: set() for name in SURFACES}


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_every_leaf_round_trips_or_is_a_loss(name: str) -> None:
    exact, lost, failures = sweep(name)
    assert exact + lost > 0
    found = {f.split(":")[0] for f in failures}
    assert found == KNOWN[name], "\n".join(failures)
