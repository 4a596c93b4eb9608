"""What each provider sends back, read without naming the provider (issue 5, point 2).

``fixtures/providers/<name>/payloads/`` holds, for each provider, a response, a stream
capture and an error shaped after the provider's documented examples (and, for the
providers with an anthropic-dialect endpoint, that endpoint's response, stream and error),
each beside its expected translation ``<kind>.<source>@<target>.<ext>``. The payloads sit
in a ``payloads/`` directory of their own because ``test_providers.py`` reads every
``*@*.json`` beside ``meta.json`` as a golden request. ``<name>/payloads.json`` lists, per
payload, the expected losses (paths in the input), whether the client's request
(``fixtures/providers/_agent``, in the client's dialect) is passed as ``request=``, and
for errors the upstream status and the status answered. ``created`` is what
``to_openai`` gets for the ``created`` an anthropic payload lacks.

The quirks carried by the captures: MiMo's ``native_finish_reason``, zero-filled usage
details, a ghost tool call, ``param``-carried errors and thinking after text on its
``/v1/messages``; DeepSeek's ``reasoning_content`` beside ``content: null``,
``prompt_cache_hit_tokens`` / ``prompt_cache_miss_tokens``, ``system_fingerprint``, the
402 ``unknown_error`` and its anthropic endpoint's openai-shaped errors and
message-id signatures; Kimi's ``functions.<name>:<n>`` tool ids, ``usage.cached_tokens``,
usage on the finish chunk and its anthropic endpoint's ``"type": "error"`` after the
error; vLLM's ``reasoning``, ``stop_reason``, explicit nulls, hermes tool-call fragments
and flat error; OpenRouter's ``provider``, ``reasoning`` beside ``reasoning_details``
(text, signature, summary, encrypted), ``: OPENROUTER PROCESSING`` comments, usage with
``cost`` and cache writes, and its error ``metadata``.

Set TRANSLATE_REGEN=1 to rewrite the expected files and losses (then review them).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
from pathlib import Path
from typing import Any

import anthropic
import anthropic.types as at
import httpx2
import msgspec
import openai
import openai.types.chat as oc
import pytest
from anthropic.lib.streaming._messages import accumulate_event
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk as SDKChunk

from translate import Loss, LossError, to_anthropic, to_openai

from . import sdk_strict
from .streams import accumulate_anthropic, accumulate_openai, anthropic_frames, openai_frames

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "providers"
PROVIDERS = sorted(d.name for d in ROOT.iterdir() if (d / "payloads.json").exists())
AGENT = {
    dialect: json.loads((ROOT / "_agent" / f"{dialect}.json").read_text())
    for dialect in ("anthropic", "openai")
}
REGEN = os.environ.get("TRANSLATE_REGEN") == "1"

# The choice-level extensions the translation keeps in the compatible openai form (as in
# test_responses.py): vLLM's ``stop_reason`` and MiMo's / OpenRouter's ``native_finish_reason``.
OPENAI_EXTENSIONS = sdk_strict.OPENAI_RESPONSE_EXTENSIONS | {
    "$.choices[*].stop_reason",
    "$.choices[*].native_finish_reason",
}


def meta(provider: str) -> dict:
    return json.loads((ROOT / provider / "payloads.json").read_text())


CASES = [(p, name) for p in PROVIDERS for name in meta(p)["payloads"]]
STREAMS = [(p, n) for p, n in CASES if n.startswith("stream.")]
RESPONSES = [(p, n) for p, n in CASES if n.startswith("response.")]
ERRORS = [(p, n) for p, n in CASES if n.startswith("error.")]


def ids(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{p}/{n}" for p, n in cases]


def split(name: str) -> tuple[str, str, str, str]:
    """``stream.openai.sse`` -> (kind, source dialect, target dialect, extension)."""
    kind, source, ext = name.split(".")
    return kind, source, "anthropic" if source == "openai" else "openai", ext


def expected_name(name: str) -> str:
    kind, source, target, ext = split(name)
    return f"{kind}.{source}@{target}.{ext}"


def path(provider: str, name: str) -> Path:
    return ROOT / provider / "payloads" / name


def module(target: str) -> Any:
    return to_anthropic if target == "anthropic" else to_openai


def request_of(provider: str, name: str) -> Any:
    """The client's request (``request=``): the agent turn in the client's dialect."""
    target = split(name)[2]
    return AGENT[target] if meta(provider)["payloads"][name].get("request") else None


def created_kw(provider: str, target: str) -> dict:
    return {"created": meta(provider)["created"]} if target == "openai" else {}


def translate(
    provider: str, name: str, chunks: list[bytes] | None = None
) -> tuple[Any, list[Loss]]:
    """The translation of one payload: a dict (response), bytes (stream) or a
    ``(status, dict)`` pair (error); with the losses it reported."""
    kind, _, target, _ = split(name)
    raw = path(provider, name).read_bytes()
    mod, losses = module(target), []
    if kind == "response":
        out = msgspec.to_builtins(
            mod.response(
                raw,
                request=request_of(provider, name),
                losses=losses,
                **created_kw(provider, target),
            )
        )
    elif kind == "stream":
        out = b"".join(
            mod.sse(
                chunks if chunks is not None else [raw],
                request=request_of(provider, name),
                losses=losses,
                **created_kw(provider, target),
            )
        )
    else:
        status, body = mod.error(raw, meta(provider)["payloads"][name]["status"])
        out = (status, msgspec.to_builtins(body))
    return out, losses


def pairs(losses: list[Loss]) -> list[list[str]]:
    return [[loss.path, loss.kind] for loss in losses]


def validate(name: str, out: Any) -> Any:
    """Strictly what the target dialect's SDK types allow; returns the frames of a stream."""
    kind, _, target, _ = split(name)
    if kind == "response":
        if target == "anthropic":
            sdk_strict.validate_anthropic_message(out)
        else:
            sdk_strict.validate_chat_completion(out, extensions=OPENAI_EXTENSIONS)
        return out
    if kind == "error":
        (
            sdk_strict.validate_anthropic_error
            if target == "anthropic"
            else sdk_strict.validate_openai_error
        )(out[1])
        return out
    if target == "anthropic":
        events = anthropic_frames(out)
        for e in events:
            sdk_strict.validate_anthropic_stream_event(e)
        return events
    chunks, done = openai_frames(out)
    assert done, "an openai stream ends with [DONE]"
    for c in chunks:
        sdk_strict.validate_chat_completion_chunk(c, extensions=OPENAI_EXTENSIONS)
    return chunks


