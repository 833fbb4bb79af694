"""Server settings, from keyword arguments or `STRATUS_*` environment variables."""

from __future__ import annotations

import os
import urllib.parse
from typing import Literal

import msgspec

__all__ = ["PROVIDERS", "Settings"]

PROVIDERS = ("openai", "anthropic", "google", "openrouter")
"""Upstream LLM providers, in the order of their `STRATUS_<PROVIDER>_*` settings."""

_DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1",
    "google": "https://generativelanguage.googleapis.com/v1beta/openai",
    "openrouter": "https://openrouter.ai/api/v1",
}


def _env(name: str, default: str) -> str:
    return os.environ.get(f"STRATUS_{name}", default)


class Settings(msgspec.Struct, kw_only=True):
    """Reference-server configuration. `Settings.from_env()` reads `STRATUS_<FIELD>` variables."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 4 * 1024 * 1024
    """Larger request bodies are answered 413 (`STRATUS_MAX_BODY_BYTES`)."""
    max_text_chars: int = 2 * 1024 * 1024
    """Longest request text (the messages, system and tool text that the prompt-token count covers;
    embeddings input; rollout goal and state): 413 beyond (`STRATUS_MAX_TEXT_CHARS`)."""
    store: str = "memory"
    """Where keys' rate limits and credit balances are kept: `memory` (this process) or a Redis URL
    `redis://host:6379/0` shared by every worker and replica (`STRATUS_STORE`)."""
    keys_file: str | None = None
    """JSON key store with per-key credits, rate limits and endpoints (`STRATUS_KEYS_FILE`)."""
    api_keys: tuple[str, ...] = ()
    """Accepted keys, unlimited (`STRATUS_API_KEYS`, comma-separated). Empty + no file: any well-formed key."""
    stream_delay_ms: float = 0.0
    """Pause between stream events, to imitate generation speed (`STRATUS_STREAM_DELAY_MS`)."""
    sse_keepalive_s: float = 15.0
    """Upstream streams send an SSE comment (`: keep-alive`) after this long without an event, so that
    proxies keep a stream open through long provider prefill (wire-checklist B12); 0 turns it off
    (`STRATUS_SSE_KEEPALIVE_S`). Embedded streams never wait and need none."""
    header_timeout_s: float = 10.0
    """A request head must be complete this long after the connection opens (or after the previous
    response): else 408 and close (`STRATUS_HEADER_TIMEOUT_S`; 0 turns it off)."""
    body_timeout_s: float = 15.0
    """The whole request body must arrive within this long of its head: else 408 and close
    (`STRATUS_BODY_TIMEOUT_S`; 0 turns it off)."""
    keepalive_timeout_s: float = 5.0
    """Idle keep-alive connections are closed after this long (`STRATUS_KEEPALIVE_TIMEOUT_S`)."""
    max_connections: int = 1024
    """Open connections per worker; a connection beyond it gets 503 at once and is closed
    (`STRATUS_MAX_CONNECTIONS`)."""
    graceful_shutdown_s: float = 10.0
    """How long uvicorn lets open requests finish on shutdown (`STRATUS_GRACEFUL_SHUTDOWN_S`)."""
    mock_errors: bool = True
    """Honour the `X-Stratus-Mock-*` headers (D-MOCK-1) (`STRATUS_MOCK_ERRORS`)."""
    log_level: str = "info"
    executor: Literal["embedded", "upstream"] = "embedded"
    """`embedded` (default): the offline deterministic executor. `upstream`: the plan-enriched prompt
    is executed by the real provider (D-EXEC-1) (`STRATUS_EXECUTOR`, CLI `--executor`)."""
    planner_backend: str = "auto"
    """World-model planner backend, `auto|numpy|numba|cupy` (`STRATUS_PLANNER_BACKEND`); one that
    cannot run here answers 503 on the requests that plan (see `planner/_backend.py`)."""
    openai_api_key: str | None = None
    """Operator (Formation pool) key for `gpt-*`/`o1..o9*`/`chatgpt-*` (`STRATUS_OPENAI_API_KEY`)."""
    anthropic_api_key: str | None = None
    """Operator key for `claude-*` (`STRATUS_ANTHROPIC_API_KEY`)."""
    google_api_key: str | None = None
    """Operator key for `gemini-*` (`STRATUS_GOOGLE_API_KEY`)."""
    openrouter_api_key: str | None = None
    """Operator key for `provider/model` ids (`STRATUS_OPENROUTER_API_KEY`)."""
    openai_base_url: str = _DEFAULT_BASE_URLS["openai"]
    """`…/chat/completions` is appended (`STRATUS_OPENAI_BASE_URL`)."""
    anthropic_base_url: str = _DEFAULT_BASE_URLS["anthropic"]
    """`…/messages` is appended (`STRATUS_ANTHROPIC_BASE_URL`)."""
    google_base_url: str = _DEFAULT_BASE_URLS["google"]
    """Google's OpenAI-compatible endpoint; `…/chat/completions` is appended (`STRATUS_GOOGLE_BASE_URL`)."""
    openrouter_base_url: str = _DEFAULT_BASE_URLS["openrouter"]
    """`…/chat/completions` is appended (`STRATUS_OPENROUTER_BASE_URL`)."""
    upstream_connect_timeout_s: float = 5.0
    """Connect timeout for provider calls (`STRATUS_UPSTREAM_CONNECT_TIMEOUT_S`)."""
    upstream_read_timeout_s: float = 120.0
    """Longest wait for the provider's next bytes, first byte included (`STRATUS_UPSTREAM_READ_TIMEOUT_S`)."""
    upstream_retries: int = 2
    """Retries after the first attempt on 429, 5xx and connection errors (`STRATUS_UPSTREAM_RETRIES`)."""
    upstream_backoff_s: float = 0.5
    """First backoff; doubles per retry (`STRATUS_UPSTREAM_BACKOFF_S`)."""
    upstream_max_retry_wait_s: float = 10.0
    """Longest single wait; a `retry-after` asking for more ends the retries (`STRATUS_UPSTREAM_MAX_RETRY_WAIT_S`)."""

    def __repr__(self) -> str:
        """Like the default, with operator provider keys masked: settings may end up in logs."""
        shown = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name.endswith("_api_key") and value:
                value = "***"
            elif name == "store":
                value = _without_password(value)
            shown.append(f"{name}={value!r}")
        return f"Settings({', '.join(shown)})"

    def provider_key(self, provider: str) -> str | None:
        """The operator's key for `provider`, or None."""
        key: str | None = getattr(self, f"{provider}_api_key")
        return key or None

    def provider_base_url(self, provider: str) -> str:
        url: str = getattr(self, f"{provider}_base_url")
        return url.rstrip("/")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `STRATUS_*` variables; keyword arguments win."""
        keys = tuple(k.strip() for k in _env("API_KEYS", "").split(",") if k.strip())
        values: dict[str, object] = {
            "host": _env("HOST", "127.0.0.1"),
            "port": int(_env("PORT", "8000")),
            "workers": int(_env("WORKERS", "1")),
            "max_body_bytes": int(_env("MAX_BODY_BYTES", str(4 * 1024 * 1024))),
            "max_text_chars": int(_env("MAX_TEXT_CHARS", str(2 * 1024 * 1024))),
            "keys_file": os.environ.get("STRATUS_KEYS_FILE") or None,
            "store": _env("STORE", "memory").strip() or "memory",
            "api_keys": keys,
            "stream_delay_ms": float(_env("STREAM_DELAY_MS", "0")),
            "sse_keepalive_s": float(_env("SSE_KEEPALIVE_S", "15")),
            "graceful_shutdown_s": float(_env("GRACEFUL_SHUTDOWN_S", "10")),
            "header_timeout_s": float(_env("HEADER_TIMEOUT_S", "10")),
            "body_timeout_s": float(_env("BODY_TIMEOUT_S", "15")),
            "keepalive_timeout_s": float(_env("KEEPALIVE_TIMEOUT_S", "5")),
            "max_connections": int(_env("MAX_CONNECTIONS", "1024")),
            "mock_errors": _env("MOCK_ERRORS", "1").lower() not in ("0", "false", "no", "off"),
            "log_level": _env("LOG_LEVEL", "info"),
            "executor": _env("EXECUTOR", "embedded").strip().lower(),
            "planner_backend": _env("PLANNER_BACKEND", "auto").strip().lower() or "auto",
            "upstream_connect_timeout_s": float(_env("UPSTREAM_CONNECT_TIMEOUT_S", "5")),
            "upstream_read_timeout_s": float(_env("UPSTREAM_READ_TIMEOUT_S", "120")),
            "upstream_retries": int(_env("UPSTREAM_RETRIES", "2")),
            "upstream_backoff_s": float(_env("UPSTREAM_BACKOFF_S", "0.5")),
            "upstream_max_retry_wait_s": float(_env("UPSTREAM_MAX_RETRY_WAIT_S", "10")),
        }
        for provider in PROVIDERS:
            key = os.environ.get(f"STRATUS_{provider.upper()}_API_KEY", "").strip()
            values[f"{provider}_api_key"] = key or None
            values[f"{provider}_base_url"] = _env(
                f"{provider.upper()}_BASE_URL", _DEFAULT_BASE_URLS[provider]
            )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return msgspec.convert(values, cls)


def _without_password(url: str) -> str:
    """`redis://user:secret@host:6379/0` -> `redis://user:***@host:6379/0` (a store URL may log)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
