"""What every kind shares: model inputs, batched inference and label-name lookups."""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def inputs_only(features, extra: tuple = ()):
    keep = set(MODEL_INPUTS) | set(extra)
    return features.remove_columns([c for c in features.column_names if c not in keep])


def inference_device(model) -> torch.device:
    """Where inference runs: the GPU when there is one (a model still on the CPU, e.g. a retrieval encoder
    fresh from disk, moves there once), else the model's own device."""
    if torch.cuda.is_available() and next(model.parameters()).device.type != "cuda":
        model.to("cuda")
    return next(model.parameters()).device


def inference_precision(device: torch.device):
    """bf16 autocast on a GPU that has it (fp32 weights, bf16 matmuls: 2-16x the fp32 rate, and bf16 keeps
    fp32's exponent range, so no overflow as with fp16); fp32 everywhere else, the CPU unchanged."""
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


RECIPE_GIB = 16  # the GPU memory the recipes' batch sizes were made for (jiant: 16 GB cards)


def scaled_batches(run, batch_size: int, device: torch.device):
    """run(batch size) at the study's batch size on the CPU (results stay bit-identical), on a GPU at it
    times the device's memory over RECIPE_GIB, halved on out-of-memory (a retry redoes every batch)."""
    if device.type != "cuda":
        return run(batch_size)
    from accelerate.utils import find_executable_batch_size  # lazy: 0.1 s; `tasks` and `score` import the kinds

    gib = torch.cuda.get_device_properties(device).total_memory / 2**30
    size = [batch_size * max(1, int(gib // RECIPE_GIB))]

    def halve():
        size[0] //= 2
        return size[0]
    return find_executable_batch_size(run, size[0], halve)()


def _length(ids) -> int:
    """Tokens of one row's input_ids; multiple-choice rows hold one list per choice (padded to the longest)."""
    return max((len(x) for x in ids), default=0) if ids and isinstance(ids[0], list) else len(ids)


def batch_order(lengths, sort: bool) -> np.ndarray:
    """The order rows are batched in: by length (stable, so ties keep data order) or as given."""
    return np.argsort(lengths, kind="stable") if sort else np.arange(len(lengths))


def forward_batches(model, features, collate, batch_size: int, outputs: tuple, sort: bool | None = None) -> dict:
    """Run the model over features; returns numpy arrays per output, one row per feature in feature order.

    sort: batch rows of similar length together (less padding: measured 1.4x faster eval) and put the
    outputs back in order. Only on the GPU by default: on the CPU another padding length changes the
    floating-point sums (measured: logits move by ~5e-6, tests/test_gpu_paths.py), and CPU results must
    stay bit-identical.
    Sequence outputs of different batch lengths are returned as a list of per-feature arrays."""
    model.eval()
    device = inference_device(model)
    rows = inputs_only(features)
    sort = device.type == "cuda" if sort is None else sort
    order = batch_order([_length(ids) for ids in rows["input_ids"]] if sort else [0] * len(rows), sort)
    got = {name: [None] * len(rows) for name in outputs}

    def run(size):
        with torch.no_grad(), inference_precision(device):
            for start in range(0, len(rows), size):
                idx = order[start:start + size]
                batch = collate([rows[int(i)] for i in idx])
                out = model(**{k: v.to(device) for k, v in batch.items()})
                for name in outputs:
                    for i, value in zip(idx, out[name].float().cpu().numpy()):
                        got[name][i] = value
    scaled_batches(run, batch_size, device)  # the study's batch on the CPU, more on a large GPU
    return got


def argmax_rows(rows) -> np.ndarray:
    return np.array([int(np.argmax(r)) for r in rows], dtype=int)


def padding_collator(tokenizer):
    """Dynamic padding to the longest row of the batch (batches are length-grouped by the Trainer)."""
    from transformers import DataCollatorWithPadding  # lazy: 0.5 s; `tasks` and `score` import the kinds

    return DataCollatorWithPadding(tokenizer)
