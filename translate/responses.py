"""The openai Responses dialect: ``POST /v1/responses`` payloads as msgspec structs.

The surface is the openai SDK's ``openai.types.responses`` (3.57): ``ResponseCreateParams``
with every input item type, the ``Response`` object, every stream event, and the error
shapes (an HTTP error is the Chat Completions ``{"error": {...}}`` body, ``translate.openai.
ErrorBody``; a failed response carries ``ResponseError``; a stream carries ``ErrorEvent``).

Declared like the two other dialects: absent and ``null`` stay distinct (``UNSET`` versus
``None``), every object forbids unknown fields (``_decode`` sets them aside and they become
carried fields or Losses), items, content parts, tools and events are tagged unions on
``type``. Two items may omit their tag on the wire (an input ``message`` and an
``item_reference``): the converters' decoder fills it in before decoding (``decode_input``).

Items whose inner shape nothing in the other dialects can carry (server tools: web search,
file search, computer use, code interpreter, image generation, MCP, shell, apply_patch,
tool search, compaction, programs) keep their nested payloads untyped (``Any``): they are
passed through or reported as a Loss as a whole. Enum-like fields are ``str`` where the API
adds values faster than SDKs (statuses, phases, service tiers, includes).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from . import openai as _openai


class _Wire(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Every Responses wire object: unknown fields are detected, never silently ignored."""


Status = str
"""in_progress, completed, incomplete (and searching, failed, ... on server tool items)."""


# --- content parts ------------------------------------------------------------------------


class _Part(_Wire, tag_field="type", kw_only=True):
    pass


class PromptCacheBreakpoint(_Wire, kw_only=True):
    mode: Literal["explicit"] = "explicit"
    ttl: str | UnsetType = UNSET


class InputText(_Part, tag="input_text", kw_only=True):
    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class InputImage(_Part, tag="input_image", kw_only=True):
    detail: str | UnsetType | None = UNSET
    """low, high, auto, original."""
    image_url: str | UnsetType | None = UNSET
    file_id: str | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class InputFile(_Part, tag="input_file", kw_only=True):
    file_data: str | UnsetType = UNSET
    file_id: str | UnsetType | None = UNSET
    file_url: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET
    detail: str | UnsetType = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType = UNSET


class InputAudioData(_Wire, kw_only=True):
    data: str
    format: str


class InputAudio(_Part, tag="input_audio", kw_only=True):
    input_audio: InputAudioData


class FileCitation(_Wire, tag_field="type", tag="file_citation", kw_only=True):
    file_id: str
    filename: str | UnsetType = UNSET
    index: int


class URLCitation(_Wire, tag_field="type", tag="url_citation", kw_only=True):
    url: str
    title: str
    start_index: int
    end_index: int


class ContainerFileCitation(_Wire, tag_field="type", tag="container_file_citation", kw_only=True):
    container_id: str
    file_id: str
    filename: str
    start_index: int
    end_index: int


class FilePath(_Wire, tag_field="type", tag="file_path", kw_only=True):
    file_id: str
    index: int


Annotation = FileCitation | URLCitation | ContainerFileCitation | FilePath


class OutputText(_Part, tag="output_text", kw_only=True):
    text: str
    annotations: list[Annotation] = msgspec.field(default_factory=list)
    logprobs: list[dict[str, Any]] | UnsetType | None = UNSET


class Refusal(_Part, tag="refusal", kw_only=True):
    refusal: str


class SummaryText(_Part, tag="summary_text", kw_only=True):
    text: str


class ReasoningText(_Part, tag="reasoning_text", kw_only=True):
    text: str


class Text(_Part, tag="text", kw_only=True):
    """A plain ``text`` part: older reasoning content and some server outputs."""

    text: str


InputPart = InputText | InputImage | InputFile | InputAudio
MessagePart = InputText | InputImage | InputFile | InputAudio | OutputText | Refusal
"""One list type for every message: input parts on user / system / developer turns, output
parts on assistant turns (the converters check which belongs where)."""
OutputPart = OutputText | Refusal
ToolOutputPart = InputText | InputImage | InputFile
ReasoningContent = ReasoningText | Text


# --- items --------------------------------------------------------------------------------


class _Item(_Wire, tag_field="type", kw_only=True):
    pass


class Message(_Item, tag="message", kw_only=True):
    """A message item: ``EasyInputMessage`` (string content, no id), an input message item,
    or an assistant output message (``output_text`` / ``refusal`` parts, id, status)."""

    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[MessagePart]
    id: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    phase: str | UnsetType | None = UNSET
    """commentary, final_answer (assistant messages of some models)."""


class Reasoning(_Item, tag="reasoning", kw_only=True):
    """Reasoning: ``summary`` (what the client is shown), ``content`` (raw reasoning text,
    open-weight models), ``encrypted_content`` (the opaque proof to send back)."""

    id: str | UnsetType = UNSET
    summary: list[SummaryText] = msgspec.field(default_factory=list)
    content: list[ReasoningContent] | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET


