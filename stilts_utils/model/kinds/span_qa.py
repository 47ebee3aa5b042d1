"""Extractive span QA (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP).

Long contexts become overlapping windows (doc stride); answers are decoded from the n best start/end
pairs over all windows of a question, with a null answer for SQuAD v2-style tasks.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...metrics import METRICS
from ...metrics.qa import answers_from_rows
from .common import padding_collator, forward_batches, inputs_only


LABEL_NAMES = ("start_positions", "end_positions")
N_BEST = 20
MAX_ANSWER_TOKENS = 30


def _short_questions(questions, tokenizer, max_query_len):
    """Cut questions to `max_query_len` tokens (XTREME's max_query_length) so contexts keep room."""
    out = []
    for q in questions:
        q = q.lstrip()
        enc = tokenizer(q, add_special_tokens=False, return_offsets_mapping=True)
        if len(enc["input_ids"]) > max_query_len:
            q = q[:enc["offset_mapping"][max_query_len - 1][1]]
        out.append(q)
    return out


def _tokenize(batch, tokenizer, settings):
    return tokenizer(_short_questions(batch["question"], tokenizer, settings.max_query_len),
                     batch["context"], truncation="only_second", max_length=settings.max_seq_len,
                     stride=settings.doc_stride, return_overflowing_tokens=True,
                     return_offsets_mapping=True)


def _answer_positions(enc, i, answers):
    """Token start/end of the first gold answer inside feature i; (0, 0) when outside or unanswerable."""
    if not answers["answer_start"]:
        return 0, 0
    start_char = answers["answer_start"][0]
    end_char = start_char + len(answers["text"][0])
    seq_ids = enc.sequence_ids(i)
    offsets = enc["offset_mapping"][i]
    ctx = [t for t, s in enumerate(seq_ids) if s == 1]
    if not ctx or offsets[ctx[0]][0] > start_char or offsets[ctx[-1]][1] < end_char:
        return 0, 0
    start = next(t for t in ctx if offsets[t][1] > start_char)
    end = next(t for t in reversed(ctx) if offsets[t][0] < end_char)
    return start, end


def featurize(examples, tokenizer, task, settings, **options):  # options: protocol.feature_options(), none read here
    def encode(batch):
        enc = _tokenize(batch, tokenizer, settings)
        out = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
               "start_positions": [], "end_positions": [], "example_id": [], "offset_mapping": []}
        for i, ex in enumerate(enc["overflow_to_sample_mapping"]):
            start, end = _answer_positions(enc, i, batch["answers"][ex])
            out["start_positions"].append(start)
            out["end_positions"].append(end)
            out["example_id"].append(batch["id"][ex])
            seq_ids = enc.sequence_ids(i)  # keep offsets of context tokens only
            out["offset_mapping"].append([o if s == 1 else None for o, s in
                                          zip(enc["offset_mapping"][i], seq_ids)])
        return out
    return examples.map(encode, batched=True, remove_columns=examples.column_names, desc="tokenize")


def train_features(features):
    return inputs_only(features, LABEL_NAMES)


collator = padding_collator


def _best_span(start, end, offsets):
    """Highest start+end score among valid context spans of one window: (score, char_start, char_end)."""
    best = (-np.inf, 0, 0)
    starts = np.argsort(start)[::-1][:N_BEST]
    ends = np.argsort(end)[::-1][:N_BEST]
    for s in starts:
        for e in ends:
            if (s >= len(offsets) or e >= len(offsets) or offsets[s] is None or offsets[e] is None
                    or e < s or e - s + 1 > MAX_ANSWER_TOKENS):
                continue
            score = start[s] + end[e]
            if score > best[0]:
                best = (score, offsets[s][0], offsets[e][1])
    return best


def predict(model, features, examples, task, tokenizer, settings) -> dict[str, str]:
    out = forward_batches(model, features, collator(tokenizer), settings.eval_batch_size,
                          ("start_logits", "end_logits"))
    contexts = dict(zip(examples["id"], examples["context"]))
    best, null = {}, {}
    for start, end, ex, offsets in zip(out["start_logits"], out["end_logits"], features["example_id"],
                                       features["offset_mapping"]):
        n = len(offsets)  # logits are padded to the batch length
        score, a, b = _best_span(start[:n], end[:n], offsets)
        if score > best.get(ex, (-np.inf,))[0]:
            best[ex] = (score, contexts[ex][a:b])
        null[ex] = min(null.get(ex, np.inf), start[0] + end[0])
    preds = {}
    for ex in examples["id"]:
        score, text = best.get(ex, (-np.inf, ""))
        preds[ex] = "" if task.null_answer and null.get(ex, -np.inf) > score else text
    return preds


def gold(examples, task) -> list[dict]:
    return [{"id": i, "answers": a} for i, a in zip(examples["id"], examples["answers"])]


# ---- head and scorer ----------------------------------------------------------------------------

class Head(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.out = nn.Linear(hidden, 2)

    def forward(self, hidden, mask, start_positions=None, end_positions=None, n_choices=None):
        start, end = self.out(hidden).unbind(-1)  # (B, L) each
        very_negative = torch.finfo(start.dtype).min
        start = start.masked_fill(mask == 0, very_negative)
        end = end.masked_fill(mask == 0, very_negative)
        loss = None
        if start_positions is not None:
            loss = (nn.functional.cross_entropy(start, start_positions)
                    + nn.functional.cross_entropy(end, end_positions)) / 2
        return {"loss": loss, "start_logits": start, "end_logits": end}


def make_head(hidden: int, n_labels: int, pooling: str) -> nn.Module:
    return Head(hidden)  # start/end logits per token


def scorer(task) -> str:
    return task.scorer or ("squad_v2" if task.null_answer else "squad_v1")


def score(task, lang: str, preds, gold, **options) -> dict:
    """gold: the rows of `gold()`; metrics take (id, [answer texts]) per row, repeated ids kept."""
    return METRICS[scorer(task)](answers_from_rows(gold), preds, lang=lang, **options)
