"""The presented key (D-AUTH-1, D-AUTH-2), credit prices and BYOK detection.

Keys are never logged or echoed. Accounts, limits and balances live in the store (`_store`).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping

from reference_server._errors import ApiError

__all__ = ["BYOK_HEADERS", "KEY_RE", "byok_present", "credits_for", "presented_key"]

KEY_RE = re.compile(r"^stratus_sk_(live|test)_[A-Za-z0-9]{8,}$")
BYOK_HEADERS = ("x-openai-key", "x-anthropic-key", "x-google-key", "x-openrouter-key")
_CREDITS_PER_1K = {"small": 0.15, "base": 0.25, "large": 0.40, "xl": 0.60, "huge": 0.80}
_POOL_MARKUP = 0.25


def credits_for(tokens: int, size: str, *, pool: bool) -> float:
    """Credits for `tokens` tokens on a world model of `size` (x1.25 on Formation's pool)."""
    cost = tokens / 1000 * _CREDITS_PER_1K.get(size, 0.25)
    return round(cost * (1 + _POOL_MARKUP) if pool else cost, 6)


def byok_present(headers: Mapping[str, str]) -> bool:
    """Whether the request brings its own LLM provider key in a header (D-AUTH-3)."""
    return any(headers.get(h) for h in BYOK_HEADERS)


def presented_key(headers: Mapping[str, str]) -> str:
    """The key in `Authorization: Bearer` / `x-api-key` (D-AUTH-1, D-AUTH-2); 401 when missing,
    malformed, different in the two headers, or outside the key grammar."""
    bearer = headers.get("authorization")
    x_key = headers.get("x-api-key")
    key: str | None = None
    if bearer is not None:
        scheme, _, value = bearer.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "Malformed Authorization header: expected 'Bearer <key>'.")
        key = value.strip()
    if x_key is not None:
        if key is not None and not hmac.compare_digest(key.encode(), x_key.strip().encode()):
            raise ApiError(401, "The Authorization and x-api-key headers carry different keys.")
        key = x_key.strip()
    if not key:
        raise ApiError(
            401,
            "Missing API key: send 'Authorization: Bearer stratus_sk_live_...' or 'x-api-key'.",
        )
    if not KEY_RE.match(key):
        raise ApiError(401, "Invalid API key format: expected stratus_sk_live_... or stratus_sk_test_...")
    return key
