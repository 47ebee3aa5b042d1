"""Metrics on a 0-100 scale, by name: pure functions of gold and predictions (a leaf: no task knowledge).

Every entry is called `fn(gold, pred, lang=...) -> {metric: value}`; only MLQA's normalisation reads the
language. The name is what a kind or task declares as its scorer; the returned keys are the `metric`
column of the results rows (accuracy, f1, em, precision, recall, token_accuracy, ...).
"""
from .classification import accuracy
from .qa import mlqa, squad_v1, squad_v2
from .retrieval import bucc_scores, mine_pairs, pair_prf, tatoeba_scores
from .tagging import tagging_scores


def _any_language(fn):
    return lambda gold, pred, lang="": fn(gold, pred)


METRICS = {
    "accuracy": _any_language(accuracy),  # classification, multiple choice, Tatoeba indices
    "seqeval": _any_language(tagging_scores),  # UD-POS, PAN-X (XTREME's seqeval F1) and CCG (token_accuracy)
    "squad_v1": _any_language(squad_v1),  # SQuAD v1.1, XQuAD, TyDiQA-GoldP
    "squad_v2": _any_language(squad_v2),
    "mlqa": mlqa,  # per-language answer normalisation
    "bucc": _any_language(pair_prf),  # (src_id, trg_id) pairs
}

__all__ = ["METRICS", "accuracy", "bucc_scores", "mine_pairs", "mlqa", "pair_prf", "squad_v1", "squad_v2",
           "tagging_scores", "tatoeba_scores"]