# --- every payload, exactly ------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "name"), CASES, ids=ids(CASES))
def test_payload_translates_to_its_expected_file(provider: str, name: str) -> None:
    out, losses = translate(provider, name)
    entry = meta(provider)["payloads"][name]
    expected = path(provider, expected_name(name))
    kind = split(name)[0]
    if REGEN:
        if kind == "stream":
            expected.write_bytes(out)
        else:
            expected.write_text(
                json.dumps(out[1] if kind == "error" else out, ensure_ascii=False, indent=2) + "\n"
            )
        m = meta(provider)
        if kind == "error":
            m["payloads"][name]["to_status"] = out[0]
        else:
            m["payloads"][name]["losses"] = pairs(losses)
        (ROOT / provider / "payloads.json").write_text(json.dumps(m, indent=2) + "\n")
        entry = m["payloads"][name]
    if kind == "stream":
        assert out == expected.read_bytes()
    elif kind == "error":
        assert out == (entry["to_status"], json.loads(expected.read_text()))
        assert losses == []
        return
    else:
        assert out == json.loads(expected.read_text())
    assert pairs(losses) == entry["losses"]


@pytest.mark.parametrize(("provider", "name"), CASES, ids=ids(CASES))
def test_translation_is_valid_for_the_sdk_strictly(provider: str, name: str) -> None:
    validate(name, translate(provider, name)[0])


