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
from ._tables import EFFORT_LEVELS
from .openai import ReasoningEffort, ThinkingType

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
    reasoning_replay: tuple[
        Literal["reasoning_content", "reasoning", "reasoning_details"], ...
    ] = ()
    """Where earlier reasoning is replayed on assistant messages; empty: not accepted."""
    reasoning_required_on_tool_calls: bool = False
    """Every assistant turn with tool calls must carry its reasoning (MiMo, DeepSeek, Kimi)."""
    thinking_switch: tuple[
        Literal["thinking", "reasoning_effort", "reasoning", "chat_template_kwargs"], ...
    ] = ("reasoning_effort",)
    """How thinking is switched and budgeted, in order of preference."""
    effort_levels: tuple[ReasoningEffort, ...] = EFFORT_LEVELS
    """The ``reasoning_effort`` values accepted; others become the nearest, with a Loss."""
    thinking_types: tuple[ThinkingType, ...] = ("enabled", "disabled", "adaptive", "between_tools")
    """The ``thinking.type`` values the switch takes; others become ``enabled``, with a Loss."""
    thinking_budget: bool = False
    """``thinking.budget_tokens`` is carried inside the ``thinking`` switch (compatible)."""
    thinking_with_effort: bool = True
    """The provider accepts ``thinking: disabled`` together with ``reasoning_effort``."""
    tool_choice_with_thinking: bool = True
    """The provider accepts ``tool_choice`` while thinking (DeepSeek does not)."""
    cache_hints: Literal["cache_control", "prompt_cache_breakpoint", "none"] = "none"
    """How ``cache_control`` on content is said: on parts as is, as an explicit breakpoint, or not."""
    cache_carriers: bool = False
    """``cache_control`` may also sit on tool definitions, tool calls and tool messages."""
    tool_message_images: bool = False
    """Images may stay inside ``role: tool`` messages; otherwise they follow in a user message."""
    tool_error: Literal["is_error", "prefix"] = "prefix"
    """How ``tool_result.is_error`` is said: an ``is_error`` field, or an ``Error:`` prefix."""
    anthropic_fields: bool = False
    """What only the anthropic dialect says rides on openai structs as extensions (the
    ``compatible`` form): ``compaction`` and ``tool_reference`` parts, a tool's
    ``defer_loading`` / ``allowed_callers`` / ``eager_input_streaming`` / ``input_examples``,
    a call's ``caller``. Otherwise they are rendered as text or dropped, with a Loss."""
    structured_output: tuple[Literal["json_schema", "json_object"], ...] = (
        "json_schema",
        "json_object",
    )
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
    api_version: str = "2023-06-01"
    """The ``anthropic-version`` header this upstream is spoken to with (what a gateway sends)."""
    openai_fields: bool = False
    """What only the openai dialect says rides on anthropic structs as extensions (the
    ``compatible`` form): a ``developer`` message stays a ``role: system`` message marked
    ``openai_role: "developer"`` (the first one too, instead of joining ``system``).
    Otherwise it is said as a system message, with a Loss."""
    effort_means_thinking: bool = False
    """A ``reasoning_effort`` without a thinking switch also turns adaptive thinking on:
    an openai client that asks for an effort wants the model to reason."""


_OPENAI_BASE = Target(name="openai-base", dialect="openai")
_ON_OFF: tuple[ThinkingType, ...] = ("enabled", "disabled")
_ANTHROPIC_2023 = Target(
    name="anthropic-2023-06-01",
    dialect="anthropic",
    temperature=(0.0, 1.0),
    top_k=True,
    tool_name_max=128,
    signatures="signed_only",
    system_messages=False,
    output_config=False,
)

