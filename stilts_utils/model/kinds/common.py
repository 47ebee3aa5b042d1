"""What every kind shares: model inputs, batched inference and label-name lookups."""
from __future__ import annotations

import numpy as np
import torch

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def inputs_only(features, extra: tuple = ()):
    keep = set(MODEL_INPUTS) | set(extra)
    return features.remove_columns([c for c in features.column_names if c not in keep])


def forward_batches(model, features, collate, batch_size: int, outputs: tuple) -> dict:
    """Run the model over features in order; returns numpy arrays per output, one row per feature.

    Sequence outputs of different batch lengths are returned as a list of per-feature arrays."""
    model.eval()
    device = next(model.parameters()).device
    rows = inputs_only(features)
    got = {name: [] for name in outputs}
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            batch = collate([rows[i] for i in range(start, min(start + batch_size, len(rows)))])
            out = model(**{k: v.to(device) for k, v in batch.items()})
            for name in outputs:
                got[name].extend(out[name].float().cpu().numpy())
    return got


def argmax_rows(rows) -> np.ndarray:
    return np.array([int(np.argmax(r)) for r in rows], dtype=int)


def padding_collator(tokenizer):
    """Dynamic padding to the longest row of the batch (batches are length-grouped by the Trainer)."""
    from transformers import DataCollatorWithPadding

    return DataCollatorWithPadding(tokenizer)
