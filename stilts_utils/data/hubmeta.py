"""The online half of the preflight: does every hub dataset (task, language/config, split, with its revision
and data_dir) and every hub model of a study resolve? Asked of the hub's metadata API (one repo-info call
per dataset revision and per model, in parallel), never by downloading data, so it answers in seconds.

A dataset's configs and splits come from its card (`cardData.configs`, the README block the hub returns),
or, for a repo without one (a parquet export such as `refs/convert/parquet`), from its file names."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..tasks import REGISTRY
from .hub import hub_endpoint, hub_source
from .readers import nli_parts

DATA_EXTENSIONS = (".parquet", ".arrow", ".jsonl", ".json", ".csv", ".tsv", ".txt", ".json.gz", ".jsonl.gz")
# Folder and file-name words that `datasets` reads as a split when a repo has no `configs:` block
# (datasets.data_files' split keywords). Repeated here because the preflight runs before `datasets` is
# imported; a miss here only reports a split as missing, it never changes what is loaded.
SPLIT_WORDS = {"train": ("train", "training"), "validation": ("validation", "valid", "dev", "val"),
               "test": ("test", "testing", "eval", "evaluation")}


def hub_datasets(study, needed: list[tuple[str, str, str]], local) -> dict:
    """{(hf_id, revision): {(config, data_dir, hub split): [(name, lang, split, task), ...]}} of every needed
    hub file without a local copy; a merged task (ANLI+) stands for its parts (name = the part)."""
    out: dict = {}
    for name, lang, split in needed:
        task = REGISTRY[name]
        if local(task) is not None:
            continue
        for part, source in ([(name, hub_source(task, lang))] if task.source.reader == "hub"
                             else nli_parts(task, split) if task.source.reader == "nli_parts" else []):
            if source.reader != "hub":  # not on the hub (translate-train SQuAD): the local problems name it
                continue
            hub_split = source.splits.get(split)
            if hub_split is None:
                continue
            key = (source.config_for(lang), source.data_dir, hub_split)
            out.setdefault((source.hf_id, source.revision), {}).setdefault(key, []).append((part, lang, split, name))
    return out


def hub_problems(study, models: list[str], datasets: dict) -> list[str]:
    """Every problem of the study's hub models and datasets, each with what fixes it; [] when all resolve."""
    from huggingface_hub import HfApi  # lazy: 0.14 s, online only; the offline preflight imports this module

    api = HfApi()
    jobs = [(_model_problems, (api, m)) for m in models]
    jobs += [(_dataset_problems, (api, hf_id, rev, wanted, study)) for (hf_id, rev), wanted in datasets.items()]
    with ThreadPoolExecutor(max_workers=8) as pool:  # each call waits on the network, not the CPU
        found = list(pool.map(lambda job: job[0](*job[1]), jobs))
    return [p for problems in found for p in problems]


def _model_problems(api, model: str) -> list[str]:
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError  # lazy: as HfApi in hub_problems

    try:
        info = api.model_info(model, timeout=10)
    except GatedRepoError:
        return [f"model {model!r} is gated: accept its terms at {hub_endpoint()}/{model}, then `hf auth login`"]
    except RepositoryNotFoundError:
        return [f"model {model!r} is not on the hub at {hub_endpoint()}: fix its id under `models:` (the hub id or "
                f"a local model directory); `hf download {model}` shows whether it exists"]
    except Exception as err:
        return [f"model {model!r}: the hub at {hub_endpoint()} did not answer ({type(err).__name__}); retry, or "
                f"run `hf download {model}` where it does and set HF_HOME to that cache"]
    files = {s.rfilename for s in info.siblings or []}
    if files and "config.json" not in files:
        return [f"model {model!r} has no config.json on the hub (not a transformers model); name another under "
                "`models:`"]
    return []


