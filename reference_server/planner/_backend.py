"""Backend selection: NumPy always, CuPy when a CUDA GPU is usable.

`STRATUS_PLANNER_BACKEND=auto|numpy|cupy` (default `auto`): `auto` uses CuPy when it imports and sees a
device, else NumPy; `cupy` without CuPy or a GPU raises `PlannerBackendError` naming the extra.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

__all__ = ["ENV_VAR", "GPU_EXTRA_HINT", "PlannerBackendError", "cupy_or_none", "resolve_backend"]

ENV_VAR = "STRATUS_PLANNER_BACKEND"
GPU_EXTRA_HINT = "pip install 'stratus-conformance[gpu]'"


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


def resolve_backend(requested: str | None = None) -> tuple[str, str]:
    """(backend, device) for `requested` or `$STRATUS_PLANNER_BACKEND`; raises `PlannerBackendError`."""
    name = (requested or os.environ.get(ENV_VAR) or "auto").strip().lower()
    if name not in ("auto", "numpy", "cupy"):
        raise PlannerBackendError(f"{ENV_VAR}={name!r} is not one of auto, numpy, cupy")
    if name == "numpy":
        return "numpy", "cpu"
    cp, device = _probe_cupy()
    if cp is not None:
        return "cupy", device
    if name == "cupy":
        raise PlannerBackendError(
            f"{ENV_VAR}=cupy but CuPy cannot run here ({device}); install the GPU extra with "
            f"`{GPU_EXTRA_HINT}` (or `stratus-conformance[gpu-cuda12]` for CUDA 12) on a machine with an "
            "NVIDIA GPU, or set STRATUS_PLANNER_BACKEND=numpy"
        )
    return "numpy", "cpu"
