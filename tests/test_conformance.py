"""The conformance corpus (issue 10): real-world stream, response, error and request shapes
from public sources, one JSON file per case in ``tests/conformance/`` (format and sources:
``tests/conformance/README.md``).

For every stream case:

(a) the library translates the upstream SSE bytes (``to_x.sse``), every output frame is
    valid for the receiving SDK's types, and the official SDK's accumulator accepts the
    stream (an error frame, where the case expects one, ends it);
(b) stream and batch agree: the upstream stream is folded into a response by a tolerant
    reader that applies DESIGN.md's reading rules ("a new id at a used index is a new call;
    a delta without index continues the open call or opens the next", frames after the
    end are ignored), that response goes through ``to_x.response``, and the result equals
    the accumulated translated stream in the canonical form of the commutation tests;
(c) the output bytes (and the losses) do not depend on where the input bytes were split;
(d) the case's ``expect`` facts hold, plus what holds for every output ("write exactly":
    tool inputs are objects, tool names are not empty).

Response, error and request cases: the output validates against the SDK types
(``tests/sdk_strict.py``) and ``expect`` holds.

A case fails where the library does not yet read the shape; the failures document bugs.
"""

from __future__ import annotations

import copy
import importlib
import json
import random
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from translate import Loss, to_anthropic, to_openai

from . import sdk_strict
from .canonical import anthropic_stream as canonical_anthropic
from .canonical import openai_stream as canonical_openai
from .streams import StreamError, accumulate_anthropic, accumulate_openai

ROOT = Path(__file__).resolve().parent / "conformance"
CASE_FILES = sorted(ROOT.glob("*.json"))
KINDS = ("stream", "response", "error", "request")
DIRECTIONS = ("to_anthropic", "to_openai")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


CASES = {p.stem: load(p) for p in CASE_FILES}


def of_kind(kind: str) -> list[str]:
    return [name for name, c in CASES.items() if c.get("kind") == kind]


def _helper(name: str) -> Any:
    """A shared test helper, wherever the consolidation of the test helpers has put it."""
    for module in ("canonical", "streams", "test_streams", "test_responses"):
        try:
            mod = importlib.import_module(f"{__package__}.{module}")
        except ImportError:  # pragma: no cover
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    raise ImportError(f"no test helper named {name}")  # pragma: no cover


sdk_accumulate_anthropic = _helper("sdk_accumulate_anthropic")
sdk_accumulate_openai = _helper("sdk_accumulate_openai")
validate_output = _helper("validate_output")
try:
    RESPONSE_EXTENSIONS = _helper("RESPONSE_EXTENSIONS")
except ImportError:  # pragma: no cover
    RESPONSE_EXTENSIONS = sdk_strict.OPENAI_RESPONSE_EXTENSIONS | {
        "$.choices[*].stop_reason",
        "$.choices[*].native_finish_reason",
    }

TARGET = {"to_anthropic": "anthropic", "to_openai": "openai"}
MODULE = {"to_anthropic": to_anthropic, "to_openai": to_openai}


# --- the format ---------------------------------------------------------------------------


def test_corpus_format() -> None:
    """Every case file has the documented keys, and the README's table lists every case."""
    assert CASE_FILES, "no cases"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, c in CASES.items():
        assert set(c) >= {"source", "shape", "direction", "kind", "expect"}, name
        assert c["direction"] in DIRECTIONS and c["kind"] in KINDS, name
        assert isinstance(c["source"], str) and c["source"], name
        assert isinstance(c["expect"], dict) and c["expect"], name
        payload = "sse" if c["kind"] == "stream" else "body"
        assert payload in c, f"{name}: a {c['kind']} case needs {payload!r}"
        if c["kind"] == "error":
            assert isinstance(c.get("status"), int), name
        assert f"`{name}`" in readme, f"{name} is not in the README's table"


# --- SSE in (an independent reader, for the reference path) --------------------------------


