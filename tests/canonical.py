"""The canonical form of a request: what the round-trip properties compare.

Each rule identifies two spellings that the receiving API documents as the same request
(README, "Canonical form"). Nothing here hides a loss: a translation that loses anything
reports it, and the properties only compare round trips that reported no loss.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

DEFAULT_MAX_TOKENS = 4096


def _text_list(content: Any) -> Any:
    """Content ``"x"`` is content ``[{"type": "text", "text": "x"}]`` (both dialects)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return content


def _drop_nulls(d: dict[str, Any], keys: tuple[str, ...]) -> None:
    for k in keys:
        if k in d and d[k] is None:
            del d[k]


# --- anthropic ---------------------------------------------------------------------------


def anthropic(req: dict[str, Any]) -> dict[str, Any]:
    d = copy.deepcopy(req)
    messages = d.get("messages", [])
    # A system message first in line, with no top-level system, is the system prompt.
    if "system" not in d and messages and messages[0].get("role") == "system":
        d["system"] = messages.pop(0)["content"]
    if "system" in d:
        d["system"] = _text_list(d["system"])
        for block in d["system"]:
            _block(block)
    merged: list[dict[str, Any]] = []
    for m in messages:
        m["content"] = _text_list(m["content"])
        for block in m["content"]:
            _block(block)
        # "Consecutive user or assistant turns in your request will be combined into a single turn."
        if merged and merged[-1]["role"] == m["role"] and m["role"] in ("user", "assistant"):
            merged[-1]["content"] = merged[-1]["content"] + m["content"]
        else:
            merged.append(m)
    d["messages"] = merged
    for tool in d.get("tools", []):
        if tool.get("type") in ("custom", None):
            tool.pop("type", None)
        _drop_nulls(tool, ("cache_control", "eager_input_streaming"))
    if "metadata" in d:
        _drop_nulls(d["metadata"], ("user_id",))
        if not d["metadata"]:
            del d["metadata"]
    if "output_config" in d:
        _drop_nulls(d["output_config"], ("effort", "format"))
        if not d["output_config"]:
            del d["output_config"]
    _drop_nulls(d, ("cache_control", "container", "diagnostics", "inference_geo", "speed"))
    return d


def _block(b: dict[str, Any]) -> None:
    _drop_nulls(
        b, ("cache_control", "citations", "title", "context", "toolset_name", "transformations")
    )
    if b.get("caller") == {"type": "direct"}:
        del b["caller"]
    if b.get("type") == "document" and b.get("citations") == {"enabled": False}:
        del b["citations"]
    if b.get("type") == "tool_result":
        b.setdefault("content", "")
        if isinstance(b["content"], list):
            for item in b["content"]:
                _block(item)


# --- openai ------------------------------------------------------------------------------

_DEFAULTS = {
    "n": 1,
    "logprobs": False,
    "store": False,
    "frequency_penalty": 0,
    "presence_penalty": 0,
}


def openai(req: dict[str, Any], *, via_anthropic: bool = True) -> dict[str, Any]:
    d = copy.deepcopy(req)
    for k in [k for k, v in d.items() if v is None]:
        del d[k]
    for k, v in _DEFAULTS.items():
        if d.get(k) == v:
            del d[k]
    if d.get("modalities") == ["text"]:
        del d["modalities"]
    if d.get("logit_bias") == {}:
        del d["logit_bias"]
    if d.get("response_format") == {"type": "text"}:
        del d["response_format"]
    # max_tokens is the deprecated spelling of max_completion_tokens.
    if "max_tokens" in d:
        d.setdefault("max_completion_tokens", d.pop("max_tokens"))
    if via_anthropic:
        d.setdefault("max_completion_tokens", DEFAULT_MAX_TOKENS)
    if isinstance(d.get("stop"), str):
        d["stop"] = [d["stop"]]
    if d.get("stream") is True:
        options = d.setdefault("stream_options", {})
        options["include_usage"] = True
    else:
        d.pop("stream_options", None)
    if d.get("tools") and "parallel_tool_calls" in d:
        d.setdefault("tool_choice", "auto")
    for tool in d.get("tools", []):
        fn = tool.get("function", {})
        fn.setdefault("parameters", {"type": "object", "properties": {}})
        _drop_nulls(fn, ("strict",))
        _drop_nulls(tool, ("cache_control",))
    _thinking(d)
    for m in d.get("messages", []):
        if m["role"] == "developer":
            m["role"] = "system"
        if m["role"] == "assistant":
            _assistant(m)
        elif "content" in m:
            m["content"] = _text_list(m["content"])
            for part in m["content"]:
                _part(part)
        if m["role"] == "tool":
            _drop_nulls(m, ("cache_control",))
    return d


def _part(p: dict[str, Any]) -> None:
    _drop_nulls(p, ("cache_control",))
    if p.get("type") == "image_url" and p["image_url"].get("detail") == "auto":
        del p["image_url"]["detail"]
    if p.get("type") == "file":
        data = p["file"].get("file_data")
        if isinstance(data, str) and not data.startswith("data:"):
            p["file"]["file_data"] = "data:application/pdf;base64," + data


