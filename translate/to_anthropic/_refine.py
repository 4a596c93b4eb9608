"""The refinements both converters of this direction share (response and stream).

Each is written once and takes the caller's ledger as a ``lose(path, kind, detail)``
callback, the way ``_usage`` does: ``Ctx.lose`` for a response, a stream's once-per-path
``_lose``. The paths are the response's (``choices[0].finish_reason``...); a stream says
the same thing at the same path.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from .. import anthropic as a
from .. import openai as o
from .._decode import decode, join
from .._errors import TranslationError
from .._tables import FINISH_TO_ANTHROPIC, RESPONSE_TIER_TO_ANTHROPIC, STOP_TO_OPENAI
from .._tools import anthropic_id
from .._tools import restore_names as tool_names_restored
from .._usage import Lose

ANTHROPIC_FORMATS = (UNSET, None, "anthropic-claude-v1", "unknown")
"""``reasoning_details[].format`` values that are anthropic thinking as it is."""

ENVELOPE_WITHOUT_TWIN = ("system_fingerprint", "metadata", "moderation", "provider")
"""Top-level completion / chunk fields the anthropic dialect cannot say."""


MISSING_ID = "msg_unidentified"
"""The message id said for an upstream that sent none (a Loss says so)."""


# --- the client's request ------------------------------------------------------------------


def client_request(request: Any) -> a.MessagesRequest | None:
    """The client's anthropic request (``request=``), decoded; its errors name ``request``."""
    if request is None:
        return None
    try:
        return decode(request, a.MessagesRequest, [])
    except TranslationError as exc:
        raise TranslationError(join("request", exc.path), exc.reason) from None


def restore_names(req: a.MessagesRequest | None) -> dict[str, str]:
    """``{as sent: original}`` for the client's tool names the request had to shorten."""
    if req is None:
        return {}
    names = [t.name for t in req.tools or () if isinstance(t.name, str)]
    for m in req.messages:
        if isinstance(m, a.AssistantMessage) and isinstance(m.content, list):
            names.extend(b.name for b in m.content if isinstance(b, a.ToolUseBlock))
    if isinstance(req.tool_choice, a.ToolChoiceTool):
        names.append(req.tool_choice.name)
    return tool_names_restored(names)


def stop_sequences(req: a.MessagesRequest | None) -> list[str]:
    if req is None or req.stop_sequences is UNSET:
        return []
    return req.stop_sequences


def message_id(ident: Any, lose: Lose) -> str:
    """The completion's id is the message's; an upstream that sends none gets one said."""
    if isinstance(ident, str) and ident:
        return ident
    lose("id", "approximated", f"no id came: the message is {MISSING_ID!r}")
    return MISSING_ID


def tool_id(ident: Any, message: str, n: int, lose: Lose, path: str) -> str:
    """A tool call's id, or one made up from the message id and the call's place among
    the message's tool_use blocks (the same in a response and in a stream). An id outside
    anthropic's alphabet (Kimi's ``functions.Bash:0``, a Gemini gateway's thought
    signature) is rewritten into it reversibly: ``to_openai.request`` restores it."""
    said: str = ident if isinstance(ident, str) else ""
    if not said:
        lose(path, "approximated", "no id came: one is made up")
        said = f"toolu_{message}_{n}"
    return anthropic_id(said)


# --- envelope --------------------------------------------------------------------------------


def service_tier(tier: Any, usage: a.Usage, lose: Lose) -> None:
    """openai ``service_tier`` -> ``usage.service_tier`` (one table, read backwards)."""
    if tier is None:
        usage.service_tier = None
    elif tier is not UNSET:
        twin = RESPONSE_TIER_TO_ANTHROPIC.get(tier)
        if twin is None:
            lose("service_tier", "dropped", f"no anthropic service tier for {tier!r}")
        else:
            usage.service_tier = twin


# --- reasoning -------------------------------------------------------------------------------


def reasoning_text(content: Any, reasoning: Any, lose: Lose, path: str) -> str | None:
    """``reasoning_content`` or its vLLM spelling ``reasoning``: the text of one unsigned
    thinking block, or ``None`` when there is no reasoning. Empty reasoning is none (a
    stream cannot say an empty block, so a response does not either)."""
    if isinstance(content, str) and content:
        if isinstance(reasoning, str) and reasoning and reasoning != content:
            lose(
                join(path, "reasoning"), "dropped", "differs from reasoning_content, which is used"
            )
        return content
    if isinstance(reasoning, str) and reasoning:
        if content == "":
            lose(
                join(path, "reasoning_content"), "dropped", "empty beside reasoning, which is used"
            )
        return reasoning
    return None


