"""Metrics on a 0-100 scale, by name: pure functions of gold and predictions (a leaf: no task knowledge).

Every entry is called `fn(gold, pred, lang=..., **options) -> {metric: value}`; only MLQA's normalisation
reads the language, only the tagging scorer reads an option (`tagging_f1`, see metrics/tagging.py); other
options are ignored. The name is what a kind or task declares as its scorer; the returned keys are the `metric`
column of the results rows (accuracy, f1, em, precision, recall, token_accuracy, ...).
"""
from .classification import accuracy
from .qa import mlqa, squad_v1, squad_v2
from .ranking import lareqa_map, mean_average_precision, mewslix_map
from .retrieval import bucc_scores, mine_pairs, pair_prf, tatoeba_scores
from .tagging import DEFAULT_TAGGING_F1, TAGGING_F1, tagging_scores


def _any_language(fn):
    return lambda gold, pred, lang="", **options: fn(gold, pred)


def _tagging(gold, pred, lang="", tagging_f1=DEFAULT_TAGGING_F1, **options):
    return tagging_scores(gold, pred, tagging_f1=tagging_f1)


def _mlqa(gold, pred, lang="", **options):
    return mlqa(gold, pred, lang)


METRICS = {
    "accuracy": _any_language(accuracy),  # classification, multiple choice, Tatoeba indices
    "seqeval": _tagging,  # UD-POS, PAN-X (XTREME's seqeval F1) and CCG (token_accuracy)
    "squad_v1": _any_language(squad_v1),  # SQuAD v1.1, XQuAD, TyDiQA-GoldP
    "squad_v2": _any_language(squad_v2),
    "mlqa": _mlqa,  # per-language answer normalisation
    "bucc": _any_language(pair_prf),  # (src_id, trg_id) pairs
    "map@20": _any_language(lareqa_map),  # ranked ids, every relevant id counts (LAReQA)
    "map@20_first_gold": _any_language(mewslix_map),  # ranked ids, the first gold id only (Mewsli-X)
}

__all__ = ["METRICS", "TAGGING_F1", "accuracy", "bucc_scores", "lareqa_map", "mean_average_precision", "mewslix_map",
           "mine_pairs", "mlqa", "pair_prf", "squad_v1", "squad_v2", "tagging_scores", "tatoeba_scores"]
