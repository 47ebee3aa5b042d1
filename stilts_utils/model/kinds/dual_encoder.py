"""Ranked retrieval with a fine-tuned dual encoder (XTREME-R's Mewsli-X and LAReQA baselines).

The recipe of google-research/xtreme third_party/bert.py `BertForRetrieval` (used by run_retrieval_el.py
for Mewsli-X and run_retrieval_qa.py for LAReQA): one encoder shared by both towers; a text's vector is its
[CLS] position through a dense + tanh layer (BERT's pooler), L2-normalised; the logits are the cosine
similarities of every query with every candidate of the batch times a *learned* scale initialised at 100;
the loss is softmax cross-entropy of each query against its own candidate, the other candidates of the
batch being its negatives (in-batch negatives, query -> candidate only). Differences: the pooler is a fresh
dense + tanh of this head (the STILTs step starts every head fresh) over the model's default pooling (mean
for mT5's encoder, which has no [CLS]); batches are our length-grouped ones (negatives come from texts of
similar length).

Rows (canonical columns): `id` (query id, "" for a candidate that is no query's answer), `query`,
`candidate_id`, `candidate`. A query with several relevant candidates (LAReQA: its answer sentence in every
language) has a row per candidate; candidate-only rows fill the pool (Mewsli-X: the ~1M entities). Training
uses the rows that have a query; evaluation ranks the pool of distinct candidates of its rows for each
distinct query. A capped split thus keeps each kept query's answer in the pool.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...metrics import METRICS
from ...metrics.ranking import TOP_K
from ..heads import pool
from .common import forward_batches, inference_device, padding_collator
from .multiple_choice import collator as _pair_collator

LABEL_NAMES = ()  # in-batch negatives: the batch is its own label (query i <-> candidate i)
SCALE = 100.0  # xtreme bert.py: logit_scale initialised to 100 and trained


def featurize(examples, tokenizer, task, settings, **options):
    """(query, candidate) pairs as (2, L) rows: queries cut at max_query_len, candidates at max_seq_len
    (XTREME-R: LAReQA 96 / 256, Mewsli-X 64 / 64)."""
    pairs = examples.filter(lambda b: [bool(i) for i in b["id"]], batched=True, desc="pairs")

    def encode(batch):
        q = tokenizer(batch["query"], truncation=True, max_length=settings.max_query_len)
        c = tokenizer(batch["candidate"], truncation=True, max_length=settings.max_seq_len)
        return {"input_ids": [[a, b] for a, b in zip(q["input_ids"], c["input_ids"])],
                "attention_mask": [[a, b] for a, b in zip(q["attention_mask"], c["attention_mask"])]}
    return pairs.map(encode, batched=True, remove_columns=pairs.column_names, desc="tokenize")


def train_features(features):
    return features


def collator(tokenizer):
    """(B, 2, L): query and candidate of each pair padded to one length, as multiple-choice rows."""
    return _pair_collator(tokenizer)


# ---- head ---------------------------------------------------------------------------------------

class Head(nn.Module):
    def __init__(self, hidden: int, pooling: str):
        super().__init__()
        self.pooling = pooling
        self.pooler = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh())
        self.logit_scale = nn.Parameter(torch.tensor(SCALE))

    def embed(self, hidden, mask):
        """(N, L, H) -> (N, H) unit vectors."""
        return nn.functional.normalize(self.pooler(pool(hidden, mask, self.pooling)), dim=-1)

    def forward(self, hidden, mask, n_choices=None):
        vectors = self.embed(hidden, mask)
        if n_choices is None:  # inference: one text per row
            return {"loss": None, "embeddings": vectors}
        pairs = vectors.view(-1, n_choices, vectors.shape[-1])  # (B, 2, H): query, candidate
        logits = pairs[:, 0] @ pairs[:, 1].T * self.logit_scale  # (B, B): every query x every candidate
        loss = nn.functional.cross_entropy(logits, torch.arange(len(logits), device=logits.device))
        return {"loss": loss, "logits": logits}


def make_head(hidden: int, n_labels: int, pooling: str) -> nn.Module:
    return Head(hidden, pooling)


# ---- prediction: rank the pool for every query --------------------------------------------------

_CACHE: dict = {}  # the last candidate pool's vectors (Mewsli-X: ~1M entities, the same for every language)


def _weights_version(model) -> tuple:
    """Changes whenever training updates a weight in place (the optimizer step bumps each tensor's version)."""
    return (id(model), sum(p._version for p in model.parameters()))


def _embed(model, tokenizer, texts: list[str], max_len: int, batch_size: int) -> np.ndarray:
    """(N, H) unit vectors of `texts` through the encoder and this head's pooler."""
    import datasets  # lazy: 0.6 s; `tasks` and `score` import the kinds for their facts only

    enc = tokenizer(texts, truncation=True, max_length=max_len)
    feats = datasets.Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})
    out = forward_batches(model, feats, padding_collator(tokenizer), batch_size, ("embeddings",))
    return np.stack(out["embeddings"]) if texts else np.zeros((0, 1), dtype=np.float32)


def _pool(examples) -> tuple[list[str], list[str]]:
    """Distinct candidates (ids, texts), sorted by id: every language of a task has the same pool, in the same
    order, so it is embedded once per model (the rows list each language's gold candidates first)."""
    seen = {}
    for cid, text in zip(examples["candidate_id"], examples["candidate"]):
        seen.setdefault(cid, text)
    ids = sorted(seen)
    return ids, [seen[i] for i in ids]


def _queries(examples) -> tuple[list[str], list[str]]:
    seen = {}
    for qid, text in zip(examples["id"], examples["query"]):
        if qid:
            seen.setdefault(qid, text)
    return list(seen), list(seen.values())


def predict(model, features, examples, task, tokenizer, settings) -> dict:
    """{query id: [the TOP_K best candidate ids, best first]} (XTREME-R's ranking submission)."""
    inference_device(model)
    ids, texts = _pool(examples)
    key = (_weights_version(model), tuple(ids), settings.max_seq_len)
    if _CACHE.get("key") != key:
        _CACHE.clear()
        _CACHE.update(key=key, vectors=_embed(model, tokenizer, texts, settings.max_seq_len,
                                              settings.eval_batch_size))
    pool_vectors = _CACHE["vectors"]  # (C, H)
    qids, qtexts = _queries(examples)
    queries = _embed(model, tokenizer, qtexts, settings.max_query_len, settings.eval_batch_size)  # (Q, H)
    ranked = {}
    for start in range(0, len(qids), 1024):  # (1024, C) scores at a time: Mewsli-X has ~1M candidates
        scores = queries[start:start + 1024] @ pool_vectors.T
        k = min(TOP_K, scores.shape[1])
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, qid in enumerate(qids[start:start + 1024]):
            best = top[row][np.argsort(-scores[row, top[row]], kind="stable")]
            ranked[qid] = [ids[i] for i in best]
    return ranked


def gold(examples, task) -> dict:
    """{query id: [relevant candidate ids]} from the rows that pair a query with a candidate."""
    out: dict = {}
    for qid, cid in zip(examples["id"], examples["candidate_id"]):
        if qid:
            out.setdefault(qid, []).append(cid)
    return out


def scorer(task) -> str:
    return task.scorer or "map@20"


def score(task, lang: str, preds, gold, **options) -> dict:
    return METRICS[scorer(task)](gold, preds, lang=lang, **options)
