"""A study file (`params/<study>.yaml`) mapped one-to-one onto plain dataclasses.

Everything is checked before any compute: unknown keys, types, ranges, tasks, models, languages, names and
output paths fail at once with one message that names the bad value, where it is (file, key, line) and what
is allowed. Reading the file (YAML, key lines, `extends`, `--set`) is study/loading.py. Nothing here imports
torch or writes a file.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..families import CORPORA, default_retrieval_layer
from ..metrics.tagging import DEFAULT_TAGGING_F1, TAGGING_F1
from ..tasks import REGISTRY
from ..tasks.base import BENCHMARKS
from .errors import StudyError
from .executor import Resources, SlurmSettings, check_executor
from .identity import data_languages, split_data
from .loading import NAME, apply_overrides, read_study
from .loading import type_name as _type_name
from .worlds import WORLDS

REPO_ROOT = Path(__file__).resolve().parents[2]  # relative output roots resolve here, whatever the cwd

INTERMEDIATE_DATA = ("en", "translated", "en+translated")  # the last two also as `<kind>:<lang>` (one language)
PRECISIONS = ("fp32", "bf16", "fp16")
REPORT_TO = ("none", "tensorboard", "mlflow", "wandb")
POOLINGS = ("mean", "cls")
# Optimizers a model may be fine-tuned with: the study's name -> TrainingArguments' `optim` (transformers'
# own implementations). adamw is today's default; adafactor with scale_parameter=False, relative_step=False,
# i.e. at the given external rate (HF's T5 fine-tuning settings).
OPTIMIZERS = {"adamw": "adamw_torch", "adafactor": "adafactor"}
SCHEDULES = ("linear", "constant")  # linear: warm-up, then decay to 0; constant: no warm-up, no decay (T5)
NAME_ALLOWED = "letters, digits, '.', '_' and '-' (not starting with '.'; at most 100)"


def _default(f):
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING


ANALYSIS_NOTEBOOKS = ("analysis*.ipynb", "rq*.ipynb")  # notebooks/ made to analyse a study's results
SELECTIONS = ("xtreme", "held_out")
LONG_SENTENCES = ("windows", "truncate")  # model/kinds/tagging.py


def _check_fields(cls, data: dict, where: str) -> dict:
    """Unknown keys are errors; values must have the type of the field's default (no nulls)."""
    if not isinstance(data, dict):
        raise StudyError(f"{where}: expected a mapping, got {_type_name(data)} {data!r}", key=where)
    allowed = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in allowed:
            raise StudyError(f"{where or 'study'}: unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}",
                             key=path)
        default = _default(allowed[key])
        if key in AUTO_OR_INT:  # `auto` or a number: its range check says which (TRAIN_RANGES)
            continue
        if dataclasses.is_dataclass(default):  # a nested block: a mapping, checked by its own class
            default = {}
        if default is dataclasses.MISSING:
            continue
        if value is None:
            raise StudyError(f"{path}: null is not allowed; expected {_type_name(default)}", key=path)
        ok = isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))
        if not ok or (isinstance(default, (int, float)) and not isinstance(default, bool)
                       and isinstance(value, bool)):
            hint = f" (write {key}: [{value}])" if isinstance(default, list) and isinstance(value, (str, int, float)) else ""
            raise StudyError(f"{path}: expected {_type_name(default)}, got {_type_name(value)} {value!r}{hint}",
                             key=path)
        if isinstance(value, float) and not math.isfinite(value):
            raise StudyError(f"{path}: {value!r} is not a finite number", key=path)
    return data


def _check_ranges(obj, ranges: dict) -> None:
    """`ranges`: field -> (test, what is allowed). Names the field; the caller adds where it is."""
    for name, (ok, allowed) in ranges.items():
        value = getattr(obj, name)
        if not ok(value):
            raise StudyError(f"{name}: {value!r} is not allowed; allowed: {allowed}", key=name)


def _where(prefix: str, err: StudyError) -> StudyError:
    """The error of a nested block, its key path prefixed (`lr: ...` -> `phase2.lr: ...`)."""
    return StudyError(f"{prefix}.{err}", key=f"{prefix}.{err.key}" if err.key else prefix)


