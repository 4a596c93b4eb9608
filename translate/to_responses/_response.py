"""Responses ``Response`` <-> Chat Completions ``ChatCompletion`` (non-stream).

``response``: a ChatCompletion (or an anthropic Message, through the compatible Chat hub)
-> a ``Response`` whose ``output`` items are what Codex stores: reasoning items, one
assistant message item, call items. ``chat_response``: the inverse, for a Chat client of a
Responses upstream (``to_openai.response`` routes a ``Response`` here).

Reasoning is carried as in requests (``_to_chat``): plain ``reasoning_content`` is one
reasoning item with one summary part; ``reasoning_details`` keep items, raw content,
signatures (as ``encrypted_content``) and ids. Item ids the Chat side does not have are
made from the completion id (``rs_<id>_<n>``, ``msg_<id>``, ``fc_<id>_<n>``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from .. import openai as o
from .. import responses as r
from .._decode import Unknown, decode, join
from .._errors import Loss, LossKind
from .._ledger import Ctx, finish
from ..targets import PRESETS
from ._request import _RESPONSES, FromChat
from ._to_chat import ToChat, decode_request, flat_name

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}
_FINISH = {"max_output_tokens": "length", "content_filter": "content_filter"}
Lose = Callable[[str, LossKind, str], None]


def _names(request: Any) -> dict[str, tuple[Any, str, str]]:
    """From the client's Responses request: Chat tool name -> (namespace, name, kind)."""
    if request is None:
        return {}
    try:
        req = decode_request(request, [])
    except Exception:
        return {}
    t = PRESETS[("openai", "compatible")]
    out: dict[str, tuple[Any, str, str]] = {}
    helper = ToChat(Ctx(t), req)
    for tool in req.tools or ():
        members: list[Any] = tool.tools if isinstance(tool, r.NamespaceTool) else [tool]
        ns = tool.name if isinstance(tool, r.NamespaceTool) else UNSET
        for m in members:
            if isinstance(m, (r.FunctionTool, r.CustomTool)):
                kind = "custom" if isinstance(m, r.CustomTool) else "function"
                flat = flat_name(ns, m.name)
                for limit in (64, 128):
                    helper.limit = limit
                    out[helper.name(flat)] = (ns, m.name, kind)
    return out


def client_model(request: Any) -> str | None:
    """The model the client's Responses request asked for (echoed back), if it says one."""
    if request is None:
        return None
    try:
        req = decode_request(request, [])
    except Exception:
        return None
    return req.model if isinstance(req.model, str) else None


def finish_status(reason: Any, lose: Lose) -> tuple[str, r.IncompleteDetails | None]:
    """A Chat ``finish_reason`` -> the Response ``status`` and ``incomplete_details``:
    ``length`` and ``content_filter`` are an incomplete response (``_INCOMPLETE``), the
    reasons that end a turn are a completed one, any other is a Loss (completed)."""
    if reason in _INCOMPLETE:
        return "incomplete", r.IncompleteDetails(reason=_INCOMPLETE[reason])
    if reason not in (None, UNSET, "stop", "tool_calls", "function_call"):
        lose("choices[0].finish_reason", "dropped", f"no twin for finish reason {reason!r}")
    return "completed", None