def read_sse(text: str) -> list[tuple[str | None, str]]:
    """(event, data) of each frame, per the SSE spec: ``field: value`` (one optional space),
    comments, CRLF / CR / LF line ends; a frame without data is no frame."""
    frames = []
    event: str | None = None
    data: list[str] = []
    for line in re.split(r"\r\n|\r|\n", text) + [""]:
        if line == "":
            if data:
                frames.append((event, "\n".join(data)))
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    return frames


# --- the tolerant reference readers (stream -> the response it describes) -----------------


class UpstreamError(Exception):
    """The upstream stream ended with an error, or without its end; ``.text`` is the
    text it produced before that."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.text = text


def fold_openai(sse_text: str) -> dict:
    """Openai chunks -> the ChatCompletion they describe, read the tolerant way."""
    head: dict = {}
    text = reasoning = refusal = ""
    details: list[dict] = []
    detail_at: dict[Any, int] = {}
    calls: list[dict] = []
    call_at: dict[int, int] = {}
    finish = None
    usage = None
    ended = False
    for _, data in read_sse(sse_text):
        if ended:
            continue  # frames after the end
        if data.strip() == "[DONE]":
            ended = True
            continue
        obj = json.loads(data)
        if "error" in obj or obj.get("object") == "error":
            raise UpstreamError(f"upstream error: {obj}", text)
        for k in ("id", "created", "model"):
            if obj.get(k) is not None:
                head.setdefault(k, obj[k])
        if obj.get("usage") is not None:
            usage = obj["usage"]  # cumulative where sent on every chunk: the last wins
        for choice in obj.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            if choice.get("usage") is not None:
                usage = choice["usage"]
            d = choice.get("delta") or {}
            if isinstance(d.get("content"), str):
                text += d["content"]
            if isinstance(d.get("refusal"), str):
                refusal += d["refusal"]
            # reasoning is one thing with several carriers: reasoning_content, else reasoning
            piece = d.get("reasoning_content")
            if piece is None:
                piece = d.get("reasoning")
            if isinstance(piece, str):
                reasoning += piece
            for entry in d.get("reasoning_details") or ():
                key = entry.get("index", len(details))
                if key not in detail_at:
                    detail_at[key] = len(details)
                    details.append({})
                acc = details[detail_at[key]]
                for k, v in entry.items():
                    if k in ("text", "summary") and isinstance(acc.get(k), str):
                        acc[k] += v
                    elif v is not None:
                        acc[k] = v
            for tc in d.get("tool_calls") or ():
                calls_before = len(calls)
                idx, tid = tc.get("index"), tc.get("id")
                if idx is None:  # continues the open call, or opens the next
                    if not calls or (tid and calls[-1]["id"] and tid != calls[-1]["id"]):
                        calls.append({"id": "", "name": "", "args": ""})
                    cur = calls[-1]
                elif idx in call_at:  # a new id at a used index is a new call
                    cur = calls[call_at[idx]]
                    if tid and cur["id"] and tid != cur["id"]:
                        calls.append({"id": "", "name": "", "args": ""})
                        call_at[idx] = len(calls) - 1
                        cur = calls[-1]
                else:
                    calls.append({"id": "", "name": "", "args": ""})
                    call_at[idx] = len(calls) - 1
                    cur = calls[-1]
                assert len(calls) - calls_before <= 1
                if tid and not cur["id"]:
                    cur["id"] = tid
                fn = tc.get("function") or {}
                if fn.get("name") and not cur["name"]:
                    cur["name"] = fn["name"]
                if isinstance(fn.get("arguments"), str):
                    cur["args"] += fn["arguments"]
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
    if finish is None:
        raise UpstreamError("the upstream stream ended without a finish reason", text)
    message: dict = {"role": "assistant", "content": text or None}
    if reasoning:
        message["reasoning_content"] = reasoning
    if details:
        message["reasoning_details"] = details
    if refusal:
        message["refusal"] = refusal
    named = [c for c in calls if c["name"]]  # a call that never gets a name is a ghost
    if named:
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["args"]},
            }
            for c in named
        ]
    out = {"object": "chat.completion", **head}
    out["choices"] = [{"index": 0, "message": message, "finish_reason": finish}]
    if usage is not None:
        out["usage"] = usage
    return out


def fold_anthropic(sse_text: str) -> dict:
    """Anthropic events -> the Message they describe, read the tolerant way."""
    msg: dict | None = None
    blocks: dict[int, dict] = {}
    raw: dict[int, str] = {}
    usage: dict = {}
    stopped = False

    def text_so_far() -> str:
        return "".join(b.get("text", "") for _, b in sorted(blocks.items()) if b["type"] == "text")

    for _, data in read_sse(sse_text):
        if stopped:
            continue  # frames after the end
        obj = json.loads(data)
        t = obj.get("type")
        if t == "error":
            raise UpstreamError(f"upstream error: {obj}", text_so_far())
        if t == "message_start":
            msg = copy.deepcopy(obj["message"])
            usage.update({k: v for k, v in (msg.pop("usage", None) or {}).items() if v is not None})
        elif t == "content_block_start":
            block = copy.deepcopy(obj["content_block"])
            if block["type"] == "tool_use":
                raw[obj["index"]] = ""
            if block["type"] == "thinking":
                block.setdefault("signature", "")
            blocks[obj["index"]] = block
        elif t == "content_block_delta":
            block, d = blocks[obj["index"]], obj["delta"]
            if d["type"] == "text_delta":
                block["text"] += d["text"]
            elif d["type"] == "thinking_delta":
                block["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                block["signature"] = d["signature"]
            elif d["type"] == "input_json_delta":
                raw[obj["index"]] += d["partial_json"]
            elif d["type"] == "citations_delta":
                block.setdefault("citations", []).append(d["citation"])
        elif t == "message_delta":
            assert msg is not None
            msg.update(obj.get("delta") or {})
            usage.update({k: v for k, v in (obj.get("usage") or {}).items() if v is not None})
        elif t == "message_stop":
            stopped = True
    if msg is None or not stopped:
        raise UpstreamError("the upstream stream ended without message_stop", text_so_far())
    for i, text in raw.items():
        if text.strip():
            try:
                blocks[i]["input"] = json.loads(text)
            except ValueError:  # what cannot be parsed travels as the raw string
                blocks[i]["input"] = {"_raw_arguments": text}
    msg["content"] = [b for _, b in sorted(blocks.items())]
    msg["usage"] = usage
    return msg


# --- the translation under test ------------------------------------------------------------


def translate_stream(case: dict, pieces: list[bytes] | None = None) -> tuple[bytes, list[Loss]]:
    data = case["sse"].encode()
    losses: list[Loss] = []
    out = b"".join(MODULE[case["direction"]].sse(pieces or [data], losses=losses))
    return out, losses


def output_frames(case: dict, out: bytes) -> list[dict]:
    """The output's frames, each validated strictly against the receiving SDK's types; an
    error frame, if any, is the last one (nothing follows the end of a stream)."""
    frames = validate_output(TARGET[case["direction"]], out)
    errors = [i for i, f in enumerate(frames) if is_error_frame(f)]
    assert errors in ([], [len(frames) - 1]), (
        f"{len(frames) - 1 - errors[0]} frame(s) after the error frame {frames[errors[0]]}"
    )
    return frames


def accumulate(case: dict, frames: list[dict]) -> dict:
    """The repository's strict accumulator of the output dialect, with a readable failure
    when a tool block's streamed input is not JSON (two calls merged, a fragment lost)."""
    fold = accumulate_anthropic if case["direction"] == "to_anthropic" else accumulate_openai
    try:
        return fold(frames)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"a streamed tool input is not JSON: {exc.msg} in {exc.doc!r}"
        ) from None


