"""Request translation speed and fidelity against the peer a user would pick instead.

The peer is LiteLLM's Anthropic Messages adapter: the code its proxy runs when Claude Code
(or any Anthropic-SDK client) sends ``POST /v1/messages`` to a model served in the openai
dialect. It turns the request into the keyword arguments of ``litellm.completion``.

Each side is timed from the request's bytes to the translated request's bytes, the way a
gateway holds them: ``translate`` decodes, translates and encodes with msgspec; the peer
takes ``json.loads``, its adapter, and ``json.dumps`` of the dict it returns. Both are set
against the floor of bench_requests.py (msgspec decoding the same bytes to builtins and
encoding them again), in the same run, on the same payload: the Claude Code request
fixture, compacted. The stdlib JSON round trip alone (``json.loads`` + ``json.dumps``, no
translation) is shown too, to tell the peer's translation from its JSON.

Then both outputs are checked for what the fixture carries that a translation can lose.

    pip install -e '.[bench]'        # the peer
    python benchmarks/bench_peers.py

Without the peer installed it says so and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_requests import median_us as _median_us

from translate import to_openai

# LiteLLM fetches a price list over the network when imported, unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

try:
    try:  # where the adapter lives in current LiteLLM
        from litellm.llms.anthropic.messages.adapters.transformation import AnthropicAdapter
    except ImportError:  # where it lived before
        from litellm.llms.anthropic.experimental_pass_through.adapters.transformation import (
            AnthropicAdapter,
        )
except ImportError as exc:
    print(f"bench_peers: skipped, the peer (litellm) is not importable: {exc}")
    sys.exit(0)

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures/requests/claude_code_agent/anthropic.json"
)
encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder().decode
ADAPTER = AnthropicAdapter()


def floor(data: bytes) -> bytes:
    return encode(decode(data))


def ours(data: bytes) -> bytes:
    return encode(to_openai.request(data))


def peer(data: bytes) -> bytes:
    # What LiteLLM's /v1/messages handler calls; the name map restores shortened tool names
    # in the response. The adapter pops keys from the dict it is given: a fresh one each time.
    body, _tool_names = ADAPTER.translate_completion_input_params_with_tool_mapping(
        json.loads(data)
    )
    return json.dumps(body, separators=(",", ":")).encode()


def peer_json(data: bytes) -> bytes:
    return json.dumps(json.loads(data), separators=(",", ":")).encode()


def median_us(fn, data: bytes) -> float:
    return _median_us(fn, data, seconds=1.5)


# -- fidelity: what the fixture carries, and how much of it each output still has ----------


def dicts(x):
    """Every dict inside x, x included, depth first."""
    if isinstance(x, dict):
        yield x
        x = list(x.values())
    if isinstance(x, list):
        for item in x:
            yield from dicts(item)


def strings(x) -> set[str]:
    """Every string value inside x."""
    if isinstance(x, str):
        return {x}
    items = x.values() if isinstance(x, dict) else x if isinstance(x, list) else ()
    return set().union(*(strings(item) for item in items))


def blocks(request: dict, kind: str) -> list[dict]:
    return [d for d in dicts(request["messages"]) if d.get("type") == kind]


def checks(src: dict, out: dict) -> list[tuple[str, int, int]]:
    """(what, how many the fixture has, how many the output kept)."""
    found = strings(out)
    tool_msgs = [m for m in out["messages"] if m.get("role") == "tool"]
    tool_text = json.dumps(tool_msgs)
    signatures = [b["signature"] for b in blocks(src, "thinking")]
    redacted = [b["data"] for b in blocks(src, "redacted_thinking")]
    errors = [b for b in blocks(src, "tool_result") if b.get("is_error")]
    images = [
        d["source"].get("data") or d["source"].get("url")
        for b in blocks(src, "tool_result")
        for d in dicts(b.get("content"))
        if d.get("type") == "image"
    ]
    cache_src = [d["cache_control"] for d in dicts(src) if "cache_control" in d]
    cache_out = [d["cache_control"] for d in dicts(out) if isinstance(d.get("cache_control"), dict)]
    effort = (src.get("output_config") or {}).get("effort")
    long_names = {t["name"] for t in src.get("tools", []) if len(t["name"]) > 64}
    out_names = [d["name"] for d in dicts(out.get("tools", [])) if isinstance(d.get("name"), str)]
    return [
        ("thinking signatures", len(signatures), sum(s in found for s in signatures)),
        ("redacted_thinking data", len(redacted), sum(d in found for d in redacted)),
        ("tool_result is_error", len(errors), sum(m.get("is_error") is True for m in tool_msgs)),
        ("images in tool results", len(images), sum(i in tool_text for i in images)),
        ("cache_control breakpoints", len(cache_src), len(cache_out)),
        (
            "cache_control ttl",
            sum("ttl" in c for c in cache_src),
            sum("ttl" in c for c in cache_out),
        ),
        (
            "output_config.effort",
            effort is not None,
            any(d.get("reasoning_effort") == effort for d in dicts(out)),
        ),
        (
            "tool names > 64 chars, fit to 64",
            len(long_names),
            len(long_names) - sum(len(n) > 64 for n in out_names),
        ),
    ]


def parallel_probe(src: dict, translator) -> tuple[str, int, int]:
    """Not in the fixture: the same request with tool_choice.disable_parallel_tool_use."""
    variant = dict(src, tool_choice={"type": "auto", "disable_parallel_tool_use": True})
    out = json.loads(translator(json.dumps(variant).encode()))
    return ("disable_parallel_tool_use (probe)", 1, out.get("parallel_tool_calls") is False)


def main() -> None:
    data = floor(FIXTURE.read_bytes())  # compact, as on the wire
    version = metadata.version("litellm")
    f, t, p, j = (median_us(fn, data) for fn in (floor, ours, peer, peer_json))

    print(
        f"{FIXTURE.parent.name}/{FIXTURE.name}, compacted: {len(data)} bytes, anthropic -> openai request"
    )
    print(f"{'':40s} {'us':>8s} {'/ floor':>8s}")
    print(f"{'floor (msgspec decode + encode)':40s} {f:8.1f} {1:8.2f}")
    print(f"{'translate':40s} {t:8.1f} {t / f:8.2f}")
    print(f"{f'litellm {version} (AnthropicAdapter)':40s} {p:8.1f} {p / f:8.2f}")
    print(f"{'stdlib json.loads + json.dumps only':40s} {j:8.1f} {j / f:8.2f}")
    print(f"litellm / translate: {p / t:.1f}x")

    src = json.loads(data)
    mine, theirs = json.loads(ours(data)), json.loads(peer(data))
    rows = checks(src, mine)
    rows = [(what, n, a, b) for (what, n, a), (_, _, b) in zip(rows, checks(src, theirs))]
    (what, n, a), (_, _, b) = parallel_probe(src, ours), parallel_probe(src, peer)
    rows.append((what, n, a, b))
    print()
    print(
        f"{'kept in the translated request':40s} {'fixture':>8s} {'translate':>10s} {'litellm':>8s}"
    )
    for what, n, a, b in rows:
        print(f"{what:40s} {int(n):8d} {int(a):10d} {int(b):8d}")


if __name__ == "__main__":
    main()
