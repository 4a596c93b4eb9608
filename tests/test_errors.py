"""Error translation: the fixtures, the one table, and properties over every status and
every body shape (whatever the bytes, a well-formed error of the target dialect comes out,
with the status kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic.types as at
import msgspec
import openai.types.shared as os_
import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate import anthropic as a
from translate import openai as o
from translate import to_anthropic, to_openai
from translate._tables import (
    ERROR_BY_STATUS,
    ERROR_STATUS,
    ERRORS,
    GENERIC_ERROR,
    anthropic_error_type,
)

from . import canonical, sdk_strict
from .strategies import json_values

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "errors"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def load(case: str, name: str) -> Any:
    return json.loads((ROOT / case / name).read_text())


def as_dict(struct: Any) -> Any:
    return msgspec.to_builtins(struct)


def both(body: Any, status: Any = None) -> tuple[tuple[int, dict], tuple[int, dict]]:
    """Both translations, each checked against its dialect's SDK type."""
    so, bo = to_openai.error(body, status)
    sa, ba = to_anthropic.error(body, status)
    bo, ba = as_dict(bo), as_dict(ba)
    sdk_strict.validate_openai_error(bo)
    sdk_strict.validate_anthropic_error(ba)
    assert isinstance(so, int) and isinstance(sa, int) and so == sa
    return (so, bo), (sa, ba)


# --- fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_fixture_translates_to_both_dialects(case: str) -> None:
    m = load(case, "meta.json")
    raw = (ROOT / case / m["input"]).read_bytes()
    (so, bo), (sa, ba) = both(raw, m["status"])
    assert (so, bo) == (m["to_openai"]["status"], load(case, "openai.json"))
    assert (sa, ba) == (m["to_anthropic"]["status"], load(case, "anthropic.json"))


@pytest.mark.parametrize("case", [c for c in CASES if load(c, "meta.json")["pair"]])
def test_fixture_pair_translates_into_each_other(case: str) -> None:
    m = load(case, "meta.json")
    anthropic_body, openai_body = load(case, "anthropic.json"), load(case, "openai.json")
    status = m["to_openai"]["status"]
    assert to_anthropic.error(openai_body, status) == (
        status,
        msgspec.convert(anthropic_body, a.ErrorResponse),
    )
    assert to_openai.error(anthropic_body, status) == (
        status,
        msgspec.convert(openai_body, o.ErrorBody),
    )


@pytest.mark.parametrize("case", CASES)
def test_fixture_bodies_of_each_dialect_are_their_own_translation(case: str) -> None:
    """An error already in the target dialect comes out as it went in (to_anthropic keeps a
    request_id; to_openai keeps param and code)."""
    m = load(case, "meta.json")
    if m["input"] == "anthropic.json":
        assert as_dict(to_anthropic.error(load(case, "anthropic.json"), m["status"])[1]) == load(
            case, "anthropic.json"
        )
    if m["input"] == "openai.json":
        assert as_dict(to_openai.error(load(case, "openai.json"), m["status"])[1]) == load(
            case, "openai.json"
        )


def test_fixtures_cover_every_source() -> None:
    inputs = {load(c, "meta.json")["input"] for c in CASES}
    assert {
        "anthropic.json",
        "openai.json",
        "body.json",
        "body.html",
        "body.txt",
        "body.bin",
    } <= inputs
    for provider in ("mimo", "deepseek", "vllm"):
        assert any(c.startswith(provider) for c in CASES)


def test_mimo_real_reason_is_lifted_out_of_param() -> None:
    (_, bo), (_, ba) = both(load("mimo_param_incorrect", "body.json"))
    reason = load("mimo_param_incorrect", "body.json")["error"]["param"]
    assert ba["error"]["message"] == f"Param Incorrect: {reason}"
    assert bo["error"]["message"] == f"Param Incorrect: {reason}"
    assert bo["error"]["param"] is None  # it was never a parameter's name


def test_a_parameter_name_stays_in_param() -> None:
    body = {
        "error": {
            "message": "Invalid 'tools[24].function.name': string too long.",
            "type": "invalid_request_error",
            "param": "tools[24].function.name",
            "code": "string_above_max_length",
        }
    }
    (_, bo), (_, ba) = both(body, 400)
    assert bo == body
    assert ba == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": body["error"]["message"]},
    }


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "anthropic_type", "openai_type"), ERRORS)
def test_every_row_reads_both_ways(status: int, anthropic_type: str, openai_type: str) -> None:
    body = {"type": "error", "error": {"type": anthropic_type, "message": "m"}}
    assert both(body, status)[0] == (
        status,
        {"error": {"message": "m", "type": openai_type, "param": None, "code": None}},
    )
    back = {"error": {"message": "m", "type": openai_type, "param": None, "code": None}}
    assert both(back, status)[1] == (status, body)
    # without a status, the row's status is inferred (the first row of a status wins)
    assert to_anthropic.error(body)[0] == ERROR_STATUS[anthropic_type] == status


