"""Turns of `POST /v1/messages` requests and the blocks that only occur in history: tool results, server tool
blocks, tool changes, compaction (spec/schemas/MessagesRequest.json; `MessageParam` of the anthropic SDK, GA and beta)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._common import UNSET, Request, UnsetType
from reference_server._wire._messages_blocks import (
    BrowserStateBlock,
    DocumentBlock,
    FallbackBlock,
    ImageBlock,
    PlainDocumentBlock,
    PlainToolReferenceBlock,
    RedactedThinkingBlock,
    SearchResultBlock,
    SystemTextBlock,
    TextBlock,
    ThinkingBlock,
    ToolCaller,
    ToolReferenceBlock,
    ToolUseBlock,
)
from reference_server._wire._messages_server_tools import MCPToolParam, ToolUnion
from reference_server._wire._messages_tools import CacheControl

__all__ = [
    "AdvisorRedactedResultBlock",
    "AdvisorResultBlock",
    "AdvisorToolResultBlock",
    "AdvisorToolResultError",
    "AssistantTurn",
    "BashCodeExecutionOutputBlock",
    "BashCodeExecutionResultBlock",
    "BashCodeExecutionToolResultBlock",
    "BashCodeExecutionToolResultError",
    "CodeExecutionOutputBlock",
    "CodeExecutionResultBlock",
    "CodeExecutionToolResultBlock",
    "CodeExecutionToolResultError",
    "CompactionBlock",
    "ContainerUploadBlock",
    "ContentBlock",
    "EncryptedCodeExecutionResultBlock",
    "InputMessage",
    "MCPToolListingBlock",
    "MCPToolUseBlock",
    "RequestMCPToolResultBlock",
    "RequestToolAdditionBlock",
    "RequestToolRemovalBlock",
    "ServerToolUseBlock",
    "SystemMessageOutputConfig",
    "SystemTurn",
    "TextEditorCodeExecutionCreateResultBlock",
    "TextEditorCodeExecutionStrReplaceResultBlock",
    "TextEditorCodeExecutionToolResultBlock",
    "TextEditorCodeExecutionToolResultError",
    "TextEditorCodeExecutionViewResultBlock",
    "ToolChangeMCPToolReference",
    "ToolChangeMCPToolsetReference",
    "ToolChangeTarget",
    "ToolChangeToolDefinition",
    "ToolChangeToolReference",
    "ToolResultBlock",
    "ToolResultContentBlock",
    "ToolSearchToolResultBlock",
    "ToolSearchToolResultError",
    "ToolSearchToolSearchResultBlock",
    "UserTurn",
    "WebFetchBlock",
    "WebFetchToolResultBlock",
    "WebFetchToolResultErrorBlock",
    "WebSearchResultBlock",
    "WebSearchToolRequestErrorObject",
    "WebSearchToolResultBlock",
]


class UserTurn(Request, tag_field="role", tag="user", kw_only=True):
    """A user turn; its last text is the goal the planner plans toward."""

    content: str | Annotated[list[ContentBlock], msgspec.Meta(min_length=1)]


class AssistantTurn(Request, tag_field="role", tag="assistant", kw_only=True):
    """A previous answer. `tool_result` blocks belong in user turns (D-MSG-6)."""

    content: str | Annotated[list[ContentBlock], msgspec.Meta(min_length=1)]


class SystemTurn(Request, tag_field="role", tag="system", kw_only=True):
    """A system turn inside `messages`: more state, read like the top-level `system`."""

    content: str | list[TextBlock | RequestToolAdditionBlock | RequestToolRemovalBlock] | UnsetType = UNSET
    clear_at: Literal["next_user_message", "never"] | UnsetType | None = UNSET
    output_config: SystemMessageOutputConfig | UnsetType | None = UNSET


class ToolResultBlock(Request, tag_field="type", tag="tool_result", kw_only=True):
    """The result of an earlier `tool_use`, linked by `tool_use_id`."""

    tool_use_id: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]+$")]
    cache_control: CacheControl | UnsetType | None = UNSET
    content: str | list[ToolResultContentBlock] | UnsetType = UNSET
    is_error: bool | UnsetType = UNSET
    toolset_name: str | UnsetType | None = UNSET


class ServerToolUseBlock(Request, tag_field="type", tag="server_tool_use", kw_only=True):
    id: str
    input: dict[str, Any]
    name: Literal[
        "web_search",
        "web_fetch",
        "code_execution",
        "bash_code_execution",
        "text_editor_code_execution",
        "tool_search_tool_regex",
        "tool_search_tool_bm25",
        "advisor",
    ]
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: ToolCaller | UnsetType = UNSET


class WebSearchResultBlock(Request, kw_only=True):
    type: Literal["web_search_result"]
    encrypted_content: str
    title: str
    url: str
    page_age: str | UnsetType | None = UNSET


class WebSearchToolRequestErrorObject(Request, kw_only=True):
    type: Literal["web_search_tool_result_error"]
    error_code: Literal[
        "invalid_tool_input",
        "unavailable",
        "max_uses_exceeded",
        "too_many_requests",
        "query_too_long",
        "request_too_large",
    ]


class WebSearchToolResultBlock(Request, tag_field="type", tag="web_search_tool_result", kw_only=True):
    content: list[WebSearchResultBlock] | WebSearchToolRequestErrorObject
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: ToolCaller | UnsetType = UNSET


class WebFetchToolResultErrorBlock(
    Request, tag_field="type", tag="web_fetch_tool_result_error", kw_only=True
):
    error_code: Literal[
        "invalid_tool_input",
        "url_too_long",
        "url_not_allowed",
        "url_not_in_prior_context",
        "url_not_accessible",
        "unsupported_content_type",
        "too_many_requests",
        "max_uses_exceeded",
        "unavailable",
        "content_too_large",
    ]


class WebFetchBlock(Request, tag_field="type", tag="web_fetch_result", kw_only=True):
    content: PlainDocumentBlock
    url: str
    retrieved_at: str | UnsetType | None = UNSET


class WebFetchToolResultBlock(Request, tag_field="type", tag="web_fetch_tool_result", kw_only=True):
    content: WebFetchToolResultErrorBlock | WebFetchBlock
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: ToolCaller | UnsetType = UNSET


class CodeExecutionToolResultError(
    Request, tag_field="type", tag="code_execution_tool_result_error", kw_only=True
):
    error_code: Literal["invalid_tool_input", "unavailable", "too_many_requests", "execution_time_exceeded"]


class CodeExecutionOutputBlock(Request, kw_only=True):
    type: Literal["code_execution_output"]
    file_id: str


class CodeExecutionResultBlock(Request, tag_field="type", tag="code_execution_result", kw_only=True):
    content: list[CodeExecutionOutputBlock]
    return_code: int
    stderr: str
    stdout: str


class EncryptedCodeExecutionResultBlock(
    Request, tag_field="type", tag="encrypted_code_execution_result", kw_only=True
):
    """The output and exit code of Python code that Claude ran with the code execution tool, with standard output in encrypted form, sent back in a later request."""

    content: list[CodeExecutionOutputBlock]
    encrypted_stdout: str
    return_code: int
    stderr: str


class CodeExecutionToolResultBlock(Request, tag_field="type", tag="code_execution_tool_result", kw_only=True):
    content: CodeExecutionToolResultError | CodeExecutionResultBlock | EncryptedCodeExecutionResultBlock
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class BashCodeExecutionToolResultError(
    Request, tag_field="type", tag="bash_code_execution_tool_result_error", kw_only=True
):
    error_code: Literal[
        "invalid_tool_input",
        "unavailable",
        "too_many_requests",
        "execution_time_exceeded",
        "output_file_too_large",
    ]


class BashCodeExecutionOutputBlock(Request, kw_only=True):
    type: Literal["bash_code_execution_output"]
    file_id: str


class BashCodeExecutionResultBlock(Request, tag_field="type", tag="bash_code_execution_result", kw_only=True):
    content: list[BashCodeExecutionOutputBlock]
    return_code: int
    stderr: str
    stdout: str


class BashCodeExecutionToolResultBlock(
    Request, tag_field="type", tag="bash_code_execution_tool_result", kw_only=True
):
    content: BashCodeExecutionToolResultError | BashCodeExecutionResultBlock
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class TextEditorCodeExecutionToolResultError(
    Request, tag_field="type", tag="text_editor_code_execution_tool_result_error", kw_only=True
):
    error_code: Literal[
        "invalid_tool_input", "unavailable", "too_many_requests", "execution_time_exceeded", "file_not_found"
    ]
    error_message: str | UnsetType | None = UNSET


class TextEditorCodeExecutionViewResultBlock(
    Request, tag_field="type", tag="text_editor_code_execution_view_result", kw_only=True
):
    content: str
    file_type: Literal["text", "image", "pdf"]
    num_lines: int | UnsetType | None = UNSET
    start_line: int | UnsetType | None = UNSET
    total_lines: int | UnsetType | None = UNSET


class TextEditorCodeExecutionCreateResultBlock(
    Request, tag_field="type", tag="text_editor_code_execution_create_result", kw_only=True
):
    is_file_update: bool


class TextEditorCodeExecutionStrReplaceResultBlock(
    Request, tag_field="type", tag="text_editor_code_execution_str_replace_result", kw_only=True
):
    lines: list[str] | UnsetType | None = UNSET
    new_lines: int | UnsetType | None = UNSET
    new_start: int | UnsetType | None = UNSET
    old_lines: int | UnsetType | None = UNSET
    old_start: int | UnsetType | None = UNSET


class TextEditorCodeExecutionToolResultBlock(
    Request, tag_field="type", tag="text_editor_code_execution_tool_result", kw_only=True
):
    content: (
        TextEditorCodeExecutionToolResultError
        | TextEditorCodeExecutionViewResultBlock
        | TextEditorCodeExecutionCreateResultBlock
        | TextEditorCodeExecutionStrReplaceResultBlock
    )
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class ToolSearchToolResultError(Request, tag_field="type", tag="tool_search_tool_result_error", kw_only=True):
    error_code: Literal["invalid_tool_input", "unavailable", "too_many_requests", "execution_time_exceeded"]
    error_message: str | UnsetType | None = UNSET


class ToolSearchToolSearchResultBlock(
    Request, tag_field="type", tag="tool_search_tool_search_result", kw_only=True
):
    tool_references: list[PlainToolReferenceBlock]


class ToolSearchToolResultBlock(Request, tag_field="type", tag="tool_search_tool_result", kw_only=True):
    content: ToolSearchToolResultError | ToolSearchToolSearchResultBlock
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class ContainerUploadBlock(Request, tag_field="type", tag="container_upload", kw_only=True):
    """A content block that represents a file to be uploaded to the container Files uploaded via this block will be available in the container"s input directory."""

    file_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class AdvisorToolResultError(Request, tag_field="type", tag="advisor_tool_result_error", kw_only=True):
    error_code: Literal[
        "max_uses_exceeded",
        "prompt_too_long",
        "too_many_requests",
        "overloaded",
        "unavailable",
        "execution_time_exceeded",
        "model_not_found",
    ]


