"""The refinements ``to_openai.response`` and ``to_openai.Stream`` share, each written once.

A Message and a stream of events say the same things in two shapes; whatever turns one of
those things into its openai form lives here, as one function taking a ``lose`` callback
(the way ``_usage.py`` does it), so the response and the stream cannot drift apart:

- the client's request (``client_request``) and the tool names its translation rewrote
  (``restore_names``);
- message fields with no openai twin (``NO_TWIN``, ``message_extras``);
- a tool call's arguments and the tool_use fields with no twin (``tool_arguments``,
  ``tool_use_extras``); blocks with no place in openai (``dropped_block``);
- thinking blocks as reasoning carriers (``reasoning_detail``, ``REASONING_JOIN``);
- a url citation's title (``citation_title``);
- a refusal (``refusal``);
- the stop reason as the finish fields (``finish_fields``);
- the tier that served (``served_tier``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import UNSET, UnsetType

from .. import anthropic as a
from .. import openai as o
from .._decode import decode, join
from .._errors import LossKind, TranslationError
from .._tables import RESPONSE_TIER_TO_OPENAI, STOP_TO_OPENAI, tag
from .._tools import dump_arguments, id_returns
from .._tools import restore_names as _restore

Lose = Callable[[str, LossKind, str], None]

NO_TWIN = ("container", "diagnostics")
"""Message fields the openai dialect has no place for (``message_start``'s message and a
response alike; ``message_delta`` may restate ``container``)."""

REASONING_JOIN = "\n\n"
"""What separates the texts of two thinking blocks in ``reasoning_content``."""


def client_request(request: Any) -> o.ChatCompletionRequest | None:
    """The client's openai request (``request=``), decoded; a bad one names its path
    under ``request``."""
    if request is None:
        return None
    try:
        return decode(request, o.ChatCompletionRequest, [])
    except TranslationError as exc:
        raise TranslationError(join("request", exc.path), exc.reason) from None


def restore_names(req: o.ChatCompletionRequest | None) -> dict[str, str]:
    """``{as sent: original}`` for the client's tool names that ``to_anthropic.request``
    had to rewrite (over the limit, or outside anthropic's alphabet: ``get.weather``)."""
    if req is None:
        return {}
    names = [t.function.name for t in req.tools or () if isinstance(t, o.FunctionTool)]
    for m in req.messages:
        if isinstance(m, o.AssistantMessage) and m.tool_calls not in (UNSET, None):
            names.extend(c.function.name for c in m.tool_calls if isinstance(c, o.FunctionToolCall))
    if isinstance(req.tool_choice, o.NamedToolChoice):
        names.append(req.tool_choice.function.name)
    return _restore(names)


def message_extras(message: Any, lose: Lose, fields: tuple[str, ...] = NO_TWIN) -> None:
    """A Loss for each message field with no twin that says something."""
    for field in fields:
        if getattr(message, field, UNSET) not in (UNSET, None):
            lose(field, "dropped", "no twin in the openai dialect")


def tool_arguments(block: a.ToolUseBlock, path: str, lose: Lose) -> str:
    """``tool_use.input`` -> ``function.arguments``; a block that came without ``input``
    (some servers omit it for a call without arguments) is called with ``{}``, a Loss."""
    if type(block.input) is a.NoInput:
        lose(join(path, "input"), "coerced", "a tool_use without input: called with {}")
    return dump_arguments(block.input)


def tool_use_extras(block: a.ToolUseBlock, path: str, lose: Lose) -> None:
    """A Loss for each tool_use field the openai tool call cannot say."""
    if not id_returns(block.id):
        lose(
            join(path, "id"),
            "approximated",
            "outside anthropic's id alphabet: comes back rewritten",
        )
    if block.cache_control not in (UNSET, None):
        lose(join(path, "cache_control"), "dropped", "no cache hints in a response")
    if (
        block.caller is not UNSET
        and block.caller is not None
        and (block.caller.type != "direct" or block.caller.tool_id is not UNSET)
    ):
        lose(join(path, "caller"), "dropped", "calls made by a server tool have no twin")
    if block.toolset_name not in (UNSET, None):
        lose(join(path, "toolset_name"), "dropped", "no twin in the openai dialect")


def dropped_block(block: Any, path: str, lose: Lose) -> None:
    """A content block the openai dialect has no place for: a Loss saying why."""
    if isinstance(block, a.SERVER_BLOCKS):
        lose(path, "dropped", f"{tag(block)} is an Anthropic server-side block")
    else:
        lose(path, "dropped", f"a {tag(block)} block has no place in an openai response")


COMPACTION_SAID = "a compaction block said as its summary text (its encrypted state dropped)"
COMPACTION_FAILED = "a compaction without a summary (a failed one) is a no-op"
COMPACTION_END = "\n\n"
"""What follows a compaction summary said as text in a response's content: the answer
that comes after it starts a paragraph of its own."""


def compaction(content: Any, path: str, lose: Lose) -> str | None:
    """A compaction block (beta: the server compacted the context) for an openai client,
    which has no such block: its summary as text the model can read when the client sends
    it back, with a Loss; a failed compaction (no summary) is nothing."""
    said = content if isinstance(content, str) and content else None
    compaction_loss(said is not None, path, lose)
    return said


def compaction_loss(said: bool, path: str, lose: Lose) -> None:
    """The Loss of a compaction block whose summary was ``said`` as text, or was not."""
    if said:
        lose(path, "approximated", COMPACTION_SAID)
    else:
        lose(path, "dropped", COMPACTION_FAILED)


def reasoning_detail(
    block: a.ThinkingBlock | a.RedactedThinkingBlock, index: int | UnsetType = UNSET
) -> o.ReasoningDetail:
    """A thinking block as its OpenRouter ``reasoning_details`` entry: its text and
    signature (``reasoning.text``), or a redacted block's data (``reasoning.encrypted``),
    with what ``openai_detail`` carried of the entry it came from (``compatible``: its
    id, format and index; a summary is a summary again). In a stream (``index`` given,
    the key its deltas merge by) the block's first entry omits an empty signature: the
    signature is still to come, in a ``signature_delta``."""
    extra = block.openai_detail
    out: o.ReasoningDetail
    if isinstance(block, a.RedactedThinkingBlock):
        out = o.ReasoningEncrypted(data=block.data)
    elif (
        extra is not UNSET
        and type(extra) is a.OpenAIThinkingDetail
        and extra.type == "reasoning.summary"
    ):
        out = o.ReasoningSummary(summary=block.thinking)
    elif index is UNSET:
        out = o.ReasoningText(text=block.thinking, signature=block.signature)
        if type(extra) is a.OpenAIThinkingDetail and extra.signature is None:
            out.signature = UNSET  # the entry had none (the block's "" stood for it)
    else:
        out = o.ReasoningText(text=block.thinking)
        if block.signature:
            out.signature = block.signature
    if extra is not UNSET:
        out.id, out.format, out.index = extra.id, extra.format, extra.index
    if index is not UNSET:
        out.index = index
    return out


def citation_title(citation: a.WebSearchResultLocation, path: str, lose: Lose) -> str:
    """A url citation's title: openai's ``url_citation.title`` is a string; a ``null``
    or missing one (the SDK marks it optional) is said as ``""``."""
    title = citation.title
    if isinstance(title, str):
        return title
    what = "a null title" if title is None else "a missing title"
    lose(join(path, "title"), "coerced", f'{what} said as ""')
    return ""


def refusal(details: Any, reason: Any, lose: Lose) -> str | None:
    """``stop_details`` -> the openai ``refusal``: the explanation of a refusal, else
    ``None``; whatever else ``stop_details`` says is a Loss. The caller decides what
    becomes of a refusal also said as the last text (a response takes it back out of
    ``content``, a stream has sent it already)."""
    if details is UNSET or details is None:
        return None
    if not isinstance(details, dict) or details.get("type") != "refusal":
        lose("stop_details", "dropped", "no twin in the openai dialect")
        return None
    for key, value in details.items():
        if key not in ("type", "category", "explanation") or (
            key == "category" and value is not None
        ):
            lose(f"stop_details.{key}", "dropped", "no twin in the openai dialect")
    explanation = details.get("explanation")
    if explanation is None:
        return None
    if not isinstance(explanation, str):
        lose("stop_details.explanation", "dropped", "not a string")
        return None
    if reason != "refusal":
        lose("stop_details", "approximated", f"a refusal beside stop_reason {reason!r}")
    return explanation


def finish_fields(
    reason: Any, sequence: Any, has_calls: bool, lose: Lose
) -> tuple[str, str | UnsetType, str | UnsetType]:
    """``stop_reason`` -> ``(finish_reason, native_finish_reason, stop_reason)`` by the one
    table (``_tables.STOP_REASONS``): a reason ``finish_reason`` can only approximate is
    said exactly in ``native_finish_reason`` (as OpenRouter and MiMo do, where
    ``to_anthropic`` reads it back); the stop sequence that matched goes to vLLM's choice
    ``stop_reason``."""
    finish = "stop"
    native: str | UnsetType = UNSET
    matched: str | UnsetType = UNSET
    if isinstance(reason, str) and reason in STOP_TO_OPENAI:
        finish, exact = STOP_TO_OPENAI[reason]
        if not exact:
            native = reason
    else:
        what = "no stop reason" if reason in (UNSET, None) else f"unknown stop reason {reason!r}"
        lose("stop_reason", "approximated", f"{what}: said as stop")
    if reason == "stop_sequence":
        if isinstance(sequence, str):
            matched = sequence
        else:
            native = reason
    elif sequence not in (UNSET, None):
        lose("stop_sequence", "dropped", f"a stop sequence beside stop_reason {reason!r}")
    if reason == "end_turn" and has_calls:
        lose("stop_reason", "approximated", "end_turn after tool calls reads as tool_use")
    elif reason == "tool_use" and not has_calls:
        # tool_calls would announce calls that are not there (and reads back as end_turn)
        finish = "stop"
        lose("stop_reason", "approximated", "tool_use without a tool call: said as stop")
    return finish, native, matched


def served_tier(usage: a.Usage, lose: Lose) -> str | UnsetType | None:
    """``usage.service_tier`` -> the openai ``service_tier`` (said on the completion or
    chunk, not in its usage); a tier with no twin is a Loss and absent."""
    tier = usage.service_tier
    if tier is None or tier is UNSET:
        return tier
    if tier in RESPONSE_TIER_TO_OPENAI:
        return RESPONSE_TIER_TO_OPENAI[tier]
    lose("usage.service_tier", "dropped", f"no openai service tier for {tier!r}")
    return UNSET
