"""Write local copies of a study's datasets in the layout `load_split` reads (docs/design.md §2), for
clusters whose compute nodes have no internet. Run it where the hub is reachable.

The copy holds every file the study's runs read (`needed_splits`: each target language, test-only
languages with their test split only, ANLI+ as its parts ANLI R1-R3, MNLI and SNLI, translated intermediate
data: MNLI via XNLI's train sets from the hub, SQuAD via XTREME's translate-train files, fetched and converted).
Each file is written atomically, so a file that exists is whole and a rerun skips it; one file that fails does
not stop the others, and all failures are listed at the end."""
from __future__ import annotations

import dataclasses
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from ..atomic import atomic_write_with
from ..study.config import load_study
from ..tasks import REGISTRY
from .hub import DataUnavailable, hub_source, read_hub
from .preflight import needed_splits
from .readers import CONVERTERS, nli_parts


def files_of(study) -> list[tuple[str, str, str, object]]:
    """(folder name, language, split, task to read it as) of every file of the copy; a merged task
    (ANLI+) is one task per part, each read like a task of its own (`read_anliplus` reads them back)."""
    out = {}
    for name, lang, split in needed_splits(study):
        task = REGISTRY[name]
        if task.source.reader == "hub":
            out[name, lang, split] = task
        elif task.source.reader == "nli_parts":  # the mnli part is the mnli task's own file: written once
            out.update({(part, lang, split): dataclasses.replace(task, name=part, source=source)
                        for part, source in nli_parts(task, split)})
    return [(*key, task) for key, task in sorted(out.items(), key=lambda item: item[0])]


def _rows(task, lang: str, split: str, folder: Path):
    """A file's rows: from the hub, or fetched from the source's `url` and converted (translate-train SQuAD)."""
    source = hub_source(task, lang) if task.source.reader == "hub" else task.source
    return fetch_converted(task, source, lang, folder) if source.url else read_hub(task, lang, split)


def fetch_converted(task, source, lang: str, folder: Path):
    """Rows of a raw file that is not on the hub: the file as the user put it in `folder` (no network needed),
    else fetched from `source.url` into `folder` first; then converted to the task's hub columns."""
    url = source.url.format(lang=lang)
    raw = folder / Path(urlsplit(url).path).name
    if not raw.is_file():
        folder.mkdir(parents=True, exist_ok=True)  # where the message says to put the file
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:  # honours HTTPS_PROXY; file:// in tests
                atomic_write_with(raw, lambda tmp: _save(answer, tmp))
        except OSError as err:  # URLError, HTTPError and timeouts are OSErrors
            raise DataUnavailable(f"{task.name}/{lang}: could not fetch {url} ({err}); put the file at {raw} and "
                                  f"rerun. {source.note}") from None
    rows, dropped = CONVERTERS[source.reader](raw)
    if dropped:
        print(f"{task.name}/{lang}: {dropped} question(s) of {raw.name} dropped: their answer is not at its "
              "answer_start (lost in translation)", flush=True)
    return rows


def _save(answer, tmp: Path) -> None:
    with open(tmp, "wb") as fh:
        shutil.copyfileobj(answer, fh)


def download(study_file: str, to: str) -> None:
    study = load_study(study_file)
    root = Path(to)
    for name in sorted({n for n, _, _ in needed_splits(study)}):
        if REGISTRY[name].source.reader not in ("hub", "nli_parts"):
            print(f"{name}: not on the hub; {REGISTRY[name].source.note}")
    failed, skipped = [], 0
    for folder, lang, split, task in files_of(study):
        out = root / folder / lang / f"{split}.jsonl"
        if out.is_file():  # written atomically, so whole
            skipped += 1
            continue
        try:
            rows = _rows(task, lang, split, out.parent)
        except Exception as err:  # one missing file must not stop the others: listed at the end
            failed.append(f"{folder}/{lang}/{split}: {type(err).__name__}: {' '.join(str(err).split())[:300]}")
            continue
        atomic_write_with(out, lambda tmp: rows.to_json(str(tmp), lines=True, force_ascii=False))
        print(f"{folder}/{lang}/{split}: {len(rows)} rows -> {out}", flush=True)
    if skipped:
        print(f"{skipped} file(s) already written, skipped")
    tasks = sorted({n for n, _, _ in needed_splits(study) if REGISTRY[n].source.reader in ("hub", "nli_parts")})
    print("set in the study file: data_dirs: {" + ", ".join(f"{t}: {to}" for t in tasks) + "}")
    if failed:
        raise DataUnavailable(f"{len(failed)} file(s) not written (rerun to retry them; written ones are kept): "
                              + "; ".join(failed))
