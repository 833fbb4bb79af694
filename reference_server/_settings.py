"""Server settings, from keyword arguments or `STRATUS_*` environment variables."""

from __future__ import annotations

import os

import msgspec

__all__ = ["Settings"]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"STRATUS_{name}", default)


class Settings(msgspec.Struct, kw_only=True):
    """Reference-server configuration. `Settings.from_env()` reads `STRATUS_<FIELD>` variables."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 4 * 1024 * 1024
    """Larger request bodies are answered 413 (`STRATUS_MAX_BODY_BYTES`)."""
    keys_file: str | None = None
    """JSON key store with per-key credits, rate limits and endpoints (`STRATUS_KEYS_FILE`)."""
    api_keys: tuple[str, ...] = ()
    """Accepted keys, unlimited (`STRATUS_API_KEYS`, comma-separated). Empty + no file: any well-formed key."""
    stream_delay_ms: float = 0.0
    """Pause between stream events, to imitate generation speed (`STRATUS_STREAM_DELAY_MS`)."""
    graceful_shutdown_s: float = 10.0
    """How long uvicorn lets open requests finish on shutdown (`STRATUS_GRACEFUL_SHUTDOWN_S`)."""
    mock_errors: bool = True
    """Honour the `X-Stratus-Mock-*` headers (D-MOCK-1) (`STRATUS_MOCK_ERRORS`)."""
    log_level: str = "info"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `STRATUS_*` variables; keyword arguments win."""
        keys = tuple(k.strip() for k in _env("API_KEYS", "").split(",") if k.strip())
        values: dict[str, object] = {
            "host": _env("HOST", "127.0.0.1"),
            "port": int(_env("PORT", "8000")),
            "workers": int(_env("WORKERS", "1")),
            "max_body_bytes": int(_env("MAX_BODY_BYTES", str(4 * 1024 * 1024))),
            "keys_file": os.environ.get("STRATUS_KEYS_FILE") or None,
            "api_keys": keys,
            "stream_delay_ms": float(_env("STREAM_DELAY_MS", "0")),
            "graceful_shutdown_s": float(_env("GRACEFUL_SHUTDOWN_S", "10")),
            "mock_errors": _env("MOCK_ERRORS", "1").lower() not in ("0", "false", "no", "off"),
            "log_level": _env("LOG_LEVEL", "info"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return msgspec.convert(values, cls)
