"""Openai ``ChatCompletionRequest`` -> anthropic ``MessagesRequest``.

Read top to bottom: the entry point, the request fields, thinking, then messages (system,
user, assistant with its reasoning and tool calls, tool results), then tools. Every input
path that cannot be carried exactly goes to the ledger (``ctx``) as a Loss.
"""

from __future__ import annotations

import binascii
import mimetypes
import operator
from typing import Any, TypeGuard, cast, get_args

from msgspec import UNSET, UnsetType

from .. import _sampling
from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode, join
from .._errors import Loss, TranslationError
from .._ledger import Ctx, drop_used, finish
from .._tables import (
    CACHE_TTL_TO_ANTHROPIC,
    EFFORT_TO_ANTHROPIC,
    SERVICE_TIER_TO_ANTHROPIC,
    TOOL_CHOICE_TO_ANTHROPIC,
    effort_to_budget,
    tag,
)
from .._tools import OMITTED, Names, anthropic_id, parse_arguments
from ..targets import Target, resolve

# Reasoning formats whose signatures Anthropic made (OpenRouter's reasoning_details.format).
_ANTHROPIC_FORMATS = (UNSET, None, "anthropic-claude-v1", "unknown")
_TOOL_CHOICE: dict[str, type[a.ToolChoiceAuto | a.ToolChoiceAny | a.ToolChoiceNone]] = {
    "auto": a.ToolChoiceAuto,
    "any": a.ToolChoiceAny,
    "none": a.ToolChoiceNone,
}
_IMAGE_TYPES = frozenset(get_args(a.ImageMediaType))
_DISPLAYS = frozenset(get_args(a.ThinkingDisplay))

# Openai fields without an anthropic twin, and the value that means "not used" (besides
# null). An empty map or list says nothing (no bias, no metadata, no functions), except
# where the object itself is the switch: ``web_search_options: {}`` turns search on.
_NO_TWIN: tuple[tuple[str, object], ...] = (
    ("n", 1),
    ("logprobs", False),
    ("top_logprobs", None),
    ("logit_bias", {}),
    ("seed", None),
    ("frequency_penalty", 0),
    ("presence_penalty", 0),
    ("audio", None),
    ("prediction", None),
    ("web_search_options", None),
    ("verbosity", None),
    ("store", False),
    ("metadata", {}),
    ("safety_identifier", None),
    ("prompt_cache_key", None),
    ("prompt_cache_options", None),
    ("prompt_cache_retention", None),
    ("moderation", None),
    ("functions", []),
    ("function_call", None),
)
_NO_TWIN_VALUES = operator.attrgetter(*(field for field, _ in _NO_TWIN))


