"""The canonical forms the round-trip properties compare: one function per payload kind
and dialect, the only place where two payloads are declared the same.

Each rule identifies two spellings that the receiving API documents as the same payload
(README, "Canonical form"), or that the converters' docstrings list as what the way back
cannot tell apart (``to_openai/_response.py``, ``to_anthropic/_response.py``). Nothing
here hides a loss: a translation that loses anything reports it, and the properties only
compare round trips that reported no loss.

=========  ======================  ==========================
kind       anthropic               openai
=========  ======================  ==========================
request    ``anthropic_request``   ``openai_request``
response   ``anthropic_message``   ``openai_completion``
stream     ``anthropic_stream``    ``openai_stream``
error      ``anthropic_error``     ``openai_error``
SSE frame  ``sse_event`` (the same framing in both dialects)
=========  ======================  ==========================

A form applied to one side only (``back == form(source)``) says what the way back writes
for each spelling of the source; a form applied to both sides (``form(a) == form(b)``)
says which spellings are the same payload.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from typing import Any

import msgspec

from translate._error_body import fallback_message
from translate._tables import ERROR_BY_STATUS, ERROR_TO_OPENAI, GENERIC_ERROR, STOP_REASONS
from translate.sse import ServerSentEvent

# --- requests ----------------------------------------------------------------------------

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


def anthropic_request(req: dict[str, Any]) -> dict[str, Any]:
    """A Messages request (compared on both sides). The Messages API documents:

    - content ``"x"`` is content ``[{"type": "text", "text": "x"}]`` (system included);
    - "consecutive user or assistant turns in your request will be combined into a single
      turn"; a ``role: system`` message first in line, with no ``system``, is the system
      prompt (the ``2026-10-21`` system messages);
    - a tool of ``type: custom`` is a tool without a type (the default);
    - ``null`` is absent for the nullable fields, and so are documented defaults: an empty
      ``tool_result`` content, a ``direct`` caller, ``citations: {enabled: false}`` on a
      document, empty ``metadata`` / ``output_config``, an empty ``openai_detail``.
    """
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
    if b.get("openai_detail") == {}:  # the compatible carrier, carrying nothing
        del b["openai_detail"]
    _drop_nulls(
        b, ("cache_control", "citations", "title", "context", "toolset_name", "transformations")
    )
    if b.get("caller", 0) in ({"type": "direct"}, None):
        del b["caller"]
    if b.get("type") == "document" and b.get("citations") == {"enabled": False}:
        del b["citations"]
    if b.get("type") == "tool_result":
        b.setdefault("content", "")
        if b["content"] == []:  # no content, said as an empty list or an empty string
            b["content"] = ""
        if isinstance(b["content"], list):
            for item in b["content"]:
                _block(item)


_DEFAULTS = {
    "n": 1,
    "logprobs": False,
    "store": False,
    "frequency_penalty": 0,
    "presence_penalty": 0,
}


def openai_request(req: dict[str, Any], *, via_anthropic: bool = True) -> dict[str, Any]:
    """A Chat Completions request (compared on both sides). The API reference documents:

    - ``null`` is absent, and so are the defaults: ``n: 1``, ``logprobs: false``,
      ``store: false``, zero penalties, ``modalities: ["text"]``, an empty ``logit_bias``,
      ``metadata`` or ``functions`` (no bias, no metadata, no functions; not so an empty
      ``web_search_options``, which turns search on), ``response_format: {type: text}``,
      ``detail: "auto"``, a function without ``parameters`` (an empty object schema), a
      blank assistant ``content``;
    - ``max_tokens`` is the deprecated spelling of ``max_completion_tokens``; through the
      anthropic dialect, which requires one, an absent limit is ``DEFAULT_MAX_TOKENS``;
    - ``stop: "x"`` is ``stop: ["x"]``; content ``"x"`` is one text part, a tool message's ``[]`` is ``""`` (``developer`` stays ``developer``:
      ``compatible`` carries it); ``tool_choice: "auto"`` is the default when tools are present;
    - a streamed request asks for usage (``stream_options.include_usage: true``), and
      ``stream_options`` means nothing without ``stream``;
    - tool call arguments compare as the JSON they encode; a bare base64 ``file_data`` is a
      PDF data URL;
    - reasoning is one thing with three carriers: ``reasoning_details`` when present, else
      ``reasoning_content`` (``reasoning`` is its vLLM spelling); the provider switches
      are the ``thinking`` / ``reasoning_effort`` they mean (``_thinking``).
    """
    d = copy.deepcopy(req)
    for k in [k for k, v in d.items() if v is None]:
        del d[k]
    for k, v in _DEFAULTS.items():
        if d.get(k) == v:
            del d[k]
    if d.get("modalities") == ["text"]:
        del d["modalities"]
    for k, empty in (("logit_bias", {}), ("metadata", {}), ("functions", [])):
        if d.get(k) == empty:  # no bias, no metadata, no functions
            del d[k]
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
        if m["role"] == "assistant":
            _assistant(m)
        elif "content" in m:
            if m["role"] == "tool" and m["content"] == []:
                m["content"] = ""  # an empty result either way (an empty array is refused)
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
        _drop_nulls(call, ("cache_control", "caller"))
        if call.get("caller") == {"type": "direct"}:  # anthropic's default caller
            del call["caller"]
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


# --- responses ---------------------------------------------------------------------------

# The stop-reason rows the to_openai direction writes (the read-only ``function_call``
# row aside): the finish reasons a Message's stop reason can become.
WRITTEN_STOP_REASONS = [(a_, o_, e_) for a_, o_, e_, way in STOP_REASONS if way != "to_anthropic"]


def anthropic_message(m: dict) -> dict:
    """What an anthropic Message comes back as through the openai dialect (applied to the
    source only): the canonical form of ``to_openai/_response.py``'s docstring.

    - thinking blocks come first, then the text, the refusal marker, the tool calls (a
      ChatCompletion has one place for each);
    - consecutive text blocks without citations are one block, an empty one is nothing,
      ``citations: []`` is no citations (``content`` is one string);
    - the refusal's explanation repeated as the last text block is the marker of the
      refusal, kept last;
    - ``stop_sequence`` absent is ``null``; ``stop_details`` without a category or an
      explanation is absent; ``caller: {type: direct}`` is absent;
    - cache writes without a lifetime breakdown are 5-minute writes;
    - ``null`` optional fields are absent (``cache_control``, ``toolset_name``,
      ``container``, ``diagnostics``, the usage's ``server_tool_use``, ``inference_geo``,
      ``cache_creation``), and so is the usage's default ``speed: "standard"``; in
      ``openai_detail`` (the ``compatible`` carrier of a ``reasoning_details`` entry), an
      ``index`` that is the block's place, an anthropic ``format`` and a ``null`` id say
      nothing.
    """
    m = copy.deepcopy(m)
    blocks = m["content"]
    thinking = [b for b in blocks if b["type"] in ("thinking", "redacted_thinking")]
    for k, b in enumerate(thinking):
        detail = b.get("openai_detail")
        if detail is None:
            continue
        if detail.get("index") == k:
            del detail["index"]
        if detail.get("format", 0) in (None, "anthropic-claude-v1", "unknown"):
            del detail["format"]
        if detail.get("id", 0) is None:
            del detail["id"]
        if not detail:
            del b["openai_detail"]
    texts = [b for b in blocks if b["type"] == "text"]
    tools = [b for b in blocks if b["type"] == "tool_use"]
    for b in texts:
        if not b.get("citations"):
            b.pop("citations", None)
        if b.get("cache_control", "") is None:
            del b["cache_control"]
    for t in tools:
        if t.get("cache_control", "") is None:
            del t["cache_control"]
        if t.get("toolset_name", "") is None:
            del t["toolset_name"]
        if t.get("caller", 0) in ({"type": "direct"}, None):
            del t["caller"]
    sd = m.get("stop_details")
    marker = None
    if (
        m["stop_reason"] == "refusal"
        and sd
        and isinstance(sd.get("explanation"), str)
        and texts
        and "citations" not in texts[-1]
        and texts[-1]["text"] == sd["explanation"]
    ):
        marker = texts.pop()
    merged: list[dict] = []
    for b in texts:
        if "citations" not in b and merged and "citations" not in merged[-1]:
            merged[-1] = {"type": "text", "text": merged[-1]["text"] + b["text"]}
        else:
            merged.append(b)
    merged = [b for b in merged if "citations" in b or b["text"]]
    m["content"] = thinking + merged + ([marker] if marker else []) + tools
    m.setdefault("stop_sequence", None)
    if sd is None or (sd.get("category") is None and sd.get("explanation") is None):
        m.pop("stop_details", None)
    u = m["usage"]
    if isinstance(u.get("cache_creation_input_tokens"), int) and u.get("cache_creation") is None:
        u["cache_creation"] = {
            "ephemeral_5m_input_tokens": u["cache_creation_input_tokens"],
            "ephemeral_1h_input_tokens": 0,
        }
    for key, quiet in (
        ("server_tool_use", (None,)),
        ("inference_geo", (None,)),
        ("speed", (None, "standard")),
        ("cache_creation", (None,)),
    ):
        if key in u and u[key] in quiet:
            del u[key]
    for key in ("container", "diagnostics"):
        if m.get(key, "") is None:
            del m[key]
    return m


def openai_completion(c: dict) -> dict:
    """What a ChatCompletion comes back as through the anthropic dialect (applied to the
    source only): the canonical form of ``to_anthropic/_response.py``'s docstring.

    - a lone choice is the first (``index: 0``); ``logprobs`` has no twin (a Loss where set);
    - ``reasoning`` is ``reasoning_content``; ``reasoning_details`` of one unsigned text is
      that text in ``reasoning_content``, and ``reasoning_content`` beside details is their
      texts joined; details' ``index`` is their position, an absent text or signature is
      the empty one, and a ``format`` of ``anthropic-claude-v1`` / ``unknown`` is none;
    - ``content: ""`` is ``null``; empty ``annotations`` / ``tool_calls`` are absent;
      annotations are in the order of the text they cite;
    - tool arguments are compact JSON (blank ones ``{}``);
    - ``finish_reason: stop`` with tool calls (no refusal, no matched stop sequence, not a
      paused turn) is ``tool_calls``; a ``native_finish_reason`` that says no more than
      ``finish_reason`` is absent; a ``stop_reason`` that names no sequence is absent;
    - DeepSeek's ``prompt_cache_hit_tokens`` and Kimi's ``usage.cached_tokens`` are
      ``prompt_tokens_details.cached_tokens`` (DeepSeek's misses are the rest of the
      prompt); zero counts without a twin (``audio_tokens``, predictions) are absent;
    - ``null`` optional fields are absent, except ``cached_tokens``, ``cache_write_tokens``,
      ``completion_tokens_details`` and ``service_tier``, which keep their ``null``.
    """
    c = copy.deepcopy(c)
    for key in ("system_fingerprint", "metadata", "moderation"):
        if c.get(key, "") is None:
            del c[key]
    choice = c["choices"][0]
    choice["index"] = 0  # a lone choice is the first
    msg = choice["message"]
    for key in ("refusal", "audio", "function_call", "reasoning_content", "reasoning"):
        if msg.get(key, "") is None:
            del msg[key]
    if not msg.get("annotations"):
        msg.pop("annotations", None)
    if not msg.get("content") and not msg.get("annotations"):
        msg["content"] = None
    if not msg.get("tool_calls"):
        msg.pop("tool_calls", None)
    for call in msg.get("tool_calls", ()):
        args = call["function"]["arguments"]
        call["function"]["arguments"] = msgspec.json.encode(
            json.loads(args) if args.strip() else {}
        ).decode()
    if "reasoning" in msg:
        msg.setdefault("reasoning_content", msg["reasoning"])
        del msg["reasoning"]
    details = msg.pop("reasoning_details", None) or []
    for d in details:
        d.pop("index", None)
        if d.get("format") in (None, "anthropic-claude-v1", "unknown"):
            d.pop("format", None)
        if d["type"] == "reasoning.text":
            d["text"] = d.get("text") or ""
            d["signature"] = d.get("signature") or ""
    if details:
        msg["reasoning_content"] = "\n\n".join(
            d["text"] for d in details if d["type"] == "reasoning.text"
        )
        if not (
            len(details) == 1
            and details[0]["type"] == "reasoning.text"
            and not details[0]["signature"]
        ):
            msg["reasoning_details"] = details
    if msg.get("annotations"):
        msg["annotations"].sort(
            key=lambda a: (a["url_citation"]["start_index"], a["url_citation"]["end_index"])
        )
    choice.pop("logprobs", None)
    fr, native, matched = (
        choice["finish_reason"],
        choice.get("native_finish_reason"),
        choice.get("stop_reason"),
    )
    if not isinstance(matched, str):
        choice.pop("stop_reason", None)
    exact: dict[str, str] = {}
    for a_reason, o_reason, is_exact in WRITTEN_STOP_REASONS:
        if is_exact:
            exact.setdefault(o_reason, a_reason)
    if (
        native is None
        or native == fr
        or exact.get(fr) == native
        or (native == "tool_use" and fr == "tool_calls")
        or (native == "stop_sequence" and isinstance(matched, str))
    ):
        choice.pop("native_finish_reason", None)
    if (
        fr == "stop"
        and msg.get("tool_calls")
        and msg.get("refusal") is None
        and not isinstance(matched, str)
        and choice.get("native_finish_reason") != "pause_turn"
    ):
        choice["finish_reason"] = "tool_calls"
    u = c["usage"]
    hit = u.pop("prompt_cache_hit_tokens", None)
    u.pop("prompt_cache_miss_tokens", None)
    kimi = u.pop("cached_tokens", None)
    details = u.get("prompt_tokens_details") or {}
    details.pop("audio_tokens", None)
    if details.get("cached_tokens") is None and (hit is not None or kimi is not None):
        details["cached_tokens"] = hit if hit is not None else kimi
    if details:
        u["prompt_tokens_details"] = details
    else:
        u.pop("prompt_tokens_details", None)
    ctd = u.get("completion_tokens_details")
    if ctd is not None:
        for key in ("accepted_prediction_tokens", "audio_tokens"):
            ctd.pop(key, None)
        if ctd.get("reasoning_tokens") is None:
            ctd.pop("reasoning_tokens", None)
        if not ctd:
            del u["completion_tokens_details"]
    return c


# --- streams -----------------------------------------------------------------------------


def anthropic_stream(message: dict) -> dict:
    """The message an anthropic stream accumulates to, compared with the message the stream
    was made from (applied to both sides): what a stream cannot say.

    - a ``null`` usage count is absent (a ``message_delta`` ``null`` keeps the start value);
    - cache writes without a lifetime breakdown are 5-minute writes.
    """
    m = json.loads(json.dumps(message))
    usage = m["usage"]
    for k in [k for k, v in usage.items() if v is None]:
        del usage[k]
    if isinstance(usage.get("cache_creation_input_tokens"), int):
        usage.setdefault(
            "cache_creation",
            {
                "ephemeral_5m_input_tokens": usage["cache_creation_input_tokens"],
                "ephemeral_1h_input_tokens": 0,
            },
        )
    return m


def openai_stream(completion: dict, *, raw_arguments: bool = False) -> dict:
    """The completion an openai stream accumulates to, compared with the completion the
    stream was made from or with a translated response (applied to both sides): the
    canonical form of ``to_anthropic/_response.py``'s docstring, as far as a stream says it.

    - ``null`` optional fields of the choice and the message are absent (``finish_reason``
      keeps its ``null``); ``content: ""`` is no content;
    - ``reasoning`` is ``reasoning_content``; one unsigned ``reasoning_details`` entry
      repeating ``reasoning_content`` is the ``reasoning_content`` alone; an absent
      signature is the empty one; details' and tool calls' ``index`` only order them;
    - ``finish_reason: stop`` after tool calls is ``tool_calls``;
    - tool arguments compare as the JSON they encode (blank ones ``{}``); with
      ``raw_arguments``, arguments that are not JSON compare as their text (real upstreams
      send such, the conformance corpus holds them), else they are an error.
    """
    c = json.loads(json.dumps(completion))
    choice = c["choices"][0]
    for k in [k for k, v in choice.items() if v is None and k != "finish_reason"]:
        del choice[k]
    m = choice["message"]
    for k in [k for k, v in m.items() if v is None]:
        del m[k]
    if "reasoning" in m:  # reasoning is reasoning_content
        m.setdefault("reasoning_content", m.pop("reasoning"))
    if (
        m.get("tool_calls") and choice["finish_reason"] == "stop"
    ):  # stop after tool calls is tool_calls
        choice["finish_reason"] = "tool_calls"
    for call in m.get("tool_calls", ()):
        fn = call["function"]
        try:
            fn["arguments"] = json.loads(fn["arguments"] or "{}")
        except ValueError:
            if not raw_arguments:
                raise
            fn["arguments"] = {"<not JSON>": fn["arguments"]}
        call.pop("index", None)
    details = m.get("reasoning_details")
    if details is not None:
        for d in details:
            d.pop("index", None)
            if d.get("type") == "reasoning.text" and not d.get("signature"):
                d.pop("signature", None)
        if len(details) == 1 and details[0] == {
            "type": "reasoning.text",
            "text": m.get("reasoning_content", ""),
        }:
            del m["reasoning_details"]
    if m.get("content") == "":
        del m["content"]
    return c


# --- errors ------------------------------------------------------------------------------


def anthropic_error(status: int, body: dict) -> dict:
    """What an anthropic error comes back as through the openai dialect (applied to the
    source only): no ``request_id`` (openai bodies have none), an empty message said as
    the status, and the generic ``invalid_request_error`` as the type its status has
    (Anthropic pairs each status with one type); so is the generic ``api_error`` with a 5xx
    status that has a type of its own (it travels as openai's ``server_error``, which a 529
    makes ``overloaded_error``)."""
    body = copy.deepcopy(body)
    body.pop("request_id", None)
    err = body["error"]
    if not err["message"]:
        err["message"] = fallback_message(status)
    if err["type"] == GENERIC_ERROR and status in ERROR_BY_STATUS:
        err["type"] = ERROR_BY_STATUS[status]
    if err["type"] == "api_error" and 500 < status < 600 and status in ERROR_BY_STATUS:
        err["type"] = ERROR_BY_STATUS[status]
    return body


def openai_error(status: int, body: dict) -> dict:
    """What an openai error comes back as through the anthropic dialect (applied to the
    source only): the generic type becomes the type its status has (as in
    ``anthropic_error``), written as the openai type of that anthropic type."""
    expected = copy.deepcopy(body)
    kind = expected["error"]["type"]
    if kind == GENERIC_ERROR and status in ERROR_BY_STATUS:
        expected["error"]["type"] = ERROR_TO_OPENAI[ERROR_BY_STATUS[status]]
    if kind == "server_error" and 500 < status < 600 and status in ERROR_BY_STATUS:
        # openai's generic server error with a 5xx status of its own type is that type
        # (a 529 server_error is overloaded_error), as _error_body.error_type reads it.
        expected["error"]["type"] = ERROR_TO_OPENAI[ERROR_BY_STATUS[status]]
    return expected


# --- SSE ---------------------------------------------------------------------------------


def sse_event(event: ServerSentEvent) -> ServerSentEvent:
    """What an SSE frame can carry (the WHATWG event-stream format): CR and CRLF line ends
    in the data read as LF, an empty event type as the default (none)."""
    data = event.data.replace("\r\n", "\n").replace("\r", "\n")
    return ServerSentEvent(data, event.event or None, event.id, event.retry)


# --- the Responses dialect -------------------------------------------------------------------


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def _drop_field(value: Any, path: str) -> None:
    """Delete the object field ``path`` names (``input[2].content[0].annotations``), if it
    is there; list elements are left in place, so that other paths keep their indexes."""
    steps = [int(i) if i else k for k, i in _STEP.findall(path)]
    if not steps or not isinstance(steps[-1], str):
        return
    for step in steps[:-1]:
        fits = isinstance(value, list) if isinstance(step, int) else isinstance(value, dict)
        try:
            value = value[step] if fits else None
        except (IndexError, KeyError):
            return
    if isinstance(value, dict):
        value.pop(steps[-1], None)


def responses_request(req: dict, losses: list, *, messages: bool = False) -> dict:
    """What a Responses request means, for comparing round trips through Chat (applied to
    both sides): a message without ``type`` is ``type: message``; ``status: completed`` on
    an input item is no status; a ``null`` item field (``encrypted_content``, ``id``,
    ``status``, ``phase``, ...) or part field (``logprobs``, ``file_id``) is absent, as
    top-level ones are, and so is a reasoning item's empty ``content`` (no raw text); empty ``annotations`` are absent; ``instructions`` is a leading system message; what a Loss
    names is not compared. With ``messages`` (through the Messages hub), also: a
    ``developer`` message is a ``system`` one, a custom tool's output a function's (its
    call was a Loss), a function call's ``arguments`` compare as the JSON they encode (a
    ``tool_use`` input is an object), ``store: false`` and the Messages API's required
    ``max_output_tokens: 4096`` say nothing.

    A function tool without ``strict`` is ``strict: true``: "functions are strict by default"
    in the Responses API, not in Chat Completions (OpenAI's guide "Migrate to the Responses
    API", the function-calling differences); a field of a tool that a Loss names is not
    compared."""
    req = copy.deepcopy(req)
    lost = {loss.path for loss in losses}
    for path in lost:  # fields a Loss names, at any depth (list elements: below)
        _drop_field(req, path)
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
    numbered = list(enumerate(items or []))
    if "instructions" in req:
        numbered.insert(
            0, (-1, {"type": "message", "role": "system", "content": req.pop("instructions")})
        )
    out = []
    for i, given in numbered:  # i: the item's index in the input, which losses name
        if f"input[{i}]" in lost:
            continue
        item = {k: v for k, v in given.items() if f"input[{i}].{k}" not in lost}
        for k in ("content", "output"):  # parts a Loss names
            if isinstance(item.get(k), list):
                item[k] = [p for j, p in enumerate(item[k]) if f"input[{i}].{k}[{j}]" not in lost]
        item.setdefault("type", "message")
        if messages and item.get("role") == "developer":
            item["role"] = "system"
        if messages and item["type"] == "custom_tool_call_output":
            item["type"] = "function_call_output"
        if messages and item["type"] == "function_call" and isinstance(item.get("arguments"), str):
            with contextlib.suppress(ValueError):  # a tool_use's input is an object
                item["arguments"] = json.loads(item["arguments"] or "{}")
        if item.get("status") == "completed":
            del item["status"]
        for k in [k for k, v in item.items() if v is None]:  # null is absent, as above
            del item[k]
        if item["type"] == "reasoning" and item.get("content") == []:
            del item["content"]  # no raw reasoning text (the field is optional)
        for k in ("content", "output"):
            for part in item.get(k) if isinstance(item.get(k), list) else ():
                if isinstance(part, dict):  # null is absent; so are empty annotations
                    for key in [key for key, v in part.items() if v is None or v == []]:
                        del part[key]
        out.append(item)
    req["input"] = out
    if messages:
        if req.get("store") is False:
            del req["store"]
        if req.get("max_output_tokens") == 4096:
            del req["max_output_tokens"]
    if "tools" in req:
        given_tools = req["tools"]
        kept = [(i, t) for i, t in enumerate(given_tools) if f"tools[{i}]" not in lost]
        req["tools"] = [t for _, t in kept]
        if given_tools and not kept:
            del req["tools"]  # every tool was a Loss: none is offered
        for i, tool in kept:
            members = tool.get("tools") if tool.get("type") == "namespace" else None
            for j, t in enumerate(members if isinstance(members, list) else [tool]):
                where = f"tools[{i}].tools[{j}]" if members is not None else f"tools[{i}]"
                for k in [k for k in t if f"{where}.{k}" in lost]:
                    del t[k]
                if t.get("type") == "function":
                    t.setdefault("strict", True)
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
