"""The openai dialect: Chat Completions payloads as msgspec structs, extensions included.

The surface is the openai SDK's chat ``CompletionCreateParams`` (3.57) plus what the
providers that copy the dialect add (DIALECTS.md): ``reasoning_content``, ``reasoning``
and ``reasoning_details`` on assistant messages; a top-level ``thinking`` switch, ``top_k``,
``chat_template_kwargs`` and OpenRouter's ``reasoning`` object; ``cache_control`` on content
parts. A few extension fields exist so that the ``compatible`` form can carry what only the
anthropic dialect says (``is_error`` and ``cache_control`` on tool messages, ``cache_control``
on tool definitions and tool calls); they are marked *extension* below.

Absent and ``null`` stay distinct (``UNSET`` versus ``None``). Messages are a tagged union
on ``role``, content parts and tools on ``type``.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType


class _Wire(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Every openai wire object: unknown fields are detected, never silently ignored."""


class CacheControl(_Wire, kw_only=True):
    """Extension (OpenRouter, Anthropic-backed hosts): anthropic's ``cache_control``."""

    type: Literal["ephemeral"] = "ephemeral"
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


BreakpointTTL = Literal["30m", "12h"]


class PromptCacheBreakpoint(_Wire, kw_only=True):
    """The official nearest twin of ``cache_control``: an explicit cache breakpoint."""

    mode: Literal["explicit"] = "explicit"
    ttl: BreakpointTTL | UnsetType = UNSET


# --- content parts ----------------------------------------------------------------------


class _Part(_Wire, tag_field="type", kw_only=True):
    """A content part. Each carries ``prompt_cache_breakpoint`` and, as an extension,
    ``cache_control``, declared last in each part so that they encode after its content."""


class TextPart(_Part, tag="text", kw_only=True):
    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class ImageURL(_Wire, kw_only=True):
    url: str
    detail: Literal["auto", "low", "high", "original"] | UnsetType = UNSET


class ImageURLPart(_Part, tag="image_url", kw_only=True):
    image_url: ImageURL
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class InputAudio(_Wire, kw_only=True):
    data: str
    format: Literal["wav", "mp3"]


class InputAudioPart(_Part, tag="input_audio", kw_only=True):
    input_audio: InputAudio
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class File(_Wire, kw_only=True):
    file_data: str | UnsetType = UNSET
    file_id: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET


class FilePart(_Part, tag="file", kw_only=True):
    file: File
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class RefusalPart(_Part, tag="refusal", kw_only=True):
    refusal: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class CompactionPart(_Part, tag="compaction", kw_only=True):
    """Extension (``compatible``): anthropic's beta ``compaction`` block, field for field."""

    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET
    tool_changes: list[dict[str, Any]] | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


class ToolReferencePart(_Part, tag="tool_reference", kw_only=True):
    """Extension (``compatible``): anthropic's ``tool_reference`` inside a tool result
    (Claude Code's tool search: the tool it found, by name)."""

    tool_name: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


UserPart = TextPart | ImageURLPart | InputAudioPart | FilePart
AssistantPart = TextPart | RefusalPart | CompactionPart
ToolPart = TextPart | ImageURLPart | InputAudioPart | FilePart | ToolReferencePart


# --- tool calls and reasoning -----------------------------------------------------------


class FunctionCall(_Wire, kw_only=True):
    name: str
    arguments: str


class _ToolCall(_Wire, tag_field="type", kw_only=True):
    id: str


class ToolCaller(_Wire, kw_only=True):
    """Extension (``compatible``): anthropic's ``tool_use.caller``."""

    type: str
    tool_id: str | UnsetType = UNSET


class FunctionToolCall(_ToolCall, tag="function", kw_only=True):
    function: FunctionCall
    cache_control: CacheControl | UnsetType | None = UNSET  # extension
    caller: ToolCaller | UnsetType | None = UNSET  # extension


