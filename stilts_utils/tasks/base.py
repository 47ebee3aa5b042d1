"""What a task is: where its rows come from, which kind of head it needs and how it is scored.

Task differences live in these fields, never in `if task == ...` branches elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

KINDS = ("classification", "multiple_choice", "span_qa", "tagging", "retrieval")
ROLES = ("intermediate", "target")


@dataclass(frozen=True)
class Source:
    """A Hugging Face dataset: id, config per language and our split names mapped to the hub's."""

    hf_id: str
    config: str | None = None  # may hold "{lang}" or "{name}" (from `lang_names`)
    splits: dict = field(default_factory=lambda: {"train": "train", "dev": "validation", "test": "test"})
    lang_names: dict = field(default_factory=dict)  # ISO code -> the name the hub config uses
    reader: str = "hub"  # "hub", or a raw-file reader name in data.READERS (bucc, ccg)
    revision: str | None = None  # hub revision, e.g. the parquet export of a script-only dataset
    data_dir: str | None = None  # sub-folder of a parquet export (one per config)
    note: str = ""  # how to obtain it when it is not on the hub (licensed data, dead links)

    def config_for(self, lang: str) -> str | None:
        if self.config is None:
            return None
        return self.config.format(lang=lang, name=self.lang_names.get(lang, lang))


@dataclass(frozen=True)
class Task:
    name: str
    kind: str  # one of KINDS
    role: str  # one of ROLES
    metric: str  # headline metric name, a key of metrics.METRICS
    source: Source
    to_canonical: Optional[Callable[[dict], dict]] = None  # batched map to the kind's columns
    languages: tuple = ("en",)  # evaluation languages (XTREME's list for targets)
    labels: tuple = ()  # class or tag names, index = id
    n_choices: int = 0  # multiple choice only
    train_on: str | None = None  # task whose English train split this target trains on
    select_on: str | None = None  # task whose English dev split selects the checkpoint
    eval_splits: tuple = ("dev", "test")  # splits scored per language
    filter_language: Optional[Callable[[dict, str], bool]] = None  # rows of one language in a mixed split
    mining: bool = False  # retrieval by margin mining with a dev threshold (BUCC), not top-1 (Tatoeba)
    null_answer: bool = False  # span QA with unanswerable questions (SQuAD v2)
    test_only: tuple = ()  # languages whose only split is test (e.g. UD-POS kk, th, tl, yo)
    scorer: str = ""  # metrics.METRICS key when the kind's default does not apply (e.g. "mlqa")
    dev_from_train: float = 0.0  # hold out this tail share of English train as dev (no dev split exists)
    train_size: int = 0  # published English training rows; estimates steps when no local copy exists
    translated: Source | None = None  # machine-translated train sets of an intermediate task (RQ3)
    benchmark: str = "xtreme"  # "xtreme" (the X-STILTs study) or "xtreme-r" (RQ5 extensions)
    description: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"task {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.role not in ROLES:
            raise ValueError(f"task {self.name!r}: role {self.role!r} is not one of {ROLES}")

    @property
    def trains(self) -> bool:
        """Retrieval targets are evaluated on the encoder as it is; all others fine-tune a head."""
        return self.kind != "retrieval"

    @property
    def train_task(self) -> str:
        return self.train_on or self.name

    @property
    def select_task(self) -> str:
        return self.select_on or self.train_task