def reasoning_detail(d: o.ReasoningDetail, lose: Lose, path: str, position: int = -1) -> None:
    """What one ``reasoning_details`` entry says that a thinking block cannot. In a
    response (``position`` given) an ``index`` other than the entry's place says an order
    that thinking blocks cannot; in a stream the index is the key the deltas merge by."""
    if isinstance(d, o.ReasoningSummary):
        lose(path, "approximated", "a reasoning summary said as unsigned thinking")
    if d.format not in ANTHROPIC_FORMATS:
        lose(
            join(path, "format"),
            "approximated",
            f"reasoning in format {d.format!r} said as anthropic thinking",
        )
    if d.id not in (UNSET, None):
        lose(join(path, "id"), "dropped", "thinking blocks have no id")
    if position >= 0 and d.index is not UNSET and d.index != position:
        lose(join(path, "index"), "dropped", "thinking blocks are in list order")


# --- refusals --------------------------------------------------------------------------------


def refusal_details(explanation: str) -> dict[str, Any]:
    """An openai ``refusal`` is anthropic ``stop_details`` (with ``stop_reason: refusal``)."""
    return {"type": "refusal", "category": None, "explanation": explanation}


def refusal_as_text(finish_reason: Any) -> bool:
    """A refusal is also said as a last text block (every client sees it; to_openai takes
    it back out) when the upstream finished normally; after ``content_filter`` it is the
    explanation only."""
    return bool(finish_reason == "stop")


# --- stop reasons ----------------------------------------------------------------------------


def stop_reason(  # noqa: PLR0917 (the facts a response and a stream both have)
    fr: Any,
    native: Any,
    matched: Any,
    stops: list[str],
    has_tools: bool,
    refused: bool,
    lose: Lose,
    path: str = "choices[0]",
) -> tuple[str, str | None]:
    """``finish_reason`` -> ``stop_reason`` by the one table (``_tables.STOP_REASONS``),
    refined by what else the upstream said: an anthropic ``native_finish_reason`` that
    agrees with it (OpenRouter, MiMo), vLLM's choice ``stop_reason`` (the stop string that
    matched), the client's stop list when a sequence matched but not which and the list
    has only one, tool calls (``stop`` after tool calls is ``tool_use``; ``tool_calls``
    without a tool block is ``end_turn``), a refusal."""
    if isinstance(native, str) and native in STOP_TO_OPENAI and STOP_TO_OPENAI[native][0] == fr:
        reason = native
    else:
        if isinstance(native, str) and native.lower() != (fr or "").lower():
            lose(
                join(path, "native_finish_reason"),
                "dropped",
                f"{native!r} beside finish_reason {fr!r} has no twin",
            )
        if isinstance(fr, str) and fr in FINISH_TO_ANTHROPIC:
            reason = FINISH_TO_ANTHROPIC[fr]
            if fr == "function_call":
                lose(
                    join(path, "finish_reason"),
                    "approximated",
                    "the deprecated function_call reads as tool_use",
                )
        else:
            reason = "end_turn"
            what = "no finish reason" if fr is None else f"unknown finish reason {fr!r}"
            lose(join(path, "finish_reason"), "approximated", f"{what}: said as end_turn")
    sequence = None
    if isinstance(matched, str):
        if reason in ("end_turn", "stop_sequence"):
            reason, sequence = "stop_sequence", matched
        else:
            lose(join(path, "stop_reason"), "dropped", f"a stop string beside finish_reason {fr!r}")
    elif reason == "stop_sequence":  # (an int ``stop_reason`` is a stop token: the turn's end)
        if len(stops) == 1:
            sequence = stops[0]
        else:
            lose(
                join(path, "native_finish_reason"),
                "approximated",
                "which stop sequence matched is unknown",
            )
    if reason == "end_turn" and has_tools:
        reason = "tool_use"
    elif reason == "tool_use" and not has_tools:
        reason = "end_turn"
        lose(join(path, "finish_reason"), "approximated", "tool calls announced, none made")
    if refused and reason != "refusal":
        if fr != "stop":
            lose(
                join(path, "finish_reason"),
                "approximated",
                f"a refusal's stop reason is refusal, not {fr!r}",
            )
        if sequence is not None:
            lose(join(path, "stop_reason"), "dropped", "a refusal names no stop sequence")
        reason, sequence = "refusal", None
    return reason, sequence
