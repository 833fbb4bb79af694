"""CUDA kernels: nvcc compiles them (when nvcc exists); CuPy and NumPy agree (on a GPU)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from reference_server.planner import Planner
from reference_server.planner._backend import cupy_or_none
from reference_server.planner._kernels import CUDA_SOURCE, KERNEL_NAMES
from reference_server.planner._policy import masked_softmax
from tests.planner._helpers import load_cases, numpy_planner

NVCC = shutil.which("nvcc") or next(
    (str(p) for p in sorted(Path("/usr/local").glob("cuda*/bin/nvcc")) if p.is_file()), None
)


@pytest.mark.skipif(NVCC is None, reason="nvcc not found")
def test_kernels_compile_with_nvcc(tmp_path: Path) -> None:
    assert NVCC is not None
    src = tmp_path / "planner_kernels.cu"
    src.write_text(CUDA_SOURCE, "utf-8")
    out = tmp_path / "planner_kernels.ptx"
    proc = subprocess.run(
        [NVCC, "--ptx", "-arch=sm_80", "-Werror", "all-warnings", "-o", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ptx = out.read_text("utf-8")
    for name in KERNEL_NAMES:
        assert f".entry {name}(" in ptx
    assert "atom." not in ptx  # fixed reduction order: no atomics anywhere


gpu = pytest.mark.gpu
needs_gpu = pytest.mark.skipif(cupy_or_none() is None, reason="needs CuPy and a CUDA GPU")


@gpu
@needs_gpu
def test_expand_kernel_matches_numpy() -> None:
    cp = cupy_or_none()
    from reference_server.planner._kernels import make_expand
    from reference_server.planner._world_model import C2_ROW, CG_ROW, Tables, expand

    cpu = numpy_planner()
    gt = Tables.build(cp, cpu.catalog)
    k = make_expand(gt)
    pairs = [(c["state"], c["goal"]) for c in load_cases()]
    c0, ha0, cg, gnorm = cpu._inputs(pairs)
    ref = expand(cpu._cpu, c0, ha0, cg, gnorm)
    got = k.expand(gt, cp.asarray(c0), cp.asarray(ha0), cp.asarray(cg), cp.asarray(gnorm))
    for name in ("new_pairs", "ha", "mag", "value", "delta"):
        np.testing.assert_allclose(
            getattr(got, name).get(), getattr(ref, name), rtol=1e-5, atol=1e-6, err_msg=name
        )
    for row in (C2_ROW, CG_ROW):  # the children's own concept sums, which the next depth starts from
        np.testing.assert_allclose(got.out[row].get(), ref.out[row], rtol=1e-5, atol=1e-6, err_msg=str(row))
    assert np.array_equal(got.avail.get(), ref.avail)
    assert np.array_equal(got.open_.get(), ref.open_)


@gpu
@needs_gpu
def test_topk_and_softmax_kernels_match_numpy() -> None:
    cp = cupy_or_none()
    from reference_server.planner._kernels import make_expand

    cpu = numpy_planner()
    k = make_expand(Planner("base", backend="cupy")._gpu)  # type: ignore[arg-type]
    rng = np.random.default_rng(7)
    keys = np.rint(rng.normal(size=(64, 268)) * 20).astype(np.float32)  # many ties
    keys[:, ::7] = -np.inf
    ref = np.argsort(-keys, axis=1, kind="stable")[:, :8]
    assert np.array_equal(k.topk(cp.asarray(keys), 8).get(), ref)
    q = rng.normal(size=(64, 67)).astype(np.float32) * 0.1
    avail = rng.random((64, 67)) > 0.3
    got = k.softmax(cp.asarray(q), cp.asarray(avail), 30.0).get()
    want = np.stack([masked_softmax(q[i], avail[i]) for i in range(64)])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    del cpu


@gpu
@needs_gpu
def test_cupy_plans_match_numpy() -> None:
    cases = load_cases()
    pairs = [(c["state"], c["goal"]) for c in cases] * 2  # >= GPU_MIN_BATCH so the GPU path runs
    for size in ("small", "base", "huge"):
        gpu_plans = Planner(size, backend="cupy").plan_batch(pairs)
        cpu = numpy_planner(size)
        for (s, g), gp in zip(pairs, gpu_plans, strict=True):
            cp_ = cpu.plan(s, g)
            assert gp.action_sequence == cp_.action_sequence, (size, s, g)
            assert gp.confidence_labels == cp_.confidence_labels
            assert gp.steps_to_goal == cp_.steps_to_goal
            np.testing.assert_allclose(
                gp.predicted_state_magnitudes, cp_.predicted_state_magnitudes, atol=1e-3
            )
            np.testing.assert_allclose(gp.predicted_state_changes, cp_.predicted_state_changes, atol=1e-3)
            assert abs(gp.overall_confidence - cp_.overall_confidence) < 1e-5
            assert abs(gp.brain_signal.goal_proximity - cp_.brain_signal.goal_proximity) < 1e-5