def response(
    body: Any,
    *,
    request: Any = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> r.Response:
    """Translate a ChatCompletion (or an anthropic Message) into a Responses ``Response``.

    ``request``: the client's Responses request; it restores namespaced and custom tool
    calls and the model name the client asked for.
    """
    from ._dispatch import relay, source_of

    if source_of(body, "response") == "anthropic":
        from ..to_openai import _response as chat_of

        inner: list[Loss] = []
        chat = chat_of.response(body, losses=inner)
        result = response(chat, request=request, losses=inner)
        relay(inner, strict, losses, _message_path)
        return result
    unknown: list[Unknown] = []
    resp = decode(body, o.ChatCompletion, unknown)
    ctx = Ctx(_RESPONSES)
    return finish(ctx, _from_chat(ctx, resp, _names(request), request), unknown, strict, losses)


def _message_path(path: str) -> str:
    """A Chat response path -> the anthropic Message path it came from (roughly)."""
    for head in ("choices[0].message.", "choices[0]."):
        if path.startswith(head):
            return path[len(head) :]
    return path


def _from_chat(
    ctx: Ctx, resp: o.ChatCompletion, names: dict[str, tuple[Any, str, str]], request: Any
) -> r.Response:
    ident = resp.id if isinstance(resp.id, str) else ""  # some servers omit them
    created = resp.created if isinstance(resp.created, int) else 0
    out = r.Response(id=ident, created_at=created, model=resp.model, output=[])
    model = client_model(request)
    if model is not None:
        out.model = model
    for i in range(1, len(resp.choices)):
        ctx.drop(f"choices[{i}]", "a Response has one output")
    status = "completed"
    if resp.choices:
        choice = resp.choices[0]
        m = choice.message
        path = "choices[0].message"
        fake = o.AssistantMessage(
            content=m.content,
            refusal=m.refusal,
            reasoning_content=m.reasoning_content,
            reasoning=m.reasoning,
            reasoning_details=m.reasoning_details,
        )
        items: list[r.Item] = []
        helper = FromChat(ctx, o.ChatCompletionRequest(model="", messages=[]), {})
        helper.reasoning(fake, path, items)
        n = 0
        for item in items:
            if isinstance(item, r.Reasoning) and item.id is UNSET:
                item.id = f"rs_{ident}_{n}"
                n += 1
        if m.content not in (UNSET, None, "") or m.refusal not in (UNSET, None):
            parts: list[r.MessagePart] = []
            if m.content not in (UNSET, None, ""):
                parts.append(r.OutputText(text=m.content))
            if m.refusal not in (UNSET, None):
                parts.append(r.Refusal(refusal=m.refusal))
            items.append(
                r.Message(role="assistant", content=parts, id=f"msg_{ident}", status="completed")
            )
        if m.annotations not in (UNSET, None) and m.annotations:
            ctx.drop(join(path, "annotations"), "no twin kept here")
        for j, call in enumerate(m.tool_calls or ()):
            items.append(call_item(call, names, f"fc_{ident}_{j}"))
        for field in ("audio", "function_call"):
            if getattr(m, field) not in (UNSET, None):
                ctx.drop(join(path, field), "no twin in a Response")
        out.output = items
        status, out.incomplete_details = finish_status(choice.finish_reason, ctx.lose)
    out.status = status
    out.completed_at = created
    if resp.usage not in (UNSET, None):
        out.usage = usage(resp.usage)
    if resp.service_tier not in (UNSET, None):
        out.service_tier = resp.service_tier
    if resp.metadata not in (UNSET, None):
        out.metadata = resp.metadata
    return out


def call_item(call: o.ToolCall, names: dict[str, tuple[Any, str, str]], ident: str) -> r.Item:
    if isinstance(call, o.FunctionToolCall):
        ns, name, kind = names.get(call.function.name, (UNSET, call.function.name, "function"))
        if kind == "custom":
            from .._tools import parse_arguments

            args = parse_arguments(call.function.arguments, Ctx(_RESPONSES), "")
            text = args.get("input")
            if isinstance(text, str):
                return r.CustomToolCall(
                    call_id=call.id, name=name, input=text, namespace=ns, id=ident
                )
        return r.FunctionCall(
            call_id=call.id,
            name=name,
            arguments=call.function.arguments,
            namespace=ns,
            id=ident,
            status="completed",
        )
    ns, name, _ = names.get(call.custom.name, (UNSET, call.custom.name, "custom"))
    return r.CustomToolCall(
        call_id=call.id, name=name, input=call.custom.input, namespace=ns, id=ident
    )


def usage(u: o.Usage) -> r.ResponseUsage:
    cached = 0
    written = 0
    details = u.prompt_tokens_details
    if details not in (UNSET, None):
        cached = details.cached_tokens or 0
        if details.cache_write_tokens not in (UNSET, None):
            written = details.cache_write_tokens
    if not cached and u.prompt_cache_hit_tokens is not UNSET:
        cached = u.prompt_cache_hit_tokens
    if not cached and u.cached_tokens is not UNSET:
        cached = u.cached_tokens
    reasoning = 0
    cd = u.completion_tokens_details
    if cd not in (UNSET, None):
        reasoning = cd.reasoning_tokens or 0
    return r.ResponseUsage(
        input_tokens=u.prompt_tokens,
        input_tokens_details=r.InputTokensDetails(cached_tokens=cached, cache_write_tokens=written),
        output_tokens=u.completion_tokens,
        output_tokens_details=r.OutputTokensDetails(reasoning_tokens=reasoning),
        # required by the Responses API; some Chat servers omit it (DIALECTS.md)
        total_tokens=(
            u.total_tokens
            if isinstance(u.total_tokens, int)
            else u.prompt_tokens + u.completion_tokens
        ),
    )


# --- Response -> ChatCompletion ---------------------------------------------------------


def chat_response(
    body: Any,
    *,
    request: Any = None,
    created: int | None = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> o.ChatCompletion:
    """Translate a Responses ``Response`` into a ChatCompletion (``to_openai.response``
    routes a Response here). ``request``, ``created``: as ``to_openai.response``."""
    unknown: list[Unknown] = []
    resp = decode(body, r.Response, unknown)
    ctx = Ctx(PRESETS[("openai", "compatible")])
    return finish(ctx, _to_chat(ctx, resp, created), unknown, strict, losses)


def _to_chat(ctx: Ctx, resp: r.Response, created: int | None) -> o.ChatCompletion:
    req = r.ResponseCreateParams(model=resp.model, input=list(resp.output))
    conv = ToChat(ctx, req)
    conv.output = True
    conv.where = "output"
    messages = conv.messages([])
    msg = o.ResponseMessage()
    calls: list[o.ToolCall] = []
    for m in messages:
        if not isinstance(m, o.AssistantMessage):
            continue
        if isinstance(m.content, str):
            msg.content = (msg.content or "") + m.content
        elif isinstance(m.content, list):
            for part in m.content:
                if isinstance(part, o.TextPart):
                    msg.content = (msg.content or "") + part.text
                elif isinstance(part, o.RefusalPart):  # ToChat writes no other part
                    msg.refusal = (msg.refusal or "") + part.refusal
        calls.extend(m.tool_calls or ())
        for field in ("reasoning_content", "reasoning_details"):
            value = getattr(m, field)
            if value is UNSET:
                continue
            have = getattr(msg, field)
            setattr(msg, field, value if have in (UNSET, None) else have + value)
    if msg.content is UNSET:
        msg.content = None
    if calls:
        msg.tool_calls = calls
    reason = "tool_calls" if calls else "stop"
    if resp.status == "incomplete":
        why = resp.incomplete_details.reason if resp.incomplete_details else None
        reason = _FINISH.get(why, "length")  # type: ignore[arg-type]
    elif resp.status not in (UNSET, None, "completed"):
        ctx.drop("status", f"a {resp.status} response has no Chat twin")
    if resp.error is not None:
        ctx.drop("error", "a failed response's error: translate it with to_openai.error")
    out = o.ChatCompletion(
        id=resp.id,
        created=created if created is not None else int(resp.created_at),
        model=resp.model,
        choices=[o.Choice(message=msg, finish_reason=reason)],
    )
    if resp.usage not in (UNSET, None):
        out.usage = chat_usage(resp.usage)
    if resp.service_tier not in (UNSET, None):
        out.service_tier = resp.service_tier
    return out


def chat_usage(u: r.ResponseUsage) -> o.Usage:
    """A Response's usage as Chat's (the response and the stream converter share it)."""
    return o.Usage(
        prompt_tokens=u.input_tokens,
        completion_tokens=u.output_tokens,
        total_tokens=u.total_tokens,
        prompt_tokens_details=o.PromptTokensDetails(
            cached_tokens=u.input_tokens_details.cached_tokens
        ),
        completion_tokens_details=o.CompletionTokensDetails(
            reasoning_tokens=u.output_tokens_details.reasoning_tokens
        ),
    )
