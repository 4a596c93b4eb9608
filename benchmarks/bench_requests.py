"""Request translation speed: bytes in -> translated bytes out, against the floor.

The floor is what any translator must at least do: msgspec decoding the same bytes to
builtins and encoding them again. Goal: at most 2x the floor on the large payloads (the
real Claude Code requests with their beta fields, the Claude Code turn, the Codex turn). Run: python benchmarks/bench_requests.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import msgspec

from translate import to_anthropic, to_openai

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
CODEX = ROOT.parent / "responses_api" / "codex_turn"
encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder().decode


def median_us(fn, data: bytes, *, seconds: float = 1.0) -> float:
    fn(data)  # warm caches (decoders, type info)
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


CASES = [
    # What Claude Code 2.1.197 really sent (captured, README "Performance"): beta fields
    # the structs do not model (context_management) on every request.
    ("claude_code_2_1_verbose", "anthropic.json", anthropic_to_openai),
    ("claude_code_2_1_compacted", "anthropic.json", anthropic_to_openai),
    ("claude_code_agent", "anthropic.json", anthropic_to_openai),
    ("claude_code_agent", "openai.json", openai_to_anthropic),
    ("minimal_anthropic", "anthropic.json", anthropic_to_openai),
    ("minimal_openai", "openai.json", openai_to_anthropic),
    (CODEX, "responses.json", responses_to_openai),
]


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


def main() -> None:
    print(f"{'payload':50s} {'bytes':>7s} {'translate us':>13s} {'floor us':>9s} {'ratio':>6s}")
    rows = [(f"{Path(c).name}/{n}", (ROOT / c / n).read_bytes(), fn) for c, n, fn in CASES]
    rows.append(("codex session (12 turns)", codex_session(), responses_to_openai))
    for label, raw, fn in rows:
        # pretty-printed fixtures are compacted first: wire requests are compact JSON
        data = encode(decode(raw))
        t, f = median_us(fn, data), median_us(floor, data)
        name = f"{label} ({fn.__name__})"
        print(f"{name:50s} {len(data):7d} {t:13.1f} {f:9.1f} {t / f:6.2f}")


if __name__ == "__main__":
    main()
