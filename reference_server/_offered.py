"""Request features a Stratus deployment does not offer, answered as the real API answers a model or an
organisation without them (D-SURF-2 for the OpenAI dialect, D-SURF-4 for Anthropic's).

The fields are in the spec (they are part of the official SDKs' create params), so they decode; this
module is the one place that refuses what needs a service Stratus does not run offline: web search and
web fetch, code execution and its containers, MCP connectors, tool search, the advisor, stored files,
audio output, moderation, server-held threads and server-side compaction. The dialect decoders call
it after the rules the Structs cannot express; what the cross-dialect translation of upstream execution
cannot carry is refused where the provider request is built (`_upstream_request`).
"""

from __future__ import annotations

from typing import Any

import msgspec

from reference_server._errors import ApiError
from reference_server._wire import _messages_history as hist
from reference_server._wire import _messages_server_tools as srv
from reference_server._wire._chat_request import (
    AssistantMessage,
    ChatCompletionRequest,
    FilePart,
    UserMessage,
)
from reference_server._wire._messages_blocks import DocumentBlock, FileSource, ImageBlock, ToolUseBlock
from reference_server._wire._messages_request import Compact20260112Edit, CountTokensRequest, MessagesRequest

__all__ = [
    "SERVER_BLOCKS",
    "SERVER_TOOLS",
    "check_chat_offered",
    "check_messages_offered",
]

UNSET = msgspec.UNSET

SERVER_TOOLS: tuple[type[Any], ...] = (
    srv.WebSearchTool20250305,
    srv.WebSearchTool20260209,
    srv.WebSearchTool20260318,
    srv.WebFetchTool20250910,
    srv.WebFetchTool20260209,
    srv.WebFetchTool20260309,
    srv.WebFetchTool20260318,
    srv.CodeExecutionTool20250522,
    srv.CodeExecutionTool20250825,
    srv.CodeExecutionTool20260120,
    srv.CodeExecutionTool20260521,
    srv.ToolSearchToolBm25_20251119,
    srv.ToolSearchToolBm25,
    srv.ToolSearchToolRegex20251119,
    srv.ToolSearchToolRegex,
    srv.AdvisorTool20260301,
    srv.MCPToolset,
)
"""Tools Anthropic runs on its own servers; a Stratus deployment has none of them."""

SERVER_BLOCKS: tuple[type[Any], ...] = (
    hist.ServerToolUseBlock,
    hist.WebSearchToolResultBlock,
    hist.WebFetchToolResultBlock,
    hist.CodeExecutionToolResultBlock,
    hist.BashCodeExecutionToolResultBlock,
    hist.TextEditorCodeExecutionToolResultBlock,
    hist.ToolSearchToolResultBlock,
    hist.ContainerUploadBlock,
    hist.AdvisorToolResultBlock,
    hist.MCPToolUseBlock,
    hist.RequestMCPToolResultBlock,
    hist.MCPToolListingBlock,
    hist.CompactionBlock,
)
"""History blocks only a server tool (or server-side compaction) produces."""


def _tag(value: Any) -> str:
    return str(type(value).__struct_config__.tag)


def _tags(types: Any) -> list[str]:
    return sorted({str(t.__struct_config__.tag) for t in types})


_TOOL_TAGS = [t for t in _tags(srv.ToolUnion.__args__) if t not in _tags(SERVER_TOOLS)]
_BLOCK_TAGS = [t for t in _tags(hist.ContentBlock.__args__) if t not in _tags(SERVER_BLOCKS)]


def _tag_error(where: str, tag: str, offered: list[str]) -> ApiError:
    """Anthropic's answer to a tag it does not offer (what the API says without the feature's beta)."""
    expected = ", ".join(f"'{t}'" for t in offered)
    return ApiError(
        400,
        f"{where}: Input tag '{tag}' found using 'type' does not match any of the expected tags: {expected}",
        param=where,
    )


# -- OpenAI dialect (D-SURF-2) ---------------------------------------------------------------


