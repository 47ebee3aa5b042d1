"""Retrieval targets (BUCC, Tatoeba): no training; sentence vectors from one hidden layer of the encoder."""
from __future__ import annotations

import numpy as np
import torch

from ...families import hidden_size
from ..heads import pool
from .common import inference_device, inference_precision, scaled_batches


def embed(encoder, tokenizer, texts: list[str], layer: int, pooling: str, max_len: int,
          batch_size: int, sort: bool = True, device: str | None = None) -> np.ndarray:
    """(N, H) pooled hidden_states[layer]; batches sorted by length so padding stays small, `batch_size` on
    the CPU and more on a large GPU (common.scaled_batches).

    sort=False batches the texts as given and device="cpu" keeps a CPU model there: on the CPU another
    padding length changes the floating-point sums, so the phase-1 report, whose numbers must not move,
    asks for both."""
    encoder.eval()
    # by default the GPU when there is one, with bf16 autocast there
    device = torch.device(device) if device is not None else inference_device(encoder)
    order = np.argsort([len(t) for t in texts]) if sort else np.arange(len(texts))
    out = np.zeros((len(texts), hidden_size(encoder.config)), dtype=np.float32)

    def run(size):
        with torch.no_grad(), inference_precision(device):
            for start in range(0, len(texts), size):
                idx = order[start:start + size]
                enc = tokenizer([texts[i] for i in idx], truncation=True, max_length=max_len, padding=True,
                                return_tensors="pt").to(device)
                hidden = encoder(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                                 output_hidden_states=True).hidden_states[layer]
                out[idx] = pool(hidden.float(), enc["attention_mask"], pooling).cpu().numpy()  # pooled in fp32
    scaled_batches(run, batch_size, device)
    return out


def sides(rows) -> dict:
    """Split canonical retrieval rows into source/target lists and the gold (src_id, trg_id) pairs.

    A row's `gold` holds the ids of its partners on the other side, space-separated (BUCC: a source
    sentence may have several gold targets; every one counts)."""
    out = {side: {"id": [], "text": []} for side in ("src", "trg")}
    gold = set()
    for side, sid, text, other in zip(rows["side"], rows["id"], rows["text"], rows["gold"]):
        out[side]["id"].append(sid)
        out[side]["text"].append(text)
        if side == "src":
            gold.update((sid, t) for t in other.split())
    return {"src": out["src"], "trg": out["trg"], "gold": gold}


def scorer(task) -> str:
    """Retrieval is scored by its evaluation (margin mining or top-1), not by a metric of predictions."""
    return task.scorer or ("bucc" if task.mining else "accuracy")
