"""Single-sentence and sentence-pair classification (XNLI, PAWS-X, MNLI, QQP, ANLI+)."""
from __future__ import annotations

from torch import nn

from ...metrics import METRICS
from ..heads import PooledScorer
from .common import padding_collator, argmax_rows, forward_batches, inputs_only


LABEL_NAMES = ("labels",)


def featurize(examples, tokenizer, task, settings, **options):  # options: protocol.feature_options(), none read here
    def encode(batch):
        pair = any(batch["text_b"])
        enc = tokenizer(batch["text_a"], batch["text_b"] if pair else None, truncation=True,
                        max_length=settings.max_seq_len)
        enc["labels"] = batch["label"]
        return enc
    return examples.map(encode, batched=True, remove_columns=examples.column_names, desc="tokenize")


def train_features(features):
    return inputs_only(features, LABEL_NAMES)


collator = padding_collator


def predict(model, features, examples, task, tokenizer, settings) -> list[str]:
    out = forward_batches(model, features, collator(tokenizer), settings.eval_batch_size, ("logits",))
    return [task.labels[i] for i in argmax_rows(out["logits"])]


def gold(examples, task) -> list[str]:
    return [task.labels[i] for i in examples["label"]]


# ---- head and scorer ----------------------------------------------------------------------------

class Head(nn.Module):
    def __init__(self, hidden: int, n_labels: int, pooling: str):
        super().__init__()
        self.scorer = PooledScorer(hidden, n_labels, pooling)

    def forward(self, hidden, mask, labels=None, n_choices=None):
        logits = self.scorer(hidden, mask)  # (B, n_labels)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def make_head(hidden: int, n_labels: int, pooling: str) -> nn.Module:
    return Head(hidden, n_labels, pooling)


def scorer(task) -> str:
    return task.scorer or "accuracy"


def score(task, lang: str, preds, gold, **options) -> dict:
    return METRICS[scorer(task)](gold, preds, lang=lang, **options)
