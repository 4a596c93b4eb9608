"""What both directions share: the loss ledger, the two-way tables, tool-name shortening.

Every mapping with two directions is one table here, read both ways, so that
``to_openai`` and ``to_anthropic`` cannot drift apart.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, TypeVar

from ._decode import Unknown, with_extra
from ._errors import Loss, LossError
from .targets import Target

T = TypeVar("T")

def tag(obj: Any) -> str:
    """The ``type`` (or ``role``) a tagged struct is encoded with; msgspec keeps it on the class."""
    return obj.__struct_config__.tag


# --- efforts and budgets ---------------------------------------------------------------
#
# One row per openai ``reasoning_effort``: the anthropic ``output_config.effort`` it is
# (``None``: no anthropic level, the nearest is used with a Loss) and the thinking budget
# that stands for it where only ``budget_tokens`` can be said (API 2023-06-01, or a
# ``thinking: enabled`` switch without a budget). A budget maps back to the smallest level
# whose budget covers it.
EFFORTS: tuple[tuple[str, str | None, int], ...] = (
    ("minimal", None, 1024),
    ("low", "low", 4096),
    ("medium", "medium", 8192),
    ("high", "high", 16384),
    ("xhigh", "xhigh", 32768),
    ("max", "max", 65536),
)
DEFAULT_EFFORT = "medium"
_BUDGET = {openai: budget for openai, _, budget in EFFORTS}


def effort_to_budget(effort: str) -> int:
    return _BUDGET.get(effort, _BUDGET[DEFAULT_EFFORT])


def budget_to_effort(budget: int) -> str:
    for openai, _, limit in EFFORTS:
        if budget <= limit:
            return openai
    return EFFORTS[-1][0]


# --- tool choice -----------------------------------------------------------------------
# anthropic ``tool_choice.type`` <-> openai ``tool_choice`` string; ``tool`` <-> a named
# function choice is handled beside it because it carries a name.
TOOL_CHOICE: tuple[tuple[str, str], ...] = (("auto", "auto"), ("any", "required"), ("none", "none"))
TOOL_CHOICE_TO_OPENAI = dict(TOOL_CHOICE)
TOOL_CHOICE_TO_ANTHROPIC = {o: a for a, o in TOOL_CHOICE}

# --- service tier ----------------------------------------------------------------------
SERVICE_TIER: tuple[tuple[str, str], ...] = (("auto", "auto"), ("standard_only", "default"))
SERVICE_TIER_TO_OPENAI = dict(SERVICE_TIER)
SERVICE_TIER_TO_ANTHROPIC = {o: a for a, o in SERVICE_TIER}

# --- cache hints -----------------------------------------------------------------------
# anthropic ``cache_control.ttl`` <-> openai ``prompt_cache_breakpoint.ttl``. Only "no ttl"
# is the same on both sides; the rest is the nearest lifetime, reported as approximated.
CACHE_TTL: tuple[tuple[str | None, str | None, bool], ...] = (
    (None, None, True),
    ("5m", None, False),
    ("1h", "30m", False),
)
CACHE_TTL_TO_OPENAI = {a: (o, exact) for a, o, exact in CACHE_TTL}
CACHE_TTL_TO_ANTHROPIC = {o: (a, exact) for a, o, exact in CACHE_TTL if exact or a == "1h"}
CACHE_TTL_TO_ANTHROPIC["12h"] = ("1h", False)


# --- stop reasons ----------------------------------------------------------------------
# anthropic ``stop_reason`` <-> openai ``finish_reason``, with whether the pair is exact.
# Read left to right for to_openai; for to_anthropic the first exact row of a
# finish_reason wins, then the converter refines ``stop`` (a stop sequence that matched?)
# and ``stop`` after tool calls (really ``tool_use``).
STOP_REASONS: tuple[tuple[str, str, bool], ...] = (
    ("end_turn", "stop", True),
    ("stop_sequence", "stop", True),
    ("max_tokens", "length", True),
    ("model_context_window_exceeded", "length", False),
    ("tool_use", "tool_calls", True),
    ("pause_turn", "stop", False),
    ("refusal", "content_filter", True),
)
STOP_TO_OPENAI = {a: (o, exact) for a, o, exact in STOP_REASONS}
FINISH_TO_ANTHROPIC: dict[str, str] = {}
for _a, _o, _exact in STOP_REASONS:
    if _exact:
        FINISH_TO_ANTHROPIC.setdefault(_o, _a)
FINISH_TO_ANTHROPIC["function_call"] = "tool_use"


# --- usage -----------------------------------------------------------------------------
#
# openai ``prompt_tokens`` counts the whole prompt, cached part included; anthropic splits
# the same prompt into ``input_tokens`` (neither read from nor written to the cache),
# ``cache_read_input_tokens`` and ``cache_creation_input_tokens``. So:
#
#   prompt_tokens      = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
#   cached_tokens      = cache_read_input_tokens
#   cache_write_tokens = cache_creation_input_tokens
#   completion_tokens  = output_tokens          (reasoning included on both sides)
#   reasoning_tokens   = output_tokens_details.thinking_tokens
#   total_tokens       = prompt_tokens + completion_tokens
#
# and the inverse. Nothing is counted twice, and the totals are the same on both sides.


def prompt_tokens(input_tokens: int, cache_read: int, cache_write: int) -> int:
    return input_tokens + cache_read + cache_write


def input_tokens(prompt: int, cache_read: int, cache_write: int) -> int:
    return max(prompt - cache_read - cache_write, 0)


# --- tool names ------------------------------------------------------------------------


def short_name(name: str, limit: int) -> str:
    """A name of at most ``limit`` characters standing for ``name``, the same every time.

    The prefix keeps it readable, the digest keeps it unique; the original is recovered
    from the client's request (``request=``), never from a table kept in memory.
    """
    if len(name) <= limit:
        return name
    digest = hashlib.blake2b(name.encode(), digest_size=5).hexdigest()
    return f"{name[: limit - len(digest) - 1]}_{digest}"


def tool_names(names: Iterable[str], limit: int) -> dict[str, str]:
    """``{original: as sent}`` for the names that had to be shortened."""
    return {n: s for n in names if (s := short_name(n, limit)) != n}


# --- the ledger ------------------------------------------------------------------------


class Ctx:
    """One translation's state: its target and the losses found so far."""

    __slots__ = ("target", "losses")

    def __init__(self, target: Target) -> None:
        self.target = target
        self.losses: list[Loss] = []

    def lose(self, path: str, kind: str, detail: str) -> None:
        self.losses.append(Loss(path, kind, detail))  # type: ignore[arg-type]

    def drop(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "dropped", detail))

    def approx(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "approximated", detail))


def finish(
    ctx: Ctx,
    result: T,
    unknown: list[Unknown],
    strict: bool,
    losses: list[Loss] | None,
) -> T:
    """Carry or report unknown fields, then hand over the losses (or raise them)."""
    if unknown:
        extra: dict[str, Any] = {}
        taken = set(result.__struct_fields__)  # type: ignore[attr-defined]
        for u in unknown:
            where = f"{u.path}.{u.key}" if u.path else u.key
            if u.path == "" and ctx.target.unknown_fields == "carry":
                if u.key in taken:
                    ctx.drop(where, "unknown field shares its name with a field of the target dialect")
                else:
                    extra[u.key] = u.value
            else:
                ctx.drop(where, "unknown field")
        result = with_extra(result, extra)
    if ctx.losses:
        if strict:
            raise LossError(ctx.losses)
        if losses is not None:
            losses.extend(ctx.losses)
    return result

