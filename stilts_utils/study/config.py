"""A study file (`params/<study>.yaml`) mapped one-to-one onto plain dataclasses.

Everything is checked before any compute: unknown keys, tasks, models, languages and wrong types fail
at once with one message that names the bad value and lists what is allowed.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from ..metrics.tagging import DEFAULT_TAGGING_F1, TAGGING_F1
from ..tasks import REGISTRY
from .errors import StudyError
from .worlds import WORLDS

REPO_ROOT = Path(__file__).resolve().parents[2]  # relative output roots resolve here, whatever the cwd

INTERMEDIATE_DATA = ("en", "translated", "en+translated")
PRECISIONS = ("fp32", "bf16", "fp16")
POOLINGS = ("mean", "cls")
SELECTIONS = ("xtreme", "held_out")


def _check_fields(cls, data: dict, where: str) -> dict:
    """Unknown keys are errors; values must have the type of the field's default."""
    if not isinstance(data, dict):
        raise StudyError(f"{where}: expected a mapping, got {type(data).__name__} {data!r}")
    allowed = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        if key not in allowed:
            raise StudyError(f"{where}: unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}")
        default = allowed[key].default
        if default is dataclasses.MISSING or default is None or value is None:
            continue
        ok = isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))
        if not ok or (isinstance(default, (int, float)) and not isinstance(default, bool) and isinstance(value, bool)):
            raise StudyError(f"{where}.{key}: expected {type(default).__name__}, got {value!r}")
    return data


@dataclass(frozen=True)
class TrainSettings:
    epochs: float = 3.0  # passes over the (capped) training set
    max_steps: int = 0  # > 0 overrides epochs
    batch_size: int = 32  # examples per optimiser step (before accumulation)
    grad_accum: int = 1
    lr: float = 1e-5
    warmup_ratio: float = 0.1  # linear warm-up share of the steps, then linear decay
    weight_decay: float = 0.01  # not applied to biases and LayerNorm
    max_grad_norm: float = 1.0
    max_seq_len: int = 256
    doc_stride: int = 128  # span QA: overlap between windows of a long context
    max_query_len: int = 64  # span QA
    eval_every: int = 1000  # steps between English-dev selections; 0 = select only at the end
    eval_subset: int = 500  # English dev rows used for checkpoint selection (0 = all)
    max_train_examples: int = 0  # cap on training rows (0 = all); for smoke runs
    max_eval_examples: int = 0  # cap on rows per evaluated language and split (0 = all)
    eval_batch_size: int = 64
    precision: str = "fp32"  # fp32 | bf16 | fp16 (GPU)

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise StudyError(f"precision {self.precision!r} is not one of {PRECISIONS}")
        for name in ("batch_size", "grad_accum", "max_seq_len"):
            if getattr(self, name) < 1:
                raise StudyError(f"{name} must be >= 1, got {getattr(self, name)}")

    def effective_batch(self) -> int:
        return self.batch_size * self.grad_accum

    def total_steps(self, n_rows: int) -> int:
        """max_steps if set, else epochs over the rows at the effective batch size (jiant's rule)."""
        if self.max_steps > 0:
            return self.max_steps
        return max(1, math.ceil(self.epochs * math.ceil(n_rows / self.effective_batch())))


@dataclass(frozen=True)
class RetrievalSettings:
    layer: int = -1  # hidden_states index; -1 = 14 of 24 (XLM-R Large) scaled to the model's depth
    pooling: str = "mean"  # mean over non-padding tokens (incl. special tokens, as jiant/XTREME) | cls
    max_seq_len: int = 128
    batch_size: int = 64
    max_eval_examples: int = 0

    def __post_init__(self):
        if self.pooling not in POOLINGS:
            raise StudyError(f"retrieval.pooling {self.pooling!r} is not one of {POOLINGS}")


@dataclass(frozen=True)
class MultitaskSettings:
    tasks: list = field(default_factory=list)  # intermediate tasks mixed by `multitask`
    cap: int = 0  # sample proportional to min(N, cap); 0 = no cap
    temperature: float = 1.0  # p ∝ min(N, cap) ** (1 / temperature)
    skip_missing: bool = False  # run over the tasks whose data is there (e.g. no CCGbank) instead of failing


