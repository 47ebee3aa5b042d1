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


def _small_ints(rng, n):
    # Integer coordinates: every inner product is an exact small integer whatever order BLAS sums in,
    # so the many ties (at and inside the k cut) are real ties, not rounding accidents.
    return rng.integers(-2, 3, size=(n, 6)).astype(np.float32)


@pytest.mark.parametrize("chunk", [1, 7, None])
def test_knn_equals_brute_force_with_ties(chunk):
    rng = np.random.default_rng(3)
    keys, q = _small_ints(rng, 80), _small_ints(rng, 36)
    sims, ids = knn(q, keys, 4, chunk=chunk, device="cpu")
    want_sims, want_ids = _brute(q, keys, 4)
    ranked = -np.sort(-(q @ keys.T), axis=1)
    assert (ranked[:, 3] == ranked[:, 4]).sum() > 5  # the data really ties across the cut
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


@pytest.mark.parametrize("chunk", [1, 5, None])
def test_both_directions_from_one_pass_equal_two_searches(chunk):
    from stilts_utils.metrics.knn import knn_both
    rng = np.random.default_rng(4)
    x, y = _small_ints(rng, 53), _small_ints(rng, 39)
    xs, xi, ys, yi = knn_both(x, y, 4, chunk=chunk, device="cpu")
    for (s, i), (q, keys) in [((xs, xi), (x, y)), ((ys, yi), (y, x))]:
        want_s, want_i = _brute(q, keys, 4)
        assert (i == want_i).all()
        assert np.allclose(s, want_s, atol=1e-6)