def test_the_anthropic_types_are_the_documented_ones() -> None:
    documented = set(sdk_strict._EXTRA_ERROR_TYPES) | sdk_strict._error_type_literals(
        at.ErrorObject
    )
    assert {a_type for _, a_type, _ in ERRORS} == documented


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        # what OpenAI really sends
        ({"type": "invalid_request_error", "code": "invalid_api_key"}, 401, "authentication_error"),
        ({"type": "invalid_request_error", "code": "model_not_found"}, 404, "not_found_error"),
        ({"type": "invalid_request_error", "code": None}, 404, "not_found_error"),
        ({"type": "tokens", "code": "rate_limit_exceeded"}, 429, "rate_limit_error"),
        ({"type": "insufficient_quota", "code": "insufficient_quota"}, 429, "billing_error"),
        ({"type": "server_error"}, 500, "api_error"),
        # DeepSeek's unknown_error with a generic code: the status says it
        ({"type": "unknown_error", "code": "invalid_request_error"}, 402, "billing_error"),
        ({"type": "unknown_error"}, 503, "overloaded_error"),
        # vLLM's exception names, Google-style status words
        ({"type": "NotFoundError", "code": 404}, None, "not_found_error"),
        ({"status": "RESOURCE_EXHAUSTED", "code": 429}, None, "rate_limit_error"),
        # nothing named: the status class
        ({}, 418, "invalid_request_error"),
        ({}, 502, "api_error"),
        ({}, 302, "api_error"),
    ],
)
def test_error_kinds_are_read_from_type_code_and_status(
    body: dict, status: int | None, expected: str
) -> None:
    out = as_dict(to_anthropic.error({"error": {"message": "m", **body}}, status)[1])
    assert out["error"]["type"] == expected


def test_status_is_kept_or_inferred() -> None:
    assert to_openai.error(b"")[0] == 500
    assert to_openai.error(b"", 404)[0] == 404
    assert to_openai.error(b"", "404")[0] == 404  # a status read off a header is a string
    assert (
        to_anthropic.error(
            {"object": "error", "message": "m", "type": "BadRequestError", "code": 400}
        )[0]
        == 400
    )
    assert (
        to_anthropic.error(
            {"error": {"code": "400", "message": "Param Incorrect", "param": "", "type": ""}}
        )[0]
        == 400
    )
    assert (
        to_anthropic.error(
            {"type": "error", "error": {"type": "rate_limit_error", "message": "m"}}
        )[0]
        == 429
    )
    assert (
        to_anthropic.error({"error": {"type": "invalid_request_error", "message": "m"}})[0] == 400
    )
    assert to_anthropic.error(b"<html><title>x</title></html>")[0] == 500
    # the caller's status wins over the body's own
    assert to_anthropic.error({"error": {"code": 429, "message": "m"}}, 503) == (
        503,
        to_anthropic.error({"error": {"message": "m"}}, 503)[1],
    )


def test_messages_of_bodies_that_say_nothing() -> None:
    assert as_dict(to_anthropic.error(b"", 502)[1])["error"]["message"] == "502 Bad Gateway"
    assert as_dict(to_anthropic.error(None, 529)[1])["error"]["message"] == "529 Overloaded"
    assert (
        as_dict(to_anthropic.error(b"null", 599)[1])["error"]["message"]
        == "upstream error with status 599"
    )
    assert as_dict(to_openai.error(b"[1, 2]", 500)[1])["error"]["message"] == "[1,2]"
    assert (
        as_dict(to_openai.error(b'{"foo": {"bar": 1}}', 500)[1])["error"]["message"]
        == '{"foo":{"bar":1}}'
    )
    assert (
        as_dict(to_openai.error(b'"just a string"', 500)[1])["error"]["message"] == "just a string"
    )
    assert (
        as_dict(to_openai.error({"detail": "Not Found"}, 404)[1])["error"]["message"] == "Not Found"
    )
    assert (
        as_dict(to_openai.error({"error": "model not found"}, 404)[1])["error"]["message"]
        == "model not found"
    )


def test_long_pages_are_clipped() -> None:
    page = "<html><body>" + "<p>spam</p>" * 5000 + "</body></html>"
    message = as_dict(to_openai.error(page, 500)[1])["error"]["message"]
    assert len(message) == 2000 and message.endswith("\u2026") and message.startswith("spam spam")


def test_structs_and_sdk_objects_are_accepted() -> None:
    body = {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": "req_1",
    }
    struct = msgspec.convert(body, a.ErrorResponse)
    sdk = at.ErrorResponse.model_validate(body)
    for form in (
        struct,
        sdk,
        json.dumps(body),
        json.dumps(body).encode(),
        bytearray(json.dumps(body).encode()),
    ):
        assert both(form, 529)[1] == (529, body)
    oai = os_.ErrorObject.model_validate(
        {"message": "m", "type": "server_error", "param": None, "code": None}
    )
    assert both(oai, 500)[1][1]["error"] == {"type": "api_error", "message": "m"}


# --- properties --------------------------------------------------------------------------

message_text = st.text(min_size=1, max_size=40)


