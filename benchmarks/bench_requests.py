"""Request translation speed: bytes in -> translated bytes out, against the floor.

The floor is what any translator must at least do: msgspec decoding the same bytes to
builtins and encoding them again. Run: python benchmarks/bench_requests.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import msgspec

from translate import to_anthropic, to_openai

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
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


CASES = [
    ("claude_code_agent", "anthropic.json", anthropic_to_openai),
    ("claude_code_agent", "openai.json", openai_to_anthropic),
    ("minimal_anthropic", "anthropic.json", anthropic_to_openai),
    ("minimal_openai", "openai.json", openai_to_anthropic),
]


def main() -> None:
    print(f"{'payload':42s} {'bytes':>7s} {'translate us':>13s} {'floor us':>9s} {'ratio':>6s}")
    for case, name, fn in CASES:
        data = (ROOT / case / name).read_bytes()
        # pretty-printed fixtures are compacted first: wire requests are compact JSON
        data = encode(decode(data))
        t, f = median_us(fn, data), median_us(floor, data)
        label = f"{case}/{name} ({fn.__name__})"
        print(f"{label:42s} {len(data):7d} {t:13.1f} {f:9.1f} {t / f:6.2f}")


if __name__ == "__main__":
    main()