@pytest.mark.parametrize(("provider", "name"), RESPONSES, ids=ids(RESPONSES))
def test_responses_are_what_the_sdks_parse(provider: str, name: str) -> None:
    """The captures themselves are bodies the official SDK models accept (leniently: they
    carry provider extensions), and so are their expected translations."""
    _, source, target, _ = split(name)
    for dialect, file in ((source, name), (target, expected_name(name))):
        (at.Message if dialect == "anthropic" else oc.ChatCompletion).model_validate_json(
            path(provider, file).read_bytes()
        )


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=ids(STREAMS))
def test_stream_captures_are_what_the_sdks_read(provider: str, name: str) -> None:
    """Each chunk of an openai capture is an SDK ``ChatCompletionChunk``; an anthropic
    capture folds in the SDK's own accumulator."""
    data = path(provider, name).read_bytes()
    if split(name)[1] == "openai":
        chunks, done = openai_frames(data)
        assert done
        for c in chunks:
            SDKChunk.model_validate(c)
    else:
        at.Message.model_validate(sdk_accumulate_anthropic(anthropic_frames(data)).to_dict())


@pytest.mark.parametrize(("provider", "name"), RESPONSES, ids=ids(RESPONSES))
def test_strict_raises_exactly_when_something_is_lost(provider: str, name: str) -> None:
    _, _, target, _ = split(name)
    raw = path(provider, name).read_bytes()
    expected = meta(provider)["payloads"][name]["losses"]

    def call() -> Any:
        return module(target).response(
            raw, request=request_of(provider, name), strict=True, **created_kw(provider, target)
        )

    if expected:
        with pytest.raises(LossError) as info:
            call()
        assert pairs(info.value.losses) == expected
    else:
        call()


# --- streams: the SDKs as consumers -----------------------------------------------------------


def sdk_accumulate_anthropic(events: list[dict]) -> Any:
    snapshot, bufs = None, {}
    for e in events:
        if e["type"] != "ping":
            snapshot = accumulate_event(event=e, current_snapshot=snapshot, json_bufs=bufs)
    return snapshot


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=ids(STREAMS))
def test_sdk_accumulation_accepts_every_translated_stream(provider: str, name: str) -> None:
    """The SDK's own accumulator and ours (which fails on any protocol break) agree."""
    out, _ = translate(provider, name)
    frames = validate(name, out)
    if split(name)[2] == "anthropic":
        ours = accumulate_anthropic(frames)
        sdk = sdk_accumulate_anthropic(frames).to_dict()
        assert sdk["content"] == ours["content"]
        assert (sdk["stop_reason"], sdk["stop_sequence"], sdk["usage"]) == (
            ours["stop_reason"],
            ours["stop_sequence"],
            ours["usage"],
        )
        at.Message.model_validate(ours)
    else:
        ours = accumulate_openai(frames)
        state = ChatCompletionStreamState()
        for c in frames:
            state.handle_chunk(SDKChunk.model_validate(c))
        sdk = state.get_final_completion()
        msg = ours["choices"][0]["message"]
        assert sdk.choices[0].message.content == msg.get("content")
        assert sdk.choices[0].finish_reason == ours["choices"][0]["finish_reason"]
        calls = [
            (c.id, c.function.name, c.function.arguments)
            for c in sdk.choices[0].message.tool_calls or ()
        ]
        assert calls == [
            (c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in msg.get("tool_calls", ())
        ]
        assert (sdk.choices[0].message.model_extra or {}).get("reasoning_content") == msg.get(
            "reasoning_content"
        )
        assert sdk.usage.model_dump(exclude_none=True) == ours["usage"]


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=ids(STREAMS))
def test_sdk_clients_read_every_translated_stream(provider: str, name: str) -> None:
    """The real clients over an in-process transport serving ``sse()`` of the capture,
    as the gateway serves it: ``client.messages.stream`` or ``chat.completions.create``."""
    _, _, target, _ = split(name)
    upstream = path(provider, name).read_bytes()
    request = request_of(provider, name)
    served = [b""]

    def handler(req: httpx2.Request) -> httpx2.Response:
        body = b"".join(
            module(target).sse(
                _pieces(upstream, 11), request=request, **created_kw(provider, target)
            )
        )
        served[0] = body
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    if target == "anthropic":
        client = anthropic.Anthropic(api_key="k", base_url="http://gateway", http_client=http)
        with client.messages.stream(
            model="m", max_tokens=1024, messages=[{"role": "user", "content": "go"}]
        ) as s:
            final = s.get_final_message()
        ours = accumulate_anthropic(anthropic_frames(served[0]))
        assert final.model_dump(exclude_none=True) == at.Message.model_validate(ours).model_dump(
            exclude_none=True
        )
        assert all(b.signature is not None for b in final.content if b.type == "thinking")
    else:
        client = openai.OpenAI(api_key="k", base_url="http://gateway/v1", http_client=http)
        state = ChatCompletionStreamState()
        for chunk in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "go"}], stream=True
        ):
            state.handle_chunk(chunk)
        final = state.get_final_completion()
        ours = accumulate_openai(openai_frames(served[0])[0])
        assert final.choices[0].message.content == ours["choices"][0]["message"].get("content")
        assert final.choices[0].finish_reason == ours["choices"][0]["finish_reason"]


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=ids(STREAMS))
def test_stream_output_does_not_depend_on_the_reads(provider: str, name: str) -> None:
    """Split into two at many places, into small pieces, and read asynchronously (the
    gateway's ``async_sse``): the same bytes and the same losses."""
    whole, losses = translate(provider, name)
    data = path(provider, name).read_bytes()
    for i in range(1, len(data), 37):
        assert translate(provider, name, [data[:i], data[i:]]) == (whole, losses), (
            f"split at byte {i}"
        )
    assert translate(provider, name, _pieces(data, 3)) == (whole, losses)
    _, _, target, _ = split(name)

    async def pieces() -> Any:
        for p in _pieces(data, 5):
            yield p

    async def run() -> bytes:
        got = [
            b
            async for b in module(target).async_sse(
                pieces(), request=request_of(provider, name), **created_kw(provider, target)
            )
        ]
        return b"".join(got)

    assert asyncio.run(run()) == whole


