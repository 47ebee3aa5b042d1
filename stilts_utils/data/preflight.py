"""Before a real study starts: can every model and dataset be read? Answers in seconds, not retries.

Local copies (`data_dirs`) are read here line by line, before any compute, so a missing, truncated or
binary file, or one without the columns its task reads, is named with its line instead of failing a
notebook later as a `datasets` error."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..study.identity import data_languages
from ..tasks import REGISTRY
from .hub import BadData, DataUnavailable, ModelUnavailable, hub_help, hub_reachable, hub_source, model_help
from .hubmeta import hub_datasets, hub_problems
from .loading import local_root


def needed_tasks(study) -> list[str]:
    names = set(study.targets)
    for target in study.targets:
        task = REGISTRY[target]
        names |= {*study.protocol.training_stages(task), task.select_task} if task.trains else set()
    names |= {t for i in study.intermediate for t in study.intermediate_tasks(i)}
    return sorted(names)


def needed_splits(study) -> list[tuple[str, str, str]]:
    """(task, language, split) of every file the study's runs read, as `load_split` reads them."""
    out = set()

    def add(name: str, lang: str, split: str) -> None:
        held_out = REGISTRY[name].dev_from_train > 0 and split in ("train", "dev")  # dev is a tail of train
        out.add((name, lang, "train" if held_out else split))

    for name in {t for i in study.intermediate for t in study.intermediate_tasks(i)}:
        task = REGISTRY[name]
        add(name, "en", "train")
        add(name, "en", "dev" if "dev" in task.eval_splits else task.eval_splits[0])  # scoring.english_dev
        for lang in {lang for data in study.intermediate_data for lang in data_languages(study, data)}:
            add(name, lang, "train")
    for target in study.targets:
        task = REGISTRY[target]
        if task.trains:
            for stage in study.protocol.training_stages(task):  # XCOPA: SIQA, then COPA
                add(stage, "en", "train")
            add(task.select_task, "en", "dev")
        splits = task.eval_splits if task.trains or not task.mining else ("dev", "test")
        for lang in study.languages_for(target):
            for split in splits:
                if split == "test" or lang not in task.test_only:
                    add(target, lang, split)
    return sorted(out)


class _Columns(dict):
    """A batch that records which columns a `to_canonical` map reads (each read gives an empty column)."""

    def __init__(self):
        super().__init__()
        self.read = []

    def __missing__(self, key):
        self.read.append(key)
        return []


def task_columns(task) -> list[str]:
    """The columns a task's rows must have: those its `to_canonical` map reads, found by running it on
    an empty batch, so the list never drifts from the task module."""
    if task.to_canonical is None:
        return []
    batch = _Columns()
    task.to_canonical(batch, [])
    return sorted(set(batch.read))


def check_jsonl(path: Path, columns: list[str], task=None) -> None:
    """Every line of a local copy is a JSON object with the columns; the first bad one is named. The
    first row also goes through the task's own map (`to_canonical`), which finds what the column list
    cannot (multiple-choice maps read their columns per row)."""
    if not path.is_file():
        raise DataUnavailable(f"{path}: no such file (layout <root>/<task>/<lang>/<split>.jsonl, docs/design.md §2); "
                              "write a local copy with `python -m stilts_utils download-data STUDY.yaml --to DIR`")
    rows = 0
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as err:
                raise BadData(f"{path}, line {n}: not UTF-8 text (byte {err.start} of the line); allowed: "
                              "JSON lines") from None
            except ValueError as err:
                raise BadData(f"{path}, line {n}: not a JSON object ({err}); allowed: one JSON object per "
                              "line (a truncated copy? write it again)") from None
            if not isinstance(row, dict):
                raise BadData(f"{path}, line {n}: {type(row).__name__} instead of a JSON object of columns")
            missing = [c for c in columns if c not in row]
            if missing:
                raise BadData(f"{path}, line {n}: no column {', '.join(map(repr, missing))}; the task reads "
                              f"{', '.join(columns)}, the line has {', '.join(sorted(row)) or 'none'}")
            if not rows and task is not None and task.to_canonical is not None:
                try:
                    task.to_canonical({k: [v] for k, v in row.items()}, [0])
                except KeyError as err:
                    raise BadData(f"{path}, line {n}: no column {err}; the line has {', '.join(sorted(row))}") from None
                except (TypeError, ValueError, IndexError) as err:
                    raise BadData(f"{path}, line {n}: the row does not map onto {task.name}'s columns "
                                  f"({type(err).__name__}: {err})") from None
            rows += 1
    if not rows:
        raise BadData(f"{path}: no rows (the file is empty); allowed: one JSON object per line")