PRESETS: dict[tuple[Dialect, str], Target] = {
    ("openai", "compatible"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="compatible",
        unknown_fields="carry",
        top_k=True,
        reasoning_replay=("reasoning_content", "reasoning_details"),
        thinking_switch=("reasoning_effort", "thinking"),
        thinking_budget=True,
        cache_hints="cache_control",
        cache_carriers=True,
        tool_message_images=True,
        tool_error="is_error",
        anthropic_fields=True,
    ),
    # The official OpenAI API: official fields only. Source: openai SDK 3.57 types.
    ("openai", "openai"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="openai",
        official_fields_only=True,
        cache_hints="prompt_cache_breakpoint",
    ),
    # Xiaomi MiMo chat completions. Source: the MaaS MiMo API document (seeds/mimo-maas-api.txt):
    # thinking {type: enabled|disabled}, reasoning_effort has no effect, max_completion_tokens
    # covers thinking and answer, temperature in [0, 1.5], function names 1-64 characters,
    # response_format json_object only; DIALECTS.md: since 2026-05-12 every replayed assistant
    # tool-call turn must carry its reasoning_content, else 400 "Param Incorrect".
    ("openai", "mimo"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="mimo",
        temperature=(0.0, 1.5),
        reasoning_replay=("reasoning_content",),
        reasoning_required_on_tool_calls=True,
        thinking_switch=("thinking",),
        thinking_types=_ON_OFF,
        structured_output=("json_object",),
    ),
    # DeepSeek. Source: api-docs.deepseek.com, "Thinking Mode": thinking {type: enabled|disabled}
    # (on by default), reasoning_effort low | high | max (others mapped by the server), the
    # reasoning_content of tool-call turns must be passed back; DIALECTS.md: rejects
    # thinking disabled beside reasoning_effort, and tool_choice in thinking mode; max_tokens.
    ("openai", "deepseek"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="deepseek",
        max_tokens_field="max_tokens",
        reasoning_replay=("reasoning_content",),
        reasoning_required_on_tool_calls=True,
        thinking_switch=("thinking", "reasoning_effort"),
        thinking_types=_ON_OFF,
        effort_levels=("low", "high", "max"),
        thinking_with_effort=False,
        tool_choice_with_thinking=False,
        structured_output=("json_object",),
    ),
    # Moonshot Kimi. Source: Moonshot's thinking-model guide and the 400 "thinking is enabled
    # but reasoning_content is missing in assistant tool call message at index N" reported by
    # its users; a forced tool_choice is rejected while thinking; temperature in [0, 1].
    ("openai", "kimi"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="kimi",
        max_tokens_field="max_tokens",
        temperature=(0.0, 1.0),
        reasoning_replay=("reasoning_content",),
        reasoning_required_on_tool_calls=True,
        thinking_switch=("thinking",),
        thinking_types=_ON_OFF,
        tool_choice_with_thinking=False,
        structured_output=("json_object",),
    ),
    # vLLM / SGLang. Source: docs.vllm.ai "Reasoning Outputs": the `reasoning` field (was
    # reasoning_content), thinking switched by chat_template_kwargs.enable_thinking; top_k.
    ("openai", "vllm"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="vllm",
        top_k=True,
        reasoning_replay=("reasoning",),
        thinking_switch=("chat_template_kwargs",),
    ),
    # OpenRouter. Source: openrouter.ai "Reasoning Tokens": reasoning {effort | max_tokens,
    # enabled, exclude}, reasoning_details replayed unmodified; cache_control on content parts.
    ("openai", "openrouter"): msgspec.structs.replace(
        _OPENAI_BASE,
        name="openrouter",
        top_k=True,
        reasoning_replay=("reasoning_details",),
        thinking_switch=("reasoning",),
        cache_hints="cache_control",
    ),
    ("anthropic", "compatible"): Target(
        name="compatible",
        dialect="anthropic",
        unknown_fields="carry",
        temperature=(0.0, 1.0),
        top_k=True,
        tool_name_max=128,
        openai_fields=True,
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
        api_version="2026-10-21",
    ),
    # API 2023-06-01: sampling fields, no system messages, no output_config.
    ("anthropic", "anthropic-2023-06-01"): _ANTHROPIC_2023,
    # MiMo's /v1/messages. Source: the seed (its answer carries thinking with signature "")
    # and DIALECTS.md: unsigned thinking accepted back, foreign signatures rejected, the
    # reasoning of tool-call turns mandatory on both protocols, temperature in [0, 1.5].
    ("anthropic", "mimo-anthropic"): msgspec.structs.replace(
        _ANTHROPIC_2023,
        name="mimo-anthropic",
        temperature=(0.0, 1.5),
        signatures="unsigned_only",
        reasoning_required_on_tool_calls=True,
    ),
    # DeepSeek's anthropic endpoint. Source: api-docs.deepseek.com, "Thinking Mode": thinking
    # {type} and output_config.effort in the Anthropic format; tool-call reasoning replayed.
    ("anthropic", "deepseek-anthropic"): msgspec.structs.replace(
        _ANTHROPIC_2023,
        name="deepseek-anthropic",
        signatures="any",
        output_config=True,
        reasoning_required_on_tool_calls=True,
    ),
    # Kimi's anthropic endpoint (what Claude Code is pointed at): 2023-06-01 fields, and the
    # same rule as its chat completions: tool-call turns keep their thinking.
    ("anthropic", "kimi-anthropic"): msgspec.structs.replace(
        _ANTHROPIC_2023,
        name="kimi-anthropic",
        signatures="any",
        reasoning_required_on_tool_calls=True,
    ),
}


def resolve(target: str | Target, dialect: Dialect) -> Target:
    """The Target for ``target`` (a preset name or a Target) in ``dialect``."""
    if isinstance(target, Target):
        found = target
    else:
        preset = PRESETS.get((dialect, target))
        if preset is None:
            names = sorted(n for d, n in PRESETS if d == dialect)
            raise TranslationError("target", f"unknown {dialect} target {target!r}; known: {names}")
        found = preset
    if found.dialect != dialect:
        raise TranslationError(
            "target", f"target {found.name!r} speaks the {found.dialect} dialect, not {dialect}"
        )
    return found


def table() -> str:
    """The README's table of presets, made from the presets themselves (a test checks it)."""

    def words(values: tuple[str, ...]) -> str:
        return ", ".join(f"`{v}`" for v in values) or "none"

    rows = [
        "| target | dialect | thinking switch | reasoning replayed as | required on tool calls | max tokens | temperature | top_k | cache hints | structured output | signatures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (dialect, name), t in PRESETS.items():
        temperature = (
            "dropped" if t.temperature is None else f"{t.temperature[0]:g}..{t.temperature[1]:g}"
        )
        if dialect == "openai":
            switch, replay = words(t.thinking_switch), words(t.reasoning_replay)
            tokens, structured, signatures = (
                f"`{t.max_tokens_field}`",
                words(t.structured_output),
                "-",
            )
            cache = t.cache_hints
        else:
            switch = "`thinking`, `output_config.effort`" if t.output_config else "`thinking`"
            replay, tokens, cache = "thinking blocks", "`max_tokens`", "cache_control"
            structured = "`output_config.format`" if t.output_config else "none"
            signatures = t.signatures
        rows.append(
            f"| `{name}` | {dialect} | {switch} | {replay} | {'yes' if t.reasoning_required_on_tool_calls else 'no'} "
            f"| {tokens} | {temperature} | {'yes' if t.top_k else 'no'} | {cache} | {structured} | {signatures} |"
        )
    return "\n".join(rows) + "\n"
