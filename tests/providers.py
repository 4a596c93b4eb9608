"""What each provider accepts, written down once: one validator per preset.

Each validator is the provider's documented request rules (the sources are beside the
presets in translate/targets.py), checked on top of the strict SDK types with only the
extension keys that provider reads. They raise AssertionError naming the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import sdk_strict

REASONING_KEYS = ("reasoning_content", "reasoning", "reasoning_details")


def _assistants(req: dict) -> list[dict]:
    return [m for m in req["messages"] if m["role"] == "assistant"]


def _reasoning_only(req: dict, key: str | None) -> None:
    """The provider reads one reasoning carrier; the others must not appear."""
    for m in _assistants(req):
        for other in REASONING_KEYS:
            if other != key:
                assert other not in m, f"{other} is not read by this provider"


def _replayed_on_tool_calls(req: dict, key: str) -> None:
    """MiMo, DeepSeek, Kimi: every assistant tool-call turn carries its reasoning."""
    for i, m in enumerate(req["messages"]):
        if m["role"] == "assistant" and m.get("tool_calls"):
            assert isinstance(m.get(key), str), f"messages[{i}]: a tool-call turn without {key}"


def _temperature(req: dict, low: float, high: float) -> None:
    if req.get("temperature") is not None:
        assert low <= req["temperature"] <= high, f"temperature outside [{low}, {high}]"


def _names(req: dict, limit: int = 64) -> None:
    """OpenAI: function names match ``^[a-zA-Z0-9_-]{1,64}$`` (a 400 otherwise), in the
    definitions, the named tool_choice and the calls of the history."""
    name = re.compile(rf"[a-zA-Z0-9_-]{{1,{limit}}}")
    for tool in req.get("tools", []):
        if "function" in tool:
            assert name.fullmatch(tool["function"]["name"]), "function name"
    choice = req.get("tool_choice")
    if isinstance(choice, dict) and "function" in choice:
        assert name.fullmatch(choice["function"]["name"]), "tool_choice name"
    for m in _assistants(req):
        for call in m.get("tool_calls") or []:
            if "function" in call:
                assert name.fullmatch(call["function"]["name"]), "tool call name"


_ANTHROPIC_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")
_ANTHROPIC_ID = re.compile(r"[a-zA-Z0-9_-]+")


def _anthropic_names(req: dict) -> None:
    """Anthropic: client tool names match ``^[a-zA-Z0-9_-]{1,128}$``, tool-use ids
    ``^[a-zA-Z0-9_-]+$`` (400s otherwise), wherever they appear."""
    for tool in req.get("tools", []):
        if tool.get("type") in (None, "custom"):
            assert _ANTHROPIC_NAME.fullmatch(tool["name"]), "tool name"
    choice = req.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool":
        assert _ANTHROPIC_NAME.fullmatch(choice["name"]), "tool_choice name"
    for m in req["messages"]:
        for b in m["content"] if isinstance(m["content"], list) else []:
            if b["type"] == "tool_use":
                assert _ANTHROPIC_NAME.fullmatch(b["name"]), "tool_use name"
                assert _ANTHROPIC_ID.fullmatch(b["id"]), "tool_use id"
            if b["type"] == "tool_result":
                assert _ANTHROPIC_ID.fullmatch(b["tool_use_id"]), "tool_result id"


def _no_json_schema(req: dict) -> None:
    assert req.get("response_format", {}).get("type") != "json_schema", (
        "json_schema is not supported"
    )


def _thinking_on(req: dict) -> bool:
    return (
        req.get("thinking", {}).get("type") != "disabled" and req.get("reasoning_effort") != "none"
    )


def mimo(req: dict) -> None:
    sdk_strict.validate_openai_request(
        req, extensions={"$.thinking", "$.messages[role=assistant].reasoning_content"}
    )
    assert req.get("thinking", {"type": "enabled"})["type"] in ("enabled", "disabled")
    assert set(req.get("thinking", {})) <= {"type"}, "MiMo's thinking switch has a type only"
    assert "reasoning_effort" not in req and "max_tokens" not in req
    _temperature(req, 0.0, 1.5)
    _reasoning_only(req, "reasoning_content")
    _replayed_on_tool_calls(req, "reasoning_content")
    _no_json_schema(req)
    _names(req)


def deepseek(req: dict) -> None:
    sdk_strict.validate_openai_request(
        req, extensions={"$.thinking", "$.messages[role=assistant].reasoning_content"}
    )
    thinking = req.get("thinking", {"type": "enabled"})
    assert thinking["type"] in ("enabled", "disabled") and set(thinking) <= {"type"}
    assert req.get("reasoning_effort") in (None, "low", "high", "max")
    assert not (thinking["type"] == "disabled" and "reasoning_effort" in req), (
        "disabled thinking with an effort"
    )
    if _thinking_on(req):
        assert req.get("tool_choice", "auto") in ("auto", "none"), (
            "a forced tool_choice while thinking"
        )
    assert "max_completion_tokens" not in req
    _reasoning_only(req, "reasoning_content")
    _replayed_on_tool_calls(req, "reasoning_content")
    _no_json_schema(req)
    _names(req)


def kimi(req: dict) -> None:
    sdk_strict.validate_openai_request(
        req, extensions={"$.thinking", "$.messages[role=assistant].reasoning_content"}
    )
    thinking = req.get("thinking", {"type": "enabled"})
    assert thinking["type"] in ("enabled", "disabled") and set(thinking) <= {"type"}
    assert "reasoning_effort" not in req and "max_completion_tokens" not in req
    if _thinking_on(req):
        assert req.get("tool_choice", "auto") in ("auto", "none"), (
            "a forced tool_choice while thinking"
        )
    _temperature(req, 0.0, 1.0)
    _reasoning_only(req, "reasoning_content")
    _replayed_on_tool_calls(req, "reasoning_content")
    _no_json_schema(req)
    _names(req)


def vllm(req: dict) -> None:
    sdk_strict.validate_openai_request(
        req,
        extensions={"$.top_k", "$.chat_template_kwargs", "$.messages[role=assistant].reasoning"},
    )
    assert set(req.get("chat_template_kwargs", {})) <= {"enable_thinking"}
    _reasoning_only(req, "reasoning")
    _names(req)


def openrouter(req: dict) -> None:
    sdk_strict.validate_openai_request(
        req,
        extensions={
            "$.top_k",
            "$.reasoning",
            "$.messages[role=assistant].reasoning_details",
            "$.messages[*].content[*].cache_control",
        },
    )
    rc = req.get("reasoning", {})
    assert set(rc) <= {"effort", "max_tokens", "enabled", "exclude"}
    assert not ("effort" in rc and "max_tokens" in rc), "effort or max_tokens, not both"
    _reasoning_only(req, "reasoning_details")
    _names(req)


def _beta(req: dict) -> bool:
    """Beta content (a ``compaction`` block): judged by the SDK's beta types."""
    return any(
        isinstance(m["content"], list) and any(b["type"] == "compaction" for b in m["content"])
        for m in req["messages"]
    )


