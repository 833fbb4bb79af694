"""Importing this package registers every case (one module per profile family)."""

from conformance.cases import (  # noqa: F401
    anthropic_messages,
    anthropic_stream,
    auth,
    errors,
    fuzz,
    honoured,
    limits,
    models_health,
    openai_chat,
    openai_stream,
    rollout,
    sdk_anthropic,
    sdk_clients,
    sdk_honoured,
    sdk_node,
    sdk_openai,
    sdk_other,
    stratus,
    structured,
    surface,
)

__all__: list[str] = []