class AdvisorResultBlock(Request, tag_field="type", tag="advisor_result", kw_only=True):
    text: str
    stop_reason: str | UnsetType | None = UNSET


class AdvisorRedactedResultBlock(Request, tag_field="type", tag="advisor_redacted_result", kw_only=True):
    encrypted_content: str
    stop_reason: str | UnsetType | None = UNSET


class AdvisorToolResultBlock(Request, tag_field="type", tag="advisor_tool_result", kw_only=True):
    content: AdvisorToolResultError | AdvisorResultBlock | AdvisorRedactedResultBlock
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET


class MCPToolUseBlock(Request, tag_field="type", tag="mcp_tool_use", kw_only=True):
    id: str
    input: dict[str, Any]
    name: str
    server_name: str
    cache_control: CacheControl | UnsetType | None = UNSET


class RequestMCPToolResultBlock(Request, tag_field="type", tag="mcp_tool_result", kw_only=True):
    tool_use_id: str
    cache_control: CacheControl | UnsetType | None = UNSET
    content: str | list[SystemTextBlock] | UnsetType = UNSET
    is_error: bool | UnsetType = UNSET


class ToolChangeToolReference(Request, tag_field="type", tag="tool_reference", kw_only=True):
    """Reference to a single tool, by the name the model uses to call it: a tool declared in ``tools`` or defined by an earlier ``tool_addition`` block."""

    name: str