class Caller(_Wire, kw_only=True):
    type: str
    """direct, program."""
    caller_id: str | UnsetType = UNSET


class FunctionCall(_Item, tag="function_call", kw_only=True):
    call_id: str
    name: str
    arguments: str
    id: str | UnsetType | None = UNSET
    namespace: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET
    async_: bool | UnsetType | None = msgspec.field(default=UNSET, name="async")


class FunctionCallOutput(_Item, tag="function_call_output", kw_only=True):
    call_id: str
    output: str | list[ToolOutputPart]
    id: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    namespace: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET


class CustomToolCall(_Item, tag="custom_tool_call", kw_only=True):
    call_id: str
    name: str
    input: str
    id: str | UnsetType | None = UNSET
    namespace: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET
    async_: bool | UnsetType | None = msgspec.field(default=UNSET, name="async")


class CustomToolCallOutput(_Item, tag="custom_tool_call_output", kw_only=True):
    call_id: str
    output: str | list[ToolOutputPart]
    id: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    caller: Caller | UnsetType | None = UNSET


class WebSearchCall(_Item, tag="web_search_call", kw_only=True):
    id: str | UnsetType = UNSET
    status: Status | UnsetType | None = UNSET
    action: Any = UNSET


class FileSearchCall(_Item, tag="file_search_call", kw_only=True):
    id: str
    queries: list[str] = msgspec.field(default_factory=list)
    status: Status | UnsetType | None = UNSET
    results: Any = UNSET


class ComputerCall(_Item, tag="computer_call", kw_only=True):
    id: str
    call_id: str
    status: Status | UnsetType | None = UNSET
    pending_safety_checks: Any = UNSET
    action: Any = UNSET
    actions: Any = UNSET


class ComputerCallOutput(_Item, tag="computer_call_output", kw_only=True):
    call_id: str
    output: Any
    id: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET
    acknowledged_safety_checks: Any = UNSET


class ImageGenerationCall(_Item, tag="image_generation_call", kw_only=True):
    id: str
    result: str | None = None
    status: Status | UnsetType | None = UNSET
    action: Any = UNSET
    background: Any = UNSET
    error: Any = UNSET
    output_format: Any = UNSET
    quality: Any = UNSET
    revised_prompt: Any = UNSET
    size: Any = UNSET
    svg_usage: Any = UNSET


class CodeInterpreterCall(_Item, tag="code_interpreter_call", kw_only=True):
    id: str
    code: str | None = None
    container_id: str | UnsetType = UNSET
    outputs: Any = UNSET
    status: Status | UnsetType | None = UNSET


class LocalShellCall(_Item, tag="local_shell_call", kw_only=True):
    id: str | UnsetType | None = UNSET
    call_id: str | UnsetType | None = UNSET
    action: Any = UNSET
    status: Status | UnsetType | None = UNSET


class LocalShellCallOutput(_Item, tag="local_shell_call_output", kw_only=True):
    id: str | UnsetType | None = UNSET
    output: str
    status: Status | UnsetType | None = UNSET


class ShellCall(_Item, tag="shell_call", kw_only=True):
    call_id: str
    action: Any
    id: str | UnsetType | None = UNSET
    caller: Any = UNSET
    environment: Any = UNSET
    status: Status | UnsetType | None = UNSET


class ShellCallOutput(_Item, tag="shell_call_output", kw_only=True):
    call_id: str
    output: Any
    id: str | UnsetType | None = UNSET
    caller: Any = UNSET
    max_output_length: int | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET


class ApplyPatchCall(_Item, tag="apply_patch_call", kw_only=True):
    call_id: str
    operation: Any
    status: Status | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    caller: Any = UNSET


class ApplyPatchCallOutput(_Item, tag="apply_patch_call_output", kw_only=True):
    call_id: str
    status: Status | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    caller: Any = UNSET
    output: str | UnsetType | None = UNSET


class McpListTools(_Item, tag="mcp_list_tools", kw_only=True):
    id: str
    server_label: str
    tools: Any
    error: str | UnsetType | None = UNSET


class McpApprovalRequest(_Item, tag="mcp_approval_request", kw_only=True):
    id: str
    arguments: str
    name: str
    server_label: str


class McpApprovalResponse(_Item, tag="mcp_approval_response", kw_only=True):
    approval_request_id: str
    approve: bool
    id: str | UnsetType | None = UNSET
    reason: str | UnsetType | None = UNSET
    request_id: str | UnsetType | None = UNSET


class McpCall(_Item, tag="mcp_call", kw_only=True):
    id: str
    arguments: str
    name: str
    server_label: str
    approval_request_id: str | UnsetType | None = UNSET
    error: Any = UNSET
    output: str | UnsetType | None = UNSET
    status: Status | UnsetType | None = UNSET


