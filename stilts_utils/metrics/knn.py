"""Exact cosine top-k between two embedding pools, chunked over queries, with torch.

Why torch and not faiss: torch is already in the stack, runs the same code on the GPU, and
`matmul + topk` per chunk is as fast as faiss `IndexFlatIP` on CPU (benchmarks/bucc_mining.py prints the
ratio). Memory is bounded by the keys plus one [chunk, n_keys] block: chunks are sized from
`block_elems`, not a fixed row count, so a 200k x 200k search holds ~0.6 GB of keys and a 128 MB block.

Ties go to the lower key index (the numpy version's contract), so results never depend on the chunk
size or the device's choice among equal values.
"""
from __future__ import annotations

import numpy as np
import torch

BLOCK_ELEMS = 1 << 25  # floats in one [chunk, n_keys] similarity block: 128 MB in float32


def pick_device(device: str | None = None) -> torch.device:
    """The GPU when there is one (retrieval is matmul-bound), else the CPU; an explicit device wins."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def chunk_rows(n_keys: int, chunk: int | None, block_elems: int = BLOCK_ELEMS) -> int:
    """Query rows per block: the caller's `chunk`, or as many as fit `block_elems`."""
    if chunk is not None:
        return max(1, int(chunk))
    return max(1, block_elems // max(1, n_keys))


def _block_top_k(block: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(values, ids) [rows, k] of each row's k largest, ties at the cut resolved towards the lower id.

    topk(k + 1) shows whether the k-th value is shared with the (k+1)-th (a tie across the cut); only
    those rows are redone with a stable sort, so the common case is one topk pass over the block."""
    n = block.shape[1]
    if k >= n:
        vals, ids = torch.sort(block, dim=1, descending=True, stable=True)
        return vals, ids
    vals, ids = torch.topk(block, k + 1, dim=1)  # sorted desc; order among equal values unspecified
    tied = vals[:, k - 1] == vals[:, k]
    vals, ids = vals[:, :k].clone(), ids[:, :k].clone()
    if bool(tied.any()):
        rows = tied.nonzero().squeeze(1)
        s_vals, s_ids = torch.sort(block[rows], dim=1, descending=True, stable=True)
        vals[rows], ids[rows] = s_vals[:, :k], s_ids[:, :k]
    return _ordered(vals, ids)


def _ordered(vals: torch.Tensor, ids: torch.Tensor, k: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's candidates by similarity desc, then id asc (two-key sort: ids first, stable by value)."""
    by_id = torch.argsort(ids, dim=1)
    vals, ids = vals.gather(1, by_id), ids.gather(1, by_id)
    by_val = torch.sort(vals, dim=1, descending=True, stable=True).indices[:, :k]
    return vals.gather(1, by_val), ids.gather(1, by_val)


def _precise_matmul():
    """Full fp32 matmul while mining even when TF32 is on for training: margins compare values ~1e-3
    apart, and TF32's 10-bit mantissa would reorder neighbours (a no-op on the CPU)."""
    class _Ctx:
        def __enter__(self):
            self.saved = torch.get_float32_matmul_precision()
            torch.set_float32_matmul_precision("highest")

        def __exit__(self, *exc):
            torch.set_float32_matmul_precision(self.saved)
    return _Ctx()


def _to(x: np.ndarray, dev: torch.device | None = None) -> torch.Tensor:
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    return t if dev is None else t.to(dev)


@torch.inference_mode()
def knn_both(x: np.ndarray, y: np.ndarray, k: int, chunk: int | None = None, device: str | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both directions of a margin mining from one pass over x @ y.T: (x2y sims, ids, y2x sims, ids).

    xtreme/faiss search twice (x in y, y in x); the two are the rows and the columns of the same matrix,
    so each block gives x's neighbours (its rows) and updates a running top-k of every y (its columns):
    half the matmul FLOPs. Columns merge chunk by chunk; earlier chunks hold lower x ids, and the merge is
    the same (similarity desc, id asc) sort, so ties still go to the lower id."""
    dev = pick_device(device)
    x_all, y_t = _to(x), _to(y, dev)  # queries stream from the host; keys stay on the device
    kx, ky = min(k, len(y_t)), min(k, len(x_all))
    x2y_sims, x2y_ids = np.empty((len(x_all), kx), np.float32), np.empty((len(x_all), kx), np.int64)
    col_vals = torch.empty((len(y_t), 0), device=dev)  # [n_y, <=k] running best x of each y
    col_ids = torch.empty((len(y_t), 0), dtype=torch.int64, device=dev)
    step = chunk_rows(len(y_t), chunk)
    with _precise_matmul():
        for start in range(0, len(x_all), step):
            block = x_all[start:start + step].to(dev) @ y_t.T  # [step, n_y]
            vals, idx = _block_top_k(block, kx)
            x2y_sims[start:start + step], x2y_ids[start:start + step] = vals.cpu().numpy(), idx.cpu().numpy()
            # [n_y, <=k] best rows of this chunk per column; topk along a transposed view is ~5x slower on
            # the CPU than copying it contiguous first
            c_vals, c_ids = _block_top_k(block.T.contiguous(), ky)
            col_vals, col_ids = _ordered(torch.cat([col_vals, c_vals], 1), torch.cat([col_ids, c_ids + start], 1), ky)
    return x2y_sims, x2y_ids, col_vals.cpu().numpy(), col_ids.cpu().numpy()


@torch.inference_mode()
def knn(queries: np.ndarray, keys: np.ndarray, k: int, chunk: int | None = None,
        device: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """k largest inner products of L2-normalised float32 rows: (sims [n_q, k] float32, ids [n_q, k] int64)."""
    dev = pick_device(device)
    keys_t = torch.from_numpy(np.ascontiguousarray(keys, dtype=np.float32)).to(dev)  # [n_keys, d]
    q_all = torch.from_numpy(np.ascontiguousarray(queries, dtype=np.float32))  # stays on the host
    k = min(k, keys_t.shape[0])
    sims = np.empty((len(q_all), k), dtype=np.float32)
    ids = np.empty((len(q_all), k), dtype=np.int64)
    step = chunk_rows(keys_t.shape[0], chunk)
    with _precise_matmul():
        for start in range(0, len(q_all), step):
            block = q_all[start:start + step].to(dev) @ keys_t.T  # [step, n_keys]
            vals, idx = _block_top_k(block, k)
            sims[start:start + step] = vals.cpu().numpy()
            ids[start:start + step] = idx.cpu().numpy()
    return sims, ids