_AT_LEAST_1, _AT_LEAST_0 = (lambda v: v >= 1, "integers >= 1"), (lambda v: v >= 0, "numbers >= 0")
TRAIN_RANGES = {
    "epochs": _AT_LEAST_0, "max_steps": (lambda v: v >= 0, "integers >= 0 (0: use epochs)"),
    "batch_size": _AT_LEAST_1, "grad_accum": _AT_LEAST_1, "max_seq_len": _AT_LEAST_1, "doc_stride": _AT_LEAST_1,
    "max_query_len": _AT_LEAST_1, "eval_batch_size": _AT_LEAST_1, "lr": (lambda v: v > 0, "numbers > 0"),
    "warmup_ratio": (lambda v: 0 <= v <= 1, "a share in [0, 1]"), "weight_decay": _AT_LEAST_0,
    "max_grad_norm": _AT_LEAST_0, "eval_every": _AT_LEAST_0, "eval_subset": _AT_LEAST_0,
    "max_train_examples": _AT_LEAST_0, "max_eval_examples": _AT_LEAST_0,
    "precision": (lambda v: v in PRECISIONS, " | ".join(PRECISIONS)), "effective_batch": _AT_LEAST_0,
    "micro_batch": (lambda v: v == "auto" or (type(v) is int and v >= 1), "auto or integers >= 1"),
}
AUTO_OR_INT = {"micro_batch"}
RETRIEVAL_RANGES = {
    "layer": (lambda v: v >= -1, "-1 (the default: 14/24 of each model's depth, rounded; 7 of 12 layers, 14 of 24) "
                                 "or a hidden_states index >= 0 (0: embeddings) that every model has"),
    "pooling": (lambda v: v in POOLINGS, " | ".join(POOLINGS)), "max_seq_len": _AT_LEAST_1,
    "batch_size": _AT_LEAST_1, "max_eval_examples": _AT_LEAST_0,
}
MODEL_RANGES = {
    "optimizer": (lambda v: v in OPTIMIZERS, " | ".join(OPTIMIZERS)), "schedule": (lambda v: v in SCHEDULES,
                                                                                  " | ".join(SCHEDULES)),
    "lr": (lambda v: v >= 0, "numbers >= 0 (0: the study's phase2.lr and phase3.lr)"),
    "volume_corpus": (lambda v: v in ("auto", *CORPORA), " | ".join(("auto", *CORPORA))),
}
MULTITASK_RANGES = {"cap": (lambda v: v >= 0, "integers >= 0 (0: no cap)"),
                    "temperature": (lambda v: v > 0, "numbers > 0")}
# List fields: the type of their items and whether the list may be empty.
LIST_ITEMS = {"models": (str, False), "intermediate": (str, False), "targets": (str, True),
              "languages": (str, True), "seeds": (int, False), "intermediate_data": (str, False),
              "translation_languages": (str, True),
              "checkpoints": (float, False), "phase2_budgets": (float, False), "mlm_weight": (float, False),
              "trust_remote_code": (str, True), "analysis": (str, True), "multitask.tasks": (str, True)}


@dataclass(frozen=True)
class TrainSettings:
    epochs: float = 3.0  # passes over the (capped) training set
    max_steps: int = 0  # > 0 overrides epochs
    # The batch, two ways. effective_batch: examples per optimiser step, the batch size the paper and jiant
    # report; the micro-batch (examples per forward pass on one device) is then a device setting, and
    # accumulation makes up the rest. effective_batch 0: the older way, a fixed micro-batch `batch_size`
    # times `grad_accum` (files written before effective_batch mean what they meant). Set one way, not both.
    # Either way only the examples per step enter the run identity (study/identity.py).
    batch_size: int = 32  # with effective_batch 0: examples per forward pass (micro-batch)
    grad_accum: int = 1  # with effective_batch 0: micro-batches per optimiser step
    effective_batch: int = 0  # examples per optimiser step (0: batch_size x grad_accum)
    # with effective_batch: examples per forward pass per process, a divisor of effective_batch / processes;
    # auto = the largest that fits the GPU at hand (accelerate's find_executable_batch_size), the whole
    # batch at once on the CPU
    micro_batch: str = "auto"
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
        _check_ranges(self, TRAIN_RANGES)
        if not (self.epochs > 0 or self.max_steps > 0):
            raise StudyError(f"epochs: {self.epochs!r} with max_steps {self.max_steps!r} trains no step; allowed: "
                             "epochs > 0, or max_steps > 0", key="epochs")
        self._check_batch()

    def _check_batch(self) -> None:
        e, micro = self.effective_batch, self.micro_batch
        if e and (self.batch_size, self.grad_accum) != (32, 1):
            raise StudyError(f"effective_batch: {e} with batch_size {self.batch_size} x grad_accum "
                             f"{self.grad_accum}; allowed: effective_batch (+ micro_batch) or batch_size x "
                             "grad_accum, not both (effective_batch: 0 for the second)", key="effective_batch")
        if micro != "auto" and not e:
            raise StudyError(f"micro_batch: {micro!r} without effective_batch; allowed: auto, or set "
                             "effective_batch (batch_size x grad_accum fix the micro-batch already)", key="micro_batch")
        if micro != "auto" and e % micro:
            raise StudyError(f"micro_batch: {micro} does not divide effective_batch {e}; allowed: auto or a "
                             "divisor of it", key="micro_batch")

    def examples_per_step(self) -> int:
        """The effective batch: examples per optimiser step, summed over micro-batches and processes."""
        return self.effective_batch or self.batch_size * self.grad_accum

    def fixed_micro_batch(self, processes: int = 1) -> int | None:
        """Examples per forward pass per process, or None when the device chooses (micro_batch: auto)."""
        if not self.effective_batch:
            return self.batch_size // processes
        return None if self.micro_batch == "auto" else self.micro_batch

    def total_steps(self, n_rows: int) -> int:
        """max_steps if set, else epochs over the rows at the effective batch size (jiant's rule)."""
        if self.max_steps > 0:
            return self.max_steps
        return max(1, math.ceil(self.epochs * math.ceil(n_rows / self.examples_per_step())))


