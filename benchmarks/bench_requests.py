"""Request (and response) translation speed: bytes in -> translated bytes out, against the floor.

The floor is what any translator must at least do: msgspec decoding the same bytes to
builtins and encoding them again. Goal: at most 2x the floor on the large payloads (the
real Claude Code requests with their beta fields, the Claude Code turn, the real Codex
requests and a long Codex session; issues 2, 11 and 13). Small payloads are a fixed cost
per call more than a ratio (the minimal requests, the Codex turn: 3 KB).

Each translation and its floor are timed in alternation, a short burst each, many times;
the figures are the medians (the ratio is the translation's over the floor's, both from
the same bursts, so that a machine busy with other work moves both).

    python benchmarks/bench_requests.py [--seconds S]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from translate import to_anthropic, to_openai, to_responses

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
RESPONSES = ROOT.parent / "responses_api"
CODEX = RESPONSES / "codex_turn"
encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder().decode

Fn = Callable[[bytes], bytes]


def medians(fn: Fn, data: bytes, *, seconds: float = 1.0) -> tuple[float, float]:
    """(translate, floor) in us: medians over bursts of 10 calls each, in alternation."""
    fn(data)  # warm caches (decoders, type info)
    floor(data)
    runs: list[float] = []
    floors: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(runs) < 20:
        start = time.perf_counter_ns()
        for _ in range(10):
            fn(data)
        runs.append((time.perf_counter_ns() - start) / 10_000)
        start = time.perf_counter_ns()
        for _ in range(10):
            floor(data)
        floors.append((time.perf_counter_ns() - start) / 10_000)
    return statistics.median(runs), statistics.median(floors)


def median_us(fn: Fn, data: bytes, *, seconds: float = 1.0) -> float:
    """The median of ``fn`` alone, in us (``bench_peers`` times its rows so)."""
    fn(data)
    runs: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(runs) < 20:
        start = time.perf_counter_ns()
        for _ in range(10):
            fn(data)
        runs.append((time.perf_counter_ns() - start) / 10_000)
    return statistics.median(runs)


def floor(data: bytes) -> bytes:
    return encode(decode(data))


def anthropic_to_openai(data: bytes) -> bytes:
    return encode(to_openai.request(data))


def openai_to_anthropic(data: bytes) -> bytes:
    return encode(to_anthropic.request(data))


def responses_to_openai(data: bytes) -> bytes:
    return encode(to_openai.request(data))


def responses_to_anthropic(data: bytes) -> bytes:
    return encode(to_anthropic.request(data))


def openai_to_responses(data: bytes) -> bytes:
    return encode(to_responses.request(data))


def response_to_chat(data: bytes) -> bytes:
    return encode(to_openai.response(data))


def chat_to_response(data: bytes) -> bytes:
    return encode(to_responses.response(data))


def codex_session(turns: int = 12) -> bytes:
    """A Codex request later in a session: the fixture's turn with its history grown to
    ``turns`` exchanges (reasoning, calls, outputs of a few KB), what Codex sends on every
    request of a working session (it resends the whole history)."""
    body = decode((CODEX / "responses.json").read_bytes())
    history = [item for item in body["input"] if item.get("role") not in ("developer", "user")]
    output = "test_app.py::test_home PASSED\n" * 80
    grown = []
    for t in range(turns):
        for item in history:
            copied = dict(item)
            if "call_id" in copied:
                copied["call_id"] = f"{copied['call_id']}_{t}"
            if copied.get("type") == "function_call_output":
                copied["output"] = output
            grown.append(copied)
    head = [item for item in body["input"] if item.get("role") in ("developer", "user")]
    body["input"] = head + grown
    return encode(body)


def codex_response() -> bytes:
    """A Responses ``Response`` as an upstream answers a Codex turn: reasoning with its
    summary and encrypted content, a function call (OpenRouter's Chat completion of one,
    as ``to_responses.response`` says it)."""
    chat = (ROOT.parent / "responses" / "openrouter_reasoning_details" / "openai.json").read_bytes()
    return encode(to_responses.response(chat))


def rows() -> list[tuple[str, bytes, Fn]]:
    """(label, payload, translation): the Responses rows first (issue 13), then the rest."""

    def fixture(path: Path) -> bytes:
        return encode(decode(path.read_bytes()))  # wire requests are compact JSON

    def pinned(path: Path) -> bytes:
        return encode(decode(path.read_bytes())["request"])  # a pinned translation

    capture = RESPONSES / "codex_0171_chat_session"
    return [
        # What Codex CLI 0.171.0 really sent (captured on loopback, ids and all), to Chat
        ("codex 0.171 session, captured", fixture(capture / "responses.json"), responses_to_openai),
        (
            "codex 0.171 session (Messages upstream)",
            fixture(RESPONSES / "codex_0171_messages_session" / "responses.json"),
            responses_to_openai,
        ),
        ("codex session (12 turns)", codex_session(), responses_to_openai),
        ("codex turn (3 KB)", fixture(CODEX / "responses.json"), responses_to_openai),
        (
            "codex 0.171 session, to Messages",
            fixture(capture / "responses.json"),
            responses_to_anthropic,
        ),
        # the way back: a Chat client's request for a Responses upstream
        (
            "codex 0.171 session as Chat",
            pinned(capture / "openai@compatible.json"),
            openai_to_responses,
        ),
        # a Responses upstream's answer, for a Chat client, and the reverse
        ("codex answer (Response)", codex_response(), response_to_chat),
        (
            "codex answer (ChatCompletion)",
            fixture(ROOT.parent / "responses" / "openrouter_reasoning_details" / "openai.json"),
            chat_to_response,
        ),
        # What Claude Code 2.1.197 really sent (captured, README "Performance"): beta fields
        # the structs do not model (context_management) on every request.
        (
            "claude_code_2_1_verbose",
            fixture(ROOT / "claude_code_2_1_verbose" / "anthropic.json"),
            anthropic_to_openai,
        ),
        (
            "claude_code_2_1_compacted",
            fixture(ROOT / "claude_code_2_1_compacted" / "anthropic.json"),
            anthropic_to_openai,
        ),
        (
            "claude_code_agent",
            fixture(ROOT / "claude_code_agent" / "anthropic.json"),
            anthropic_to_openai,
        ),
        (
            "claude_code_agent",
            fixture(ROOT / "claude_code_agent" / "openai.json"),
            openai_to_anthropic,
        ),
        (
            "minimal_anthropic",
            fixture(ROOT / "minimal_anthropic" / "anthropic.json"),
            anthropic_to_openai,
        ),
        ("minimal_openai", fixture(ROOT / "minimal_openai" / "openai.json"), openai_to_anthropic),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per row")
    args = parser.parse_args()
    print(f"{'payload':64s} {'bytes':>7s} {'translate us':>13s} {'floor us':>9s} {'ratio':>6s}")
    for label, data, fn in rows():
        t, f = medians(fn, data, seconds=args.seconds)
        name = f"{label} ({fn.__name__})"
        print(f"{name:64s} {len(data):7d} {t:13.1f} {f:9.1f} {t / f:6.2f}")


if __name__ == "__main__":
    main()
