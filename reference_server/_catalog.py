"""The model catalog (data file `_catalog.json`) and the model-id grammar of D-MOD-1."""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import Any

import msgspec

from reference_server._wire._chat import CHAT_MODEL_PATTERN
from reference_server._wire._other import Model

__all__ = ["ModelId", "all_models", "find_model", "parse_chat_model", "parse_size_model"]

_PREFIX = "stratus-x1ac-"
_CHAT_RE = re.compile(CHAT_MODEL_PATTERN)


class ModelId(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed chat/messages model id."""

    id: str
    size: str
    llm: str
    """The LLM part (`gpt-4o`, `deepseek/deepseek-r1`); reported as `stratus.execution_llm`."""


@functools.cache
def _data() -> dict[str, Any]:
    raw = importlib.resources.files("reference_server").joinpath("_catalog.json").read_bytes()
    data: dict[str, Any] = msgspec.json.decode(raw)
    return data


@functools.cache
def _native() -> frozenset[str]:
    return frozenset(llm for llms in _data()["native"].values() for llm in llms)


def _split_size(model: str) -> tuple[str, str] | None:
    if not model.startswith(_PREFIX):
        return None
    rest = model[len(_PREFIX) :]
    for size in _data()["sizes"]:
        if rest == size:
            return size, ""
        if rest.startswith(size + "-"):
            return size, rest[len(size) + 1 :]
    return None


def parse_chat_model(model: str) -> ModelId | None:
    """Parse `stratus-x1ac-{size}-{llm}`; `None` when the id is not valid for chat/messages."""
    split = _split_size(model)
    if split is None or not split[1]:
        return None
    size, llm = split
    if llm in _native() or _CHAT_RE.match(model):
        return ModelId(id=model, size=size, llm=llm)
    return None


def parse_size_model(model: str) -> str | None:
    """Parse a size-only id `stratus-x1ac-{size}` (embeddings, rollout); return the size."""
    split = _split_size(model)
    if split is None or split[1]:
        return None
    return split[0]


def _entry(model_id: str, display: str) -> Model:
    data = _data()
    return Model(
        id=model_id,
        object="model",
        created=data["created"],
        owned_by="stratus",
        type="model",
        display_name=display,
        created_at=data["created_at"],
    )


@functools.cache
def all_models() -> tuple[Model, ...]:
    """Every catalogued id: size-only ids first, then each size with each LLM."""
    data = _data()
    out = [_entry(_PREFIX + size, f"Stratus X1-AC {size}") for size in data["sizes"]]
    llms = [llm for group in data["native"].values() for llm in group] + list(data["openrouter"])
    for size in data["sizes"]:
        for llm in llms:
            out.append(_entry(f"{_PREFIX}{size}-{llm}", f"Stratus X1-AC {size} + {llm}"))
    return tuple(out)


@functools.cache
def _index() -> dict[str, Model]:
    return {m.id: m for m in all_models()}


def find_model(model_id: str) -> Model | None:
    """The catalog entry for `model_id`, or a synthesized one for a valid uncatalogued OpenRouter id."""
    found = _index().get(model_id)
    if found is not None:
        return found
    parsed = parse_chat_model(model_id)
    if parsed is None:
        return None
    return _entry(model_id, f"Stratus X1-AC {parsed.size} + {parsed.llm}")
