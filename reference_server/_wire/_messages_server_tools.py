"""Server tool definitions of `POST /v1/messages` (web search, web fetch, code execution, tool search, advisor,
MCP toolsets), which a Stratus deployment refuses as Anthropic refuses a tag it does not offer (D-SURF-4), and
`ToolUnion`, every kind of `tools[]` entry."""

from __future__ import annotations

from typing import Any, Literal

from reference_server._wire._common import UNSET, Request, UnsetType
from reference_server._wire._messages_tools import (
    AnthropicTool,
    BrowserToolset20260801,
    CacheControl,
    CitationsConfig,
    ComputerToolset20260801,
    MemoryTool20250818,
    ToolBash20241022,
    ToolBash20250124,
    ToolComputerUse20241022,
    ToolComputerUse20250124,
    ToolComputerUse20251124,
    ToolTextEditor20241022,
    ToolTextEditor20250124,
    ToolTextEditor20250429,
    ToolTextEditor20250728,
)

__all__ = [
    "AdvisorTool20260301",
    "CodeExecutionTool20250522",
    "CodeExecutionTool20250825",
    "CodeExecutionTool20260120",
    "CodeExecutionTool20260521",
    "MCPToolConfig",
    "MCPToolParam",
    "MCPToolset",
    "ToolSearchToolBm25",
    "ToolSearchToolBm25_20251119",
    "ToolSearchToolRegex",
    "ToolSearchToolRegex20251119",
    "ToolUnion",
    "UserLocation",
    "WebFetchTool20250910",
    "WebFetchTool20260209",
    "WebFetchTool20260309",
    "WebFetchTool20260318",
    "WebFetchURLSourceAll",
    "WebFetchURLSourceExcept",
    "WebFetchURLSourceNone",
    "WebFetchURLSourceOnly",
    "WebFetchURLSourceToolReference",
    "WebFetchURLSources",
    "WebSearchTool20250305",
    "WebSearchTool20260209",
    "WebSearchTool20260318",
]


