"""The anthropic dialect: Messages API payloads as msgspec structs.

One struct per wire object, declared once and used to decode, encode and generate
``schemas/``. The surface is the anthropic SDK's ``MessageCreateParams`` (2.14, API
``2026-10-21``) plus what API ``2023-06-01`` adds back (``temperature``, ``top_p``,
``top_k``). Absent and ``null`` stay distinct: an absent field is ``UNSET`` and is
omitted on encode; ``None`` is encoded as ``null``.

Content blocks are tagged unions on ``type`` and messages on ``role``, so an unknown
block type or role fails decoding at its JSON path. Server-tool result blocks keep
their ``content`` untyped (``Any``): nothing in the openai dialect can carry them,
so their inner shape is only ever passed through or reported as a Loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType


class _Wire(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Every anthropic wire object: unknown fields are detected, never silently ignored."""


class _Block(_Wire, tag_field="type", kw_only=True):
    """A content block, tagged by its ``type``."""


# --- small shared objects ---------------------------------------------------------------


CacheTTL = Literal["5m", "1h"]


class CacheControl(_Wire, kw_only=True):
    """``cache_control: {type: "ephemeral", ttl?: "5m" | "1h"}``."""

    type: Literal["ephemeral"] = "ephemeral"
    ttl: CacheTTL | UnsetType = UNSET


class CitationsConfig(_Wire, kw_only=True):
    enabled: bool | UnsetType = UNSET


class _Citation(_Wire, tag_field="type", kw_only=True):
    cited_text: str


class CharLocation(_Citation, tag="char_location", kw_only=True):
    document_index: int
    document_title: str | UnsetType | None = UNSET  # optional in the SDK: servers omit it
    start_char_index: int
    end_char_index: int
    file_id: str | UnsetType | None = UNSET


class PageLocation(_Citation, tag="page_location", kw_only=True):
    document_index: int
    document_title: str | UnsetType | None = UNSET
    start_page_number: int
    end_page_number: int
    file_id: str | UnsetType | None = UNSET


class ContentBlockLocation(_Citation, tag="content_block_location", kw_only=True):
    document_index: int
    document_title: str | UnsetType | None = UNSET
    start_block_index: int
    end_block_index: int
    file_id: str | UnsetType | None = UNSET


class WebSearchResultLocation(_Citation, tag="web_search_result_location", kw_only=True):
    url: str
    title: str | UnsetType | None = UNSET  # optional in the SDK: servers omit it
    encrypted_index: str


class SearchResultLocation(_Citation, tag="search_result_location", kw_only=True):
    source: str
    title: str | UnsetType | None = UNSET
    search_result_index: int
    start_block_index: int
    end_block_index: int


Citation = (
    CharLocation
    | PageLocation
    | ContentBlockLocation
    | WebSearchResultLocation
    | SearchResultLocation
)


# --- sources ----------------------------------------------------------------------------


class _Source(_Wire, tag_field="type", kw_only=True):
    pass


ImageMediaType = Literal["image/jpeg", "image/png", "image/gif", "image/webp"]


class Base64ImageSource(_Source, tag="base64", kw_only=True):
    media_type: ImageMediaType
    data: str


class URLSource(_Source, tag="url", kw_only=True):
    url: str


class FileSource(_Source, tag="file", kw_only=True):
    file_id: str


class Base64PDFSource(_Source, tag="base64", kw_only=True):
    media_type: Literal["application/pdf"]
    data: str


class PlainTextSource(_Source, tag="text", kw_only=True):
    media_type: Literal["text/plain"]
    data: str


class ContentSource(_Source, tag="content", kw_only=True):
    content: str | list[TextBlock | ImageBlock]


ImageSource = Base64ImageSource | URLSource | FileSource
DocumentSource = Base64PDFSource | PlainTextSource | ContentSource | URLSource | FileSource


# --- content blocks ---------------------------------------------------------------------


class TextBlock(_Block, tag="text", kw_only=True):
    text: str
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: list[Citation] | UnsetType | None = UNSET


class ImageTransformations(_Wire, kw_only=True):
    oversized_image: Literal["downsize", "error"] | UnsetType = UNSET


