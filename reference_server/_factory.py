"""Import target for uvicorn: `reference_server._factory:app` (a factory reading `STRATUS_*`)."""

from __future__ import annotations

from litestar import Litestar

from reference_server._app import create_app
from reference_server._settings import Settings

__all__ = ["app"]


def app() -> Litestar:
    return create_app(Settings.from_env())
