"""`JSONResponse`: a JSON body encoded once by msgspec and sent as two ASGI messages.

Litestar's generic response path (header container, media-type negotiation, cookie encoding) costs
about as much as one of our handlers; a successful JSON answer needs none of it, so this response
sends `content-type` and `content-length` itself. Anything that does need the generic path (extra
headers, cookies, background tasks, HEAD) still takes it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Scope, Send

__all__ = ["JSONResponse"]

_ENCODER = msgspec.json.Encoder()


class _Body(ASGIResponse):
    """The two ASGI messages of a plain JSON answer (`ASGIResponse.__init__` is skipped on purpose)."""

    def __init__(self, body: bytes, status: int) -> None:
        self.body = body
        self.status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self.body)).encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class JSONResponse(Response[bytes]):
    """`application/json` response of any msgspec-encodable value (status 200 unless given)."""

    def __init__(self, body: Any, status_code: int = 200) -> None:
        # what `Response.__init__` sets for these arguments, without its generic checks
        self.content = _ENCODER.encode(body)
        self.background = None
        self.cookies = []
        self.encoding = "utf-8"
        self.headers = {}
        self.media_type = "application/json"
        self.status_code = status_code
        self.response_type_encoders = {}

    def to_asgi_response(self, app: Any, request: Any, **kwargs: Any) -> ASGIResponse:
        plain = not (
            self.headers
            or self.cookies
            or self.background
            or kwargs.get("headers")
            or kwargs.get("cookies")
            or kwargs.get("background")
            or kwargs.get("is_head_response")
        )
        if plain:
            return _Body(self.content, self.status_code or 200)
        return super().to_asgi_response(app, request, **kwargs)
