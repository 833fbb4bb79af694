"""CUDA kernels of the CuPy backend, and the CUDA source they compile from.

Three RawKernels, all in `CUDA_SOURCE` (compiled by CuPy's NVRTC at first use, without fast-math, and
by `nvcc --ptx` in the tests):

* `expand_score`: one thread per (beam n, action a). Fuses the whole world-model step of
  `_world_model.expand_tiled` (gate, sparse transition, hashed-block update, the child's concept sums,
  magnitude, value, change and availability) with the same formulas and every sum in the same fixed
  order and no atomics, so results are bit-identical from run to run and agree with NumPy float32 to a
  few ulp (the device contracts multiply-adds and has its own `exp`).
* `topk_rows`: one thread per request row; keeps the top B keys by (key descending, index ascending),
  exactly the order of NumPy's stable argsort of `-keys`.
* `masked_softmax`: one thread per row; float64 softmax of `beta * q` over the available actions.

NumPy remains the reference: `tests/planner/test_planner_gpu.py` checks these against it on a GPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference_server.planner._world_model import (
    _SC2,
    _SH2,
    _SHG,
    C2_ROW,
    CG_ROW,
    DELTA_ROW,
    HA_ROW,
    MAG_ROW,
    MIN_GATE,
    OUT_ROWS,
    VALUE_ROW,
    Expansion,
    Goals,
    Tables,
    concept_sums,
)

__all__ = ["CUDA_SOURCE", "KERNEL_NAMES", "MAX_BEAM", "GpuKernels", "make_expand"]

MAX_BEAM = 32
KERNEL_NAMES = ("expand_score", "topk_rows", "masked_softmax")

CUDA_SOURCE = r"""
extern "C" {

__global__ void expand_score(
    const float* __restrict__ c, const float* __restrict__ base, const float* __restrict__ ha,
    const float* __restrict__ cg, const float* __restrict__ gnorm, const float* __restrict__ gate_w, const float* __restrict__ gate_b,
    const float* __restrict__ rho, const float* __restrict__ trans_c, const float* __restrict__ trans_1,
    const int* __restrict__ pair_start, const int* __restrict__ pair_concept,
    const float* __restrict__ requires_, const unsigned char* __restrict__ has_req,
    const float* __restrict__ blocks, const unsigned char* __restrict__ plannable,
    const int N, const int K, const int A, const int P,
    const float sc2, const float sh2, const float shg, const float min_gate,
    float* __restrict__ new_pairs, float* __restrict__ c2_new, float* __restrict__ cgd_new,
    float* __restrict__ ha_new, float* __restrict__ mag, float* __restrict__ val,
    float* __restrict__ delta, unsigned char* __restrict__ avail, unsigned char* __restrict__ afforded)
{
    const long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (tid >= (long long)N * A) return;
    const int n = (int)(tid / A);
    const int a = (int)(tid % A);
    const float* cn = c + (long long)n * K;
    const float* gn = cg + (long long)n * K;

    float z = 0.0f;
    for (int k = 0; k < K; ++k) z += cn[k] * gate_w[k * A + a];
    z += gate_b[a];
    const float gate = (float)(1.0 / (exp((double)(-z)) + 1.0));  /* in double, rounded once */

    float dsq = 0.0f, dmag = 0.0f, dgoal = 0.0f;
    for (int p = pair_start[a]; p < pair_start[a + 1]; ++p) {
        float s = 0.0f;
        for (int k = 0; k < K; ++k) s += cn[k] * trans_c[k * P + p];
        s += trans_1[p];
        s *= gate;
        const int kc = pair_concept[p];
        const float old = cn[kc];
        const float nw = fminf(fmaxf(s + old, 0.0f), 1.0f);
        new_pairs[(long long)n * P + p] = nw;
        const float d = nw - old;
        dsq += d * d;
        dmag += (nw + old) * d;
        dgoal += gn[kc] * d;
    }

    const float c2 = dmag + base[n];
    const float cgd = dgoal + base[N + n];
    const float h0 = ha[n];
    float hn = h0, gap = 0.0f;
    if (rho[a] > 0.0f) {  /* h' = normalize(h + w (h_g - h)), tracked through ha = h . h_g */
        const float sh2x2 = 2.0f * sh2;
        const float w = gate * rho[a];
        const float we = w * (1.0f - h0);
        const float u = sqrtf(1.0f - ((1.0f - w) * 2.0f) * we);
        hn = (h0 + we) / u;
        gap = fmaxf(sh2x2 - ((1.0f - we) * sh2x2) / u, 0.0f);
    }
    const float m = sqrtf(c2 * sc2 + sh2);
    c2_new[tid] = c2;
    cgd_new[tid] = cgd;
    mag[tid] = m;
    ha_new[tid] = hn;
    val[tid] = (cgd * sc2 + shg * hn) / (m * gnorm[n]);
    delta[tid] = sqrtf(dsq * sc2 + gap);

    bool req_ok = !has_req[a];
    bool blocked = false;
    for (int k = 0; k < K; ++k) {
        if (cn[k] >= 0.5f) {
            if (requires_[k * A + a] > 0.0f) req_ok = true;
            if (blocks[k * A + a] > 0.0f) blocked = true;
        }
    }
    const bool av = plannable[a] && req_ok && !blocked;
    avail[tid] = av;
    afforded[tid] = av && gate >= min_gate;
}

__global__ void topk_rows(const float* __restrict__ keys, const int R, const int L, const int B,
                          long long* __restrict__ out)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= R) return;
    float bk[32];
    long long bi[32];
    int cnt = 0;
    const float* row = keys + (long long)r * L;
    for (int i = 0; i < L; ++i) {
        const float k = row[i];
        if (cnt < B || k > bk[cnt - 1]) {
            int j = (cnt < B) ? cnt++ : B - 1;
            while (j > 0 && bk[j - 1] < k) { bk[j] = bk[j - 1]; bi[j] = bi[j - 1]; --j; }
            bk[j] = k;
            bi[j] = i;
        }
    }
    for (int j = 0; j < B; ++j) out[(long long)r * B + j] = bi[j];
}

