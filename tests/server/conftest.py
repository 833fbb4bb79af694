"""A real uvicorn server on a free loopback port, shared by the whole session, with a key store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reference_server import Settings, create_app
from tests.server._serve import serve

KEY = "stratus_sk_test_referenceKey01"
POOR_KEY = "stratus_sk_test_poorKey0001"
LIMITED_KEY = "stratus_sk_test_limitedKey01"
MODELS_ONLY_KEY = "stratus_sk_test_modelsOnly01"
MODEL = "stratus-x1ac-small-gpt-4o"


@pytest.fixture(scope="session")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys.json"
    path.write_text(
        json.dumps(
            {
                "keys": [
                    {"key": KEY},
                    {"key": POOR_KEY, "credits": 0.001},
                    {"key": LIMITED_KEY, "rate_limit_per_minute": 2},
                    {"key": MODELS_ONLY_KEY, "allowed_endpoints": ["/v1/models"]},
                ]
            }
        )
    )
    return path


@pytest.fixture(scope="session")
def settings(keys_file: Path) -> Settings:
    return Settings(keys_file=str(keys_file), max_body_bytes=64 * 1024)


@pytest.fixture(scope="session")
def base_url(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=10) as client:
        yield client
