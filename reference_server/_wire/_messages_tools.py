"""Tool definitions and tool choice of `POST /v1/messages` (spec/schemas/MessagesRequest.json): client tools,
Anthropic-defined tools, toolsets and the server tools a deployment may refuse (D-SURF-4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import msgspec

from reference_server._wire._common import UNSET, Request, UnsetType

__all__ = [
    "AllowedCallers",
    "AnthropicTool",
    "AnyToolChoice",
    "AutoToolChoice",
    "BrowserToolset20260801",
    "BrowserToolsetConfigs",
    "CacheControl",
    "CitationsConfig",
    "ComputerToolset20260801",
    "ComputerToolsetConfigs",
    "MemoryTool20250818",
    "NamedToolChoice",
    "NoneToolChoice",
    "ToolBash20241022",
    "ToolBash20250124",
    "ToolChoice",
    "ToolComputerUse20241022",
    "ToolComputerUse20250124",
    "ToolComputerUse20251124",
    "ToolTextEditor20241022",
    "ToolTextEditor20250124",
    "ToolTextEditor20250429",
    "ToolTextEditor20250728",
    "ToolsetToolConfig",
]


AllowedCallers: TypeAlias = (
    list[Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]]
    | UnsetType
)
"""`allowed_callers` of every tool: who may call it (the model directly, or code execution)."""


class CacheControl(Request, kw_only=True):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


class CitationsConfig(Request, kw_only=True):
    enabled: bool | UnsetType = UNSET


class AutoToolChoice(Request, tag_field="type", tag="auto", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class AnyToolChoice(Request, tag_field="type", tag="any", kw_only=True):
    disable_parallel_tool_use: bool | UnsetType = UNSET


class NamedToolChoice(Request, tag_field="type", tag="tool", kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    disable_parallel_tool_use: bool | UnsetType = UNSET


class NoneToolChoice(Request, tag_field="type", tag="none", kw_only=True):
    pass


class AnthropicTool(Request, tag_field="type", tag="custom", kw_only=True):
    """A client tool defined by its JSON Schema (`type` is `custom`, null or absent)."""

    input_schema: dict[str, Any]
    name: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]{1,64}$")]
    allowed_callers: AllowedCallers = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    description: str | UnsetType = UNSET
    eager_input_streaming: bool | UnsetType | None = UNSET
    input_examples: list[dict[str, Any]] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


# Anthropic-defined client tools (the model knows their input schema). Each family has one base with
# the fields all its versions share, in the wire order (`msgspec` keeps a base's fields first, so a
# field a later version inserts before `strict` makes the base stop before it); a version's class
# gives its tag and what differs. The bases carry no docstring: a Struct's docstring is its schema's
# description, and is not inherited.


class _BuiltinTool(Request, tag_field="type", kw_only=True):
    # bash, memory and the text editors; each family narrows `name`
    name: str
    allowed_callers: AllowedCallers = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    input_examples: list[dict[str, Any]] | UnsetType = UNSET


class _BashTool(_BuiltinTool, kw_only=True):
    name: Literal["bash"]
    strict: bool | UnsetType = UNSET


class ToolBash20241022(_BashTool, tag="bash_20241022", kw_only=True):
    pass


class ToolBash20250124(_BashTool, tag="bash_20250124", kw_only=True):
    pass


class MemoryTool20250818(_BuiltinTool, tag="memory_20250818", kw_only=True):
    name: Literal["memory"]
    strict: bool | UnsetType = UNSET


class _TextEditorTool(_BuiltinTool, kw_only=True):
    name: Literal["str_replace_editor"]
    strict: bool | UnsetType = UNSET


class ToolTextEditor20241022(_TextEditorTool, tag="text_editor_20241022", kw_only=True):
    pass


class ToolTextEditor20250124(_TextEditorTool, tag="text_editor_20250124", kw_only=True):
    pass


class ToolTextEditor20250429(_BuiltinTool, tag="text_editor_20250429", kw_only=True):
    name: Literal["str_replace_based_edit_tool"]
    strict: bool | UnsetType = UNSET


class ToolTextEditor20250728(_BuiltinTool, tag="text_editor_20250728", kw_only=True):
    name: Literal["str_replace_based_edit_tool"]
    max_characters: int | UnsetType | None = UNSET
    strict: bool | UnsetType = UNSET


class _ComputerTool(Request, tag_field="type", kw_only=True):
    display_height_px: int
    display_width_px: int
    name: Literal["computer"]
    allowed_callers: AllowedCallers = UNSET
    cache_control: CacheControl | UnsetType | None = UNSET
    defer_loading: bool | UnsetType = UNSET
    display_number: int | UnsetType | None = UNSET


class _ComputerToolWithoutZoom(_ComputerTool, kw_only=True):
    input_examples: list[dict[str, Any]] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class ToolComputerUse20241022(_ComputerToolWithoutZoom, tag="computer_20241022", kw_only=True):
    pass


class ToolComputerUse20250124(_ComputerToolWithoutZoom, tag="computer_20250124", kw_only=True):
    pass


class ToolComputerUse20251124(_ComputerTool, tag="computer_20251124", kw_only=True):
    enable_zoom: bool | UnsetType = UNSET
    input_examples: list[dict[str, Any]] | UnsetType = UNSET
    strict: bool | UnsetType = UNSET


class ToolsetToolConfig(Request, kw_only=True):
    """``close_tab``"s config overrides."""

    defer_loading: bool | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET


