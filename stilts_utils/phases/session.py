"""Per-notebook set-up: torch threads and quiet libraries (the offline switches are set by the preflight)."""
from __future__ import annotations

import os
import warnings

import datasets
import torch
import transformers


def setup(threads: int = 0) -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    fast_float32(torch.cuda.is_available())
    if threads:
        torch.set_num_threads(threads)  # parallel notebooks share the cores instead of oversubscribing
    datasets.disable_progress_bars()  # keep executed notebooks small; the runner shows progress
    transformers.utils.logging.disable_progress_bar()  # no stale `Loading weights: 0%` widget in executed notebooks
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def fast_float32(cuda: bool) -> None:
    """TF32 tensor cores for fp32 matmuls and convolutions on the GPU (about 8x the fp32 rate on A100/H100,
    10-bit mantissa products with fp32 accumulation); the CPU has no such mode, so CPU numbers are unchanged."""
    if cuda:
        # the precision-name API, not `matmul.allow_tf32`: torch 2.9+ raises when a later reader mixes the
        # flag API with the fp32_precision one, and "high" reads back consistently through both
        torch.set_float32_matmul_precision("high")
        torch.backends.cudnn.allow_tf32 = True


def pair_table(rows):
    """language x metric view of one pair's rows, per split."""
    return rows.pivot_table(index=["split", "language"], columns="metric", values="value").round(2)
