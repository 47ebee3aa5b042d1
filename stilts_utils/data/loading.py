"""The one way rows are loaded: hub, local copy or sandbox world, mapped to the kind's columns."""
from __future__ import annotations

from pathlib import Path

from ..study.config import ProtocolSettings
from ..tasks import REGISTRY, Task
from .hub import read_source
from .readers import READERS

SPLITS = ("train", "dev", "test")


def local_root(study, task: Task, variant: str = "") -> Path | None:
    """Where a local copy lives: the sandbox world, or `data_dirs` in the study file."""
    return study.world_impl.data_root(task, variant)


def load_split(task_name: str, lang: str, split: str, study, variant: str = ""):
    """Rows of one task, language and split (train/dev/test), in the kind's canonical columns."""
    task = REGISTRY[task_name]
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {SPLITS}")
    held_out = split in ("train", "dev") and _holds_out(study, task)
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


def _holds_out(study, task: Task) -> bool:
    """A tail of English train is the dev split (`protocol.selection`; XTREME's protocol by default)."""
    protocol = getattr(study, "protocol", None) or ProtocolSettings()  # a bare study object: the default
    return protocol.holds_out(task)


def cap_rows(rows, n: int, seed: int | None = None):
    """At most n rows (0 = all): the first n, or with a seed n drawn at random (training caps)."""
    if not n or len(rows) <= n:
        return rows
    return (rows.shuffle(seed=seed) if seed is not None else rows).select(range(n))


def load_raw(task: Task, lang: str, split: str, study, variant: str = ""):
    root = local_root(study, task, variant)
    if task.source.reader != "hub":
        return READERS[task.source.reader](task, lang, split, root)
    return read_source(task, lang, split, root)


def count_rows(task_name: str, lang: str, split: str, study, variant: str = "") -> int | None:
    """Rows of a local copy without loading it (dry-run step counts); None when there is none."""
    task = REGISTRY[task_name]
    root = local_root(study, task, variant)
    path = root / task.name / lang / f"{split}.jsonl" if root else None
    if path is None or not path.is_file():
        return None
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)
