"""The deployment a check runs against: any base URL and key (stdlib only)."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["DEFAULT_ANTHROPIC_MODEL", "DEFAULT_OPENAI_MODEL", "DEFAULT_WRONG_KEY", "Target"]

DEFAULT_OPENAI_MODEL = "stratus-x1ac-base-gpt-4o"
DEFAULT_ANTHROPIC_MODEL = "stratus-x1ac-base-claude-sonnet-4-5"
DEFAULT_WRONG_KEY = "stratus_sk_test_notissued0000wrong"
"""Well-formed but never issued: the matrix starts the reference server with `STRATUS_API_KEYS` set to
its own key, so this one is refused there as on a real deployment."""


@dataclass(frozen=True)
class Target:
    """`base_url` without `/v1` (the OpenAI-style clients get `{base_url}/v1`, the Anthropic ones the
    bare URL, as their docs say); `wrong_key` is what the auth-error checks send."""

    base_url: str
    api_key: str
    openai_model: str = DEFAULT_OPENAI_MODEL
    anthropic_model: str = DEFAULT_ANTHROPIC_MODEL
    wrong_key: str = DEFAULT_WRONG_KEY
    timeout_s: float = 60.0

    @property
    def openai_base(self) -> str:
        return f"{self.base_url.rstrip('/')}/v1"

    @property
    def anthropic_base(self) -> str:
        return self.base_url.rstrip("/")

    @classmethod
    def from_options(
        cls,
        base_url: str | None,
        api_key: str | None,
        *,
        openai_model: str | None = None,
        anthropic_model: str | None = None,
        wrong_key: str | None = None,
        timeout_s: float = 60.0,
    ) -> Target:
        """Options first, then `STRATUS_BASE_URL` / `STRATUS_API_KEY` (keep keys out of argv)."""
        url = base_url or os.environ.get("STRATUS_BASE_URL")
        key = api_key or os.environ.get("STRATUS_API_KEY")
        if not url or not key:
            raise ValueError("a base URL and an API key are needed (--base-url/--api-key or STRATUS_*)")
        return cls(
            base_url=url,
            api_key=key,
            openai_model=openai_model or DEFAULT_OPENAI_MODEL,
            anthropic_model=anthropic_model or DEFAULT_ANTHROPIC_MODEL,
            wrong_key=wrong_key or DEFAULT_WRONG_KEY,
            timeout_s=timeout_s,
        )
