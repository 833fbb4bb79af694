"""Server tool definitions of `POST /v1/messages` (web search, web fetch, code execution, tool search, advisor,
MCP toolsets), which a Stratus deployment refuses as Anthropic refuses a tag it does not offer (D-SURF-4), and
`ToolUnion`, every kind of `tools[]` entry."""

from __future__ import annotations

from typing import Any, Literal

from reference_server._wire._common import UNSET, Request, UnsetType
from reference_server._wire._messages_tools import (
    AllowedCallers,
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


# Each server tool family has one base with the fields all its versions share, in the wire order
# (`msgspec` keeps a base's fields first, so a field a later version inserts before `strict` makes the
# base stop before it); a version's class gives its tag and what differs. The bases carry no
# docstring: a Struct's docstring is its schema's description, and is not inherited.


class _ServerTool(Request, tag_field="type", kw_only=True):
    # code execution and tool search; each family narrows `name`
    name: str
    allowed_callers: AllowedCallers = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class _CodeExecutionTool(_ServerTool, kw_only=True):
    name: Literal["code_execution"]


class CodeExecutionTool20250522(_CodeExecutionTool, tag="code_execution_20250522", kw_only=True):
    pass


class CodeExecutionTool20250825(_CodeExecutionTool, tag="code_execution_20250825", kw_only=True):
    pass


class CodeExecutionTool20260120(_CodeExecutionTool, tag="code_execution_20260120", kw_only=True):
    """A `tools` entry for the code execution tool, version `code_execution_20260120`."""


class CodeExecutionTool20260521(_CodeExecutionTool, tag="code_execution_20260521", kw_only=True):
    """Code execution tool with REPL state persistence."""


class _ToolSearchToolBm25(_ServerTool, kw_only=True):
    name: Literal["tool_search_tool_bm25"]


class ToolSearchToolBm25(_ToolSearchToolBm25, tag="tool_search_tool_bm25", kw_only=True):
    pass


class ToolSearchToolBm25_20251119(_ToolSearchToolBm25, tag="tool_search_tool_bm25_20251119", kw_only=True):
    pass


class _ToolSearchToolRegex(_ServerTool, kw_only=True):
    name: Literal["tool_search_tool_regex"]


class ToolSearchToolRegex(_ToolSearchToolRegex, tag="tool_search_tool_regex", kw_only=True):
    pass


class ToolSearchToolRegex20251119(_ToolSearchToolRegex, tag="tool_search_tool_regex_20251119", kw_only=True):
    pass


class UserLocation(Request, kw_only=True):
    type: Literal["approximate"]
    city: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    region: str | UnsetType | None = UNSET
    timezone: str | UnsetType | None = UNSET


class _WebSearchTool(Request, tag_field="type", kw_only=True):
    name: Literal["web_search"]
    allowed_callers: AllowedCallers = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_uses: int | UnsetType | None = UNSET


class _WebSearchToolBefore20260318(_WebSearchTool, kw_only=True):
    strict: bool | UnsetType = UNSET
    user_location: UserLocation | UnsetType | None = UNSET


class WebSearchTool20250305(_WebSearchToolBefore20260318, tag="web_search_20250305", kw_only=True):
    pass


class WebSearchTool20260209(_WebSearchToolBefore20260318, tag="web_search_20260209", kw_only=True):
    pass


class WebSearchTool20260318(_WebSearchTool, tag="web_search_20260318", kw_only=True):
    response_inclusion: Literal["full", "excluded"] | UnsetType = UNSET
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


class _WebFetchTool(Request, tag_field="type", kw_only=True):
    name: Literal["web_fetch"]
    allowed_callers: AllowedCallers = UNSET
    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET


class _WebFetchToolBefore20260318(_WebFetchTool, kw_only=True):
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET


class WebFetchTool20250910(_WebFetchToolBefore20260318, tag="web_fetch_20250910", kw_only=True):
    pass


class WebFetchTool20260209(_WebFetchToolBefore20260318, tag="web_fetch_20260209", kw_only=True):
    pass


class WebFetchTool20260309(_WebFetchToolBefore20260318, tag="web_fetch_20260309", kw_only=True):
    """Web fetch tool with use_cache parameter for bypassing cached content."""

    use_cache: bool | UnsetType = UNSET


class WebFetchTool20260318(_WebFetchTool, tag="web_fetch_20260318", kw_only=True):
    response_inclusion: Literal["full", "excluded"] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET
    url_sources: WebFetchURLSources | UnsetType | None = UNSET
    use_cache: bool | UnsetType = UNSET


class AdvisorTool20260301(Request, tag_field="type", tag="advisor_20260301", kw_only=True):
    model: str
    name: Literal["advisor"]
    allowed_callers: AllowedCallers = UNSET
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