class CustomCall(_Wire, kw_only=True):
    name: str
    input: str


class CustomToolCall(_ToolCall, tag="custom", kw_only=True):
    custom: CustomCall


ToolCall = FunctionToolCall | CustomToolCall


class _ReasoningDetail(_Wire, tag_field="type", kw_only=True):
    """OpenRouter's ``reasoning_details`` entries: ordered, each keeping its own proof."""

    id: str | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET
    index: int | UnsetType = UNSET


class ReasoningText(_ReasoningDetail, tag="reasoning.text", kw_only=True):
    text: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET


class ReasoningSummary(_ReasoningDetail, tag="reasoning.summary", kw_only=True):
    summary: str


class ReasoningEncrypted(_ReasoningDetail, tag="reasoning.encrypted", kw_only=True):
    data: str


ReasoningDetail = ReasoningText | ReasoningSummary | ReasoningEncrypted


class AudioRef(_Wire, kw_only=True):
    id: str


# --- messages ---------------------------------------------------------------------------


class _Message(_Wire, tag_field="role", kw_only=True):
    pass


class DeveloperMessage(_Message, tag="developer", kw_only=True):
    content: str | list[TextPart]
    name: str | UnsetType = UNSET


class SystemMessage(_Message, tag="system", kw_only=True):
    content: str | list[TextPart]
    name: str | UnsetType = UNSET


class UserMessage(_Message, tag="user", kw_only=True):
    content: str | list[UserPart]
    name: str | UnsetType = UNSET


class AssistantMessage(_Message, tag="assistant", kw_only=True):
    content: str | list[AssistantPart] | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    tool_calls: list[ToolCall] | UnsetType = UNSET
    function_call: FunctionCall | UnsetType | None = UNSET
    audio: AudioRef | UnsetType | None = UNSET
    name: str | UnsetType = UNSET
    reasoning_content: str | UnsetType | None = UNSET  # extension: DeepSeek, MiMo, Kimi
    reasoning: str | UnsetType | None = UNSET  # extension: vLLM, OpenRouter
    reasoning_details: list[ReasoningDetail] | UnsetType | None = UNSET  # extension: OpenRouter


class ToolMessage(_Message, tag="tool", kw_only=True):
    """Officially text only; the ``compatible`` form also carries images here."""

    content: str | list[ToolPart]
    tool_call_id: str
    is_error: bool | UnsetType = UNSET  # extension
    cache_control: CacheControl | UnsetType | None = UNSET  # extension


class FunctionMessage(_Message, tag="function", kw_only=True):
    content: str | None
    name: str


Message = (
    DeveloperMessage
    | SystemMessage
    | UserMessage
    | AssistantMessage
    | ToolMessage
    | FunctionMessage
)


# --- tools and tool choice --------------------------------------------------------------


class FunctionDefinition(_Wire, kw_only=True):
    name: str
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


class _Tool(_Wire, tag_field="type", kw_only=True):
    pass


class FunctionTool(_Tool, tag="function", kw_only=True):
    function: FunctionDefinition
    cache_control: CacheControl | UnsetType | None = UNSET  # extension
    # extensions (``compatible``): anthropic tool-definition fields, carried as they are
    defer_loading: bool | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType = UNSET
    eager_input_streaming: bool | UnsetType | None = UNSET
    input_examples: list[dict[str, Any]] | UnsetType = UNSET


class CustomToolDefinition(_Wire, kw_only=True):
    name: str
    description: str | UnsetType = UNSET
    format: dict[str, Any] | UnsetType = UNSET


class CustomTool(_Tool, tag="custom", kw_only=True):
    custom: CustomToolDefinition


Tool = FunctionTool | CustomTool


class _NamedChoice(_Wire, tag_field="type", kw_only=True):
    pass


class ChoiceName(_Wire, kw_only=True):
    name: str


class NamedToolChoice(_NamedChoice, tag="function", kw_only=True):
    function: ChoiceName


