"""Reading the hub or a local copy in the hub's schema; what to do when neither can be read.

Offline or on a missing dataset or model it fails within seconds with what to do, never a retry loop.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..tasks import REGISTRY, Task


class DataUnavailable(RuntimeError):
    """A dataset that can be neither read locally nor downloaded; the message says how to get it."""


class BadData(DataUnavailable):
    """A local copy that is there but cannot be read as the task's rows; the message names file and line."""


class ModelUnavailable(RuntimeError):
    """The model is neither local nor reachable; the message says how to get it."""


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it (1/ON/YES/TRUE), from the environment: the preflight may
    set it after the client was imported."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")


def hub_endpoint() -> str:
    from huggingface_hub import constants  # lazy: it reads HF_HUB_OFFLINE on import, which the preflight may set

    return constants.ENDPOINT


def hub_reachable(timeout: float = 3.0) -> bool:
    """One request through the hub client's own HTTP session, so `HF_ENDPOINT` mirrors and proxies
    (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) count as the client sees them; any HTTP answer means reachable.
    One try, not the client's retry loop (~25 s when offline); the answer is kept for the process."""
    if hub_offline():
        return False
    return _probe(hub_endpoint(), timeout)


@lru_cache(maxsize=4)
def _probe(endpoint: str, timeout: float) -> bool:
    from huggingface_hub.utils import get_session  # lazy: the HTTP client (0.06 s), only when the hub is asked

    try:
        get_session().head(endpoint, timeout=timeout)
        return True
    except Exception:  # connect, proxy, TLS or timeout errors of the client's transport: not reachable
        return False


def model_help(name: str) -> str:
    offline = (" HF_HUB_OFFLINE=1 is set (stilts.sh sets it unless told otherwise): with a reachable hub, "
               "run with HF_HUB_OFFLINE=0 HF_DATASETS_OFFLINE=0.") if hub_offline() else ""
    return (f"model {name!r} is not in the local Hugging Face cache and the hub cannot be reached. On a "
            f"machine with internet run `hf download {name}` and copy ~/.cache/huggingface here (or set "
            f"HF_HOME to a shared copy), or name a local model directory in `models:`." + offline)


def read_source(task: Task, lang: str, split: str, root: Path | None):
    """Rows of a hub-schema task from its local copy under `root`, or else from the hub."""
    return read_local(task, lang, split, root) if root is not None else read_hub(task, lang, split)


def read_local(task: Task, lang: str, split: str, root: Path):
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    path = root / task.name / lang / f"{split}.jsonl"
    if not path.is_file():
        have = sorted(str(p.relative_to(root)) for p in (root / task.name).glob("*/*.jsonl"))[:12]
        raise DataUnavailable(
            f"{task.name}: no local file {path} (layout <root>/<task>/<lang>/<split>.jsonl, docs/design.md §2). "
            f"Found: {', '.join(have) or 'nothing'}. Write a local copy with "
            f"`python -m stilts_utils download-data STUDY.yaml --to DIR`.")
    return datasets.load_dataset("json", data_files=str(path), split="train")


def hub_source(task: Task, lang: str):
    """Where a language's rows come from: the task's own source, or for non-English rows of an English
    intermediate task its machine translations (RQ3), e.g. XNLI's translated MNLI train."""
    if task.role != "intermediate" or lang == "en":
        return task.source
    if task.translated is None or lang not in task.translations:
        have = sorted(f"{n} ({' '.join(t.translations)})" for n, t in REGISTRY.items() if t.translated is not None)
        raise DataUnavailable(f"{task.name}: no machine-translated training data for {lang!r}; translations "
                              f"exist for {', '.join(have)}")
    return task.translated


def read_hub(task: Task, lang: str, split: str):
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    source = hub_source(task, lang)
    if source.reader != "hub":
        raise DataUnavailable(f"{task.name}/{lang}/{split}: no local copy (`data_dirs: {{{task.name}: DIR}}`). "
                              + source.note)
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
               if hub_offline() else "")
            + (f" ({type(err).__name__})" if err else ""))


