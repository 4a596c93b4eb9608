"""Responses ``ResponseCreateParams`` -> openai Chat Completions ``ChatCompletionRequest``.

The direction a Codex user on a Chat Completions upstream needs (``to_openai.request`` routes
Responses bodies here). Read top to bottom: the entry point, the request fields, thinking,
then the input items (messages, the assistant turns built from reasoning, messages and calls,
tool outputs), then tools. Every input path that cannot be carried exactly is a Loss.

How items become messages: a run of assistant-side items (``reasoning``, an assistant
``message``, ``function_call``, ``custom_tool_call``) is one assistant message, in the order
Chat can say (reasoning, then text, then calls); an item that would break that order starts
the next assistant message, so the order survives. Outputs become ``role: tool`` messages.

How reasoning is carried (README, "The Responses dialect"): each ``summary`` part is a
``reasoning.text`` detail, each raw ``content`` part a ``reasoning.text`` detail with format
``openai-responses-v1``, and ``encrypted_content`` the signature of the item's last text
detail (or a ``reasoning.encrypted`` detail when the item has no text); the details of one
item share its ``id`` and an ``index``. ``reasoning_content`` holds the text. A lone
unsigned summary is plain ``reasoning_content``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from .. import _sampling
from .. import openai as o
from .. import responses as r
from .._decode import Unknown, decode, join
from .._errors import Loss, TranslationError
from .._ledger import Ctx, finish
from .._tables import nearest_effort, tag
from .._tools import short_name
from ..targets import Target, resolve

CONTENT_FORMAT = "openai-responses-v1"
"""``reasoning_details[].format`` of a raw reasoning ``content`` part (OpenRouter's name for
reasoning that came from the Responses API); summary parts carry no format."""
NAMESPACES = "namespaces"
"""The ``compatible`` form's extension field naming which flattened tools form a namespace."""

_json = msgspec.json.Encoder()
_CHAT_DETAIL = ("auto", "low", "high", "original")
_CACHE_TTL = ("30m", "12h")
# Top-level fields carried unchanged by the compatible form (Chat has no twin).
_CARRIED = ("include", "max_tool_calls", "truncation")
# Fields only the Responses server can honour: a Loss when they ask for something; their
# "nothing" values (null, false, [], {}) are carried by the compatible form only.
_SERVER_ONLY = (
    "background",
    "background_options",
    "prompt",
    "context_management",
    "image",
    "access_programs",
)


class _WildRequest(r.ResponseCreateParams, kw_only=True):
    """A request as clients send it: the top-level fields they add that the API reference
    does not declare (Codex's ``client_metadata``), so that such a body still decodes in one
    typed pass; ``decode_request`` reports them as unknown fields, as any other."""

    client_metadata: Any = UNSET


_WILD_FIELDS = ("client_metadata",)
_request_decoder = msgspec.json.Decoder(_WildRequest)
_REQUEST_FIELDS = frozenset(f.encode_name for f in msgspec.structs.fields(r.ResponseCreateParams))


def decode_request(body: Any, unknown: list[Unknown]) -> r.ResponseCreateParams:
    """Decode a Responses request; input messages without ``type`` (EasyInputMessage) and
    item references without it get their tag first.

    Fast on what Codex sends: one typed decode (``client_metadata`` declared for it, then
    reported as an unknown field); else (untagged messages, other top-level fields newer
    than the structs) one untyped decode, the tags and top-level unknown fields taken care
    of on the dict, one ``convert``. Only a body
    with unknown nested fields or bad values takes the slow path (``_decode.decode``),
    which names them by path."""
    if isinstance(body, r.ResponseCreateParams):
        return body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            req: r.ResponseCreateParams = _request_decoder.decode(body)
        except msgspec.ValidationError:
            pass
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            return decode(body, r.ResponseCreateParams, unknown)  # names the error
        else:
            for field in _WILD_FIELDS:
                value = getattr(req, field)
                if value is not UNSET:
                    unknown.append(Unknown("", field, value))
            return req
    try:
        data = _builtins(body)
    except (msgspec.DecodeError, RecursionError):
        return decode(body, r.ResponseCreateParams, unknown)
    items = data.get("input")
    tagged = dict(data)
    if isinstance(items, list):
        tagged["input"] = [_tagged(item) for item in items]
    extra = [Unknown("", k, v) for k, v in tagged.items() if k not in _REQUEST_FIELDS]
    known = {k: v for k, v in tagged.items() if k in _REQUEST_FIELDS} if extra else tagged
    try:
        req = msgspec.convert(known, r.ResponseCreateParams)
    except (msgspec.ValidationError, RecursionError):
        return decode(tagged, r.ResponseCreateParams, unknown)
    unknown.extend(extra)
    return req


def _builtins(body: Any) -> dict[str, Any]:
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        value = msgspec.json.decode(body)
    elif isinstance(body, msgspec.Struct):
        value = msgspec.to_builtins(body)
    elif hasattr(body, "model_dump"):
        value = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    else:
        value = body
    if not isinstance(value, dict):
        raise TranslationError("", f"expected a JSON object, got {type(value).__name__}")
    return value


