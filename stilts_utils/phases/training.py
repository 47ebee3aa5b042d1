"""Fine-tuning with the Hugging Face Trainer, plus the two things it does not do for us:
checkpoint selection with a task metric on English dev (QA needs span decoding, not eval loss), and
saving the encoder at fixed fractions of the run (RQ2)."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import Callable

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

from ..progress import quiet_trainer


@dataclass
class FitResult:
    steps: int
    best_step: int
    best_score: float | None
    history: list = field(default_factory=list)  # (step, English-dev score)


class _Select(TrainerCallback):
    """Every `every` steps and at the end: score on English dev, keep the best weights on CPU."""

    def __init__(self, model, score_fn: Callable[[], float], every: int):
        self.model, self.score_fn, self.every = model, score_fn, every
        self.best, self.best_step, self.state, self.history = None, 0, None, []

    def _check(self, step):
        if self.history and self.history[-1][0] == step:
            return
        score = self.score_fn()
        self.model.train()
        self.history.append((step, score))
        if self.best is None or score > self.best:
            self.best, self.best_step = score, step
            self.state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}

    def on_step_end(self, args, state, control, **kw):
        if self.every and state.global_step % self.every == 0:
            self._check(state.global_step)

    def on_train_end(self, args, state, control, **kw):
        self._check(state.global_step)


class _SaveAt(TrainerCallback):
    """Calls save(step) when the run reaches each of the given step counts."""

    def __init__(self, steps: set[int], save: Callable[[int], None]):
        self.steps, self.save = steps, save

    def on_step_end(self, args, state, control, **kw):
        if state.global_step in self.steps:
            self.save(state.global_step)


def _args(settings, steps: int, seed: int, out_dir: str, label_names) -> TrainingArguments:
    return TrainingArguments(
        output_dir=out_dir, per_device_train_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum, learning_rate=settings.lr,
        weight_decay=settings.weight_decay, max_grad_norm=settings.max_grad_norm,
        warmup_steps=settings.warmup_ratio, lr_scheduler_type="linear", max_steps=steps,
        train_sampling_strategy="group_by_length", label_names=list(label_names),
        remove_unused_columns=False, save_strategy="no", eval_strategy="no", report_to="none",
        logging_steps=max(1, steps // 10), seed=seed, data_seed=seed, optim="adamw_torch",
        bf16=settings.precision == "bf16", fp16=settings.precision == "fp16",
        use_cpu=not torch.cuda.is_available(), dataloader_num_workers=0,
        disable_tqdm=True,  # progress.loss_bar instead: one bar, the loss as its postfix
    )


def fit(model, features, collate, settings, seed: int, label_names, score_fn=None,
        save_at: dict | None = None, steps: int | None = None, sampler_factory=None) -> FitResult:
    """Train `model` on `features`; with `score_fn`, reload the best English-dev weights at the end.

    save_at: {step: callback(step)} to save the encoder at fixed points of the run.
    sampler_factory(steps) -> batch sampler: multi-task batches (see multitask.py)."""
    steps = steps or settings.total_steps(len(features))
    select = _Select(model, score_fn, settings.eval_every) if score_fn else None
    callbacks = [c for c in (select, _SaveAt(set(save_at or {}), lambda s: save_at[s](s))) if c]
    with tempfile.TemporaryDirectory() as tmp:
        args = _args(settings, steps, seed, tmp, label_names)
        kwargs = dict(model=model, args=args, train_dataset=features, data_collator=collate, callbacks=callbacks)
        if sampler_factory is None:
            trainer = Trainer(**kwargs)
        else:
            from .multitask import MultiTaskTrainer

            trainer = MultiTaskTrainer(**kwargs, batch_sampler=sampler_factory(steps * settings.grad_accum))
        quiet_trainer(trainer, f"training ({steps} steps)")  # one text bar with the loss, no printed dicts
        trainer.train()
    if select is None:
        return FitResult(steps, steps, None)
    model.load_state_dict(select.state)
    return FitResult(steps, select.best_step, select.best, select.history)
