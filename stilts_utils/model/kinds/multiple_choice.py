"""Multiple choice (HellaSwag, Cosmos QA, CommonsenseQA, XCOPA): one score per (prompt, choice)."""
from __future__ import annotations

import torch
from torch import nn

from ...metrics import METRICS
from ..heads import PooledScorer
from .common import argmax_rows, forward_batches, inputs_only


LABEL_NAMES = ("labels",)


def featurize(examples, tokenizer, task, settings, **options):  # options: protocol.feature_options(), none read here
    def encode(batch):
        out = {"input_ids": [], "attention_mask": [], "labels": batch["label"]}
        for prompt, choices in zip(batch["prompt"], batch["choices"]):
            enc = tokenizer([prompt] * len(choices), choices, truncation="only_first",
                            max_length=settings.max_seq_len)
            out["input_ids"].append(enc["input_ids"])  # (C, L_c)
            out["attention_mask"].append(enc["attention_mask"])
        return out
    return examples.map(encode, batched=True, remove_columns=examples.column_names, desc="tokenize")


def train_features(features):
    return inputs_only(features, LABEL_NAMES)


def collator(tokenizer):
    """Pads every choice of every example to one length: (B, C, L)."""
    pad = tokenizer.pad_token_id

    def collate(rows):
        length = max(len(ids) for r in rows for ids in r["input_ids"])
        def padded(seqs, value):
            return [[list(s) + [value] * (length - len(s)) for s in choices] for choices in seqs]
        batch = {"input_ids": torch.tensor(padded([r["input_ids"] for r in rows], pad)),
                 "attention_mask": torch.tensor(padded([r["attention_mask"] for r in rows], 0))}
        if "labels" in rows[0]:
            batch["labels"] = torch.tensor([r["labels"] for r in rows])
        return batch
    return collate


def predict(model, features, examples, task, tokenizer, settings) -> list[int]:
    out = forward_batches(model, features, collator(tokenizer), settings.eval_batch_size, ("logits",))
    return [int(i) for i in argmax_rows(out["logits"])]


def gold(examples, task) -> list[int]:
    return list(examples["label"])


# ---- head and scorer ----------------------------------------------------------------------------

class Head(nn.Module):
    def __init__(self, hidden: int, pooling: str):
        super().__init__()
        self.scorer = PooledScorer(hidden, 1, pooling)

    def forward(self, hidden, mask, labels=None, n_choices=None):
        logits = self.scorer(hidden, mask).view(-1, n_choices)  # (B*C, 1) -> (B, C)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def make_head(hidden: int, n_labels: int, pooling: str) -> nn.Module:
    return Head(hidden, pooling)  # one score per choice: the label count is the choice count


def scorer(task) -> str:
    return task.scorer or "accuracy"


def score(task, lang: str, preds, gold, **options) -> dict:
    return METRICS[scorer(task)](gold, preds, lang=lang, **options)
