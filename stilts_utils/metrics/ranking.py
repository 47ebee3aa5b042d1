"""Ranked retrieval scores of XTREME-R (0-100): mean average precision at k over ranked candidate lists.

Gold maps each query id to its relevant candidate ids, predictions map a query id to its candidate ids,
best first. Rewritten from the documented behaviour of google-research/xtreme @838c13b:

- `average_precision_at_k` follows third_party/utils_lareqa.py `average_precision_at_k`: the list is cut
  to its first k entries; each entry that is relevant and was not already listed earlier is a hit, adding
  hits / position (so a repeated id still takes its position but never counts twice); the sum is divided
  by min(number of relevant ids, k). A query with no relevant id raises (LAReQA's division by zero).
- LAReQA (utils_lareqa.mean_avg_prec_at_k, k=20): every relevant id counts (the answer sentence in each
  language). Mewsli-X (utils_mewslix.evaluate, k=20, which evaluate.py reports as `map@20`): only the
  *first* gold id counts (its gold lists are singletons); with one relevant id AP@k is the reciprocal
  rank of its first occurrence in the top k, i.e. utils_mewslix.mean_reciprocal_rank.
- The mean runs over the gold queries: a query without predictions scores 0, predictions for ids not in
  the gold are ignored (utils_mewslix.evaluate), and no gold query at all gives 0 (mean_reciprocal_rank).
"""
from __future__ import annotations

from typing import Mapping, Sequence

TOP_K = 20  # utils_mewslix.TOP_K; run_retrieval (lareqa) calls mean_avg_prec_at_k(..., k=20)


def average_precision_at_k(relevant: Sequence[str], ranked: Sequence[str], k: int | None = TOP_K) -> float:
    """AP@k of one ranked list (0-1); `k=None` scores the whole list."""
    targets = set(relevant)
    if not targets:
        raise ValueError("average precision: a query without relevant ids")
    ranked = list(ranked[:k] if k else ranked)
    score, hits, seen = 0.0, 0, set()
    for position, candidate in enumerate(ranked, 1):
        if candidate in targets and candidate not in seen:
            hits += 1
            score += hits / position
        seen.add(candidate)
    return score / (min(len(targets), k) if k else len(targets))


def mean_average_precision(gold: Mapping[str, Sequence[str]], pred: Mapping[str, Sequence[str]],
                           k: int = TOP_K, first_gold_only: bool = False) -> dict:
    """{"map@k": mean AP@k over the gold queries, 0-100}; `first_gold_only` is Mewsli-X's rule."""
    if not gold:
        return {f"map@{k}": 0.0}
    total = 0.0
    for query, relevant in gold.items():
        relevant = [str(relevant[0]).strip()] if first_gold_only else list(relevant)
        total += average_precision_at_k(relevant, list(pred.get(query, [])), k)
    return {f"map@{k}": 100.0 * total / len(gold)}


def lareqa_map(gold, pred) -> dict:
    """LAReQA's mAP@20: every relevant answer sentence counts."""
    return mean_average_precision(gold, pred, TOP_K)


def mewslix_map(gold, pred) -> dict:
    """Mewsli-X's `map@20` (utils_mewslix.evaluate: MRR@20 on the first gold entity id)."""
    return mean_average_precision(gold, pred, TOP_K, first_gold_only=True)
