"""The account store: keys, endpoint grants, rate limits and credits behind one async interface.

Two implementations (`open_store`): `MemoryStore` (`_store_memory`, the default: one process, no
set-up) and `RedisStore` (`_store_redis`, `--store redis://…` / `STRATUS_STORE`: every worker and
every replica shares the same limits, enforced atomically by Lua scripts). The pipeline (`admit`),
the completion service (`_service`, both dialects and executors), embeddings and rollout see only:

    account = await store.authenticate(headers)       # 401
    await store.admit(account, path)                  # 403 (endpoint grant), 429 (rate limit)
    hold = await store.reserve(account, credits)      # 402 when the balance cannot cover it
    await hold.settle(spent)   # charge min(spent, held), give back the rest; idempotent
    await hold.release()       # give back the whole hold (nothing was charged); idempotent

Credits are *held* at reservation time, so concurrent requests cannot spend the same balance twice.
Keys are never stored or logged: accounts are identified by the SHA-256 of the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Protocol

import msgspec

from reference_server._auth import KEY_RE
from reference_server._errors import ApiError
from reference_server._settings import Settings

__all__ = [
    "Account",
    "KeyFileError",
    "KeyRecord",
    "Reservation",
    "Store",
    "StoreUnavailable",
    "account_of",
    "insufficient_credits",
    "key_id",
    "load_key_records",
    "not_allowed",
    "open_store",
    "rate_limited",
    "store_unavailable",
]


class KeyRecord(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One entry of the key file."""

    key: str
    credits: float | None = None
    """Balance in credits; `null` is unlimited."""
    rate_limit_per_minute: int | None = None
    """Requests per rolling minute; `null` is unlimited."""
    allowed_endpoints: list[str] | None = None
    """Paths this key may call (others: 403); `null` is all."""


class _KeyFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    keys: list[KeyRecord]


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """An authenticated key: its id (SHA-256 hex of the key, never the key) and its configuration."""

    id: str
    credits: float | None = None
    """The key file's balance (the store keeps the live balance); None is unlimited."""
    rate_limit: int | None = None
    allowed: frozenset[str] | None = None


class Reservation(Protocol):
    async def settle(self, spent: float) -> None:
        """Charge `spent` (capped at the held amount) and return the rest; idempotent."""

    async def release(self) -> None:
        """Return the whole hold (the request failed before anything was charged); idempotent."""


class Store(Protocol):
    async def authenticate(self, headers: Mapping[str, str]) -> Account:
        """The account of the key in `Authorization: Bearer` / `x-api-key`; 401 otherwise."""

    async def admit(self, account: Account, path: str) -> None:
        """403 when the key may not call `path`; 429 (with `retry-after`) over the rate limit."""

    async def reserve(self, account: Account, credits: float) -> Reservation:
        """Hold `credits` of the balance; 402 when the balance cannot cover them."""

    async def balance(self, account: Account) -> float | None:
        """The live balance (None: unlimited)."""

    async def close(self) -> None:
        """Release connections (app shutdown)."""


class KeyFileError(ValueError):
    """The key file cannot be used; the message is one line naming the file and the problem."""


class StoreUnavailable(Exception):
    """The shared store cannot be reached (answered 503)."""


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_key_records(settings: Settings) -> list[KeyRecord]:
    """`STRATUS_API_KEYS` and the key file, validated: every key must match the key grammar
    (D-AUTH-2), appear once, and carry non-negative limits. Raises `KeyFileError`."""
    records = [KeyRecord(key=k) for k in settings.api_keys]
    path = settings.keys_file
    if path:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
        try:
            records += msgspec.json.decode(raw, type=_KeyFile).keys
        except msgspec.ValidationError as exc:
            raise KeyFileError(f"key file {path}: {exc}") from None
        except msgspec.DecodeError as exc:
            raise KeyFileError(f"key file {path} is not valid JSON: {exc}") from None
    seen: set[str] = set()
    for i, rec in enumerate(records):
        n_env = len(settings.api_keys)
        where = f"key file {path}: keys[{i - n_env}]" if path and i >= n_env else "STRATUS_API_KEYS"
        if not KEY_RE.match(rec.key):
            shown = rec.key[:16] + ("…" if len(rec.key) > 16 else "")
            raise KeyFileError(
                f"{where}: {json.dumps(shown)} is not a Stratus key "
                "(expected stratus_sk_live_… or stratus_sk_test_… with 8 or more letters and digits)"
            )
        if rec.key in seen:
            raise KeyFileError(f"{where}: the same key is listed twice")
        seen.add(rec.key)
        if rec.credits is not None and not rec.credits >= 0:
            raise KeyFileError(f"{where}: credits must be a number >= 0 or null")
        if rec.rate_limit_per_minute is not None and rec.rate_limit_per_minute < 1:
            raise KeyFileError(f"{where}: rate_limit_per_minute must be an integer >= 1 or null")
    return records


def account_of(record: KeyRecord) -> Account:
    allowed = frozenset(record.allowed_endpoints) if record.allowed_endpoints is not None else None
    return Account(
        id=key_id(record.key),
        credits=record.credits,
        rate_limit=record.rate_limit_per_minute,
        allowed=allowed,
    )


def not_allowed(path: str) -> ApiError:
    return ApiError(403, f"This API key is not allowed to call {path}.")


def rate_limited(limit: int, wait: int) -> ApiError:
    return ApiError(
        429,
        f"Rate limit reached: {limit} requests per minute. Retry after {wait} s.",
        retry_after=wait,
    )


def insufficient_credits(required: float, available: float) -> ApiError:
    return ApiError(
        402,
        f"Insufficient credits: this request needs {required:.4f} credits, the balance is {available:.4f}.",
        required_credits=required,
        available_credits=available,
    )


def store_unavailable() -> ApiError:
    return ApiError(
        503,
        "Service temporarily unavailable: the account store cannot be reached. Retry shortly.",
        retry_after=1,
    )


def open_store(settings: Settings, records: list[KeyRecord] | None = None) -> Store:
    """The store `settings.store` names (`memory`, or a `redis://` / `rediss://` / `unix://` URL)."""
    records = load_key_records(settings) if records is None else records
    url = settings.store.strip()
    if url in ("", "memory"):
        from reference_server._store_memory import MemoryStore

        return MemoryStore(records)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from reference_server._store_redis import RedisStore

        return RedisStore(url, records)
    raise KeyFileError(f"STRATUS_STORE / --store: {url!r} is neither 'memory' nor a redis:// URL")
