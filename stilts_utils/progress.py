"""A quiet, informative terminal: library chatter to a log file, one progress bar per training run.

At the bottom of the layers (beside atomic.py) so that every layer, the sandbox's phase-1 pretraining
included, can use it. Standard library and tqdm only at import; transformers, datasets and huggingface_hub
are touched only inside the functions, and only when the caller already uses them.
"""
from __future__ import annotations

import logging
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

# Plain text bars, not tqdm.auto's widgets: an executed notebook keeps the final line of a text bar, while
# a saved widget shows as a stale "0%" when the notebook is opened later.
from tqdm import tqdm

LIBRARIES = ("transformers", "datasets", "huggingface_hub", "accelerate", "torch", "py.warnings")


def _progress_bars(enabled: bool) -> None:
    """The libraries' own bars (`Map:`, `Loading weights`, `Writing model shards`, downloads) on or off."""
    calls = {"transformers.utils.logging": "enable_progress_bar" if enabled else "disable_progress_bar",
             "datasets.utils.logging": "enable_progress_bar" if enabled else "disable_progress_bar",
             "huggingface_hub.utils": "enable_progress_bars" if enabled else "disable_progress_bars"}
    for module, name in calls.items():
        if module.split(".")[0] in sys.modules:  # never import a library just to silence it
            fn = getattr(sys.modules.get(module) or __import__(module, fromlist=[name]), name, None)
            if fn is not None:
                fn()


@contextmanager
def quiet_libraries(log_file: str | Path):
    """Inside: HF/datasets/torch logging and Python warnings go to `log_file` (appended), their progress
    bars are off, and the terminal keeps only what the kit prints. Restored on exit."""
    log_file = Path(log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    saved = {}
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate, logger.level)
        logger.handlers = [handler]  # transformers adds its own stderr handler: replaced while inside
        logger.propagate = False
        logger.setLevel(logging.INFO)
    _progress_bars(False)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            yield log_file
    finally:
        logging.captureWarnings(False)
        _progress_bars(True)
        for name, (handlers, propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.propagate, logger.level = handlers, propagate, level
        handler.close()


def loss_bar(label: str):
    """A transformers TrainerCallback: one tqdm bar per training run, the latest training (and held-out)
    loss as its postfix, in place of the Trainer's printed loss dicts."""
    from transformers import TrainerCallback  # lazy: 1.9 s; the CLI imports this module (quiet_libraries)

    class LossBar(TrainerCallback):
        bar = None

        def on_train_begin(self, args, state, control, **kwargs):
            self.bar = tqdm(total=state.max_steps or None, desc=label, unit="step", dynamic_ncols=True,
                            file=sys.stdout, leave=True)

        def on_step_end(self, args, state, control, **kwargs):
            if self.bar is not None:
                self.bar.update(state.global_step - self.bar.n)

        def on_log(self, args, state, control, logs=None, **kwargs):
            shown = {k: f"{logs[k]:.3f}" for k in ("loss", "eval_loss") if logs and k in logs}
            if self.bar is not None and shown:
                self.bar.set_postfix(shown, refresh=False)

        def on_train_end(self, args, state, control, **kwargs):
            if self.bar is not None:
                self.bar.close()

    return LossBar()


def quiet_trainer(trainer, label: str):
    """The Trainer with its printer/progress callbacks replaced by one `loss_bar`; returns the trainer."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback  # lazy: as in loss_bar()

    for callback in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(callback)
    trainer.add_callback(loss_bar(label))
    return trainer


def training_summary(log_history: list[dict]) -> dict:
    """What an executed notebook shows of a training run instead of its raw log dicts: steps, first and
    last training loss, best held-out value."""
    losses = [e["loss"] for e in log_history if "loss" in e]
    evals = [e["eval_loss"] for e in log_history if "eval_loss" in e]
    steps = max((e.get("step", 0) for e in log_history), default=0)
    out = {"steps": steps}
    if losses:
        out.update({"first loss": round(losses[0], 3), "last loss": round(losses[-1], 3)})
    if evals:
        out["best held-out loss"] = round(min(evals), 3)
    return out
