"""Usage, both ways: one function a direction, shared by responses and streams.

openai ``prompt_tokens`` counts the whole prompt, cached part included; anthropic splits
the same prompt into ``input_tokens`` (neither read from nor written to the cache),
``cache_read_input_tokens`` and ``cache_creation_input_tokens``. So:

  prompt_tokens      = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
  cached_tokens      = cache_read_input_tokens
  cache_write_tokens = cache_creation_input_tokens
  completion_tokens  = output_tokens          (reasoning included on both sides)
  reasoning_tokens   = output_tokens_details.thinking_tokens
  total_tokens       = prompt_tokens + completion_tokens

and the inverse. Nothing is counted twice, and the totals are the same on both sides.
``lose`` is the caller's ledger: ``Ctx.lose`` for a response, a stream's once-per-path
``_lose``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from . import anthropic as a
from . import openai as o
from ._errors import LossKind

Lose = Callable[[str, LossKind, str], None]


def prompt_tokens(input_tokens: int, cache_read: int, cache_write: int) -> int:
    return input_tokens + cache_read + cache_write


def input_tokens(prompt: int, cache_read: int, cache_write: int) -> int:
    return max(prompt - cache_read - cache_write, 0)


_NO_DETAILS = o.PromptTokensDetails()


def to_openai_usage(u: a.Usage, lose: Lose) -> o.Usage:
    """Anthropic usage -> openai usage."""
    read, write = u.cache_read_input_tokens, u.cache_creation_input_tokens
    r = read if isinstance(read, int) else 0
    w = write if isinstance(write, int) else 0
    prompt = prompt_tokens(u.input_tokens, r, w)
    usage = o.Usage(
        prompt_tokens=prompt,
        completion_tokens=u.output_tokens,
        total_tokens=prompt + u.output_tokens,
    )
    if read is not UNSET or write is not UNSET:
        details = o.PromptTokensDetails()
        if read is not UNSET:
            details.cached_tokens = read
        if write is not UNSET:
            details.cache_write_tokens = write
        usage.prompt_tokens_details = details
    cc = u.cache_creation
    if cc not in (UNSET, None):
        five = cc.ephemeral_5m_input_tokens if cc.ephemeral_5m_input_tokens is not UNSET else 0
        hour = cc.ephemeral_1h_input_tokens if cc.ephemeral_1h_input_tokens is not UNSET else 0
        if not isinstance(write, int) or (five, hour) != (write, 0):
            lose(
                "usage.cache_creation",
                "dropped",
                "the lifetimes of cache writes have no twin: read back as 5-minute writes",
            )
    otd = u.output_tokens_details
    if otd is None:
        usage.completion_tokens_details = None
    elif otd is not UNSET:
        usage.completion_tokens_details = o.CompletionTokensDetails(
            reasoning_tokens=otd.thinking_tokens
        )
    stu = u.server_tool_use
    if stu not in (UNSET, None) and any(
        getattr(stu, f) not in (UNSET, 0) for f in stu.__struct_fields__
    ):
        lose("usage.server_tool_use", "dropped", "no twin in the openai dialect")
    return usage


def where_served(u: a.Usage, lose: Lose) -> None:
    """Where and how fast the answer was made: anthropic usage says it, openai does not."""
    if u.inference_geo not in (UNSET, None):
        lose("usage.inference_geo", "dropped", "no twin in the openai dialect")
    if u.speed not in (UNSET, None, "standard"):
        lose("usage.speed", "dropped", "no twin in the openai dialect")


def _first(sources: tuple[tuple[str, Any], ...], what: str, lose: Lose) -> Any:
    """The first count the upstream gave among its spellings of one thing (an int; else
    ``None`` if one said ``null``; else ``UNSET``); a later spelling that disagrees is a Loss."""
    counts = [(where, value) for where, value in sources if isinstance(value, int)]
    if not counts:
        return None if any(v is None for _, v in sources) else UNSET
    first = counts[0][1]
    for where, value in counts[1:]:
        if value != first:
            lose(where, "dropped", f"disagrees with the {what} already read ({first})")
    return first


def to_anthropic_usage(u: o.Usage, lose: Lose) -> a.Usage:
    """Openai usage -> anthropic usage. Cache reads come from
    ``prompt_tokens_details.cached_tokens``, else DeepSeek's ``prompt_cache_hit_tokens``,
    else Kimi's ``usage.cached_tokens``, else a proxy's ``usage.cache_read_input_tokens``;
    cache writes from ``prompt_tokens_details.cache_write_tokens``, else vLLM's
    ``created_cache_tokens``, else a proxy's ``cache_creation_tokens`` (in the details or
    beside them) or ``usage.cache_creation_input_tokens``. Each spelling is a part of
    ``prompt_tokens``, so the totals stay the same. Writes say no lifetime, so they are
    5-minute ones. A missing ``total_tokens`` is not needed."""
    details = u.prompt_tokens_details if u.prompt_tokens_details not in (UNSET, None) else None
    d: Any = details if details is not None else _NO_DETAILS
    read: Any = _first(
        (
            ("usage.prompt_tokens_details.cached_tokens", d.cached_tokens),
            ("usage.prompt_cache_hit_tokens", u.prompt_cache_hit_tokens),
            ("usage.cached_tokens", u.cached_tokens),
            ("usage.cache_read_input_tokens", u.cache_read_input_tokens),
        ),
        "cache reads",
        lose,
    )
    write: Any = _first(
        (
            ("usage.prompt_tokens_details.cache_write_tokens", d.cache_write_tokens),
            ("usage.prompt_tokens_details.created_cache_tokens", d.created_cache_tokens),
            ("usage.prompt_tokens_details.cache_creation_tokens", d.cache_creation_tokens),
            ("usage.cache_creation_tokens", u.cache_creation_tokens),
            ("usage.cache_creation_input_tokens", u.cache_creation_input_tokens),
        ),
        "cache writes",
        lose,
    )
    r = read if isinstance(read, int) else 0
    w = write if isinstance(write, int) else 0
    if u.prompt_tokens < r + w:
        lose(
            "usage.prompt_tokens",
            "approximated",
            "fewer than the cache reads and writes: input_tokens is 0",
        )
    miss = u.prompt_cache_miss_tokens
    if isinstance(miss, int) and isinstance(read, int) and miss + read != u.prompt_tokens:
        lose(
            "usage.prompt_cache_miss_tokens",
            "dropped",
            "does not add up with the cache hits to prompt_tokens",
        )
    total = u.total_tokens
    if isinstance(total, int) and total != u.prompt_tokens + u.completion_tokens:
        lose(
            "usage.total_tokens",
            "approximated",
            "is not prompt_tokens + completion_tokens, as the anthropic sum is",
        )
    out = a.Usage(
        input_tokens=input_tokens(u.prompt_tokens, r, w), output_tokens=u.completion_tokens
    )
    if read is not UNSET:
        out.cache_read_input_tokens = read
    if write is not UNSET:
        out.cache_creation_input_tokens = write
        if isinstance(write, int):
            out.cache_creation = a.CacheCreation(
                ephemeral_5m_input_tokens=write, ephemeral_1h_input_tokens=0
            )
    if details is not None:
        for field in ("audio_tokens", "image_tokens", "text_tokens"):
            if getattr(details, field) not in (UNSET, None, 0):
                lose(
                    f"usage.prompt_tokens_details.{field}",
                    "dropped",
                    "no twin in the anthropic dialect",
                )
    ctd = u.completion_tokens_details
    if ctd is None:
        out.output_tokens_details = None
    elif ctd is not UNSET:
        if isinstance(ctd.reasoning_tokens, int):
            out.output_tokens_details = a.OutputTokensDetails(thinking_tokens=ctd.reasoning_tokens)
        for field in (
            "accepted_prediction_tokens",
            "rejected_prediction_tokens",
            "audio_tokens",
            "text_tokens",
            "image_tokens",
        ):
            if getattr(ctd, field) not in (UNSET, None, 0):
                lose(
                    f"usage.completion_tokens_details.{field}",
                    "dropped",
                    "no twin in the anthropic dialect",
                )
    return out