def share_of_steps(share: float, steps: int) -> int:
    """Steps of a share of a `steps`-step run (at least 1): a `checkpoints` save and a `phase2_budgets` run
    of the same share have the same step count."""
    return max(1, round(share * steps))


@dataclass(frozen=True)
class RetrievalSettings:
    layer: int = -1  # hidden_states index; -1 = 14 of 24 (XLM-R Large) scaled to the model's depth
    pooling: str = "mean"  # mean over non-padding tokens (incl. special tokens, as jiant/XTREME) | cls
    # true: subtract each side's mean vector before the cosine (per-language centring, Libovický et al. 2020):
    # removes the offset that tells languages apart. Not XTREME's protocol, so off by default
    center: bool = False
    max_seq_len: int = 128
    batch_size: int = 64
    max_eval_examples: int = 0

    def __post_init__(self):
        _check_ranges(self, RETRIEVAL_RANGES)


@dataclass(frozen=True)
class ModelSettings:
    """One model's own settings (`model_settings: {<model>: {...}}`), over the study's for that model. For
    mT5 its authors' recipe: {optimizer: adafactor, lr: 0.001, schedule: constant} (families.FINE_TUNING)."""

    optimizer: str = "adamw"  # adamw | adafactor, in phases 2 and 3
    lr: float = 0.0  # > 0: this model's learning rate in phases 2 and 3 (over phase2/phase3/phase3_overrides)
    schedule: str = "linear"  # linear: warm-up (warmup_ratio) then linear decay | constant: neither (T5)
    # the pretraining corpus the analysis counts this model's language volumes in: auto = its family's
    # (families.FAMILIES: XLM-R/mDeBERTa CC-100, mT5 mC4, mBERT Wikipedia; the sandbox: its own CC-100-like)
    volume_corpus: str = "auto"

    def __post_init__(self):
        _check_ranges(self, MODEL_RANGES)

    def training(self) -> dict:
        """The settings that change training, where not the default (run identity: only those enter it)."""
        default = ModelSettings()
        return {k: getattr(self, k) for k in ("optimizer", "lr", "schedule") if getattr(self, k) != getattr(default, k)}


@dataclass(frozen=True)
class MultitaskSettings:
    tasks: list = field(default_factory=list)  # intermediate tasks mixed by `multitask`
    cap: int = 0  # sample proportional to min(N, cap); 0 = no cap
    temperature: float = 1.0  # p ∝ min(N, cap) ** (1 / temperature)
    skip_missing: bool = False  # run over the tasks whose data is there (e.g. no CCGbank) instead of failing

    def __post_init__(self):
        _check_ranges(self, MULTITASK_RANGES)