def _assistant(m: dict[str, Any]) -> None:
    content = m.get("content")
    if content in (None, "", []):
        m.pop("content", None)
    else:
        m["content"] = _text_list(content)
        for part in m["content"]:
            _part(part)
    _drop_nulls(m, ("refusal", "function_call", "audio", "reasoning_details"))
    if m.get("tool_calls") == []:
        del m["tool_calls"]
    for call in m.get("tool_calls", []):
        fn = call["function"]
        with contextlib.suppress(ValueError):
            fn["arguments"] = json.dumps(
                json.loads(fn["arguments"] or "{}"), separators=(",", ":"), ensure_ascii=False
            )
        _drop_nulls(call, ("cache_control",))
    # One reasoning, three carriers: reasoning_details when present, else reasoning_content.
    text = m.pop("reasoning_content", None)
    alt = m.pop("reasoning", None)
    if text is None:
        text = alt
    if m.get("reasoning_details"):
        return
    m.pop("reasoning_details", None)
    if text is not None:
        m["reasoning_content"] = text


def _thinking(d: dict[str, Any]) -> None:
    """The provider switches (``reasoning``, ``chat_template_kwargs``, ``thinking:
    disabled``) said with ``thinking`` + ``reasoning_effort``."""
    rc = d.pop("reasoning", None)
    if rc:
        if rc.get("effort") is not None:
            d.setdefault("reasoning_effort", rc["effort"])
        if rc.get("enabled") is False:
            d.setdefault("thinking", {"type": "disabled"})
        elif rc.get("max_tokens") is not None:
            d.setdefault("thinking", {"type": "enabled", "budget_tokens": rc["max_tokens"]})
        elif rc.get("enabled") is True or rc.get("effort") is not None:
            d.setdefault("thinking", {"type": "adaptive"})
    kwargs = d.pop("chat_template_kwargs", None)
    if kwargs and "enable_thinking" in kwargs:
        d.setdefault("thinking", {"type": "adaptive" if kwargs["enable_thinking"] else "disabled"})
    if d.get("thinking") == {"type": "disabled"} and "reasoning_effort" not in d:
        del d["thinking"]
        d["reasoning_effort"] = "none"
    elif d.get("reasoning_effort") == "none" and d.get("thinking") == {"type": "disabled"}:
        del d["thinking"]


# --- the Responses dialect -------------------------------------------------------------------


def responses_request(req: dict, losses: list, *, messages: bool = False) -> dict:
    """What a Responses request means, for comparing round trips through Chat (applied to
    both sides): a message without ``type`` is ``type: message``; ``status: completed`` on
    an input item is no status; ``encrypted_content: null`` is absent; empty
    ``annotations`` are absent; ``instructions`` is a leading system message; what a Loss
    names is not compared. With ``messages`` (through the Messages hub), also: a
    ``developer`` message is a ``system`` one, a custom tool's output a function's (its
    call was a Loss), ``store: false`` and the Messages API's required
    ``max_output_tokens: 4096`` say nothing."""
    req = copy.deepcopy(req)
    lost = {loss.path for loss in losses}
    for key in list(req):
        if key in lost or req[key] is None:
            del req[key]
        elif isinstance(req[key], dict):
            req[key] = {k: v for k, v in req[key].items() if f"{key}.{k}" not in lost}
            if not req[key]:
                del req[key]
    items = req.get("input")
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    items = list(items or [])
    if "instructions" in req:
        items.insert(0, {"type": "message", "role": "system", "content": req.pop("instructions")})
    out = []
    for i, given in enumerate(items):
        if f"input[{i}]" in lost:
            continue
        item = {k: v for k, v in given.items() if f"input[{i}].{k}" not in lost}
        item.setdefault("type", "message")
        if messages and item.get("role") == "developer":
            item["role"] = "system"
        if messages and item["type"] == "custom_tool_call_output":
            item["type"] = "function_call_output"
        if item.get("status") == "completed":
            del item["status"]
        if item.get("encrypted_content", 0) is None:
            del item["encrypted_content"]
        for part in item.get("content") if isinstance(item.get("content"), list) else ():
            if part.get("annotations", 0) == []:
                del part["annotations"]
        out.append(item)
    req["input"] = out
    if messages:
        if req.get("store") is False:
            del req["store"]
        if req.get("max_output_tokens") == 4096:
            del req["max_output_tokens"]
    if "tools" in req:
        req["tools"] = [t for i, t in enumerate(req["tools"]) if f"tools[{i}]" not in lost]
    return req


def responses_response(resp: dict) -> dict:
    """The Response a Responses stream accumulates to, compared with the non-stream
    translation of the accumulated upstream (applied to both sides): the same, but a
    call's ``arguments`` compare as the JSON they encode (``{"a": 1}`` is ``{"a":1}``: a
    stream passes the upstream's pieces on as they come)."""
    resp = copy.deepcopy(resp)
    for item in resp.get("output") or ():
        if item.get("type") == "function_call":
            try:
                value = json.loads(item["arguments"] or "{}")
            except ValueError:
                continue  # not JSON: compared as it is
            item["arguments"] = value
    return resp
