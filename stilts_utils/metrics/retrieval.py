"""Sentence retrieval from embedding matrices: BUCC bitext mining and Tatoeba accuracy@1.

Everything is cosine similarity on L2-normalised float32 vectors; the top-k search (knn.py) is chunked
torch, so a 200k x 200k search never holds the full similarity matrix, and runs on the GPU when present.

BUCC follows the margin mining of xtreme `utils_retrieve.py` / jiant, written out here (faiss is a
heavy optional install and torch top-k is as fast on CPU: benchmarks/bucc_mining.py). Unlike those scripts we keep
every id (xtreme drops texts that occur twice), never index past the last candidate when tuning the
threshold, and apply a dev threshold to test unchanged.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


CHUNK = None  # query rows per matmul; None sizes each block to knn.BLOCK_ELEMS floats (128 MB)


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def center(x: np.ndarray) -> np.ndarray:
    """Rows minus their mean row: one language's sentence vectors without the offset they share
    (Libovický et al. 2020, "On the Language Neutrality of Pre-trained Multilingual Representations")."""
    x = np.asarray(x, dtype=np.float32)
    return x - x.mean(axis=0, keepdims=True)


def cosine(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Full cosine matrix [len(x), len(y)]; for small inputs (tests, a handful of pairs)."""
    return l2_normalize(x) @ l2_normalize(y).T