def is_error_frame(frame: dict) -> bool:
    return frame.get("type") == "error" or ("error" in frame and "choices" not in frame)


def error_message(frame: dict) -> str:
    return str((frame.get("error") or {}).get("message", ""))


def partial_text(case: dict, frames: list[dict]) -> str:
    """The text a stream produced before it ended with an error."""
    if case["direction"] == "to_anthropic":
        return "".join(
            f["delta"]["text"]
            for f in frames
            if f.get("type") == "content_block_delta" and f["delta"]["type"] == "text_delta"
        )
    return "".join(
        c["delta"].get("content") or ""
        for f in frames
        if not is_error_frame(f)
        for c in f.get("choices") or ()
    )


# --- views and facts ------------------------------------------------------------------------


def view_anthropic(msg: dict) -> dict:
    blocks = msg.get("content") or []
    tools = [b for b in blocks if b["type"] == "tool_use"]
    thinking = [b for b in blocks if b["type"] == "thinking"]
    return {
        "text": "".join(b["text"] for b in blocks if b["type"] == "text"),
        "reasoning": "".join(b.get("thinking", "") for b in thinking),
        "thinking_signatures": [b["signature"] for b in thinking if b.get("signature")],
        "block_types": [b["type"] for b in blocks],
        "tool_count": len(tools),
        "tool_ids": [b.get("id") for b in tools],
        "tool_names": [b.get("name") for b in tools],
        "tool_inputs": [b.get("input") for b in tools],
        "stop_reason": msg.get("stop_reason"),
        "usage": msg.get("usage") or {},
    }