class ToolSearchCall(_Item, tag="tool_search_call", kw_only=True):
    arguments: Any
    id: str | UnsetType | None = UNSET
    call_id: str | UnsetType | None = UNSET
    execution: str | UnsetType = UNSET
    status: Status | UnsetType | None = UNSET


class ToolSearchOutput(_Item, tag="tool_search_output", kw_only=True):
    tools: list[Any]
    id: str | UnsetType | None = UNSET
    call_id: str | UnsetType | None = UNSET
    execution: str | UnsetType = UNSET
    status: Status | UnsetType | None = UNSET


class AdditionalTools(_Item, tag="additional_tools", kw_only=True):
    """Tools offered part-way through the input, as a developer item (Codex code mode)."""

    role: Literal["developer"] = "developer"
    tools: list[Tool]
    id: str | UnsetType | None = UNSET


class ConfigurationUpdate(_Item, tag="configuration_update", kw_only=True):
    id: str | UnsetType | None = UNSET
    reasoning: Any = UNSET
    text: Any = UNSET


class Compaction(_Item, tag="compaction", kw_only=True):
    encrypted_content: str
    id: str | UnsetType | None = UNSET
    created_by: str | UnsetType | None = UNSET


class CompactionTrigger(_Item, tag="compaction_trigger", kw_only=True):
    id: str | UnsetType | None = UNSET


class ItemReference(_Item, tag="item_reference", kw_only=True):
    id: str


class Program(_Item, tag="program", kw_only=True):
    id: str
    call_id: str
    code: str
    fingerprint: str


class ProgramOutput(_Item, tag="program_output", kw_only=True):
    id: str
    call_id: str
    result: str
    status: Status | UnsetType | None = UNSET


Item = (
    Message
    | Reasoning
    | FunctionCall
    | FunctionCallOutput
    | CustomToolCall
    | CustomToolCallOutput
    | WebSearchCall
    | FileSearchCall
    | ComputerCall
    | ComputerCallOutput
    | ImageGenerationCall
    | CodeInterpreterCall
    | LocalShellCall
    | LocalShellCallOutput
    | ShellCall
    | ShellCallOutput
    | ApplyPatchCall
    | ApplyPatchCallOutput
    | McpListTools
    | McpApprovalRequest
    | McpApprovalResponse
    | McpCall
    | ToolSearchCall
    | ToolSearchOutput
    | AdditionalTools
    | ConfigurationUpdate
    | Compaction
    | CompactionTrigger
    | ItemReference
    | Program
    | ProgramOutput
)
"""Every input item, and every output item (``Response.output``): the same shapes."""

SERVER_ITEMS: tuple[type, ...] = (
    WebSearchCall,
    FileSearchCall,
    ComputerCall,
    ComputerCallOutput,
    ImageGenerationCall,
    CodeInterpreterCall,
    LocalShellCall,
    LocalShellCallOutput,
    ShellCall,
    ShellCallOutput,
    ApplyPatchCall,
    ApplyPatchCallOutput,
    McpListTools,
    McpApprovalRequest,
    McpApprovalResponse,
    McpCall,
    ToolSearchCall,
    ToolSearchOutput,
    ConfigurationUpdate,
    Compaction,
    CompactionTrigger,
    ItemReference,
    Program,
    ProgramOutput,
)
"""Items of hosted tools and server-side state: no twin in the other dialects."""


# --- tools --------------------------------------------------------------------------------


class _Tool(_Wire, tag_field="type", kw_only=True):
    pass


class FunctionTool(_Tool, tag="function", kw_only=True):
    name: str
    parameters: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    output_schema: dict[str, Any] | UnsetType | None = UNSET
    async_: bool | UnsetType = msgspec.field(default=UNSET, name="async")


class CustomTool(_Tool, tag="custom", kw_only=True):
    """A free-form tool; ``format`` is ``{type: text}`` or ``{type: grammar, syntax:
    lark | regex, definition}``."""

    name: str
    description: str | UnsetType = UNSET
    format: dict[str, Any] | UnsetType = UNSET
    defer_loading: bool | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    async_: bool | UnsetType = msgspec.field(default=UNSET, name="async")


NamespaceMember = FunctionTool | CustomTool


class NamespaceTool(_Tool, tag="namespace", kw_only=True):
    """A named group of function and custom tools; calls name their ``namespace``."""

    name: str
    description: str | UnsetType = UNSET
    tools: list[NamespaceMember]


class WebSearchTool(_Tool, tag="web_search", kw_only=True):
    external_web_access: bool | UnsetType = UNSET
    filters: Any = UNSET
    search_context_size: str | UnsetType = UNSET
    user_location: Any = UNSET


class WebSearchTool20250826(_Tool, tag="web_search_2025_08_26", kw_only=True):
    external_web_access: bool | UnsetType = UNSET
    filters: Any = UNSET
    search_context_size: str | UnsetType = UNSET
    user_location: Any = UNSET


