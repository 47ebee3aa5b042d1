"""Accuracy for sentence(-pair) classification, Tatoeba indices and anything else scored by exact match."""
from __future__ import annotations

from typing import Sequence


def accuracy(gold: Sequence, pred: Sequence) -> dict:
    """Share of positions where the prediction equals the gold label, on a 0-100 scale."""
    if len(gold) != len(pred):
        raise ValueError(f"accuracy: {len(pred)} predictions for {len(gold)} gold labels")
    if not gold:
        raise ValueError("accuracy: no examples to score")
    correct = sum(g == p for g, p in zip(gold, pred))
    return {"accuracy": 100.0 * correct / len(gold)}
