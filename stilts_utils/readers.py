"""Readers for data that is not on the hub in a usable form (raw files named by a task's Source)."""
from __future__ import annotations

from pathlib import Path

from .data import DataUnavailable


def _missing(task, path: Path, root) -> DataUnavailable:
    where = f"under {root}" if root else "(no `data_dirs` entry for it in the study file)"
    return DataUnavailable(f"{task.name}: missing {path.name} {where}. {task.source.note}")


def _read_ids(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in fh if line.strip()]


def read_bucc(task, lang: str, split: str, root):
    """BUCC 2018 files -> retrieval rows (side, id, text, gold). The old hub loader kept only gold pairs,
    which cannot measure mining, so the raw candidate pools are read instead."""
    import datasets

    name = task.source.splits[split]  # sample | training
    base = Path(root or ".") / "bucc2018" / f"{lang}-en" / f"{lang}-en.{name}"
    paths = {ext: base.with_name(f"{base.name}.{ext}") for ext in (lang, "en", "gold")}
    for path in paths.values():
        if root is None or not path.is_file():
            raise _missing(task, path, root)
    gold = dict(_read_ids(paths["gold"]))  # src_id -> trg_id
    back = {t: s for s, t in gold.items()}
    rows = {"side": [], "id": [], "text": [], "gold": []}
    for side, ext, links in (("src", lang, gold), ("trg", "en", back)):
        for sid, text in _read_ids(paths[ext]):
            rows["side"].append(side)
            rows["id"].append(sid)
            rows["text"].append(text)
            rows["gold"].append(links.get(sid, ""))
    return datasets.Dataset.from_dict(rows)


READERS = {"bucc": read_bucc}