class CodeExecutionTool20250522(Request, tag_field="type", tag="code_execution_20250522", kw_only=True):
    name: Literal["code_execution"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class CodeExecutionTool20250825(Request, tag_field="type", tag="code_execution_20250825", kw_only=True):
    name: Literal["code_execution"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class CodeExecutionTool20260120(Request, tag_field="type", tag="code_execution_20260120", kw_only=True):
    """A `tools` entry for the code execution tool, version `code_execution_20260120`."""

    name: Literal["code_execution"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class CodeExecutionTool20260521(Request, tag_field="type", tag="code_execution_20260521", kw_only=True):
    """Code execution tool with REPL state persistence."""

    name: Literal["code_execution"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class UserLocation(Request, kw_only=True):
    type: Literal["approximate"]
    city: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    region: str | UnsetType | None = UNSET
    timezone: str | UnsetType | None = UNSET


class WebSearchTool20250305(Request, tag_field="type", tag="web_search_20250305", kw_only=True):
    name: Literal["web_search"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    user_location: UserLocation | UnsetType | None = UNSET


class WebFetchURLSourceAll(Request, tag_field="type", tag="all", kw_only=True):
    """The ``url_sources`` variant under which a source contributes in full: every result of the tool filter"s source, or all user input."""

    pass


class WebFetchURLSourceNone(Request, tag_field="type", tag="none", kw_only=True):
    """The ``url_sources`` variant under which a source contributes nothing: no result of the tool filter"s source, or no user input."""

    pass


class WebFetchURLSourceToolReference(Request, kw_only=True):
    """One entry of a tool filter"s ``tools``: it must name a tool declared in this request"s ``tools[]``."""

    type: Literal["tool_reference"]
    name: str


class WebFetchURLSourceOnly(Request, tag_field="type", tag="only", kw_only=True):
    """The tool filter variant under which only the named tools" results contribute."""

    tools: list[WebFetchURLSourceToolReference]


class WebFetchURLSourceExcept(Request, tag_field="type", tag="except", kw_only=True):
    """The tool filter variant under which every result but the named tools" contributes."""

    tools: list[WebFetchURLSourceToolReference]


class WebFetchURLSources(Request, kw_only=True):
    """Which sources contribute to the set of URLs web fetch may fetch."""

    client_tool_results: (
        WebFetchURLSourceAll
        | WebFetchURLSourceNone
        | WebFetchURLSourceOnly
        | WebFetchURLSourceExcept
        | UnsetType
    ) = UNSET
    server_tool_results: (
        WebFetchURLSourceAll
        | WebFetchURLSourceNone
        | WebFetchURLSourceOnly
        | WebFetchURLSourceExcept
        | UnsetType
    ) = UNSET
    user_input: WebFetchURLSourceAll | WebFetchURLSourceNone | UnsetType = UNSET


class WebFetchTool20250910(Request, tag_field="type", tag="web_fetch_20250910", kw_only=True):
    name: Literal["web_fetch"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET


class WebSearchTool20260209(Request, tag_field="type", tag="web_search_20260209", kw_only=True):
    name: Literal["web_search"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    user_location: UserLocation | UnsetType | None = UNSET


class WebFetchTool20260209(Request, tag_field="type", tag="web_fetch_20260209", kw_only=True):
    name: Literal["web_fetch"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET


class WebFetchTool20260309(Request, tag_field="type", tag="web_fetch_20260309", kw_only=True):
    """Web fetch tool with use_cache parameter for bypassing cached content."""

    name: Literal["web_fetch"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET
    use_cache: bool | UnsetType = UNSET


class WebSearchTool20260318(Request, tag_field="type", tag="web_search_20260318", kw_only=True):
    name: Literal["web_search"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_uses: int | UnsetType | None = UNSET
    response_inclusion: Literal["full", "excluded"] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET
    user_location: UserLocation | UnsetType | None = UNSET


class WebFetchTool20260318(Request, tag_field="type", tag="web_fetch_20260318", kw_only=True):
    name: Literal["web_fetch"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    response_inclusion: Literal["full", "excluded"] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET
    use_cache: bool | UnsetType = UNSET


class ToolSearchToolBm25_20251119(
    Request, tag_field="type", tag="tool_search_tool_bm25_20251119", kw_only=True
):
    name: Literal["tool_search_tool_bm25"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class ToolSearchToolRegex20251119(
    Request, tag_field="type", tag="tool_search_tool_regex_20251119", kw_only=True
):
    name: Literal["tool_search_tool_regex"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class AdvisorTool20260301(Request, tag_field="type", tag="advisor_20260301", kw_only=True):
    model: str
    name: Literal["advisor"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    caching: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET


class MCPToolConfig(Request, kw_only=True):
    """Configuration for a specific tool in an MCP toolset."""

    defer_loading: bool | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class MCPToolParam(Request, kw_only=True):
    """A tool as an MCP server lists it: its name on that server, its description, and its input schema."""

    input_schema: dict[str, Any]
    name: str
    description: str | UnsetType | None = UNSET


class MCPToolset(Request, tag_field="type", tag="mcp_toolset", kw_only=True):
    """Configuration for a group of tools from an MCP server."""

    mcp_server_name: str
    cache_control: CacheControl | UnsetType | None = UNSET
    configs: dict[str, MCPToolConfig] | UnsetType | None = UNSET
    default_config: MCPToolConfig | UnsetType = UNSET
    tools: list[MCPToolParam] | UnsetType | None = UNSET


class ToolSearchToolBm25(Request, tag_field="type", tag="tool_search_tool_bm25", kw_only=True):
    name: Literal["tool_search_tool_bm25"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class ToolSearchToolRegex(Request, tag_field="type", tag="tool_search_tool_regex", kw_only=True):
    name: Literal["tool_search_tool_regex"]
    allowed_callers: (
        list[
            Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]
        ]
        | UnsetType
    ) = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


ToolUnion = (
    AnthropicTool
    | ToolBash20250124
    | CodeExecutionTool20250522
    | CodeExecutionTool20250825
    | CodeExecutionTool20260120
    | CodeExecutionTool20260521
    | BrowserToolset20260801
    | MemoryTool20250818
    | ComputerToolset20260801
    | ToolTextEditor20250124
    | ToolTextEditor20250429
    | ToolTextEditor20250728
    | WebSearchTool20250305
    | WebFetchTool20250910
    | WebSearchTool20260209
    | WebFetchTool20260209
    | WebFetchTool20260309
    | WebSearchTool20260318
    | WebFetchTool20260318
    | ToolSearchToolBm25_20251119
    | ToolSearchToolBm25
    | ToolSearchToolRegex20251119
    | ToolSearchToolRegex
    | ToolBash20241022
    | ToolComputerUse20241022
    | ToolComputerUse20250124
    | ToolTextEditor20241022
    | ToolComputerUse20251124
    | AdvisorTool20260301
    | MCPToolset
)
