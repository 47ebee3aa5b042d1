"""Token tagging scores with XTREME's semantics: seqeval over the raw tag strings, plus token accuracy.

XTREME's evaluate.py (and jiant) score UD-POS *and* PAN-X with seqeval's default (non-strict) mode. For
POS tags this is a quirk (xtreme#56): seqeval reads the first letter of a tag as a BIO
prefix and the rest as a type, so runs of identical tags merge into one chunk and SCONJ/SYM become
single-token chunks. We keep the quirk so numbers compare with XTREME's, and report token accuracy
beside it (the number the XTREME paper describes for POS).
"""
from __future__ import annotations

import warnings
from typing import Sequence

from seqeval.metrics import f1_score, precision_score, recall_score


def _as_names(sentences: Sequence[Sequence], labels: Sequence[str] | None) -> list[list[str]]:
    """Tag ids -> tag names when `labels` is given; seqeval only understands strings."""
    if labels is None:
        return [[str(t) for t in sent] for sent in sentences]
    return [[labels[t] for t in sent] for sent in sentences]


def _check_shapes(gold: list[list[str]], pred: list[list[str]]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"tagging: {len(pred)} predicted sentences for {len(gold)} gold sentences")
    for i, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise ValueError(f"tagging: sentence {i} has {len(p)} predicted tags for {len(g)} words")


def token_accuracy(gold: list[list[str]], pred: list[list[str]]) -> float:
    """Share of words whose tag is right, 0-100 (jiant's CCG metric; the honest POS number)."""
    n = sum(len(s) for s in gold)
    if n == 0:
        raise ValueError("tagging: no words to score")
    correct = sum(g == p for gs, ps in zip(gold, pred) for g, p in zip(gs, ps))
    return 100.0 * correct / n


def tagging_scores(gold: Sequence[Sequence], pred: Sequence[Sequence],
                   labels: Sequence[str] | None = None) -> dict:
    """seqeval F1/precision/recall (micro, default mode, as XTREME) and token accuracy, all 0-100.

    `gold` and `pred` are lists of sentences, each a list of tags (names, or ids with `labels`)."""
    gold, pred = _as_names(gold, labels), _as_names(pred, labels)
    _check_shapes(gold, pred)
    with warnings.catch_warnings():
        # seqeval warns once per POS tag that it "seems not to be NE tag": that is the quirk we keep on purpose.
        warnings.filterwarnings("ignore", message=".*seems not to be NE tag")
        # zero_division=0: no predicted (or gold) chunks scores 0, seqeval's default value, minus the warning.
        scores = {name: fn(gold, pred, zero_division=0)
                  for name, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score))}
    out = {name: 100.0 * float(v) for name, v in scores.items()}
    out["token_accuracy"] = token_accuracy(gold, pred)
    return out
