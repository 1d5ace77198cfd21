"""Python peers for ndpar's benchmark report.

Runs the same cases as the Rust tool (`cargo run -p ndpar-bench --release`),
on the same problem sizes and the same data recipe, with numpy, numexpr,
numba, scipy and joblib. The Rust tool writes a spec file (thread counts,
rounds, and each case's sizes) and calls this script, which writes one CSV
row per case, variant and thread count:

    case,variant,role,threads,median_ms,min_ms,max_ms

Usage: python peers.py SPEC.json OUT.csv
"""

import csv
import json
import math
import statistics
import sys
import time

import numpy as np


def golden(n):
    """The data recipe: x[i] = frac(i * 0.618033988749895)."""
    return np.modf(np.arange(n, dtype=np.float64) * 0.618033988749895)[0]


def sample(n, d, seed):
    """An n x d matrix of the recipe, offset by `seed` blocks of n rows."""
    i = np.arange(n * d, dtype=np.float64) + seed * n * d
    return np.modf(i * 0.618033988749895)[0].reshape(n, d)


class Case:
    """Variants of one case: (name, threads, callable)."""

    def __init__(self):
        self.variants = []

    def add(self, name, threads, fn, setup=None):
        assert "," not in name and '"' not in name
        self.variants.append((name, threads, fn, setup))


def numba_threads(t):
    import numba

    numba.set_num_threads(min(t, numba.config.NUMBA_NUM_THREADS))


def blas_limit(t):
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=t)


# ---- the numba kernels (compiled once, before timing) ----

_jit = {}


def jit():
    if _jit:
        return _jit
    import numba
    from numba import njit, prange

    @njit(parallel=True, fastmath=False, cache=False)
    def psum(a):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i]
        return s

    @njit(parallel=True)
    def axpy(a, b, c):
        for i in prange(a.shape[0]):
            c[i] = a[i] + 3.0 * b[i]

    @njit(parallel=True)
    def expsin(x):
        out = np.empty_like(x)
        for i in prange(x.shape[0]):
            out[i] = np.exp(x[i]) * np.sin(x[i])
        return out

    @njit(parallel=True)
    def jacobi(u, out):
        n, m = u.shape
        for i in prange(n):
            for j in range(m):
                s = 0.0
                if i > 0:
                    s += u[i - 1, j]
                if i + 1 < n:
                    s += u[i + 1, j]
                if j > 0:
                    s += u[i, j - 1]
                if j + 1 < m:
                    s += u[i, j + 1]
                out[i, j] = 0.25 * s

    @njit(parallel=True)
    def histogram(a, bins, chunks):
        n = a.shape[0]
        counts = np.zeros((chunks, bins), dtype=np.int64)
        for c in prange(chunks):
            lo = c * n // chunks
            hi = (c + 1) * n // chunks
            for i in range(lo, hi):
                x = a[i]
                if x >= 0.0 and x <= 1.0:
                    b = int(x * bins)
                    if b >= bins:
                        b = bins - 1
                    counts[c, b] += 1
        return counts.sum(axis=0)

    _jit.update(psum=psum, axpy=axpy, expsin=expsin, jacobi=jacobi, histogram=histogram)
    return _jit


# ---- the cases: one function per case id of the Rust tool ----