def shapes() -> st.SearchStrategy[Any]:
    """Every body shape seen in the wild, and garbage."""
    kind = (
        st.sampled_from([t for _, t, _ in ERRORS])
        | st.sampled_from([t for _, _, t in ERRORS])
        | st.text(max_size=12)
    )
    anthropic_body = st.fixed_dictionaries(
        {
            "type": st.just("error"),
            "error": st.fixed_dictionaries({"type": kind, "message": message_text}),
        },
        optional={"request_id": st.text(max_size=10) | st.none()},
    )
    openai_body = st.fixed_dictionaries(
        {
            "error": st.fixed_dictionaries(
                {"message": message_text},
                optional={
                    "type": kind | st.none(),
                    "param": st.none() | st.text(max_size=30),
                    "code": st.none() | st.text(max_size=10) | st.integers(-1000, 1000),
                },
            )
        }
    )
    vllm_flat = st.fixed_dictionaries(
        {
            "object": st.just("error"),
            "message": message_text,
            "type": kind,
            "param": st.none() | st.text(max_size=8),
            "code": st.integers(100, 599),
        }
    )
    mimo = st.fixed_dictionaries(
        {
            "error": st.fixed_dictionaries(
                {
                    "code": st.integers(100, 599).map(str),
                    "message": st.just("Param Incorrect"),
                    "param": message_text,
                    "type": st.just(""),
                }
            )
        }
    )
    html_page = message_text.map(
        lambda t: f"<!DOCTYPE html><html><head><title>{t}</title></head><body>{t}</body></html>"
    )
    garbage_json = json_values(3)
    as_text = st.one_of(anthropic_body, openai_body, vllm_flat, mimo, garbage_json).map(json.dumps)
    return st.one_of(
        anthropic_body,
        openai_body,
        vllm_flat,
        mimo,
        garbage_json,
        as_text,
        as_text.map(str.encode),
        html_page,
        html_page.map(str.encode),
        st.text(max_size=60),
        st.binary(max_size=60),
        st.just(b""),
        st.just(""),
        st.none(),
        as_text.map(lambda s: s[: len(s) // 2]),  # truncated JSON
    )


@given(shapes(), st.integers(100, 599) | st.none())
def test_every_status_and_every_body_gives_a_valid_error_of_both_dialects(
    body: Any, status: int | None
) -> None:
    (so, bo), (_, ba) = both(body, status)  # both() checks the statuses agree
    if status is not None:
        assert so == status
    assert 100 <= so <= 599
    assert bo["error"]["message"] and ba["error"]["message"]


@given(st.integers(100, 599), st.sampled_from(CASES))
def test_every_status_with_every_fixture_body(status: int, case: str) -> None:
    raw = (ROOT / case / load(case, "meta.json")["input"]).read_bytes()
    (so, _), (_, ba) = both(raw, status)
    assert so == status
    if status in ERROR_BY_STATUS and ba["error"]["type"] == GENERIC_ERROR:
        assert (
            ERROR_BY_STATUS[status] == GENERIC_ERROR
        )  # a generic type gives way to a status that has its own


class Weird:
    def model_dump(self, **_: Any) -> Any:
        raise RuntimeError("broken model")


@pytest.mark.parametrize(
    "body",
    [
        object(),
        Weird(),
        3.5,
        float("nan"),
        {1: 2},
        [[[]]],
        {"error": {"message": {"nested": [1]}}},
        {"error": {"message": "m", "code": "99999999999999999999"}},
        {"error": {"code": "²"}},
        b"\xff" * 100,
        "{" * 100000,
        {"detail": [{"loc": ["body", 0], "msg": "bad"}, {"oops": 1}]},
    ],
)
def test_nothing_makes_it_raise(body: Any) -> None:
    both(body)
    both(body, 400)


@given(
    st.sampled_from([t for _, t, _ in ERRORS]),
    st.sampled_from(sorted({s for s, _, _ in ERRORS} | {422, 503})),
    st.text(max_size=40),
    st.none() | st.text(max_size=10),
)
def test_anthropic_errors_round_trip(
    kind: str, status: int, message: str, request_id: str | None
) -> None:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    so, bo = to_openai.error(json.dumps(body).encode(), status)
    sa, ba = to_anthropic.error(bo, so)
    assert (sa, as_dict(ba)) == (status, canonical.anthropic_error(status, body))


@given(
    st.sampled_from([t for _, _, t in ERRORS]),
    st.integers(100, 599),
    st.text(min_size=1, max_size=40),
)
def test_openai_errors_round_trip(kind: str, status: int, message: str) -> None:
    """Types of the table come back; a generic type becomes its status's own (as above).
    ``param`` and ``code`` have no place in an anthropic error, so they are absent here."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    sa, ba = to_anthropic.error(body, status)
    so, bo = to_openai.error(as_dict(ba), sa)
    assert (so, as_dict(bo)) == (status, canonical.openai_error(status, body))


@given(
    st.lists(st.text(max_size=20) | st.none() | st.integers(), max_size=3),
    st.integers(0, 999) | st.none(),
)
def test_anthropic_error_type_is_always_a_documented_type(
    names: list[Any], status: int | None
) -> None:
    assert anthropic_error_type(names, status) in ERROR_STATUS