class WebSearchPreviewTool(_Tool, tag="web_search_preview", kw_only=True):
    search_content_types: Any = UNSET
    search_context_size: str | UnsetType = UNSET
    user_location: Any = UNSET


class WebSearchPreviewTool20250311(_Tool, tag="web_search_preview_2025_03_11", kw_only=True):
    search_content_types: Any = UNSET
    search_context_size: str | UnsetType = UNSET
    user_location: Any = UNSET


class FileSearchTool(_Tool, tag="file_search", kw_only=True):
    vector_store_ids: list[str]
    filters: Any = UNSET
    max_num_results: int | UnsetType = UNSET
    ranking_options: Any = UNSET


class ComputerTool(_Tool, tag="computer", kw_only=True):
    pass


class ComputerUsePreviewTool(_Tool, tag="computer_use_preview", kw_only=True):
    display_height: int
    display_width: int
    environment: str


class McpTool(_Tool, tag="mcp", kw_only=True):
    server_label: str
    allowed_callers: Any = UNSET
    allowed_tools: Any = UNSET
    authorization: str | UnsetType = UNSET
    connector_id: str | UnsetType = UNSET
    defer_loading: bool | UnsetType = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    require_approval: Any = UNSET
    server_description: str | UnsetType = UNSET
    server_url: str | UnsetType = UNSET
    tunnel_id: str | UnsetType = UNSET


class CodeInterpreterTool(_Tool, tag="code_interpreter", kw_only=True):
    container: Any
    allowed_callers: Any = UNSET


class ProgrammaticToolCallingTool(_Tool, tag="programmatic_tool_calling", kw_only=True):
    pass


class ImageGenerationTool(_Tool, tag="image_generation", kw_only=True):
    action: Any = UNSET
    background: Any = UNSET
    complexity: Any = UNSET
    frame_count: Any = UNSET
    frame_duration_ms: Any = UNSET
    input_fidelity: Any = UNSET
    input_image_mask: Any = UNSET
    model: Any = UNSET
    moderation: Any = UNSET
    output_compression: Any = UNSET
    output_format: Any = UNSET
    partial_images: Any = UNSET
    quality: Any = UNSET
    size: Any = UNSET
    svg: Any = UNSET


class LocalShellTool(_Tool, tag="local_shell", kw_only=True):
    pass


class ShellTool(_Tool, tag="shell", kw_only=True):
    allowed_callers: Any = UNSET
    environment: Any = UNSET


class ToolSearchTool(_Tool, tag="tool_search", kw_only=True):
    description: str | UnsetType | None = UNSET
    execution: str | UnsetType = UNSET
    parameters: Any = UNSET


class ApplyPatchTool(_Tool, tag="apply_patch", kw_only=True):
    allowed_callers: Any = UNSET


Tool = (
    FunctionTool
    | CustomTool
    | NamespaceTool
    | WebSearchTool
    | WebSearchTool20250826
    | WebSearchPreviewTool
    | WebSearchPreviewTool20250311
    | FileSearchTool
    | ComputerTool
    | ComputerUsePreviewTool
    | McpTool
    | CodeInterpreterTool
    | ProgrammaticToolCallingTool
    | ImageGenerationTool
    | LocalShellTool
    | ShellTool
    | ToolSearchTool
    | ApplyPatchTool
)


# --- tool choice --------------------------------------------------------------------------


class _Choice(_Wire, tag_field="type", kw_only=True):
    pass


class FunctionChoice(_Choice, tag="function", kw_only=True):
    name: str


class CustomChoice(_Choice, tag="custom", kw_only=True):
    name: str


class AllowedToolsChoice(_Choice, tag="allowed_tools", kw_only=True):
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class McpChoice(_Choice, tag="mcp", kw_only=True):
    server_label: str
    name: str | UnsetType | None = UNSET


class ShellChoice(_Choice, tag="shell", kw_only=True):
    pass


class ApplyPatchChoice(_Choice, tag="apply_patch", kw_only=True):
    pass


class ProgrammaticChoice(_Choice, tag="programmatic_tool_calling", kw_only=True):
    pass


class FileSearchChoice(_Choice, tag="file_search", kw_only=True):
    pass


class WebSearchChoice(_Choice, tag="web_search", kw_only=True):
    pass


class WebSearchPreviewChoice(_Choice, tag="web_search_preview", kw_only=True):
    pass


class WebSearchPreview20250311Choice(_Choice, tag="web_search_preview_2025_03_11", kw_only=True):
    pass


class ComputerChoice(_Choice, tag="computer", kw_only=True):
    pass


class ComputerUsePreviewChoice(_Choice, tag="computer_use_preview", kw_only=True):
    pass


class ImageGenerationChoice(_Choice, tag="image_generation", kw_only=True):
    pass


class CodeInterpreterChoice(_Choice, tag="code_interpreter", kw_only=True):
    pass