@dataclass(frozen=True)
class ProtocolSettings:
    """Where XTREME's protocol and ours may differ, each as a named setting. The defaults are XTREME's, but
    for `long_sentences`: XTREME's truncation drops the words past the cut from training and scoring (the
    defect jiant#1169 reports), so by default no word is lost and `truncate` reproduces XTREME."""

    # chunk F1 of the tagging targets (UD-POS, PAN-X): XTREME's seqeval 0.0.12, or "seqeval-1.2.2"
    tagging_f1: str = DEFAULT_TAGGING_F1
    # targets for which XTREME keeps the last checkpoint (Task.xtreme_keeps_last: XQuAD, MLQA, TyDiQA-GoldP):
    # "xtreme" does the same (TyDiQA on all of English train); "held_out" selects the checkpoint on held-out
    # English data (SQuAD dev; TyDiQA: the last 10 % of English train, the first 90 % trains)
    selection: str = "xtreme"
    # tagging sentences longer than max_seq_len: "windows" splits them into windows of whole words, every
    # word trained and scored; "truncate" cuts them at max_seq_len sub-tokens as XTREME's utils_tag.py, and
    # the words past the cut are neither trained nor scored, as in XTREME's run_tag.py
    long_sentences: str = "windows"
    # target -> phase-3 recipe, one of the task's `recipes` (XCOPA: "siqa-copa", XTREME-R's and the default,
    # or "copa"); a target left out trains by its first recipe
    recipes: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.tagging_f1 not in TAGGING_F1:
            raise StudyError(f"protocol.tagging_f1 {self.tagging_f1!r} is not one of {', '.join(TAGGING_F1)}")
        if self.selection not in SELECTIONS:
            raise StudyError(f"protocol.selection {self.selection!r} is not one of {', '.join(SELECTIONS)}")
        if self.long_sentences not in LONG_SENTENCES:
            raise StudyError(f"protocol.long_sentences {self.long_sentences!r} is not one of "
                             f"{', '.join(LONG_SENTENCES)}")

    def score_options(self) -> dict:
        """Options every scorer call of a run gets (metrics.METRICS entries read the ones they know)."""
        return {"tagging_f1": self.tagging_f1}

    def feature_options(self) -> dict:
        """Options every featurize call of a run gets (only the tagging kind reads one)."""
        return {"long_sentences": self.long_sentences}

    def recipe(self, task) -> str:
        """The name of the phase-3 recipe `task` trains by ("" when it has none)."""
        return self.recipes.get(task.name, next(iter(task.recipes), ""))

    def training_stages(self, task) -> tuple:
        """The English tasks phase 3 trains `task` on, in turn (its own `train_task` alone without recipes)."""
        return task.recipes[self.recipe(task)] if task.recipes else (task.train_task,)

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
    # xtreme | xtreme-r: the benchmark whose language lists the targets run over (Task.languages_in: XTREME-R
    # adds UD-POS, Tatoeba and XQuAD languages) and whose settings apply (Task.xtreme_r_encoder: Tatoeba's
    # baseline embeds with the SQuAD encoder); the summary reports its score
    benchmark: str = "xtreme"
    models: list = field(default_factory=lambda: ["sandbox-small"])
    intermediate: list = field(default_factory=lambda: ["none"])  # `none` = no intermediate training
    targets: list = field(default_factory=list)
    languages: list = field(default_factory=list)  # empty = every language of each target
    target_languages: dict = field(default_factory=dict)  # target -> its own language subset
    seeds: list = field(default_factory=lambda: [0])
    # RQ3: en, translated or en+translated; the last two as `<kind>:<lang>` for one language's translation
    intermediate_data: list = field(default_factory=lambda: ["en"])
    # RQ3: the languages of `translated` / `en+translated` (each must have the intermediate task's translations:
    # MNLI via XNLI, SQuAD via XTREME's translate-train); empty = the targets' non-English languages
    translation_languages: list = field(default_factory=list)
    # RQ2, the cheap way: the encoder saved at these fractions of ONE phase-2 run. Confounded with the
    # schedule: the 10 % save is taken at peak learning rate right after warm-up, not after a decay
    checkpoints: list = field(default_factory=lambda: [1.0])
    # RQ2, each duration its own phase-2 run: shares of the run phase2 describes (epochs or max_steps),
    # each with its own warm-up and linear decay to 0 at its own end; one encoder per share
    phase2_budgets: list = field(default_factory=lambda: [1.0])
    # shares of phase-2 batches that continue multilingual MLM (0 = none), each a grid level (a number is one
    # level): [0.0, 0.5] trains each intermediate encoder both ways and the analysis compares them
    mlm_weight: list = field(default_factory=lambda: [0.0])
    mlm_corpus: str = ""  # real studies: directory of <lang>.txt for that MLM; the sandbox uses its own
    multitask: MultitaskSettings = field(default_factory=MultitaskSettings)
    phase2: TrainSettings = field(default_factory=TrainSettings)
    phase3: TrainSettings = field(default_factory=TrainSettings)
    phase3_overrides: dict = field(default_factory=dict)  # target -> {TrainSettings field: value}
    model_settings: dict = field(default_factory=dict)  # model -> ModelSettings (optimizer, lr, volume corpus)
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
    executor: str = "local"  # local | slurm (study/executor.py); `run --executor` overrides it
    slurm: SlurmSettings = field(default_factory=SlurmSettings)  # per-phase Slurm resources
    checkpoint_every: int = 0  # steps between resumable training checkpoints (0 = none; Slurm jobs: slurm.*)
    # phase 2 in N DDP processes (torchrun, one GPU each; phases/distributed.py); the effective batch stays
    # the study's (each process takes 1/N of it). Give the Slurm phase-2 job as many GPUs (slurm.phase2.gpus)
    phase2_processes: int = 1
    report_to: str = "none"  # experiment tracking of the Trainer: none | tensorboard | mlflow | wandb

    def intermediate_tasks(self, intermediate: str) -> list[str]:
        """The tasks a phase-2 job of `intermediate` trains: none -> [], multitask -> its mixture, else itself."""
        if intermediate == "none":
            return []
        return list(self.multitask.tasks) if intermediate == "multitask" else [intermediate]

    def target_settings(self, target: str, model: str | None = None) -> TrainSettings:
        """Phase-3 settings of a target (its overrides in); with `model`, that model's own lr as well."""
        settings = dataclasses.replace(self.phase3, **self.phase3_overrides.get(target, {}))
        return self.for_model(settings, model) if model else settings

    def settings_of(self, model: str) -> ModelSettings:
        return self.model_settings.get(model) or ModelSettings()

    def for_model(self, settings: TrainSettings, model: str) -> TrainSettings:
        """`settings` with the model's own learning rate, where it has one."""
        lr = self.settings_of(model).lr
        return dataclasses.replace(settings, lr=lr) if lr else settings

    @functools.cached_property
    def world_impl(self):
        """The study's world (sandbox or hub): everything that differs between the two."""
        return WORLDS[self.world](self)

    @property
    def output_dir(self) -> Path:
        """The output root, absolute (an absolute `output_root` wins over the repository's)."""
        return REPO_ROOT / self.output_root

    @property
    def output_root_is_explicit(self) -> bool:
        return Path(self.output_root).is_absolute()

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
            raise StudyError(f"{where}: unknown value {value!r}; allowed: {', '.join(map(str, allowed))}",
                             key=where)