def _arguments(s: Any) -> Any:
    try:
        return json.loads(s)
    except (TypeError, ValueError):
        return ("<not JSON>", s)


def view_openai(completion: dict) -> dict:
    choice = completion["choices"][0]
    m = choice["message"]
    calls = m.get("tool_calls") or []
    return {
        "text": m.get("content") or "",
        "reasoning": m.get("reasoning_content") or m.get("reasoning") or "",
        "tool_count": len(calls),
        "tool_ids": [c.get("id") for c in calls],
        "tool_names": [c["function"].get("name") for c in calls],
        "tool_inputs": [_arguments(c["function"].get("arguments")) for c in calls],
        "finish_reason": choice.get("finish_reason"),
        "usage": completion.get("usage") or {},
    }


def _subset(want: Any, got: Any, path: str, problems: list[str]) -> None:
    if isinstance(want, dict):
        if not isinstance(got, dict):
            problems.append(f"{path}: expected an object, got {got!r}")
            return
        for k, v in want.items():
            if k not in got:
                problems.append(f"{path}.{k}: missing (want {v!r})")
            else:
                _subset(v, got[k], f"{path}.{k}", problems)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            problems.append(f"{path}: expected {len(want)} items, got {got!r}")
            return
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            _subset(w, g, f"{path}[{i}]", problems)
    elif want != got:
        problems.append(f"{path}: want {want!r}, got {got!r}")


def check_facts(view: dict, expect: dict, direction: str) -> None:
    problems: list[str] = []
    for key, want in expect.items():
        if key in ("stream_error", "subset", "status", "error_type", "message_contains"):
            continue
        if key == "usage":
            _subset(want, view["usage"], "usage", problems)
        elif key == "tool_ids_match":
            bad = [i for i in view["tool_ids"] if not (i and re.fullmatch(want, i))]
            if bad:
                problems.append(f"tool ids {bad!r} do not match {want}")
        elif key not in view:
            problems.append(f"{key}: not a fact of a {direction} output")  # pragma: no cover
        elif view[key] != want:
            problems.append(f"{key}: want {want!r}, got {view[key]!r}")
    # write exactly: what holds for every output
    for name in view["tool_names"]:
        if not name:
            problems.append("a tool call without a name")
    if direction == "to_anthropic":
        for value in view["tool_inputs"]:
            if not isinstance(value, dict):
                problems.append(f"a tool input that is not an object: {value!r}")
    assert not problems, "; ".join(problems)


