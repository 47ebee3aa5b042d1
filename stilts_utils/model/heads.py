"""One model class for every task: a pretrained encoder plus the small head its task's kind makes.

Written by hand rather than with `AutoModelFor*` because one module must serve every encoder (mT5's
encoder has no AutoModelFor* class for every head type) and the STILTs step must always start a fresh
head: `AutoModelFor*.from_pretrained` would silently reuse an MNLI head for XNLI. Each kind module
(`kinds/`) defines its own head from the shared parts here.
"""
from __future__ import annotations

import inspect

import torch
from torch import nn


def pool(hidden: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    """(B, L, H) -> (B, H): first token, or mean over non-padding positions."""
    if how == "cls":
        return hidden[:, 0]
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class PooledScorer(nn.Module):
    """dense -> tanh -> linear over a pooled vector, as RoBERTa's classification head."""

    def __init__(self, hidden: int, n_out: int, pooling: str, dropout: float = 0.1):
        super().__init__()
        self.pooling = pooling
        self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.Tanh(),
                                 nn.Dropout(dropout), nn.Linear(hidden, n_out))

    def forward(self, hidden, mask):
        return self.net(pool(hidden, mask, self.pooling))


class StiltsModel(nn.Module):
    """encoder + head; multiple-choice inputs (B, C, L) are flattened to (B*C, L) for the encoder."""

    # Our heads average their loss over their own batch. Without this, the Trainer sees **targets, takes the
    # model for one that divides by its global token count (num_items_in_batch), and then neither divides the
    # loss by gradient_accumulation_steps nor undoes DDP's gradient averaging: the gradient grows with the
    # accumulation steps (x8 at XLM-R Large's 4 x 8) and with the process count.
    accepts_loss_kwargs = False

    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self._takes_types = "token_type_ids" in inspect.signature(encoder.forward).parameters

    def forward(self, input_ids, attention_mask, token_type_ids=None, num_items_in_batch=None, **targets):
        # num_items_in_batch: the Trainer's token count for loss scaling; our heads average per batch
        n_choices = input_ids.shape[1] if input_ids.dim() == 3 else None
        flat = (lambda t: t.flatten(0, 1)) if n_choices else (lambda t: t)
        kwargs = {"input_ids": flat(input_ids), "attention_mask": flat(attention_mask)}
        if token_type_ids is not None and self._takes_types:
            kwargs["token_type_ids"] = flat(token_type_ids)
        hidden = self.encoder(**kwargs).last_hidden_state
        return self.head(hidden, kwargs["attention_mask"], n_choices=n_choices, **targets)
