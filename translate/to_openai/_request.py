"""Anthropic ``MessagesRequest`` -> openai ``ChatCompletionRequest``.

Read top to bottom: the entry point, then the request fields, then messages (system,
user with its tool results, assistant with its reasoning and tool calls), then tools.
Every input path that cannot be carried exactly goes to the ledger (``ctx``) as a Loss.
"""

from __future__ import annotations

import operator
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from .. import _sampling
from .. import anthropic as a
from .. import openai as o
from .._decode import Unknown, decode, join
from .._errors import Loss, TranslationError
from .._ledger import Ctx, finish
from .._tables import (
    CACHE_TTL_TO_OPENAI,
    SERVICE_TIER_TO_OPENAI,
    TOOL_CHOICE_TO_OPENAI,
    budget_to_effort,
    nearest_effort,
    tag,
)
from .._tools import OMITTED, Names, dump_arguments, id_returns, openai_id
from ..targets import Target, resolve
from . import _refine as r

_json = msgspec.json.Encoder()
_CLIENT_TOOL = (UNSET, None, "custom")

# Dropped with a Loss unless equal to the default shown (None: no default is harmless).
_NO_TWIN: tuple[tuple[str, object], ...] = (
    ("container", None),
    ("diagnostics", None),
    ("inference_geo", None),
    ("speed", None),
    ("user_profile_id", None),
    ("workspace_id", None),
)
_NO_TWIN_VALUES = operator.attrgetter(*(field for field, _ in _NO_TWIN))
# Options of Anthropic's server tools: on a client tool they have no meaning to carry.
_SERVER_OPTIONS = (
    "max_uses",
    "allowed_domains",
    "blocked_domains",
    "user_location",
    "citations",
    "max_content_tokens",
    "url_sources",
    "use_cache",
    "response_inclusion",
    "max_characters",
    "configs",
)
_SERVER_OPTION_VALUES = operator.attrgetter(*_SERVER_OPTIONS)
_BAD_ID = "outside anthropic's id alphabet: comes back rewritten into it"


