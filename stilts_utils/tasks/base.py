"""What a task is: where its rows come from, which kind of head it needs and how it is scored.

Task differences live in these fields, never in `if task == ...` branches elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

ROLES = ("intermediate", "target")
# XTREME's task groups (evaluate.py) and submission file formats, in XTREME's order.
XTREME_GROUPS = ("classification", "structured_prediction", "qa", "retrieval")
# XTREME-R's groups (evaluate.py XTREME_R_GROUP2TASK: classification, tagging, qa, retrieval, multi_choice).
XTREME_R_GROUPS = ("classification", "structured_prediction", "qa", "retrieval", "multiple_choice")
# lines, tags, qa, pairs (XTREME); choice: a JSON line {"label": i} per example (XCOPA); ranking: a JSON
# object {query id: [candidate ids, best first]} (Mewsli-X, LAReQA).
XTREME_FORMATS = ("lines", "tags", "qa", "pairs", "choice", "ranking")
# The benchmarks a study may follow (study `benchmark:`): which language list each target is run over
# (`languages_in`), and XTREME-R's other settings (`xtreme_r_encoder`). XTREME is the default.
BENCHMARKS = ("xtreme", "xtreme-r")


@dataclass(frozen=True)
class Source:
    """A Hugging Face dataset: id, config per language and our split names mapped to the hub's."""

    hf_id: str
    config: str | None = None  # may hold "{lang}" or "{name}" (from `lang_names`)
    splits: dict = field(default_factory=lambda: {"train": "train", "dev": "validation", "test": "test"})
    lang_names: dict = field(default_factory=dict)  # ISO code -> the name the hub config uses
    reader: str = "hub"  # "hub", or a reader of data/readers.py (bucc_files, nli_parts, supertags)
    revision: str | None = None  # hub revision, e.g. the parquet export of a script-only dataset
    data_dir: str | None = None  # sub-folder of a parquet export (one per config)
    note: str = ""  # how to obtain it when it is not on the hub (licensed data, dead links)
    local_files: tuple = ()  # user-supplied data only: files (relative to its data_dirs entry) it cannot run without
    # not on the hub: the file `download-data` fetches ({lang} filled in) and converts with `reader`
    url: str = ""

    def config_for(self, lang: str) -> str | None:
        if self.config is None:
            return None
        return self.config.format(lang=lang, name=self.lang_names.get(lang, lang))


def parquet_export(hf_id: str, data_dir: str | None = None) -> Source:
    """An English train/dev dataset whose hub main branch is a loading script, read from its parquet export."""
    return Source(hf_id, None, {"train": "train", "dev": "validation"}, revision="refs/convert/parquet",
                  data_dir=data_dir,
                  note="Its main branch is a loading script (datasets >= 4 cannot run it): we read the hub's "
                       "parquet export. Unverified against the live hub from this sandbox.")


@dataclass(frozen=True)
class Task:
    name: str
    kind: str  # a key of model.kinds.KINDS (classification, multiple_choice, span_qa, tagging, retrieval)
    role: str  # one of ROLES
    metric: str  # headline metric: the key of the scorer's output used for gains (accuracy, f1, ...)
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
    scorer: str = ""  # metrics.METRICS name when the kind's default scorer does not apply (e.g. "mlqa")
    dev_from_train: float = 0.0  # hold out this tail share of English train as dev (no dev split exists)
    xtreme_keeps_last: bool = False  # XTREME keeps the last checkpoint (no selection; TyDiQA: all of en train);
    # done so under `protocol.selection: xtreme` (the default), `held_out` uses dev_from_train instead
    train_size: int = 0  # published English training rows; estimates steps when no local copy exists
    translated: Source | None = None  # machine-translated train sets of an intermediate task (RQ3)
    translations: tuple = ()  # the languages `translated` has (what `translation_languages` may name)
    xtreme_group: str = ""  # XTREME task group (one of XTREME_GROUPS) of the nine scored tasks; "" = not scored
    xtreme_format: str = ""  # submission file format (one of XTREME_FORMATS): lines, tags, qa or pairs
    # the task folder of its submission files and the benchmark task its scores stand for, where it is not
    # `name` (WikiANN: XTREME-R's evaluate.py calls its 48 languages `panx`)
    submission: str = ""
    benchmark: str = "xtreme"  # "xtreme" (the X-STILTs study) or "xtreme-r" (RQ5 extensions)
    # XTREME-R scoring (`score --benchmark xtreme-r`, evaluate.py --xtreme_version xtreme-r): its languages
    # (XTREME_R_TASK2LANGS; () = not an XTREME-R task) and its groups (XTREME_R_GROUPS; XCOPA is in two).
    # `languages` stays the study's (XTREME's) list.
    xtreme_r_languages: tuple = ()
    xtreme_r_groups: tuple = ()
    # XTREME-R: the intermediate task whose fine-tuned encoder this target's baseline (`none`) pairs use under
    # `benchmark: xtreme-r` ("" = the pretrained model). Tatoeba: "squad", as XTREME-R's run_tatoeba.sh embeds
    # with the SQuAD-fine-tuned model (google-research/xtreme issue #97)
    xtreme_r_encoder: str = ""
    title: str = ""  # how figures and tables name it (the benchmark's own spelling); "" = `name`
    # Phase-3 training recipes: name -> the English tasks trained in turn, the head carried over, the last
    # being `train_task` (XCOPA: XTREME-R's siqa-copa, or copa). The first is the default; a study picks
    # another with `protocol.recipes: {<target>: <name>}`. Empty = train on `train_task` alone.
    recipes: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"task {self.name!r}: role {self.role!r} is not one of {ROLES}")
        if self.xtreme_group not in ("",) + XTREME_GROUPS or self.xtreme_format not in ("",) + XTREME_FORMATS:
            raise ValueError(f"task {self.name!r}: xtreme_group {self.xtreme_group!r} / xtreme_format "
                             f"{self.xtreme_format!r} not in {XTREME_GROUPS} / {XTREME_FORMATS}")
        if not set(self.xtreme_r_groups) <= set(XTREME_R_GROUPS) or (self.xtreme_r_groups and not
                                                                      self.xtreme_r_languages):
            raise ValueError(f"task {self.name!r}: xtreme_r_groups {self.xtreme_r_groups!r} not in "
                             f"{XTREME_R_GROUPS}, or given without xtreme_r_languages")
        if self.benchmark not in BENCHMARKS:
            raise ValueError(f"task {self.name!r}: benchmark {self.benchmark!r} not in {BENCHMARKS}")
        if any(not stages or stages[-1] != self.train_task for stages in self.recipes.values()):
            raise ValueError(f"task {self.name!r}: every recipe of {self.recipes!r} must end with its "
                             f"train task {self.train_task!r}")

    @property
    def submission_name(self) -> str:
        """The submission folder (and benchmark task) of its predictions: evaluate.py's name for it."""
        return self.submission or self.name

    def languages_in(self, benchmark: str) -> tuple:
        """Its evaluation languages under `benchmark`: XTREME-R's list where it has one, else `languages`."""
        return {"xtreme-r": self.xtreme_r_languages or self.languages}.get(benchmark, self.languages)

    @property
    def trains(self) -> bool:
        """Retrieval targets are evaluated on the encoder as it is; all others fine-tune a head."""
        return self.kind != "retrieval"

    @property
    def is_qa(self) -> bool:
        """Span QA: XTREME scores it as (EM + F1) / 2."""
        return self.kind == "span_qa"

    @property
    def train_task(self) -> str:
        return self.train_on or self.name

    @property
    def select_task(self) -> str:
        return self.select_on or self.train_task
