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
from .._decode import Unknown, can_carry, decode, join, new_with_extra
from .._errors import Loss, TranslationError
from .._ledger import Ctx, finish
from .._tables import nearest_effort, tag
from .._tools import fits_alphabet, short_name
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


# the hot loop's names (a global is one lookup, a module attribute two)
_AssistantMessage = o.AssistantMessage
_ChatFunctionTool = o.FunctionTool
_FunctionDefinition = o.FunctionDefinition
_ChatCall = o.FunctionCall
_ChatCustomCall = o.CustomCall
_ChatCustomToolCall = o.CustomToolCall
_ReasoningText = o.ReasoningText
_ReasoningEncrypted = o.ReasoningEncrypted
_FunctionToolCall = o.FunctionToolCall
_TextPart = o.TextPart
_ToolMessage = o.ToolMessage
_CustomToolCall = r.CustomToolCall
_CustomToolCallOutput = r.CustomToolCallOutput
_FunctionCall = r.FunctionCall
_FunctionCallOutput = r.FunctionCallOutput
_InputText = r.InputText
_Message = r.Message
_OutputText = r.OutputText
_Reasoning = r.Reasoning
_SAID_AS: dict[str, type[o.UserMessage | o.SystemMessage | o.DeveloperMessage]] = {
    "user": o.UserMessage,
    "system": o.SystemMessage,
    "developer": o.DeveloperMessage,
}
_SERVER_ID = "item ids name server-side state"
_NO_TWIN = "no twin in Chat Completions"


def _server_free(req: r.ResponseCreateParams) -> bool:
    """None of the ``_SERVER_ONLY`` fields is there (the usual request)."""
    return (
        req.background is UNSET
        and req.background_options is UNSET
        and req.prompt is UNSET
        and req.context_management is UNSET
        and req.image is UNSET
        and req.access_programs is UNSET
    )


def _input_texts(content: Any) -> bool:
    """A list of plain ``input_text`` parts (said as Chat text parts, nothing lost)."""
    if type(content) is not list:
        return False
    for p in content:
        if type(p) is not _InputText or p.prompt_cache_breakpoint is not UNSET:
            return False
    return True


def _output_texts(content: Any) -> bool:
    """A list of plain ``output_text`` parts (no annotations, no logprobs)."""
    if type(content) is not list:
        return False
    for p in content:
        if type(p) is not _OutputText or p.annotations or p.logprobs not in (UNSET, None):
            return False
    return True


class _WildRequest(r.ResponseCreateParams, kw_only=True):
    """A request as clients send it: the top-level fields they add that the API reference
    does not declare (Codex's ``client_metadata``), so that such a body still decodes in one
    typed pass; ``decode_request`` reports them as unknown fields, as any other."""

    client_metadata: Any = UNSET


_WILD_FIELDS = ("client_metadata",)
_request_decoder = msgspec.json.Decoder(_WildRequest)
_REQUEST_FIELDS = frozenset(f.encode_name for f in msgspec.structs.fields(r.ResponseCreateParams))


class Decoded:
    """A body that ``typed`` decoded already (the dispatcher's detection, on bytes): read
    by ``decode_request`` as the bytes it came from, not as a struct from the caller."""

    __slots__ = ("req",)

    def __init__(self, req: _WildRequest) -> None:
        self.req = req


def typed(body: bytes) -> Decoded | None:
    """``body`` decoded in the one typed pass, or None when that pass fails (anything but a
    Responses request as Codex sends it: ``decode_request`` says why, or another dialect's
    converter takes it)."""
    try:
        return Decoded(_request_decoder.decode(body))
    except (msgspec.DecodeError, RecursionError, UnicodeError):
        return None


def _wild(req: _WildRequest, unknown: list[Unknown]) -> _WildRequest:
    for field in _WILD_FIELDS:
        value = getattr(req, field)
        if value is not UNSET:
            unknown.append(Unknown("", field, value))
    return req


def decode_request(body: Any, unknown: list[Unknown]) -> r.ResponseCreateParams:
    """Decode a Responses request; input messages without ``type`` (EasyInputMessage) and
    item references without it get their tag first.

    Fast on what Codex sends: one typed decode (``client_metadata`` declared for it, then
    reported as an unknown field); else (untagged messages, other top-level fields newer
    than the structs) one untyped decode, the tags and top-level unknown fields taken care
    of on the dict, one ``convert``. Only a body
    with unknown nested fields or bad values takes the slow path (``_decode.decode``),
    which names them by path."""
    if type(body) is Decoded:
        return _wild(body.req, unknown)
    if isinstance(body, r.ResponseCreateParams):
        return body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            wild: _WildRequest = _request_decoder.decode(body)
        except msgspec.ValidationError:
            pass
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            return decode(body, r.ResponseCreateParams, unknown)  # names the error
        else:
            return _wild(wild, unknown)
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
    return finish(ctx, ToChat(ctx, req).build(unknown), [], strict, losses)


def flat_name(namespace: str | Any, name: str) -> str:
    """A namespaced tool's name in a dialect without namespaces: ``namespace + name``, the
    way Codex itself names an MCP server's tools (``mcp__server__`` + ``tool``)."""
    return name if namespace in (UNSET, None) else f"{namespace}{name}"


_CHAT_FIELDS = frozenset(f.encode_name for f in msgspec.structs.fields(o.ChatCompletionRequest))
HUB_FIELDS = (
    "reasoning_summary",
    "reasoning_generate_summary",
    "prompt_cache_comparison_response_id",
    "prompt_cache_prewarm",
    NAMESPACES,
)
"""The compatible form's own carrier fields (``ToChat.carried``): not Chat fields, not
Responses fields, read back by ``to_responses.request``."""
_TAKEN = _CHAT_FIELDS | frozenset(HUB_FIELDS)
"""Names an unknown top-level field cannot be carried under: the Chat request's fields and
the carriers' (an unknown ``namespaces`` would read back as the carrier)."""


