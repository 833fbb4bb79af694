"""Which provider executes a model id, with which key, at which URL (D-EXEC-1, D-AUTH-3).

Pure functions, no I/O. A `Route` holds the key it was resolved with, but never prints it; `scrub`
removes keys (the one used, and anything shaped like a key) from provider text before a client or a
log sees it.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from reference_server._errors import ApiError
from reference_server._execution import BYOK, KeySource, ProviderKeys
from reference_server._settings import Settings

__all__ = ["ANTHROPIC_VERSION", "NAMES", "Provider", "Route", "provider_for", "route_for", "scrub"]

Provider = Literal["openai", "anthropic", "google", "openrouter"]

NAMES: dict[str, str] = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "openrouter": "OpenRouter",
}
ANTHROPIC_VERSION = "2023-06-01"
_KEYISH = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{16,}|stratus_sk_[A-Za-z0-9_]{8,})")


def scrub(text: str, *secrets: str) -> str:
    """`text` without any of `secrets` and without anything shaped like a provider or Stratus key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return _KEYISH.sub("[REDACTED]", text)


def provider_for(llm: str) -> Provider:
    """The provider that executes the LLM part of a Stratus model id (D-EXEC-1)."""
    if "/" in llm:
        return "openrouter"
    if llm.startswith("claude-"):
        return "anthropic"
    if llm.startswith("gemini-"):
        return "google"
    return "openai"  # gpt-*, chatgpt-*, o1..o9*: the rest of the D-MOD-1 grammar


class Route(msgspec.Struct, frozen=True, kw_only=True, repr_omit_defaults=True):
    """Where one request goes: provider, provider model id, endpoint and key (never printed)."""

    provider: Provider
    model: str
    url: str
    key_source: KeySource
    key: str = msgspec.field(default="")

    def __repr__(self) -> str:
        return f"Route(provider={self.provider!r}, model={self.model!r}, url={self.url!r}, key_source={self.key_source!r})"

    @property
    def name(self) -> str:
        return NAMES[self.provider]

    @property
    def wire(self) -> Literal["openai", "anthropic"]:
        """The API the provider speaks: Anthropic Messages, or Chat Completions for the others."""
        return "anthropic" if self.provider == "anthropic" else "openai"

    def headers(self) -> dict[str, str]:
        if self.provider == "anthropic":
            return {"x-api-key": self.key, "anthropic-version": ANTHROPIC_VERSION}
        headers = {"authorization": f"Bearer {self.key}"}
        if self.provider == "openrouter":
            headers["x-title"] = "Stratus X1 reference server"
        return headers


def _header_title(header: str) -> str:
    return "-".join(
        "OpenAI" if p == "openai" else "OpenRouter" if p == "openrouter" else p.title()
        for p in header.split("-")
    )


def route_for(llm: str, settings: Settings, keys: ProviderKeys) -> Route:
    """Resolve provider and key: the provider's BYOK header, then its chat body key (`user`), then
    the operator's `STRATUS_<PROVIDER>_API_KEY` (`formation`); none is 502 `llm_provider_not_configured`."""
    provider = provider_for(llm)
    key = keys.for_provider(provider) or ""
    source: KeySource = "user"
    if not key:
        key, source = settings.provider_key(provider) or "", "formation"
    if not key:
        raise ApiError(
            502,
            f"No {NAMES[provider]} key is available for '{llm}': send the {_header_title(BYOK[provider][0])} "
            f"header or configure STRATUS_{provider.upper()}_API_KEY on the server.",
            type_="llm_provider_not_configured",
            code="llm_provider_not_configured",
        )
    suffix = "/messages" if provider == "anthropic" else "/chat/completions"
    return Route(
        provider=provider,
        model=llm,
        url=settings.provider_base_url(provider) + suffix,
        key_source=source,
        key=key,
    )