class ImageBlock(_Block, tag="image", kw_only=True):
    source: ImageSource
    cache_control: CacheControl | UnsetType | None = UNSET
    transformations: ImageTransformations | UnsetType | None = UNSET


class DocumentBlock(_Block, tag="document", kw_only=True):
    source: DocumentSource
    title: str | UnsetType | None = UNSET
    context: str | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


class SearchResultBlock(_Block, tag="search_result", kw_only=True):
    source: str
    title: str
    content: list[TextBlock]
    citations: CitationsConfig | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


class OpenAIDetail(_Wire, kw_only=True):
    """Extension (``compatible``): what an openai ``reasoning_details`` entry said beside
    the text, signature or data its thinking block holds (OpenRouter's entries; the
    Responses API's reasoning items through Chat): its ``id``, ``format`` and ``index``."""

    id: str | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET
    index: int | UnsetType = UNSET


class OpenAIThinkingDetail(OpenAIDetail, kw_only=True):
    """:class:`OpenAIDetail` of a thinking block, which may also have been a summary, or a
    text without a signature (``signature: null``: the block's ``""`` stands for none,
    not for an empty one)."""

    type: Literal["reasoning.summary"] | UnsetType = UNSET
    signature: UnsetType | None = UNSET


class ThinkingBlock(_Block, tag="thinking", kw_only=True):
    """Reasoning text. ``signature`` is the provider's proof that it wrote the text:
    real Anthropic verifies it on replay; ``""`` means unsigned (MiMo, translated)."""

    thinking: str
    signature: str = ""  # DeepSeek's /anthropic starts a streamed block without one
    openai_detail: OpenAIThinkingDetail | UnsetType = UNSET
    """Extension (``compatible``): see :class:`OpenAIDetail`."""


class RedactedThinkingBlock(_Block, tag="redacted_thinking", kw_only=True):
    data: str
    openai_detail: OpenAIDetail | UnsetType = UNSET
    """Extension (``compatible``): see :class:`OpenAIDetail`."""


class Caller(_Wire, kw_only=True):
    """Who called a tool: ``direct`` or a code-execution server tool (``tool_id``)."""

    type: str
    tool_id: str | UnsetType = UNSET


class NoInput(dict[str, Any]):
    """The ``input`` of a ``tool_use`` block that came without one: empty, and marked so
    that a converter can say the empty object was its invention (a Loss)."""

    __slots__ = ()


class ToolUseBlock(_Block, tag="tool_use", kw_only=True):
    id: str
    name: str
    # Required by the SDK, omitted by some servers for a call without arguments.
    input: dict[str, Any] = msgspec.field(default_factory=NoInput)
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET
    toolset_name: str | UnsetType | None = UNSET


class ToolReferenceBlock(_Block, tag="tool_reference", kw_only=True):
    tool_name: str
    cache_control: CacheControl | UnsetType | None = UNSET


class BrowserStateBlock(_Block, tag="browser_state", kw_only=True):
    tabs: list[dict[str, Any]]
    state_changes: list[dict[str, Any]] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


ToolResultContent = (
    TextBlock
    | ImageBlock
    | SearchResultBlock
    | DocumentBlock
    | ToolReferenceBlock
    | BrowserStateBlock
)


class ToolResultBlock(_Block, tag="tool_result", kw_only=True):
    tool_use_id: str
    # ``content: null`` (a tool that returned nothing) is read as no content: the decoder
    # accepts it and ``__post_init__`` makes it ``UNSET``, so readers never see ``None``.
    if TYPE_CHECKING:
        content: str | list[ToolResultContent] | UnsetType = UNSET
    else:
        content: str | list[ToolResultContent] | UnsetType | None = UNSET
    is_error: bool | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    toolset_name: str | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        if self.content is None:
            self.content = UNSET


class ServerToolUseBlock(_Block, tag="server_tool_use", kw_only=True):
    id: str
    name: str
    input: dict[str, Any]
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET


class _ServerToolResult(_Block, kw_only=True):
    """Results of Anthropic-run tools. Only Anthropic can read them back."""

    tool_use_id: str
    content: Any
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET


class WebSearchToolResultBlock(_ServerToolResult, tag="web_search_tool_result", kw_only=True):
    pass


