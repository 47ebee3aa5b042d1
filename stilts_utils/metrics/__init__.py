"""Metrics on a 0-100 scale, by name. Every entry is called `fn(gold, pred, **kw) -> {metric: value}`.

The name is what a task declares as its scorer; the returned keys are the `metric` column of the
results rows (accuracy, f1, em, precision, recall, token_accuracy, ...).
"""
from .aggregate import GROUPS, TASK2LANGS, xtreme_scores
from .classification import accuracy
from .qa import mlqa, squad_v1, squad_v2
from .retrieval import bucc_scores, mine_pairs, pair_prf, tatoeba_scores
from .tagging import tagging_scores

METRICS = {
    "accuracy": accuracy,  # classification, multiple choice, Tatoeba indices
    "seqeval": tagging_scores,  # UD-POS, PAN-X (XTREME's seqeval F1) and CCG (token_accuracy)
    "squad_v1": squad_v1,  # SQuAD v1.1, XQuAD, TyDiQA-GoldP
    "squad_v2": squad_v2,
    "mlqa": mlqa,  # needs lang=
    "bucc": pair_prf,  # (src_id, trg_id) pairs
}

__all__ = ["METRICS", "GROUPS", "TASK2LANGS", "accuracy", "bucc_scores", "mine_pairs", "mlqa", "pair_prf",
           "squad_v1", "squad_v2", "tagging_scores", "tatoeba_scores", "xtreme_scores"]
