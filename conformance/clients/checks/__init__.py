"""The Python checks, one module per client family (importing this registers them all)."""

from __future__ import annotations

from . import _anthropic, _instructor, _langchain, _litellm, _llama_index, _openai, _pydantic_ai

__all__: list[str] = []

del _anthropic, _instructor, _langchain, _litellm, _llama_index, _openai, _pydantic_ai
