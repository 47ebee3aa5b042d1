"""Per-notebook set-up: torch threads and quiet libraries (the offline switches are set by the preflight)."""
from __future__ import annotations

import os
import warnings


def setup(threads: int = 0) -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import datasets
    import torch
    import transformers

    if threads:
        torch.set_num_threads(threads)  # parallel notebooks share the cores instead of oversubscribing
    datasets.disable_progress_bars()  # keep executed notebooks small; the runner shows progress
    transformers.utils.logging.disable_progress_bar()  # no stale `Loading weights: 0%` widget in executed notebooks
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def pair_table(rows):
    """language x metric view of one pair's rows, per split."""
    return rows.pivot_table(index=["split", "language"], columns="metric", values="value").round(2)
