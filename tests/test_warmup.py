"""phases/training.py's learning-rate schedule: linear warm-up over `warmup_ratio` of the steps, then decay."""
import pytest
import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

from stilts_utils.phases import training
from stilts_utils.study.config import TrainSettings


class _Rates(TrainerCallback):
    """The scheduler's learning rate as each optimiser step begins."""

    def __init__(self):
        self.rates = []

    def on_step_begin(self, args, state, control, lr_scheduler=None, **kw):
        self.rates.append(lr_scheduler.get_last_lr()[0])


class _Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(8, 1)

    def forward(self, input_ids, labels):
        return {"loss": ((self.emb(input_ids).mean(1).squeeze(-1) - labels) ** 2).mean()}


def _rates(ratio: float, steps: int, tmp_path) -> list[float]:
    args = training._args(TrainSettings(batch_size=2, lr=0.01, warmup_ratio=ratio), steps, 0, str(tmp_path),
                          ["labels"])
    rows = [{"input_ids": [i % 8, (i + 1) % 8], "labels": float(i % 2)} for i in range(8)]

    def collate(batch):
        return {"input_ids": torch.tensor([r["input_ids"] for r in batch]),
                "labels": torch.tensor([r["labels"] for r in batch])}

    rates = _Rates()
    Trainer(model=_Tiny(), args=args, train_dataset=rows, data_collator=collate, callbacks=[rates]).train()
    return rates.rates


def test_a_warmup_ratio_of_one_warms_up_over_every_step(tmp_path):
    rates = _rates(1.0, 6, tmp_path)
    assert rates == pytest.approx([0.01 * step / 6 for step in range(6)]), "one linear ramp over all 6 steps"


def test_a_warmup_ratio_below_one_gives_the_same_schedule_as_the_trainers_own_ratio(tmp_path):
    assert _rates(0.1, 6, tmp_path) == pytest.approx([0.0, 0.01, 0.008, 0.006, 0.004, 0.002])  # 1 warm-up step
    for steps in (1, 3, 10, 97, 1000, 1880, 12345):
        for ratio in (0.0, 0.01, 0.05, 0.06, 0.1, 0.2, 1 / 3, 0.5, 0.7, 0.99, 0.999):
            before = TrainingArguments(output_dir=str(tmp_path), warmup_steps=ratio).get_warmup_steps(steps)
            assert training.warmup_steps(ratio, steps) == before, (ratio, steps)