@dataclass(frozen=True)
class ProtocolSettings:
    """Where XTREME's protocol and ours may differ, each as a named setting; the defaults are XTREME's."""

    # chunk F1 of the tagging targets (UD-POS, PAN-X): XTREME's seqeval 0.0.12, or "seqeval-1.2.2"
    tagging_f1: str = DEFAULT_TAGGING_F1
    # targets for which XTREME keeps the last checkpoint (Task.xtreme_keeps_last: XQuAD, MLQA, TyDiQA-GoldP):
    # "xtreme" does the same (TyDiQA on all of English train); "held_out" selects the checkpoint on held-out
    # English data (SQuAD dev; TyDiQA: the last 10 % of English train, the first 90 % trains)
    selection: str = "xtreme"

    def __post_init__(self):
        if self.tagging_f1 not in TAGGING_F1:
            raise StudyError(f"protocol.tagging_f1 {self.tagging_f1!r} is not one of {', '.join(TAGGING_F1)}")
        if self.selection not in SELECTIONS:
            raise StudyError(f"protocol.selection {self.selection!r} is not one of {', '.join(SELECTIONS)}")

    def score_options(self) -> dict:
        """Options every scorer call of a run gets (metrics.METRICS entries read the ones they know)."""
        return {"tagging_f1": self.tagging_f1}

    def holds_out(self, task) -> bool:
        """Whether `task` trains on English train minus its held-out dev share and selects on that share."""
        return task.dev_from_train > 0 and not (task.xtreme_keeps_last and self.selection == "xtreme")

    def keeps_last(self, task) -> bool:
        """Whether `task` keeps the last checkpoint (no selection), as XTREME does for it."""
        return task.xtreme_keeps_last and self.selection == "xtreme"


@dataclass(frozen=True)
class Study:
    name: str
    world: str = "sandbox"  # sandbox | xtreme
    models: list = field(default_factory=lambda: ["sandbox-small"])
    intermediate: list = field(default_factory=lambda: ["none"])  # `none` = no intermediate training
    targets: list = field(default_factory=list)
    languages: list = field(default_factory=list)  # empty = every language of each target
    target_languages: dict = field(default_factory=dict)  # target -> its own language subset
    seeds: list = field(default_factory=lambda: [0])
    intermediate_data: list = field(default_factory=lambda: ["en"])  # RQ3
    checkpoints: list = field(default_factory=lambda: [1.0])  # RQ2: fractions of phase-2 steps
    mlm_weight: float = 0.0  # share of phase-2 batches that continue multilingual MLM (0 = none)
    mlm_corpus: str = ""  # real studies: directory of <lang>.txt for that MLM; the sandbox uses its own
    multitask: MultitaskSettings = field(default_factory=MultitaskSettings)
    phase2: TrainSettings = field(default_factory=TrainSettings)
    phase3: TrainSettings = field(default_factory=TrainSettings)
    phase3_overrides: dict = field(default_factory=dict)  # target -> {TrainSettings field: value}
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    protocol: ProtocolSettings = field(default_factory=ProtocolSettings)  # XTREME's semantics or ours
    sandbox: dict = field(default_factory=dict)  # sandbox.WorldSettings, as a mapping
    sandbox_sizes: dict = field(default_factory=dict)  # extra/overridden sandbox model sizes (ModelSize)
    variants: dict = field(default_factory=dict)  # name -> sandbox world overrides (RQ1 intervention)
    data_dirs: dict = field(default_factory=dict)  # task -> local copy (layout: docs/design.md §2)
    trust_remote_code: list = field(default_factory=list)  # model ids opted in, one by one (datasets 5 runs no scripts)
    parallel: int = 1  # notebooks run at once (each on its own warm kernel)
    threads: int = 1  # torch threads of every phase-2/3 run: fixed, so results do not depend on `parallel`
    analysis: list = field(default_factory=list)  # analysis notebooks run on the results
    output_root: str = "outputs"

    def target_settings(self, target: str) -> TrainSettings:
        return dataclasses.replace(self.phase3, **self.phase3_overrides.get(target, {}))

    @functools.cached_property
    def world_impl(self):
        """The study's world (sandbox or hub): everything that differs between the two."""
        return WORLDS[self.world](self)

    @property
    def output_dir(self) -> Path:
        """The output root, absolute (an absolute `output_root` wins over the repository's)."""
        return REPO_ROOT / self.output_root

    def languages_for(self, task_name: str) -> list[str]:
        langs = self.world_impl.languages(REGISTRY[task_name])
        own = self.target_languages.get(task_name)
        return [lang for lang in langs if (not self.languages or lang in self.languages)
                and (own is None or lang in own)]

    @property
    def variant_names(self) -> list[str]:
        return list(self.variants) or [""]


def _one_of(values, allowed, where):
    for value in values:
        if value not in allowed:
            raise StudyError(f"{where}: unknown value {value!r}; allowed: {', '.join(map(str, allowed))}")


