"""Targets: the dialect a given upstream really accepts, as plain data.

A ``Target`` is a frozen struct of knobs read by the converters; no converter ever asks
*which* provider it is talking to. Adding a provider is adding a preset to ``PRESETS``.

``compatible`` is the lossless superset used for round trips: in the openai dialect it
speaks every extension (``reasoning_content`` + ``reasoning_details``, ``thinking``,
``top_k``, ``cache_control`` on parts and tool messages, images in tool messages,
``is_error``); in the anthropic dialect it accepts both API versions' fields at once.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from ._errors import TranslationError

Dialect = Literal["openai", "anthropic"]


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """What one upstream accepts. Build your own from a preset with ``msgspec.structs.replace``."""

    name: str
    dialect: Dialect

    # -- shared ------------------------------------------------------------------------
    unknown_fields: Literal["carry", "drop"] = "drop"
    """Unknown top-level fields of the input: carried unchanged, or dropped with a Loss."""
    temperature: tuple[float, float] | None = (0.0, 2.0)
    """Accepted temperature range (values outside are clamped, with a Loss); None: not accepted."""
    top_p: bool = True
    top_k: bool = False
    tool_name_max: int = 64
    """Longer tool names are shortened deterministically and restored via ``request=``."""

    # -- openai dialect ----------------------------------------------------------------
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = "max_completion_tokens"
    reasoning_replay: tuple[Literal["reasoning_content", "reasoning", "reasoning_details"], ...] = ()
    """Where earlier reasoning is replayed on assistant messages; empty: not accepted."""
    reasoning_required_on_tool_calls: bool = False
    """Every assistant turn with tool calls must carry its reasoning (MiMo, DeepSeek, Kimi)."""
    thinking_switch: tuple[Literal["thinking", "reasoning_effort", "reasoning", "chat_template_kwargs"], ...] = (
        "reasoning_effort",
    )
    """How thinking is switched and budgeted, in order of preference."""
    effort_levels: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
    thinking_budget: bool = False
    """``thinking.budget_tokens`` is carried inside the ``thinking`` switch (compatible)."""
    thinking_with_effort: bool = True
    """The provider accepts ``thinking: disabled`` together with ``reasoning_effort``."""
    tool_choice_with_thinking: bool = True
    """The provider accepts ``tool_choice`` while thinking (DeepSeek does not)."""
    cache_hints: Literal["cache_control", "prompt_cache_breakpoint", "none"] = "none"
    tool_message_images: bool = False
    """Images may stay inside ``role: tool`` messages; otherwise they follow in a user message."""
    tool_error: Literal["is_error", "prefix"] = "prefix"
    """How ``tool_result.is_error`` is said: an ``is_error`` field, or an ``Error:`` prefix."""
    structured_output: tuple[Literal["json_schema", "json_object"], ...] = ("json_schema", "json_object")
    official_fields_only: bool = False
    """Extension fields (``top_k``, ``chat_template_kwargs``, ...) are dropped with a Loss."""

    # -- anthropic dialect -------------------------------------------------------------
    default_max_tokens: int = 4096
    """``max_tokens`` when the openai request has none (the Messages API requires it)."""
    signatures: Literal["any", "signed_only", "unsigned_only"] = "any"
    """Replayed thinking: ``signed_only`` drops unsigned blocks (real Anthropic verifies
    signatures); ``unsigned_only`` strips signatures it cannot verify (MiMo)."""
    system_messages: bool = True
    """``role: system`` messages inside ``messages`` (API 2026-10-21); else hoisted into ``system``."""
    output_config: bool = True
    """``output_config.effort`` / ``format`` (API 2026-10-21)."""
    effort_means_thinking: bool = False
    """A ``reasoning_effort`` without a thinking switch also turns adaptive thinking on:
    an openai client that asks for an effort wants the model to reason."""


_OPENAI_BASE = Target(name="openai-base", dialect="openai")

PRESETS: dict[tuple[Dialect, str], Target] = {
    ("openai", "compatible"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="compatible",
        unknown_fields="carry",
        top_k=True,
        tool_name_max=64,
        reasoning_replay=("reasoning_content", "reasoning_details"),
        thinking_switch=("reasoning_effort", "thinking"),
        thinking_budget=True,
        cache_hints="cache_control",
        tool_message_images=True,
        tool_error="is_error",
    ),
    # The official OpenAI API: official fields only. Source: openai SDK 3.57 types.
    ("openai", "openai"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="openai",
        official_fields_only=True,
        cache_hints="prompt_cache_breakpoint",
    ),
    ("anthropic", "compatible"): Target(
        name="compatible",
        dialect="anthropic",
        unknown_fields="carry",
        temperature=(0.0, 1.0),
        top_k=True,
        tool_name_max=128,
    ),
    # API 2026-10-21: no sampling fields (a 400 even at defaults), signatures verified.
    ("anthropic", "anthropic"): Target(
        name="anthropic",
        dialect="anthropic",
        temperature=None,
        top_p=False,
        tool_name_max=128,
        signatures="signed_only",
        effort_means_thinking=True,
    ),
    # API 2023-06-01: sampling fields, no system messages, no output_config.
    ("anthropic", "anthropic-2023-06-01"): Target(
        name="anthropic-2023-06-01",
        dialect="anthropic",
        temperature=(0.0, 1.0),
        top_k=True,
        tool_name_max=128,
        signatures="signed_only",
        system_messages=False,
        output_config=False,
    ),
}


def resolve(target: str | Target, dialect: Dialect) -> Target:
    """The Target for ``target`` (a preset name or a Target) in ``dialect``."""
    if isinstance(target, Target):
        found = target
    else:
        found = PRESETS.get((dialect, target))  # type: ignore[assignment]
        if found is None:
            names = sorted(n for d, n in PRESETS if d == dialect)
            raise TranslationError("target", f"unknown {dialect} target {target!r}; known: {names}")
    if found.dialect != dialect:
        raise TranslationError("target", f"target {found.name!r} speaks the {found.dialect} dialect, not {dialect}")
    return found
