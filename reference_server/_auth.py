"""Authentication, the key store (credits, rate limits, endpoint grants) and BYOK detection.

Keys are never logged or echoed. The store keeps SHA-256 digests and compares them with
`hmac.compare_digest`. Accounting is per worker process (each uvicorn worker has its own store).
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import math
import re
import time
from collections.abc import Mapping

import msgspec

from reference_server._errors import ApiError
from reference_server._settings import Settings

__all__ = ["BYOK_HEADERS", "Account", "KeyStore", "byok_present", "credits_for"]

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


class KeyRecord(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One entry of the key-store file."""

    key: str
    credits: float | None = None
    """Balance in credits; `null` is unlimited."""
    rate_limit_per_minute: int | None = None
    """Requests per rolling minute; `null` is unlimited."""
    allowed_endpoints: list[str] | None = None
    """Paths this key may call (others: 403); `null` is all."""


class KeyFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    keys: list[KeyRecord]


class Account:
    """Mutable per-key state: remaining credits and recent request times."""

    def __init__(self, record: KeyRecord) -> None:
        self.credits = record.credits
        self.rate_limit = record.rate_limit_per_minute
        self.allowed = frozenset(record.allowed_endpoints) if record.allowed_endpoints is not None else None
        self._recent: collections.deque[float] = collections.deque()

    def admit(self, path: str) -> None:
        """Raise 403 for a path this key may not call, or 429 when over the rate limit."""
        if self.allowed is not None and path not in self.allowed:
            raise ApiError(403, f"This API key is not allowed to call {path}.")
        if self.rate_limit is None:
            return
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= self.rate_limit:
            wait = max(1, math.ceil(60.0 - (now - self._recent[0])))
            raise ApiError(
                429,
                f"Rate limit reached: {self.rate_limit} requests per minute. Retry after {wait} s.",
                retry_after=wait,
            )
        self._recent.append(now)

    def reserve(self, required: float) -> None:
        """Raise 402 when the balance cannot cover `required` credits (the model is not called)."""
        if self.credits is not None and self.credits < required:
            raise ApiError(
                402,
                f"Insufficient credits: this request needs {required:.4f} credits, "
                f"the balance is {self.credits:.4f}.",
                required_credits=required,
                available_credits=self.credits,
            )

    def charge(self, amount: float) -> None:
        """Deduct `amount` credits (never below zero)."""
        if self.credits is not None:
            self.credits = max(0.0, round(self.credits - amount, 6))


_UNLIMITED = KeyRecord(key="")


class KeyStore:
    """Resolves the presented key to an `Account`. Open mode accepts any well-formed key."""

    def __init__(self, settings: Settings) -> None:
        records: list[KeyRecord] = [KeyRecord(key=k) for k in settings.api_keys]
        if settings.keys_file:
            with open(settings.keys_file, "rb") as fh:
                records.extend(msgspec.json.decode(fh.read(), type=KeyFile).keys)
        self.open = not records
        self._accounts: dict[bytes, Account] = {}
        for rec in records:
            self._accounts[hashlib.sha256(rec.key.encode()).digest()] = Account(rec)
        self._open_account = Account(_UNLIMITED)

    def authenticate(self, headers: Mapping[str, str]) -> Account:
        """Check `Authorization: Bearer` / `x-api-key` (D-AUTH-1, D-AUTH-2); raise 401."""
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
        if self.open:
            return self._open_account
        digest = hashlib.sha256(key.encode()).digest()
        for known, account in self._accounts.items():
            if hmac.compare_digest(known, digest):
                return account
        raise ApiError(401, "Incorrect API key provided.")
