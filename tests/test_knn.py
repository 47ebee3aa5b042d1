"""Chunked torch top-k (metrics/knn.py) against a full-matrix brute force, ties included."""
import numpy as np
import pytest

from stilts_utils.metrics.knn import _block_top_k, chunk_rows, knn
from stilts_utils.metrics.retrieval import l2_normalize, mine_rows

torch = pytest.importorskip("torch")


def _brute(q, keys, k):
    full = q @ keys.T  # same float32 inputs; the order is (similarity desc, id asc)
    ids = np.argsort(-full, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(full, ids, axis=1), ids


@pytest.mark.parametrize("chunk", [1, 7, None])
def test_knn_equals_brute_force_with_ties(chunk):
    rng = np.random.default_rng(3)
    # Few distinct directions: many exact ties at and inside the k cut.
    base = l2_normalize(rng.normal(size=(6, 5)))
    keys = base[rng.integers(0, 6, size=80)]
    q = np.concatenate([base, l2_normalize(rng.normal(size=(30, 5)))])
    sims, ids = knn(q, keys, 4, chunk=chunk, device="cpu")
    want_sims, want_ids = _brute(q, keys, 4)
    assert (ids == want_ids).all()
    assert np.allclose(sims, want_sims, atol=1e-6)


def test_block_top_k_cut_tie_goes_to_lower_ids():
    block = torch.tensor([[0.5, 0.9, 0.9, 0.9, 0.1, 0.9]])
    vals, ids = _block_top_k(block, 2)
    assert ids.tolist() == [[1, 2]] and vals.tolist() == [[pytest.approx(0.9)] * 2]
    vals, ids = _block_top_k(block, 10)  # k past the width: the whole row, stably sorted
    assert ids.tolist() == [[1, 2, 3, 5, 0, 4]]


def test_chunks_are_sized_by_memory_budget():
    assert chunk_rows(200_000, None, block_elems=1 << 25) == 167  # 167 x 200k floats <= 128 MB
    assert chunk_rows(10, None, block_elems=100) == 10
    assert chunk_rows(10, 3) == 3


def test_mining_independent_of_chunk_size():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 16)).astype(np.float32)
    y = np.concatenate([x[:80] + 0.2 * rng.normal(size=(80, 16)), rng.normal(size=(50, 16))])
    a, b = mine_rows(x, y, k=4, chunk=9), mine_rows(x, y, k=4, chunk=None)
    # Same pairs in the same order; scores agree to float32 rounding (BLAS sums blocks in another order).
    assert [(i, j) for i, j, _ in a] == [(i, j) for i, j, _ in b]
    assert np.allclose([s for *_, s in a], [s for *_, s in b], rtol=1e-6)
    assert {(i, i) for i in range(80)} <= {(i, j) for i, j, _ in a}
