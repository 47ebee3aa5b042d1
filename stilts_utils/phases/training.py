"""Fine-tuning with the Hugging Face Trainer, plus the two things it does not do for us:
checkpoint selection with a task metric on English dev (QA needs span decoding, not eval loss), and
saving the encoder at fixed fractions of the run (RQ2).

Pre-emption: with `checkpoint_every` > 0 the Trainer saves a resumable checkpoint (weights, optimizer,
scheduler, RNG states, data position) into `resume_dir` at that interval, plus our selection state, and a
restarted run continues from the last complete one: the same steps on the same batches, so the same
result as an uninterrupted run."""
from __future__ import annotations

import math
import os
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from accelerate.utils import find_executable_batch_size
from transformers import Trainer, TrainerCallback, TrainingArguments

from ..progress import quiet_trainer
from ..study.config import OPTIMIZERS
from . import distributed
from .multitask import MultiTaskTrainer


@dataclass
class FitResult:
    steps: int
    best_step: int
    best_score: float | None
    history: list = field(default_factory=list)  # (step, English-dev score)
    micro_batch: int = 0  # examples per forward pass per process, as chosen (micro_batch: auto) or fixed
    grad_accum: int = 1  # micro-batches per optimiser step


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

    def on_save(self, args, state, control, **kw):
        """Beside each resumable checkpoint: what selection has seen so far (the Trainer saves the rest)."""
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        tmp = folder / f".{STATE}.tmp"
        torch.save({"best": self.best, "best_step": self.best_step, "history": self.history, "state": self.state},
                   tmp)
        os.replace(tmp, folder / STATE)  # written last: a checkpoint without it is incomplete

    def restore(self, folder: Path) -> None:
        saved = torch.load(folder / STATE, weights_only=False)
        self.best, self.best_step, self.history, self.state = (saved["best"], saved["best_step"],
                                                               saved["history"], saved["state"])


STATE = "stilts_state.pt"  # our part of a resumable checkpoint (selection state); its presence marks it complete


class _Done(TrainerCallback):
    """Marks each resumable checkpoint complete when nothing else records state (no selection)."""

    def on_save(self, args, state, control, **kw):
        if state.is_world_process_zero:  # under DDP rank 0 writes the checkpoint
            (Path(args.output_dir) / f"checkpoint-{state.global_step}" / STATE).write_bytes(b"")


class _EpochRng(TrainerCallback):
    """The torch RNG state at the start of the current epoch, in each checkpoint, and put back at the start
    of the resumed epoch. The Trainer restores the RNG state of the checkpoint's step, but its length-grouped
    sampler draws the epoch's order from the global RNG when the epoch starts: without this, a resumed
    epoch would visit the rows in another order (HF skips the right number of batches of the wrong order)."""

    FILE = "epoch_rng.pt"

    def __init__(self, resume: Path | None):
        self.restore = torch.load(resume / self.FILE) if resume is not None else None
        self.state = None

    def on_epoch_begin(self, args, state, control, **kw):
        if self.restore is not None:
            torch.set_rng_state(self.restore)
            self.restore = None
        self.state = torch.get_rng_state()

    def on_save(self, args, state, control, **kw):
        if state.is_world_process_zero:
            torch.save(self.state, Path(args.output_dir) / f"checkpoint-{state.global_step}" / self.FILE)


def last_checkpoint(resume_dir: Path | None) -> Path | None:
    """The newest complete resumable checkpoint in `resume_dir` (None: start from the beginning)."""
    if resume_dir is None or not Path(resume_dir).is_dir():
        return None
    done = [p for p in Path(resume_dir).glob("checkpoint-*") if (p / STATE).exists() and p.name[11:].isdigit()]
    return max(done, key=lambda p: int(p.name[11:]), default=None)


class _SaveAt(TrainerCallback):
    """Calls save(step) when the run reaches each of the given step counts."""

    def __init__(self, steps: set[int], save: Callable[[int], None]):
        self.steps, self.save = steps, save

    def on_step_end(self, args, state, control, **kw):
        if state.global_step in self.steps:
            self.save(state.global_step)