class WebFetchToolResultBlock(_ServerToolResult, tag="web_fetch_tool_result", kw_only=True):
    pass


class CodeExecutionToolResultBlock(
    _ServerToolResult, tag="code_execution_tool_result", kw_only=True
):
    pass


class BashCodeExecutionToolResultBlock(
    _ServerToolResult, tag="bash_code_execution_tool_result", kw_only=True
):
    pass


class TextEditorCodeExecutionToolResultBlock(
    _ServerToolResult, tag="text_editor_code_execution_tool_result", kw_only=True
):
    pass


class ToolSearchToolResultBlock(_ServerToolResult, tag="tool_search_tool_result", kw_only=True):
    pass


class CompactionBlock(_Block, tag="compaction", kw_only=True):
    """Beta: the summary the server wrote when it compacted the context, to be sent back
    verbatim (``content: null`` is a failed compaction, a no-op). Source: anthropic SDK
    2.14 ``types/beta/beta_compaction_block_param.py``; Claude Code replays it."""

    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET
    tool_changes: list[dict[str, Any]] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET


class ContainerUploadBlock(_Block, tag="container_upload", kw_only=True):
    file_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


ContentBlock = (
    TextBlock
    | ImageBlock
    | DocumentBlock
    | SearchResultBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
    | ServerToolUseBlock
    | WebSearchToolResultBlock
    | WebFetchToolResultBlock
    | CodeExecutionToolResultBlock
    | BashCodeExecutionToolResultBlock
    | TextEditorCodeExecutionToolResultBlock
    | ToolSearchToolResultBlock
    | ContainerUploadBlock
    | CompactionBlock
)

SERVER_BLOCKS = (
    ServerToolUseBlock,
    _ServerToolResult,
    ContainerUploadBlock,
)


# --- messages ---------------------------------------------------------------------------


class _Message(_Wire, tag_field="role", kw_only=True):
    pass


class UserMessage(_Message, tag="user", kw_only=True):
    content: str | list[ContentBlock]


class AssistantMessage(_Message, tag="assistant", kw_only=True):
    content: str | list[ContentBlock]


class SystemMessage(_Message, tag="system", kw_only=True):
    """API ``2026-10-21``: a system message inside ``messages``, wherever it stands."""

    content: str | list[TextBlock]
    openai_role: Literal["developer"] | UnsetType = UNSET
    """Extension (``compatible``): the openai message was a ``developer`` one."""


Message = UserMessage | AssistantMessage | SystemMessage


# --- tools, tool choice, thinking -------------------------------------------------------


class Tool(_Wire, kw_only=True):
    """A tool definition. Client tools have ``input_schema`` and ``type`` absent or
    ``"custom"``; server tools (``web_search_20250305``, ``bash_20250124``, ...) carry
    their own ``type`` and options. One struct covers both because a client tool's
    ``type`` is optional and so cannot be a union tag."""

    name: str | UnsetType = UNSET
    type: str | UnsetType | None = UNSET
    description: str | UnsetType = UNSET
    input_schema: dict[str, Any] | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    defer_loading: bool | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType = UNSET
    eager_input_streaming: bool | UnsetType | None = UNSET
    input_examples: list[dict[str, Any]] | UnsetType = UNSET
    # server-tool options
    max_uses: Any = UNSET
    allowed_domains: Any = UNSET
    blocked_domains: Any = UNSET
    user_location: Any = UNSET
    citations: Any = UNSET
    max_content_tokens: Any = UNSET
    url_sources: Any = UNSET
    use_cache: Any = UNSET
    response_inclusion: Any = UNSET
    max_characters: Any = UNSET
    configs: Any = UNSET


class _ToolChoice(_Wire, tag_field="type", kw_only=True):
    pass