def _check_list(where: str, values: list, item: type, empty_ok: bool) -> None:
    if not values and not empty_ok:
        raise StudyError(f"{where}: the list is empty; it needs at least one value", key=where)
    seen = []
    for value in values:
        ok = isinstance(value, item) or (item is float and isinstance(value, int))
        if not ok or isinstance(value, bool) or isinstance(value, (list, dict)):
            allowed = {int: "integers", float: "numbers", str: "strings"}[item]
            raise StudyError(f"{where}: {value!r} is {_type_name(value)}; allowed: {allowed}", key=where)
        if value in seen:
            raise StudyError(f"{where}: {value!r} appears twice; each value may appear once", key=where)
        seen.append(value)


def _validate_lists(study: Study) -> None:
    for name, (item, empty_ok) in LIST_ITEMS.items():
        owner, attr = (study.multitask, "tasks") if name == "multitask.tasks" else (study, name)
        values = getattr(owner, attr)
        if not isinstance(values, list):
            raise StudyError(f"{name}: expected a list, got {_type_name(values)} {values!r}", key=name)
        _check_list(name, values, item, empty_ok)
    for seed in study.seeds:
        if seed < 0:
            raise StudyError(f"seeds: {seed!r} is not a seed; allowed: integers >= 0", key="seeds")
    for key in ("target_languages", "phase3_overrides", "sandbox_sizes", "variants", "data_dirs"):
        for name, value in getattr(study, key).items():
            if not isinstance(name, str):
                raise StudyError(f"{key}: key {name!r} is {_type_name(name)}; allowed: names", key=key)
            if key == "target_languages":
                if not isinstance(value, list):
                    raise StudyError(f"{key}.{name}: expected a list of languages, got {_type_name(value)} {value!r}",
                                     key=f"{key}.{name}")
                _check_list(f"{key}.{name}", value, str, False)
            elif key == "data_dirs" and not isinstance(value, str):
                raise StudyError(f"{key}.{name}: expected a folder path, got {_type_name(value)} {value!r}",
                                 key=f"{key}.{name}")
            elif key in ("sandbox_sizes", "variants") and not isinstance(value, dict):
                raise StudyError(f"{key}.{name}: {value!r} is {_type_name(value)}; a "
                                 + ("model size is a mapping of ModelSize fields" if key == "sandbox_sizes" else
                                    "variant is a mapping of sandbox world overrides, e.g. "
                                    "{volume_multiplier: {xa: 0.1}}"), key=f"{key}.{name}")


def _validate_outputs(study: Study) -> None:
    """Outputs stay in `<output_root>/<name>`: a safe name, and no `..` that climbs out of the root."""
    if not NAME.fullmatch(study.name) or study.name == "cache":  # cache: the folder studies share
        raise StudyError(f"study name {study.name!r} (from `name:` or the file name) is not allowed; allowed: "
                         f"{NAME_ALLOWED}, not 'cache'", key="name")
    root = Path(study.output_root)
    if not study.output_root.strip() or ".." in root.parts:
        raise StudyError(f"output_root: {study.output_root!r} is not allowed; allowed: a folder below the "
                         "repository without '..' (default outputs), or an absolute folder", key="output_root")
    if study.output_dir.exists() and not study.output_dir.is_dir():
        raise StudyError(f"output_root: {str(study.output_dir)!r} is a file; allowed: a folder", key="output_root")