# --- what the review checked, as invariants ---------------------------------------------------


def _usage_in(provider: str, name: str) -> dict:
    """The upstream's openai usage (response or last usage of the stream)."""
    raw = path(provider, name).read_bytes()
    if split(name)[0] == "response":
        return json.loads(raw)["usage"]
    chunks, _ = openai_frames(raw)
    return [c["usage"] for c in chunks if c.get("usage")][-1]


def _cache_reads(u: dict) -> int:
    details = u.get("prompt_tokens_details") or {}
    for value in (
        details.get("cached_tokens"),
        u.get("prompt_cache_hit_tokens"),
        u.get("cached_tokens"),
    ):
        if isinstance(value, int):
            return value
    return 0


OPENAI_SOURCES = [(p, n) for p, n in RESPONSES + STREAMS if split(n)[1] == "openai"]
ANTHROPIC_SOURCES = [(p, n) for p, n in RESPONSES + STREAMS if split(n)[1] == "anthropic"]


@pytest.mark.parametrize(("provider", "name"), OPENAI_SOURCES, ids=ids(OPENAI_SOURCES))
def test_to_anthropic_reads_the_dialect_rules(provider: str, name: str) -> None:
    """Thinking comes first and is signed or says ``signature: ""`` (never forged); tool
    calls end the turn as ``tool_use``; ``input_tokens`` excludes the cache reads and
    writes, which with it sum to the upstream's ``prompt_tokens``."""
    out, _ = translate(provider, name)
    message = out if split(name)[0] == "response" else accumulate_anthropic(anthropic_frames(out))
    kinds = [b["type"] for b in message["content"]]
    thinking = [i for i, k in enumerate(kinds) if k in ("thinking", "redacted_thinking")]
    assert thinking == list(range(len(thinking))), kinds
    for block in message["content"]:
        if block["type"] == "thinking":
            assert isinstance(block["signature"], str)
    assert (message["stop_reason"] == "tool_use") == ("tool_use" in kinds)
    u, usage = _usage_in(provider, name), message["usage"]
    reads, writes = (
        usage.get("cache_read_input_tokens") or 0,
        usage.get("cache_creation_input_tokens") or 0,
    )
    assert reads == _cache_reads(u)
    assert usage["input_tokens"] + reads + writes == u["prompt_tokens"]
    assert usage["output_tokens"] == u["completion_tokens"]


