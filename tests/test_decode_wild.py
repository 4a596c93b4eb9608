"""Decoding what real clients send (issue 11): unknown fields and unknown enum values are
set aside (carried by ``compatible`` at the top level, a Loss elsewhere), never fatal; bad
input is a ``TranslationError`` or a correct, encodable result, whatever the dict holds
(lone surrogates, keys that are no Python identifier, NaN)."""

from __future__ import annotations

import contextlib
import copy
import json
import math
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import Loss, TranslationError, to_anthropic, to_openai, to_responses
from translate._decode import Unknown, decode
from translate.anthropic import MessagesRequest

from . import canonical
from .test_request_properties import anthropic_requests, openai_requests

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"

BASE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}


def as_dict(struct) -> dict:
    return msgspec.to_builtins(struct)


def losses_of(fn, body, **kw) -> tuple[dict, list[list[str]]]:
    losses: list[Loss] = []
    out = as_dict(fn(body, losses=losses, **kw))
    return out, [[loss.path, loss.kind, loss.detail] for loss in losses]


# --- unknown enum values -----------------------------------------------------------------


def test_claude_codes_thinking_display_updates_is_carried_not_a_400() -> None:
    """``claude --verbose`` sends ``display: "updates"``; a 400 makes it strip its betas.
    ``compatible`` carries the value in its ``thinking`` switch; other targets lose it."""
    body = {**BASE, "thinking": {"type": "adaptive", "display": "updates"}}
    for raw in (body, json.dumps(body), json.dumps(body).encode()):
        out, lost = losses_of(to_openai.request, raw)
        assert out["thinking"] == {"type": "adaptive", "display": "updates"}
        assert lost == []
        _, lost = losses_of(to_openai.request, raw, target="openai")
        assert ["thinking.display", "dropped", "unknown value"] in lost
    back, lost = losses_of(to_anthropic.request, {**out, "max_completion_tokens": 5})
    assert back["thinking"] == body["thinking"] and lost == []
    for target in ("anthropic", "anthropic-2023-06-01"):
        _, lost = losses_of(to_anthropic.request, out, target=target)
        assert ["thinking.display", "dropped", "unknown value 'updates'"] in lost


def test_the_claude_code_verbose_request_round_trips_with_its_display() -> None:
    """The Claude Code 2.1 ``--verbose`` capture with the ``display: "updates"`` it sends:
    exact through ``compatible``, a Loss naming ``thinking.display`` for ``openai``."""
    with open(FIXTURES / "claude_code_2_1_verbose" / "anthropic.json", "rb") as f:
        body = json.load(f)
    body["thinking"] = {"type": "adaptive", "display": "updates"}
    losses: list[Loss] = []
    forward = to_openai.request(body, losses=losses)
    back = to_anthropic.request(msgspec.json.encode(forward), losses=losses)
    assert losses == []
    assert canonical.anthropic_request(as_dict(back)) == canonical.anthropic_request(body)
    _, lost = losses_of(to_openai.request, body, target="openai")
    assert ["thinking.display", "dropped", "unknown value"] in lost


@pytest.mark.parametrize(
    ("fn", "extra", "expected"),
    [
        (
            to_openai.request,
            {"output_config": {"effort": "ultra"}},
            [["output_config.effort", "dropped", "unknown value"]],
        ),
        (
            to_openai.request,
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "text",
                                "text": "x",
                                "cache_control": {"type": "ephemeral", "ttl": "2h"},
                            }
                        ],
                    }
                ]
            },
            [["messages[0].content[0].cache_control.ttl", "dropped", "unknown value"]],
        ),
        (
            to_anthropic.request,
            {"reasoning_effort": "ultra"},
            [["reasoning_effort", "dropped", "unknown value"]],
        ),
        (
            to_anthropic.request,
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image_url",
                                "image_url": {"url": "https://x/y.png", "detail": "ultra"},
                            }
                        ],
                    }
                ]
            },
            [["messages[0].content[0].image_url.detail", "dropped", "unknown value"]],
        ),
    ],
)
def test_an_unknown_enum_value_is_an_unknown_field(fn, extra, expected) -> None:
    _, lost = losses_of(
        fn, {**BASE, **extra}, target="openai" if fn is to_openai.request else "anthropic"
    )
    assert [loss for loss in lost if loss[2] == "unknown value"] == expected