class ToolChangeMCPToolReference(Request, tag_field="type", tag="mcp_tool_reference", kw_only=True):
    """Reference to a single MCP tool by its server and remote name; the same ``server_name``/``name`` pair ``mcp_tool_use`` carries."""

    name: str
    server_name: str


class ToolChangeMCPToolsetReference(Request, tag_field="type", tag="mcp_toolset_reference", kw_only=True):
    """Reference to every tool in the named MCP server"s toolset."""

    server_name: str


class ToolChangeToolDefinition(Request, tag_field="type", tag="tool_definition", kw_only=True):
    """A tool defined by value: `definition` is a `tools` entry (any kind `tools` accepts, an MCP toolset included)."""

    definition: ToolUnion


class RequestToolAdditionBlock(Request, tag_field="type", tag="tool_addition", kw_only=True):
    """Mid-conversation directive to make a tool available."""

    tool: ToolChangeTarget
    cache_control: CacheControl | UnsetType | None = UNSET


class RequestToolRemovalBlock(Request, tag_field="type", tag="tool_removal", kw_only=True):
    """Mid-conversation directive to withdraw a tool."""

    tool: ToolChangeToolReference | ToolChangeMCPToolReference | ToolChangeMCPToolsetReference
    cache_control: CacheControl | UnsetType | None = UNSET