@pytest.mark.parametrize(("provider", "name"), ANTHROPIC_SOURCES, ids=ids(ANTHROPIC_SOURCES))
def test_to_openai_reads_the_dialect_rules(provider: str, name: str) -> None:
    """``prompt_tokens`` includes the cache reads; the totals add up; every thinking block
    is in ``reasoning_content`` and, with its signature, in ``reasoning_details``."""
    out, _ = translate(provider, name)
    completion = out if split(name)[0] == "response" else accumulate_openai(openai_frames(out)[0])
    raw = path(provider, name).read_bytes()
    if split(name)[0] == "response":
        source = json.loads(raw)
        usage = source["usage"]
    else:
        source = accumulate_anthropic(anthropic_frames(raw))
        usage = source["usage"]
    u = completion["usage"]
    reads = usage.get("cache_read_input_tokens") or 0
    assert u["prompt_tokens"] == usage["input_tokens"] + reads + (
        usage.get("cache_creation_input_tokens") or 0
    )
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    assert u["completion_tokens"] == usage["output_tokens"]
    assert (u.get("prompt_tokens_details") or {}).get("cached_tokens", 0) == reads
    thoughts = [b for b in source["content"] if b["type"] == "thinking"]
    msg = completion["choices"][0]["message"]
    assert msg.get("reasoning_content") == "\n\n".join(b["thinking"] for b in thoughts)
    if "reasoning_details" in msg:
        details = [(d["text"], d.get("signature", "")) for d in msg["reasoning_details"]]
        assert details == [(b["thinking"], b["signature"]) for b in thoughts]
    else:  # the canonical form: one unsigned thought is reasoning_content alone
        assert len(thoughts) <= 1 and all(b["signature"] == "" for b in thoughts)
    assert completion["choices"][0]["finish_reason"] == (
        "tool_calls" if any(b["type"] == "tool_use" for b in source["content"]) else "stop"
    )


# --- no provider is named ---------------------------------------------------------------------


PUBLIC = [
    (m, n)
    for m in (to_anthropic, to_openai)
    for n in ("request", "response", "error", "stream", "sse", "async_sse", "Stream")
]


@pytest.mark.parametrize(
    ("mod", "fn"), PUBLIC, ids=[f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n in PUBLIC]
)
def test_reading_takes_no_provider(mod: Any, fn: str) -> None:
    """Only a request is translated for a target; what comes back is read by one function
    whatever sent it: no ``target`` or provider parameter exists to choose a reading."""
    params = set(inspect.signature(getattr(mod, fn)).parameters)
    if fn == "request":
        assert "target" in params  # requests are written for a target ...
    else:
        assert not params & {"target", "provider", "preset", "dialect"}, (
            params
        )  # ... answers are read without one


def _rewrite_stream(data: bytes, rewrite: Any) -> bytes:
    chunks, done = openai_frames(data)
    return b"".join(
        b"data: " + json.dumps(rewrite(c), separators=(",", ":")).encode() + b"\n\n" for c in chunks
    ) + (b"data: [DONE]\n\n" if done else b"")


def _rename_delta(old: str, new: str) -> Any:
    def rewrite(chunk: dict) -> dict:
        for choice in chunk.get("choices", ()):
            delta = choice["delta"]
            if old in delta:
                delta[new] = delta.pop(old)
        return chunk

    return rewrite


