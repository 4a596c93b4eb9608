"""Chat Completions (or Messages) request -> Responses ``ResponseCreateParams``.

The inverse of ``_to_chat``: each Chat message becomes its items (an assistant message its
reasoning items, its message item, its call items), tool messages become
``function_call_output`` or ``custom_tool_call_output`` (by the call they answer), and the
fields the compatible form carried (``include``, ``reasoning_summary``, ``namespaces``, ...)
come back to their Responses places. A Messages request goes through the compatible Chat
hub on structs first.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from .. import openai as o
from .. import responses as r
from .._decode import Unknown, decode, join
from .._errors import Loss
from .._ledger import Ctx, drop_used, finish
from .._tables import tag
from .._tools import short_name
from ..targets import PRESETS, Target
from ._to_chat import _SERVER_ONLY, CONTENT_FORMAT, NAMESPACES, grammar_from_chat

# Chat fields without a Responses twin, and the value that means "not used" (besides null),
# as to_anthropic's table says it: an empty map or list says nothing, except where the
# object is the switch itself (``web_search_options: {}`` turns search on).
_NO_TWIN: tuple[tuple[str, object], ...] = (
    ("n", 1),
    ("logprobs", False),
    ("logit_bias", {}),
    ("seed", None),
    ("frequency_penalty", 0),
    ("presence_penalty", 0),
    ("audio", None),
    ("prediction", None),
    ("web_search_options", None),
    ("functions", []),
    ("function_call", None),
    ("top_k", None),
)
_NO_TWIN_DETAIL = "no twin in the Responses API"
_LIMIT = PRESETS[("openai", "compatible")].tool_name_max
"""The compatible form's tool name limit (``ToChat.name``)."""
_RESPONSES = Target(name="responses", dialect="openai", unknown_fields="carry")
"""The Responses dialect has one form: unknown top-level fields are carried."""