HOSTED_CHOICES: tuple[type, ...] = (
    McpChoice,
    ShellChoice,
    ApplyPatchChoice,
    ProgrammaticChoice,
    FileSearchChoice,
    WebSearchChoice,
    WebSearchPreviewChoice,
    WebSearchPreview20250311Choice,
    ComputerChoice,
    ComputerUsePreviewChoice,
    ImageGenerationChoice,
    CodeInterpreterChoice,
)

ToolChoice = (
    Literal["none", "auto", "required"]
    | FunctionChoice
    | CustomChoice
    | AllowedToolsChoice
    | McpChoice
    | ShellChoice
    | ApplyPatchChoice
    | ProgrammaticChoice
    | FileSearchChoice
    | WebSearchChoice
    | WebSearchPreviewChoice
    | WebSearchPreview20250311Choice
    | ComputerChoice
    | ComputerUsePreviewChoice
    | ImageGenerationChoice
    | CodeInterpreterChoice
)


# --- request configuration ----------------------------------------------------------------


class ReasoningConfig(_Wire, kw_only=True):
    """``reasoning: {effort, summary}``; ``generate_summary`` is the deprecated spelling."""

    effort: str | UnsetType | None = UNSET
    """none, minimal, low, medium, high, xhigh (open: new levels arrive first)."""
    summary: str | UnsetType | None = UNSET
    """auto, concise, detailed."""
    generate_summary: str | UnsetType | None = UNSET


class _Format(_Wire, tag_field="type", kw_only=True):
    pass


class FormatText(_Format, tag="text", kw_only=True):
    pass


class FormatJSONObject(_Format, tag="json_object", kw_only=True):
    pass


class FormatJSONSchema(_Format, tag="json_schema", kw_only=True):
    name: str
    schema: dict[str, Any]
    description: str | UnsetType = UNSET
    strict: bool | UnsetType | None = UNSET


TextFormat = FormatText | FormatJSONObject | FormatJSONSchema


class TextConfig(_Wire, kw_only=True):
    format: TextFormat | UnsetType = UNSET
    verbosity: str | UnsetType | None = UNSET
    """low, medium, high."""


class StreamOptions(_Wire, kw_only=True):
    include_obfuscation: bool | UnsetType = UNSET


class Conversation(_Wire, kw_only=True):
    id: str


class Prompt(_Wire, kw_only=True):
    id: str
    variables: dict[str, Any] | UnsetType | None = UNSET
    version: str | UnsetType | None = UNSET


class PromptCacheOptions(_Wire, kw_only=True):
    comparison_response_id: str | UnsetType | None = UNSET
    mode: str | UnsetType = UNSET
    prewarm: bool | UnsetType = UNSET
    ttl: str | UnsetType = UNSET


class ResponseCreateParams(_Wire, kw_only=True):
    """``POST /v1/responses``."""

    model: str | UnsetType = UNSET
    input: str | list[Item] | UnsetType = UNSET
    instructions: str | UnsetType | None = UNSET
    max_output_tokens: int | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    top_p: float | UnsetType | None = UNSET
    top_logprobs: int | UnsetType | None = UNSET
    stream: bool | UnsetType | None = UNSET
    stream_options: StreamOptions | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    max_tool_calls: int | UnsetType | None = UNSET
    reasoning: ReasoningConfig | UnsetType | None = UNSET
    text: TextConfig | UnsetType = UNSET
    include: list[str] | UnsetType | None = UNSET
    """reasoning.encrypted_content, message.output_text.logprobs, ... (open)."""
    store: bool | UnsetType | None = UNSET
    previous_response_id: str | UnsetType | None = UNSET
    conversation: str | Conversation | UnsetType | None = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_retention: str | UnsetType | None = UNSET
    prompt_cache_options: PromptCacheOptions | UnsetType = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    user: str | UnsetType = UNSET
    safety_identifier: str | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    truncation: str | UnsetType | None = UNSET
    background: bool | UnsetType | None = UNSET
    background_options: dict[str, Any] | UnsetType = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    context_management: list[dict[str, Any]] | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    image: dict[str, Any] | UnsetType = UNSET
    access_programs: dict[str, Any] | UnsetType = UNSET


# --- the response object ------------------------------------------------------------------


class InputTokensDetails(_Wire, kw_only=True):
    cached_tokens: int = 0
    cache_write_tokens: int | UnsetType | None = UNSET


class OutputTokensDetails(_Wire, kw_only=True):
    reasoning_tokens: int = 0


class ResponseUsage(_Wire, kw_only=True):
    """``input_tokens`` INCLUDES cached tokens, as Chat's ``prompt_tokens`` does."""

    input_tokens: int
    input_tokens_details: InputTokensDetails = msgspec.field(default_factory=InputTokensDetails)
    output_tokens: int
    output_tokens_details: OutputTokensDetails = msgspec.field(default_factory=OutputTokensDetails)
    total_tokens: int


class IncompleteDetails(_Wire, kw_only=True):
    reason: str | UnsetType | None = UNSET
    """max_output_tokens, content_filter."""