@pytest.mark.parametrize(
    ("provider", "old", "new"),
    [
        ("deepseek", "reasoning_content", "reasoning"),  # DeepSeek's carrier said the vLLM way
        ("kimi", "reasoning_content", "reasoning"),
        ("mimo", "reasoning_content", "reasoning"),
        ("vllm", "reasoning", "reasoning_content"),  # vLLM's said the DeepSeek way
    ],
)
def test_one_providers_stream_said_the_way_of_another_reads_the_same(
    provider: str, old: str, new: str
) -> None:
    name = "stream.openai.sse"
    data = path(provider, name).read_bytes()
    assert f'"{old}"'.encode() in data
    other = _rewrite_stream(data, _rename_delta(old, new))
    same = b"".join(to_anthropic.sse([other], request=request_of(provider, name)))
    assert same == translate(provider, name)[0]


@pytest.mark.parametrize(
    "spelling", ["prompt_tokens_details", "prompt_cache_hit_tokens", "cached_tokens"]
)
def test_every_spelling_of_cache_reads_reads_the_same(spelling: str) -> None:
    """Kimi's ``usage.cached_tokens``, DeepSeek's ``prompt_cache_hit_tokens`` and OpenAI's
    ``prompt_tokens_details.cached_tokens``: one ``cache_read_input_tokens``."""
    body = json.loads(path("kimi", "response.openai.json").read_bytes())
    reads = body["usage"].pop("cached_tokens")
    if spelling == "prompt_tokens_details":
        body["usage"]["prompt_tokens_details"] = {"cached_tokens": reads}
    elif spelling == "prompt_cache_hit_tokens":
        body["usage"]["prompt_cache_hit_tokens"] = reads
    else:
        body["usage"]["cached_tokens"] = reads
    losses: list[Loss] = []
    assert (
        msgspec.to_builtins(to_anthropic.response(body, losses=losses))
        == translate("kimi", "response.openai.json")[0]
    )
    # (Kimi's ids, functions.read_file:2, are outside anthropic's alphabet: issue 10)
    assert [x.path for x in losses if not x.path.endswith(".id")] == []


# --- coverage of the issue --------------------------------------------------------------------


def test_every_provider_has_a_response_a_stream_and_an_error() -> None:
    assert set(PROVIDERS) == {"mimo", "deepseek", "kimi", "vllm", "openrouter"}
    for p in PROVIDERS:
        names = set(meta(p)["payloads"])
        assert {"response.openai.json", "stream.openai.sse", "error.openai.json"} <= names
        files = {f.name for f in (ROOT / p / "payloads").iterdir()}
        assert files == names | {expected_name(n) for n in names}, (
            "a payload file not listed in payloads.json, or a listed one missing"
        )
    for p in ("mimo", "deepseek", "kimi"):  # the providers with an anthropic-dialect endpoint
        assert {"response.anthropic.json", "error.anthropic.json"} <= set(meta(p)["payloads"])


@pytest.mark.parametrize(
    ("provider", "name", "quirks"),
    [
        (
            "mimo",
            "stream.openai.sse",
            ['"native_finish_reason":"tool_calls"', '"index":2,"id":""', '"reasoning_content"'],
        ),
        ("mimo", "response.anthropic.json", ['"signature": ""']),
        ("mimo", "error.openai.json", ['"message":"Param Incorrect","param":"messages[5]']),
        (
            "deepseek",
            "stream.openai.sse",
            [
                '"content":null,"reasoning_content":"',
                '"prompt_cache_hit_tokens":1152',
                "system_fingerprint",
            ],
        ),
        ("deepseek", "error.openai.json", ['"type":"unknown_error"']),
        (
            "kimi",
            "stream.openai.sse",
            ['"reasoning_content"', '"id":"functions.run_tests:2"', '"cached_tokens":1024'],
        ),
        ("kimi", "response.openai.json", ['"cached_tokens": 1024']),
        ("kimi", "error.openai.json", ["reasoning_content is missing"]),
        (
            "vllm",
            "stream.openai.sse",
            ['"reasoning":"', '"stop_reason":null', '"function":{"name":"read_file"}'],
        ),
        ("vllm", "error.openai.json", ['"object":"error"', '"code":400']),
        (
            "openrouter",
            "stream.openai.sse",
            [
                '"provider":"Anthropic"',
                '"reasoning_details":[',
                '"signature":"Eq',
                ": OPENROUTER PROCESSING",
                '"cache_write_tokens":230',
            ],
        ),
        (
            "openrouter",
            "response.openai.json",
            ['"type": "reasoning.summary"', '"type": "reasoning.encrypted"'],
        ),
        ("openrouter", "error.openai.json", ['"code":403', '"metadata":{"reasons":']),
    ],
)
def test_the_captures_carry_the_providers_quirks(
    provider: str, name: str, quirks: list[str]
) -> None:
    text = path(provider, name).read_text()
    for quirk in quirks:
        assert quirk in text, quirk


