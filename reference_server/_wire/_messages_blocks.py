"""Content blocks of `POST /v1/messages` requests that stand on their own (text, image, document, search result,
thinking, tool use, ...) with their sources and citations (spec/schemas/MessagesRequest.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from reference_server._wire._common import UNSET, Request, UnsetType
from reference_server._wire._messages_tools import CacheControl, CitationsConfig

__all__ = [
    "Base64ImageSource",
    "Base64PDFSource",
    "BrowserStateBlock",
    "BrowserStateChangeDownloadCompleted",
    "BrowserStateChangeDownloadFailed",
    "BrowserStateChangeDownloadStarted",
    "BrowserStateChangeTabOpened",
    "BrowserStateTabEntry",
    "CitationCharLocation",
    "CitationContentBlockLocation",
    "CitationPageLocation",
    "CitationSearchResultLocation",
    "CitationWebSearchResultLocation",
    "ContentBlockSource",
    "DirectCaller",
    "DocumentBlock",
    "DocumentSource",
    "FallbackBlock",
    "FallbackInfo",
    "FileSource",
    "ImageBlock",
    "ImageSource",
    "ImageTransformations",
    "PlainDocumentBlock",
    "PlainTextSource",
    "PlainToolReferenceBlock",
    "RedactedThinkingBlock",
    "SearchResultBlock",
    "ServerToolCaller",
    "ServerToolCaller20260120",
    "SystemTextBlock",
    "TextBlock",
    "TextCitation",
    "ThinkingBlock",
    "ToolCaller",
    "ToolReferenceBlock",
    "ToolUseBlock",
    "URLSource",
]


class CitationCharLocation(Request, tag_field="type", tag="char_location", kw_only=True):
    cited_text: str
    document_index: int
    document_title: str | None
    end_char_index: int
    start_char_index: int
    file_id: str | UnsetType | None = UNSET


class CitationPageLocation(Request, tag_field="type", tag="page_location", kw_only=True):
    cited_text: str
    document_index: int
    document_title: str | None
    end_page_number: int
    start_page_number: int
    file_id: str | UnsetType | None = UNSET


class CitationContentBlockLocation(Request, tag_field="type", tag="content_block_location", kw_only=True):
    cited_text: str
    document_index: int
    document_title: str | None
    end_block_index: int
    start_block_index: int
    file_id: str | UnsetType | None = UNSET


class CitationWebSearchResultLocation(
    Request, tag_field="type", tag="web_search_result_location", kw_only=True
):
    cited_text: str
    encrypted_index: str
    title: str | None
    url: str


class CitationSearchResultLocation(Request, tag_field="type", tag="search_result_location", kw_only=True):
    cited_text: str
    end_block_index: int
    search_result_index: int
    source: str
    start_block_index: int
    title: str | None


class TextBlock(Request, tag_field="type", tag="text", kw_only=True):
    text: str
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: list[TextCitation] | UnsetType | None = UNSET


class SystemTextBlock(Request, kw_only=True):
    type: Literal["text"]
    text: str
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: list[TextCitation] | UnsetType | None = UNSET


class Base64ImageSource(Request, tag_field="type", tag="base64", kw_only=True):
    data: Annotated[str, msgspec.Meta(min_length=1)]
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]


class URLSource(Request, tag_field="type", tag="url", kw_only=True):
    url: Annotated[str, msgspec.Meta(pattern="^https?://")]


class FileSource(Request, tag_field="type", tag="file", kw_only=True):
    file_id: str


class ImageTransformations(Request, kw_only=True):
    """Configures the transformations the server applies to this image before the model observes it."""

    oversized_image: Literal["downsize", "error"] | UnsetType = UNSET


class ImageBlock(Request, tag_field="type", tag="image", kw_only=True):
    source: ImageSource
    cache_control: CacheControl | UnsetType | None = UNSET
    transformations: ImageTransformations | UnsetType | None = UNSET


class Base64PDFSource(Request, tag_field="type", tag="base64", kw_only=True):
    data: str
    media_type: Literal["application/pdf"]


class PlainTextSource(Request, tag_field="type", tag="text", kw_only=True):
    data: str
    media_type: Literal["text/plain"]


class ContentBlockSource(Request, tag_field="type", tag="content", kw_only=True):
    content: str | list[TextBlock | ImageBlock]


class DocumentBlock(Request, tag_field="type", tag="document", kw_only=True):
    source: DocumentSource
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    context: str | UnsetType | None = UNSET
    title: str | UnsetType | None = UNSET


class PlainDocumentBlock(Request, kw_only=True):
    type: Literal["document"]
    source: DocumentSource
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType | None = UNSET
    context: str | UnsetType | None = UNSET
    title: str | UnsetType | None = UNSET


class SearchResultBlock(Request, tag_field="type", tag="search_result", kw_only=True):
    content: list[SystemTextBlock]
    source: str
    title: str
    cache_control: CacheControl | UnsetType | None = UNSET
    citations: CitationsConfig | UnsetType = UNSET


class ThinkingBlock(Request, tag_field="type", tag="thinking", kw_only=True):
    signature: str
    thinking: str


class RedactedThinkingBlock(Request, tag_field="type", tag="redacted_thinking", kw_only=True):
    data: str


class DirectCaller(Request, tag_field="type", tag="direct", kw_only=True):
    """Tool invocation directly from the model."""

    pass


class ServerToolCaller(Request, tag_field="type", tag="code_execution_20250825", kw_only=True):
    """Tool invocation generated by a server-side tool."""

    tool_id: str


class ServerToolCaller20260120(Request, tag_field="type", tag="code_execution_20260120", kw_only=True):
    tool_id: str


class ToolUseBlock(Request, tag_field="type", tag="tool_use", kw_only=True):
    id: Annotated[str, msgspec.Meta(pattern="^[a-zA-Z0-9_-]+$")]
    input: dict[str, Any]
    name: Annotated[str, msgspec.Meta(min_length=1)]
    cache_control: CacheControl | UnsetType | None = UNSET
    caller: ToolCaller | UnsetType = UNSET
    toolset_name: str | UnsetType | None = UNSET


class ToolReferenceBlock(Request, tag_field="type", tag="tool_reference", kw_only=True):
    """Tool reference block that can be included in tool_result content."""

    tool_name: str
    cache_control: CacheControl | UnsetType | None = UNSET


class PlainToolReferenceBlock(Request, kw_only=True):
    """Tool reference block that can be included in tool_result content."""

    type: Literal["tool_reference"]
    tool_name: str
    cache_control: CacheControl | UnsetType | None = UNSET


class BrowserStateTabEntry(Request, kw_only=True):
    """One open browser tab reported in a `browser_state` block"s `tabs` inventory."""

    tab_id: str
    title: str
    url: str
    active: bool | UnsetType = UNSET