class ResponseError(_Wire, kw_only=True):
    """The ``error`` of a failed response (``status: "failed"``)."""

    code: str
    message: str
    param: str | UnsetType | None = UNSET
    type: str | UnsetType | None = UNSET
    misalignment: dict[str, Any] | UnsetType | None = UNSET


class Response(_Wire, kw_only=True):
    """The ``Response`` object: the body of a non-streamed answer, and the ``response`` of
    ``response.created`` / ``in_progress`` / ``completed`` / ``failed`` / ``incomplete``."""

    id: str
    object: Literal["response"] = "response"
    created_at: float
    model: str
    output: list[Item]
    status: str | UnsetType | None = UNSET
    """completed, failed, in_progress, cancelled, queued, incomplete."""
    error: ResponseError | None = None
    incomplete_details: IncompleteDetails | None = None
    instructions: str | list[Item] | None = None
    metadata: dict[str, str] | None = None
    parallel_tool_calls: bool = True
    temperature: float | None = None
    top_p: float | None = None
    tool_choice: ToolChoice = "auto"
    tools: list[Tool] = msgspec.field(default_factory=list)
    usage: ResponseUsage | UnsetType | None = UNSET
    completed_at: float | UnsetType | None = UNSET
    background: bool | UnsetType | None = UNSET
    conversation: Conversation | UnsetType | None = UNSET
    max_output_tokens: int | UnsetType | None = UNSET
    max_tool_calls: int | UnsetType | None = UNSET
    previous_response_id: str | UnsetType | None = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_retention: str | UnsetType | None = UNSET
    prompt_cache_options: dict[str, Any] | UnsetType | None = UNSET
    prompt_cache_diagnostics: dict[str, Any] | UnsetType | None = UNSET
    reasoning: ReasoningConfig | UnsetType | None = UNSET
    safety_identifier: str | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET
    text: TextConfig | UnsetType | None = UNSET
    top_logprobs: int | UnsetType | None = UNSET
    truncation: str | UnsetType | None = UNSET
    user: str | UnsetType | None = UNSET
    tool_usage: dict[str, Any] | UnsetType | None = UNSET
    access_programs: dict[str, Any] | UnsetType | None = UNSET
    image: dict[str, Any] | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    input_transformations: list[dict[str, Any]] | UnsetType | None = UNSET


# --- stream events ------------------------------------------------------------------------


class _Event(_Wire, tag_field="type", kw_only=True):
    sequence_number: int = 0


class _ItemEvent(_Event, kw_only=True):
    item_id: str
    output_index: int


class _ResponseEvent(_Event, kw_only=True):
    response: Response


class ResponseCreatedEvent(_ResponseEvent, tag="response.created", kw_only=True):
    pass


class ResponseInProgressEvent(_ResponseEvent, tag="response.in_progress", kw_only=True):
    pass


class ResponseQueuedEvent(_ResponseEvent, tag="response.queued", kw_only=True):
    pass


class ResponseCompletedEvent(_ResponseEvent, tag="response.completed", kw_only=True):
    pass


class ResponseFailedEvent(_ResponseEvent, tag="response.failed", kw_only=True):
    pass


class ResponseIncompleteEvent(_ResponseEvent, tag="response.incomplete", kw_only=True):
    pass


class OutputItemAddedEvent(_Event, tag="response.output_item.added", kw_only=True):
    item: Item
    output_index: int


class OutputItemDoneEvent(_Event, tag="response.output_item.done", kw_only=True):
    item: Item
    output_index: int


class ContentPartAddedEvent(_ItemEvent, tag="response.content_part.added", kw_only=True):
    content_index: int
    part: OutputText | Refusal | ReasoningText


class ContentPartDoneEvent(_ItemEvent, tag="response.content_part.done", kw_only=True):
    content_index: int
    part: OutputText | Refusal | ReasoningText


class Logprob(_Wire, kw_only=True):
    token: str
    logprob: float
    bytes: list[int] | UnsetType | None = UNSET
    top_logprobs: list[dict[str, Any]] | UnsetType | None = UNSET


class OutputTextDeltaEvent(_ItemEvent, tag="response.output_text.delta", kw_only=True):
    content_index: int
    delta: str
    logprobs: list[Logprob] = msgspec.field(default_factory=list)
    obfuscation: str | UnsetType = UNSET


class OutputTextDoneEvent(_ItemEvent, tag="response.output_text.done", kw_only=True):
    content_index: int
    text: str
    logprobs: list[Logprob] = msgspec.field(default_factory=list)


class OutputTextAnnotationAddedEvent(
    _ItemEvent, tag="response.output_text.annotation.added", kw_only=True
):
    content_index: int
    annotation_index: int
    annotation: dict[str, Any] | None = None


class RefusalDeltaEvent(_ItemEvent, tag="response.refusal.delta", kw_only=True):
    content_index: int
    delta: str