def _dataset_problems(api, hf_id: str, revision: str | None, wanted: dict, study) -> list[str]:
    # lazy: as HfApi in hub_problems
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    names = sorted({name for users in wanted.values() for name, *_ in users})
    at = f"dataset {hf_id!r}" + (f" at revision {revision!r}" if revision else "")
    fix = _fix(names)
    try:
        info = api.dataset_info(hf_id, revision=revision, timeout=10)
    except GatedRepoError:
        return [f"{', '.join(names)}: {at} is gated: accept its terms at {hub_endpoint()}/datasets/{hf_id}, then "
                "`hf auth login`"]
    except RevisionNotFoundError:  # e.g. a parquet export (refs/convert/parquet) the hub has not made
        return [f"{', '.join(names)}: {at}: the revision does not exist on the hub; {fix}"]
    except RepositoryNotFoundError:
        return [f"{', '.join(names)}: {at} is not on the hub at {hub_endpoint()}; {fix}"]
    except Exception as err:
        return [f"{', '.join(names)}: {at}: the hub did not answer ({type(err).__name__}); retry, or {fix}"]
    files = [s.rfilename for s in info.siblings or []]
    data = [f for f in files if f.endswith(DATA_EXTENSIONS)]
    if not data and any(f.endswith(".py") for f in files):
        return [f"{', '.join(names)}: {at} is a loading-script repo without data files (datasets >= 4 cannot run "
                "it); read its parquet export: `revision=\"refs/convert/parquet\"` in the task's Source, or "
                f"{fix}"]
    configs = _card_configs(info.card_data)
    problems, no_config = [], {}
    for (config, data_dir, split), users in sorted(wanted.items(), key=str):
        have = _splits(configs, data, config, data_dir)
        if have is None:  # one problem per config, however many of its splits are needed
            no_config.setdefault(config, []).extend(users)
        elif split not in have:
            cfg = f" config {config!r}" if config else ""
            problems.append(f"{_where(users)}: {at}{cfg} has no split {split!r}; it has "
                            f"{', '.join(sorted(have)) or 'none'}. {_drop(users)}, or {fix}")
    for config, users in no_config.items():
        problems.append(f"{_where(users)}: {at} has no config {config!r}; it has "
                        f"{', '.join(sorted(configs)) or 'none'}. {_drop(users)}, or {fix}")
    return problems


def _where(users) -> str:
    return " ".join(f"{name}/{lang}/{split}" for name, lang, split, _ in users)


def _card_configs(card) -> dict:
    """{config name: {split, ...}} of a card's `configs:` block; {} without one. A config's `data_files` is a
    list of {split, path} or, with no split named, paths of its train split (datasets' reading)."""
    raw = (card.to_dict() if hasattr(card, "to_dict") else dict(card or {})).get("configs") or []
    out = {}
    for entry in raw if isinstance(raw, list) else []:
        files = entry.get("data_files", [])
        files = files if isinstance(files, list) else [files]
        out[entry.get("config_name", "default")] = {f["split"] if isinstance(f, dict) and "split" in f else "train"
                                                    for f in files}
    return out


def _splits(configs: dict, data: list[str], config: str | None, data_dir: str | None) -> set | None:
    """The hub splits of one config (None: no such config): from the card when it names the config (and no
    data_dir overrides its files), else from the data file names under data_dir or the config's folder."""
    if configs and data_dir is None:
        if config is None:  # datasets then reads the `default` config, or the only one
            return configs.get("default", next(iter(configs.values())) if len(configs) == 1 else None)
        return configs.get(config)
    prefix = data_dir or ("" if config is None or config in configs else config)
    under = [f[len(prefix):].lstrip("/") for f in data if not prefix or f.startswith(prefix.rstrip("/") + "/")]
    if prefix and not under:
        return None
    words = {split for f in under for split, names in SPLIT_WORDS.items()
             if any(_names_split(part, names) for part in f.split("/"))}
    return words or {"train"}  # datasets reads a folder of unnamed files as train


def _names_split(part: str, names: tuple) -> bool:
    """A path part names a split: `dev`, `test/`, `train-00000-of-00001.parquet`, `validation.jsonl`."""
    return any(part == n or part.startswith((n + "-", n + "_", n + ".")) for n in names)


def _drop(users) -> str:
    tasks = sorted({task for *_, task in users})
    langs = sorted({lang for _, lang, _, _ in users})
    return f"Drop {', '.join(langs)} from `target_languages: {{{tasks[0]}: [...]}}`" if langs != ["en"] else \
        f"Remove {', '.join(tasks)} from the study"


def _fix(names: list[str]) -> str:
    return ("write a local copy where the data resolves (`python -m stilts_utils download-data STUDY.yaml --to "
            f"DIR`) and set `data_dirs: {{{names[0]}: DIR}}`")