class NamedCustomToolChoice(_NamedChoice, tag="custom", kw_only=True):
    custom: ChoiceName


class AllowedTools(_Wire, kw_only=True):
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class AllowedToolsChoice(_NamedChoice, tag="allowed_tools", kw_only=True):
    allowed_tools: AllowedTools


ToolChoiceMode = Literal["none", "auto", "required"]
ToolChoice = ToolChoiceMode | NamedToolChoice | NamedCustomToolChoice | AllowedToolsChoice


class LegacyFunction(_Wire, kw_only=True):
    name: str
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET


# --- response format, streaming, odds and ends ------------------------------------------


class _ResponseFormat(_Wire, tag_field="type", kw_only=True):
    pass


class ResponseFormatText(_ResponseFormat, tag="text", kw_only=True):
    pass


class JSONSchema(_Wire, kw_only=True):
    name: str
    description: str | UnsetType = UNSET
    schema: dict[str, Any] | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


class ResponseFormatJSONSchema(_ResponseFormat, tag="json_schema", kw_only=True):
    json_schema: JSONSchema


class ResponseFormatJSONObject(_ResponseFormat, tag="json_object", kw_only=True):
    pass


ResponseFormat = ResponseFormatText | ResponseFormatJSONSchema | ResponseFormatJSONObject


class StreamOptions(_Wire, kw_only=True):
    include_usage: bool | UnsetType = UNSET
    include_obfuscation: bool | UnsetType = UNSET


class AudioParams(_Wire, kw_only=True):
    format: str
    voice: str | dict[str, Any]


class Prediction(_Wire, kw_only=True):
    type: Literal["content"]
    content: str | list[TextPart]


class PromptCacheOptions(_Wire, kw_only=True):
    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m"] | UnsetType = UNSET


ThinkingType = Literal["enabled", "disabled", "adaptive", "between_tools"]


class ThinkingSwitch(_Wire, kw_only=True):
    """Extension: ``thinking: {type}`` (MiMo, DeepSeek, Kimi, GLM). The ``compatible`` form
    also carries anthropic's ``budget_tokens`` and ``display`` here; ``display`` is any
    string, so that a value newer than the anthropic structs know (Claude Code's
    ``"updates"``) rides through and comes back as it was."""

    type: ThinkingType
    budget_tokens: int | UnsetType = UNSET
    display: str | UnsetType | None = UNSET


class ReasoningConfig(_Wire, kw_only=True):
    """Extension: OpenRouter's ``reasoning: {effort | max_tokens, enabled, exclude}``."""

    effort: str | UnsetType | None = UNSET
    max_tokens: int | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET
    exclude: bool | UnsetType | None = UNSET


ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


# --- the request ------------------------------------------------------------------------


class ChatCompletionRequest(_Wire, kw_only=True):
    """``POST /v1/chat/completions``."""

    model: str
    messages: list[Message]
    max_completion_tokens: int | UnsetType | None = UNSET
    max_tokens: int | UnsetType | None = UNSET
    stop: str | list[str] | UnsetType | None = UNSET
    stream: bool | UnsetType | None = UNSET
    stream_options: StreamOptions | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    top_p: float | UnsetType | None = UNSET
    user: str | UnsetType = UNSET
    tools: list[Tool] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    response_format: ResponseFormat | UnsetType = UNSET
    reasoning_effort: ReasoningEffort | UnsetType | None = UNSET
    # official fields without an anthropic twin
    n: int | UnsetType | None = UNSET
    logprobs: bool | UnsetType | None = UNSET
    top_logprobs: int | UnsetType | None = UNSET
    logit_bias: dict[str, int] | UnsetType | None = UNSET
    seed: int | UnsetType | None = UNSET
    frequency_penalty: float | UnsetType | None = UNSET
    presence_penalty: float | UnsetType | None = UNSET
    modalities: list[str] | UnsetType | None = UNSET
    audio: AudioParams | UnsetType | None = UNSET
    prediction: Prediction | UnsetType | None = UNSET
    web_search_options: dict[str, Any] | UnsetType = UNSET
    verbosity: Literal["low", "medium", "high"] | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    safety_identifier: str | UnsetType | None = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_options: PromptCacheOptions | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    functions: list[LegacyFunction] | UnsetType = UNSET
    function_call: Literal["none", "auto"] | ChoiceName | UnsetType = UNSET
    # provider extensions
    thinking: ThinkingSwitch | UnsetType = UNSET
    reasoning: ReasoningConfig | UnsetType = UNSET
    top_k: int | UnsetType | None = UNSET
    chat_template_kwargs: dict[str, Any] | UnsetType = UNSET