def _validate_paths(study: Study) -> None:
    if study.mlm_corpus and not Path(study.mlm_corpus).is_dir():
        raise StudyError(f"mlm_corpus: folder {study.mlm_corpus!r} does not exist; allowed: a folder of "
                         "<lang>.txt files", key="mlm_corpus")
    for name in study.analysis:
        if not (REPO_ROOT / name).is_file() or Path(name).suffix != ".ipynb":
            shipped = sorted(str(p.relative_to(REPO_ROOT)) for pattern in ANALYSIS_NOTEBOOKS
                             for p in (REPO_ROOT / "notebooks").glob(pattern))
            raise StudyError(f"analysis: notebook {name!r} does not exist; allowed: a notebook file (.ipynb), relative "
                             f"to the repository or absolute; shipped: {', '.join(shipped)}", key="analysis")


def _validate_processes(study: Study) -> None:
    n, key = study.phase2_processes, "phase2_processes"
    if n < 1:
        raise StudyError(f"{key}: {n!r} is not allowed; allowed: integers >= 1", key=key)
    if n == 1:
        return
    s2 = study.phase2
    name, size = ("effective_batch", s2.effective_batch) if s2.effective_batch else ("batch_size", s2.batch_size)
    if size % n or (s2.micro_batch != "auto" and (size // n) % s2.micro_batch):
        raise StudyError(f"{key}: {n} does not divide phase2.{name} {size} (into micro-batches of "
                         f"{s2.micro_batch}); allowed: a divisor of it (each process takes an equal share of the "
                         "global batch)", key=key)
    if s2.effective_batch and s2.micro_batch == "auto":  # each process would choose alone, and they must agree
        raise StudyError(f"{key}: {n} with phase2.micro_batch auto; allowed: a fixed phase2.micro_batch (a divisor "
                         f"of {size // n}) when phase 2 runs in several processes", key=key)
    if "multitask" in study.intermediate or any(study.mlm_weight):
        raise StudyError(f"{key}: {n} with multitask or mlm_weight is not supported (their task-sampled batches "
                         "are drawn in one process); allowed: 1 for such studies", key=key)
    gpus = study.slurm.phase2.gpus
    if study.executor == "slurm" and gpus not in (0, n):
        raise StudyError(f"{key}: {n} processes but slurm.phase2.gpus is {gpus}; allowed: the same number (one "
                         "GPU per process) or 0 (CPU)", key=key)


def _validate_recipes(study: Study) -> None:
    with_recipes = [n for n, t in REGISTRY.items() if t.recipes]
    _one_of(study.protocol.recipes, with_recipes, "protocol.recipes")
    for target, name in study.protocol.recipes.items():
        _one_of([name], list(REGISTRY[target].recipes), f"protocol.recipes.{target}")


def _validate(study: Study, check_data: bool = True) -> None:
    _validate_outputs(study)
    _validate_lists(study)
    _one_of([study.world], list(WORLDS), "world")
    _one_of([study.benchmark], BENCHMARKS, "benchmark")
    targets = [n for n, t in REGISTRY.items() if t.role == "target"]
    intermediates = ["none", "multitask"] + [n for n, t in REGISTRY.items() if t.role == "intermediate"]
    _one_of(study.targets, targets, "targets")
    _one_of(study.intermediate, intermediates, "intermediate")
    _one_of(study.multitask.tasks, intermediates[2:], "multitask.tasks")
    _validate_data(study)
    _one_of(study.phase3_overrides, targets, "phase3_overrides")  # any target: files share blocks
    _one_of(study.data_dirs, list(REGISTRY), "data_dirs")
    # the opt-in runs a model's own code: only for ids the study trains, so a typo never trusts another id
    _one_of(study.trust_remote_code, study.models, "trust_remote_code")
    for weight in study.mlm_weight:
        if not 0 <= weight < 1:
            raise StudyError(f"mlm_weight: {weight!r} is not a share in [0, 1)", key="mlm_weight")
    _one_of(study.model_settings, study.models, "model_settings")
    check_executor(study.executor)
    _one_of([study.report_to], REPORT_TO, "report_to")
    if study.checkpoint_every < 0:
        raise StudyError(f"checkpoint_every: {study.checkpoint_every!r} is not allowed; allowed: integers >= 0 "
                         "(0: none)", key="checkpoint_every")
    for name in ("parallel", "threads"):
        if getattr(study, name) < 1:
            raise StudyError(f"{name}: {getattr(study, name)!r} is not allowed; allowed: integers >= 1", key=name)
    _validate_processes(study)
    _validate_recipes(study)
    if "multitask" in study.intermediate and len(study.multitask.tasks) < 2:
        raise StudyError("intermediate: `multitask` needs multitask.tasks with at least two tasks", key="intermediate")
    for fraction in study.checkpoints:
        if not 0 < fraction <= 1:  # step 0 is the baseline
            raise StudyError(f"checkpoints: {fraction!r} is not a fraction in (0, 1]", key="checkpoints")
    _validate_budgets(study)
    if not study.targets:
        raise StudyError("targets: the study names no target task; allowed: " + ", ".join(targets), key="targets")
    _validate_paths(study)
    study.world_impl.validate()
    _validate_languages(study)
    _validate_translations(study)
    _validate_depth(study)
    if check_data:  # `plan` only counts: it may load a study whose user-supplied data is not here yet
        _check_user_data(study)


def _validate_budgets(study: Study) -> None:
    for share in study.phase2_budgets:
        if not 0 < share <= 1:  # step 0 is the baseline; a longer run: raise phase2.epochs
            raise StudyError(f"phase2_budgets: {share!r} is not allowed; allowed: shares in (0, 1] of the phase-2 "
                             "run (phase2.epochs or phase2.max_steps), e.g. [0.1, 0.25, 0.5, 1.0]",
                             key="phase2_budgets")
    if study.phase2_budgets != [1.0] and study.checkpoints != [1.0]:
        raise StudyError(f"phase2_budgets: {study.phase2_budgets} together with checkpoints {study.checkpoints} is "
                         "not allowed (their step counts would mix in the duration curve); allowed: one of the two "
                         "(phase2_budgets: separate runs; checkpoints: fractions of one run)", key="phase2_budgets")


def _missing_user_data(study: Study, names) -> dict:
    """{task: why its user-supplied data (e.g. CCGbank) cannot be read} over `names`."""
    why = {n: study.world_impl.missing_data(REGISTRY[n]) for n in names if n in REGISTRY}
    return {n: reason for n, reason in why.items() if reason}


def missing_user_data(study: Study) -> dict:
    """{task: why its user-supplied data cannot be read} over every task the study trains or targets (the
    mixture's too), for planning before the data is there (`run --dry-run`, `plan`)."""
    names = [*study.intermediate, *study.multitask.tasks, *study.targets]
    names += [stage for t in study.targets if t in REGISTRY for stage in study.protocol.training_stages(REGISTRY[t])]
    return _missing_user_data(study, dict.fromkeys(names))


def _check_user_data(study: Study) -> None:
    """Tasks without their user-supplied data fail now, not mid-grid (multitask may skip them if asked)."""
    direct = _missing_user_data(study, [i for i in study.intermediate if i in REGISTRY])
    if direct:
        name, reason = next(iter(direct.items()))
        raise StudyError(f"intermediate: {name} has no data ({reason}); remove it from `intermediate` or supply "
                         f"it: {REGISTRY[name].source.note}")
    needed = dict.fromkeys(n for t in study.targets for n in (t, *study.protocol.training_stages(REGISTRY[t])))
    targets = _missing_user_data(study, needed)  # targets (Mewsli-X, LAReQA) and their recipes' stages
    if targets:
        name, reason = next(iter(targets.items()))
        raise StudyError(f"targets: {name} has no data ({reason}); remove its target from `targets` or supply it: "
                         f"{REGISTRY[name].source.note} (`run --dry-run` and `plan` work before it is there)",
                         key="targets")
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
    for target in study.targets:
        if not study.languages_for(target):
            key = f"target_languages.{target}" if target in study.target_languages else "languages"
            raise StudyError(f"{key}: the language filter leaves target {target!r} with no language; its "
                             f"languages: {', '.join(languages(REGISTRY[target]))}", key=key)


def _validate_data(study: Study) -> None:
    """`en`, `translated`, `en+translated`, or one of the last two with `:<lang>` (translated into one language)."""
    allowed = f"{', '.join(INTERMEDIATE_DATA)}, or translated:<lang> / en+translated:<lang> (one language)"
    for value in study.intermediate_data:
        kind, lang = split_data(value)
        if kind not in INTERMEDIATE_DATA or (kind == "en" and ":" in value) or (":" in value and not lang):
            raise StudyError(f"intermediate_data: unknown value {value!r}; allowed: {allowed}", key="intermediate_data")


def _validate_translations(study: Study) -> None:
    """Every translation language a phase-2 run reads has that intermediate task's translations."""
    tasks = sorted({t for i in study.intermediate for t in study.intermediate_tasks(i)})
    for value in [v for v in study.intermediate_data if v != "en"]:
        _, one = split_data(value)
        key = "translation_languages" if study.translation_languages and not one else "intermediate_data"
        where = (f"{value!r}: " if one else "" if study.translation_languages else
                 "translation_languages is not set, so it is the targets' non-English languages: ")
        for name in tasks:
            have = study.world_impl.translation_languages(REGISTRY[name])
            for lang in data_languages(study, value):
                if lang not in have:
                    raise StudyError(f"{key}: {where}{lang!r} has no {name} translation; allowed: "
                                     f"{', '.join(have) or 'none'}", key=key)


def _validate_depth(study: Study) -> None:
    """An absolute retrieval.layer indexes hidden_states (0 = embeddings .. depth) of every model: checked when
    a retrieval target reads it, wherever the depth is known without weights (a sandbox size, a local
    config.json, a cached hub config). The default (-1, a fraction of each depth) fits every model."""
    layer = study.retrieval.layer
    if layer < 0 or not any(REGISTRY[t].kind == "retrieval" for t in study.targets):
        return
    for model in study.models:
        depth = study.world_impl.depth(model)
        if depth is not None and layer > depth:
            raise StudyError(f"retrieval.layer: {layer} is beyond {model}'s {depth} layers; allowed: -1 (the "
                             f"default: 14/24 of each model's depth, here {default_retrieval_layer(depth)} of "
                             f"{depth}) or 0..{depth}", key="retrieval.layer")


def slurm_settings(data) -> SlurmSettings:
    """The `slurm:` block: its keys, then each phase's Resources (errors name `slurm.phase2.mem` etc.)."""
    data = dict(_check_fields(SlurmSettings, data, "slurm"))
    for name in ("phase2", "phase3"):
        if name in data:
            checked = _check_fields(Resources, data[name], f"slurm.{name}")
            try:
                data[name] = Resources(**checked)
            except StudyError as err:
                raise _where(f"slurm.{name}", err) from None
    try:
        return SlurmSettings(**data)
    except StudyError as err:
        raise _where("slurm", err) from None


def model_settings(data) -> dict:
    """The `model_settings:` block: model -> ModelSettings (errors name `model_settings.<model>.<key>`)."""
    if not isinstance(data, dict):
        raise StudyError(f"model_settings: expected a mapping of model -> settings, got {_type_name(data)} "
                         f"{data!r}", key="model_settings")
    out = {}
    for model, value in data.items():
        where = f"model_settings.{model}"
        try:
            out[model] = ModelSettings(**_check_fields(ModelSettings, value, where))
        except StudyError as err:
            raise err if (err.key or "").startswith(where) else _where(where, err) from None
    return out


def study_from_dict(data: dict, name: str, check_data: bool = True) -> Study:
    data = dict(data or {})
    if isinstance(data.get("mlm_weight"), (int, float)) and not isinstance(data["mlm_weight"], bool):
        data["mlm_weight"] = [data["mlm_weight"]]  # one number: one level, as before the grid axis
    data = dict(_check_fields(Study, {"name": name, **data}, ""))
    if not isinstance(data["name"], str):
        raise StudyError(f"name: expected a string, got {_type_name(data['name'])} {data['name']!r}", key="name")
    nested = {"phase2": TrainSettings, "phase3": TrainSettings, "retrieval": RetrievalSettings,
              "multitask": MultitaskSettings, "protocol": ProtocolSettings}
    if "slurm" in data:
        data["slurm"] = slurm_settings(data["slurm"])
    if "model_settings" in data:
        data["model_settings"] = model_settings(data["model_settings"])
    try:
        for key, cls in nested.items():
            if key in data:
                try:
                    data[key] = cls(**_check_fields(cls, data[key], key))
                except StudyError as err:
                    raise err if (err.key or "").startswith(key) else _where(key, err) from None
        for target, overrides in data.get("phase3_overrides", {}).items():
            where = f"phase3_overrides.{target}"
            try:
                TrainSettings(**_check_fields(TrainSettings, overrides, where))
                dataclasses.replace(data.get("phase3", TrainSettings()), **overrides)  # as target_settings merges
            except StudyError as err:
                raise err if (err.key or "").startswith(where) else _where(where, err) from None
        study = Study(**data)
    except TypeError as err:  # e.g. a mapping where a list belongs
        raise StudyError(f"study {name}: {err}") from None
    _one_of([study.world], list(WORLDS), "world")
    study = _skip_missing(study)
    _validate(study, check_data)
    return study


def load_study(path: str | os.PathLike, overrides: tuple = (), check_data: bool = True) -> Study:
    """The study of a file (its `extends` parents merged in; study/loading.py), parsed and validated once per
    process (again only when one of its files changes). `overrides`: `key.sub=value` settings (the CLI's
    --set), merged in last, before the same validation; check_data=False skips only the check that
    user-supplied data (e.g. CCGbank) is readable."""
    path = Path(path).resolve()
    if not path.is_file():
        raise StudyError(f"study file {str(path)!r} does not exist" + (" (it is a folder)" if path.is_dir() else ""))
    return _load(path, read_study(path).stamp, tuple(overrides), check_data)


@functools.lru_cache(maxsize=32)
def _load(path: Path, stamp: tuple, overrides: tuple = (), check_data: bool = True) -> Study:
    source = read_study(path)
    data = apply_overrides(source.data, overrides)
    try:
        return study_from_dict(data, data.pop("name", None) or path.stem, check_data)
    except StudyError as err:
        raise source.locate(err, overrides) from None
