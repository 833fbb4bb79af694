"""What every API request goes through before its handler: request id, auth, accounting, mock
errors (D-MOCK-1), content type and the strict body decode."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request

from reference_server._auth import BYOK_HEADERS
from reference_server._errors import ApiError, from_validation_error
from reference_server._limits import check_json_depth, parse_digits
from reference_server._settings import Settings
from reference_server._store import Account, Store
from reference_server._wire._decode import decode_request

__all__ = [
    "ERRORS_CHAT",
    "ERRORS_COUNT",
    "ERRORS_MESSAGES",
    "ERRORS_MODEL",
    "ERRORS_MODELS",
    "ERRORS_WORLD",
    "admit",
    "headers_of",
    "mock_stream_error",
    "request_id",
    "settings_of",
    "store_of",
]

T = TypeVar("T")

# Error statuses each operation documents in spec/openapi.yaml (valid X-Stratus-Mock-Status values).
ERRORS_CHAT = frozenset({400, 401, 402, 403, 404, 413, 429, 500, 502, 503, 504})
ERRORS_MESSAGES = ERRORS_CHAT | {529}
ERRORS_COUNT = frozenset({400, 401, 402, 403, 404, 413, 429, 500, 503, 529})
ERRORS_MODELS = frozenset({400, 401, 403, 429, 500, 503})
ERRORS_MODEL = ERRORS_MODELS | {404}
ERRORS_WORLD = frozenset({400, 401, 402, 403, 404, 413, 429, 500, 503, 504})


def request_id(scope: Any) -> str:
    """The request's `req_<24 hex>` id (D-HDR-1), created on first use."""
    state = scope.setdefault("state", {})
    rid = state.get("stratus_request_id")
    if rid is None:
        rid = state["stratus_request_id"] = "req_" + secrets.token_hex(12)
    return str(rid)


def headers_of(request: Request[Any, Any, Any]) -> Mapping[str, str]:
    """The request's headers, name (lower case) -> first value, as Litestar's `request.headers.get`
    reads them; built once per request as a plain dict (a `CIMultiDict` costs several times more)."""
    state = request.scope.setdefault("state", {})
    headers: dict[str, str] | None = state.get("stratus_headers")
    if headers is None:
        raw = request.scope["headers"]
        pairs = raw if isinstance(raw, list) else list(raw)
        headers = state["stratus_headers"] = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in reversed(pairs)
        }
    return headers


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["stratus_settings"]
    return settings


def store_of(request: Request[Any, Any, Any]) -> Store:
    store: Store = request.app.state["stratus_store"]
    return store


def mock_stream_error(request: Request[Any, Any, Any]) -> int | None:
    """Events to send before failing, from `X-Stratus-Mock-Stream-Error`, or None."""
    if not settings_of(request).mock_errors:
        return None
    raw = headers_of(request).get("x-stratus-mock-stream-error")
    if raw is None:
        return None
    events = parse_digits(raw)
    if events is None:
        raise ApiError(
            400, "X-Stratus-Mock-Stream-Error must be a non-negative integer.", code="invalid_value"
        )
    return events


def _mock_status(
    request: Request[Any, Any, Any], headers: Mapping[str, str], statuses: frozenset[int]
) -> None:
    raw = headers.get("x-stratus-mock-status")
    if raw is None or not settings_of(request).mock_errors:
        return
    status = (parse_digits(raw) or 0) if len(raw) == 3 else 0
    if status not in statuses:
        shown = ", ".join(str(s) for s in sorted(statuses))
        raise ApiError(
            400,
            f"X-Stratus-Mock-Status must be a status this operation documents: {shown}.",
            code="invalid_value",
        )
    retry: int | None = None
    raw_retry = headers.get("x-stratus-mock-retry-after")
    if raw_retry is not None:
        seconds = parse_digits(raw_retry)
        if seconds is None:
            raise ApiError(400, "X-Stratus-Mock-Retry-After must be a whole number of seconds.")
        retry = max(1, seconds)
    extra: dict[str, Any] = {}
    if status == 402:
        extra = {"required_credits": 1.0, "available_credits": 0.0}
    raise ApiError(
        status, f"Mock error {status} requested with X-Stratus-Mock-Status.", retry_after=retry, **extra
    )


def _check_optional_headers(request: Request[Any, Any, Any], headers: Mapping[str, str]) -> None:
    """Empty BYOK headers and a `beta` query other than true/false are 400 (spec parameters)."""
    for name in BYOK_HEADERS:
        value = headers.get(name)
        if value is not None and not value.strip():
            raise ApiError(400, f"The {name} header must not be empty.", param=name, code="invalid_value")
    if not request.scope.get("query_string"):
        return
    beta = request.query_params.get("beta")
    if beta is not None and beta not in ("true", "false"):
        raise ApiError(
            400, "Invalid value for 'beta': expected true or false.", param="beta", code="invalid_value"
        )


def _check_content_type(headers: Mapping[str, str]) -> None:
    ctype = headers.get("content-type", "")
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json":
        shown = media or "none"
        raise ApiError(
            400,
            f"Invalid Content-Type header ({shown}): request bodies must be application/json.",
            code="invalid_content_type",
        )


async def admit(
    request: Request[Any, Any, Any],
    typ: type[T] | None,
    *,
    statuses: frozenset[int],
    model_error: Callable[[str], ApiError] | None = None,
) -> tuple[T, Account]:
    """Authenticate, account, honour mock headers, then decode the body strictly into `typ`.

    `statuses` are the error statuses the operation documents (mock requests for others are 400);
    `model_error` builds the dialect's error for a `model` outside the grammar (D-MOD-2).
    """
    headers = headers_of(request)
    store = store_of(request)
    account = await store.authenticate(headers)
    await store.admit(account, request.scope.get("root_path", "") + request.scope["path"])  # = url.path
    _check_optional_headers(request, headers)
    _mock_status(request, headers, statuses)
    if typ is None:
        return None, account  # type: ignore[return-value]
    _check_content_type(headers)
    limit = settings_of(request).max_body_bytes
    declared = parse_digits(headers.get("content-length") or "")
    if declared is not None and declared > limit:
        raise ApiError(413, f"Request body too large: the limit is {limit} bytes.")
    raw = await request.body()
    if len(raw) > limit:
        raise ApiError(413, f"Request body too large: the limit is {limit} bytes.")
    check_json_depth(raw)
    try:
        return decode_request(typ, raw), account
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        err = from_validation_error(exc)
        if model_error is not None and err.param == "model" and "matching regex" in err.message:
            # msgspec stops at the first error: the rest of the body may not even be JSON
            try:
                value = msgspec.json.decode(raw, type=_ModelOnly).model
            except (msgspec.ValidationError, msgspec.DecodeError) as broken:
                raise from_validation_error(broken) from None
            raise model_error(value) from None
        raise err from None


class _ModelOnly(msgspec.Struct):
    model: str