def test_a_required_enum_field_whose_object_is_a_field_goes_with_its_object() -> None:
    # ``output_config.format.type`` is required: the format object itself is set aside.
    body = {**BASE, "output_config": {"format": {"type": "json_object"}}}
    _, lost = losses_of(to_openai.request, body)
    assert lost == [["output_config.format", "dropped", "unknown field"]]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        # an unknown block type or role changes what the message means
        (
            {"messages": [{"role": "user", "content": [{"type": "textx", "text": "x"}]}]},
            "messages[0].content[0].type",
        ),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        # a required enum value inside a block: the block cannot be read
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "image/bmp",
                                    "data": "x",
                                },
                            }
                        ],
                    }
                ]
            },
            "messages[0].content[0].source.media_type",
        ),
    ],
)
def test_what_changes_meaning_is_still_an_error(body, where) -> None:
    with pytest.raises(TranslationError) as err:
        to_openai.request({**BASE, **body})
    assert err.value.path == where


# --- bad input never escapes as another exception ----------------------------------------


@pytest.mark.parametrize("key", ["x-y", "__init__", "class", "_private", "model2", "a.b", "", "0"])
def test_unknown_top_level_fields_of_any_name_are_carried(key: str) -> None:
    out, lost = losses_of(to_openai.request, {**BASE, key: 1})
    assert out[key] == 1 and lost == []
    back, lost = losses_of(
        to_anthropic.request, msgspec.json.encode(to_openai.request({**BASE, key: 1}))
    )
    assert back[key] == 1 and lost == []


def test_two_carried_fields_and_a_carried_name_like_an_attribute() -> None:
    body = {**BASE, "x-y": 1, "extra_0_": 2, "__struct_fields__": 3}
    out = as_dict(to_openai.request(body))
    assert {k: out[k] for k in ("x-y", "extra_0_", "__struct_fields__")} == {
        "x-y": 1,
        "extra_0_": 2,
        "__struct_fields__": 3,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"model": "\ud800"},
        {"messages": [{"role": "user", "content": "a\udc80"}]},
        {"\ud800": 1},
        {"x-beta": {"k": ["\udfff"]}},
        {"metadata": {"user_id": "\ud83d"}},
    ],
)
def test_lone_surrogates_in_a_dict_are_a_translation_error(extra) -> None:
    for fn in (to_openai.request, to_anthropic.request, to_responses.request):
        with pytest.raises(TranslationError, match="surrogate"):
            fn({**BASE, **extra})


def test_lone_surrogates_in_text_are_a_translation_error() -> None:
    for raw in ('{"model": "\ud800"}', b'{"model": "\\ud800"}'):
        with pytest.raises(TranslationError):
            to_openai.request(raw)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_number_in_a_typed_field_is_a_translation_error(value: float) -> None:
    with pytest.raises(TranslationError, match="not a JSON number") as err:
        to_openai.request({**BASE, "temperature": value})
    assert err.value.path == "temperature"
    with pytest.raises(TranslationError, match="not a JSON number"):
        to_anthropic.request({**BASE, "top_p": value})


def test_a_key_that_is_not_a_string_is_a_translation_error() -> None:
    with pytest.raises(TranslationError):
        to_openai.request({**BASE, 1: 2})
    with pytest.raises(TranslationError):
        to_openai.request({**BASE, (1, 2): 2})


def test_the_callers_dict_is_never_changed() -> None:
    body = {
        **BASE,
        "x": 1,
        "thinking": {"type": "adaptive", "display": "updates"},
        "messages": [{"role": "user", "content": [{"type": "text", "text": "x", "y": 2}]}],
    }
    snapshot = copy.deepcopy(body)
    to_openai.request(body, target="openai")
    assert body == snapshot


# --- the guided path: exactly what a walk would find, one conversion per field -----------

UNKNOWN_VALUES = st.sampled_from(["v", 1, None, [1, {"a": 2}], {"b": "c"}])


def _objects(req: dict, source: str) -> list[tuple[str, dict]]:
    """The struct-typed objects of a domain request (not free-form ones like schemas)."""
    found: list[tuple[str, dict]] = [("", req)]
    for i, m in enumerate(req["messages"]):
        found.append((f"messages[{i}]", m))
        if isinstance(m.get("content"), list):
            found += [(f"messages[{i}].content[{j}]", b) for j, b in enumerate(m["content"])]
    for i, t in enumerate(req.get("tools") or []):
        found.append((f"tools[{i}]", t))
        if source == "openai":
            found.append((f"tools[{i}].function", t["function"]))
    return found