def _validate(study: Study) -> None:
    _one_of([study.world], list(WORLDS), "world")
    targets = [n for n, t in REGISTRY.items() if t.role == "target"]
    intermediates = ["none", "multitask"] + [n for n, t in REGISTRY.items() if t.role == "intermediate"]
    _one_of(study.targets, targets, "targets")
    _one_of(study.intermediate, intermediates, "intermediate")
    _one_of(study.multitask.tasks, intermediates[2:], "multitask.tasks")
    _one_of(study.intermediate_data, INTERMEDIATE_DATA, "intermediate_data")
    _one_of(study.phase3_overrides, targets, "phase3_overrides")  # any target: files share blocks
    _one_of(study.data_dirs, list(REGISTRY), "data_dirs")
    if not 0 <= study.mlm_weight < 1:
        raise StudyError(f"mlm_weight: {study.mlm_weight!r} is not a share in [0, 1)")
    if "multitask" in study.intermediate and len(study.multitask.tasks) < 2:
        raise StudyError("intermediate: `multitask` needs multitask.tasks with at least two tasks")
    for fraction in study.checkpoints:
        if not (isinstance(fraction, (int, float)) and 0 < fraction <= 1):  # step 0 is the baseline
            raise StudyError(f"checkpoints: {fraction!r} is not a fraction in (0, 1]")
    if not study.targets:
        raise StudyError("targets: the study names no target task; allowed: " + ", ".join(targets))
    study.world_impl.validate()
    _validate_languages(study)
    _check_user_data(study)


def _missing_user_data(study: Study, names) -> dict:
    """{task: why its user-supplied data (e.g. CCGbank) cannot be read} over `names`."""
    why = {n: study.world_impl.missing_data(REGISTRY[n]) for n in names if n in REGISTRY}
    return {n: reason for n, reason in why.items() if reason}


def _check_user_data(study: Study) -> None:
    """Tasks without their user-supplied data fail now, not mid-grid (multitask may skip them if asked)."""
    direct = _missing_user_data(study, [i for i in study.intermediate if i in REGISTRY])
    if direct:
        name, reason = next(iter(direct.items()))
        raise StudyError(f"intermediate: {name} has no data ({reason}); remove it from `intermediate` or supply "
                         f"it: {REGISTRY[name].source.note}")
    if "multitask" not in study.intermediate:
        return
    mixed = _missing_user_data(study, study.multitask.tasks)
    if mixed and not study.multitask.skip_missing:
        name, reason = next(iter(mixed.items()))
        raise StudyError(f"multitask.tasks: {name} has no data ({reason}); supply it "
                         f"({REGISTRY[name].source.note}), remove it from multitask.tasks, or set "
                         "`multitask: {skip_missing: true}` to mix only the tasks whose data is there")


def _skip_missing(study: Study) -> Study:
    """With `multitask.skip_missing`, the mixture is the listed tasks whose data is there (said at load)."""
    if not study.multitask.skip_missing or "multitask" not in study.intermediate:
        return study
    missing = _missing_user_data(study, study.multitask.tasks)
    if not missing:
        return study
    kept = [t for t in study.multitask.tasks if t not in missing]
    warnings.warn(f"multitask: skipping {', '.join(f'{n} ({why})' for n, why in missing.items())} "
                  f"(multitask.skip_missing); mixing {', '.join(kept) or 'nothing'}", stacklevel=3)
    return dataclasses.replace(study, multitask=dataclasses.replace(study.multitask, tasks=kept))


def _validate_languages(study: Study) -> None:
    languages = study.world_impl.languages
    known = sorted({lang for t in study.targets for lang in languages(REGISTRY[t])})
    _one_of(study.languages, known, "languages")
    _one_of(study.target_languages, study.targets, "target_languages")
    for target, langs in study.target_languages.items():
        _one_of(langs, languages(REGISTRY[target]), f"target_languages.{target}")


def study_from_dict(data: dict, name: str) -> Study:
    data = dict(_check_fields(Study, {"name": name, **(data or {})}, "study"))
    nested = {"phase2": TrainSettings, "phase3": TrainSettings, "retrieval": RetrievalSettings,
              "multitask": MultitaskSettings, "protocol": ProtocolSettings}
    try:
        for key, cls in nested.items():
            if key in data:
                data[key] = cls(**_check_fields(cls, data[key], key))
        for target, overrides in data.get("phase3_overrides", {}).items():
            TrainSettings(**_check_fields(TrainSettings, overrides, f"phase3_overrides.{target}"))
        study = Study(**data)
    except TypeError as err:  # e.g. a mapping where a list belongs
        raise StudyError(f"study {name}: {err}") from None
    _one_of([study.world], list(WORLDS), "world")
    study = _skip_missing(study)
    _validate(study)
    return study


def load_study(path: str | os.PathLike) -> Study:
    """The study of a file, parsed and validated once per process (again only when the file changes)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise StudyError(f"study file {str(path)!r} does not exist")
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load(path: Path, mtime_ns: int, size: int) -> Study:
    with open(path) as fh:
        data = yaml.safe_load(fh) or {}
    return study_from_dict(data, data.pop("name", None) or path.stem)
