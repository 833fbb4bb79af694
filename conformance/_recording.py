"""vcrpy cassettes: one per case, keys scrubbed at record time, hermetic replay."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr

from conformance._redact import REDACTED, SECRET_HEADERS, redact_body, redact_text, redact_url

__all__ = ["cassette", "cassette_path"]

_VOLATILE = (
    "date",
    "user-agent",
    "x-stainless-os",
    "x-stainless-arch",
    "x-stainless-runtime-version",
    "x-stainless-package-version",
    "x-stainless-runtime",
    "x-stainless-lang",
    "x-stainless-async",
    "x-stainless-read-timeout",
    "x-stainless-retry-count",
)


def cassette_path(directory: Path, case_id: str) -> Path:
    return directory / f"{case_id}.yaml"


_KEY = re.compile(r"^stratus_sk_(live|test)_[A-Za-z0-9]{8,}$")


def _key_class(value: str) -> str:
    """What replay matching may know about a secret: its shape, never its value."""
    if value.startswith(f"{REDACTED}:"):
        return value.split(":", 1)[1]
    v = value.removeprefix("Bearer").strip()
    return "stratus-key" if _KEY.match(v) else "empty" if not v else "other"


def _fingerprint(request: Any) -> dict[str, str]:
    out = {}
    for name, value in request.headers.items():
        low = name.lower()
        if low in SECRET_HEADERS:
            out[low] = _key_class(str(value))
        elif low.startswith("x-stratus-mock-") or low in ("anthropic-version", "content-type"):
            out[low] = str(value)
    return out


def _headers_matcher(r1: Any, r2: Any) -> None:
    if _fingerprint(r1) != _fingerprint(r2):
        raise AssertionError("credential shapes or mock headers differ")


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS:
            request.headers[name] = f"{REDACTED}:{_key_class(str(request.headers[name]))}"
        else:
            request.headers[name] = redact_text(str(request.headers[name]))
    request.uri = redact_url(request.uri)
    if request.body:
        raw = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        request.body = redact_body(raw).encode()
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            headers[name] = [REDACTED]
        else:
            headers[name] = [redact_text(str(v)) for v in headers[name]]
    body = response.get("body") or {}
    raw = body.get("string")
    if isinstance(raw, bytes) and raw:
        text = raw.decode("utf-8", "replace")
        scrubbed = redact_text(text)
        if scrubbed != text:
            body["string"] = scrubbed.encode()
    return response


def _query_matcher(r1: Any, r2: Any) -> None:
    if urlsplit(redact_url(r1.uri)).query != urlsplit(redact_url(r2.uri)).query:
        raise AssertionError("queries differ")


def _body_matcher(r1: Any, r2: Any) -> None:
    def norm(r: Any) -> str:
        raw = r.body if isinstance(r.body, bytes) else (str(r.body).encode() if r.body else b"")
        return redact_body(raw)

    if norm(r1) != norm(r2):
        raise AssertionError("bodies differ")


def _vcr(record: bool) -> vcr.VCR:
    v = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=["method", "path", "scrubbed_query", "scrubbed_body", "header_shapes"],
        filter_headers=[(h, None) for h in _VOLATILE],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    v.register_matcher("scrubbed_body", _body_matcher)
    v.register_matcher("scrubbed_query", _query_matcher)
    v.register_matcher("header_shapes", _headers_matcher)
    return v


@contextlib.contextmanager
def cassette(directory: Path, case_id: str, *, record: bool) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True) if record else None
    path = cassette_path(directory, case_id)
    if record and path.exists():
        path.unlink()
    with _vcr(record).use_cassette(str(path), allow_playback_repeats=True):
        yield
