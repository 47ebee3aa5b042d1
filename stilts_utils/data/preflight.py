"""Before a real study starts: can every model and dataset be read? Answers in seconds, not retries."""
from __future__ import annotations

import os
from pathlib import Path

from ..tasks import REGISTRY
from .hub import DataUnavailable, ModelUnavailable, hub_help, hub_reachable, model_help
from .loading import local_root


def needed_tasks(study) -> list[str]:
    names = set(study.targets)
    for target in study.targets:
        task = REGISTRY[target]
        names |= {task.train_task, task.select_task} if task.trains else set()
    names |= {i for i in study.intermediate if i not in ("none", "multitask")}
    names |= set(study.multitask.tasks) if "multitask" in study.intermediate else set()
    return sorted(names)


def _hub_cached(task) -> bool:
    """True when the datasets cache already holds this dataset (checked offline)."""
    import datasets

    lang = task.languages[0]
    try:
        datasets.load_dataset_builder(task.source.hf_id, task.source.config_for(lang))
        return True
    except Exception:
        return False


def _model_cached(model: str) -> bool:
    """A local directory, or a config.json in the Hugging Face cache (no transformers import needed)."""
    from huggingface_hub import try_to_load_from_cache

    return Path(model).is_dir() or isinstance(try_to_load_from_cache(model, "config.json"), str)


def check(study) -> None:
    """Every model and dataset of the study readable? Asks the hub only when something is not local."""
    models = study.world_impl.hub_models()
    remote = [n for n in needed_tasks(study) if local_root(study, REGISTRY[n]) is None]
    local = not models and not remote  # the sandbox world, or local models and data_dirs for every task
    if not local and hub_reachable():
        return
    # no hub needed or none reachable: switch the hub clients off before `datasets` is imported here or in
    # any notebook kernel, so nothing waits on retries
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    for model in models:
        if not _model_cached(model):
            raise ModelUnavailable(model_help(model))
    missing = [n for n in remote if REGISTRY[n].source.reader != "hub" or not _hub_cached(REGISTRY[n])]
    if missing:
        first = REGISTRY[missing[0]]
        raise DataUnavailable(
            f"no network and no local copy of: {', '.join(missing)}. For example: "
            + hub_help(first, first.source.config_for(first.languages[0]), "train"))
