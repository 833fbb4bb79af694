"""Backend selection and `backend_info()` (the NumPy path is always available)."""

from __future__ import annotations

import pytest

from reference_server.planner import Planner, PlannerBackendError, _backend, backend_info
from reference_server.planner._backend import cupy_or_none, numba_or_none, resolve_backend

NO_GPU = cupy_or_none() is None
CPU_AUTO = "numba" if numba_or_none() is not None else "numpy"


def test_numpy_forced() -> None:
    assert resolve_backend("numpy") == ("numpy", "cpu")
    info = backend_info("numpy")
    assert info["backend"] == "numpy"
    assert info["device"] == "cpu"
    assert info["num_actions"] == 67


def test_auto() -> None:
    assert resolve_backend() == resolve_backend("auto")
    backend, device = resolve_backend("auto")
    assert backend == (CPU_AUTO if NO_GPU else "cupy")
    assert device == "cpu" if NO_GPU else device.startswith("cuda:0")


@pytest.mark.skipif(not NO_GPU, reason="CuPy with a GPU is available here")
def test_cupy_without_gpu_names_the_extra() -> None:
    with pytest.raises(PlannerBackendError, match=r"stratus-conformance\[gpu\]"):
        resolve_backend("cupy")
    with pytest.raises(PlannerBackendError):
        Planner("base", backend="cupy")


def test_numba_without_numba_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_backend, "_probe_numba", lambda: (None, "ImportError: No module named 'numba'"))
    with pytest.raises(PlannerBackendError, match=r"stratus-conformance\[jit\]"):
        resolve_backend("numba")
    if NO_GPU:
        assert resolve_backend("auto") == ("numpy", "cpu")


def test_numba_with_jit_disabled_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """NUMBA_DISABLE_JIT runs the kernels as Python floats (float64): not the NumPy bits."""
    numba = pytest.importorskip("numba")
    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    _backend._probe_numba.cache_clear()
    try:
        assert numba_or_none() is None
        with pytest.raises(PlannerBackendError, match="NUMBA_DISABLE_JIT"):
            resolve_backend("numba")
    finally:
        monkeypatch.undo()
        _backend._probe_numba.cache_clear()
    assert numba_or_none() is numba


@pytest.mark.skipif(numba_or_none() is None, reason="numba is not installed")
def test_numba_forced() -> None:
    assert resolve_backend("numba") == ("numba", "cpu")
    assert backend_info("numba")["backend"] == "numba"


def test_unknown_backend() -> None:
    with pytest.raises(PlannerBackendError, match="auto, numpy, numba, cupy"):
        resolve_backend("tpu")
    assert issubclass(PlannerBackendError, RuntimeError)


def test_the_environment_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend comes from the caller (the server's Settings), never from the environment."""
    monkeypatch.setenv("STRATUS_PLANNER_BACKEND", "tpu")
    assert resolve_backend("numpy") == ("numpy", "cpu")
    assert resolve_backend() == resolve_backend("auto")