def warmup_steps(ratio: float, steps: int) -> int:
    """Warm-up steps of a share `ratio` of the run, counted as the Trainer counts a ratio (ceil(steps * ratio)),
    but as a step count: transformers reads a float >= 1 as steps, so `warmup_ratio: 1.0` would be 1 step."""
    return math.ceil(steps * ratio)


def split_batch(settings, micro: int | None = None, environ=None) -> tuple[int, int]:
    """(micro-batch, accumulation) of one process: `micro` (what `auto` chose) or the study's fixed one
    (with neither, and on the CPU: the whole share of the effective batch in one pass)."""
    processes = distributed.world_size(environ)
    share = settings.examples_per_step() // processes
    micro = micro or settings.fixed_micro_batch(processes) or share
    return micro, share // micro


def _args(settings, steps: int, seed: int, out_dir: str, label_names, checkpoint_every: int = 0,
          report_to: str = "none", micro: int | None = None, optimizer: str = "adamw",
          schedule: str = "linear") -> TrainingArguments:
    # save_total_limit 2: the previous checkpoint stays until the next one is complete
    saving = (dict(save_strategy="steps", save_steps=checkpoint_every, save_total_limit=2) if checkpoint_every
              else dict(save_strategy="no"))
    micro, accum = split_batch(settings, micro)
    # group_by_length groups rows by the Trainer's train_batch_size x accumulation, the effective batch: the
    # rows of an optimiser step are the same whatever the split, only cut into other micro-batches
    return TrainingArguments(
        output_dir=out_dir, per_device_train_batch_size=micro,
        gradient_accumulation_steps=accum, learning_rate=settings.lr,
        weight_decay=settings.weight_decay, max_grad_norm=settings.max_grad_norm,
        # constant (T5's fine-tuning): no warm-up, no decay
        warmup_steps=warmup_steps(settings.warmup_ratio, steps) if schedule == "linear" else 0,
        lr_scheduler_type=schedule, max_steps=steps,
        train_sampling_strategy="group_by_length", label_names=list(label_names),
        remove_unused_columns=False, eval_strategy="no", report_to=report_to, **saving,
        logging_steps=max(1, steps // 10), seed=seed, data_seed=seed, optim=OPTIMIZERS[optimizer],
        bf16=settings.precision == "bf16", fp16=settings.precision == "fp16",
        use_cpu=not torch.cuda.is_available(), dataloader_num_workers=0,
        disable_tqdm=True,  # progress.loss_bar instead: one bar, the loss as its postfix
    )


def one_device_only(device_count: int, environ) -> bool:
    """Whether this process must train on one GPU although it sees `device_count`: with more than one visible
    and no distributed launcher (torchrun/accelerate set WORLD_SIZE), the Trainer would wrap the model in
    nn.DataParallel and multiply the batch by the GPU count, which our step accounting does not know."""
    return device_count > 1 and not environ.get("WORLD_SIZE")


def _single_device(args: TrainingArguments, device_count: int, environ) -> TrainingArguments:
    """n_gpu = 1 when `one_device_only`: the Trainer then trains on cuda:0 with the study's batch. This is the
    Trainer's own switch (it sets `args._n_gpu = 1` for model-parallel models); there is no public one."""
    if one_device_only(device_count, environ):
        _ = args.device  # the Trainer's device set-up first: it writes _n_gpu
        args._n_gpu = 1
        print(f"{device_count} GPUs visible to one process: training on cuda:0 only (pin one GPU per run with "
              "CUDA_VISIBLE_DEVICES, or launch with torchrun/accelerate for DDP)", flush=True)
    return args


def fit(model, features, collate, settings, seed: int, label_names, score_fn=None,
        save_at: dict | None = None, steps: int | None = None, sampler_factory=None,
        checkpoint_every: int = 0, resume_dir: Path | None = None, report_to: str = "none",
        optimizer: str = "adamw", schedule: str = "linear") -> FitResult:
    """Train `model` on `features`; with `score_fn`, reload the best English-dev weights at the end.

    save_at: {step: callback(step)} to save the encoder at fixed points of the run.
    sampler_factory(steps, micro_batch) -> batch sampler: multi-task batches (see multitask.py).
    checkpoint_every, resume_dir: resumable checkpoints there, and resuming from the last one.
    optimizer, schedule: a model's own (study ModelSettings: adamw | adafactor, linear | constant)."""
    run = dict(features=features, collate=collate, settings=settings, seed=seed, label_names=label_names,
               score_fn=score_fn, save_at=save_at, steps=steps or settings.total_steps(len(features)),
               sampler_factory=sampler_factory, checkpoint_every=checkpoint_every, resume_dir=resume_dir,
               report_to=report_to, optimizer=optimizer, schedule=schedule)
    share = settings.examples_per_step() // distributed.world_size()
    if settings.fixed_micro_batch(distributed.world_size()) is not None or not torch.cuda.is_available():
        return _fit_once(model, split_batch(settings)[0], **run)
    return _fit_auto(model, share, run)


def smaller_divisor(n: int, below: int) -> int:
    """The largest divisor of `n` under `below` (0 when there is none): the next micro-batch to try."""
    return next((d for d in range(below - 1, 0, -1) if n % d == 0), 0)


def _fit_auto(model, share: int, run: dict) -> FitResult:
    """micro_batch: auto on a GPU: the whole share of the effective batch in one pass if it fits, else the
    next smaller divisor, and so on (accelerate's find_executable_batch_size retries on out-of-memory).
    Group-by-length puts the longest rows first, so an attempt that does not fit fails at its first steps;
    a retry starts again from the weights fit was given (and from the last resumable checkpoint, if any)."""
    initial = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    tried = []

    def attempt(micro):
        if tried:
            print(f"micro-batch {tried[-1]} did not fit in GPU memory: trying {micro}", flush=True)
            model.load_state_dict(initial)  # the failed attempt may have stepped
        tried.append(micro)
        return _fit_once(model, micro, **run)

    return find_executable_batch_size(attempt, share, lambda: smaller_divisor(share, tried[-1]))()


def _fit_once(model, micro: int, features, collate, settings, seed, label_names, score_fn, save_at, steps,
              sampler_factory, checkpoint_every, resume_dir, report_to, optimizer="adamw",
              schedule="linear") -> FitResult:
    """One training run at micro-batch `micro` per process (accumulation makes up the effective batch)."""
    micro, accum = split_batch(settings, micro)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    print(f"batch: micro-batch {micro} x accumulation {accum}"
          + (f" x {distributed.world_size()} processes" if distributed.world_size() > 1 else "")
          + f" = {settings.examples_per_step()} examples per step ({device}"
          + (", micro_batch: auto)" if settings.fixed_micro_batch(distributed.world_size()) is None else ")"),
          flush=True)
    select = _Select(model, score_fn, settings.eval_every) if score_fn else None
    resumable = bool(checkpoint_every and resume_dir is not None)
    callbacks = [c for c in (select, _SaveAt(set(save_at or {}), lambda s: save_at[s](s))) if c]
    resume = last_checkpoint(resume_dir) if resumable else None
    if resumable:  # the epoch's RNG first: our marker of a complete checkpoint (STATE) is written last
        callbacks = [_EpochRng(resume), *callbacks] + ([] if select else [_Done()])
    if resume is not None:
        print(f"resuming from {resume}", flush=True)  # in the executed notebook: the record says so
        if select is not None:
            select.restore(resume)
    with (nullcontext(str(resume_dir)) if resumable else tempfile.TemporaryDirectory()) as tmp:
        args = _args(settings, steps, seed, tmp, label_names, checkpoint_every if resumable else 0, report_to,
                     micro, optimizer, schedule)
        args = _single_device(args, torch.cuda.device_count(), os.environ)
        kwargs = dict(model=model, args=args, train_dataset=features, data_collator=collate, callbacks=callbacks)
        if sampler_factory is None:
            trainer = Trainer(**kwargs)
        else:
            trainer = MultiTaskTrainer(**kwargs, batch_sampler=sampler_factory(steps, micro))
        quiet_trainer(trainer, f"training ({steps} steps)")  # one text bar with the loss, no printed dicts
        trainer.train(resume_from_checkpoint=str(resume) if resume is not None else None)
    if select is None:
        return FitResult(steps, steps, None, micro_batch=micro, grad_accum=accum)
    model.load_state_dict(select.state)
    return FitResult(steps, select.best_step, select.best, select.history, micro, accum)