# --- responses --------------------------------------------------------------------------
# Fields a provider may leave out are optional here so that its responses decode; what we
# emit always has what the SDK requires.

FinishReason = str
"""stop, length, tool_calls, content_filter, function_call; kept open so that a provider's
own reason (MiMo's ``repetition_truncation``, vLLM's ``abort``) still decodes."""


class PromptTokensDetails(_Wire, kw_only=True):
    cached_tokens: int | UnsetType | None = UNSET
    cache_write_tokens: int | UnsetType | None = UNSET
    created_cache_tokens: int | UnsetType | None = UNSET  # extension: vLLM (cache writes)
    cache_creation_tokens: int | UnsetType | None = UNSET  # extension: proxies (cache writes)
    audio_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET
    text_tokens: int | UnsetType | None = UNSET


class CompletionTokensDetails(_Wire, kw_only=True):
    reasoning_tokens: int | UnsetType | None = UNSET
    accepted_prediction_tokens: int | UnsetType | None = UNSET
    rejected_prediction_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    text_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET  # extension: MiMo


class Usage(_Wire, kw_only=True):
    """``prompt_tokens`` INCLUDES cached tokens (``prompt_tokens_details.cached_tokens``)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int | UnsetType = UNSET  # required by the spec; some servers omit it
    prompt_tokens_details: PromptTokensDetails | UnsetType | None = UNSET
    completion_tokens_details: CompletionTokensDetails | UnsetType | None = UNSET
    prompt_cache_hit_tokens: int | UnsetType = UNSET  # extension: DeepSeek
    prompt_cache_miss_tokens: int | UnsetType = UNSET  # extension: DeepSeek
    cached_tokens: int | UnsetType = UNSET  # extension: Kimi
    cache_creation_tokens: int | UnsetType | None = UNSET  # extension: proxies (cache writes)
    cache_read_input_tokens: int | UnsetType | None = UNSET  # extension: proxies (anthropic's)
    cache_creation_input_tokens: int | UnsetType | None = UNSET  # extension: proxies


class URLCitation(_Wire, kw_only=True):
    url: str
    title: str | UnsetType | None = UNSET  # required by the spec; some servers omit it
    start_index: int | UnsetType = UNSET  # required by the spec; some servers omit both
    end_index: int | UnsetType = UNSET


class Annotation(_Wire, kw_only=True):
    type: str = "url_citation"  # OpenRouter also says ``file`` annotations (no url_citation)
    url_citation: URLCitation | UnsetType | None = UNSET
    file: dict[str, Any] | UnsetType | None = UNSET  # extension: OpenRouter


class ResponseMessage(_Wire, kw_only=True):
    role: Literal["assistant"] = "assistant"
    content: str | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    tool_calls: list[ToolCall] | UnsetType | None = UNSET
    annotations: list[Annotation] | UnsetType | None = UNSET
    audio: dict[str, Any] | UnsetType | None = UNSET
    function_call: FunctionCall | UnsetType | None = UNSET
    reasoning_content: str | UnsetType | None = UNSET  # extension: DeepSeek, MiMo, Kimi
    reasoning: str | UnsetType | None = UNSET  # extension: vLLM, OpenRouter
    reasoning_details: list[ReasoningDetail] | UnsetType | None = UNSET  # extension: OpenRouter


class Choice(_Wire, kw_only=True):
    index: int = 0
    message: ResponseMessage
    finish_reason: FinishReason | None = None
    logprobs: dict[str, Any] | UnsetType | None = UNSET
    native_finish_reason: str | UnsetType | None = UNSET  # extension: MiMo, OpenRouter
    stop_reason: str | int | UnsetType | None = (
        UNSET  # extension: vLLM, the matched stop string or token id
    )


class ChatCompletion(_Wire, kw_only=True):
    id: str | UnsetType = UNSET  # required by the spec; some servers omit it
    object: Literal["chat.completion"] = "chat.completion"
    created: int | UnsetType = UNSET  # likewise
    model: str
    choices: list[Choice]
    usage: Usage | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    system_fingerprint: str | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET


# --- stream chunks ----------------------------------------------------------------------


class DeltaFunction(_Wire, kw_only=True):
    name: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET


class DeltaToolCall(_Wire, kw_only=True):
    """One fragment of a tool call. ``index`` keys it; the first fragment of an index
    carries ``id`` and ``function.name``, later ones argument pieces only. Google's
    endpoint sends no ``index`` (a fragment then continues the open call or, with an id
    or a name, opens the next)."""

    index: int | UnsetType = UNSET
    id: str | UnsetType | None = UNSET
    type: Literal["function"] | UnsetType | None = UNSET
    function: DeltaFunction | UnsetType | None = UNSET


class ChunkDelta(_Wire, kw_only=True):
    role: str | UnsetType | None = UNSET
    content: str | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    tool_calls: list[DeltaToolCall] | UnsetType | None = UNSET
    function_call: DeltaFunction | UnsetType | None = UNSET
    audio: dict[str, Any] | UnsetType | None = UNSET
    annotations: list[Annotation] | UnsetType | None = UNSET  # extension: OpenRouter
    reasoning_content: str | UnsetType | None = UNSET  # extension: DeepSeek, MiMo, Kimi
    reasoning: str | UnsetType | None = UNSET  # extension: vLLM, OpenRouter
    reasoning_details: list[ReasoningDetail] | UnsetType | None = UNSET  # extension: OpenRouter


class ChunkChoice(_Wire, kw_only=True):
    index: int = 0
    delta: ChunkDelta
    finish_reason: FinishReason | UnsetType | None = UNSET
    logprobs: dict[str, Any] | UnsetType | None = UNSET
    native_finish_reason: str | UnsetType | None = UNSET  # extension: MiMo
    usage: Usage | UnsetType | None = UNSET  # extension: Kimi puts the final usage here
    stop_reason: int | str | UnsetType | None = (
        UNSET  # extension: vLLM (the stop string or token that matched)
    )


class ChatCompletionChunk(_Wire, kw_only=True):
    """One ``data:`` frame. The usage-only chunk has ``choices: []``."""

    id: str | UnsetType = UNSET  # required by the spec; Google's endpoint may omit it
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int | UnsetType = UNSET  # likewise
    model: str
    choices: list[ChunkChoice]
    usage: Usage | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    system_fingerprint: str | UnsetType | None = UNSET
    obfuscation: str | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    provider: str | UnsetType | None = UNSET  # extension: OpenRouter (the upstream that served it)


# --- errors -----------------------------------------------------------------------------


class ErrorObject(_Wire, kw_only=True):
    """MiMo puts the real reason in ``param`` and a string status in ``code``."""

    message: str
    type: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET
    code: str | int | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType | None = UNSET  # extension: OpenRouter


class ErrorBody(_Wire, kw_only=True):
    """``{"error": {...}}``: an error response body, or a mid-stream error chunk."""

    error: ErrorObject