@st.composite
def with_unknowns(draw, source: str):
    req = draw(anthropic_requests() if source == "anthropic" else openai_requests())
    objects = _objects(req, source)
    picks = draw(st.lists(st.integers(0, len(objects) - 1), max_size=80))
    injected: list[tuple[str, str, object]] = []
    noisy = copy.deepcopy(req)
    objects_noisy = _objects(noisy, source)
    for n, pick in enumerate(picks):
        path, obj = objects_noisy[pick]
        key = f"x_beta_{n}"
        value = draw(UNKNOWN_VALUES)
        obj[key] = value
        injected.append((path, key, value))
    return req, noisy, injected


@pytest.mark.parametrize("source", ["anthropic", "openai"])
@given(data=st.data())
def test_unknown_fields_anywhere_are_set_aside_exactly(source: str, data) -> None:
    """Up to 80 unknown fields (past 64 the walk takes over): each is found, at its path,
    and the translation is that of the request without them."""
    clean, noisy, injected = data.draw(with_unknowns(source))
    fn = to_openai.request if source == "anthropic" else to_anthropic.request
    target = "openai" if source == "anthropic" else "anthropic"
    out, lost = losses_of(fn, clean, target=target)
    for body in (noisy, msgspec.json.encode(noisy)):
        noisy_out, noisy_lost = losses_of(fn, body, target=target)
        assert noisy_out == out
        unknown = [loss for loss in noisy_lost if loss not in lost]
        expected = [[f"{p}.{k}" if p else k, "dropped", "unknown field"] for p, k, _ in injected]
        assert sorted(unknown) == sorted(expected)
    # compatible carries the top-level ones
    tp = MessagesRequest if source == "anthropic" else None
    if tp is not None:
        found: list[Unknown] = []
        decode(msgspec.json.encode(noisy), tp, found)
        assert sorted((u.path, u.key) for u in found) == sorted((p, k) for p, k, _ in injected)
    carried = as_dict(fn(noisy))
    for path, key, value in injected:
        if path == "":
            assert carried[key] == value


# --- the fuzz: whatever the dict holds ----------------------------------------------------

weird_text = st.sampled_from(["\ud800", "a\udc80b", "x-y", "__init__", "", "é", "\x00"]) | st.text(
    max_size=8
)
weird_key = (
    st.sampled_from(
        ["x-y", "__init__", "class", "model", "messages", "type", "role", "content", "a.b", "a[0]"]
    )
    | weird_text
)
weird_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | weird_text
)
weird_value = st.recursive(
    weird_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(weird_key, inner, max_size=3),
    max_leaves=10,
)


@st.composite
def weird_requests(draw):
    source = draw(st.sampled_from(["anthropic", "openai"]))
    req = copy.deepcopy(draw(anthropic_requests() if source == "anthropic" else openai_requests()))
    objects = _objects(req, source)
    for _ in range(draw(st.integers(0, 4))):
        _, obj = objects[draw(st.integers(0, len(objects) - 1))]
        obj[draw(weird_key)] = draw(weird_value)
    return req


@given(weird_requests() | st.dictionaries(weird_key, weird_value, max_size=5))
def test_any_dict_is_a_result_or_a_translation_error_and_the_result_encodes(body) -> None:
    snapshot = repr(body)
    for fn in (to_openai.request, to_anthropic.request, to_responses.request):
        for target in ("compatible", None):
            kw = {} if target is None or fn is to_responses.request else {"target": target}
            if target is None and fn is not to_responses.request:
                kw = {"target": "openai" if fn is to_openai.request else "anthropic"}
            with contextlib.suppress(TranslationError):
                msgspec.json.encode(fn(body, **kw))
    assert repr(body) == snapshot  # the caller's dict is never changed


@pytest.mark.parametrize("key", ["\x00", 'a"b', "a\\b"])
def test_a_top_level_name_no_struct_can_hold_is_a_loss_in_compatible(key: str) -> None:
    out, lost = losses_of(to_openai.request, {**BASE, key: 1})
    assert key not in out
    assert lost == [[key, "dropped", "unknown field whose name cannot be written as a field"]]
