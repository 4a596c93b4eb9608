"""The two-way tables: every mapping that has two directions, written once, read both ways.

A row is ``(anthropic, openai, exact, way)``. ``exact`` says whether the pair means the same
thing on both sides (a row that is not exact is written with a Loss); ``way`` says which
direction reads the row: ``"both"``, ``"to_openai"`` (an anthropic word with only a nearest
openai twin) or ``"to_anthropic"`` (an openai word that is only ever read, never written).
In each direction the first row of a word wins. ``to_openai`` and ``to_anthropic`` import
their lookups from here, so the two directions cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import msgspec

if TYPE_CHECKING:  # the tables are read by the converters; the structs need not import them
    from .anthropic import CacheTTL, Effort, ServiceTier
    from .openai import BreakpointTTL, ReasoningEffort, ToolChoiceMode

K = TypeVar("K")
V = TypeVar("V")
Way = Literal["both", "to_openai", "to_anthropic"]
Row = tuple[K, V, bool, Way]


def to_openai(rows: Iterable[Row[K, V]]) -> dict[K, tuple[V, bool]]:
    """``{anthropic: (openai, exact)}`` from the rows the to_openai direction reads."""
    out: dict[K, tuple[V, bool]] = {}
    for a, o, exact, way in rows:
        if way != "to_anthropic":
            out.setdefault(a, (o, exact))
    return out


def to_anthropic(rows: Iterable[Row[K, V]]) -> dict[V, tuple[K, bool]]:
    """``{openai: (anthropic, exact)}`` from the rows the to_anthropic direction reads."""
    out: dict[V, tuple[K, bool]] = {}
    for a, o, exact, way in rows:
        if way != "to_openai":
            out.setdefault(o, (a, exact))
    return out


def tag(obj: msgspec.Struct) -> str:
    """The ``type`` (or ``role``) a tagged struct is encoded with; msgspec keeps it on the class."""
    return str(obj.__struct_config__.tag)


# --- efforts and budgets ---------------------------------------------------------------
#
# One row per openai ``reasoning_effort``, weakest first: the anthropic
# ``output_config.effort`` it is (``None``: no anthropic level, the nearest is used with a
# Loss) and the thinking budget that stands for it where only ``budget_tokens`` can be said
# (API 2023-06-01, or a ``thinking: enabled`` switch without a budget). A budget maps back
# to the smallest level whose budget covers it. ``none`` (thinking off) precedes them all.
# This is the one list of levels: ``openai.ReasoningEffort``, ``anthropic.Effort`` and the
# targets' ``effort_levels`` are checked against it (tests/test_tables.py).
EFFORTS: tuple[tuple[ReasoningEffort, Effort | None, int], ...] = (
    ("minimal", None, 1024),
    ("low", "low", 4096),
    ("medium", "medium", 8192),
    ("high", "high", 16384),
    ("xhigh", "xhigh", 32768),
    ("max", "max", 65536),
)
EFFORT_LEVELS: tuple[ReasoningEffort, ...] = ("none", *(row[0] for row in EFFORTS))
"""Every openai effort level, ``none`` first, in order of strength."""
ANTHROPIC_EFFORTS: tuple[Effort, ...] = tuple(a for _, a, _ in EFFORTS if a is not None)
EFFORT_TO_ANTHROPIC: dict[str, Effort | None] = {o: a for o, a, _ in EFFORTS}
DEFAULT_EFFORT = "medium"
_BUDGET: dict[str, int] = {openai: budget for openai, _, budget in EFFORTS}
_RANK = {level: i for i, level in enumerate(EFFORT_LEVELS)}


def effort_to_budget(effort: str) -> int:
    return _BUDGET.get(effort, _BUDGET[DEFAULT_EFFORT])


def nearest_effort(
    effort: ReasoningEffort, accepted: tuple[ReasoningEffort, ...]
) -> ReasoningEffort | None:
    """``effort`` if the target accepts it, else the nearest level it does (ties go up).

    ``none`` is not a strength: it is never the nearest to a level that thinks.
    """
    if effort in accepted:
        return effort
    if effort not in _BUDGET:
        return None
    here = _RANK[effort]
    candidates = [lvl for lvl in accepted if lvl in _BUDGET]
    if not candidates:
        return None
    return min(candidates, key=lambda lvl: (abs(_RANK[lvl] - here), -_RANK[lvl]))


def budget_to_effort(budget: int) -> ReasoningEffort:
    for openai, _, limit in EFFORTS:
        if budget <= limit:
            return openai
    return EFFORTS[-1][0]


# --- tool choice -----------------------------------------------------------------------
# anthropic ``tool_choice.type`` <-> openai ``tool_choice`` string; ``tool`` <-> a named
# function choice is handled beside it because it carries a name.
TOOL_CHOICE: tuple[Row[str, ToolChoiceMode], ...] = (
    ("auto", "auto", True, "both"),
    ("any", "required", True, "both"),
    ("none", "none", True, "both"),
)
TOOL_CHOICE_TO_OPENAI = {a: o for a, (o, _) in to_openai(TOOL_CHOICE).items()}
TOOL_CHOICE_TO_ANTHROPIC = {o: a for o, (a, _) in to_anthropic(TOOL_CHOICE).items()}

# --- service tier (requests) -----------------------------------------------------------
SERVICE_TIER: tuple[Row[ServiceTier, str], ...] = (
    ("auto", "auto", True, "both"),
    ("standard_only", "default", True, "both"),
)
SERVICE_TIER_TO_OPENAI = {a: o for a, (o, _) in to_openai(SERVICE_TIER).items()}
SERVICE_TIER_TO_ANTHROPIC = {o: a for o, (a, _) in to_anthropic(SERVICE_TIER).items()}

# --- the tier that served (responses) --------------------------------------------------
# anthropic ``usage.service_tier`` <-> openai ``service_tier`` of a ChatCompletion.
# Anthropic's ``batch`` and openai's ``auto`` / ``flex`` / ``scale`` / ``fast`` have no twin.
RESPONSE_TIERS: tuple[Row[str, str], ...] = (
    ("standard", "default", True, "both"),
    ("priority", "priority", True, "both"),
)
RESPONSE_TIER_TO_OPENAI = {a: o for a, (o, _) in to_openai(RESPONSE_TIERS).items()}
RESPONSE_TIER_TO_ANTHROPIC = {o: a for o, (a, _) in to_anthropic(RESPONSE_TIERS).items()}

# --- cache hints -----------------------------------------------------------------------
# anthropic ``cache_control.ttl`` <-> openai ``prompt_cache_breakpoint.ttl``. Only "no ttl"
# is the same on both sides; the rest is the nearest lifetime, reported as approximated.
CACHE_TTL: tuple[Row[CacheTTL | None, BreakpointTTL | None], ...] = (
    (None, None, True, "both"),
    ("5m", None, False, "to_openai"),
    ("1h", "30m", False, "both"),
    ("1h", "12h", False, "to_anthropic"),
)
CACHE_TTL_TO_OPENAI = to_openai(CACHE_TTL)
CACHE_TTL_TO_ANTHROPIC = to_anthropic(CACHE_TTL)

# --- stop reasons ----------------------------------------------------------------------
# anthropic ``stop_reason`` <-> openai ``finish_reason``. For to_anthropic the first row of
# a finish_reason wins, then the converter refines ``stop`` (a stop sequence that matched?)
# and ``stop`` after tool calls (really ``tool_use``). ``function_call`` is the finish reason
# of the deprecated ``function_call`` field: read, never written.
STOP_REASONS: tuple[Row[str, str], ...] = (
    ("end_turn", "stop", True, "both"),
    ("stop_sequence", "stop", True, "to_openai"),
    ("max_tokens", "length", True, "both"),
    ("model_context_window_exceeded", "length", False, "to_openai"),
    ("tool_use", "tool_calls", True, "both"),
    ("pause_turn", "stop", False, "to_openai"),
    ("refusal", "content_filter", True, "both"),
    ("tool_use", "function_call", True, "to_anthropic"),
)
STOP_TO_OPENAI = to_openai(STOP_REASONS)
FINISH_TO_ANTHROPIC = {o: a for o, (a, _) in to_anthropic(STOP_REASONS).items()}


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

# What a status alone says: the first row of each status, then the statuses providers use
# where Anthropic has none (DeepSeek's 422 and 503, a gateway's 408, Cloudflare's 524).
ERROR_BY_STATUS: dict[int, str] = {
    **{s: a for s, a, _ in reversed(ERRORS)},
    408: "timeout_error",
    422: "invalid_request_error",
    503: "overloaded_error",
    524: "timeout_error",
}


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
