"""What both directions share: the loss ledger, the two-way tables, tool-name shortening.

Every mapping with two directions is one table here, read both ways, so that
``to_openai`` and ``to_anthropic`` cannot drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec

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


_LEVELS = ("minimal", "low", "medium", "high", "xhigh", "max")


def nearest_effort(effort: str, accepted: tuple[str, ...]) -> str | None:
    """``effort`` if the target accepts it, else the nearest level it does (ties go up)."""
    if effort in accepted:
        return effort
    if effort not in _LEVELS:
        return None
    here = _LEVELS.index(effort)
    candidates = [lvl for lvl in accepted if lvl in _LEVELS]
    if not candidates:
        return None
    return min(candidates, key=lambda lvl: (abs(_LEVELS.index(lvl) - here), -_LEVELS.index(lvl)))


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


# --- tool arguments ------------------------------------------------------------------
# openai ``function.arguments`` is a string the model wrote; anthropic ``tool_use.input`` is
# an object. Blank arguments are none. Arguments that are not a JSON object (a model's broken
# output) are a Loss and travel as ``{"_raw_arguments": "<the string>"}``, which comes back
# as the same string; a lone ``_raw_arguments`` whose string is itself a JSON object is a
# real parameter, since parsing would have produced that object instead.

_arguments_object = msgspec.json.Decoder(dict[str, Any])
_arguments_encoder = msgspec.json.Encoder()


def parse_arguments(text: str, ctx: Ctx, path: str) -> dict[str, Any]:
    """``function.arguments`` -> ``tool_use.input``."""
    if not text.strip():
        return {}
    try:
        value = _arguments_object.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        ctx.approx(path, "not a JSON object: kept as _raw_arguments")
        return {"_raw_arguments": text}
    if len(value) == 1 and _raw(value) is not None:
        ctx.approx(path, "a lone _raw_arguments parameter reads back as raw arguments")
    return value


def dump_arguments(value: dict[str, Any]) -> str:
    """``tool_use.input`` -> ``function.arguments``."""
    raw = _raw(value) if len(value) == 1 else None
    return raw if raw is not None else _arguments_encoder.encode(value).decode()


def _raw(value: dict[str, Any]) -> str | None:
    raw = value.get("_raw_arguments")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        _arguments_object.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return raw
    return None


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

    __slots__ = ("losses", "target")

    def __init__(self, target: Target) -> None:
        self.target = target
        self.losses: list[Loss] = []

    def lose(self, path: str, kind: str, detail: str) -> None:
        self.losses.append(Loss(path, kind, detail))  # type: ignore[arg-type]

    def drop(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "dropped", detail))

    def approx(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "approximated", detail))


class OnceLedger:
    """A stream's ledger: each (path, detail) is reported once, so that a long stream does
    not grow the list; with ``strict`` the first loss raises. The stream holds ``losses``,
    ``strict`` and the ``_seen`` set."""

    __slots__ = ()
    losses: list[Loss]
    strict: bool
    _seen: set[tuple[str, str]]

    def _lose(self, path: str, kind: str, detail: str) -> None:
        key = (path, detail)
        if key in self._seen:
            return
        self._seen.add(key)
        loss = Loss(path, kind, detail)  # type: ignore[arg-type]
        if self.strict:
            raise LossError([loss])
        self.losses.append(loss)


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
                    ctx.drop(
                        where, "unknown field shares its name with a field of the target dialect"
                    )
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


# --- responses: the tier that served ---------------------------------------------------
# anthropic ``usage.service_tier`` <-> openai ``service_tier`` of a ChatCompletion.
# Anthropic's ``batch`` and openai's ``auto`` / ``flex`` / ``scale`` / ``fast`` have no twin.
RESPONSE_TIERS: tuple[tuple[str, str], ...] = (("standard", "default"), ("priority", "priority"))
RESPONSE_TIER_TO_OPENAI = dict(RESPONSE_TIERS)
RESPONSE_TIER_TO_ANTHROPIC = {o: a for a, o in RESPONSE_TIERS}


# --- errors ----------------------------------------------------------------------------
#
# One row per anthropic error type: the HTTP status Anthropic sends it with, and the
# openai ``error.type`` written for it. Written types round-trip exactly: each openai type
# reads back as its row. OpenAI's own bodies are looser (``invalid_request_error`` with
# ``code: invalid_api_key`` for a bad key, ``requests`` / ``tokens`` for rate limits,
# ``insufficient_quota`` with a 429), and providers have their own words, so reading also
# goes through ERROR_NAMES, then the status (ERROR_BY_STATUS), then the status class.
ERRORS: tuple[tuple[int, str, str], ...] = (
    (400, "invalid_request_error", "invalid_request_error"),
    (401, "authentication_error", "authentication_error"),
    (402, "billing_error", "insufficient_quota"),
    (403, "permission_error", "permission_error"),
    (404, "not_found_error", "not_found_error"),
    (409, "conflict_error", "conflict_error"),
    (409, "memory_path_conflict_error", "memory_path_conflict_error"),
    (412, "memory_precondition_failed_error", "memory_precondition_failed_error"),
    (413, "request_too_large", "request_too_large"),
    (429, "rate_limit_error", "rate_limit_error"),
    (500, "api_error", "server_error"),
    (504, "timeout_error", "timeout_error"),
    (529, "overloaded_error", "overloaded_error"),
)
GENERIC_ERROR = "invalid_request_error"
"""The type OpenAI uses for nearly any 4xx: the status says more when it has a row."""
ERROR_TO_OPENAI = {a: o for _, a, o in ERRORS}
ERROR_STATUS = {a: s for s, a, _ in ERRORS}

# Any word naming an error kind -> the anthropic type it means: both columns of ERRORS,
# then what OpenAI (type or code), vLLM / SGLang (exception names) and Google-style
# ``status`` words say. Read only; the rows are what is written.
ERROR_NAMES: dict[str, str] = {
    **{o: a for _, a, o in ERRORS},
    **{a: a for _, a, _ in ERRORS},
    "invalid_api_key": "authentication_error",
    "requests": "rate_limit_error",
    "tokens": "rate_limit_error",
    "rate_limit_exceeded": "rate_limit_error",
    "model_not_found": "not_found_error",
    "request_forbidden": "permission_error",
    "unsupported_country_region_territory": "permission_error",
    "context_length_exceeded": "invalid_request_error",
    "overloaded": "overloaded_error",
    "service_unavailable": "overloaded_error",
    "timeout": "timeout_error",
    "internal_error": "api_error",
    "BadRequestError": "invalid_request_error",
    "UnprocessableEntityError": "invalid_request_error",
    "AuthenticationError": "authentication_error",
    "PermissionDeniedError": "permission_error",
    "NotFoundError": "not_found_error",
    "ConflictError": "conflict_error",
    "RateLimitError": "rate_limit_error",
    "InternalServerError": "api_error",
    "ServiceUnavailableError": "overloaded_error",
    "INVALID_ARGUMENT": "invalid_request_error",
    "FAILED_PRECONDITION": "invalid_request_error",
    "UNAUTHENTICATED": "authentication_error",
    "PERMISSION_DENIED": "permission_error",
    "NOT_FOUND": "not_found_error",
    "ALREADY_EXISTS": "conflict_error",
    "RESOURCE_EXHAUSTED": "rate_limit_error",
    "DEADLINE_EXCEEDED": "timeout_error",
    "UNAVAILABLE": "overloaded_error",
    "INTERNAL": "api_error",
}

# What a status alone says: the first row of each status, and the statuses providers use
# where Anthropic has none (DeepSeek's 422 and 503, a gateway's 408, Cloudflare's 524).
ERROR_BY_STATUS: dict[int, str] = {
    408: "timeout_error",
    422: "invalid_request_error",
    503: "overloaded_error",
    524: "timeout_error",
}
for _s, _a, _o in ERRORS:
    ERROR_BY_STATUS.setdefault(_s, _a)


def anthropic_error_type(names: Iterable[Any], status: int | None) -> str:
    """The anthropic error type for an error that calls itself ``names`` (its type, its
    code, ... most telling first) and came with ``status``.

    A specific name wins. The generic ``invalid_request_error`` gives way to a status that
    has a type of its own (OpenAI answers a missing model with 404 and that type; Anthropic
    pairs each status with one type). Else the status class decides.
    """
    generic = False
    for name in names:
        if isinstance(name, str):
            found = ERROR_NAMES.get(name)
            if found == GENERIC_ERROR:
                generic = True
            elif found is not None:
                return found
    if status is not None and status in ERROR_BY_STATUS:
        return ERROR_BY_STATUS[status]
    if generic or (status is not None and 400 <= status < 500):
        return GENERIC_ERROR
    return "api_error"