class BrowserToolsetConfigs(Request, kw_only=True):
    """Per-member configuration for ``browser_toolset_20260801``: one optional field per member tool, keyed by the member name — the same name the member"s ``tool_use`` blocks carry."""

    type: ToolsetToolConfig | UnsetType | None = UNSET
    close_tab: ToolsetToolConfig | UnsetType | None = UNSET
    double_click: ToolsetToolConfig | UnsetType | None = UNSET
    file_upload: ToolsetToolConfig | UnsetType | None = UNSET
    find: ToolsetToolConfig | UnsetType | None = UNSET
    form_input: ToolsetToolConfig | UnsetType | None = UNSET
    get_page_text: ToolsetToolConfig | UnsetType | None = UNSET
    hold_key: ToolsetToolConfig | UnsetType | None = UNSET
    hover: ToolsetToolConfig | UnsetType | None = UNSET
    javascript_exec: ToolsetToolConfig | UnsetType | None = UNSET
    key: ToolsetToolConfig | UnsetType | None = UNSET
    left_click: ToolsetToolConfig | UnsetType | None = UNSET
    left_click_drag: ToolsetToolConfig | UnsetType | None = UNSET
    left_mouse_down: ToolsetToolConfig | UnsetType | None = UNSET
    left_mouse_up: ToolsetToolConfig | UnsetType | None = UNSET
    list_tabs: ToolsetToolConfig | UnsetType | None = UNSET
    middle_click: ToolsetToolConfig | UnsetType | None = UNSET
    mouse_move: ToolsetToolConfig | UnsetType | None = UNSET
    navigate: ToolsetToolConfig | UnsetType | None = UNSET
    new_tab: ToolsetToolConfig | UnsetType | None = UNSET
    read_console: ToolsetToolConfig | UnsetType | None = UNSET
    read_network: ToolsetToolConfig | UnsetType | None = UNSET
    read_page: ToolsetToolConfig | UnsetType | None = UNSET
    right_click: ToolsetToolConfig | UnsetType | None = UNSET
    screenshot: ToolsetToolConfig | UnsetType | None = UNSET
    scroll: ToolsetToolConfig | UnsetType | None = UNSET
    scroll_to: ToolsetToolConfig | UnsetType | None = UNSET
    switch_tab: ToolsetToolConfig | UnsetType | None = UNSET
    triple_click: ToolsetToolConfig | UnsetType | None = UNSET
    wait: ToolsetToolConfig | UnsetType | None = UNSET
    zoom: ToolsetToolConfig | UnsetType | None = UNSET


class BrowserToolset20260801(Request, tag_field="type", tag="browser_toolset_20260801", kw_only=True):
    """The browser toolset: a single ``tools[]`` entry (carrying no ``name``) that declares the browser tool family."""

    cache_control: CacheControl | UnsetType | None = UNSET
    configs: BrowserToolsetConfigs | UnsetType | None = UNSET


class ComputerToolsetConfigs(Request, kw_only=True):
    """Per-member configuration for ``computer_toolset_20260801``: one optional field per member tool, keyed by the member name — the same name the member"s ``tool_use`` blocks carry."""

    type: ToolsetToolConfig | UnsetType | None = UNSET
    cursor_position: ToolsetToolConfig | UnsetType | None = UNSET
    double_click: ToolsetToolConfig | UnsetType | None = UNSET
    hold_key: ToolsetToolConfig | UnsetType | None = UNSET
    key: ToolsetToolConfig | UnsetType | None = UNSET
    left_click: ToolsetToolConfig | UnsetType | None = UNSET
    left_click_drag: ToolsetToolConfig | UnsetType | None = UNSET
    left_mouse_down: ToolsetToolConfig | UnsetType | None = UNSET
    left_mouse_up: ToolsetToolConfig | UnsetType | None = UNSET
    middle_click: ToolsetToolConfig | UnsetType | None = UNSET
    mouse_move: ToolsetToolConfig | UnsetType | None = UNSET
    right_click: ToolsetToolConfig | UnsetType | None = UNSET
    screenshot: ToolsetToolConfig | UnsetType | None = UNSET
    scroll: ToolsetToolConfig | UnsetType | None = UNSET
    triple_click: ToolsetToolConfig | UnsetType | None = UNSET
    wait: ToolsetToolConfig | UnsetType | None = UNSET
    zoom: ToolsetToolConfig | UnsetType | None = UNSET


class ComputerToolset20260801(Request, tag_field="type", tag="computer_toolset_20260801", kw_only=True):
    """The computer toolset: a single ``tools[]`` entry (carrying no ``name``) that declares the computer tool family."""

    cache_control: CacheControl | UnsetType | None = UNSET
    configs: ComputerToolsetConfigs | UnsetType | None = UNSET


ToolChoice = AutoToolChoice | AnyToolChoice | NamedToolChoice | NoneToolChoice
