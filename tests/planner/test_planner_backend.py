"""Backend selection and `backend_info()` (the NumPy path is always available)."""

from __future__ import annotations

import pytest

from reference_server.planner import Planner, PlannerBackendError, backend_info
from reference_server.planner._backend import cupy_or_none, resolve_backend

NO_GPU = cupy_or_none() is None


def test_numpy_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "numpy")
    assert resolve_backend() == ("numpy", "cpu")
    info = backend_info()
    assert info["backend"] == "numpy"
    assert info["device"] == "cpu"
    assert info["num_actions"] == 67


def test_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "auto")
    backend, device = resolve_backend()
    assert backend == ("numpy" if NO_GPU else "cupy")
    assert device == "cpu" if NO_GPU else device.startswith("cuda:0")


@pytest.mark.skipif(not NO_GPU, reason="CuPy with a GPU is available here")
def test_cupy_without_gpu_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "cupy")
    with pytest.raises(PlannerBackendError, match=r"stratus-conformance\[gpu\]"):
        resolve_backend()
    with pytest.raises(PlannerBackendError):
        Planner("base", backend="cupy")


def test_unknown_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "tpu")
    with pytest.raises(PlannerBackendError, match="auto, numpy, cupy"):
        resolve_backend()
    assert issubclass(PlannerBackendError, RuntimeError)
