"""Key scrubbing for evidence, reports and cassettes (D-AUTH-3: provider keys are never recorded).

Every key shape the upstream executor knows is covered, wherever it travels: Stratus
(`stratus_sk_live_…`/`stratus_sk_test_…`), OpenAI (`sk-…`, `sk-proj-…`, `sk-svcacct-…`), Anthropic
(`sk-ant-…`), OpenRouter (`sk-or-…`) and Google (`AIza…`); in headers (by name: `Authorization`,
`x-api-key`, `x-goog-api-key`, the BYOK headers, cookies; and by value: a key-shaped token in any
other header), in bodies (by field name and by value) and in URLs (`?key=`, `api_key=`, `token=`
query parameters, and key-shaped tokens anywhere in the URL). A redacted key keeps its class prefix
(`sk-ant-REDACTED`, `AIzaREDACTED`), which tells a reader what was sent without telling anyone the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "KEY_PATTERN",
    "REDACTED",
    "SECRET_BODY_KEYS",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMS",
    "redact_body",
    "redact_headers",
    "redact_text",
    "redact_url",
]

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "x-openai-key",
        "x-anthropic-key",
        "x-google-key",
        "x-openrouter-key",
        "cookie",
        "set-cookie",
    }
)
SECRET_BODY_KEYS = frozenset(
    {"openai_key", "anthropic_key", "gemini_key", "google_key", "openrouter_key", "api_key", "apikey"}
)
SECRET_QUERY_PARAMS = frozenset({"key", "api_key", "apikey", "access_token", "token", "x-goog-api-key"})
KEY_PATTERN = re.compile(
    r"(stratus_sk_(?:live|test)_)[A-Za-z0-9]+"
    r"|(?<![A-Za-z0-9])(sk-(?:ant-|proj-|or-|svcacct-|admin-)?)[A-Za-z0-9_-]{6,}"
    r"|(?<![A-Za-z0-9])(AIza)[0-9A-Za-z_-]{20,}"
)
"""Stratus, OpenAI / Anthropic / OpenRouter (`sk-…`) and Google (`AIza…`) keys; group 1-3: the class."""
REDACTED = "REDACTED"


def redact_text(text: str) -> str:
    """`text` with every key-shaped token replaced by its class prefix + `REDACTED`."""
    return KEY_PATTERN.sub(lambda m: (m.group(1) or m.group(2) or m.group(3) or "") + REDACTED, text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Secret headers by name; key-shaped tokens in any other header's value."""
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else redact_text(str(v))) for k, v in headers.items()}


def redact_url(url: str) -> str:
    """`url` with secret query parameters (`?key=…`) and key-shaped tokens replaced."""
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(name.lower() in SECRET_QUERY_PARAMS for name, _ in pairs):
            query = urlencode([(n, REDACTED if n.lower() in SECRET_QUERY_PARAMS else v) for n, v in pairs])
            parts = parts._replace(query=query)
            url = urlunsplit(parts)
    return redact_text(url)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in SECRET_BODY_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def redact_body(body: bytes | str | None) -> str:
    """A JSON body with secret fields replaced; any text with key-shaped tokens replaced."""
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return redact_text(text)
    return redact_text(json.dumps(_scrub(data), separators=(",", ":")))