def request(
    body: Any,
    *,
    target: str | Target = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> o.ChatCompletionRequest:
    """Translate an anthropic Messages request into an openai Chat Completions request.

    ``body``: bytes, str, dict, ``translate.anthropic.MessagesRequest`` or a pydantic model.
    Whatever the target cannot carry is appended to ``losses``; ``strict=True`` raises
    ``LossError`` instead. Bad input raises ``TranslationError`` naming the JSON path.
    """
    unknown: list[Unknown] = []
    req = decode(body, a.MessagesRequest, unknown)
    ctx = Ctx(resolve(target, "openai"))
    out = _Request(ctx, req).build()
    if unknown and out.thinking is not UNSET and ctx.target.thinking_budget:
        _carry_display(out.thinking, unknown)
    return finish(ctx, out, unknown, strict, losses)


def _carry_display(sw: o.ThinkingSwitch, unknown: list[Unknown]) -> None:
    """A ``thinking.display`` value the anthropic structs do not know (Claude Code's
    ``"updates"``) rides in the compatible switch, whose ``display`` is any string."""
    for i, u in enumerate(unknown):
        if u.path == "thinking" and u.key == "display" and isinstance(u.value, str):
            if sw.type in ("enabled", "adaptive"):
                sw.display = u.value
                del unknown[i]
            return


class _Request:
    __slots__ = ("ctx", "limit", "name", "req", "t")

    def __init__(self, ctx: Ctx, req: a.MessagesRequest) -> None:
        self.ctx = ctx
        self.t = ctx.target
        self.req = req
        self.limit = self.t.tool_name_max
        # Tool names over the target's limit or outside its alphabet: rewritten the same
        # way everywhere (definitions, tool_choice, history); request= restores them.
        self.name = Names(ctx, self.limit, self.definitions).name

    def definitions(self) -> dict[str, str]:
        """Each client tool's name -> the path of its definition's name."""
        tools = enumerate(self.req.tools or ())
        return {t.name: f"tools[{i}].name" for i, t in tools if t.type in _CLIENT_TOOL and t.name}

    # -- the request fields ----------------------------------------------------------

    def build(self) -> o.ChatCompletionRequest:
        req, t, ctx = self.req, self.t, self.ctx
        out = o.ChatCompletionRequest(model=req.model, messages=self.messages())
        setattr(out, t.max_tokens_field, req.max_tokens)
        if req.stop_sequences is not UNSET:
            out.stop = list(req.stop_sequences)
        if req.stream is not UNSET:
            out.stream = req.stream
            if req.stream:
                # Anthropic streams always end with usage; ask for the same.
                out.stream_options = o.StreamOptions(include_usage=True)
        self.sampling(out)
        if req.metadata is not UNSET and req.metadata.user_id not in (UNSET, None):
            out.user = req.metadata.user_id
        if req.tools is not UNSET:
            out.tools = self.tools(req.tools)
        if req.tool_choice is not UNSET:
            self.tool_choice(out, req.tool_choice)
        if req.tools and not out.tools:
            self.no_tools_left(out)
        self.thinking(out)
        if not t.tool_choice_with_thinking:
            self.forced_choice_while_thinking(out)
        self.output_format(out)
        if req.service_tier is not UNSET:
            out.service_tier = SERVICE_TIER_TO_OPENAI[req.service_tier]
        if req.cache_control not in (UNSET, None):
            ctx.drop("cache_control", "automatic prompt caching has no twin in the openai dialect")
        values = _NO_TWIN_VALUES(req)
        if values.count(UNSET) != len(values):  # the usual request sets none of them
            for (field, default), value in zip(_NO_TWIN, values):
                if value is not UNSET and value != default:
                    ctx.drop(field, "no twin in the openai dialect")
        return out

    def sampling(self, out: o.ChatCompletionRequest) -> None:
        req, t, ctx = self.req, self.t, self.ctx
        out.temperature = _sampling.temperature(ctx, req.temperature)
        out.top_p = _sampling.top_p(ctx, req.top_p)
        out.top_k = _sampling.top_k(ctx, req.top_k, t.top_k and not t.official_fields_only)

    def thinking(self, out: o.ChatCompletionRequest) -> None:
        """``thinking`` + ``output_config.effort`` -> the target's thinking switches.

        The two are independent on both sides: ``reasoning_effort`` says the effort, the
        ``thinking`` switch the mode (with budget and display in the compatible form).
        ``disabled`` alone is ``reasoning_effort: "none"`` where that level exists. A target
        with fewer words gets the nearest it has, with a Loss.
        """
        req, t, ctx = self.req, self.t, self.ctx
        thinking = req.thinking
        effort = None
        if req.output_config is not UNSET and req.output_config.effort not in (UNSET, None):
            effort = req.output_config.effort
        if thinking is UNSET and effort is None:
            return
        switch = t.thinking_switch
        off = isinstance(thinking, a.ThinkingDisabled)
        if off and effort is not None and not ("thinking" in switch and t.thinking_with_effort):
            # An explicit opt-out wins over the effort where the target cannot say both.
            ctx.drop("output_config.effort", "thinking is disabled, which wins over the effort")
            effort = None
        rc = o.ReasoningConfig()  # OpenRouter's one object, filled from both fields
        if effort is not None:
            level = nearest_effort(effort, t.effort_levels)
            if "reasoning_effort" in switch and level is not None:
                out.reasoning_effort = level
                if level != effort:
                    ctx.approx(
                        "output_config.effort",
                        f"target {t.name} has no effort {effort!r}: {level!r}",
                    )
            elif "reasoning" in switch:
                rc.effort = effort
            else:
                ctx.drop("output_config.effort", f"target {t.name} takes no effort level")
        display = _display(thinking)
        if off and effort is None and "reasoning_effort" in switch and "none" in t.effort_levels:
            out.reasoning_effort = "none"
        elif thinking is not UNSET:
            if "thinking" in switch:
                out.thinking = self.switch(thinking, effort, out)
                display = UNSET if t.thinking_budget else display
                if (
                    out.thinking.type == "disabled"
                    and out.reasoning_effort not in (UNSET, None, "none")
                    and not t.thinking_with_effort
                ):
                    out.reasoning_effort = UNSET
                    ctx.drop(
                        "output_config.effort",
                        f"target {t.name} rejects an effort beside disabled thinking",
                    )
            elif "reasoning" in switch:
                if isinstance(thinking, a.ThinkingEnabled):
                    rc.max_tokens = thinking.budget_tokens
                elif off:
                    rc.enabled = False
                elif rc.effort is UNSET:
                    rc.enabled = True
            elif "chat_template_kwargs" in switch:
                out.chat_template_kwargs = {"enable_thinking": not off}
                if isinstance(thinking, a.ThinkingEnabled):
                    ctx.drop("thinking.budget_tokens", f"target {t.name} takes no thinking budget")
            else:
                self.effort_only(out, thinking, effort)
        if rc.effort is not UNSET and rc.max_tokens is not UNSET:
            # OpenRouter: "one of the following (not both)"; the budget is the exact one.
            rc.effort = UNSET
            ctx.drop(
                "output_config.effort", f"target {t.name} takes an effort or a budget, not both"
            )
        if rc != o.ReasoningConfig():
            out.reasoning = rc
        if display is not UNSET:
            ctx.drop("thinking.display", f"target {t.name} takes no thinking display")

    def switch(
        self, thinking: a.ThinkingConfig, effort: a.Effort | None, out: o.ChatCompletionRequest
    ) -> o.ThinkingSwitch:
        t, ctx = self.t, self.ctx
        kind = _thinking_type(thinking)
        if kind not in t.thinking_types:
            ctx.approx("thinking.type", f"target {t.name} switches thinking on or off only")
            kind = "disabled" if kind == "disabled" else "enabled"
        sw = o.ThinkingSwitch(type=kind)
        if isinstance(thinking, a.ThinkingEnabled):
            if t.thinking_budget:
                sw.budget_tokens = thinking.budget_tokens
            elif effort is None and "reasoning_effort" in t.thinking_switch:
                out.reasoning_effort = nearest_effort(
                    budget_to_effort(thinking.budget_tokens), t.effort_levels
                )
                ctx.approx("thinking.budget_tokens", "said as the nearest reasoning_effort")
            else:
                ctx.drop("thinking.budget_tokens", f"target {t.name} takes no thinking budget")
        display = _display(thinking)
        if t.thinking_budget and display is not UNSET:
            sw.display = display
        return sw

    def effort_only(
        self, out: o.ChatCompletionRequest, thinking: a.ThinkingConfig, effort: a.Effort | None
    ) -> None:
        """A target whose only word for thinking is ``reasoning_effort`` (the official API)."""
        t, ctx = self.t, self.ctx
        kind = _thinking_type(thinking)
        if isinstance(thinking, a.ThinkingEnabled):
            if effort is None:
                out.reasoning_effort = nearest_effort(
                    budget_to_effort(thinking.budget_tokens), t.effort_levels
                )
            ctx.approx("thinking.budget_tokens", "said as the nearest reasoning_effort")
        elif kind == "adaptive":
            if effort is None:
                ctx.approx("thinking", "adaptive thinking is the default of reasoning models")
        elif kind == "disabled":
            ctx.drop(
                "thinking",
                "disabled thinking beside an effort level"
                if effort
                else f"target {t.name} cannot switch thinking off",
            )
        else:
            ctx.drop("thinking", f"target {t.name} has no {kind!r} thinking")

    def forced_choice_while_thinking(self, out: o.ChatCompletionRequest) -> None:
        """DeepSeek and Kimi think unless told not to, and then reject a forced tool choice."""
        off = (
            out.thinking is not UNSET and out.thinking.type == "disabled"
        ) or out.reasoning_effort == "none"
        if not off and out.tool_choice not in (UNSET, "auto", "none"):
            out.tool_choice = "auto"
            self.ctx.approx(
                "tool_choice",
                f"target {self.t.name} rejects a forced tool choice while thinking: auto",
            )

    def output_format(self, out: o.ChatCompletionRequest) -> None:
        req, t, ctx = self.req, self.t, self.ctx
        if req.output_config is UNSET or req.output_config.format in (UNSET, None):
            return
        fmt = req.output_config.format
        if "json_schema" in t.structured_output:
            # Anthropic structured output is always constrained, hence strict; it has no name.
            out.response_format = o.ResponseFormatJSONSchema(
                json_schema=o.JSONSchema(name="response", schema=fmt.schema, strict=True)
            )
        elif "json_object" in t.structured_output:
            out.response_format = o.ResponseFormatJSONObject()
            ctx.approx("output_config.format", f"target {t.name} takes json_object, not a schema")
        else:
            ctx.drop("output_config.format", f"target {t.name} has no structured output")

    # -- cache hints -----------------------------------------------------------------

    def hint(
        self, part: o.ToolPart | o.CompactionPart, cc: a.CacheControl | UnsetType | None, path: str
    ) -> None:
        """Put an anthropic ``cache_control`` on an openai part, as the target says it."""
        if cc is UNSET or cc is None:
            return
        mode = self.t.cache_hints
        if mode == "cache_control":
            part.cache_control = o.CacheControl(ttl=cc.ttl)
        elif mode == "prompt_cache_breakpoint":
            ttl, exact = CACHE_TTL_TO_OPENAI[None if cc.ttl is UNSET else cc.ttl]
            part.prompt_cache_breakpoint = o.PromptCacheBreakpoint(
                ttl=UNSET if ttl is None else ttl
            )
            if not exact:
                self.ctx.approx(
                    join(path, "cache_control.ttl"), "nearest prompt_cache_breakpoint lifetime"
                )
        else:
            self.ctx.drop(join(path, "cache_control"), f"target {self.t.name} takes no cache hints")

    def cc_field(
        self,
        holder: o.FunctionTool | o.FunctionToolCall | o.ToolMessage,
        cc: a.CacheControl | UnsetType | None,
        path: str,
    ) -> None:
        """``cache_control`` on an object that is not a part (tool, tool call, tool message)."""
        if cc is UNSET or cc is None:
            return
        if self.t.cache_carriers:
            holder.cache_control = o.CacheControl(ttl=cc.ttl)
        else:
            self.ctx.drop(
                join(path, "cache_control"), f"target {self.t.name} has no cache hint here"
            )

    # -- messages --------------------------------------------------------------------

    def messages(self) -> list[o.Message]:
        req = self.req
        out: list[o.Message] = []
        if req.system is not UNSET:
            out.append(o.SystemMessage(content=self.text_content(req.system, "system")))
        for i, m in enumerate(req.messages):
            path = f"messages[{i}]"
            if isinstance(m, a.UserMessage):
                self.user(m, path, out)
            elif isinstance(m, a.AssistantMessage):
                out.append(self.assistant(m, path))
            else:
                content = self.text_content(m.content, f"{path}.content")
                if m.openai_role == "developer":
                    out.append(o.DeveloperMessage(content=content))
                else:
                    out.append(o.SystemMessage(content=content))
        return out

    def text_content(self, content: str | list[a.TextBlock], path: str) -> str | list[o.TextPart]:
        if isinstance(content, str):
            return content
        return [self.text(b, f"{path}[{j}]") for j, b in enumerate(content)]

    def text(self, block: a.TextBlock, path: str) -> o.TextPart:
        if block.cache_control is UNSET and block.citations is UNSET:
            return o.TextPart(text=block.text)  # the common case, nothing to say beside the text
        part = o.TextPart(text=block.text)
        self.hint(part, block.cache_control, path)
        if block.citations not in (UNSET, None):
            self.ctx.drop(join(path, "citations"), "citations have no twin in openai requests")
        return part

    def user(self, m: a.UserMessage, path: str, out: list[o.Message]) -> None:
        """One anthropic user turn -> its ``role: tool`` messages, then one user message.

        OpenAI wants tool messages right after the assistant's calls, so results go first
        and whatever else the turn said follows in a user message.
        """
        if isinstance(m.content, str):
            out.append(o.UserMessage(content=m.content))
            return
        parts: list[o.UserPart] = []
        spill: list[
            o.UserPart
        ] = []  # tool-result images, for targets whose tool messages are text only
        results = 0
        for j, block in enumerate(m.content):
            bpath = f"{path}.content[{j}]"
            if isinstance(block, a.ToolResultBlock):
                if parts:
                    self.ctx.approx(bpath, "tool results move before the text that preceded them")
                out.append(self.tool_result(block, bpath, spill))
                results += 1
            else:
                part = self.user_part(block, bpath)
                if part is not None:
                    parts.append(part)
        if spill or parts or not results:
            content = spill + parts
            if not content and m.content:
                content = [o.TextPart(text=OMITTED)]  # OpenAI rejects empty content
            if out and type(out[-1]) is o.ToolMessage and len(content) == 1:
                first = content[0]
                if (
                    type(first) is o.TextPart
                    and first.cache_control is UNSET
                    and first.prompt_cache_breakpoint is UNSET
                ):
                    # Text right after tool results: to_anthropic joins it to the results'
                    # turn, and reading that turn back gives this same string.
                    out.append(o.UserMessage(content=first.text))
                    return
            out.append(o.UserMessage(content=content))

    def user_part(self, block: a.ContentBlock, path: str) -> o.UserPart | None:
        ctx = self.ctx
        if isinstance(block, a.TextBlock):
            return self.text(block, path)
        if isinstance(block, a.ImageBlock):
            return self.image(block, path)
        if isinstance(block, a.DocumentBlock):
            return self.document(block, path)
        if isinstance(block, a.CompactionBlock):
            return self.compaction(block, path)
        if isinstance(block, (a.ThinkingBlock, a.RedactedThinkingBlock, a.ToolUseBlock)):
            ctx.drop(path, f"a {tag(block)} block belongs to assistant turns")
        elif isinstance(block, a.SERVER_BLOCKS):
            ctx.drop(path, f"{tag(block)} is an Anthropic server-side block")
        else:
            ctx.drop(path, f"{tag(block)} has no twin in the openai dialect")
        return None

    def image(self, block: a.ImageBlock, path: str) -> o.ImageURLPart | None:
        src = block.source
        if isinstance(src, a.Base64ImageSource):
            url = f"data:{src.media_type};base64,{src.data}"
        elif isinstance(src, a.URLSource):
            url = src.url
        else:
            self.ctx.drop(path, "an image by Anthropic file id has no twin in the openai dialect")
            return None
        part = o.ImageURLPart(image_url=o.ImageURL(url=url))
        self.hint(part, block.cache_control, path)
        if block.transformations not in (UNSET, None):
            self.ctx.drop(join(path, "transformations"), "no twin in the openai dialect")
        return part

    def document(self, block: a.DocumentBlock, path: str) -> o.UserPart | None:
        ctx, src = self.ctx, block.source
        part: o.UserPart
        if isinstance(src, a.Base64PDFSource):
            file = o.File(file_data=f"data:application/pdf;base64,{src.data}")
            if isinstance(block.title, str):
                file.filename = block.title
            part = o.FilePart(file=file)
        elif isinstance(src, a.FileSource):
            file = o.File(file_id=src.file_id)
            if isinstance(block.title, str):
                file.filename = block.title
            part = o.FilePart(file=file)
            ctx.approx(join(path, "source.file_id"), "file ids belong to one provider's file store")
        elif isinstance(src, a.PlainTextSource):
            part = o.TextPart(text=src.data)
            ctx.approx(path, "a text document becomes a text part")
            if isinstance(block.title, str):
                ctx.drop(join(path, "title"), "a text part has no title")
        elif isinstance(src, a.ContentSource):
            texts = (
                [src.content]
                if isinstance(src.content, str)
                else [b.text for b in src.content if isinstance(b, a.TextBlock)]
            )
            part = o.TextPart(text="\n\n".join(texts))
            ctx.approx(path, "a content document becomes one text part (images inside dropped)")
        else:
            ctx.drop(path, "a PDF by URL has no twin in openai file parts")
            return None
        self.hint(part, block.cache_control, path)
        if block.context not in (UNSET, None):
            ctx.drop(join(path, "context"), "no twin in openai file parts")
        if block.citations not in (UNSET, None) and block.citations.enabled is True:
            ctx.drop(join(path, "citations"), "citations have no twin in the openai dialect")
        return part

    def tool_result(
        self, block: a.ToolResultBlock, path: str, spill: list[o.UserPart]
    ) -> o.ToolMessage:
        t, ctx = self.t, self.ctx
        content: str | list[o.ToolPart]
        if block.content is UNSET:
            content = ""
        elif isinstance(block.content, str):
            content = block.content
        else:
            content = []
            for j, item in enumerate(block.content):
                ipath = f"{path}.content[{j}]"
                if isinstance(item, a.TextBlock):
                    content.append(self.text(item, ipath))
                    continue
                if isinstance(item, a.ToolReferenceBlock):
                    content.append(self.tool_reference(item, ipath))
                    continue
                part = (
                    self.user_part(item, ipath)
                    if isinstance(item, (a.ImageBlock, a.DocumentBlock))
                    else None
                )
                if part is None:
                    if not isinstance(item, (a.ImageBlock, a.DocumentBlock)):
                        ctx.drop(ipath, f"{tag(item)} has no twin in the openai dialect")
                elif t.tool_message_images:
                    content.append(part)
                else:
                    spill.append(part)
                    ctx.approx(
                        ipath,
                        "tool messages carry text only: moved to a user message after the results",
                    )
        if not content:
            content = ""  # nothing, or every item went elsewhere: OpenAI rejects []
        msg = o.ToolMessage(content=content, tool_call_id=openai_id(block.tool_use_id))
        if not id_returns(block.tool_use_id):
            ctx.approx(join(path, "tool_use_id"), _BAD_ID)
        if block.is_error is not UNSET:
            if t.tool_error == "is_error" and not t.official_fields_only:
                msg.is_error = block.is_error
            elif block.is_error:
                ctx.approx(
                    join(path, "is_error"), "said as an 'Error: ' prefix of the tool message"
                )
                if isinstance(msg.content, str):
                    msg.content = "Error: " + msg.content
                else:
                    msg.content.insert(0, o.TextPart(text="Error:"))
        if block.cache_control not in (UNSET, None):
            if not t.cache_carriers and t.cache_hints != "none":
                if isinstance(msg.content, str):
                    msg.content = [o.TextPart(text=msg.content)]
                if msg.content:
                    self.hint(msg.content[-1], block.cache_control, path)
            else:
                self.cc_field(msg, block.cache_control, path)
        if block.toolset_name not in (UNSET, None):
            ctx.drop(join(path, "toolset_name"), "no twin in the openai dialect")
        return msg

    def tool_reference(self, item: a.ToolReferenceBlock, path: str) -> o.ToolPart:
        """Claude Code's tool search answers with the tools it found, by name (as sent)."""
        name = self.name(item.tool_name, path, "tool_name")
        if self.t.anthropic_fields:
            return o.ToolReferencePart(tool_name=name, cache_control=_cc(item.cache_control))
        self.ctx.approx(path, "a tool_reference said as text")
        part = o.TextPart(text=f"Tool loaded: {name}")
        self.hint(part, item.cache_control, path)
        return part

    def compaction(self, block: a.CompactionBlock, path: str) -> o.TextPart | None:
        """A compaction summary, for a target that cannot carry the block: its text."""
        text = r.compaction(block.content, path, self.ctx.lose)
        if text is None:
            return None
        part = o.TextPart(text=text)
        self.hint(part, block.cache_control, path)
        return part

    def assistant(self, m: a.AssistantMessage, path: str) -> o.AssistantMessage:
        if isinstance(m.content, str):
            return o.AssistantMessage(content=m.content)
        ctx = self.ctx
        texts: list[o.AssistantPart] = []
        calls: list[o.ToolCall] = []
        thoughts: list[tuple[str, a.ThinkingBlock | a.RedactedThinkingBlock]] = []
        last_kind = ""
        for j, block in enumerate(m.content):
            bpath = f"{path}.content[{j}]"
            if type(block) is a.TextBlock:
                if last_kind == "tool_use":
                    ctx.approx(bpath, "text after a tool call moves before the tool calls")
                texts.append(self.text(block, bpath))
                last_kind = "text"
            elif type(block) is a.ToolUseBlock:
                calls.append(self.tool_call(block, bpath))
                last_kind = "tool_use"
            elif type(block) is a.CompactionBlock:
                if last_kind == "tool_use":
                    ctx.approx(bpath, "a compaction after a tool call moves before the tool calls")
                if self.t.anthropic_fields:
                    texts.append(
                        o.CompactionPart(
                            content=block.content,
                            encrypted_content=block.encrypted_content,
                            signature=block.signature,
                            tool_changes=block.tool_changes,
                            cache_control=_cc(block.cache_control),
                        )
                    )
                elif (said := self.compaction(block, bpath)) is not None:
                    texts.append(said)
                last_kind = "text"
            elif type(block) is a.ThinkingBlock or type(block) is a.RedactedThinkingBlock:
                if last_kind:
                    ctx.approx(
                        bpath, "reasoning is said before the answer; its place among blocks is lost"
                    )
                thoughts.append((bpath, block))
            elif isinstance(block, a.SERVER_BLOCKS):
                ctx.drop(bpath, f"{tag(block)} is an Anthropic server-side block")
            else:
                ctx.drop(bpath, f"{tag(block)} has no twin in openai assistant messages")
        msg = o.AssistantMessage(content=texts or None)
        if calls:
            msg.tool_calls = calls
            if len(texts) == 1:
                only = texts[0]
                if (
                    type(only) is o.TextPart
                    and only.text
                    and only.cache_control is UNSET
                    and only.prompt_cache_breakpoint is UNSET
                ):
                    # The string form: some servers reject parts on assistant tool-call turns.
                    msg.content = only.text
        if thoughts:
            self.reasoning(msg, thoughts)
        if calls and self.t.reasoning_required_on_tool_calls and not _has_reasoning(msg):
            self.required_reasoning(msg, path)
        return msg

    def required_reasoning(self, msg: o.AssistantMessage, path: str) -> None:
        """MiMo, DeepSeek and Kimi reject an assistant tool-call turn without its reasoning
        (MiMo: 400 "Param Incorrect"; Kimi: "reasoning_content is missing in assistant tool
        call message at index N"). A history without it gets the empty reasoning they accept."""
        replay = self.t.reasoning_replay
        if "reasoning_content" in replay:
            msg.reasoning_content = ""
        if "reasoning" in replay:
            msg.reasoning = ""
        if "reasoning_details" in replay:
            msg.reasoning_details = [o.ReasoningText(text="", signature="")]
        self.ctx.approx(
            path,
            f"target {self.t.name} requires reasoning on tool-call turns: an empty one stands in",
        )

    def tool_call(self, block: a.ToolUseBlock, path: str) -> o.FunctionToolCall:
        call = o.FunctionToolCall(
            id=openai_id(block.id),
            function=o.FunctionCall(
                name=self.name(block.name, path, "name"),
                arguments=dump_arguments(block.input),
            ),
        )
        self.cc_field(call, block.cache_control, path)
        if not id_returns(block.id):
            self.ctx.approx(join(path, "id"), _BAD_ID)
        caller = block.caller
        if caller is not UNSET and caller is not None:  # null is absent
            if self.t.anthropic_fields:
                call.caller = o.ToolCaller(type=caller.type, tool_id=caller.tool_id)
            elif caller.type != "direct" or caller.tool_id is not UNSET:
                self.ctx.drop(join(path, "caller"), "calls made by a server tool have no twin")
        if block.toolset_name not in (UNSET, None):
            self.ctx.drop(join(path, "toolset_name"), "no twin in the openai dialect")
        return call

    def reasoning(
        self,
        msg: o.AssistantMessage,
        thoughts: list[tuple[str, a.ThinkingBlock | a.RedactedThinkingBlock]],
    ) -> None:
        """Thinking blocks -> the target's reasoning carriers.

        ``reasoning_content`` / ``reasoning`` hold the text; ``reasoning_details`` keeps each
        block apart with its signature and the redacted ones. The compatible form writes the
        details only when the text alone would lose something, so plain reasoning stays plain.
        """
        t, ctx = self.t, self.ctx
        replay = t.reasoning_replay
        if not replay:
            for path, _ in thoughts:
                ctx.drop(path, f"target {t.name} does not accept replayed reasoning")
            return
        text = "\n\n".join(b.thinking for _, b in thoughts if isinstance(b, a.ThinkingBlock))
        plain = (
            len(thoughts) == 1
            and isinstance(thoughts[0][1], a.ThinkingBlock)
            and not thoughts[0][1].signature
            and thoughts[0][1].openai_detail is UNSET
        )
        details = "reasoning_details" in replay and (not plain or replay == ("reasoning_details",))
        if "reasoning_content" in replay:
            msg.reasoning_content = text
        if "reasoning" in replay:
            msg.reasoning = text
        if details:
            msg.reasoning_details = [r.reasoning_detail(b) for _, b in thoughts]
            return
        for path, b in thoughts:
            if b.openai_detail is not UNSET:
                ctx.drop(
                    join(path, "openai_detail"),
                    f"target {t.name} has no reasoning_details for the entry's id and format",
                )
            if isinstance(b, a.RedactedThinkingBlock):
                ctx.drop(path, f"target {t.name} cannot replay redacted thinking")
            elif b.signature:
                ctx.drop(
                    join(path, "signature"), f"target {t.name} cannot replay thinking signatures"
                )
        if sum(isinstance(b, a.ThinkingBlock) for _, b in thoughts) > 1:
            ctx.approx(thoughts[1][0], "several thinking blocks joined into one text")

    # -- tools -----------------------------------------------------------------------

    def tools(self, tools: list[a.Tool]) -> list[o.Tool]:
        ctx = self.ctx
        out: list[o.Tool] = []
        carry = self.t.anthropic_fields
        for i, tool in enumerate(tools):
            if tool.type not in _CLIENT_TOOL:
                ctx.drop(f"tools[{i}]", f"server tool {tool.type!r} runs only on Anthropic")
                continue
            if not tool.name:  # absent or "": every tool is called by its name
                raise TranslationError(f"tools[{i}].name", "a tool needs a non-empty name")
            fn = o.FunctionDefinition(
                name=self.name(tool.name, "tools", "name", i),
                description=tool.description,
                parameters=tool.input_schema,
                strict=tool.strict,
            )
            if tool.input_schema is UNSET:
                ctx.approx(f"tools[{i}].input_schema", "absent: a function without parameters")
            definition = o.FunctionTool(function=fn)
            if tool.cache_control is not UNSET:
                self.cc_field(definition, tool.cache_control, f"tools[{i}]")
            options = _SERVER_OPTION_VALUES(tool)
            if options.count(UNSET) != len(options):
                for field, value in zip(_SERVER_OPTIONS, options):
                    if value is not UNSET:
                        ctx.drop(f"tools[{i}].{field}", "a server-tool option on a client tool")
            if (
                tool.defer_loading is not UNSET
                or tool.allowed_callers is not UNSET
                or tool.input_examples is not UNSET
                or tool.eager_input_streaming is not UNSET
            ):
                for field in (
                    "defer_loading",
                    "allowed_callers",
                    "eager_input_streaming",
                    "input_examples",
                ):
                    value = getattr(tool, field)
                    if value is UNSET:
                        continue
                    if carry:
                        setattr(definition, field, value)
                    elif value is not None:
                        ctx.drop(f"tools[{i}].{field}", "no twin in openai tool definitions")
            out.append(definition)
        return out

    def no_tools_left(self, out: o.ChatCompletionRequest) -> None:
        """Every tool was an Anthropic server tool: the openai request gets no ``tools``
        (OpenAI rejects an empty list), nor a ``tool_choice`` or ``parallel_tool_calls``,
        which it rejects without tools."""
        out.tools = UNSET
        if out.tool_choice is not UNSET:
            out.tool_choice = UNSET
            self.ctx.drop("tool_choice", "no tool left to choose from")
        if out.parallel_tool_calls is not UNSET:
            out.parallel_tool_calls = UNSET
            self.ctx.drop("tool_choice.disable_parallel_tool_use", "no tool left to call")

    def tool_choice(self, out: o.ChatCompletionRequest, choice: a.ToolChoice) -> None:
        if isinstance(choice, a.ToolChoiceTool):
            name = self.name(choice.name, "tool_choice", "name")
            if self.req.tools and any(
                t.name == choice.name and t.type not in _CLIENT_TOOL for t in self.req.tools
            ):
                # A server tool, dropped: OpenAI rejects a choice naming no function it has.
                self.ctx.drop("tool_choice", f"names {choice.name!r}, which is not sent")
                if choice.disable_parallel_tool_use is not UNSET:
                    out.parallel_tool_calls = not choice.disable_parallel_tool_use
                return
            out.tool_choice = o.NamedToolChoice(function=o.ChoiceName(name=name))
        else:
            out.tool_choice = TOOL_CHOICE_TO_OPENAI[tag(choice)]
        disable = getattr(choice, "disable_parallel_tool_use", UNSET)
        if disable is not UNSET:
            out.parallel_tool_calls = not disable


def _cc(cc: a.CacheControl | UnsetType | None) -> o.CacheControl | UnsetType | None:
    """An anthropic ``cache_control`` carried as is (the compatible form)."""
    return cc if cc is UNSET or cc is None else o.CacheControl(ttl=cc.ttl)


def _has_reasoning(msg: o.AssistantMessage) -> bool:
    return (
        msg.reasoning_content is not UNSET
        or msg.reasoning is not UNSET
        or msg.reasoning_details is not UNSET
    )


def _thinking_type(thinking: a.ThinkingConfig) -> o.ThinkingType:
    """The ``type`` of the openai ``thinking`` switch that says what ``thinking`` says."""
    if isinstance(thinking, a.ThinkingEnabled):
        return "enabled"
    if isinstance(thinking, a.ThinkingAdaptive):
        return "adaptive"
    if isinstance(thinking, a.ThinkingDisabled):
        return "disabled"
    return "between_tools"


def _display(thinking: a.ThinkingConfig | UnsetType) -> a.ThinkingDisplay | UnsetType | None:
    if isinstance(thinking, (a.ThinkingEnabled, a.ThinkingAdaptive)):
        return thinking.display
    return UNSET
