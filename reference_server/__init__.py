"""Deterministic reference server for the Stratus X1 API."""

from __future__ import annotations

__version__ = "0.1.0"

from reference_server._app import create_app
from reference_server._settings import Settings

__all__ = ["Settings", "__version__", "create_app"]