def _anthropic_2023(req: dict) -> None:
    if _beta(req):
        sdk_strict.validate_anthropic_beta_request_2023(req)
    else:
        sdk_strict.validate_anthropic_request_2023(req)
    _anthropic_names(req)
    assert all(m["role"] != "system" for m in req["messages"]), (
        "no system messages in API 2023-06-01"
    )


def _thinking_on_tool_use(req: dict) -> None:
    for i, m in enumerate(req["messages"]):
        blocks = m["content"] if isinstance(m["content"], list) else []
        if m["role"] == "assistant" and any(b["type"] == "tool_use" for b in blocks):
            assert any(b["type"] in ("thinking", "redacted_thinking") for b in blocks), (
                f"messages[{i}]: tool use without thinking"
            )


def mimo_anthropic(req: dict) -> None:
    _anthropic_2023(req)
    assert "output_config" not in req
    _temperature(req, 0.0, 1.5)
    for m in req["messages"]:
        for b in m["content"] if isinstance(m["content"], list) else []:
            assert b["type"] != "thinking" or b["signature"] == "", (
                "MiMo rejects foreign signatures"
            )
    _thinking_on_tool_use(req)


def deepseek_anthropic(req: dict) -> None:
    body = {k: v for k, v in req.items() if k != "output_config"}
    _anthropic_2023(body)
    assert set(req.get("output_config", {})) <= {"effort", "format"}
    _thinking_on_tool_use(req)


def kimi_anthropic(req: dict) -> None:
    _anthropic_2023(req)
    assert "output_config" not in req
    _thinking_on_tool_use(req)


def anthropic_official(req: dict) -> None:
    if _beta(req):
        sdk_strict.validate_anthropic_beta_request(req)
    else:
        sdk_strict.validate_anthropic_request(req)
    _anthropic_names(req)
    for m in req["messages"]:
        for b in m["content"] if isinstance(m["content"], list) else []:
            assert b["type"] != "thinking" or b["signature"], (
                "real Anthropic verifies thinking signatures"
            )


OPENAI_DIALECT: dict[str, Callable[[dict], Any]] = {
    "mimo": mimo,
    "deepseek": deepseek,
    "kimi": kimi,
    "vllm": vllm,
    "openrouter": openrouter,
    "openai": lambda req: (sdk_strict.validate_openai_request(req, extensions=None), _names(req)),
}
ANTHROPIC_DIALECT: dict[str, Callable[[dict], Any]] = {
    "mimo-anthropic": mimo_anthropic,
    "deepseek-anthropic": deepseek_anthropic,
    "kimi-anthropic": kimi_anthropic,
    "anthropic": anthropic_official,
    "anthropic-2023-06-01": _anthropic_2023,
}