def request(
    body: Any,
    *,
    target: str | Target = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> r.ResponseCreateParams:
    """Translate a Chat Completions request (or an anthropic Messages request, through the
    compatible Chat form) into a Responses request.

    ``target`` is accepted for symmetry; the Responses dialect has one form (``compatible``).
    """
    from ._dispatch import source_of

    if source_of(body, "request") == "anthropic":
        from ..to_openai import _request as to_chat

        inner: list[Loss] = []
        chat: Any = to_chat.request(body, target=PRESETS[("openai", "compatible")], losses=inner)
        result = request(chat, strict=False, losses=inner)
        if strict and inner:
            from .._errors import LossError

            raise LossError(inner)
        if losses is not None:
            losses.extend(inner)
        return result
    unknown: list[Unknown] = []
    req = decode(body, o.ChatCompletionRequest, unknown)
    extra = {u.key: u.value for u in unknown if u.path == ""}
    unknown = [u for u in unknown if u.path != "" or u.key not in _EXTRAS]
    ctx = Ctx(_RESPONSES)
    return finish(ctx, FromChat(ctx, req, extra).build(), unknown, strict, losses)


_EXTRAS = (
    "include",
    "max_tool_calls",
    "truncation",
    "reasoning_summary",
    "reasoning_generate_summary",
    "prompt_cache_comparison_response_id",
    "prompt_cache_prewarm",
    NAMESPACES,
    *_SERVER_ONLY,
)


class FromChat:
    __slots__ = ("calls", "ctx", "extra", "flat", "req")

    def __init__(self, ctx: Ctx, req: o.ChatCompletionRequest, extra: dict[str, Any]) -> None:
        self.ctx = ctx
        self.req = req
        self.extra = extra
        self.calls: dict[str, str] = {}
        # flattened tool name -> (namespace, name) from the compatible form's namespaces,
        # under the name as the Chat request says it too (``ToChat.name``: shortened past
        # the compatible form's limit)
        self.flat: dict[str, tuple[str, str]] = {}
        for ns in extra.get(NAMESPACES) or ():
            if isinstance(ns, dict) and isinstance(ns.get("name"), str):
                for flat in ns.get("tools") or ():
                    if isinstance(flat, str) and flat.startswith(ns["name"]):
                        where = (ns["name"], flat[len(ns["name"]) :])
                        self.flat[flat] = where
                        short = short_name(flat, _LIMIT)
                        if short != flat:
                            self.flat[short] = where

    def build(self) -> r.ResponseCreateParams:
        req, ctx = self.req, self.ctx
        out = r.ResponseCreateParams(model=req.model, input=self.items())
        max_tokens = req.max_completion_tokens
        if max_tokens in (UNSET, None):
            max_tokens = req.max_tokens
        elif req.max_tokens not in (UNSET, None, max_tokens):
            ctx.drop("max_tokens", "max_completion_tokens takes precedence")
        if max_tokens not in (UNSET, None):
            out.max_output_tokens = max_tokens
        if req.stream not in (UNSET, None):
            out.stream = req.stream
        so = req.stream_options
        if so not in (UNSET, None) and so.include_obfuscation is not UNSET:
            out.stream_options = r.StreamOptions(include_obfuscation=so.include_obfuscation)
        for field in (
            "temperature",
            "top_p",
            "top_logprobs",
            "metadata",
            "safety_identifier",
            "service_tier",
            "prompt_cache_key",
            "prompt_cache_retention",
            "moderation",
        ):
            value = getattr(req, field)
            if value not in (UNSET, None):
                setattr(out, field, value)
        if req.user is not UNSET:
            out.user = req.user
        if req.store is not UNSET:
            out.store = req.store
        if req.parallel_tool_calls is not UNSET:
            out.parallel_tool_calls = req.parallel_tool_calls
        if req.prompt_cache_options is not UNSET:
            pco = req.prompt_cache_options
            out.prompt_cache_options = r.PromptCacheOptions(mode=pco.mode, ttl=pco.ttl)
            for field in ("comparison_response_id", "prewarm"):
                if f"prompt_cache_{field}" in self.extra:
                    setattr(out.prompt_cache_options, field, self.extra[f"prompt_cache_{field}"])
        if req.tools is not UNSET:
            out.tools = self.tools(req.tools)
        if req.tool_choice is not UNSET:
            out.tool_choice = self.tool_choice(req.tool_choice)
        self.reasoning_config(out)
        self.text(out)
        for field in ("include", "max_tool_calls", "truncation", *_SERVER_ONLY):
            if field in self.extra:
                setattr(out, field, self.extra[field])
        drop_used(ctx, _NO_TWIN, tuple(getattr(req, f) for f, _ in _NO_TWIN), _NO_TWIN_DETAIL)
        if req.modalities not in (UNSET, None, ["text"]):
            ctx.drop("modalities", "the Responses API answers in text")
        return out

    def reasoning_config(self, out: r.ResponseCreateParams) -> None:
        req, ctx = self.req, self.ctx
        rc = r.ReasoningConfig()
        if req.reasoning_effort not in (UNSET, None):
            rc.effort = req.reasoning_effort
        elif req.thinking is not UNSET and req.thinking.type == "disabled":
            rc.effort = "none"
        elif req.reasoning is not UNSET and req.reasoning.effort not in (UNSET, None):
            rc.effort = req.reasoning.effort
        elif (req.reasoning is not UNSET and req.reasoning.enabled is False) or (
            req.chat_template_kwargs is not UNSET
            and req.chat_template_kwargs.get("enable_thinking") is False
        ):
            rc.effort = "none"
        if (
            req.thinking is not UNSET
            and req.thinking.type != "disabled"
            and (req.thinking.budget_tokens is not UNSET or req.thinking.type != "enabled")
        ):
            ctx.approx("thinking", "the Responses API says an effort, not a budget or mode")
        if rc.effort is UNSET and req.reasoning_effort is None:
            rc.effort = None  # said as it was
        if "reasoning_summary" in self.extra:
            rc.summary = self.extra["reasoning_summary"]
        if "reasoning_generate_summary" in self.extra:
            rc.generate_summary = self.extra["reasoning_generate_summary"]
        if rc != r.ReasoningConfig():
            out.reasoning = rc

    def text(self, out: r.ResponseCreateParams) -> None:
        req = self.req
        tc = r.TextConfig()
        rf = req.response_format
        if isinstance(rf, o.ResponseFormatText):
            tc.format = r.FormatText()
        elif isinstance(rf, o.ResponseFormatJSONObject):
            tc.format = r.FormatJSONObject()
        elif isinstance(rf, o.ResponseFormatJSONSchema):
            js = rf.json_schema
            tc.format = r.FormatJSONSchema(
                name=js.name,
                schema=js.schema if js.schema is not UNSET else {},
                description=js.description,
                strict=js.strict,
            )
        if req.verbosity is not UNSET:
            tc.verbosity = req.verbosity  # null said as it was
        if tc != r.TextConfig():
            out.text = tc

    # -- messages -> items -----------------------------------------------------------

    def items(self) -> list[r.Item]:
        out: list[r.Item] = []
        for i, m in enumerate(self.req.messages):
            path = f"messages[{i}]"
            if isinstance(m, o.AssistantMessage):
                self.assistant(m, path, out)
            elif isinstance(m, o.ToolMessage):
                out.append(self.tool_output(m, path))
            elif isinstance(m, o.FunctionMessage):
                self.ctx.drop(path, "deprecated function messages have no call id")
            else:
                if m.name is not UNSET:
                    self.ctx.drop(join(path, "name"), "Responses messages have no names")
                out.append(r.Message(role=tag(m), content=self.content(m.content, path)))  # type: ignore[arg-type]
        return out

    def content(self, content: Any, path: str) -> str | list[r.MessagePart]:
        if isinstance(content, str):
            return content
        parts: list[r.MessagePart] = []
        for j, part in enumerate(content):
            p = self.part(part, f"{path}.content[{j}]")
            if p is not None:
                parts.append(p)
        return parts

    def part(self, part: o.UserPart, path: str) -> r.InputPart | None:
        ctx = self.ctx
        out: Any
        if isinstance(part, o.TextPart):
            out = r.InputText(text=part.text)
        elif isinstance(part, o.ImageURLPart):
            out = r.InputImage(image_url=part.image_url.url, detail=part.image_url.detail)
        elif isinstance(part, o.FilePart):
            f = part.file
            out = r.InputFile(file_data=f.file_data, file_id=f.file_id, filename=f.filename)
        elif isinstance(part, o.InputAudioPart):
            out = r.InputAudio(
                input_audio=r.InputAudioData(
                    data=part.input_audio.data, format=part.input_audio.format
                )
            )
        else:
            ctx.drop(path, f"{tag(part)} parts have no twin in Responses input")
            return None
        bp = part.prompt_cache_breakpoint
        if bp is not UNSET and not isinstance(out, r.InputAudio):
            out.prompt_cache_breakpoint = r.PromptCacheBreakpoint(ttl=bp.ttl)
        if part.cache_control not in (UNSET, None):
            ctx.drop(join(path, "cache_control"), "no twin in the Responses API")
        return out  # type: ignore[no-any-return]

    def assistant(self, m: o.AssistantMessage, path: str, out: list[r.Item]) -> None:
        ctx = self.ctx
        self.reasoning(m, path, out)
        content: str | list[r.MessagePart] | None = None
        if isinstance(m.content, str):
            # a blank text beside calls says nothing; alone it is the whole message
            content = m.content or (None if m.tool_calls else m.content)
        elif isinstance(m.content, list):
            parts: list[r.MessagePart] = []
            for j, part in enumerate(m.content):
                if isinstance(part, o.TextPart):
                    parts.append(r.OutputText(text=part.text))
                    if part.cache_control not in (UNSET, None):
                        ctx.drop(f"{path}.content[{j}].cache_control", "no twin in Responses")
                elif isinstance(part, o.RefusalPart):
                    parts.append(r.Refusal(refusal=part.refusal))
                else:
                    ctx.drop(f"{path}.content[{j}]", f"{tag(part)} parts have no twin in Responses")
            content = parts
        if m.refusal not in (UNSET, None):
            refusal = r.Refusal(refusal=m.refusal)
            content = [r.OutputText(text=content)] if isinstance(content, str) else content or []
            content.append(refusal)
        if content is not None:
            out.append(r.Message(role="assistant", content=content))
        for j, call in enumerate(m.tool_calls or ()):
            cpath = f"{path}.tool_calls[{j}]"
            if isinstance(call, o.FunctionToolCall):
                ns, name = self.flat.get(call.function.name, (UNSET, call.function.name))
                out.append(
                    r.FunctionCall(
                        call_id=call.id, name=name, arguments=call.function.arguments, namespace=ns
                    )
                )
                self.calls[call.id] = "function"
                if call.cache_control not in (UNSET, None):
                    ctx.drop(join(cpath, "cache_control"), "no twin in the Responses API")
            else:
                ns, name = self.flat.get(call.custom.name, (UNSET, call.custom.name))
                out.append(
                    r.CustomToolCall(
                        call_id=call.id, name=name, input=call.custom.input, namespace=ns
                    )
                )
                self.calls[call.id] = "custom"
        for field in ("function_call", "audio", "name"):
            if getattr(m, field) not in (UNSET, None):
                ctx.drop(join(path, field), "no twin in the Responses API")

    def reasoning(self, m: o.AssistantMessage, path: str, out: list[r.Item]) -> None:
        details = m.reasoning_details
        if details in (UNSET, None) or not details:
            text = m.reasoning_content if m.reasoning_content not in (UNSET, None) else m.reasoning
            if text not in (UNSET, None):
                out.append(r.Reasoning(summary=[r.SummaryText(text=text)]))
            if m.reasoning_content not in (UNSET, None) and m.reasoning not in (UNSET, None, text):
                self.ctx.drop(join(path, "reasoning"), "differs from reasoning_content")
            return
        item: r.Reasoning | None = None
        key: tuple[Any, Any] | None = None
        closed = False
        for j, d in enumerate(details):
            dpath = f"{path}.reasoning_details[{j}]"
            k = (d.id, d.index)
            if item is None or closed or k != key:
                item = r.Reasoning(summary=[])
                if isinstance(d.id, str):
                    item.id = d.id
                out.append(item)
                key, closed = k, False
            if isinstance(d, o.ReasoningText):
                if d.format == CONTENT_FORMAT:
                    content = item.content if isinstance(item.content, list) else []
                    content.append(r.ReasoningText(text=d.text or ""))
                    item.content = content
                else:
                    if d.format not in (UNSET, None):
                        self.ctx.drop(join(dpath, "format"), "no twin in the Responses API")
                    item.summary.append(r.SummaryText(text=d.text or ""))
                if isinstance(d.signature, str):  # "" too: what was said comes back
                    item.encrypted_content = d.signature
                    closed = True
            elif isinstance(d, o.ReasoningEncrypted):
                item.encrypted_content = d.data
                closed = True
            else:
                item.summary.append(r.SummaryText(text=d.summary))

    def tool_output(self, m: o.ToolMessage, path: str) -> r.Item:
        ctx = self.ctx
        output: str | list[r.ToolOutputPart]
        if isinstance(m.content, str):
            output = m.content
        else:
            output = []
            for j, part in enumerate(m.content):
                if isinstance(part, o.ToolReferencePart):
                    ctx.drop(
                        f"{path}.content[{j}]", "tool_reference parts have no twin in Responses"
                    )
                    continue
                p = self.part(part, f"{path}.content[{j}]")
                if isinstance(p, r.InputAudio):
                    ctx.drop(f"{path}.content[{j}]", "tool outputs take no audio")
                elif p is not None:
                    output.append(p)
        if m.is_error is True:
            ctx.drop(join(path, "is_error"), "Responses tool outputs have no error flag")
        if m.cache_control not in (UNSET, None):
            ctx.drop(join(path, "cache_control"), "no twin in the Responses API")
        if self.calls.get(m.tool_call_id) == "custom":
            return r.CustomToolCallOutput(call_id=m.tool_call_id, output=output)
        return r.FunctionCallOutput(call_id=m.tool_call_id, output=output)

    # -- tools -----------------------------------------------------------------------

    def tools(self, tools: list[o.Tool]) -> list[r.Tool]:
        out: list[r.Tool] = []
        spaces: dict[str, r.NamespaceTool] = {}
        defined = {
            ns["name"]: ns
            for ns in self.extra.get(NAMESPACES) or ()
            if isinstance(ns, dict) and ns.get("defined", True) is not False
        }
        for i, tool in enumerate(tools):
            if isinstance(tool, o.FunctionTool):
                fn = tool.function
                name = fn.name
                member: r.NamespaceMember = r.FunctionTool(
                    name=name,
                    parameters=fn.parameters,
                    strict=fn.strict if fn.strict is not UNSET else False,  # Chat's default
                    description=fn.description,
                    defer_loading=tool.defer_loading,
                    allowed_callers=tool.allowed_callers,
                )
                if tool.cache_control not in (UNSET, None):
                    self.ctx.drop(f"tools[{i}].cache_control", "no twin in the Responses API")
            else:
                name = tool.custom.name
                fmt = tool.custom.format
                member = r.CustomTool(
                    name=name,
                    description=tool.custom.description,
                    format=grammar_from_chat(fmt) if fmt is not UNSET else UNSET,
                )
            where = self.flat.get(name)
            if where is not None and where[0] in defined:
                ns_name, member.name = where
                space = spaces.get(ns_name)
                if space is None:
                    spec = defined[ns_name]
                    space = spaces[ns_name] = r.NamespaceTool(
                        name=ns_name, description=spec.get("description", UNSET), tools=[]
                    )
                    out.append(space)
                space.tools.append(member)
            else:
                out.append(member)
        return out

    def tool_choice(self, choice: o.ToolChoice) -> r.ToolChoice:
        if isinstance(choice, str):
            return choice
        if isinstance(choice, o.NamedToolChoice):
            return r.FunctionChoice(name=choice.function.name)
        if isinstance(choice, o.NamedCustomToolChoice):
            return r.CustomChoice(name=choice.custom.name)
        tools = []
        for ref in choice.allowed_tools.tools:
            kind = ref.get("type")
            inner = ref.get(kind) if isinstance(kind, str) else None
            if isinstance(inner, dict) and "name" in inner:
                tools.append({"type": kind, "name": inner["name"]})
            else:
                tools.append(ref)
        return r.AllowedToolsChoice(mode=choice.allowed_tools.mode, tools=tools)