def check_chat_offered(req: ChatCompletionRequest) -> None:
    """400 `invalid_request_error` naming the parameter, as OpenAI answers a model without the feature."""
    if req.web_search_options is not UNSET:
        raise ApiError(
            400,
            "Web search options not supported with this model.",
            param="web_search_options",
            code="unsupported_parameter",
        )
    if req.audio not in (UNSET, None):
        raise ApiError(
            400, "Audio output is not supported with this model.", param="audio", code="unsupported_parameter"
        )
    if isinstance(req.modalities, list) and "audio" in req.modalities:
        raise ApiError(
            400,
            "This model does not support audio output: 'modalities' may only contain 'text'.",
            param="modalities",
            code="unsupported_value",
        )
    if req.moderation not in (UNSET, None):
        raise ApiError(
            400,
            "Moderation is not supported with this model.",
            param="moderation",
            code="unsupported_parameter",
        )
    for i, msg in enumerate(req.messages):
        if isinstance(msg, AssistantMessage) and msg.audio not in (UNSET, None):
            raise ApiError(
                400,
                f"Audio '{msg.audio.id}' was not found: this deployment produces no audio.",
                param=f"messages[{i}].audio.id",
                code="invalid_value",
            )
        if isinstance(msg, UserMessage) and isinstance(msg.content, list):
            for j, part in enumerate(msg.content):
                if isinstance(part, FilePart) and part.file.file_id is not UNSET:
                    raise ApiError(
                        400,
                        f"Invalid file '{part.file.file_id}': this deployment stores no files; "
                        "send the file inline as 'file_data'.",
                        param=f"messages[{i}].content[{j}].file.file_id",
                        code="invalid_value",
                    )


# -- Anthropic dialect (D-SURF-4) ------------------------------------------------------------


def _check_source(block: ImageBlock | DocumentBlock, where: str) -> None:
    if isinstance(block.source, FileSource):
        offered = ["base64", "url"] if isinstance(block, ImageBlock) else ["base64", "content", "text", "url"]
        raise _tag_error(f"{where}.source", "file", offered)


def _check_tool_change(tool: Any, where: str) -> None:
    if isinstance(tool, hist.ToolChangeToolDefinition) and isinstance(tool.definition, SERVER_TOOLS):
        raise _tag_error(f"{where}.definition", _tag(tool.definition), _TOOL_TAGS)


def _check_blocks(blocks: Any, where: str) -> None:
    if not isinstance(blocks, list):
        return
    for j, block in enumerate(blocks):
        at = f"{where}.{j}"
        if isinstance(block, SERVER_BLOCKS):
            raise _tag_error(at, _tag(block), _BLOCK_TAGS)
        if isinstance(block, ImageBlock | DocumentBlock):
            _check_source(block, at)
        elif isinstance(block, ToolUseBlock) and block.caller not in (UNSET, None):
            if _tag(block.caller) != "direct":
                raise _tag_error(f"{at}.caller", _tag(block.caller), ["direct"])
        elif isinstance(block, hist.ToolResultBlock):
            _check_blocks(block.content, f"{at}.content")
        elif isinstance(block, hist.RequestToolAdditionBlock):
            _check_tool_change(block.tool, f"{at}.tool")


def check_messages_offered(req: MessagesRequest | CountTokensRequest) -> None:
    """400 `invalid_request_error` for server tools, their history blocks, stored files, containers, MCP
    servers, server-side compaction and threads; a thread refusal carries `error.details.error_code:
    thread_unsupported_request`, from which the SDK's thread helpers continue unthreaded."""
    for i, tool in enumerate(req.tools or []):
        if isinstance(tool, SERVER_TOOLS):
            raise _tag_error(f"tools.{i}", _tag(tool), _TOOL_TAGS)
    for i, msg in enumerate(req.messages):
        _check_blocks(msg.content, f"messages.{i}.content")
    if req.mcp_servers not in (UNSET, None) and req.mcp_servers:
        raise ApiError(
            400, "mcp_servers: MCP servers are not available on this deployment.", param="mcp_servers"
        )
    if req.compaction not in (UNSET, None):
        raise ApiError(
            400, "compaction: server-side compaction is not available on this deployment.", param="compaction"
        )
    edits = req.context_management.edits if req.context_management not in (UNSET, None) else UNSET
    for k, edit in enumerate(edits or []):
        if isinstance(edit, Compact20260112Edit):
            raise _tag_error(
                f"context_management.edits.{k}",
                _tag(edit),
                ["clear_thinking_20251015", "clear_tool_uses_20250919"],
            )
    if not isinstance(req, MessagesRequest):
        return
    if req.container not in (UNSET, None):
        raise ApiError(
            400,
            "container: containers are not available on this deployment (it offers no code execution or skills).",
            param="container",
        )
    if req.thread not in (UNSET, None):
        raise ApiError(
            400,
            "thread: message threads are not available on this deployment; send the whole conversation "
            "without `thread`.",
            param="thread",
            error_code="thread_unsupported_request",
        )
