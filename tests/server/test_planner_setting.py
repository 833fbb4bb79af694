"""The planner backend is a server setting (`Settings.planner_backend`, `STRATUS_PLANNER_BACKEND`),
handed to the planner by every call site: health, planning, embeddings, rollout."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from reference_server import Settings, create_app

KEY = {"authorization": "Bearer stratus_sk_test_plannerSetting1"}


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", " NumPy ")
    assert Settings.from_env().planner_backend == "numpy"
    monkeypatch.delenv("STRATUS_PLANNER_BACKEND")
    assert Settings.from_env().planner_backend == "auto"
    assert Settings().planner_backend == "auto"


def test_every_planner_call_uses_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "numpy")  # not read: the setting wins
    with TestClient(create_app(Settings(planner_backend="tpu"))) as c:
        c.headers.update(KEY)
        requests: list[tuple[str, dict[str, Any]]] = [
            (
                "/v1/chat/completions",
                {"model": "stratus-x1ac-small-gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
            ),
            ("/v1/embeddings", {"model": "stratus-x1ac-small", "input": "Hi"}),
            ("/v1/rollout", {"goal": "Find hotels", "model": "stratus-x1ac-small"}),
        ]
        for path, body in requests:
            r = c.post(path, json=body)
            assert r.status_code == 503, (path, r.text)
            assert "STRATUS_PLANNER_BACKEND='tpu'" in r.json()["error"]["message"]
    with TestClient(create_app(Settings(planner_backend="numpy"))) as c:
        assert c.get("/health").json()["brain"]["backend"] == "numpy"