class ToolChoiceAuto(_ToolChoice, tag="auto", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class ToolChoiceAny(_ToolChoice, tag="any", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class ToolChoiceTool(_ToolChoice, tag="tool", kw_only=True):
    name: str
    disable_parallel_tool_use: bool | UnsetType = UNSET


class ToolChoiceNone(_ToolChoice, tag="none", kw_only=True):
    pass


ToolChoice = ToolChoiceAuto | ToolChoiceAny | ToolChoiceTool | ToolChoiceNone


class _Thinking(_Wire, tag_field="type", kw_only=True):
    pass


ThinkingDisplay = Literal["summarized", "omitted"]


class ThinkingEnabled(_Thinking, tag="enabled", kw_only=True):
    budget_tokens: int
    display: ThinkingDisplay | UnsetType | None = UNSET


class ThinkingDisabled(_Thinking, tag="disabled", kw_only=True):
    pass


class ThinkingAdaptive(_Thinking, tag="adaptive", kw_only=True):
    display: ThinkingDisplay | UnsetType | None = UNSET


class ThinkingBetweenTools(_Thinking, tag="between_tools", kw_only=True):
    pass


ThinkingConfig = ThinkingEnabled | ThinkingDisabled | ThinkingAdaptive | ThinkingBetweenTools


class JSONOutputFormat(_Wire, kw_only=True):
    type: Literal["json_schema"]
    schema: dict[str, Any]


Effort = Literal["low", "medium", "high", "xhigh", "max"]


class OutputConfig(_Wire, kw_only=True):
    effort: Effort | UnsetType | None = UNSET
    format: JSONOutputFormat | UnsetType | None = UNSET


class Metadata(_Wire, kw_only=True):
    user_id: str | UnsetType | None = UNSET


class Skill(_Wire, kw_only=True):
    skill_id: str
    type: Literal["anthropic", "custom"]
    version: str | UnsetType = UNSET


class Container(_Wire, kw_only=True):
    id: str | UnsetType | None = UNSET
    skills: list[Skill] | UnsetType | None = UNSET


ServiceTier = Literal["auto", "standard_only"]


class Diagnostics(_Wire, kw_only=True):
    previous_message_id: str | UnsetType | None = UNSET


# --- the request ------------------------------------------------------------------------


class MessagesRequest(_Wire, kw_only=True):
    """``POST /v1/messages``: both API versions (``temperature``, ``top_p``, ``top_k`` are
    ``2023-06-01`` only; ``output_config`` and system messages are ``2026-10-21``)."""

    model: str
    messages: list[Message]
    max_tokens: int
    system: str | list[TextBlock] | UnsetType = UNSET
    stop_sequences: list[str] | UnsetType = UNSET
    stream: bool | UnsetType = UNSET
    temperature: float | UnsetType = UNSET
    top_p: float | UnsetType = UNSET
    top_k: int | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET
    thinking: ThinkingConfig | UnsetType = UNSET
    output_config: OutputConfig | UnsetType = UNSET
    tools: list[Tool] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    container: Container | str | UnsetType | None = UNSET
    diagnostics: Diagnostics | UnsetType | None = UNSET
    inference_geo: str | UnsetType | None = UNSET
    service_tier: ServiceTier | UnsetType = UNSET
    speed: Literal["standard", "fast"] | UnsetType | None = UNSET
    user_profile_id: str | UnsetType = UNSET
    workspace_id: str | UnsetType = UNSET


# --- responses --------------------------------------------------------------------------
# Response content blocks are the request blocks above (a response never sets
# ``cache_control``). Fields a provider may leave out are optional here so that its
# responses decode; what we emit always has what the SDK requires.

StopReason = str
"""end_turn, max_tokens, stop_sequence, tool_use, pause_turn, refusal,
model_context_window_exceeded; kept open so a newer reason still decodes."""


class CacheCreation(_Wire, kw_only=True):
    ephemeral_5m_input_tokens: int | UnsetType = UNSET
    ephemeral_1h_input_tokens: int | UnsetType = UNSET


class ServerToolUsage(_Wire, kw_only=True):
    web_search_requests: int | UnsetType = UNSET
    web_fetch_requests: int | UnsetType = UNSET


class OutputTokensDetails(_Wire, kw_only=True):
    thinking_tokens: int


class Usage(_Wire, kw_only=True):
    """``input_tokens`` EXCLUDES cache reads and writes; the three add up to the prompt."""

    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int | UnsetType | None = UNSET
    cache_read_input_tokens: int | UnsetType | None = UNSET
    cache_creation: CacheCreation | UnsetType | None = UNSET
    server_tool_use: ServerToolUsage | UnsetType | None = UNSET
    output_tokens_details: OutputTokensDetails | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    inference_geo: str | UnsetType | None = UNSET
    speed: str | UnsetType | None = UNSET


class MessageResponse(_Wire, kw_only=True):
    """A ``Message``: the body of a non-streaming ``/v1/messages`` response."""

    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    model: str
    content: list[ContentBlock]
    stop_reason: StopReason | UnsetType | None = UNSET
    stop_sequence: str | UnsetType | None = UNSET
    usage: Usage | UnsetType = UNSET
    stop_details: dict[str, Any] | UnsetType | None = UNSET
    container: dict[str, Any] | UnsetType | None = UNSET
    diagnostics: dict[str, Any] | UnsetType | None = UNSET


# --- errors -----------------------------------------------------------------------------


class ErrorObject(_Wire, kw_only=True):
    """``error.type``: invalid_request_error, authentication_error, billing_error,
    permission_error, not_found_error, request_too_large, rate_limit_error, api_error,
    timeout_error, overloaded_error (open: a newer type still decodes)."""

    type: str
    message: str
    details: Any = UNSET


class ErrorResponse(_Wire, kw_only=True):
    type: Literal["error"] = "error"
    error: ErrorObject
    request_id: str | UnsetType | None = UNSET


# --- stream events ----------------------------------------------------------------------


class _Delta(_Wire, tag_field="type", kw_only=True):
    pass


class TextDelta(_Delta, tag="text_delta", kw_only=True):
    text: str


class InputJSONDelta(_Delta, tag="input_json_delta", kw_only=True):
    partial_json: str


class ThinkingDelta(_Delta, tag="thinking_delta", kw_only=True):
    thinking: str


class SignatureDelta(_Delta, tag="signature_delta", kw_only=True):
    signature: str


class CitationsDelta(_Delta, tag="citations_delta", kw_only=True):
    citation: Citation


class CompactionDelta(_Delta, tag="compaction_delta", kw_only=True):
    """Beta: a compaction block's summary, streamed."""

    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET


Delta = (
    TextDelta | InputJSONDelta | ThinkingDelta | SignatureDelta | CitationsDelta | CompactionDelta
)


class MessageDelta(_Wire, kw_only=True):
    stop_reason: StopReason | UnsetType | None = UNSET
    stop_sequence: str | UnsetType | None = UNSET
    stop_details: dict[str, Any] | UnsetType | None = UNSET
    container: dict[str, Any] | UnsetType | None = UNSET


class MessageDeltaUsage(_Wire, kw_only=True):
    """Cumulative: each ``message_delta`` restates the totals so far."""

    output_tokens: int
    input_tokens: int | UnsetType | None = UNSET
    cache_creation_input_tokens: int | UnsetType | None = UNSET
    cache_read_input_tokens: int | UnsetType | None = UNSET
    server_tool_use: ServerToolUsage | UnsetType | None = UNSET
    output_tokens_details: OutputTokensDetails | UnsetType | None = UNSET


class _Event(_Wire, tag_field="type", kw_only=True):
    pass


class MessageStartEvent(_Event, tag="message_start", kw_only=True):
    message: MessageResponse


class ContentBlockStartEvent(_Event, tag="content_block_start", kw_only=True):
    index: int
    content_block: ContentBlock


class ContentBlockDeltaEvent(_Event, tag="content_block_delta", kw_only=True):
    index: int
    delta: Delta


class ContentBlockStopEvent(_Event, tag="content_block_stop", kw_only=True):
    index: int


class MessageDeltaEvent(_Event, tag="message_delta", kw_only=True):
    delta: MessageDelta
    usage: MessageDeltaUsage | UnsetType = UNSET


class MessageStopEvent(_Event, tag="message_stop", kw_only=True):
    pass


class PingEvent(_Event, tag="ping", kw_only=True):
    pass


class ErrorEvent(_Event, tag="error", kw_only=True):
    error: ErrorObject
    request_id: str | UnsetType | None = UNSET


StreamEvent = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageDeltaEvent
    | MessageStopEvent
    | PingEvent
    | ErrorEvent
)