__global__ void masked_softmax(const float* __restrict__ q, const unsigned char* __restrict__ avail,
                               const int R, const int A, const double beta, double* __restrict__ out)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= R) return;
    const float* qr = q + (long long)r * A;
    const unsigned char* ar = avail + (long long)r * A;
    double* o = out + (long long)r * A;
    double m = -INFINITY;
    for (int a = 0; a < A; ++a) if (ar[a]) m = fmax(m, beta * (double)qr[a]);
    if (!isfinite(m)) { for (int a = 0; a < A; ++a) o[a] = 0.0; return; }
    double s = 0.0;
    for (int a = 0; a < A; ++a) if (ar[a]) s += exp(beta * (double)qr[a] - m);
    for (int a = 0; a < A; ++a) o[a] = ar[a] ? exp(beta * (double)qr[a] - m) / s : 0.0;
}

}
"""

_THREADS = 128


class GpuKernels:
    """The compiled kernels plus the device-side tables they read (one per `Tables` on CuPy)."""

    def __init__(self, t: Tables) -> None:
        cp = t.xp
        self.cp = cp
        self.t = t
        module = cp.RawModule(code=CUDA_SOURCE, options=("--std=c++11",))
        self._expand = module.get_function("expand_score")
        self._topk = module.get_function("topk_rows")
        self._softmax = module.get_function("masked_softmax")
        self.has_req = t.has_requirement.astype(cp.uint8)
        self.plannable = t.plannable.astype(cp.uint8)
        self.pair_start = t.pair_start.astype(cp.int32)
        self.pair_concept = t.pair_concept.astype(cp.int32)
        self.trans_c = cp.ascontiguousarray(t.trans_c)
        self.p = int(t.trans_c.shape[1])

    def expand(self, t: Tables, c: Any, ha: Any, cg: Any, gnorm: Any) -> Expansion:
        """`_world_model.expand` (one goal per beam) on the GPU."""
        cp = self.cp
        ha_t = cp.repeat(ha[:, None], t.num_actions, axis=1)
        return self.expand_tiled(t, c, ha_t, Goals.build(t, cg, gnorm), concept_sums(t, c, cg))

    def expand_tiled(self, t: Tables, c: Any, ha: Any, goals: Goals, base: Any, need: int = 0) -> Expansion:
        """`_world_model.expand_tiled` on the GPU: the fused kernel writes the rows of `Expansion.out`
        (every candidate's values, whatever `need` asks for)."""
        cp = self.cp
        n, k = c.shape
        a = t.num_actions
        c = cp.ascontiguousarray(c, dtype=cp.float32)
        cg = cp.ascontiguousarray(goals.cg, dtype=cp.float32)
        new_pairs = cp.empty((n, self.p), cp.float32)
        out = cp.empty((OUT_ROWS, n, a), cp.float32)
        avail = cp.empty((n, a), cp.uint8)
        afforded = cp.empty((n, a), cp.uint8)
        total = n * a
        self._expand(
            ((total + _THREADS - 1) // _THREADS,),
            (_THREADS,),
            (
                c,
                cp.ascontiguousarray(base, dtype=cp.float32),
                cp.ascontiguousarray(ha[:, 0], dtype=cp.float32),
                cg,
                cp.ascontiguousarray(goals.gnorm[:, 0], dtype=cp.float32),
                t.gate_w,
                t.gate_b,
                t.rho,
                self.trans_c,
                t.trans_1,
                self.pair_start,
                self.pair_concept,
                t.requires,
                self.has_req,
                t.blocks,
                self.plannable,
                np.int32(n),
                np.int32(k),
                np.int32(a),
                np.int32(self.p),
                _SC2,
                _SH2,
                _SHG,
                MIN_GATE,
                new_pairs,
                out[C2_ROW],
                out[CG_ROW],
                out[HA_ROW],
                out[MAG_ROW],
                out[VALUE_ROW],
                out[DELTA_ROW],
                avail,
                afforded,
            ),
        )
        open_ = avail.astype(bool)
        aff = afforded.astype(bool)
        av = cp.where(aff.any(axis=1, keepdims=True), aff, open_)
        diff = new_pairs - c.take(t.pair_concept, axis=1)
        return Expansion(new_pairs, diff, out, ~av, ~open_)

    def topk(self, keys: Any, b: int) -> Any:
        cp = self.cp
        if b > MAX_BEAM:
            raise ValueError(f"beam {b} exceeds the kernel limit {MAX_BEAM}")
        keys = cp.ascontiguousarray(keys, dtype=cp.float32)
        r, length = keys.shape
        out = cp.empty((r, b), cp.int64)
        self._topk(
            ((r + _THREADS - 1) // _THREADS,),
            (_THREADS,),
            (keys, np.int32(r), np.int32(length), np.int32(b), out),
        )
        return out

    def softmax(self, q: Any, avail: Any, beta: float) -> Any:
        cp = self.cp
        q = cp.ascontiguousarray(q, dtype=cp.float32)
        r, a = q.shape
        out = cp.empty((r, a), cp.float64)
        self._softmax(
            ((r + _THREADS - 1) // _THREADS,),
            (_THREADS,),
            (q, cp.ascontiguousarray(avail, dtype=cp.uint8), np.int32(r), np.int32(a), np.float64(beta), out),
        )
        return out


def make_expand(t: Tables) -> GpuKernels:
    """Compile the kernels for the CuPy tables `t` (CuPy caches the binary on disk)."""
    return GpuKernels(t)