def request(
    body: Any,
    *,
    target: str | Target = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> a.MessagesRequest:
    """Translate an openai Chat Completions request into an anthropic Messages request.

    ``body``: bytes, str, dict, ``translate.openai.ChatCompletionRequest`` or a pydantic
    model. Whatever the target cannot carry is appended to ``losses``; ``strict=True``
    raises ``LossError`` instead. Bad input raises ``TranslationError`` naming the path.
    """
    unknown: list[Unknown] = []
    req = decode(body, o.ChatCompletionRequest, unknown)
    ctx = Ctx(resolve(target, "anthropic"))
    return finish(ctx, _Request(ctx, req).build(), unknown, strict, losses)


class _Request:
    __slots__ = ("ctx", "name", "req", "system", "t")

    def __init__(self, ctx: Ctx, req: o.ChatCompletionRequest) -> None:
        self.ctx = ctx
        self.t = ctx.target
        self.req = req
        self.system: str | list[a.TextBlock] | UnsetType = UNSET
        # Tool names over the target's limit or outside anthropic's alphabet
        # (``^[a-zA-Z0-9_-]{1,128}$``): rewritten the same way wherever they appear;
        # to_openai.response / stream restore them from request=.
        self.name = Names(ctx, self.t.tool_name_max, self.definitions).name

    def definitions(self) -> dict[str, str]:
        """Each function tool's name -> the path of its definition's name."""
        tools = enumerate(self.req.tools or ())
        return {
            t.function.name: f"tools[{i}].function.name"
            for i, t in tools
            if isinstance(t, o.FunctionTool)
        }

    # -- the request fields ----------------------------------------------------------

    def build(self) -> a.MessagesRequest:
        req, ctx = self.req, self.ctx
        messages = self.messages()
        out = a.MessagesRequest(model=req.model, messages=messages, max_tokens=self.max_tokens())
        if self.system is not UNSET:
            out.system = self.system
        if req.stop not in (UNSET, None):
            out.stop_sequences = [req.stop] if isinstance(req.stop, str) else list(req.stop)
        if req.stream not in (UNSET, None):
            out.stream = req.stream
        if (
            req.stream_options not in (UNSET, None)
            and req.stream_options.include_obfuscation is not UNSET
        ):
            ctx.drop("stream_options.include_obfuscation", "no twin in anthropic streams")
        self.sampling(out)
        if req.user is not UNSET:
            out.metadata = a.Metadata(user_id=req.user)
        if req.tools is not UNSET:
            out.tools = self.tools(req.tools)
        self.thinking(out)
        self.tool_choice(out)
        self.output_format(out)
        if req.service_tier not in (UNSET, None):
            tier = SERVICE_TIER_TO_ANTHROPIC.get(req.service_tier)
            if tier is None:
                ctx.drop("service_tier", f"no anthropic service tier {req.service_tier!r}")
            else:
                out.service_tier = tier
        values = _NO_TWIN_VALUES(req)
        if values.count(UNSET) != len(values):  # the usual request sets none of them
            drop_used(ctx, _NO_TWIN, values, "no twin in the anthropic dialect")
        if req.modalities not in (UNSET, None) and req.modalities != ["text"]:
            ctx.drop("modalities", "anthropic answers in text only")
        return out

    def max_tokens(self) -> int:
        req = self.req
        if req.max_completion_tokens not in (UNSET, None):
            if req.max_tokens not in (UNSET, None, req.max_completion_tokens):
                self.ctx.drop("max_tokens", "max_completion_tokens takes precedence")
            return req.max_completion_tokens
        if req.max_tokens not in (UNSET, None):
            return req.max_tokens
        return self.t.default_max_tokens

    def sampling(self, out: a.MessagesRequest) -> None:
        req, ctx = self.req, self.ctx
        out.temperature = _sampling.temperature(ctx, req.temperature)
        out.top_p = _sampling.top_p(ctx, req.top_p)
        out.top_k = _sampling.top_k(ctx, req.top_k, self.t.top_k)

    def thinking(self, out: a.MessagesRequest) -> None:
        """Whichever switches the openai request used -> ``thinking`` + ``output_config.effort``.

        Read liberally, in order: the ``thinking`` switch, OpenRouter's ``reasoning`` object,
        ``chat_template_kwargs.enable_thinking``; the effort from ``reasoning_effort``, else
        ``reasoning.effort``. ``reasoning_effort: "none"`` is thinking switched off.
        """
        req, t, ctx = self.req, self.t, self.ctx
        thinking: a.ThinkingConfig | UnsetType = UNSET
        effort_path = "reasoning_effort"
        effort: str | None = (
            req.reasoning_effort if req.reasoning_effort not in (UNSET, None) else None
        )
        rc = req.reasoning if req.reasoning is not UNSET else None
        if effort is None and rc is not None and isinstance(rc.effort, str):
            effort, effort_path = rc.effort, "reasoning.effort"
        if req.thinking is not UNSET:
            thinking = self.switch(req.thinking, effort)
        elif rc is not None and rc.enabled is False:
            thinking = a.ThinkingDisabled()
        elif rc is not None and isinstance(rc.max_tokens, int):
            thinking = a.ThinkingEnabled(budget_tokens=rc.max_tokens)
        elif rc is not None and (rc.enabled is True or rc.effort not in (UNSET, None)):
            thinking = a.ThinkingAdaptive()
        elif (
            req.chat_template_kwargs is not UNSET and "enable_thinking" in req.chat_template_kwargs
        ):
            on = req.chat_template_kwargs["enable_thinking"]
            thinking = a.ThinkingAdaptive() if on else a.ThinkingDisabled()
        if rc is not None and rc.exclude not in (UNSET, None, False):
            ctx.drop("reasoning.exclude", "anthropic has no way to hide reasoning it was asked for")
        if req.chat_template_kwargs is not UNSET:
            for key in req.chat_template_kwargs:
                if key != "enable_thinking":
                    ctx.drop(f"chat_template_kwargs.{key}", "no twin in the anthropic dialect")
        level: a.Effort | None = None
        if effort == "none":
            if thinking is UNSET:
                thinking = a.ThinkingDisabled()
            elif not isinstance(thinking, a.ThinkingDisabled):
                ctx.drop(effort_path, "reasoning_effort 'none' beside a thinking switch that is on")
        elif effort is not None:
            level = EFFORT_TO_ANTHROPIC.get(effort)
            if level is None:
                level = "low"
                ctx.approx(effort_path, f"anthropic has no effort {effort!r}; 'low' is the nearest")
        if level is not None:
            if thinking is UNSET and t.effort_means_thinking:
                thinking = a.ThinkingAdaptive()
            if t.output_config:
                out.output_config = a.OutputConfig(effort=level)
            elif thinking is UNSET or isinstance(thinking, a.ThinkingAdaptive):
                thinking = a.ThinkingEnabled(budget_tokens=effort_to_budget(effort or "medium"))
                ctx.approx(effort_path, f"target {t.name} has no effort: said as a thinking budget")
            else:
                ctx.drop(effort_path, f"target {t.name} has no effort levels")
        if thinking is not UNSET:
            if isinstance(thinking, a.ThinkingAdaptive) and not t.output_config:
                thinking = a.ThinkingEnabled(budget_tokens=effort_to_budget(effort or "medium"))
                ctx.approx(
                    "thinking", f"target {t.name} has no adaptive thinking: said as a budget"
                )
            out.thinking = thinking

    def switch(self, sw: o.ThinkingSwitch, effort: str | None) -> a.ThinkingConfig:
        display = self.display(sw.display)
        if sw.type == "enabled":
            budget = sw.budget_tokens
            if budget is UNSET:
                budget = effort_to_budget(effort or "medium")
                self.ctx.lose(
                    "thinking",
                    "coerced",
                    f"anthropic needs a thinking budget: {budget} from the effort table",
                )
            return a.ThinkingEnabled(budget_tokens=budget, display=display)
        if sw.type == "adaptive":
            if sw.budget_tokens is not UNSET:
                self.ctx.drop("thinking.budget_tokens", "no budget with adaptive thinking")
            return a.ThinkingAdaptive(display=display)
        if display is not UNSET:
            self.ctx.drop("thinking.display", f"no display with {sw.type} thinking")
        if sw.budget_tokens is not UNSET:
            self.ctx.drop("thinking.budget_tokens", f"no budget with {sw.type} thinking")
        return a.ThinkingDisabled() if sw.type == "disabled" else a.ThinkingBetweenTools()

    def display(self, value: str | UnsetType | None) -> a.ThinkingDisplay | UnsetType | None:
        """A display the anthropic structs do not know is carried by ``compatible`` (like an
        unknown field) and a Loss elsewhere."""
        if value is UNSET or value is None or value in _DISPLAYS:
            return cast("a.ThinkingDisplay | None", value)
        if self.t.unknown_fields == "carry":
            return cast("a.ThinkingDisplay", value)
        self.ctx.drop("thinking.display", f"unknown value {value!r}")
        return UNSET

    def output_format(self, out: a.MessagesRequest) -> None:
        req, t, ctx = self.req, self.t, self.ctx
        rf = req.response_format
        if rf is UNSET or isinstance(rf, o.ResponseFormatText):
            return
        if not t.output_config:
            ctx.drop("response_format", f"target {t.name} has no structured output")
            return
        if isinstance(rf, o.ResponseFormatJSONObject):
            schema: dict[str, Any] = {"type": "object"}
            ctx.approx("response_format", "json_object said as a schema of any object")
        else:
            js = rf.json_schema
            schema = js.schema if js.schema is not UNSET else {}
            if js.name != "response":
                ctx.drop(
                    "response_format.json_schema.name", "anthropic output formats have no name"
                )
            if js.description is not UNSET:
                ctx.drop(
                    "response_format.json_schema.description",
                    "anthropic output formats have no description",
                )
            if js.strict is not True:
                ctx.approx(
                    "response_format.json_schema.strict",
                    "anthropic output formats are always strict",
                )
        config = out.output_config if out.output_config is not UNSET else a.OutputConfig()
        config.format = a.JSONOutputFormat(type="json_schema", schema=schema)
        out.output_config = config

    # -- cache hints -----------------------------------------------------------------

    def cache(self, part: o.ToolPart | o.CompactionPart, path: str) -> a.CacheControl | UnsetType:
        """The anthropic ``cache_control`` an openai part asks for, if any."""
        cc = part.cache_control
        if cc is not UNSET and cc is not None:
            if part.prompt_cache_breakpoint is not UNSET:
                self.ctx.drop(join(path, "prompt_cache_breakpoint"), "cache_control is used")
            return a.CacheControl(ttl=cc.ttl)
        bp = part.prompt_cache_breakpoint
        if bp is UNSET:
            return UNSET
        # The nearest twin, not the same words: it comes back as cache_control.
        self.ctx.approx(join(path, "prompt_cache_breakpoint"), "said as cache_control")
        ttl, exact = CACHE_TTL_TO_ANTHROPIC[None if bp.ttl is UNSET else bp.ttl]
        if not exact:
            self.ctx.approx(
                join(path, "prompt_cache_breakpoint.ttl"), "nearest cache_control lifetime"
            )
        return a.CacheControl(ttl=UNSET if ttl is None else ttl)

    # -- messages --------------------------------------------------------------------

    def messages(self) -> list[a.Message]:
        """The openai message list -> anthropic turns.

        The first message, if it is a system or developer message, becomes ``system``;
        later ones stay in place (a developer message, in ``compatible``, always stays, marked
        ``openai_role``) as ``role: system`` messages (API 2026-10-21) or, for
        targets without them, join ``system``. A run of tool messages and the user message
        after it form one anthropic user turn, as the Messages API wants tool results.
        """
        out: list[a.Message] = []
        msgs = self.req.messages
        pending: list[a.ContentBlock] | None = None  # the user turn being built from tool results
        for i, m in enumerate(msgs):
            path = f"messages[{i}]"
            if isinstance(m, o.ToolMessage):
                if pending is None:
                    pending = []
                    out.append(a.UserMessage(content=pending))
                pending.append(self.tool_result(m, path))
                continue
            if isinstance(m, o.UserMessage) and pending is not None:
                self.named(m, path)
                pending.extend(self.user_blocks(m, path))
                pending = None
                continue
            pending = None
            if isinstance(m, (o.SystemMessage, o.DeveloperMessage)):
                self.system_message(m, path, i, out)
            elif isinstance(m, o.UserMessage):
                content = m.content if isinstance(m.content, str) else self.user_blocks(m, path)
                self.named(m, path)
                if not content and m.content:
                    content = [a.TextBlock(text=OMITTED)]  # anthropic rejects empty content
                out.append(a.UserMessage(content=content))
            elif isinstance(m, o.AssistantMessage):
                reply = self.assistant(m, path)
                if reply.content == []:  # anthropic rejects an empty turn
                    reply.content = [a.TextBlock(text=OMITTED)]
                    self.ctx.approx(path, "an assistant turn left empty: a placeholder stands in")
                out.append(reply)
            else:
                self.ctx.drop(path, "function messages (deprecated) have no twin")
        return out

    def named(
        self,
        m: o.UserMessage | o.SystemMessage | o.DeveloperMessage | o.AssistantMessage,
        path: str,
    ) -> None:
        if m.name is not UNSET:
            self.ctx.drop(join(path, "name"), "anthropic messages have no participant names")

    def system_message(
        self, m: o.SystemMessage | o.DeveloperMessage, path: str, i: int, out: list[a.Message]
    ) -> None:
        self.named(m, path)
        content = (
            m.content
            if isinstance(m.content, str)
            else [self.text(p, f"{path}.content[{j}]") for j, p in enumerate(m.content)]
        )
        if isinstance(m, o.DeveloperMessage):
            if self.t.openai_fields and self.t.system_messages:
                out.append(a.SystemMessage(content=content, openai_role="developer"))
                return
            self.ctx.approx(
                join(path, "role"),
                "developer said as system (OpenAI treats them alike for o-series models)",
            )
        if i == 0:
            self.system = content
        elif self.t.system_messages:
            out.append(a.SystemMessage(content=content))
        else:
            if out:
                self.ctx.approx(
                    path, f"target {self.t.name} has no system messages: joined to system"
                )
            blocks = [a.TextBlock(text=content)] if isinstance(content, str) else content
            if self.system is UNSET:
                self.system = list(blocks)
            elif isinstance(self.system, str):
                self.system = [a.TextBlock(text=self.system), *blocks]
            else:
                self.system.extend(blocks)  # in place: joining n messages is linear

    def text(self, part: o.TextPart, path: str) -> a.TextBlock:
        block = a.TextBlock(text=part.text)
        cc = self.cache(part, path)
        if cc is not UNSET:
            block.cache_control = cc
        return block

    def user_blocks(self, m: o.UserMessage, path: str) -> list[a.ContentBlock]:
        if isinstance(m.content, str):
            return [a.TextBlock(text=m.content)]
        out: list[a.ContentBlock] = []
        for j, part in enumerate(m.content):
            block = self.part(part, f"{path}.content[{j}]")
            if block is not None:
                out.append(block)
        return out

    def part(
        self, part: o.UserPart, path: str
    ) -> a.TextBlock | a.ImageBlock | a.DocumentBlock | None:
        ctx = self.ctx
        if isinstance(part, o.TextPart):
            return self.text(part, path)
        block: a.ImageBlock | a.DocumentBlock | None
        if isinstance(part, o.ImageURLPart):
            source = self.image_source(part.image_url.url, join(path, "image_url.url"))
            if source is None:
                return None
            block = a.ImageBlock(source=source)
            if part.image_url.detail not in (UNSET, "auto"):
                ctx.drop(join(path, "image_url.detail"), "anthropic images have no detail level")
        elif isinstance(part, o.FilePart):
            block = self.document(part, path)
            if block is None:
                return None
        else:
            ctx.drop(path, f"{tag(part)} parts have no twin in the anthropic dialect")
            return None
        cc = self.cache(part, path)
        if cc is not UNSET:
            block.cache_control = cc
        return block

    def image_source(self, url: str, path: str) -> a.ImageSource | None:
        if not url.startswith("data:"):
            return a.URLSource(url=url)
        media_type, data = _data_url(url)
        if data is None:
            self.ctx.drop(path, "a data: URL that is not base64 has no twin")
            return None
        if not _is_image_type(media_type):
            self.ctx.drop(path, f"anthropic takes no {media_type or 'untyped'} images")
            return None
        return a.Base64ImageSource(media_type=media_type, data=data)

    def document(self, part: o.FilePart, path: str) -> a.DocumentBlock | a.ImageBlock | None:
        f, ctx = part.file, self.ctx
        if f.file_data is not UNSET:
            dpath = join(path, "file.file_data")
            if f.file_data.startswith("data:"):
                media_type, data = _data_url(f.file_data)
            else:  # raw base64: the type from the file name, else from the data itself
                media_type, data = _file_type(f.file_data, f.filename), f.file_data
                if not media_type:
                    media_type = "application/pdf"
                    ctx.approx(dpath, "raw base64 of no known type: sent as a PDF")
            if data is not None and media_type != "application/pdf":
                other = self.other_file(media_type, data, f, dpath)
                if other is not None:
                    return other
            if data is None or media_type != "application/pdf":
                ctx.drop(dpath, f"anthropic documents from data take PDF only, not {media_type}")
                return None
            block = a.DocumentBlock(
                source=a.Base64PDFSource(media_type="application/pdf", data=data)
            )
            if f.file_id is not UNSET:
                ctx.drop(
                    join(path, "file.file_id"),
                    "a file part with both data and an id: the data is used",
                )
        elif f.file_id is not UNSET:
            block = a.DocumentBlock(source=a.FileSource(file_id=f.file_id))
            ctx.approx(join(path, "file.file_id"), "file ids belong to one provider's file store")
        else:
            ctx.drop(path, "a file part with neither data nor id")
            return None
        if f.filename is not UNSET:
            block.title = f.filename
        return block

    def other_file(
        self, media_type: str, data: str, f: o.File, path: str
    ) -> a.DocumentBlock | a.ImageBlock | None:
        """A file that is not a PDF: an image is an image block, text a text document."""
        if _is_image_type(media_type):
            self.ctx.approx(path, "a file holding an image said as an image block")
            return a.ImageBlock(source=a.Base64ImageSource(media_type=media_type, data=data))
        if media_type.startswith("text/") or media_type in _TEXT_TYPES:
            try:
                text = binascii.a2b_base64(data).decode("utf-8")
            except ValueError:  # not base64, or not UTF-8 text
                return None
            self.ctx.approx(path, f"a {media_type} file said as a plain-text document")
            block = a.DocumentBlock(source=a.PlainTextSource(media_type="text/plain", data=text))
            if f.filename is not UNSET:
                block.title = f.filename
            return block
        return None

    def assistant(self, m: o.AssistantMessage, path: str) -> a.AssistantMessage:
        ctx = self.ctx
        self.named(m, path)
        blocks: list[a.ContentBlock] = self.reasoning(m, path)
        if isinstance(m.content, str):
            if m.content and not blocks and m.tool_calls in (UNSET, None, []):
                return a.AssistantMessage(content=m.content)
            if m.content:
                blocks.append(a.TextBlock(text=m.content))
        elif isinstance(m.content, list):
            for j, part in enumerate(m.content):
                ppath = f"{path}.content[{j}]"
                if isinstance(part, o.TextPart):
                    blocks.append(self.text(part, ppath))
                elif isinstance(part, o.CompactionPart):
                    blocks.append(_compaction(part, self.cache(part, ppath)))
                else:
                    blocks.append(a.TextBlock(text=part.refusal))
                    ctx.approx(ppath, "a refusal part replayed as text")
        if m.refusal not in (UNSET, None):
            blocks.append(a.TextBlock(text=m.refusal))
            ctx.approx(join(path, "refusal"), "a refusal replayed as text")
        for j, call in enumerate(m.tool_calls or ()):
            cpath = f"{path}.tool_calls[{j}]"
            if isinstance(call, o.FunctionToolCall):
                blocks.append(self.tool_use(call, cpath))
            else:
                ctx.drop(cpath, "custom tool calls have no twin in the anthropic dialect")
        if (
            self.t.reasoning_required_on_tool_calls
            and any(type(b) is a.ToolUseBlock for b in blocks)
            and not any(type(b) in (a.ThinkingBlock, a.RedactedThinkingBlock) for b in blocks)
        ):
            # The provider rejects a tool-use turn without its thinking (MiMo, DeepSeek, Kimi).
            blocks.insert(0, a.ThinkingBlock(thinking="", signature=""))
            ctx.approx(
                path,
                f"target {self.t.name} requires thinking on tool-use turns: an empty one stands in",
            )
        if m.function_call not in (UNSET, None):
            ctx.drop(join(path, "function_call"), "deprecated function_call has no id to answer")
        if m.audio not in (UNSET, None):
            ctx.drop(join(path, "audio"), "no audio in the anthropic dialect")
        return a.AssistantMessage(
            content=blocks if blocks or not isinstance(m.content, str) else m.content
        )

    def tool_use(self, call: o.FunctionToolCall, path: str) -> a.ToolUseBlock:
        block = a.ToolUseBlock(
            id=anthropic_id(call.id),
            name=self.name(call.function.name, path, "function.name"),
            input=parse_arguments(
                call.function.arguments, self.ctx, join(path, "function.arguments")
            ),
        )
        if call.cache_control not in (UNSET, None):
            block.cache_control = a.CacheControl(ttl=call.cache_control.ttl)
        if call.caller is not UNSET and call.caller is not None:  # null is absent
            block.caller = a.Caller(type=call.caller.type, tool_id=call.caller.tool_id)
        return block

    def reasoning(self, m: o.AssistantMessage, path: str) -> list[a.ContentBlock]:
        """Earlier reasoning, from whichever carrier holds it -> thinking blocks.

        ``reasoning_details`` wins: it keeps each block, its signature and redacted data.
        Otherwise ``reasoning_content`` or ``reasoning`` become one unsigned block.
        """
        t, ctx = self.t, self.ctx
        blocks: list[a.ContentBlock] = []
        if m.reasoning_details not in (UNSET, None) and m.reasoning_details:
            carry = t.openai_fields
            signed_only = t.signatures == "signed_only"
            for j, d in enumerate(m.reasoning_details):
                dpath = f"{path}.reasoning_details[{j}]"
                if isinstance(d, o.ReasoningText) and d.text is None:
                    ctx.approx(join(dpath, "text"), "null text said as empty thinking")
                block: a.ThinkingBlock | a.RedactedThinkingBlock
                if isinstance(d, o.ReasoningText):
                    block = a.ThinkingBlock(thinking=d.text or "", signature=d.signature or "")
                elif isinstance(d, o.ReasoningEncrypted):
                    block = a.RedactedThinkingBlock(data=d.data)
                else:
                    block = a.ThinkingBlock(thinking=d.summary, signature="")
                blocks.append(block)
                if carry:
                    _carry_detail(block, d)
                    continue
                if d.format not in _ANTHROPIC_FORMATS:
                    if signed_only:
                        blocks.pop()
                        ctx.drop(
                            dpath,
                            f"target {t.name} verifies signatures: reasoning in format {d.format!r} dropped",
                        )
                        continue
                    ctx.approx(
                        join(dpath, "format"),
                        f"reasoning in format {d.format!r} replayed to anthropic",
                    )
                if signed_only and type(block) is a.ThinkingBlock and not block.signature:
                    continue  # dropped whole below: nothing of it to report apart
                if isinstance(d, o.ReasoningSummary):
                    ctx.approx(dpath, "a reasoning summary replayed as unsigned thinking")
                if d.id not in (UNSET, None):
                    ctx.drop(join(dpath, "id"), "thinking blocks have no id")
                if d.index is not UNSET and d.index != j:
                    ctx.drop(join(dpath, "index"), "thinking blocks are in list order")
            joined = "\n\n".join(b.thinking for b in blocks if isinstance(b, a.ThinkingBlock))
            for field in ("reasoning_content", "reasoning"):
                value = getattr(m, field)
                if value not in (UNSET, None, "", joined):
                    ctx.drop(join(path, field), "differs from reasoning_details, which is used")
        else:
            text = m.reasoning_content if m.reasoning_content not in (UNSET, None) else m.reasoning
            if text not in (UNSET, None):
                blocks.append(a.ThinkingBlock(thinking=text, signature=""))
                if m.reasoning_content not in (UNSET, None) and m.reasoning not in (
                    UNSET,
                    None,
                    text,
                ):
                    ctx.drop(
                        join(path, "reasoning"), "differs from reasoning_content, which is used"
                    )
        if t.signatures == "signed_only":
            kept = []
            for b in blocks:
                if isinstance(b, a.ThinkingBlock) and not b.signature:
                    ctx.drop(
                        join(path, "reasoning"),
                        f"target {t.name} verifies signatures: unsigned thinking dropped",
                    )
                else:
                    kept.append(b)
            blocks = kept
        elif t.signatures == "unsigned_only":
            for b in blocks:
                if isinstance(b, a.ThinkingBlock) and b.signature:
                    b.signature = ""
                    ctx.drop(
                        join(path, "reasoning_details"),
                        f"target {t.name} rejects foreign signatures",
                    )
        return blocks

    def tool_result(self, m: o.ToolMessage, path: str) -> a.ToolResultBlock:
        block = a.ToolResultBlock(tool_use_id=anthropic_id(m.tool_call_id))
        if isinstance(m.content, str):
            block.content = m.content
        else:
            items: list[a.ToolResultContent] = []
            for j, part in enumerate(m.content):
                if isinstance(part, o.ToolReferencePart):
                    ref = a.ToolReferenceBlock(
                        tool_name=self.name(part.tool_name, f"{path}.content", "tool_name", j)
                    )
                    cc = self.cache(part, f"{path}.content[{j}]")
                    if cc is not UNSET:
                        ref.cache_control = cc
                    items.append(ref)
                    continue
                b = self.part(part, f"{path}.content[{j}]")
                if b is not None:
                    items.append(b)
            block.content = items
        if m.is_error is not UNSET:
            block.is_error = m.is_error
        if m.cache_control not in (UNSET, None):
            block.cache_control = a.CacheControl(ttl=m.cache_control.ttl)
        return block

    # -- tools -----------------------------------------------------------------------

    def tools(self, tools: list[o.Tool]) -> list[a.Tool]:
        out = []
        for i, tool in enumerate(tools):
            path = f"tools[{i}]"
            if not isinstance(tool, o.FunctionTool):
                self.ctx.drop(
                    path, "custom (free-form) tools have no twin in the anthropic dialect"
                )
                continue
            fn = tool.function
            if not fn.name:
                raise TranslationError(join(path, "function.name"), "a function needs a name")
            schema = (
                fn.parameters
                if fn.parameters is not UNSET
                else {"type": "object", "properties": {}}
            )
            definition = a.Tool(name=self.name(fn.name, path, "function.name"), input_schema=schema)
            if fn.description is not UNSET:
                definition.description = fn.description
            if fn.strict not in (UNSET, None):
                definition.strict = fn.strict
            if tool.cache_control not in (UNSET, None):
                definition.cache_control = a.CacheControl(ttl=tool.cache_control.ttl)
            # anthropic's own tool fields, carried by the compatible form
            definition.defer_loading = tool.defer_loading
            definition.allowed_callers = tool.allowed_callers
            definition.eager_input_streaming = tool.eager_input_streaming
            definition.input_examples = tool.input_examples
            out.append(definition)
        return out

    def tool_choice(self, out: a.MessagesRequest) -> None:
        req, ctx = self.req, self.ctx
        choice, parallel = req.tool_choice, req.parallel_tool_calls
        result: a.ToolChoice | UnsetType = UNSET
        if isinstance(choice, str):
            result = _TOOL_CHOICE[TOOL_CHOICE_TO_ANTHROPIC[choice]]()
        elif isinstance(choice, o.NamedToolChoice):
            result = a.ToolChoiceTool(
                name=self.name(choice.function.name, "tool_choice", "function.name")
            )
        elif isinstance(choice, o.AllowedToolsChoice):
            mode = choice.allowed_tools.mode
            result = a.ToolChoiceAny() if mode == "required" else a.ToolChoiceAuto()
            ctx.approx("tool_choice.allowed_tools", "the allowed subset is not enforced")
        elif isinstance(choice, o.NamedCustomToolChoice):
            ctx.drop("tool_choice", "custom tools have no twin in the anthropic dialect")
        if parallel is not UNSET:
            if result is UNSET and req.tools:
                result = a.ToolChoiceAuto()  # openai's default when tools are present
            if result is UNSET or isinstance(result, a.ToolChoiceNone):
                # without tools openai's default is "none" (and it rejects the flag there)
                ctx.drop("parallel_tool_calls", "meaningless when no tool may be called")
            else:
                result.disable_parallel_tool_use = not parallel
        if result is not UNSET:
            if not self.t.tool_choice_with_thinking and out.thinking is not UNSET:
                ctx.drop("tool_choice", f"target {self.t.name} rejects tool_choice while thinking")
                return
            out.tool_choice = result


def _carry_detail(block: a.ThinkingBlock | a.RedactedThinkingBlock, d: o.ReasoningDetail) -> None:
    """What a ``reasoning_details`` entry says beside its thinking, on its block (the
    ``compatible`` carrier, ``openai_detail``); nothing when it says nothing more."""
    summary = isinstance(d, o.ReasoningSummary)
    if not summary and d.id is UNSET and d.format is UNSET and d.index is UNSET:
        return
    if isinstance(block, a.RedactedThinkingBlock):
        block.openai_detail = a.OpenAIDetail(id=d.id, format=d.format, index=d.index)
        return
    detail = block.openai_detail = a.OpenAIThinkingDetail(id=d.id, format=d.format, index=d.index)
    if summary:
        detail.type = "reasoning.summary"
    elif isinstance(d, o.ReasoningText) and d.signature in (UNSET, None):
        detail.signature = None


def _compaction(part: o.CompactionPart, cc: a.CacheControl | UnsetType) -> a.CompactionBlock:
    return a.CompactionBlock(
        content=part.content,
        encrypted_content=part.encrypted_content,
        signature=part.signature,
        tool_changes=part.tool_changes,
        cache_control=cc if cc is not UNSET else (None if part.cache_control is None else UNSET),
    )


_TEXT_TYPES = frozenset(
    ["application/json", "application/xml", "application/x-yaml", "application/yaml"]
)


def _file_type(data: str, filename: str | UnsetType) -> str:
    """The media type of raw base64 file data: from its name, else from its first bytes."""
    if isinstance(filename, str):
        guessed, _ = mimetypes.guess_type(filename, strict=False)
        if guessed:
            return guessed
    head = data[:16]
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return ""


# base64 of the first bytes of each format: %PDF, PNG, JPEG, GIF8
_MAGIC = (
    ("JVBER", "application/pdf"),
    ("iVBORw0KGgo", "image/png"),
    ("/9j/", "image/jpeg"),
    ("R0lGOD", "image/gif"),
)


def _is_image_type(media_type: str) -> TypeGuard[a.ImageMediaType]:
    return media_type in _IMAGE_TYPES


def _data_url(url: str) -> tuple[str, str | None]:
    """``data:<media type>;base64,<data>`` -> (media type, data); data None if not base64."""
    head, sep, data = url.partition(",")
    if not sep:
        return "", None
    params = head[5:].split(";")
    if "base64" not in params[1:]:
        return params[0], None
    head = data[:64]
    try:
        binascii.a2b_base64(head + "=" * (-len(head) % 4), strict_mode=True)
    except ValueError:  # binascii.Error, and non-ASCII text, which a2b_base64 refuses
        return params[0], None
    return params[0], data