def case_sum(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("numpy a.sum()", 1, lambda: a.sum())
    k = jit()
    for t in threads:
        c.add("numba prange sum", t, lambda: k["psum"](a), lambda t=t: numba_threads(t))
    return c


def case_sum_exact(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("Python math.fsum (exact)", 1, lambda: math.fsum(a))
    return c


def case_sum_layout(spec, threads):
    n = spec["n"]
    a = np.asfortranarray(golden(n * n).reshape(n, n))
    c = Case()
    c.add("numpy a.sum() (F order)", 1, lambda: a.sum())
    return c


def case_small_sum(spec, threads):
    a = golden(spec["n"])
    c = Case()
    calls = max(1, min(100_000, 4_000_000 // max(1, spec["n"])))

    def many():
        for _ in range(calls):
            a.sum()

    c.add("numpy a.sum()", 1, many)
    c.calls = calls
    return c


def case_axis(order, axis):
    def run(spec, threads):
        n = spec["n"]
        m = np.asfortranarray(golden(n * n).reshape(n, n)) if order == "F" else golden(n * n).reshape(n, n)
        c = Case()
        c.add(f"numpy a.sum(axis={axis})", 1, lambda: m.sum(axis=axis))
        return c

    return run


def case_zip(spec, threads):
    n = spec["n"]
    a, b = golden(n), 1.0 - golden(n)
    out = np.empty(n)
    c = Case()

    def numpy_two_passes():
        np.multiply(b, 3.0, out=out)
        np.add(out, a, out=out)

    c.add("numpy multiply + add into out", 1, numpy_two_passes)
    import numexpr

    for t in threads:
        c.add("numexpr evaluate into out", t, lambda: numexpr.evaluate("a + 3*b", local_dict={"a": a, "b": b}, out=out),
              lambda t=t: numexpr.set_num_threads(t))
    k = jit()
    for t in threads:
        c.add("numba prange", t, lambda: k["axpy"](a, b, out), lambda t=t: numba_threads(t))
    return c


def case_map(spec, threads):
    x = golden(spec["n"])
    c = Case()
    c.add("numpy exp(x) * sin(x)", 1, lambda: np.exp(x) * np.sin(x))
    import numexpr

    for t in threads:
        c.add("numexpr exp(x) * sin(x)", t, lambda: numexpr.evaluate("exp(x) * sin(x)", local_dict={"x": x}),
              lambda t=t: numexpr.set_num_threads(t))
    k = jit()
    for t in threads:
        c.add("numba prange", t, lambda: k["expsin"](x), lambda t=t: numba_threads(t))
    return c


def case_random(spec, threads):
    n = spec["n"]
    c = Case()
    c.add("numpy default_rng().standard_normal", 1,
          lambda: np.random.default_rng(1).standard_normal(n))
    return c


def case_stencil(spec, threads):
    import scipy.ndimage

    n = spec["n"]
    u = golden(n * n).reshape(n, n)
    w = np.array([[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]])
    out = np.empty_like(u)
    c = Case()
    c.add("scipy ndimage.correlate into out", 1,
          lambda: scipy.ndimage.correlate(u, w, output=out, mode="constant", cval=0.0))
    k = jit()
    for t in threads:
        c.add("numba prange", t, lambda: k["jacobi"](u, out), lambda t=t: numba_threads(t))
    return c


def case_cumsum(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("numpy cumsum", 1, lambda: np.cumsum(a))
    return c


def case_histogram(spec, threads):
    a, bins = golden(spec["n"]), spec["bins"]
    c = Case()
    c.add("numpy histogram", 1, lambda: np.histogram(a, bins, range=(0.0, 1.0)))
    k = jit()
    for t in threads:
        c.add("numba prange per-thread counts", t, lambda t=t: k["histogram"](a, bins, t),
              lambda t=t: numba_threads(t))
    return c


def case_histogram_2d(spec, threads):
    rows, cols, bins = spec["rows"], spec["cols"], spec["bins"]
    z = golden(rows * cols).reshape(rows, cols)
    c = Case()
    c.add("numpy histogram2d", 1,
          lambda: np.histogram2d(z[:, 0], z[:, 1], bins, range=[[0.0, 1.0], [0.0, 1.0]]))
    return c


def case_pairwise(spec, threads):
    from scipy.spatial.distance import cdist

    n, d = spec["n"], spec["d"]
    x, y = sample(n, d, 0), sample(n, d, 1)
    c = Case()
    c.add("scipy cdist", 1, lambda: cdist(x, y, "euclidean"))
    return c


def case_knn(spec, threads):
    q, p, d, k = spec["queries"], spec["points"], spec["d"], spec["k"]
    x, y = sample(q, d, 7), sample(p, d, 0)
    y2 = (y * y).sum(axis=1)

    def blocked():
        # The BLAS route: |x|^2 + |y|^2 - 2 x.y in blocks of points,
        # argpartition per block, then a final merge.
        best_d = np.full((q, k), np.inf)
        best_i = np.zeros((q, k), dtype=np.int64)
        for s in range(0, p, 65536):
            e = min(p, s + 65536)
            dd = y2[s:e][None, :] - 2.0 * (x @ y[s:e].T)
            part = np.argpartition(dd, k - 1, axis=1)[:, :k]
            cand_d = np.concatenate([best_d, np.take_along_axis(dd, part, axis=1)], axis=1)
            cand_i = np.concatenate([best_i, part + s], axis=1)
            order = np.argsort(cand_d, axis=1, kind="stable")[:, :k]
            best_d = np.take_along_axis(cand_d, order, axis=1)
            best_i = np.take_along_axis(cand_i, order, axis=1)
        return best_i

    c = Case()
    for t in threads:
        c.add("numpy blocked BLAS + argpartition", t, blocked, lambda t=t: blas_limit(t))
    return c


def case_matmul(spec, threads):
    n = spec["n"]
    a, b = sample(n, n, 0), sample(n, n, 1)
    c = Case()
    for t in threads:
        c.add("numpy a @ b (BLAS)", t, lambda: a @ b, lambda t=t: blas_limit(t))
    return c


def case_matmul_tall(spec, threads):
    z = sample(spec["rows"], spec["cols"], 0)
    c = Case()
    for t in threads:
        c.add("numpy z.T @ z (BLAS)", t, lambda: z.T @ z, lambda t=t: blas_limit(t))
    return c


def case_cov(spec, threads):
    x = sample(spec["rows"], spec["cols"], 0)
    c = Case()
    for t in threads:
        c.add("numpy cov (rowvar=False)", t, lambda: np.cov(x, rowvar=False),
              lambda t=t: blas_limit(t))
    return c


def case_sort(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("numpy np.sort(a)", 1, lambda: np.sort(a))
    c.add("numpy np.sort(a) kind=stable", 1, lambda: np.sort(a, kind="stable"))
    return c


def case_argsort(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("numpy np.argsort(a) kind=stable", 1, lambda: np.argsort(a, kind="stable"))
    return c


def case_partition(spec, threads):
    a = golden(spec["n"])
    k = spec["n"] // 2
    c = Case()
    c.add("numpy np.partition(a) at n // 2", 1, lambda: np.partition(a, k))
    return c


def ints(spec):
    return np.floor(golden(spec["n"]) * spec["bins"]).astype(np.int64)


def case_bincount(spec, threads):
    x = ints(spec)
    c = Case()
    c.add("numpy np.bincount(x)", 1, lambda: np.bincount(x))
    return c


def case_unique(spec, threads):
    x = ints(spec)
    c = Case()
    c.add("numpy np.unique(x) with index/inverse/counts", 1,
          lambda: np.unique(x, return_index=True, return_inverse=True, return_counts=True))
    return c


def case_axes(spec, threads):
    n, m = spec["n"], spec["m"]
    a = golden(n * m * n).reshape(n, m, n)
    c = Case()
    c.add("numpy a.sum(axis=(0 2))", 1, lambda: a.sum(axis=(0, 2)))
    return c


def case_median(spec, threads):
    a = golden(spec["n"])
    c = Case()
    c.add("numpy np.median(a)", 1, lambda: np.median(a))
    return c


def triple(x):
    return x * 3


def busy_ms(_):
    end = time.perf_counter() + 0.001
    x = 0
    while time.perf_counter() < end:
        x += 1
    return x


def case_tasks(fn):
    def run(spec, threads):
        from joblib import Parallel, delayed

        n = spec["tasks"]
        c = Case()
        for backend in ["threading", "loky"]:
            for t in threads:
                c.add(f"joblib Parallel ({backend})", t,
                      lambda t=t, backend=backend: Parallel(n_jobs=t, backend=backend)(
                          delayed(fn)(i) for i in range(n)))
        return c

    return run


CASES = {
    "sum": case_sum,
    "sum-exact": case_sum_exact,
    "sum-layout": case_sum_layout,
    "sum-100": case_small_sum,
    "sum-1k": case_small_sum,
    "sum-10k": case_small_sum,
    "sum-1M": case_small_sum,
    "axis-C-0": case_axis("C", 0),
    "axis-C-1": case_axis("C", 1),
    "axis-F-0": case_axis("F", 0),
    "axis-F-1": case_axis("F", 1),
    "zip": case_zip,
    "map": case_map,
    "random": case_random,
    "stencil": case_stencil,
    "cumsum": case_cumsum,
    "histogram": case_histogram,
    "histogram-2d": case_histogram_2d,
    "pairwise": case_pairwise,
    "knn": case_knn,
    "matmul": case_matmul,
    "matmul-tall": case_matmul_tall,
    "cov": case_cov,
    "sort": case_sort,
    "argsort": case_argsort,
    "partition": case_partition,
    "bincount": case_bincount,
    "unique": case_unique,
    "axes": case_axes,
    "median": case_median,
    "tasks-trivial": case_tasks(triple),
    "tasks-1ms": case_tasks(busy_ms),
}


def measure(case, rounds, budget_s=60.0):
    """Interleaved rounds (one warm-up): (median, min, max) in ms per call,
    per variant. A case whose
    warm-up round shows that all rounds would take more than `budget_s`
    runs fewer rounds (at least 3)."""
    calls = getattr(case, "calls", 1)
    times = [[] for _ in case.variants]
    r = 0
    while r <= rounds:
        round_s = 0.0
        for (name, threads, fn, setup), ts in zip(case.variants, times):
            limit = setup() if setup else None
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if hasattr(limit, "restore_original_limits"):
                limit.restore_original_limits()
            round_s += elapsed
            if r > 0:
                ts.append(elapsed * 1e3 / calls)
        if r == 0 and round_s * rounds > budget_s:
            rounds = max(3, int(budget_s / round_s))
        r += 1
    return [(statistics.median(ts), min(ts), max(ts)) for ts in times]


def main():
    spec_path, out_path = sys.argv[1], sys.argv[2]
    with open(spec_path) as f:
        spec = json.load(f)
    threads, rounds = spec["threads"], spec["rounds"]
    with open(out_path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["case", "variant", "role", "threads", "median_ms", "min_ms", "max_ms"])
        for case_id, sizes in spec["cases"].items():
            make = CASES.get(case_id)
            if make is None:
                continue
            print(f"peers: {case_id}", file=sys.stderr, flush=True)
            case = make(sizes, threads)
            for (name, t, _, _), (ms, lo, hi) in zip(case.variants, measure(case, rounds)):
                out.writerow([case_id, name, "peer", t, f"{ms:.4f}", f"{lo:.4f}", f"{hi:.4f}"])
            f.flush()


if __name__ == "__main__":
    main()