def _tagged(item: Any) -> Any:
    if isinstance(item, dict) and "type" not in item:
        if "role" in item:
            return {"type": "message", **item}
        if set(item) == {"id"}:
            return {"type": "item_reference", **item}
    return item


def request(
    body: Any,
    *,
    target: str | Target = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> o.ChatCompletionRequest:
    """Translate a Responses request into a Chat Completions request (``to_openai.request``
    does this for a Responses body)."""
    unknown: list[Unknown] = []
    req = decode_request(body, unknown)
    ctx = Ctx(resolve(target, "openai"))
    return finish(ctx, ToChat(ctx, req).build(unknown), unknown, strict, losses)


def flat_name(namespace: str | Any, name: str) -> str:
    """A namespaced tool's name in a dialect without namespaces: ``namespace + name``, the
    way Codex itself names an MCP server's tools (``mcp__server__`` + ``tool``)."""
    return name if namespace in (UNSET, None) else f"{namespace}{name}"


class ToChat:
    """One Responses request -> Chat. ``paths`` maps each Chat message index to the input
    path it came from (the composition with Messages names losses by it)."""

    __slots__ = (
        "calls",
        "compatible",
        "ctx",
        "functions_only",
        "limit",
        "namespaces",
        "output",
        "paths",
        "req",
        "t",
        "tool_paths",
    )

    def __init__(self, ctx: Ctx, req: r.ResponseCreateParams) -> None:
        self.ctx = ctx
        self.t = ctx.target
        self.req = req
        self.limit = self.t.tool_name_max
        self.paths: list[str] = []
        self.tool_paths: list[str] = []
        self.namespaces: list[dict[str, Any]] = []
        self.calls: dict[str, str] = {}  # call_id -> "function" | "custom"
        self.output = False  # reading a Response's output: its item ids are expected
        self.functions_only = False  # custom tools said as functions (for the Messages hub)
        self.compatible = self.t.unknown_fields == "carry"  # read per item: kept

    @property
    def custom_tools(self) -> bool:
        """Whether ``type: custom`` tools can be said: the official API and the superset."""
        if self.functions_only:
            return False
        return self.compatible or self.t.official_fields_only

    def name(self, name: str) -> str:
        return name if len(name) <= self.limit else short_name(name, self.limit)

    # -- the request fields ----------------------------------------------------------

    def build(self, unknown: list[Unknown] | None = None) -> o.ChatCompletionRequest:
        """The Chat request. With ``unknown`` (what ``finish`` carries next), the fields
        only the compatible form carries join it, so that one carrier struct is made."""
        req, t, ctx = self.req, self.t, self.ctx
        if not isinstance(req.model, str):
            raise TranslationError("model", "Chat Completions needs a model")
        tools: list[o.Tool] = []
        if req.tools is not UNSET:
            tools = self.tools(req.tools, "tools")
        messages = self.messages(tools)
        out = o.ChatCompletionRequest(model=req.model, messages=messages)
        if tools or (req.tools == [] and self.compatible):  # `tools: []` said as it was
            out.tools = tools
        if req.max_output_tokens not in (UNSET, None):
            setattr(out, t.max_tokens_field, req.max_output_tokens)
        if req.stream not in (UNSET, None):
            out.stream = req.stream
            if req.stream:
                # a Responses stream always ends with usage (response.completed)
                out.stream_options = o.StreamOptions(include_usage=True)
        if (
            req.stream_options not in (UNSET, None)
            and req.stream_options.include_obfuscation is not UNSET
        ):
            opts = out.stream_options if out.stream_options not in (UNSET, None) else None
            opts = opts or o.StreamOptions()
            opts.include_obfuscation = req.stream_options.include_obfuscation
            out.stream_options = opts
        self.sampling(out)
        if req.tool_choice is not UNSET:
            self.tool_choice(out, req.tool_choice)
        if req.parallel_tool_calls not in (UNSET, None):
            out.parallel_tool_calls = req.parallel_tool_calls
        self.thinking(out)
        if not t.tool_choice_with_thinking:
            self.forced_choice_while_thinking(out)
        if req.text is not UNSET:
            self.text(out, req.text)
        self.state(out)
        for field in ("metadata", "safety_identifier", "service_tier", "prompt_cache_key"):
            value = getattr(req, field)
            if value not in (UNSET, None):
                setattr(out, field, value)
        if req.user is not UNSET:
            out.user = req.user
        if req.prompt_cache_retention not in (UNSET, None):
            if req.prompt_cache_retention in ("in_memory", "24h"):
                out.prompt_cache_retention = req.prompt_cache_retention  # type: ignore[assignment]
            else:
                ctx.drop("prompt_cache_retention", "an unknown retention policy")
        if req.prompt_cache_options is not UNSET:
            self.cache_options(out, req.prompt_cache_options)
        if req.moderation not in (UNSET, None):
            out.moderation = req.moderation
        for field in _SERVER_ONLY:
            value = getattr(req, field)
            if value is UNSET or value in (None, False, [], {}):
                continue  # says nothing (carried by the compatible form, below)
            ctx.drop(field, "no twin in Chat Completions")
        if req.top_logprobs not in (UNSET, None):
            out.top_logprobs = req.top_logprobs
        return self.carry(out, unknown)

    def carry(
        self, out: o.ChatCompletionRequest, unknown: list[Unknown] | None = None
    ) -> o.ChatCompletionRequest:
        """What only the Responses dialect says: carried by the compatible form (so that a
        round trip restores it), else a Loss or, where nothing is lost, nothing."""
        req, ctx = self.req, self.ctx
        extra: dict[str, Any] = {}
        if self.compatible:
            for field in _SERVER_ONLY:  # their "nothing" values, so a round trip keeps them
                value = getattr(req, field)
                if value is not UNSET and value in (None, False, [], {}):
                    extra[field] = value
            pco = req.prompt_cache_options
            if pco is not UNSET:
                for field in ("comparison_response_id", "prewarm"):
                    if getattr(pco, field) is not UNSET:
                        extra[f"prompt_cache_{field}"] = getattr(pco, field)
        for field in _CARRIED:
            value = getattr(req, field)
            if value in (UNSET, None):
                continue
            if self.compatible:
                extra[field] = value
            elif field == "include":
                for i, what in enumerate(value):
                    if what != "reasoning.encrypted_content":  # honoured: proofs come back
                        ctx.drop(f"include[{i}]", "no twin in Chat Completions")
            elif field == "truncation":
                if value != "disabled":
                    ctx.drop("truncation", "the upstream fails instead of truncating")
            else:
                ctx.drop(field, "no twin in Chat Completions")
        rc = req.reasoning
        if rc not in (UNSET, None):
            for field in ("summary", "generate_summary"):
                value = getattr(rc, field)
                if value is not UNSET and self.compatible:
                    extra[f"reasoning_{field}"] = value
                # elsewhere nothing is lost: the reasoning text comes back as the summary
        if self.namespaces and self.compatible:
            extra[NAMESPACES] = self.namespaces
        if not extra:
            return out
        if unknown is not None:  # carried by finish, with the unknown fields: one copy
            unknown[0:0] = [Unknown("", k, v) for k, v in extra.items()]
            return out
        from .._decode import with_extra

        return with_extra(out, extra)

    def sampling(self, out: o.ChatCompletionRequest) -> None:
        out.temperature = _sampling.temperature(self.ctx, self.req.temperature)
        out.top_p = _sampling.top_p(self.ctx, self.req.top_p)

    def state(self, out: o.ChatCompletionRequest) -> None:
        """Server-side state cannot be honoured by a stateless translator."""
        req, ctx = self.req, self.ctx
        if req.previous_response_id not in (UNSET, None):
            ctx.drop("previous_response_id", "server-side state: a stateless translator has none")
        if req.conversation not in (UNSET, None):
            ctx.drop("conversation", "server-side state: a stateless translator has none")
        if req.store is True:
            ctx.drop("store", "server-side state: nothing is stored")
        elif req.store is False and self.compatible:
            out.store = False
        elif req.store is None and self.compatible:
            out.store = None

    def cache_options(self, out: o.ChatCompletionRequest, opts: r.PromptCacheOptions) -> None:
        chat = o.PromptCacheOptions()
        if opts.mode in ("implicit", "explicit"):
            chat.mode = opts.mode  # type: ignore[assignment]
        elif opts.mode is not UNSET:
            self.ctx.drop("prompt_cache_options.mode", "an unknown cache mode")
        if opts.ttl == "30m":
            chat.ttl = "30m"
        elif opts.ttl is not UNSET:
            self.ctx.drop("prompt_cache_options.ttl", "Chat Completions takes a 30m ttl only")
        for field in ("comparison_response_id", "prewarm"):  # compatible: carried (carry)
            if getattr(opts, field) not in (UNSET, None) and not self.compatible:
                self.ctx.drop(f"prompt_cache_options.{field}", "no twin in Chat Completions")
        out.prompt_cache_options = chat

    def thinking(self, out: o.ChatCompletionRequest) -> None:
        """``reasoning.effort`` -> the target's thinking switch (README: the effort table)."""
        rc, t, ctx = self.req.reasoning, self.t, self.ctx
        if rc in (UNSET, None) or rc.effort is UNSET:
            return
        if rc.effort is None:
            if self.compatible:
                out.reasoning_effort = None  # said as it was
            return
        effort: str = rc.effort
        path = "reasoning.effort"
        switch = t.thinking_switch
        if effort not in ("none", "minimal", "low", "medium", "high", "xhigh", "max"):
            ctx.drop(path, f"an effort {effort!r} the Chat dialect does not know")
            return
        off = effort == "none"
        said = False
        if "reasoning_effort" in switch:
            level = nearest_effort(effort, t.effort_levels)  # type: ignore[arg-type]
            if level is not None:
                out.reasoning_effort = level
                said = True
                if level != effort:
                    ctx.approx(path, f"target {t.name} has no effort {effort!r}: {level!r}")
        if "thinking" in switch and not (said and self.compatible):
            out.thinking = o.ThinkingSwitch(type="disabled" if off else "enabled")
            if off and not t.thinking_with_effort and out.reasoning_effort not in (UNSET, None):
                out.reasoning_effort = UNSET
            if not said and not off:
                ctx.drop(path, f"target {t.name} switches thinking on or off, with no level")
            said = True
        elif "reasoning" in switch and not said:
            out.reasoning = (
                o.ReasoningConfig(enabled=False) if off else o.ReasoningConfig(effort=effort)
            )
            said = True
        elif "chat_template_kwargs" in switch and not said:
            out.chat_template_kwargs = {"enable_thinking": not off}
            if not off:
                ctx.drop(path, f"target {t.name} switches thinking on or off, with no level")
            said = True
        if not said:
            ctx.drop(path, f"target {t.name} takes no effort {effort!r}")

    def forced_choice_while_thinking(self, out: o.ChatCompletionRequest) -> None:
        off = (
            out.thinking is not UNSET and out.thinking.type == "disabled"
        ) or out.reasoning_effort == "none"
        if not off and out.tool_choice not in (UNSET, "auto", "none"):
            out.tool_choice = "auto"
            self.ctx.approx(
                "tool_choice",
                f"target {self.t.name} rejects a forced tool choice while thinking: auto",
            )

    def text(self, out: o.ChatCompletionRequest, text: r.TextConfig) -> None:
        t, ctx = self.t, self.ctx
        if text.verbosity is None and self.compatible:
            out.verbosity = None  # said as it was
        elif text.verbosity not in (UNSET, None):
            if text.verbosity in ("low", "medium", "high"):
                out.verbosity = text.verbosity  # type: ignore[assignment]
            else:
                ctx.drop("text.verbosity", f"an unknown verbosity {text.verbosity!r}")
        fmt = text.format
        if fmt is UNSET:
            return
        if isinstance(fmt, r.FormatText):
            out.response_format = o.ResponseFormatText()
        elif isinstance(fmt, r.FormatJSONObject):
            if "json_object" in t.structured_output:
                out.response_format = o.ResponseFormatJSONObject()
            else:
                ctx.drop("text.format", f"target {t.name} has no JSON mode")
        elif "json_schema" in t.structured_output:
            out.response_format = o.ResponseFormatJSONSchema(
                json_schema=o.JSONSchema(
                    name=fmt.name,
                    schema=fmt.schema,
                    description=fmt.description,
                    strict=fmt.strict,
                )
            )
        elif "json_object" in t.structured_output:
            out.response_format = o.ResponseFormatJSONObject()
            ctx.approx("text.format", f"target {t.name} takes json_object, not a schema")
        else:
            ctx.drop("text.format", f"target {t.name} has no structured output")

    # -- input items -----------------------------------------------------------------

    def messages(self, tools: list[o.Tool]) -> list[o.Message]:
        req = self.req
        out: list[o.Message] = []
        if req.instructions not in (UNSET, None):
            out.append(o.SystemMessage(content=req.instructions))
            self.paths.append("instructions")
        if isinstance(req.input, str):
            out.append(o.UserMessage(content=req.input))
            self.paths.append("input")
            return out
        if req.input is UNSET:
            return out
        turn: _Turn | None = None
        spill: list[o.UserPart] = []
        for i, item in enumerate(req.input):
            path = f"input[{i}]"
            cls = type(item)
            if cls is r.Reasoning or cls is r.FunctionCall or cls is r.CustomToolCall:
                turn = self.assistant_item(item, path, turn, out)
                continue
            if cls is r.Message and item.role == "assistant":  # type: ignore[union-attr]
                turn = self.assistant_item(item, path, turn, out)
                continue
            if turn is not None:
                self.close(turn)
                turn = None
            if cls is r.FunctionCallOutput or cls is r.CustomToolCallOutput:
                out.append(self.tool_output(item, path, spill))  # type: ignore[arg-type]
                self.paths.append(path)
                continue
            if spill:
                self.flush(spill, out)
            if cls is r.Message:
                out.append(self.message(item, path))  # type: ignore[arg-type]
                self.paths.append(path)
            elif cls is r.AdditionalTools:
                tools.extend(self.tools(item.tools, join(path, "tools")))  # type: ignore[union-attr]
                self.ctx.approx(path, "tools offered part-way are offered from the start")
            else:
                self.ctx.drop(path, f"a {tag(item)} item has no twin in Chat Completions")
        if turn is not None:
            self.close(turn)
        if spill:
            self.flush(spill, out)
        return out

    def flush(self, spill: list[o.UserPart], out: list[o.Message]) -> None:
        out.append(o.UserMessage(content=list(spill)))
        self.paths.append(self.paths[-1] if self.paths else "input")
        spill.clear()

    def item_state(self, item: Any, path: str) -> None:
        """``id`` and ``status`` of an input item: server-side bookkeeping Chat cannot say.
        ``status: completed`` is what every replayed item says: nothing is lost."""
        if not self.output and getattr(item, "id", UNSET) not in (UNSET, None):
            self.ctx.drop(join(path, "id"), "item ids name server-side state")
        if getattr(item, "status", UNSET) not in (UNSET, None, "completed"):
            self.ctx.drop(join(path, "status"), "no twin in Chat Completions")

    def message(self, m: r.Message, path: str) -> o.Message:
        self.item_state(m, path)
        if m.phase not in (UNSET, None):
            self.ctx.drop(join(path, "phase"), "no twin in Chat Completions")
        cpath = join(path, "content")
        if m.role in ("system", "developer"):
            cls = o.SystemMessage if m.role == "system" else o.DeveloperMessage
            if isinstance(m.content, str):
                return cls(content=m.content)
            texts = []
            for j, part in enumerate(m.content):
                text = self.text_part(part, f"{cpath}[{j}]")
                if text is not None:
                    texts.append(text)
            return cls(content=texts)
        if isinstance(m.content, str):
            return o.UserMessage(content=m.content)
        parts: list[o.UserPart] = []
        for j, part in enumerate(m.content):
            p = self.user_part(part, f"{cpath}[{j}]")
            if p is not None:
                parts.append(p)
        return o.UserMessage(content=parts)

    def breakpoint(self, chat: Any, part: Any, path: str) -> None:
        bp = part.prompt_cache_breakpoint
        if bp is UNSET:
            return
        if self.t.cache_hints == "none":
            self.ctx.drop(join(path, "prompt_cache_breakpoint"), "target takes no cache hints")
            return
        ttl = bp.ttl if bp.ttl in _CACHE_TTL else UNSET
        if bp.ttl is not UNSET and ttl is UNSET:
            self.ctx.drop(join(path, "prompt_cache_breakpoint.ttl"), "an unknown lifetime")
        if self.t.cache_hints == "cache_control" and not self.compatible:
            chat.cache_control = o.CacheControl()
            self.ctx.approx(join(path, "prompt_cache_breakpoint"), "said as cache_control")
        else:
            chat.prompt_cache_breakpoint = o.PromptCacheBreakpoint(ttl=ttl)

    def text_part(self, part: r.MessagePart, path: str) -> o.TextPart | None:
        if isinstance(part, (r.InputText, r.OutputText)):
            text = o.TextPart(text=part.text)
            if isinstance(part, r.InputText):
                self.breakpoint(text, part, path)
            else:
                self.ctx.approx(path, "an output_text part outside an assistant message")
            return text
        self.ctx.drop(path, f"{tag(part)} parts cannot stand in a system or developer message")
        return None

    def user_part(self, part: r.MessagePart, path: str) -> o.UserPart | None:
        ctx = self.ctx
        cls = type(part)
        if cls is r.InputText or cls is r.OutputText:
            return self.text_part(part, path)
        if cls is r.InputImage:
            return self.image(part, path)  # type: ignore[arg-type]
        if cls is r.InputFile:
            return self.file(part, path)  # type: ignore[arg-type]
        if cls is r.InputAudio:
            a = part.input_audio  # type: ignore[union-attr]
            if a.format not in ("wav", "mp3"):
                ctx.drop(path, f"Chat Completions takes wav or mp3 audio, not {a.format}")
                return None
            return o.InputAudioPart(input_audio=o.InputAudio(data=a.data, format=a.format))  # type: ignore[arg-type]
        ctx.approx(path, "a refusal part outside an assistant message: said as text")
        return o.TextPart(text=part.refusal)  # type: ignore[union-attr]

    def image(self, part: r.InputImage, path: str) -> o.ImageURLPart | None:
        if part.image_url in (UNSET, None):
            self.ctx.drop(path, "an image by file id has no twin in Chat Completions")
            return None
        url = o.ImageURL(url=part.image_url)
        if part.detail not in (UNSET, None):
            if part.detail in _CHAT_DETAIL:
                url.detail = part.detail  # type: ignore[assignment]
            else:
                self.ctx.drop(join(path, "detail"), f"an unknown detail {part.detail!r}")
        if part.file_id not in (UNSET, None):
            self.ctx.drop(join(path, "file_id"), "an image with a URL and a file id: the URL")
        chat = o.ImageURLPart(image_url=url)
        self.breakpoint(chat, part, path)
        return chat

    def file(self, part: r.InputFile, path: str) -> o.FilePart | None:
        f = o.File()
        if part.file_data is not UNSET:
            f.file_data = part.file_data
        if part.file_id not in (UNSET, None):
            f.file_id = part.file_id
        if part.filename is not UNSET:
            f.filename = part.filename
        if f.file_data is UNSET and f.file_id is UNSET:  # the whole part is lost
            why = "Chat file parts take no URL" if part.file_url is not UNSET else "no data, no id"
            self.ctx.drop(path, f"a file part with neither data nor id: {why}")
            return None
        if part.file_url is not UNSET:
            self.ctx.drop(join(path, "file_url"), "Chat file parts take no URL")
        if part.detail is not UNSET:
            self.ctx.drop(join(path, "detail"), "Chat file parts have no detail")
        chat = o.FilePart(file=f)
        self.breakpoint(chat, part, path)
        return chat

    # -- assistant turns -------------------------------------------------------------

    def assistant_item(
        self, item: Any, path: str, turn: _Turn | None, out: list[o.Message]
    ) -> _Turn:
        """Add one assistant-side item to the open turn, or start the next turn when the
        item cannot follow what the turn already says (reasoning < text < calls)."""
        rank = 0 if type(item) is r.Reasoning else 1 if type(item) is r.Message else 2
        if turn is None or rank < turn.rank or (rank == 1 and turn.rank >= 1):
            if turn is not None:
                self.close(turn)
            turn = _Turn(o.AssistantMessage(content=None))
            out.append(turn.msg)
            self.paths.append(path)
        turn.rank = rank
        if rank == 0:
            turn.reasoning.append((path, item))
        elif rank == 1:
            self.assistant_text(turn.msg, item, path)
        else:
            calls = turn.msg.tool_calls if turn.msg.tool_calls is not UNSET else []
            calls.append(self.call(item, path))
            turn.msg.tool_calls = calls
        return turn

    def assistant_text(self, msg: o.AssistantMessage, m: r.Message, path: str) -> None:
        self.item_state(m, path)
        if m.phase not in (UNSET, None):
            self.ctx.drop(join(path, "phase"), "no twin in Chat Completions")
        if isinstance(m.content, str):
            msg.content = m.content
            return
        parts: list[o.AssistantPart] = []
        for j, part in enumerate(m.content):
            ppath = f"{path}.content[{j}]"
            if isinstance(part, r.OutputText):
                parts.append(o.TextPart(text=part.text))
                if part.annotations:
                    self.ctx.drop(join(ppath, "annotations"), "no twin in Chat requests")
                if part.logprobs not in (UNSET, None):
                    self.ctx.drop(join(ppath, "logprobs"), "no twin in Chat requests")
            elif isinstance(part, r.Refusal):
                parts.append(o.RefusalPart(refusal=part.refusal))
            elif isinstance(part, r.InputText):
                parts.append(o.TextPart(text=part.text))
                self.ctx.approx(ppath, "an input_text part in an assistant message")
            else:
                self.ctx.drop(ppath, f"{tag(part)} parts cannot stand in an assistant message")
        msg.content = parts

    def call(self, item: r.FunctionCall | r.CustomToolCall, path: str) -> o.ToolCall:
        ctx = self.ctx
        self.item_state(item, path)
        if item.caller not in (UNSET, None) and (item.caller.type != "direct" or self.compatible):
            ctx.drop(join(path, "caller"), "calls made by a program have no twin")
        if item.async_ not in (UNSET, None) and (item.async_ is not False or self.compatible):
            ctx.drop(join(path, "async"), "no twin in Chat Completions")
        name = self.name(self.flatten(item.namespace, item.name, path))
        if isinstance(item, r.FunctionCall):
            self.calls[item.call_id] = "function"
            return o.FunctionToolCall(
                id=item.call_id, function=o.FunctionCall(name=name, arguments=item.arguments)
            )
        self.calls[item.call_id] = "custom"
        if self.custom_tools:
            return o.CustomToolCall(
                id=item.call_id, custom=o.CustomCall(name=name, input=item.input)
            )
        ctx.approx(path, "a custom tool call said as a function call with one string 'input'")
        return o.FunctionToolCall(
            id=item.call_id,
            function=o.FunctionCall(
                name=name, arguments=_json.encode({"input": item.input}).decode()
            ),
        )

    def flatten(self, namespace: Any, name: str, path: str) -> str:
        if namespace in (UNSET, None):
            return name
        flat = flat_name(namespace, name)
        if self.compatible:
            for ns in self.namespaces:
                if ns["name"] == namespace:
                    if flat not in ns["tools"]:
                        ns["tools"].append(flat)
                    break
            else:
                self.namespaces.append({"name": namespace, "tools": [flat], "defined": False})
        else:
            self.ctx.approx(join(path, "namespace"), "namespaced names are flattened")
        return flat

    def close(self, turn: _Turn) -> None:
        msg = turn.msg
        if turn.reasoning:
            self.reasoning(msg, turn.reasoning)
        if (
            msg.tool_calls not in (UNSET, None)
            and self.t.reasoning_required_on_tool_calls
            and msg.reasoning_content is UNSET
            and msg.reasoning is UNSET
            and msg.reasoning_details is UNSET
        ):
            replay = self.t.reasoning_replay
            if "reasoning_content" in replay:
                msg.reasoning_content = ""
            if "reasoning" in replay:
                msg.reasoning = ""
            if "reasoning_details" in replay:
                msg.reasoning_details = [o.ReasoningText(text="", signature="")]
            self.ctx.approx(
                self.paths[-1],
                f"target {self.t.name} requires reasoning on tool-call turns: an empty one stands in",
            )

    def reasoning(self, msg: o.AssistantMessage, items: list[tuple[str, r.Reasoning]]) -> None:
        t, ctx = self.t, self.ctx
        replay = t.reasoning_replay
        if not replay:
            for path, _ in items:
                ctx.drop(path, f"target {t.name} does not accept replayed reasoning")
            return
        texts = []
        for _, item in items:
            content = [p.text for p in item.content or ()]
            texts.extend(content or [s.text for s in item.summary])
        text = "\n\n".join(texts)
        first = items[0][1]
        plain = (
            len(items) == 1
            and first.id is UNSET
            and not first.content
            and first.encrypted_content in (UNSET, None)
            and len(first.summary) == 1
        )
        for path, item in items:
            if item.status not in (UNSET, None, "completed"):
                ctx.drop(join(path, "status"), "no twin in Chat Completions")
        if "reasoning_content" in replay:
            msg.reasoning_content = text
        if "reasoning" in replay:
            msg.reasoning = text
        if "reasoning_details" in replay and (not plain or replay == ("reasoning_details",)):
            details: list[o.ReasoningDetail] = []
            for k, (path, item) in enumerate(items):
                details.extend(self.details(item, path, k))
            msg.reasoning_details = details
            return
        for path, item in items:
            if item.encrypted_content not in (UNSET, None):
                ctx.drop(join(path, "encrypted_content"), f"target {t.name} cannot replay it")
            if item.id is not UNSET and not plain:
                ctx.drop(join(path, "id"), f"target {t.name} cannot replay reasoning ids")
            if item.content and item.summary:
                ctx.drop(join(path, "summary"), "the raw reasoning content is replayed instead")
        if len(items) > 1 and not plain:
            ctx.approx(items[1][0], "several reasoning items joined into one text")

    def details(self, item: r.Reasoning, path: str, index: int) -> list[o.ReasoningDetail]:
        out: list[o.ReasoningDetail] = []
        ident = item.id
        for s in item.summary:
            out.append(o.ReasoningText(text=s.text, id=ident, index=index))
        for j, c in enumerate(item.content or ()):
            if isinstance(c, r.Text):
                self.ctx.approx(f"{path}.content[{j}]", "a text part said as reasoning_text")
            out.append(o.ReasoningText(text=c.text, id=ident, index=index, format=CONTENT_FORMAT))
        enc = item.encrypted_content
        if enc not in (UNSET, None):
            last = out[-1] if out else None
            if isinstance(last, o.ReasoningText):
                last.signature = enc
            else:
                out.append(o.ReasoningEncrypted(data=enc, id=ident, index=index))
        if not out:
            self.ctx.drop(path, "an empty reasoning item says nothing")
        return out

    # -- tool outputs ----------------------------------------------------------------

    def tool_output(
        self,
        item: r.FunctionCallOutput | r.CustomToolCallOutput,
        path: str,
        spill: list[o.UserPart],
    ) -> o.ToolMessage:
        ctx = self.ctx
        self.item_state(item, path)
        if item.caller not in (UNSET, None) and (item.caller.type != "direct" or self.compatible):
            ctx.drop(join(path, "caller"), "outputs for a program have no twin")
        kind = "custom" if isinstance(item, r.CustomToolCallOutput) else "function"
        if self.calls.get(item.call_id, "function") != kind:  # Chat says it by the call
            ctx.approx(
                path,
                f"no {kind} call before it: a {self.calls.get(item.call_id, 'function')} call's output",
            )
        if isinstance(item, r.FunctionCallOutput):
            for field in ("name", "namespace"):
                if getattr(item, field) not in (UNSET, None):
                    ctx.drop(join(path, field), "tool messages name no tool")
        if isinstance(item.output, str):
            return o.ToolMessage(content=item.output, tool_call_id=item.call_id)
        parts: list[o.ToolPart] = []
        for j, part in enumerate(item.output):
            ppath = f"{path}.output[{j}]"
            p = self.user_part(part, ppath)
            if p is None:
                continue
            if isinstance(p, o.TextPart) or self.t.tool_message_images:
                parts.append(p)
            else:
                spill.append(p)
                ctx.approx(ppath, "tool messages carry text only: moved to a user message")
        return o.ToolMessage(content=parts, tool_call_id=item.call_id)

    # -- tools -----------------------------------------------------------------------

    def tools(self, tools: list[r.Tool], path: str) -> list[o.Tool]:
        out: list[o.Tool] = []
        for i, tool in enumerate(tools):
            tpath = f"{path}[{i}]"
            if isinstance(tool, (r.FunctionTool, r.CustomTool)):
                out.append(self.tool(tool, tpath, UNSET))
                self.tool_paths.append(tpath)
            elif isinstance(tool, r.NamespaceTool) and not tool.tools:
                self.ctx.drop(tpath, "a namespace without tools: nothing to offer")
            elif isinstance(tool, r.NamespaceTool):
                entry: dict[str, Any] = {"name": tool.name, "tools": []}
                if tool.description is not UNSET:
                    entry["description"] = tool.description
                for j, member in enumerate(tool.tools):
                    mpath = f"{tpath}.tools[{j}]"
                    out.append(self.tool(member, mpath, tool.name))
                    self.tool_paths.append(mpath)
                    entry["tools"].append(flat_name(tool.name, member.name))
                if self.compatible:
                    self.namespaces.append(entry)
                else:
                    self.ctx.approx(tpath, "a namespace: its tools offered one by one, flattened")
            else:
                self.ctx.drop(tpath, f"hosted tool {tag(tool)!r} runs only on the Responses API")
        return out

    def tool(self, tool: r.FunctionTool | r.CustomTool, path: str, namespace: Any) -> o.Tool:
        ctx = self.ctx
        name = self.name(flat_name(namespace, tool.name))
        # the compatible form carries a function's defer_loading and allowed_callers on its
        # Chat tool (the fields it has for anthropic's tools); the rest has no twin
        carried = self.compatible and isinstance(tool, r.FunctionTool)
        for field in ("defer_loading", "allowed_callers", "async_"):
            value = getattr(tool, field, UNSET)
            if value is UNSET or (carried and field != "async_" and value is not None):
                continue
            if value not in (None, False) or self.compatible:  # compatible: exact or a Loss
                ctx.drop(join(path, field.rstrip("_")), "no twin in Chat tool definitions")
        if isinstance(tool, r.FunctionTool):
            if tool.output_schema is not UNSET and (
                tool.output_schema is not None or self.compatible
            ):
                ctx.drop(join(path, "output_schema"), "no twin in Chat tool definitions")
            fn = o.FunctionDefinition(name=name)
            if tool.description is not None:
                fn.description = tool.description
            elif self.compatible:
                ctx.drop(join(path, "description"), "a null description: none in Chat")
            if tool.parameters is not None:
                fn.parameters = tool.parameters
            elif self.compatible:
                ctx.drop(join(path, "parameters"), "null parameters: none in Chat")
            # a Responses function is strict unless it says otherwise; a Chat one is not
            fn.strict = tool.strict if tool.strict is not UNSET else True
            chat = o.FunctionTool(function=fn)
            if carried:
                if tool.defer_loading is not UNSET:
                    chat.defer_loading = tool.defer_loading
                if tool.allowed_callers not in (UNSET, None):
                    chat.allowed_callers = tool.allowed_callers
            return chat
        if self.custom_tools:
            custom = o.CustomToolDefinition(name=name, description=tool.description)
            if tool.format is not UNSET:
                custom.format = grammar_to_chat(tool.format)
            return o.CustomTool(custom=custom)
        ctx.approx(path, "a custom tool said as a function taking one string 'input'")
        description = tool.description if tool.description is not UNSET else ""
        if tool.format is not UNSET and tool.format.get("type") == "grammar":
            grammar = tool.format.get("definition", "")
            description = f"{description}\n\nThe input follows this grammar:\n{grammar}".strip()
        return o.FunctionTool(
            function=o.FunctionDefinition(
                name=name,
                description=description or UNSET,
                parameters={
                    "type": "object",
                    "properties": {"input": {"type": "string"}},
                    "required": ["input"],
                },
            )
        )

    def tool_choice(self, out: o.ChatCompletionRequest, choice: r.ToolChoice) -> None:
        ctx = self.ctx
        if isinstance(choice, str):
            out.tool_choice = choice
        elif isinstance(choice, r.FunctionChoice):
            out.tool_choice = o.NamedToolChoice(function=o.ChoiceName(name=self.name(choice.name)))
        elif isinstance(choice, r.CustomChoice):
            name = self.name(choice.name)
            if self.custom_tools:
                out.tool_choice = o.NamedCustomToolChoice(custom=o.ChoiceName(name=name))
            else:
                out.tool_choice = o.NamedToolChoice(function=o.ChoiceName(name=name))
        elif isinstance(choice, r.AllowedToolsChoice):
            refs = []
            for ref in choice.tools:
                kind = ref.get("type")
                if kind in ("function", "custom") and isinstance(ref.get("name"), str):
                    refs.append({"type": kind, kind: {"name": self.name(ref["name"])}})
                else:
                    ctx.drop("tool_choice.tools", f"hosted tool {kind!r} has no twin")
            out.tool_choice = o.AllowedToolsChoice(
                allowed_tools=o.AllowedTools(mode=choice.mode, tools=refs)
            )
        else:
            ctx.drop("tool_choice", f"hosted tool choice {tag(choice)!r} has no twin")


def grammar_to_chat(fmt: dict[str, Any]) -> dict[str, Any]:
    """A custom tool's format: Responses ``{type: grammar, syntax, definition}`` is Chat's
    ``{type: grammar, grammar: {syntax, definition}}``; ``{type: text}`` is the same."""
    if fmt.get("type") != "grammar" or "grammar" in fmt:
        return fmt
    inner = {k: v for k, v in fmt.items() if k != "type"}
    return {"type": "grammar", "grammar": inner}


def grammar_from_chat(fmt: dict[str, Any]) -> dict[str, Any]:
    if fmt.get("type") != "grammar" or not isinstance(fmt.get("grammar"), dict):
        return fmt
    return {"type": "grammar", **fmt["grammar"]}


class _Turn:
    """An assistant message being built from items, and how far it has got."""

    __slots__ = ("msg", "rank", "reasoning")

    def __init__(self, msg: o.AssistantMessage) -> None:
        self.msg = msg
        self.rank = 0
        self.reasoning: list[tuple[str, r.Reasoning]] = []
