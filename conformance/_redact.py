"""Key scrubbing for evidence, reports and cassettes (D-AUTH-3: provider keys are never recorded)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SECRET_BODY_KEYS", "SECRET_HEADERS", "redact_body", "redact_headers", "redact_text"]

SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "x-openai-key", "x-anthropic-key", "x-google-key", "x-openrouter-key"}
)
SECRET_BODY_KEYS = frozenset(
    {"openai_key", "anthropic_key", "gemini_key", "google_key", "openrouter_key", "api_key"}
)
_KEY_PATTERN = re.compile(r"(stratus_sk_(?:live|test)_)[A-Za-z0-9]+|\bsk-[A-Za-z0-9_-]{6,}")
REDACTED = "REDACTED"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_BODY_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def redact_text(text: str) -> str:
    return _KEY_PATTERN.sub(lambda m: (m.group(1) or "") + REDACTED, text)


def redact_body(body: bytes | str | None) -> str:
    """A JSON body with secret keys replaced; other text with key-like tokens replaced."""
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return redact_text(text)
    return redact_text(json.dumps(_scrub(data), separators=(",", ":")))
