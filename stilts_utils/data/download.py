"""Write local copies of a study's datasets in the layout `load_split` reads (docs/design.md §2), for
clusters whose compute nodes have no internet. Run it where the hub is reachable."""
from __future__ import annotations

from pathlib import Path

from ..study.config import load_study
from ..tasks import REGISTRY
from .hub import read_hub
from .preflight import needed_tasks


def download(study_file: str, to: str) -> None:
    study = load_study(study_file)
    for name in needed_tasks(study):
        task = REGISTRY[name]
        if task.source.reader != "hub":
            print(f"{name}: not on the hub; {task.source.note}")
            continue
        langs = task.languages if task.role == "target" else ["en"]
        for lang in langs:
            for split in task.source.splits:
                out = Path(to) / name / lang / f"{split}.jsonl"
                if out.exists():
                    continue
                rows = read_hub(task, lang, split)
                out.parent.mkdir(parents=True, exist_ok=True)
                rows.to_json(str(out), lines=True, force_ascii=False)
                print(f"{name}/{lang}/{split}: {len(rows)} rows -> {out}")
    print(f"set data_dirs: {{<task>: {to}}} for each task in the study file")
