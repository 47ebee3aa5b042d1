"""Readers for data that is not on the hub in a usable form (raw files named by a task's Source)."""
from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..tasks.anliplus import PARTS
from ..tasks.languages import NLI
from .hub import DataUnavailable, read_source
from .ranking_readers import read_lareqa, read_mewslix


def _missing(task, path: Path, root) -> DataUnavailable:
    where = f"under {root}" if root else "(no `data_dirs` entry for it in the study file)"
    return DataUnavailable(f"{task.name}: missing {path.name} {where}. {task.source.note}")


def _read_ids(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in fh if line.strip()]


def read_bucc(task, lang: str, split: str, root):
    """BUCC 2018 files -> retrieval rows (side, id, text, gold). The old hub loader kept only gold pairs,
    which cannot measure mining, so the raw candidate pools are read instead."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    name = task.source.splits[split]  # sample | training
    base = Path(root or ".") / task.name / f"{lang}-en" / f"{lang}-en.{name}"
    paths = {ext: base.with_name(f"{base.name}.{ext}") for ext in (lang, "en", "gold")}
    for path in paths.values():
        if root is None or not path.is_file():
            raise _missing(task, path, root)
    # Every gold line counts (as xtreme's bucc_f1, a set of lines): a source id may have several targets, so
    # a row's `gold` is its partners' ids joined by spaces (BUCC ids hold no whitespace), "" for none.
    pairs = list(dict.fromkeys(_read_ids(paths["gold"])))
    links = {"src": {}, "trg": {}}
    for s, t in pairs:
        links["src"].setdefault(s, []).append(t)
        links["trg"].setdefault(t, []).append(s)
    rows = {"side": [], "id": [], "text": [], "gold": []}
    for side, ext in (("src", lang), ("trg", "en")):
        for sid, text in _read_ids(paths[ext]):
            rows["side"].append(side)
            rows["id"].append(sid)
            rows["text"].append(text)
            rows["gold"].append(" ".join(links[side].get(sid, [])))
    return datasets.Dataset.from_dict(rows)


def _round_robin(parts: list):
    """Concatenate datasets taking row i of every part before row i + 1 of any, so any prefix covers all parts."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    position = np.concatenate([np.arange(len(p)) for p in parts])
    part = np.concatenate([np.full(len(p), k) for k, p in enumerate(parts)])
    return datasets.concatenate_datasets(parts).select(np.lexsort((part, position)))


def nli_parts(task, split: str) -> list[tuple[str, object]]:
    """(part, source) of the ANLI+ parts that have `split`, as `read_anliplus` reads them (preflight, download)."""
    return [(name, source) for name, source, _ in PARTS if split in source.splits]


def read_anliplus(task, lang: str, split: str, root):
    """ANLI+ (tasks/anliplus.py): its parts, each loaded like a task of its own through the hub or a local copy
    (`<root>/<part>/en/<split>.jsonl`), labels mapped by name onto one NLI set, rows without gold dropped."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    features = datasets.Features({"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
                                  "label": datasets.Value("int64"), "part": datasets.Value("string")})
    parts = []
    for name, source, names in PARTS:
        if split not in source.splits:
            continue
        rows = read_source(dataclasses.replace(task, name=name, source=source), lang, split, root)
        ours = [NLI.index(n) for n in names]  # the part's label id -> ours
        rows = rows.filter(lambda b: [0 <= y < len(ours) for y in b["label"]], batched=True)  # SNLI -1
        rows = rows.map(lambda b: {"label": [ours[y] for y in b["label"]], "part": [name] * len(b["label"])},
                        batched=True, remove_columns=[c for c in rows.column_names if c not in features])
        parts.append(rows.cast(features))
    return _round_robin(parts)


UNSEEN_TAG = "<unseen>"  # dev/test supertags absent from train: never learnt, so always an error


def _ccg_path(task, lang: str, split: str, root) -> Path:
    path = Path(root or ".") / task.name / lang / f"{task.source.splits[split]}.tsv"
    if root is None or not path.is_file():
        raise _missing(task, path, root)
    return path


@lru_cache(maxsize=8)
def _read_supertags(path: Path, mtime: float) -> tuple:
    """`word<TAB>supertag` lines, blank line between sentences -> ((words, tags), ...)."""
    sentences, words, tags = [], [], []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if line.strip():
                cols = line.split("\t")
                if len(cols) != 2 or not all(cols):
                    raise ValueError(f"{path}:{n}: expected `word<TAB>supertag`, got {line!r}")
                words.append(cols[0])
                tags.append(cols[1])
            elif words:
                sentences.append((tuple(words), tuple(tags)))
                words, tags = [], []
    if words:
        sentences.append((tuple(words), tuple(tags)))
    return tuple(sentences)


def _supertags(path: Path) -> tuple:
    return _read_supertags(path, path.stat().st_mtime)


def ccg_tags(task, root) -> tuple:
    """The CCG label set: every supertag of the training file, sorted, then UNSEEN_TAG."""
    train = _supertags(_ccg_path(task, "en", "train", root))
    return tuple(sorted({t for _, tags in train for t in tags})) + (UNSEEN_TAG,)


def read_ccg(task, lang: str, split: str, root):
    """CCGbank supertags (tasks/ccg.py) -> tokens, tags (ids into `ccg_tags`)."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    index = {t: i for i, t in enumerate(ccg_tags(task, root))}
    rows = _supertags(_ccg_path(task, lang, split, root))
    return datasets.Dataset.from_dict({
        "tokens": [list(words) for words, _ in rows],
        "tags": [[index.get(t, index[UNSEEN_TAG]) for t in tags] for _, tags in rows]})


def squad_json_rows(path: Path):
    """A SQuAD-format JSON file (data > paragraphs > qas, as XTREME's translate-train files) -> rows in the
    hub's SQuAD columns, one per question. Questions whose answer is not where `answer_start` says (machine
    translation lost the span: XTREME's files mark some with -1) are dropped, as XTREME's own loader skips
    them, so no row trains on a wrong span. Returns (rows, dropped)."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    rows, dropped = {"id": [], "title": [], "context": [], "question": [], "answers": []}, 0
    with open(path, encoding="utf-8") as fh:
        articles = json.load(fh)["data"]
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                answers = [a for a in qa["answers"]
                           if 0 <= a["answer_start"] and context[a["answer_start"]:].startswith(a["text"])]
                if not answers or not answers[0]["text"]:
                    dropped += 1
                    continue
                for key, value in (("id", qa["id"]), ("title", article.get("title", "")), ("context", context),
                                   ("question", qa["question"]), ("answers", {
                                       "text": [a["text"] for a in answers],
                                       "answer_start": [a["answer_start"] for a in answers]})):
                    rows[key].append(value)
    return datasets.Dataset.from_dict(rows), dropped


READERS = {"bucc_files": read_bucc, "nli_parts": read_anliplus, "supertags": read_ccg,
           "mewslix_files": read_mewslix, "lareqa_files": read_lareqa}
# Raw files that `download-data` converts into a local copy (a Source's `reader` with a `url`).
CONVERTERS = {"squad_json": squad_json_rows}
# Tasks whose label set comes with their data rather than with the task module.
LABELS_FROM_DATA = {"supertags": ccg_tags}


def with_data_labels(task, study, variant: str = ""):
    """The task with `labels` read from its local data when the label set comes with the data (CCG supertags);
    any other task comes back unchanged. Call it before sizing a head or naming predictions."""
    read = LABELS_FROM_DATA.get(task.source.reader)
    if task.labels or read is None:
        return task
    return dataclasses.replace(task, labels=read(task, study.world_impl.data_root(task, variant)))