def check_local_data(study) -> None:
    """The study's local copies (`data_dirs`): folders exist, every needed file parses, with its columns."""
    for name, lang, split in needed_splits(study):
        task = REGISTRY[name]
        where = study.data_dirs.get(name)
        root = local_root(study, task)
        if where is None or root is None or Path(where) != root:  # not a local copy (hub, sandbox world)
            continue
        if not root.is_dir():
            raise DataUnavailable(f"data_dirs.{name}: folder {where!r} does not exist; allowed: a folder laid out "
                                  "as <root>/<task>/<lang>/<split>.jsonl (docs/design.md §2)")
        if task.source.reader == "hub":
            check_jsonl(root / name / lang / f"{split}.jsonl", task_columns(task), task)


def _hub_cached(hf_id: str, revision: str | None, config: str | None, data_dir: str | None, split: str) -> bool:
    """True when the datasets cache holds this config and split at its revision/data_dir (asked offline)."""
    import datasets  # lazy: 0.6 s, and after check() has set the offline switches

    try:
        builder = datasets.load_dataset_builder(hf_id, config, revision=revision, data_dir=data_dir)
    except Exception:
        return False
    splits = builder.info.splits
    return not splits or split in splits  # a cache without split facts: the load itself will tell


def _model_cached(model: str) -> bool:
    """A local directory, or a config.json in the Hugging Face cache (no transformers import needed)."""
    from huggingface_hub import try_to_load_from_cache  # lazy: 0.08 s; reads HF_HUB_OFFLINE as check() set it

    return Path(model).is_dir() or isinstance(try_to_load_from_cache(model, "config.json"), str)


def _local_problems(study, needed) -> list[Exception]:
    """Local copies (each file checked, every bad one kept) and data that only a local copy can hold."""
    problems = []
    try:
        check_local_data(study)
    except DataUnavailable as err:
        problems.append(err)
    for name in sorted({n for n, _, _ in needed}):
        task = REGISTRY[name]
        if task.source.reader not in ("hub", "nli_parts") and local_root(study, task) is None:
            problems.append(DataUnavailable(f"{name}: not on the hub, so it needs `data_dirs: {{{name}: DIR}}` in "
                                            f"the study file. {task.source.note}"))
    off_hub = {}  # task -> languages whose (translated) rows are not on the hub, e.g. translate-train SQuAD
    for name, lang, _ in needed:
        task = REGISTRY[name]
        if task.source.reader == "hub" and local_root(study, task) is None and hub_source(task, lang).reader != "hub":
            off_hub.setdefault(name, []).append(lang)
    for name, langs in sorted(off_hub.items()):
        problems.append(DataUnavailable(f"{name} {', '.join(sorted(langs))}: not on the hub, so it needs "
                                        f"`data_dirs: {{{name}: DIR}}`. {hub_source(REGISTRY[name], langs[0]).note}"))
    return problems


def _offline_problems(study, models, needed) -> list[Exception]:
    """Without a hub: every model in the cache, every needed (task, config, split) in the datasets cache."""
    problems: list[Exception] = [ModelUnavailable(model_help(m)) for m in models if not _model_cached(m)]
    missing = {}  # task -> (config, hub split) of its first missing file, for the example fix
    for (hf_id, revision), wanted in hub_datasets(study, needed, lambda t: local_root(study, t)).items():
        for (config, data_dir, split), users in wanted.items():
            if not _hub_cached(hf_id, revision, config, data_dir, split):
                for *_, task in users:
                    missing.setdefault(task, (config, split))
    if missing:
        first = sorted(missing)[0]
        problems.append(DataUnavailable(f"no network and no local copy of: {', '.join(sorted(missing))}. For "
                                        "example: " + hub_help(REGISTRY[first], *missing[first])))
    return problems


def _raise(problems: list[Exception]) -> None:
    """All problems at once: one of them as it is, several as one error listing each (with its fix)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        listed = "; ".join(f"({n}) {' '.join(str(p).split())}" for n, p in enumerate(problems, 1))
        raise DataUnavailable(f"{len(problems)} problems, each with its fix: {listed}")


def check(study) -> None:
    """Every model and dataset of the study readable? Online the hub's metadata answers for every (task,
    language, split) and model; offline the caches. Every problem is listed at once, before any compute."""
    models = study.world_impl.hub_models()
    needed = needed_splits(study)
    remote = [n for n in needed_tasks(study) if local_root(study, REGISTRY[n]) is None]
    problems = _local_problems(study, needed)
    if (models or remote) and hub_reachable():
        found = hub_problems(study, models, hub_datasets(study, needed, lambda t: local_root(study, t)))
        _raise(problems + [DataUnavailable(p) for p in found])
        return
    # no hub needed or none reachable: switch the hub clients off before `datasets` is imported here or in
    # any notebook kernel, so nothing waits on retries
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    _raise(problems + _offline_problems(study, models, needed))
