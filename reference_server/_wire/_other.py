"""Wire Structs of errors, `/v1/models`, `/health`, `/v1/embeddings` and `/v1/rollout`."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from reference_server._wire._common import UNSET, Request, Response, UnsetType

__all__ = [
    "SIZE_MODEL_PATTERN",
    "AnthropicError",
    "AnthropicErrorDetails",
    "AnthropicErrorResponse",
    "BrainHealth",
    "Embedding",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "EmbeddingsUsage",
    "Health",
    "Model",
    "ModelList",
    "OpenAIError",
    "OpenAIErrorResponse",
    "RolloutAction",
    "RolloutPrediction",
    "RolloutRequest",
    "RolloutResponse",
    "RolloutState",
    "RolloutSummary",
    "RolloutUsage",
]

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class OpenAIError(Response, kw_only=True):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorResponse(Response, kw_only=True):
    """OpenAI envelope (D-ERR-1); 402 adds `required_credits` / `available_credits`."""

    error: OpenAIError
    required_credits: float | UnsetType = UNSET
    available_credits: float | UnsetType = UNSET


class AnthropicErrorDetails(Response, kw_only=True):
    """`error.details`: the machine-readable reason some errors carry (anthropic SDK `ErrorDetails`)."""

    error_code: str


class AnthropicError(Response, kw_only=True):
    type: str
    message: str
    details: AnthropicErrorDetails | UnsetType = UNSET


class AnthropicErrorResponse(Response, kw_only=True):
    """Anthropic envelope (D-ERR-1)."""

    type: Literal["error"]
    error: AnthropicError
    request_id: str
    required_credits: float | UnsetType = UNSET
    available_credits: float | UnsetType = UNSET


class Model(Response, kw_only=True):
    """One catalog entry in the superset shape of D-MOD-4."""

    id: str
    object: Literal["model"]
    created: int
    owned_by: str
    type: Literal["model"]
    display_name: str
    created_at: str


class ModelList(Response, kw_only=True):
    object: Literal["list"]
    data: list[Model]
    has_more: bool
    first_id: str | None
    last_id: str | None


class BrainHealth(Response, kw_only=True):
    loaded: bool
    checkpoint: str
    device: str
    backend: str
    num_actions: int
    random_baseline_nats: float
    sentence_transformers: bool
    tool_matching: str


class Health(Response, kw_only=True):
    status: Literal["healthy"]
    stratus_models_loaded: list[str]
    llm_providers: list[str]
    vault: Literal["connected", "disabled"]
    brain: BrainHealth
    version: str
    git_sha: str


SIZE_MODEL_PATTERN = r"^stratus-x1ac-(small|base|large|xl|huge)$"
"""`EmbeddingsRequest.json#/$defs/SizeModelId` (D-MOD-1)."""


class EmbeddingsRequest(Request, kw_only=True):
    model: Annotated[str, msgspec.Meta(pattern=SIZE_MODEL_PATTERN)]
    input: NonEmpty | Annotated[list[NonEmpty], msgspec.Meta(min_length=1, max_length=256)]
    encoding_format: Literal["float", "base64"] | UnsetType = UNSET
    user: Annotated[str, msgspec.Meta(max_length=256)] | UnsetType = UNSET


class Embedding(Response, kw_only=True):
    object: Literal["embedding"]
    index: int
    embedding: list[float] | str


class EmbeddingsUsage(Response, kw_only=True):
    prompt_tokens: int
    total_tokens: int


class EmbeddingsResponse(Response, kw_only=True):
    object: Literal["list"]
    data: list[Embedding]
    model: str
    usage: EmbeddingsUsage


class RolloutRequest(Request, kw_only=True):
    goal: NonEmpty
    max_steps: Annotated[int, msgspec.Meta(ge=1, le=50)] | UnsetType = UNSET
    actions: (
        Annotated[list[Annotated[int, msgspec.Meta(ge=0, le=66)]], msgspec.Meta(min_length=1, max_length=50)]
        | UnsetType
    ) = UNSET
    return_intermediate: bool | UnsetType = UNSET
    initial_state: str | UnsetType = UNSET
    mode: Literal["plan", "sequence"] | UnsetType = UNSET
    model: Annotated[str, msgspec.Meta(pattern=SIZE_MODEL_PATTERN)] | UnsetType = UNSET


class RolloutAction(Response, kw_only=True):
    """One step of `action_sequence` (and `predictions[].action`)."""

    step: int
    action_id: int
    action_name: str
    action_category: str


class RolloutState(Response, kw_only=True):
    """`current_state` / `predicted_state` of a prediction."""

    step: int
    magnitude: float
    confidence: str


class RolloutPrediction(Response, kw_only=True):
    step: int
    action: RolloutAction
    current_state: RolloutState
    predicted_state: RolloutState
    state_change: float
    interpretation: str
    brain_confidence: float
    brain_goal_proximity: float


class RolloutSummary(Response, kw_only=True):
    total_steps: int
    initial_magnitude: float
    final_magnitude: float
    total_state_change: float
    outcome: str
    planner: str
    action_path: list[str]


class RolloutUsage(Response, kw_only=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class RolloutResponse(Response, kw_only=True):
    id: str
    object: Literal["rollout.prediction"]
    created: int
    model: str
    goal: str
    initial_state: str
    action_sequence: list[RolloutAction]
    predictions: list[RolloutPrediction]
    summary: RolloutSummary
    usage: RolloutUsage
