"""`JSONResponse`: the direct two-message path, and the generic path whenever something needs it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import Cookie, ResponseHeader
from litestar.testing import TestClient

from reference_server._json import JSONResponse

BODY = {"id": "x", "n": [1, 2.5, None], "text": "héllo"}


@get("/plain", sync_to_thread=False)
def plain() -> Response[Any]:
    return JSONResponse(BODY)


@get("/created", sync_to_thread=False)
def created() -> Response[Any]:
    return JSONResponse(BODY, status_code=201)


@get("/with-header", sync_to_thread=False)
def with_header() -> Response[Any]:
    response = JSONResponse(BODY)
    response.headers["x-extra"] = "1"
    return response


@get(
    "/layered",
    sync_to_thread=False,
    response_headers=[ResponseHeader(name="x-layer", value="yes")],
    response_cookies=[Cookie(key="c", value="v")],
)
def layered() -> Response[Any]:
    return JSONResponse(BODY)


def _client() -> TestClient[Litestar]:
    return TestClient(Litestar([plain, created, with_header, layered]))


def test_plain_json_is_sent_directly() -> None:
    with _client() as client:
        r = client.get("/plain")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.headers["content-length"] == str(len(r.content))
        assert r.content == msgspec.json.encode(BODY)
        assert client.get("/created").status_code == 201


def test_extra_headers_and_cookies_take_the_generic_path() -> None:
    with _client() as client:
        r = client.get("/with-header")
        assert r.headers["x-extra"] == "1"
        assert r.json() == BODY
        r = client.get("/layered")
        assert r.headers["x-layer"] == "yes"
        assert r.cookies.get("c") == "v"
        assert r.json() == BODY
        assert client.head("/plain").content == b""
