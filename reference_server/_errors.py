"""Errors in both dialects: one exception type, two envelopes, and the D-ERR-2 status table.

Handlers raise `ApiError(status, message, ...)` without knowing the dialect; the app's exception
handler renders it as OpenAI's `{"error":{message,type,param,code}}` or Anthropic's
`{"type":"error","error":{type,message},"request_id"}` depending on the route (D-ERR-1).
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from reference_server._wire._other import (
    AnthropicError,
    AnthropicErrorDetails,
    AnthropicErrorResponse,
    OpenAIError,
    OpenAIErrorResponse,
)

__all__ = [
    "ANTHROPIC_TYPES",
    "OPENAI_TYPES",
    "ApiError",
    "Dialect",
    "from_validation_error",
    "render",
]

Dialect = Literal["openai", "anthropic"]

OPENAI_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "invalid_value"),
    401: ("authentication_error", "invalid_api_key"),
    402: ("insufficient_credits", "insufficient_credits"),
    403: ("permission_error", "permission_denied"),
    404: ("invalid_request_error", "unknown_url"),
    405: ("invalid_request_error", "method_not_allowed"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit", "rate_limit_exceeded"),
    500: ("internal_error", "internal_error"),
    502: ("llm_provider_error", "llm_provider_error"),
    503: ("model_not_loaded", "model_not_loaded"),
    504: ("timeout_error", "timeout"),
}
"""OpenAI dialect: status -> (type, default code) (D-ERR-2)."""

ANTHROPIC_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
"""Anthropic dialect: status -> `error.type` (D-ERR-2)."""

_RETRY_STATUSES = frozenset({429, 503, 529})


class ApiError(Exception):
    """An error response. `type_`/`code` default from the status table of the dialect."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type_: str | None = None,
        retry_after: int | None = None,
        required_credits: float | None = None,
        available_credits: float | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type_ = type_
        self.retry_after = retry_after
        self.required_credits = required_credits
        self.available_credits = available_credits
        self.error_code = error_code
        """Anthropic's machine-readable `error.details.error_code` (e.g. `thread_unsupported_request`)."""


def _openai_type(status: int) -> tuple[str, str]:
    if status in OPENAI_TYPES:
        return OPENAI_TYPES[status]
    if status >= 500:
        return OPENAI_TYPES[500]
    return OPENAI_TYPES[400]


def _anthropic_type(status: int) -> str:
    if status in ANTHROPIC_TYPES:
        return ANTHROPIC_TYPES[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def render(err: ApiError, dialect: Dialect, request_id: str) -> tuple[bytes, dict[str, str]]:
    """Encode `err` in the envelope of `dialect`; return the body and the extra headers."""
    headers: dict[str, str] = {}
    if err.status in _RETRY_STATUSES:
        headers["retry-after"] = str(max(1, err.retry_after if err.retry_after is not None else 1))
    elif err.retry_after is not None:
        headers["retry-after"] = str(max(1, err.retry_after))
    if 400 <= err.status < 500 and err.status not in (408, 409, 429):
        headers["x-should-retry"] = "false"
    if dialect == "anthropic":
        body = AnthropicErrorResponse(
            type="error",
            error=AnthropicError(
                type=_anthropic_type(err.status),
                message=err.message,
                details=msgspec.UNSET
                if err.error_code is None
                else AnthropicErrorDetails(error_code=err.error_code),
            ),
            request_id=request_id,
        )
        return msgspec.json.encode(body), headers
    o_type, o_code = _openai_type(err.status)
    envelope = OpenAIErrorResponse(
        error=OpenAIError(
            message=err.message,
            type=err.type_ or o_type,
            param=err.param,
            code=err.code or o_code,
        )
    )
    if err.status == 402:
        envelope.required_credits = err.required_credits or 0.0
        envelope.available_credits = err.available_credits or 0.0
    return msgspec.json.encode(envelope), headers


_PATH_RE = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_FIELD_RE = re.compile(r"field `(?P<field>[^`]+)`")


def _join(path: str, field: str) -> str:
    return f"{path}.{field}" if path else field


def from_validation_error(exc: msgspec.ValidationError | msgspec.DecodeError) -> ApiError:
    """Translate a msgspec error ("... - at `$.messages[0].role`") into a 400 naming the parameter."""
    text = str(exc)
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return ApiError(400, f"We could not parse the JSON body of your request: {text}", code="invalid_json")
    path = ""
    m = _PATH_RE.search(text)
    if m:
        path = m.group("path").lstrip(".")
        text = text[: m.start()]
    field = _FIELD_RE.search(text)
    if text.startswith("Object missing required field") and field:
        param = _join(path, field.group("field"))
        return ApiError(
            400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
        )
    if text.startswith("Object contains unknown field") and field:
        param = _join(path, field.group("field"))
        return ApiError(
            400, f"Unrecognized request argument supplied: '{param}'.", param=param, code="unknown_parameter"
        )
    if not path:
        return ApiError(400, f"Invalid request body: {text}.", param=None, code="invalid_type")
    code = "invalid_type" if ", got `" in text else "invalid_value"
    return ApiError(400, f"Invalid value for '{path}': {text}.", param=path, code=code)