class CompactionBlock(Request, tag_field="type", tag="compaction", kw_only=True):
    """A compaction block containing summary of previous context."""

    cache_control: CacheControl | UnsetType | None = UNSET
    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET
    tool_changes: list[RequestToolAdditionBlock | RequestToolRemovalBlock] | UnsetType | None = UNSET


class MCPToolListingBlock(Request, tag_field="type", tag="mcp_tool_listing", kw_only=True):
    """The tool listing an MCP server returned while an earlier response was produced, as that response carried it."""

    mcp_server_name: str
    tools: list[MCPToolParam]


class SystemMessageOutputConfig(Request, kw_only=True):
    """Per-message output configuration on a role:"system" input message."""

    effort: Literal["low", "medium", "high", "xhigh", "max"] | UnsetType | None = UNSET


InputMessage = UserTurn | AssistantTurn | SystemTurn
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
    | AdvisorToolResultBlock
    | MCPToolUseBlock
    | RequestMCPToolResultBlock
    | CompactionBlock
    | RequestToolAdditionBlock
    | RequestToolRemovalBlock
    | MCPToolListingBlock
    | FallbackBlock
)
ToolResultContentBlock = (
    TextBlock | ImageBlock | SearchResultBlock | DocumentBlock | ToolReferenceBlock | BrowserStateBlock
)
ToolChangeTarget = (
    ToolChangeToolReference
    | ToolChangeMCPToolReference
    | ToolChangeMCPToolsetReference
    | ToolChangeToolDefinition
)
