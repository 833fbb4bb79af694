"""Backend selection: NumPy always, numba-compiled CPU kernels when numba imports, CuPy on a CUDA GPU.

The backend is asked for by name, `auto|numpy|numba|cupy` (the server's `Settings.planner_backend`,
from `STRATUS_PLANNER_BACKEND`; default `auto`): `auto` uses CuPy when it imports and sees a device,
else numba when it imports, else NumPy. `numba` and `numpy` give the same results bit for bit (numba is
only faster); `cupy` or `numba` where they cannot run raise `PlannerBackendError` naming the extra to
install. Nothing here reads the environment.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "GPU_EXTRA_HINT",
    "JIT_EXTRA_HINT",
    "PlannerBackendError",
    "cupy_or_none",
    "numba_or_none",
    "resolve_backend",
]

ENV_VAR = "STRATUS_PLANNER_BACKEND"
BACKENDS = ("auto", "numpy", "numba", "cupy")
GPU_EXTRA_HINT = "pip install 'stratus-conformance[gpu]'"
JIT_EXTRA_HINT = "pip install 'stratus-conformance[jit]'"


class PlannerBackendError(RuntimeError):
    """The requested planner backend cannot run on this machine (or the name is unknown)."""


@cache
def _probe_cupy() -> tuple[Any, str]:
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "no CUDA device visible"
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
        return cupy, f"cuda:0 {name}"
    except Exception as exc:  # ImportError, CUDARuntimeError, missing driver, ...
        return None, f"{type(exc).__name__}: {exc}"


def cupy_or_none() -> Any:
    """The `cupy` module when it can run here, else None."""
    return _probe_cupy()[0]


@cache
def _probe_numba() -> tuple[Any, str]:
    try:
        import numba

        if getattr(numba.config, "DISABLE_JIT", False):  # kernels run as Python floats: not the NumPy bits
            return None, "NUMBA_DISABLE_JIT is set"
        return numba, f"numba {numba.__version__}"
    except Exception as exc:  # ImportError, or a numba built for another NumPy
        return None, f"{type(exc).__name__}: {exc}"


def numba_or_none() -> Any:
    """The `numba` module when it imports here, else None."""
    return _probe_numba()[0]


def resolve_backend(requested: str | None = None) -> tuple[str, str]:
    """(backend, device) for `requested` (`None`: `auto`); raises `PlannerBackendError`."""
    name = (requested or "auto").strip().lower()
    if name not in BACKENDS:
        raise PlannerBackendError(f"{ENV_VAR}={name!r} is not one of {', '.join(BACKENDS)}")
    if name == "numpy":
        return "numpy", "cpu"
    if name == "numba":
        nb, why = _probe_numba()
        if nb is None:
            raise PlannerBackendError(
                f"{ENV_VAR}=numba but numba cannot run here ({why}); install the extra with "
                f"`{JIT_EXTRA_HINT}`, or set {ENV_VAR}=numpy (the same results, slower)"
            )
        return "numba", "cpu"
    cp, device = _probe_cupy()
    if cp is not None:
        return "cupy", device
    if name == "cupy":
        raise PlannerBackendError(
            f"{ENV_VAR}=cupy but CuPy cannot run here ({device}); install the GPU extra with "
            f"`{GPU_EXTRA_HINT}` (or `stratus-conformance[gpu-cuda12]` for CUDA 12) on a machine with an "
            "NVIDIA GPU, or set STRATUS_PLANNER_BACKEND=numpy"
        )
    return ("numba" if numba_or_none() is not None else "numpy"), "cpu"