def test_the_reasons_providers_hide_reach_the_client() -> None:
    """MiMo's reason in ``param`` is not lost behind its generic message; DeepSeek's 402
    is a billing error, Kimi's missing reasoning an invalid request on both endpoints,
    OpenRouter's moderation refusal a permission error that says why."""
    (_, mimo), _ = translate("mimo", "error.openai.json")
    assert mimo["error"]["message"].startswith(
        "Param Incorrect: messages[5]: reasoning_content is required"
    )
    (status, ds), _ = translate("deepseek", "error.openai.json")
    assert (status, ds["error"]["type"]) == (402, "billing_error")
    (status, kimi), _ = translate("kimi", "error.openai.json")
    assert (status, kimi["error"]["type"]) == (400, "invalid_request_error")
    (status, kimi_a), _ = translate("kimi", "error.anthropic.json")
    assert (status, kimi_a["error"]["type"]) == (400, "invalid_request_error")
    (status, router), _ = translate("openrouter", "error.openai.json")
    assert (status, router["error"]["type"]) == (403, "permission_error")
    assert "flagged for" in router["error"]["message"]


# --- regressions found with these captures ------------------------------------------------


def test_kimi_usage_inside_the_choice_is_read() -> None:
    raw = (ROOT / "kimi" / "regressions" / "usage_in_choice.openai.sse").read_bytes()
    losses: list = []
    out = b"".join(to_anthropic.sse([raw], losses=losses)).decode()
    delta = next(
        json.loads(line[6:])
        for line in out.splitlines()
        if line.startswith("data: ") and '"message_delta"' in line
    )
    assert delta["usage"] == {
        "output_tokens": 74,
        "input_tokens": 212,
        "cache_read_input_tokens": 1024,
    }
    # (Kimi's ids, functions.x:0, are outside anthropic's alphabet: issue 10)
    assert [l.path for l in losses if not l.path.endswith(".id")] == ["system_fingerprint"]


def test_deepseek_thinking_started_without_a_signature_reads() -> None:
    raw = (ROOT / "deepseek" / "regressions" / "signature_later.anthropic.sse").read_bytes()
    losses: list = []
    out = b"".join(to_openai.sse([raw], losses=losses)).decode()
    assert '"error"' not in out and out.endswith("data: [DONE]\n\n")
    message = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "deepseek-v4-pro",
        "content": [{"type": "thinking", "thinking": "t"}],
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    reply = msgspec.to_builtins(to_openai.response(message))
    assert reply["choices"][0]["message"]["reasoning_content"] == "t"


def test_unknown_response_fields_are_losses_not_carried() -> None:
    body = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "prompt_logprobs": None,
        "kv_transfer_params": None,
        "provider": "OpenAI",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    losses: list = []
    out = msgspec.to_builtins(to_anthropic.response(body, losses=losses))
    sdk_strict.validate_anthropic_message(out)
    assert [[l.path, l.kind] for l in losses] == [
        ["prompt_logprobs", "dropped"],
        ["kv_transfer_params", "dropped"],
        ["provider", "dropped"],
    ]


def test_openrouter_raw_reason_reaches_the_client() -> None:
    body = {
        "error": {
            "message": "Provider returned error",
            "code": 429,
            "metadata": {
                "raw": "Upstream rate limit reached, retry in 20s",
                "provider_name": "Anthropic",
            },
        }
    }
    status, err = to_anthropic.error(body)
    assert (status, err.error.type) == (429, "rate_limit_error")
    assert err.error.message == "Provider returned error: Upstream rate limit reached, retry in 20s"