class RefusalDoneEvent(_ItemEvent, tag="response.refusal.done", kw_only=True):
    content_index: int
    refusal: str


class FunctionCallArgumentsDeltaEvent(
    _ItemEvent, tag="response.function_call_arguments.delta", kw_only=True
):
    delta: str
    obfuscation: str | UnsetType = UNSET


class FunctionCallArgumentsDoneEvent(
    _ItemEvent, tag="response.function_call_arguments.done", kw_only=True
):
    arguments: str
    name: str | UnsetType = UNSET


class CustomToolCallInputDeltaEvent(
    _ItemEvent, tag="response.custom_tool_call_input.delta", kw_only=True
):
    delta: str
    obfuscation: str | UnsetType = UNSET


class CustomToolCallInputDoneEvent(
    _ItemEvent, tag="response.custom_tool_call_input.done", kw_only=True
):
    input: str


class ReasoningSummaryPartAddedEvent(
    _ItemEvent, tag="response.reasoning_summary_part.added", kw_only=True
):
    summary_index: int
    part: SummaryText


class ReasoningSummaryPartDoneEvent(
    _ItemEvent, tag="response.reasoning_summary_part.done", kw_only=True
):
    summary_index: int
    part: SummaryText
    status: str | UnsetType | None = UNSET


class ReasoningSummaryTextDeltaEvent(
    _ItemEvent, tag="response.reasoning_summary_text.delta", kw_only=True
):
    summary_index: int
    delta: str
    obfuscation: str | UnsetType = UNSET


class ReasoningSummaryTextDoneEvent(
    _ItemEvent, tag="response.reasoning_summary_text.done", kw_only=True
):
    summary_index: int
    text: str


class ReasoningTextDeltaEvent(_ItemEvent, tag="response.reasoning_text.delta", kw_only=True):
    content_index: int
    delta: str
    obfuscation: str | UnsetType = UNSET


class ReasoningTextDoneEvent(_ItemEvent, tag="response.reasoning_text.done", kw_only=True):
    content_index: int
    text: str


class AudioDeltaEvent(_Event, tag="response.audio.delta", kw_only=True):
    delta: str


class AudioDoneEvent(_Event, tag="response.audio.done", kw_only=True):
    pass


class AudioTranscriptDeltaEvent(_Event, tag="response.audio.transcript.delta", kw_only=True):
    delta: str


class AudioTranscriptDoneEvent(_Event, tag="response.audio.transcript.done", kw_only=True):
    pass


class CodeInterpreterCodeDeltaEvent(
    _ItemEvent, tag="response.code_interpreter_call_code.delta", kw_only=True
):
    delta: str


class CodeInterpreterCodeDoneEvent(
    _ItemEvent, tag="response.code_interpreter_call_code.done", kw_only=True
):
    code: str


class CodeInterpreterCompletedEvent(
    _ItemEvent, tag="response.code_interpreter_call.completed", kw_only=True
):
    pass


class CodeInterpreterInProgressEvent(
    _ItemEvent, tag="response.code_interpreter_call.in_progress", kw_only=True
):
    pass


class CodeInterpreterInterpretingEvent(
    _ItemEvent, tag="response.code_interpreter_call.interpreting", kw_only=True
):
    pass


class CompactionCompactingEvent(_ItemEvent, tag="response.compaction.compacting", kw_only=True):
    pass


class FileSearchCompletedEvent(_ItemEvent, tag="response.file_search_call.completed", kw_only=True):
    pass


class FileSearchInProgressEvent(
    _ItemEvent, tag="response.file_search_call.in_progress", kw_only=True
):
    pass


class FileSearchSearchingEvent(_ItemEvent, tag="response.file_search_call.searching", kw_only=True):
    pass


class WebSearchCompletedEvent(_ItemEvent, tag="response.web_search_call.completed", kw_only=True):
    pass


class WebSearchInProgressEvent(
    _ItemEvent, tag="response.web_search_call.in_progress", kw_only=True
):
    pass


class WebSearchSearchingEvent(_ItemEvent, tag="response.web_search_call.searching", kw_only=True):
    pass


class ImageGenCompletedEvent(
    _ItemEvent, tag="response.image_generation_call.completed", kw_only=True
):
    pass


class ImageGenGeneratingEvent(
    _ItemEvent, tag="response.image_generation_call.generating", kw_only=True
):
    pass


class ImageGenInProgressEvent(
    _ItemEvent, tag="response.image_generation_call.in_progress", kw_only=True
):
    pass


class ImageGenPartialImageEvent(
    _ItemEvent, tag="response.image_generation_call.partial_image", kw_only=True
):
    partial_image_b64: str
    partial_image_index: int
    background: str | UnsetType | None = UNSET
    output_format: str | UnsetType | None = UNSET
    quality: str | UnsetType | None = UNSET
    size: str | UnsetType | None = UNSET