class BrowserStateChangeTabOpened(Request, tag_field="type", tag="tab_opened", kw_only=True):
    """A tab this call"s execution opened that remains open at its end — the creation delta of the `tabs` inventory, not an event log."""

    tab_id: str


class BrowserStateChangeDownloadStarted(Request, tag_field="type", tag="download_started", kw_only=True):
    """A file download that started during this call."""

    download_id: str
    url: str


class BrowserStateChangeDownloadCompleted(Request, tag_field="type", tag="download_completed", kw_only=True):
    """A file download that finished during this call, reported with the same `download_id` as its `download_started` — or without a prior `download_started`, when the download finished during the call that started it (at most one state change ..."""

    download_id: str
    url: str
    path: str | UnsetType | None = UNSET
    size_bytes: int | UnsetType | None = UNSET


class BrowserStateChangeDownloadFailed(Request, tag_field="type", tag="download_failed", kw_only=True):
    """A file download that failed — or was cancelled — during this call."""

    download_id: str
    url: str
    error: str | UnsetType | None = UNSET


class BrowserStateBlock(Request, tag_field="type", tag="browser_state", kw_only=True):
    """The caller"s browser state after a browser toolset member call — the full inventory of open tabs, which tab is active, and any side effects (tabs opened, download state changes) the call produced."""

    tabs: list[BrowserStateTabEntry]
    cache_control: CacheControl | UnsetType | None = UNSET
    state_changes: (
        list[
            BrowserStateChangeTabOpened
            | BrowserStateChangeDownloadStarted
            | BrowserStateChangeDownloadCompleted
            | BrowserStateChangeDownloadFailed
        ]
        | UnsetType
        | None
    ) = UNSET


class FallbackInfo(Request, kw_only=True):
    """Identifies one hop of a fallback transition."""

    model: str


class FallbackBlock(Request, tag_field="type", tag="fallback", kw_only=True):
    """A `fallback` block echoed back from a prior response."""

    from_: FallbackInfo = msgspec.field(name="from")
    to: FallbackInfo
    trigger: Any | UnsetType = UNSET


TextCitation = (
    CitationCharLocation
    | CitationPageLocation
    | CitationContentBlockLocation
    | CitationWebSearchResultLocation
    | CitationSearchResultLocation
)
ImageSource = Base64ImageSource | URLSource | FileSource
DocumentSource = Base64PDFSource | PlainTextSource | ContentBlockSource | URLSource | FileSource
ToolCaller = DirectCaller | ServerToolCaller | ServerToolCaller20260120