class ToChat:
    """One Responses request -> Chat. ``paths`` maps each Chat message index to the input
    path it came from (the composition with Messages names losses by it; kept as ``at``,
    an item's index or a path, and written out when asked for).

    Written for speed as much as for reading: every item is one pass, the common shapes
    (a text part, a call, an output, a reasoning item) take their branch without a call
    per field, and the request is made once, as the carrier of the fields only the
    compatible form says (no copy into it afterwards)."""

    __slots__ = (
        "at",
        "calls",
        "compatible",
        "ctx",
        "details_only",
        "flats",
        "functions_only",
        "limit",
        "namespaces",
        "output",
        "renamed",
        "req",
        "required",
        "rescan",
        "said",
        "say_content",
        "say_details",
        "say_reasoning",
        "spaces",
        "t",
        "tool_paths",
        "where",
        "written",
    )

    def __init__(self, ctx: Ctx, req: r.ResponseCreateParams) -> None:
        self.ctx = ctx
        self.t = t = ctx.target
        self.req = req
        self.limit = t.tool_name_max
        self.renamed: set[str] = set()  # names rewritten into Chat's alphabet (said once)
        self.at: list[int | str] = []  # each Chat message's item index, or its path
        self.written: list[str] | None = None
        self.tool_paths: list[str] = []
        self.namespaces: list[dict[str, Any]] = []
        self.calls: dict[str, str] = {}  # call_id -> "function" | "custom"
        self.output = False  # reading a Response's output: its item ids are expected
        self.where = "input"  # what the items are called in the caller's payload
        self.functions_only = False  # custom tools said as functions (for the Messages hub)
        self.compatible = t.unknown_fields == "carry"  # read per item: kept
        self.required = t.reasoning_required_on_tool_calls
        replay = t.reasoning_replay
        self.say_content = "reasoning_content" in replay
        self.say_reasoning = "reasoning" in replay
        self.say_details = "reasoning_details" in replay
        self.details_only = replay == ("reasoning_details",)
        # compatible only, for ``clashes``: the Chat names that may say two things, with
        # their namespace (None: none) and the path of the element that says each (an int:
        # the index of an item): every tool and namespaced call, and a call without
        # namespace whose name is a namespaced one (``flats``: flattened name ->
        # namespace); each namespace tool's name and path; whether a namespaced call
        # brought a name no tool had (the calls before it are looked at again)
        self.said: list[tuple[str, Any, str | int]] = []
        self.flats: dict[str, Any] = {}
        self.spaces: list[tuple[str, str]] = []
        self.rescan = False

    @property
    def paths(self) -> list[str]:
        """Each Chat message's path in the caller's input (``input[3]``, ``instructions``)."""
        if self.written is None or len(self.written) != len(self.at):
            where = self.where
            self.written = [p if isinstance(p, str) else f"{where}[{p}]" for p in self.at]
        return self.written

    @property
    def custom_tools(self) -> bool:
        """Whether ``type: custom`` tools can be said: the official API and the superset."""
        if self.functions_only:
            return False
        return self.compatible or self.t.official_fields_only

    def name(self, name: str, path: str = "tools") -> str:
        """A tool name as Chat takes it: over the limit, shortened (restored from
        ``request=``; the compatible form's carriers give namespaced ones back); outside
        ``[a-zA-Z0-9_-]`` (``get.weather``), rewritten the same way everywhere, a Loss at
        ``path`` where it is first met (restored from ``request=`` in responses and streams);
        empty, a ``TranslationError``."""
        if len(name) > self.limit:
            return short_name(name, self.limit)
        if fits_alphabet(name):
            return name
        if not name:
            raise TranslationError(path, "a tool name cannot be empty")
        sent = short_name(name, self.limit)
        if name not in self.renamed:
            self.renamed.add(name)
            self.ctx.approx(path, f"renamed {sent!r} everywhere (restored with request=)")
        return sent

    # -- the request fields ----------------------------------------------------------

    def build(self, unknown: list[Unknown] | None = None) -> o.ChatCompletionRequest:
        """The Chat request, with the ``unknown`` fields of the Responses one carried or
        reported (``finish``'s rule; ``finish`` is then given none)."""
        req, t, ctx = self.req, self.t, self.ctx
        model = req.model
        if not isinstance(model, str):
            raise TranslationError("model", "Chat Completions needs a model")
        tools: list[o.Tool] = []
        if req.tools is not UNSET:
            tools = self.tools(req.tools, "tools")
        messages = self.messages(tools)
        if self.namespaces:
            self.clashes()
        compatible = self.compatible
        late: list[tuple[str, str]] = []  # unknown fields not carried: reported last
        if compatible:
            extra = self.carried(unknown or (), late)
            fields = {"model": model, "messages": messages}
            out = new_with_extra(o.ChatCompletionRequest, extra, fields)
        else:
            for u in unknown or ():
                late.append((f"{u.path}.{u.key}" if u.path else u.key, u.detail))
            out = o.ChatCompletionRequest(model=model, messages=messages)
        if tools or (compatible and req.tools == []):  # `tools: []` said as it was
            out.tools = tools
        value: Any = req.max_output_tokens
        if value is not UNSET and value is not None:
            setattr(out, t.max_tokens_field, value)
        value = req.stream
        if value is not UNSET and value is not None:
            out.stream = value
            if value:
                # a Responses stream always ends with usage (response.completed)
                out.stream_options = o.StreamOptions(include_usage=True)
        so = req.stream_options
        if so is not UNSET and so is not None and so.include_obfuscation is not UNSET:
            opts = out.stream_options if out.stream_options not in (UNSET, None) else None
            opts = opts or o.StreamOptions()
            opts.include_obfuscation = so.include_obfuscation
            out.stream_options = opts
        if req.temperature is not UNSET or req.top_p is not UNSET:
            out.temperature = _sampling.temperature(ctx, req.temperature)
            out.top_p = _sampling.top_p(ctx, req.top_p)
        if req.tool_choice is not UNSET:
            self.tool_choice(out, req.tool_choice)
        value = req.parallel_tool_calls
        if value is not UNSET and value is not None:
            out.parallel_tool_calls = value
        rc = req.reasoning
        if rc is not UNSET and rc is not None and rc.effort is not UNSET:
            self.thinking(out)
        if not t.tool_choice_with_thinking:
            self.forced_choice_while_thinking(out)
        if req.text is not UNSET:
            self.text(out, req.text)
        self.state(out)
        value = req.metadata
        if value is not UNSET and value is not None:
            out.metadata = value
        value = req.safety_identifier
        if value is not UNSET and value is not None:
            out.safety_identifier = value
        value = req.service_tier
        if value is not UNSET and value is not None:
            out.service_tier = value
        value = req.prompt_cache_key
        if value is not UNSET and value is not None:
            out.prompt_cache_key = value
        if req.user is not UNSET:
            out.user = req.user
        value = req.prompt_cache_retention
        if value is not UNSET and value is not None:
            if value in ("in_memory", "24h"):
                out.prompt_cache_retention = value
            else:
                ctx.drop("prompt_cache_retention", "an unknown retention policy")
        if req.prompt_cache_options is not UNSET:
            self.cache_options(out, req.prompt_cache_options)
        value = req.moderation
        if value is not UNSET and value is not None:
            out.moderation = value
        if not _server_free(req):
            for field in _SERVER_ONLY:
                value = getattr(req, field)
                if value is UNSET or value in (None, False, [], {}):
                    continue  # says nothing (carried by the compatible form)
                ctx.drop(field, "no twin in Chat Completions")
        value = req.top_logprobs
        if value is not UNSET and value is not None:
            out.top_logprobs = value
        if not compatible:
            self.uncarried()
        for where, detail in late:
            ctx.drop(where, detail)
        return out

    def carried(self, unknown: Any, late: list[tuple[str, str]]) -> dict[str, Any]:
        """The compatible form's extra fields: what only the Responses dialect says (so that
        a round trip restores it), then the unknown top-level fields (``finish``'s rule:
        carried unless the name is taken or cannot be a field; those, and nested unknown
        fields, go to ``late``)."""
        req = self.req
        extra: dict[str, Any] = {}
        if not _server_free(req):
            for field in _SERVER_ONLY:  # their "nothing" values, so a round trip keeps them
                value = getattr(req, field)
                if value is not UNSET and value in (None, False, [], {}):
                    extra[field] = value
        pco = req.prompt_cache_options
        if pco is not UNSET:
            if pco.comparison_response_id is not UNSET:
                extra["prompt_cache_comparison_response_id"] = pco.comparison_response_id
            if pco.prewarm is not UNSET:
                extra["prompt_cache_prewarm"] = pco.prewarm
        for field in _CARRIED:
            value = getattr(req, field)
            if value is not UNSET and value is not None:
                extra[field] = value
        rc = req.reasoning
        if rc is not UNSET and rc is not None:
            if rc.summary is not UNSET:
                extra["reasoning_summary"] = rc.summary
            if rc.generate_summary is not UNSET:
                extra["reasoning_generate_summary"] = rc.generate_summary
        # elsewhere nothing is lost: the reasoning text comes back as the summary
        if self.namespaces:
            extra[NAMESPACES] = self.namespaces
        for u in unknown:
            if u.path:
                late.append((f"{u.path}.{u.key}", u.detail))
            elif u.key in _TAKEN:
                late.append(
                    (u.key, f"{u.detail} shares its name with a field of the target dialect")
                )
            elif not can_carry(u.key):
                late.append((u.key, "unknown field whose name cannot be written as a field"))
            else:
                extra[u.key] = u.value
        return extra

    def uncarried(self) -> None:
        """What the compatible form carries, elsewhere: a Loss or, where nothing is lost,
        nothing."""
        req, ctx = self.req, self.ctx
        for field in _CARRIED:
            value = getattr(req, field)
            if value in (UNSET, None):
                continue
            if field == "include":
                for i, what in enumerate(value):
                    if what != "reasoning.encrypted_content":  # honoured: proofs come back
                        ctx.drop(f"include[{i}]", "no twin in Chat Completions")
            elif field == "truncation":
                if value != "disabled":
                    ctx.drop("truncation", "the upstream fails instead of truncating")
            else:
                ctx.drop(field, "no twin in Chat Completions")

    def state(self, out: o.ChatCompletionRequest) -> None:
        """Server-side state cannot be honoured by a stateless translator."""
        req, ctx = self.req, self.ctx
        if req.previous_response_id is not UNSET and req.previous_response_id is not None:
            ctx.drop("previous_response_id", "server-side state: a stateless translator has none")
        if req.conversation is not UNSET and req.conversation is not None:
            ctx.drop("conversation", "server-side state: a stateless translator has none")
        store = req.store
        if store is True:
            ctx.drop("store", "server-side state: nothing is stored")
        elif store is False and self.compatible:
            out.store = False
        elif store is None and self.compatible:
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
        """The Chat messages of the input, in one pass. The assistant message being built
        (``msg``) takes the assistant-side items in the order Chat can say them (``rank``:
        reasoning, text, calls); an item that cannot follow starts the next one.

        The hot loop of a long session: each common shape (a call, an output, a lone
        reasoning item, a text-only message) is said inline, with no Loss to report (the
        conditions say so), its path written only when it starts a Chat message; anything
        else goes to the method that says every case, and reports what it must."""
        req = self.req
        out: list[o.Message] = []
        paths = self.at
        if req.instructions is not UNSET and req.instructions is not None:
            out.append(o.SystemMessage(content=req.instructions))
            paths.append("instructions")
        items = req.input
        if isinstance(items, str):
            out.append(o.UserMessage(content=items))
            paths.append("input")
            return out
        if items is UNSET:
            return out
        every: list[Any] = items  # each item's shape is tested by its type below
        # locals: the loop's names, one fast lookup each
        unset = UNSET
        FunctionCallOutput, CustomToolCallOutput = _FunctionCallOutput, _CustomToolCallOutput
        FunctionCall, CustomToolCall = _FunctionCall, _CustomToolCall
        Reasoning, Message = _Reasoning, _Message
        OutputText, InputText, TextPart = _OutputText, _InputText, _TextPart
        AssistantMessage, ToolMessage = _AssistantMessage, _ToolMessage
        where = self.where
        drop = self.ctx.drop
        output = self.output
        required = self.required
        named: dict[str, str] = {}
        made = self.calls
        flats = self.flats
        said = self.said
        custom_ok = self.custom_tools
        lone = self.say_details  # a lone reasoning item is said inline (below)
        say_content = self.say_content
        say_reasoning = self.say_reasoning
        details_only = self.details_only
        msg: o.AssistantMessage | None = None
        rank = 0
        thoughts: list[tuple[int, r.Reasoning]] | None = None  # for ``reasoning``, at close
        first = -1  # the index of msg's reasoning item said inline
        spill: list[o.UserPart] = []  # tool output parts for a user message
        for i, item in enumerate(every):
            cls = type(item)
            if cls is FunctionCallOutput or cls is CustomToolCallOutput:
                if msg is not None:
                    if required or thoughts:
                        self.close(msg, thoughts, out)
                    msg = None
                content = item.output
                call_id = item.call_id
                status = item.status
                if (
                    type(content) is str
                    and item.caller is unset
                    and (status is unset or status == "completed")
                    and (
                        made.get(call_id, "function") == "custom"
                        if cls is CustomToolCallOutput
                        else item.name is unset
                        and item.namespace is unset
                        and made.get(call_id, "function") == "function"
                    )
                ):
                    if item.id is not unset and item.id is not None and not output:
                        drop(f"{where}[{i}].id", _SERVER_ID)
                    out.append(ToolMessage(content=content, tool_call_id=call_id))
                else:
                    out.append(self.tool_output(item, f"{where}[{i}]", spill))
                paths.append(i)
                continue
            if cls is FunctionCall or cls is CustomToolCall:
                name = named.get(item.name)
                if name is None:  # the name as Chat takes it (``name``), once a name
                    name = named[item.name] = self.name(item.name, f"{where}[{i}].name")
                status = item.status
                if (
                    item.caller is unset
                    and item.async_ is unset
                    and item.namespace is unset
                    and (status is unset or status == "completed")
                    and (cls is FunctionCall or custom_ok)
                ):
                    if item.id is not unset and item.id is not None and not output:
                        drop(f"{where}[{i}].id", _SERVER_ID)
                    call_id = item.call_id
                    if cls is FunctionCall:
                        made[call_id] = "function"
                        call: o.ToolCall = _FunctionToolCall(
                            id=call_id, function=_ChatCall(name=name, arguments=item.arguments)
                        )
                    else:
                        made[call_id] = "custom"
                        call = _ChatCustomToolCall(
                            id=call_id, custom=_ChatCustomCall(name=name, input=item.input)
                        )
                    if flats and name in flats:  # a namespaced tool's name (``clashes``)
                        said.append((name, None, i))
                else:
                    call = self.call(item, f"{where}[{i}]")
                if msg is None:
                    msg = AssistantMessage(content=None, tool_calls=[call])
                    out.append(msg)
                    paths.append(i)
                    thoughts = None
                    first = -1
                elif msg.tool_calls is unset:
                    msg.tool_calls = [call]
                else:
                    msg.tool_calls.append(call)
                rank = 2
                continue
            if cls is Reasoning:
                if msg is None or rank > 0:  # reasoning cannot follow text or calls
                    if msg is not None and (required or thoughts):
                        self.close(msg, thoughts, out)
                    msg = AssistantMessage(content=None)
                    out.append(msg)
                    paths.append(i)
                    thoughts = None
                    first = -1
                elif thoughts is None and first >= 0:  # a second item: ``reasoning`` says
                    thoughts = [(first, every[first])]  # them all
                rank = 0
                if thoughts is not None or not lone:
                    if thoughts is None:
                        thoughts = []
                    thoughts.append((i, item))
                    continue
                # The turn's first reasoning item, said here when nothing about it is a
                # Loss and the target says reasoning_details (what ``reasoning`` makes of
                # a turn with this item alone).
                summary, enc = item.summary, item.encrypted_content
                status = item.status
                sealed = enc is not unset and enc is not None
                if (
                    item.content
                    or not (status is unset or status is None or status == "completed")
                    or not (summary or sealed)  # empty: a Loss
                ):
                    thoughts = [(i, item)]
                    continue
                first = i
                ident = item.id
                n = len(summary)
                if n == 1:  # the usual item: one summary part, perhaps sealed
                    text = summary[0].text
                    if say_content:
                        msg.reasoning_content = text
                    if say_reasoning:
                        msg.reasoning = text
                    if sealed:
                        msg.reasoning_details = [
                            _ReasoningText(text=text, id=ident, index=0, signature=enc)
                        ]
                    elif ident is not unset or details_only:  # else plain: the text says it
                        msg.reasoning_details = [_ReasoningText(text=text, id=ident, index=0)]
                    continue
                text = "\n\n".join([part.text for part in summary]) if n else ""
                if say_content:
                    msg.reasoning_content = text
                if say_reasoning:
                    msg.reasoning = text
                if not n:
                    msg.reasoning_details = [_ReasoningEncrypted(data=enc, id=ident, index=0)]
                    continue
                details: list[o.ReasoningDetail] = [
                    _ReasoningText(text=part.text, id=ident, index=0) for part in summary
                ]
                if sealed:
                    details[-1].signature = enc  # type: ignore[union-attr]
                msg.reasoning_details = details
                continue
            if cls is Message:
                role = item.role
                plain = item.id is unset and item.status is unset and item.phase is unset
                content = item.content
                if role == "assistant":
                    if msg is None or rank >= 1:  # one text a message, before its calls
                        if msg is not None and (required or thoughts):
                            self.close(msg, thoughts, out)
                        msg = AssistantMessage(content=None)
                        out.append(msg)
                        paths.append(i)
                        thoughts = None
                        first = -1
                    rank = 1
                    if plain and type(content) is str:
                        if content:
                            msg.content = content
                        else:  # Chat's "" beside calls is no text: it would not come back
                            self.ctx.drop(f"{where}[{i}]", "an empty assistant message")
                    elif (
                        plain
                        and type(content) is list
                        and len(content) == 1
                        and type(part := content[0]) is OutputText
                        and not part.annotations
                        and part.logprobs is unset
                    ):
                        msg.content = [TextPart(text=part.text)]
                    elif plain and _output_texts(content):
                        msg.content = [TextPart(text=p.text) for p in content]
                    else:
                        self.assistant_text(msg, item, f"{where}[{i}]")
                    continue
                if msg is not None:
                    if required or thoughts:
                        self.close(msg, thoughts, out)
                    msg = None
                if spill:
                    self.flush(spill, out)
                if plain and type(content) is str:
                    out.append(_SAID_AS[role](content=content))
                elif (
                    plain
                    and type(content) is list
                    and len(content) == 1
                    and type(part := content[0]) is InputText
                    and part.prompt_cache_breakpoint is unset
                ):
                    out.append(_SAID_AS[role](content=[TextPart(text=part.text)]))
                elif plain and _input_texts(content):
                    out.append(_SAID_AS[role](content=[TextPart(text=p.text) for p in content]))
                else:
                    out.append(self.message(item, f"{where}[{i}]"))
                paths.append(i)
                continue
            if msg is not None:
                if required or thoughts:
                    self.close(msg, thoughts, out)
                msg = None
            if spill:
                self.flush(spill, out)
            path = f"{where}[{i}]"
            if cls is r.AdditionalTools:
                tools.extend(self.tools(item.tools, join(path, "tools")))
                self.ctx.approx(path, "tools offered part-way are offered from the start")
            else:
                drop(path, f"a {tag(item)} item has no twin in Chat Completions")
        if msg is not None and (required or thoughts):
            self.close(msg, thoughts, out)
        if spill:
            self.flush(spill, out)
        return out

    def flush(self, spill: list[o.UserPart], out: list[o.Message]) -> None:
        out.append(o.UserMessage(content=list(spill)))
        self.at.append(self.at[-1] if self.at else "input")
        spill.clear()

    def item_state(self, item: Any, path: str) -> None:
        """``id`` and ``status`` of an input item: server-side bookkeeping Chat cannot say.
        ``status: completed`` is what every replayed item says: nothing is lost."""
        ident = item.id
        if ident is not UNSET and ident is not None and not self.output:
            self.ctx.drop(f"{path}.id", "item ids name server-side state")
        status = item.status
        if status is not UNSET and status is not None and status != "completed":
            self.ctx.drop(f"{path}.status", "no twin in Chat Completions")

    def message(self, m: r.Message, path: str) -> o.Message:
        self.item_state(m, path)
        if m.phase is not UNSET and m.phase is not None:
            self.ctx.drop(f"{path}.phase", "no twin in Chat Completions")
        content = m.content
        role = m.role
        if role in ("system", "developer"):
            cls = o.SystemMessage if role == "system" else o.DeveloperMessage
            if isinstance(content, str):
                return cls(content=content)
            texts = []
            for j, part in enumerate(content):
                if type(part) is r.InputText and part.prompt_cache_breakpoint is UNSET:
                    texts.append(o.TextPart(text=part.text))
                    continue
                text = self.text_part(part, f"{path}.content[{j}]")
                if text is not None:
                    texts.append(text)
            return cls(content=texts)
        if isinstance(content, str):
            return o.UserMessage(content=content)
        parts: list[o.UserPart] = []
        for j, part in enumerate(content):
            if type(part) is r.InputText and part.prompt_cache_breakpoint is UNSET:
                parts.append(o.TextPart(text=part.text))
                continue
            p = self.user_part(part, f"{path}.content[{j}]")
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

    def assistant_text(self, msg: o.AssistantMessage, m: r.Message, path: str) -> None:
        self.item_state(m, path)
        if m.phase is not UNSET and m.phase is not None:
            self.ctx.drop(f"{path}.phase", "no twin in Chat Completions")
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
        caller = item.caller
        if (
            caller is not UNSET
            and caller is not None
            and (caller.type != "direct" or self.compatible)
        ):
            ctx.drop(f"{path}.caller", "calls made by a program have no twin")
        value = item.async_
        if value is not UNSET and value is not None and (value is not False or self.compatible):
            ctx.drop(f"{path}.async", "no twin in Chat Completions")
        namespace = item.namespace
        name = item.name
        if namespace is not UNSET and namespace is not None:
            name = self.flatten(namespace, name, path)
            if len(name) > self.limit:
                name = short_name(name, self.limit)
        else:
            namespace = None
            name = self.name(name, f"{path}.name")
        if namespace is not None and self.compatible:
            self.said.append((name, namespace, path))
            if name not in self.flats:
                self.flats[name] = namespace
                self.rescan = True  # a name no tool had: the calls before it, again
        elif self.flats and name in self.flats:
            self.said.append((name, None, path))
        call_id = item.call_id
        if type(item) is r.FunctionCall:
            self.calls[call_id] = "function"
            return o.FunctionToolCall(
                id=call_id, function=o.FunctionCall(name=name, arguments=item.arguments)
            )
        self.calls[call_id] = "custom"
        if self.custom_tools:
            return o.CustomToolCall(id=call_id, custom=o.CustomCall(name=name, input=item.input))  # type: ignore[union-attr]
        ctx.approx(path, "a custom tool call said as a function call with one string 'input'")
        return o.FunctionToolCall(
            id=call_id,
            function=o.FunctionCall(
                name=name,
                arguments=_json.encode({"input": item.input}).decode(),  # type: ignore[union-attr]
            ),
        )

    def flatten(self, namespace: Any, name: str, path: str) -> str:
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

    def clashes(self) -> None:
        """A namespaced tool is a flattened name in Chat, and the compatible form lists its
        namespace's names (``namespaces``); the way back reads every tool and call of such
        a name as the namespace's. Where one name stands for more than one thing (a tool
        or call without namespace, or two namespaces, flatten to it) or two namespace tools
        share a name (they read back as one), each element involved is a Loss."""
        if self.rescan:  # the calls without namespace, each against every flattened name
            said = [entry for entry in self.said if entry[1] is not None or type(entry[2]) is str]
            every: list[Any] = self.req.input if isinstance(self.req.input, list) else []
            for i, item in enumerate(every):
                if type(item) in (r.FunctionCall, r.CustomToolCall) and item.namespace in (
                    UNSET,
                    None,
                ):
                    name = self.name(item.name, f"input[{i}].name")
                    if name in self.flats:
                        said.append((name, None, i))
            self.said = said
        one: dict[str, Any] = {}
        for name, namespace, _ in self.said:
            if one.setdefault(name, namespace) != namespace:
                break
        else:  # each name says one thing (the usual request: nothing to look at further)
            if len({space for space, _ in self.spaces}) == len(self.spaces):
                return
        owners: dict[str, set[Any]] = {}
        for name, namespace, _ in self.said:
            owners.setdefault(name, set()).add(namespace)
        named: dict[str, str] = {}
        for name, _, at in self.said:
            path = at if isinstance(at, str) else f"{self.where}[{at}]"
            if len(owners[name]) > 1:
                named.setdefault(
                    path,
                    f"the name {name!r} is said by tools of more than one namespace (or none): it may read back in another",
                )
        first: dict[str, str] = {}
        for space, path in self.spaces:
            if first.setdefault(space, path) != path:
                detail = f"two namespace tools named {space!r}: they read back as one"
                named.setdefault(first[space], detail)
                named.setdefault(path, detail)
        for path, detail in named.items():
            self.ctx.approx(path, detail)

    def close(
        self,
        msg: o.AssistantMessage,
        thoughts: list[tuple[int, r.Reasoning]] | None,
        out: list[o.Message],
    ) -> None:
        """The assistant message is complete (the last in ``out``): its reasoning items
        (those not said inline), and the reasoning a target requires on tool-call turns.
        A message left saying nothing (its reasoning items were all a Loss) is not sent:
        an assistant message needs content or calls."""
        if thoughts:
            self.reasoning(msg, thoughts)
            if (
                msg.content is None
                and msg.tool_calls is UNSET
                and msg.reasoning_content is UNSET
                and msg.reasoning is UNSET
                and msg.reasoning_details is UNSET
            ):
                out.pop()
                self.at.pop()
                return
        if (
            self.required
            and msg.tool_calls not in (UNSET, None)
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
                self.paths[-1],  # (this message's, the last so far)
                f"target {self.t.name} requires reasoning on tool-call turns: an empty one stands in",
            )

    def reasoning(self, msg: o.AssistantMessage, items: list[tuple[int, r.Reasoning]]) -> None:
        """A turn's reasoning items -> its reasoning fields (module docstring). One item,
        the usual turn, is said without a list of texts."""
        t, ctx, where = self.t, self.ctx, self.where
        replay = t.reasoning_replay
        if not replay:
            for i, _ in items:
                ctx.drop(f"{where}[{i}]", f"target {t.name} does not accept replayed reasoning")
            return
        if len(items) == 1:
            i, item = items[0]
            content, summary, enc = item.content, item.summary, item.encrypted_content
            if content:
                text = "\n\n".join([p.text for p in content])
            elif summary:
                text = (
                    summary[0].text if len(summary) == 1 else "\n\n".join([s.text for s in summary])
                )
            elif enc is UNSET or enc is None:
                # dropped, not said as an empty text (which reads back as a summary)
                ctx.drop(f"{where}[{i}]", "an empty reasoning item says nothing")
                return
            else:
                text = ""
            status = item.status
            if status is not UNSET and status is not None and status != "completed":
                ctx.drop(f"{where}[{i}].status", _NO_TWIN)
            if "reasoning_content" in replay:
                msg.reasoning_content = text
            if "reasoning" in replay:
                msg.reasoning = text
            plain = (
                item.id is UNSET
                and not content
                and (enc is UNSET or enc is None)
                and len(summary) == 1
            )
            if "reasoning_details" in replay and (not plain or replay == ("reasoning_details",)):
                if content:
                    msg.reasoning_details = self.details(item, f"{where}[{i}]", 0)
                    return
                ident = item.id
                details: list[o.ReasoningDetail] = [
                    o.ReasoningText(text=s.text, id=ident, index=0) for s in summary
                ]
                if enc is not UNSET and enc is not None:
                    if details:
                        details[-1].signature = enc  # type: ignore[union-attr]
                    else:
                        details.append(o.ReasoningEncrypted(data=enc, id=ident, index=0))
                msg.reasoning_details = details
                return
            self.unsaid([(f"{where}[{i}]", item)], plain)
            return
        texts: list[str] = []
        said = []
        for i, item in items:
            path = f"{where}[{i}]"
            content = item.content
            if content:
                texts.extend([p.text for p in content])
            elif item.summary:
                texts.extend([s.text for s in item.summary])
            elif item.encrypted_content is UNSET or item.encrypted_content is None:
                ctx.drop(path, "an empty reasoning item says nothing")
                continue
            said.append((path, item))
        if not said:
            return
        text = texts[0] if len(texts) == 1 else "\n\n".join(texts)
        first = said[0][1]
        plain = (
            len(said) == 1
            and first.id is UNSET
            and not first.content
            and first.encrypted_content in (UNSET, None)
            and len(first.summary) == 1
        )
        for path, item in said:
            status = item.status
            if status is not UNSET and status is not None and status != "completed":
                ctx.drop(f"{path}.status", _NO_TWIN)
        if "reasoning_content" in replay:
            msg.reasoning_content = text
        if "reasoning" in replay:
            msg.reasoning = text
        if "reasoning_details" in replay and (not plain or replay == ("reasoning_details",)):
            details = []
            for k, (path, item) in enumerate(said):
                details.extend(self.details(item, path, k))
            msg.reasoning_details = details
            return
        self.unsaid(said, plain)

    def unsaid(self, items: list[tuple[str, r.Reasoning]], plain: bool) -> None:
        """Reasoning said as text alone (no ``reasoning_details``): what the text cannot
        say is a Loss."""
        t, ctx = self.t, self.ctx
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
        content = item.content
        if content:
            for j, c in enumerate(content):
                if type(c) is r.Text:
                    self.ctx.approx(f"{path}.content[{j}]", "a text part said as reasoning_text")
                out.append(
                    o.ReasoningText(text=c.text, id=ident, index=index, format=CONTENT_FORMAT)
                )
        enc = item.encrypted_content
        if enc is not UNSET and enc is not None:
            if out:
                out[-1].signature = enc  # type: ignore[union-attr]
            else:
                out.append(o.ReasoningEncrypted(data=enc, id=ident, index=index))
        if not out:  # (the stream's own check: a request's empty items are gone already)
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
        caller = item.caller
        if (
            caller is not UNSET
            and caller is not None
            and (caller.type != "direct" or self.compatible)
        ):
            ctx.drop(f"{path}.caller", "outputs for a program have no twin")
        call_id = item.call_id
        made = self.calls.get(call_id, "function")
        if type(item) is r.FunctionCallOutput:
            if made != "function":  # Chat says it by the call
                ctx.approx(path, f"no function call before it: a {made} call's output")
            if item.name is not UNSET and item.name is not None:
                ctx.drop(f"{path}.name", "tool messages name no tool")
            if item.namespace is not UNSET and item.namespace is not None:
                ctx.drop(f"{path}.namespace", "tool messages name no tool")
        elif made != "custom":
            ctx.approx(path, f"no custom call before it: a {made} call's output")
        output = item.output
        if isinstance(output, str):
            return o.ToolMessage(content=output, tool_call_id=call_id)
        parts: list[o.ToolPart] = []
        for j, part in enumerate(output):
            ppath = f"{path}.output[{j}]"
            p = self.user_part(part, ppath)
            if p is None:
                continue
            if isinstance(p, o.TextPart) or self.t.tool_message_images:
                parts.append(p)
            else:
                spill.append(p)
                ctx.approx(ppath, "tool messages carry text only: moved to a user message")
        return o.ToolMessage(content=parts, tool_call_id=call_id)

    # -- tools -----------------------------------------------------------------------

    def tools(self, tools: list[r.Tool], path: str) -> list[o.Tool]:
        out: list[o.Tool] = []
        compatible = self.compatible
        custom_ok = self.custom_tools
        every: list[Any] = tools  # each tool's shape is tested by its type below
        for i, tool in enumerate(every):
            tpath = f"{path}[{i}]"
            cls = type(tool)
            if cls is r.FunctionTool or cls is r.CustomTool:
                name = self.name(tool.name, f"{tpath}.name")
                chat = _plain(tool, name, custom_ok)
                out.append(chat or self.tool(tool, tpath, UNSET, tpath))
                self.tool_paths.append(tpath)
                if compatible and chat is not None:
                    self.said.append((name, None, tpath))
            elif cls is r.NamespaceTool and not tool.tools:
                self.ctx.drop(tpath, "a namespace without tools: nothing to offer")
            elif cls is r.NamespaceTool:
                space = tool.name
                entry: dict[str, Any] = {"name": space, "tools": []}
                if tool.description is not UNSET:
                    entry["description"] = tool.description
                flats = entry["tools"]
                for j, member in enumerate(tool.tools):
                    mpath = f"{tpath}.tools[{j}]"
                    flat = f"{space}{member.name}"
                    name = self.name(flat)
                    chat = _plain(member, name, custom_ok)
                    if chat is None:
                        chat = self.tool(member, mpath, space, tpath)
                    elif compatible:
                        self.said.append((name, space, tpath))
                        self.flats.setdefault(name, space)
                    out.append(chat)
                    self.tool_paths.append(mpath)
                    flats.append(flat)
                if compatible:
                    self.namespaces.append(entry)
                    self.spaces.append((space, tpath))
                else:
                    self.ctx.approx(tpath, "a namespace: its tools offered one by one, flattened")
            else:
                self.ctx.drop(tpath, f"hosted tool {tag(tool)!r} runs only on the Responses API")
        return out

    def tool(
        self, tool: r.FunctionTool | r.CustomTool, path: str, namespace: Any, owner: str
    ) -> o.Tool:
        """One Chat tool; ``owner``: the path of the element that offers it (the namespace
        tool of a member)."""
        ctx = self.ctx
        compatible = self.compatible
        if namespace is UNSET:
            name = self.name(tool.name, f"{path}.name")
        else:
            name = flat_name(namespace, tool.name)
            if len(name) > self.limit:
                name = short_name(name, self.limit)
        if compatible:
            self.said.append((name, None if namespace is UNSET else namespace, owner))
            if namespace is not UNSET:
                self.flats.setdefault(name, namespace)
        function = isinstance(tool, r.FunctionTool)
        # the compatible form carries a function's defer_loading and allowed_callers on its
        # Chat tool (the fields it has for anthropic's tools); the rest has no twin
        carried = compatible and function
        value: Any = tool.defer_loading
        # compatible: exact or a Loss
        if (value is not UNSET and not (carried and value is not None)) and (
            value not in (None, False) or compatible
        ):
            ctx.drop(f"{path}.defer_loading", "no twin in Chat tool definitions")
        value = tool.allowed_callers
        if (value is not UNSET and not (carried and value is not None)) and (
            value not in (None, False) or compatible
        ):
            ctx.drop(f"{path}.allowed_callers", "no twin in Chat tool definitions")
        value = tool.async_
        if value is not UNSET and (value not in (None, False) or compatible):
            ctx.drop(f"{path}.async", "no twin in Chat tool definitions")
        if isinstance(tool, r.FunctionTool):
            if tool.output_schema is not UNSET and (tool.output_schema is not None or compatible):
                ctx.drop(f"{path}.output_schema", "no twin in Chat tool definitions")
            fn = o.FunctionDefinition(name=name)
            if tool.description is not None:
                fn.description = tool.description
            elif compatible:
                ctx.drop(f"{path}.description", "a null description: none in Chat")
            if tool.parameters is not None:
                fn.parameters = tool.parameters
            elif compatible:
                ctx.drop(f"{path}.parameters", "null parameters: none in Chat")
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
            name = self.name(choice.name, "tool_choice.name")
            out.tool_choice = o.NamedToolChoice(function=o.ChoiceName(name=name))
        elif isinstance(choice, r.CustomChoice):
            name = self.name(choice.name, "tool_choice.name")
            if self.custom_tools:
                out.tool_choice = o.NamedCustomToolChoice(custom=o.ChoiceName(name=name))
            else:
                out.tool_choice = o.NamedToolChoice(function=o.ChoiceName(name=name))
        elif isinstance(choice, r.AllowedToolsChoice):
            refs = []
            for ref in choice.tools:
                kind = ref.get("type")
                if kind in ("function", "custom") and isinstance(ref.get("name"), str):
                    refs.append(
                        {"type": kind, kind: {"name": self.name(ref["name"], "tool_choice.tools")}}
                    )
                else:
                    ctx.drop("tool_choice.tools", f"hosted tool {kind!r} has no twin")
            out.tool_choice = o.AllowedToolsChoice(
                allowed_tools=o.AllowedTools(mode=choice.mode, tools=refs)
            )
        else:
            ctx.drop("tool_choice", f"hosted tool choice {tag(choice)!r} has no twin")


def _plain(tool: r.FunctionTool | r.CustomTool, name: str, custom_ok: bool) -> o.Tool | None:
    """The Chat tool of a function or custom tool that says nothing Chat cannot (no field a
    Loss names, whatever the target: what ``ToChat.tool`` makes of it), else None."""
    if (
        tool.defer_loading is not UNSET
        or tool.allowed_callers is not UNSET
        or tool.async_ is not UNSET
    ):
        return None
    if isinstance(tool, r.FunctionTool):
        if tool.output_schema is not UNSET or tool.description is None or tool.parameters is None:
            return None
        return _ChatFunctionTool(
            function=_FunctionDefinition(
                name=name,
                description=tool.description,
                parameters=tool.parameters,
                strict=True if tool.strict is UNSET else tool.strict,
            )
        )
    if not custom_ok:
        return None
    custom = o.CustomToolDefinition(name=name, description=tool.description)
    if tool.format is not UNSET:
        custom.format = grammar_to_chat(tool.format)
    return o.CustomTool(custom=custom)


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