class McpCallArgumentsDeltaEvent(_ItemEvent, tag="response.mcp_call_arguments.delta", kw_only=True):
    delta: str


class McpCallArgumentsDoneEvent(_ItemEvent, tag="response.mcp_call_arguments.done", kw_only=True):
    arguments: str


class McpCallCompletedEvent(_ItemEvent, tag="response.mcp_call.completed", kw_only=True):
    pass


class McpCallFailedEvent(_ItemEvent, tag="response.mcp_call.failed", kw_only=True):
    pass


class McpCallInProgressEvent(_ItemEvent, tag="response.mcp_call.in_progress", kw_only=True):
    pass


class McpListToolsCompletedEvent(_ItemEvent, tag="response.mcp_list_tools.completed", kw_only=True):
    pass


class McpListToolsFailedEvent(_ItemEvent, tag="response.mcp_list_tools.failed", kw_only=True):
    pass


class McpListToolsInProgressEvent(
    _ItemEvent, tag="response.mcp_list_tools.in_progress", kw_only=True
):
    pass


class ShellCommandAddedEvent(_Event, tag="response.shell_call_command.added", kw_only=True):
    command: str
    command_index: int
    output_index: int


class ShellCommandDeltaEvent(_Event, tag="response.shell_call_command.delta", kw_only=True):
    command_index: int
    delta: str
    output_index: int
    obfuscation: str | UnsetType | None = UNSET


class ShellCommandDoneEvent(_Event, tag="response.shell_call_command.done", kw_only=True):
    command: str
    command_index: int
    output_index: int


class ShellOutputContentDeltaEvent(
    _ItemEvent, tag="response.shell_call_output_content.delta", kw_only=True
):
    command_index: int
    delta: Any


class ShellOutputContentDoneEvent(
    _ItemEvent, tag="response.shell_call_output_content.done", kw_only=True
):
    command_index: int
    output: list[Any]


class ErrorEvent(_Event, tag="error", kw_only=True):
    """A mid-stream error (Codex ignores these; it needs ``response.failed``)."""

    message: str
    code: str | None = None
    param: str | None = None


StreamEvent = (
    ResponseCreatedEvent
    | ResponseInProgressEvent
    | ResponseQueuedEvent
    | ResponseCompletedEvent
    | ResponseFailedEvent
    | ResponseIncompleteEvent
    | OutputItemAddedEvent
    | OutputItemDoneEvent
    | ContentPartAddedEvent
    | ContentPartDoneEvent
    | OutputTextDeltaEvent
    | OutputTextDoneEvent
    | OutputTextAnnotationAddedEvent
    | RefusalDeltaEvent
    | RefusalDoneEvent
    | FunctionCallArgumentsDeltaEvent
    | FunctionCallArgumentsDoneEvent
    | CustomToolCallInputDeltaEvent
    | CustomToolCallInputDoneEvent
    | ReasoningSummaryPartAddedEvent
    | ReasoningSummaryPartDoneEvent
    | ReasoningSummaryTextDeltaEvent
    | ReasoningSummaryTextDoneEvent
    | ReasoningTextDeltaEvent
    | ReasoningTextDoneEvent
    | AudioDeltaEvent
    | AudioDoneEvent
    | AudioTranscriptDeltaEvent
    | AudioTranscriptDoneEvent
    | CodeInterpreterCodeDeltaEvent
    | CodeInterpreterCodeDoneEvent
    | CodeInterpreterCompletedEvent
    | CodeInterpreterInProgressEvent
    | CodeInterpreterInterpretingEvent
    | CompactionCompactingEvent
    | FileSearchCompletedEvent
    | FileSearchInProgressEvent
    | FileSearchSearchingEvent
    | WebSearchCompletedEvent
    | WebSearchInProgressEvent
    | WebSearchSearchingEvent
    | ImageGenCompletedEvent
    | ImageGenGeneratingEvent
    | ImageGenInProgressEvent
    | ImageGenPartialImageEvent
    | McpCallArgumentsDeltaEvent
    | McpCallArgumentsDoneEvent
    | McpCallCompletedEvent
    | McpCallFailedEvent
    | McpCallInProgressEvent
    | McpListToolsCompletedEvent
    | McpListToolsFailedEvent
    | McpListToolsInProgressEvent
    | ShellCommandAddedEvent
    | ShellCommandDeltaEvent
    | ShellCommandDoneEvent
    | ShellOutputContentDeltaEvent
    | ShellOutputContentDoneEvent
    | ErrorEvent
)
"""The data of one SSE frame of a Responses stream (its ``event:`` line repeats ``type``)."""


# --- errors -------------------------------------------------------------------------------
# An HTTP error of /v1/responses is the Chat Completions body: ``translate.openai.ErrorBody``
# ``{"error": {message, type, param, code}}``. A failed response has ``ResponseError``; a
# stream has ``ErrorEvent`` (or ``response.failed``).

ErrorBody = _openai.ErrorBody
ErrorObject = _openai.ErrorObject