def top_k(queries: np.ndarray, keys: np.ndarray, k: int, chunk: int | None = CHUNK,
          device: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """k nearest keys by cosine for every query: (sims [n, k], ids [n, k]), best first.

    Ties go to the lower key index, so results do not depend on the chunk size. Runs on the GPU when
    there is one (knn.pick_device)."""
    from .knn import knn  # lazy: torch on first use: validation and the CLI's errors start without it

    return knn(l2_normalize(queries), l2_normalize(keys), k, chunk, device)


# ---- BUCC ---------------------------------------------------------------------------------------------

def _unique_rows(ids: Sequence[str], texts: Sequence[str] | None) -> tuple[np.ndarray, list[list[str]]]:
    """Rows to mine on (first row of each distinct text) and, per mined row, every id that shares it."""
    if texts is None:
        return np.arange(len(ids)), [[i] for i in ids]
    first: dict[str, int] = {}
    groups: list[list[str]] = []
    rows = []
    for row, (sid, text) in enumerate(zip(ids, texts)):
        if text not in first:
            first[text] = len(groups)
            groups.append([])
            rows.append(row)
        groups[first[text]].append(sid)
    return np.asarray(rows), groups


def _margin(cos: np.ndarray, cand: np.ndarray, mean_x: np.ndarray, mean_y: np.ndarray) -> np.ndarray:
    """Ratio margin of each candidate: cos(x, y) / ((mean kNN sim of x + mean kNN sim of y) / 2).

    cos, cand: [n, k] similarities and ids of each x's neighbours; mean_x [n], mean_y [n_y]."""
    return cos / ((mean_x[:, None] + mean_y[cand]) / 2)


def mine_rows(x: np.ndarray, y: np.ndarray, k: int = 4, chunk: int | None = CHUNK) -> list[tuple[int, int, float]]:
    """Ratio-margin "max" mining over rows: (x_row, y_row, score), best first, each row used at most once.

    Every x proposes its best-margin y among its k neighbours and every y its best x; all proposals are
    sorted by score and kept greedily while neither side is used yet."""
    x, y = l2_normalize(x), l2_normalize(y)  # once, not once per direction: 0.6 GB each at 200k x 768
    from .knn import knn_both  # lazy: torch, as in knn()

    x2y_sim, x2y, y2x_sim, y2x = knn_both(x, y, k, chunk)  # [n_x, k] and [n_y, k], one pass over x @ y.T
    mean_x, mean_y = x2y_sim.mean(axis=1), y2x_sim.mean(axis=1)
    fwd = _margin(x2y_sim, x2y, mean_x, mean_y)  # [n_x, k]
    bwd = _margin(y2x_sim, y2x, mean_y, mean_x)  # [n_y, k]
    src = np.concatenate([np.arange(len(x)), y2x[np.arange(len(y)), bwd.argmax(axis=1)]])
    trg = np.concatenate([x2y[np.arange(len(x)), fwd.argmax(axis=1)], np.arange(len(y))])
    scores = np.concatenate([fwd.max(axis=1), bwd.max(axis=1)])
    used_x, used_y, kept = set(), set(), []
    for i in np.argsort(-scores, kind="stable"):
        if src[i] not in used_x and trg[i] not in used_y:
            used_x.add(src[i])
            used_y.add(trg[i])
            kept.append((int(src[i]), int(trg[i]), float(scores[i])))
    return kept


def mine_pairs(src_ids: Sequence[str], src_emb: np.ndarray, trg_ids: Sequence[str], trg_emb: np.ndarray,
               src_texts: Sequence[str] | None = None, trg_texts: Sequence[str] | None = None,
               k: int = 4, chunk: int | None = CHUNK) -> list[tuple[str, str, float]]:
    """BUCC candidates (src_id, trg_id, margin score), best first, with no threshold applied.

    With texts, identical sentences are mined once (as jiant does) and the pair is given to every id
    sharing the text: two copies would otherwise compete for one partner in the greedy 1-1 step and
    count twice in each other's kNN means. Without texts, every row is mined as it is."""
    src_rows, src_groups = _unique_rows(src_ids, src_texts)
    trg_rows, trg_groups = _unique_rows(trg_ids, trg_texts)
    mined = mine_rows(np.asarray(src_emb)[src_rows], np.asarray(trg_emb)[trg_rows], k, chunk)
    return [(s, t, score) for i, j, score in mined for s in src_groups[i] for t in trg_groups[j]]


def pair_prf(gold: Iterable[tuple[str, str]], pred: Iterable[tuple[str, str]]) -> dict:
    """Precision, recall and F1 (0-100) of predicted (src_id, trg_id) pairs, both taken as sets."""
    gold, pred = {tuple(p) for p in gold}, {tuple(p) for p in pred}
    correct = len(gold & pred)
    if correct == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall = correct / len(pred), correct / len(gold)
    return {"precision": 100 * precision, "recall": 100 * recall,
            "f1": 100 * 2 * precision * recall / (precision + recall)}


def optimize_threshold(candidates: Sequence[tuple[str, str, float]], gold: Iterable[tuple[str, str]]) -> float:
    """Score threshold that maximises F1 of `candidates` against `gold` (meant for dev gold).

    Sweeps cut points between distinct scores, best first; the threshold is the midpoint to the next
    lower score, or the last score itself when the best cut keeps every candidate (xtreme indexes past
    the end there). Cutting only between distinct scores makes `score >= threshold` keep exactly the
    swept set. With no correct candidate at all, nothing is kept (threshold above the best score)."""
    gold = {tuple(p) for p in gold}
    ranked = sorted(candidates, key=lambda c: -c[2])
    if not ranked:
        return float("inf")
    best_f1, threshold = 0.0, float(np.nextafter(ranked[0][2], np.inf))
    correct = 0
    for i, (s, t, score) in enumerate(ranked):
        correct += (s, t) in gold
        is_last = i + 1 == len(ranked)
        if not is_last and ranked[i + 1][2] == score:
            continue  # a cut between equal scores cannot be expressed as a threshold
        f1 = 2 * correct / (i + 1 + len(gold)) if correct else 0.0
        if f1 > best_f1:
            best_f1 = f1
            threshold = score if is_last else (score + ranked[i + 1][2]) / 2
    return float(threshold)


def apply_threshold(candidates: Iterable[tuple[str, str, float]], threshold: float) -> set[tuple[str, str]]:
    """Pairs whose score is >= threshold (a dev threshold is applied to test unchanged)."""
    return {(s, t) for s, t, score in candidates if score >= threshold}


def bucc_scores(candidates: Sequence[tuple[str, str, float]], gold: Iterable[tuple[str, str]],
                threshold: float | None = None) -> dict:
    """P/R/F1 (0-100) of thresholded candidates plus the raw threshold used.

    threshold=None tunes it on this same gold: an oracle, the jiant/xtreme dev number. Pass the dev
    threshold to score test honestly."""
    gold = {tuple(p) for p in gold}
    if threshold is None:
        threshold = optimize_threshold(candidates, gold)
    return {**pair_prf(gold, apply_threshold(candidates, threshold)), "threshold": threshold}


# ---- Tatoeba ------------------------------------------------------------------------------------------

def nearest(queries: np.ndarray, keys: np.ndarray, chunk: int | None = CHUNK) -> np.ndarray:
    """Index of the most cosine-similar key for every query (ties: lowest index)."""
    return top_k(queries, keys, 1, chunk)[1][:, 0]


def tatoeba_accuracy(xx_emb: np.ndarray, en_emb: np.ndarray, direction: str = "en2xx",
                     chunk: int | None = CHUNK) -> float:
    """Accuracy@1 (0-100) where row i of each side translates row i of the other.

    "en2xx" (XTREME and jiant): each English sentence retrieves among the non-English ones; "xx2en" the
    other way round."""
    if len(xx_emb) != len(en_emb):
        raise ValueError(f"tatoeba: {len(xx_emb)} non-English rows vs {len(en_emb)} English rows")
    if direction == "en2xx":
        found = nearest(en_emb, xx_emb, chunk)
    elif direction == "xx2en":
        found = nearest(xx_emb, en_emb, chunk)
    else:
        raise ValueError(f"tatoeba direction {direction!r}: use 'en2xx' or 'xx2en'")
    return 100.0 * float(np.mean(found == np.arange(len(found))))


def tatoeba_scores(xx_emb: np.ndarray, en_emb: np.ndarray, chunk: int | None = CHUNK) -> dict:
    """Both directions; "accuracy" is the XTREME one (en2xx)."""
    en2xx = tatoeba_accuracy(xx_emb, en_emb, "en2xx", chunk)
    return {"accuracy": en2xx, "accuracy_en2xx": en2xx,
            "accuracy_xx2en": tatoeba_accuracy(xx_emb, en_emb, "xx2en", chunk)}
