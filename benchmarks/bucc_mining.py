"""BUCC mining speed and memory: our chunked torch top-k (stilts_utils/metrics/knn.py) against faiss.

    .venv/bin/python benchmarks/bucc_mining.py [--threads 1] [--n 20000] [--memory-n 200000]
    .venv/bin/python benchmarks/bucc_mining.py --quick      # 4k x 4k speed, 20k x 20k memory

Speed: random unit vectors (d=768), k=4 neighbours, ours and faiss `IndexFlatIP` on the same inputs and
the same thread count, side by side: one search direction (prints both times, the ratio faiss / ours,
>= 1 meaning ours is at least as fast, and how many neighbour ids agree), then what mining needs, both
directions (faiss: two searches, as xtreme does; ours: one pass, metrics.knn.knn_both).
Memory: a full ratio-margin mining (both directions + the greedy 1-1 step, metrics.retrieval.mine_rows)
of memory-n x memory-n in a fresh subprocess, whose peak resident set (ru_maxrss) is printed against
8 GB. --memory-queries limits the queries of that run (the peak is set by the keys plus one block, so
it is the same for a prefix of the queries; the full 200k x 200k run is ~120 TFLOP: ~20 min on 8 cores).

faiss (faiss-cpu==1.15.1, see benchmarks/requirements.txt) is only needed for the side-by-side timing.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stilts_utils.metrics.knn import knn, knn_both  # noqa: E402
from stilts_utils.metrics.retrieval import mine_rows  # noqa: E402

LIMIT_GB = 8.0


def unit_vectors(n: int, d: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d), dtype=np.float32)  # float32 from the start
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def set_threads(n: int) -> None:
    import torch
    torch.set_num_threads(n)
    try:
        import faiss
        faiss.omp_set_num_threads(n)
    except ImportError:
        pass


def time_ours(q, keys, k) -> tuple[float, np.ndarray]:
    t = time.perf_counter()
    _, ids = knn(q, keys, k, device="cpu")
    return time.perf_counter() - t, ids


def time_ours_both(x, y, k) -> float:
    t = time.perf_counter()
    knn_both(x, y, k, device="cpu")
    return time.perf_counter() - t


def time_faiss(q, keys, k) -> tuple[float, np.ndarray] | None:
    try:
        import faiss
    except ImportError:
        return None
    t = time.perf_counter()
    index = faiss.IndexFlatIP(keys.shape[1])
    index.add(keys)
    _, ids = index.search(q, k)
    return time.perf_counter() - t, ids


def speed(n: int, d: int, k: int, threads: int) -> None:
    set_threads(threads)
    q, keys = unit_vectors(n, d, 0), unit_vectors(n, d, 1)
    knn(q[:64], keys[:64], k, device="cpu")  # warm torch's kernels outside the timing
    ours, ours_ids = time_ours(q, keys, k)
    print(f"speed  {n} x {n}, d={d}, k={k}, {threads} thread(s), CPU")
    print(f"  ours (torch chunked top-k)  {ours:8.2f} s")
    got = time_faiss(q, keys, k)
    if got is None:
        print("  faiss not installed: pip install faiss-cpu==1.15.1 for the side-by-side timing")
        return
    theirs, faiss_ids = got
    same = float(np.mean(ours_ids == faiss_ids))
    print(f"  faiss IndexFlatIP           {theirs:8.2f} s")
    print(f"  ratio faiss/ours            {theirs / ours:8.2f}  ({_verdict(theirs, ours)})")
    print(f"  same neighbour ids          {100 * same:8.2f} %  (differences: float ties/rounding only)")
    # What BUCC mining needs: x's neighbours in y and y's in x. faiss (as xtreme utils_retrieve.py) searches
    # twice; ours takes both from one pass over x @ y.T (knn_both).
    ours2 = time_ours_both(q, keys, k)
    theirs2 = theirs + time_faiss(keys, q, k)[0]
    print(f"mining (both directions, k={k}): ours {ours2:.2f} s, faiss 2 searches {theirs2:.2f} s, "
          f"ratio faiss/ours {theirs2 / ours2:.2f} ({_verdict(theirs2, ours2)})")


def _verdict(theirs: float, ours: float) -> str:
    return "ours at least as fast" if theirs >= ours else "faiss faster"


def memory_child(n: int, d: int, queries: int | None) -> None:
    x, y = unit_vectors(queries or n, d, 2), unit_vectors(n, d, 3)
    t = time.perf_counter()
    if queries:  # a prefix of the queries against the full pool: the same peak as the full run
        knn_both(x, y, 4)
        mined = queries
    else:
        mined = len(mine_rows(x, y, k=4))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    print(json.dumps({"peak_gb": peak_kb / 2**20, "seconds": time.perf_counter() - t, "rows": mined}))


def memory(n: int, d: int, queries: int | None) -> None:
    cmd = [sys.executable, __file__, "--_memory-child", str(n), "--d", str(d)]
    if queries:
        cmd += ["--memory-queries", str(queries)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    got = json.loads(out)
    what = f"{n} x {n}" if not queries else f"{queries} x {n} (a prefix of the queries)"
    verdict = "within" if got["peak_gb"] <= LIMIT_GB else "OVER"
    print(f"memory {what}, d={d}: peak RSS {got['peak_gb']:.2f} GB vs {LIMIT_GB:.0f} GB limit: {verdict} "
          f"({got['seconds']:.1f} s)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=20_000, help="rows per side of the speed test")
    p.add_argument("--d", type=int, default=768)
    p.add_argument("--k", type=int, default=4, help="neighbours (BUCC margin uses 4)")
    p.add_argument("--threads", type=int, default=1, help="same thread count for ours and faiss")
    p.add_argument("--memory-n", type=int, default=None, help="rows per side of the memory run (200000); 0 skips it")
    p.add_argument("--memory-queries", type=int, default=None, help="only this many queries in the memory run")
    p.add_argument("--quick", action="store_true", help="4k x 4k speed and 20k x 20k memory")
    p.add_argument("--_memory-child", type=int, default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a._memory_child is not None:
        return memory_child(a._memory_child, a.d, a.memory_queries)
    if a.quick:
        a.n = 4_000
    if a.memory_n is None:
        a.memory_n = 20_000 if a.quick else 200_000
    speed(a.n, a.d, a.k, a.threads)
    if a.memory_n:
        memory(a.memory_n, a.d, a.memory_queries)


if __name__ == "__main__":
    main()
