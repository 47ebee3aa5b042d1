"""The one way rows are loaded: hub, local copy or sandbox world, mapped to the kind's columns.

Offline or on a missing dataset it fails within seconds with what to do, never a retry loop.
"""
from __future__ import annotations

import os
from pathlib import Path

from .models import hub_reachable
from .tasks import REGISTRY, Task

SPLITS = ("train", "dev", "test")


class DataUnavailable(RuntimeError):
    """A dataset that can be neither read locally nor downloaded; the message says how to get it."""


def local_root(study, task: Task, variant: str = "") -> Path | None:
    """Where a local copy lives: the sandbox world, or `data_dirs` in the study file."""
    if study.world == "sandbox":
        from .pipeline import world_dir

        return world_dir(study, variant) / "data"
    path = study.data_dirs.get(task.name)
    return Path(path) if path else None


def load_split(task_name: str, lang: str, split: str, study, variant: str = ""):
    """Rows of one task, language and split (train/dev/test), in the kind's canonical columns."""
    task = REGISTRY[task_name]
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {SPLITS}")
    held_out = task.dev_from_train > 0 and split in ("train", "dev")
    raw = load_raw(task, lang, "train" if held_out else split, study, variant)
    if task.filter_language is not None:
        raw = raw.filter(lambda row: task.filter_language(row, lang))
    if held_out:  # a fixed tail of train becomes dev, so selection never touches the test split
        cut = len(raw) - max(1, round(len(raw) * task.dev_from_train))
        raw = raw.select(range(cut) if split == "train" else range(cut, len(raw)))
    if task.to_canonical is None:
        return raw
    return raw.map(task.to_canonical, batched=True, with_indices=True, remove_columns=raw.column_names,
                   desc=f"{task_name}/{lang}/{split}")


def load_raw(task: Task, lang: str, split: str, study, variant: str = ""):
    root = local_root(study, task, variant)
    if task.source.reader != "hub":
        from .readers import READERS

        return READERS[task.source.reader](task, lang, split, root)
    if root is not None:
        return _load_local(task, lang, split, root)
    return _load_hub(task, lang, split, study)


def _load_local(task: Task, lang: str, split: str, root: Path):
    import datasets

    path = root / task.name / lang / f"{split}.jsonl"
    if not path.is_file():
        have = sorted(str(p.relative_to(root)) for p in (root / task.name).glob("*/*.jsonl"))[:12]
        raise DataUnavailable(
            f"{task.name}: no local file {path} (layout <root>/<task>/<lang>/<split>.jsonl, docs/design.md §2). "
            f"Found: {', '.join(have) or 'nothing'}. Write a local copy with "
            f"`python -m stilts_utils download-data STUDY.yaml --to DIR`.")
    return datasets.load_dataset("json", data_files=str(path), split="train")


def hub_source(task: Task, lang: str):
    """The hub dataset for a language: the task's own, or for non-English rows of an English
    intermediate task its machine translations (RQ3), e.g. XNLI's translated MNLI train."""
    if task.role != "intermediate" or lang == "en":
        return task.source
    if task.translated is None:
        have = sorted(n for n, t in REGISTRY.items() if t.translated is not None)
        raise DataUnavailable(f"{task.name}: no machine-translated training data on the hub for {lang!r}; "
                              f"translations exist for {', '.join(have)}. Put your own in a local copy "
                              f"(<data_dirs.{task.name}>/{task.name}/{lang}/train.jsonl, same columns).")
    return task.translated


def _load_hub(task: Task, lang: str, split: str, study):
    import datasets

    source = hub_source(task, lang)
    hub_split = source.splits.get(split)
    if hub_split is None:
        raise ValueError(f"{task.name} has no {split!r} split; it has {sorted(source.splits)}")
    config = source.config_for(lang)
    offline = not hub_reachable()  # the offline switches themselves are set by preflight, before import
    try:
        return datasets.load_dataset(source.hf_id, config, split=hub_split, revision=source.revision,
                                     data_dir=source.data_dir)
    except Exception as err:  # datasets raises many types for "not cached and no network"
        if not offline:
            raise
        raise DataUnavailable(hub_help(task, config, hub_split, err)) from None


def hub_help(task: Task, config: str | None, split: str, err: Exception | None = None) -> str:
    cfg = f", {config!r}" if config else ""
    return (f"{task.name}: dataset {task.source.hf_id!r}{cfg} split {split!r} is not cached and the "
            f"Hugging Face hub cannot be reached. Either pre-download it on a machine with internet "
            f"(`python -c \"import datasets; datasets.load_dataset('{task.source.hf_id}'{cfg})\"` and copy "
            f"~/.cache/huggingface), or write a local copy with `python -m stilts_utils download-data "
            f"STUDY.yaml --to DIR` and set `data_dirs: {{{task.name}: DIR/...}}` in the study file."
            + (f" {task.source.note}" if task.source.note else "")
            + (" HF_HUB_OFFLINE=1 is set: with a reachable hub run with HF_HUB_OFFLINE=0 HF_DATASETS_OFFLINE=0."
               if os.environ.get("HF_HUB_OFFLINE") == "1" else "")
            + (f" ({type(err).__name__})" if err else ""))


def count_rows(task_name: str, lang: str, split: str, study, variant: str = "") -> int | None:
    """Rows of a local copy without loading it (dry-run step counts); None when there is none."""
    task = REGISTRY[task_name]
    root = local_root(study, task, variant)
    path = root / task.name / lang / f"{split}.jsonl" if root else None
    if path is None or not path.is_file():
        return None
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)