# --- (a) the SDKs accept the output ----------------------------------------------------------

STREAMS = of_kind("stream")


@pytest.mark.parametrize("name", STREAMS)
def test_stream_sdk_accepts(name: str) -> None:
    case = CASES[name]
    out, _ = translate_stream(case)
    frames = output_frames(case, out)
    assert frames, "no output"
    errored = is_error_frame(frames[-1])
    body = [f for f in frames if not is_error_frame(f)]
    if case["direction"] == "to_anthropic":
        if errored:
            sdk_accumulate_anthropic(body)  # what came before the error is well-formed
            with pytest.raises(StreamError):
                accumulate_anthropic(frames)
            return
        sdk = sdk_accumulate_anthropic(frames).to_dict()
        ours = accumulate(case, frames)
        assert list(sdk["content"]) == ours["content"]
        assert sdk["stop_reason"] == ours["stop_reason"]
    else:
        if errored:
            sdk_accumulate_openai(body)
            with pytest.raises(StreamError):
                accumulate_openai(frames)
            return
        sdk = sdk_accumulate_openai(frames)
        ours = accumulate(case, frames)
        msg = ours["choices"][0]["message"]
        assert sdk.choices[0].message.content == msg.get("content")
        assert sdk.choices[0].finish_reason == ours["choices"][0]["finish_reason"]
        assert [
            (c.id, c.function.name, c.function.arguments)
            for c in sdk.choices[0].message.tool_calls or ()
        ] == [
            (c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in msg.get("tool_calls", ())
        ]


# --- (b) stream and batch agree ---------------------------------------------------------------


def _drop_absent(upstream: dict, streamed: dict, batch: dict, keys: tuple[str, ...]) -> None:
    """What the upstream never said (an id, a model, call ids) each side may invent."""
    for k in keys:
        if upstream.get(k) is None:
            streamed.pop(k, None)
            batch.pop(k, None)


@pytest.mark.parametrize("name", STREAMS)
def test_stream_and_batch_agree(name: str) -> None:
    case = CASES[name]
    out, _ = translate_stream(case)
    frames = output_frames(case, out)
    fold = fold_anthropic if case["direction"] == "to_openai" else fold_openai
    try:
        upstream = fold(case["sse"])
    except UpstreamError as exc:
        assert is_error_frame(frames[-1]), (
            f"{exc}, but the translated stream does not end in an error"
        )
        assert partial_text(case, frames) == exc.text
        return
    assert not is_error_frame(frames[-1]), (
        f"the upstream completed, the translation ends with {frames[-1]}"
    )
    if case["direction"] == "to_anthropic":
        streamed = canonical_anthropic(accumulate(case, frames))
        batch = canonical_anthropic(msgspec.to_builtins(to_anthropic.response(upstream)))
        _drop_absent(upstream, streamed, batch, ("id", "model"))
        calls = upstream["choices"][0]["message"].get("tool_calls") or ()
        if any(not c["id"] for c in calls):
            for m in (streamed, batch):
                for b in m["content"]:
                    if b["type"] == "tool_use":
                        b.pop("id")
    else:
        streamed = canonical_openai(accumulate(case, frames), raw_arguments=True)
        batch = canonical_openai(
            msgspec.to_builtins(to_openai.response(upstream, created=0)), raw_arguments=True
        )
    assert streamed == batch


# --- (c) splitting the input anywhere gives the same bytes -----------------------------------

FULL_SPLIT_LIMIT = 3000  # bytes; larger inputs are split at a sample of boundaries
SAMPLE = 300


@pytest.mark.parametrize("name", STREAMS)
def test_stream_split_anywhere(name: str) -> None:
    case = CASES[name]
    data = case["sse"].encode()
    whole, losses = translate_stream(case)
    if len(data) <= FULL_SPLIT_LIMIT:
        cuts = list(range(1, len(data)))
    else:
        rng = random.Random(name)
        cuts = sorted(
            set(range(1, len(data), len(data) // SAMPLE))
            | set(rng.sample(range(1, len(data)), SAMPLE))
        )
    for i in cuts:
        out, split_losses = translate_stream(case, [data[:i], data[i:]])
        assert out == whole, f"split at byte {i}"
        assert [(x.path, x.kind) for x in split_losses] == [(x.path, x.kind) for x in losses]
    out, _ = translate_stream(case, [data[i : i + 1] for i in range(len(data))])
    assert out == whole, "one-byte pieces"


# --- (d) the facts of the case -----------------------------------------------------------------


@pytest.mark.parametrize("name", STREAMS)
def test_stream_facts(name: str) -> None:
    case = CASES[name]
    out, _ = translate_stream(case)
    frames = output_frames(case, out)
    expect = case["expect"]
    if "stream_error" in expect:
        assert is_error_frame(frames[-1]), f"the stream does not end with an error: {frames[-1]}"
        want = expect["stream_error"].get("message_contains")
        if want:
            assert want in error_message(frames[-1]), error_message(frames[-1])
        if "text" in expect:
            assert partial_text(case, frames) == expect["text"]
        return
    assert not is_error_frame(frames[-1]), f"the stream ends with an error: {frames[-1]}"
    view = (view_anthropic if case["direction"] == "to_anthropic" else view_openai)(
        accumulate(case, frames)
    )
    check_facts(view, expect, case["direction"])


# --- responses, errors, requests ---------------------------------------------------------------


@pytest.mark.parametrize("name", of_kind("response"))
def test_response(name: str) -> None:
    case = CASES[name]
    losses: list[Loss] = []
    if case["direction"] == "to_anthropic":
        out = msgspec.to_builtins(to_anthropic.response(case["body"], losses=losses))
        sdk_strict.validate_anthropic_message(out)
        view = view_anthropic(out)
    else:
        out = msgspec.to_builtins(to_openai.response(case["body"], created=0, losses=losses))
        sdk_strict.validate_chat_completion(out, extensions=RESPONSE_EXTENSIONS)
        view = view_openai(out)
    check_facts(view, case["expect"], case["direction"])


@pytest.mark.parametrize("name", of_kind("error"))
def test_error(name: str) -> None:
    case = CASES[name]
    body = case["body"]
    if isinstance(body, str):
        body = body.encode()
    status, out = MODULE[case["direction"]].error(body, case["status"])
    out = msgspec.to_builtins(out)
    if case["direction"] == "to_anthropic":
        sdk_strict.validate_anthropic_error(out)
    else:
        sdk_strict.validate_openai_error(out)
    expect = case["expect"]
    problems = []
    if "status" in expect and status != expect["status"]:
        problems.append(f"status: want {expect['status']}, got {status}")
    if "error_type" in expect and out["error"]["type"] != expect["error_type"]:
        problems.append(f"error type: want {expect['error_type']!r}, got {out['error']['type']!r}")
    if "message_contains" in expect and expect["message_contains"] not in out["error"]["message"]:
        problems.append(f"message {out['error']['message']!r} lacks {expect['message_contains']!r}")
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", of_kind("request"))
def test_request(name: str) -> None:
    case = CASES[name]
    losses: list[Loss] = []
    out = msgspec.to_builtins(MODULE[case["direction"]].request(case["body"], losses=losses))
    if case["direction"] == "to_openai":
        sdk_strict.validate_openai_request(out)
    else:
        sdk_strict.validate_anthropic_request_2023(out)
    problems: list[str] = []
    _subset(case["expect"].get("subset", {}), out, "$", problems)
    assert not problems, "; ".join(problems)
