"""Multi-task intermediate training: one encoder, one head per task, single-task batches drawn with
p(task) ∝ min(N, cap) ** (1 / temperature) (jiant's proportional / capped / temperature samplers).

The Trainer knows one dataset and one collator; this module gives it a routed head, a batch sampler that
keeps every batch within one task, and a collator that dispatches on the batch's task.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import ConcatDataset, DataLoader, Sampler
from transformers import Trainer


def task_probabilities(sizes: list[int], cap: int = 0, temperature: float = 1.0) -> np.ndarray:
    capped = np.array([min(n, cap) if cap else n for n in sizes], dtype=float)
    weights = capped ** (1.0 / temperature)
    return weights / weights.sum()


class RoutedHead(nn.Module):
    """Sends a batch to the head of its task (`task_index`, the same for every row of a batch)."""

    def __init__(self, heads: list[nn.Module]):
        super().__init__()
        self.heads = nn.ModuleList(heads)

    def forward(self, hidden, mask, task_index=None, n_choices=None, **targets):
        return self.heads[int(task_index[0])](hidden, mask, n_choices=n_choices, **targets)


class TaskBatchSampler(Sampler):
    """Yields lists of indices into a ConcatDataset; each list comes from one task. One task per optimiser
    step (`batch_size` = the effective batch, as jiant samples a task per step), yielded in micro-batches of
    `micro_batch` rows, so the rows of a step do not depend on how the step is split."""

    def __init__(self, sizes: list[int], probs: np.ndarray, batch_size: int, n_batches: int, seed: int,
                 micro_batch: int = 0):
        self.offsets = np.cumsum([0] + sizes[:-1])
        self.sizes, self.probs, self.batch_size, self.n_batches = sizes, probs, batch_size, n_batches
        self.micro = micro_batch or batch_size
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.n_batches * (self.batch_size // self.micro)

    def __iter__(self):
        order = [self.rng.permutation(n) for n in self.sizes]
        cursor = [0] * len(self.sizes)
        for _ in range(self.n_batches):
            t = int(self.rng.choice(len(self.sizes), p=self.probs))
            if cursor[t] + self.batch_size > self.sizes[t]:  # next pass over this task's data
                order[t], cursor[t] = self.rng.permutation(self.sizes[t]), 0
            idx = order[t][cursor[t]:cursor[t] + self.batch_size]
            cursor[t] += self.batch_size
            for start in range(0, len(idx), self.micro):
                yield [int(self.offsets[t] + i) for i in idx[start:start + self.micro]]


def routed_collator(collators: list):
    def collate(rows):
        t = rows[0]["task_index"]
        batch = collators[t]([{k: v for k, v in r.items() if k != "task_index"} for r in rows])
        batch["task_index"] = torch.full((len(rows),), t, dtype=torch.long)
        return batch
    return collate


class MultiTaskTrainer(Trainer):
    """Trainer whose training batches come from TaskBatchSampler."""

    def __init__(self, *args, batch_sampler=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._batch_sampler = batch_sampler

    def get_train_dataloader(self):
        return DataLoader(self.train_dataset, batch_sampler=self._batch_sampler,
                          collate_fn=self.data_collator)


def concat_features(features: list) -> ConcatDataset:
    """Each task's features tagged with its index, concatenated for one sampler."""
    return ConcatDataset([f.add_column("task_index", [t] * len(f)) for t, f in enumerate(features)])
