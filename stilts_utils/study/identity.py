"""Run identity: which runs a study asks for, their keys and every path derived from them.

Nobody else types a path or decides whether two runs are the same: a finished run is reused only while
the study still asks for exactly that run (another world, model or setting gives another directory).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from itertools import product
from pathlib import Path

from ..atomic import intact
from ..tasks import REGISTRY
from .errors import StudyError
from .hashing import short_hash

COMPLETE = "COMPLETE"  # marker of a finished encoder directory


@dataclass(frozen=True)
class Encoder:
    """One phase-2 training run, shared by every target task."""

    model: str
    variant: str
    intermediate: str
    intermediate_data: str  # en | translated | en+translated, the last two optionally `:<lang>` (one language)
    seed: int
    budget: float = 1.0  # share of the phase-2 run, trained with its own schedule (study `phase2_budgets`)
    mlm_weight: float = 0.0  # share of continued-MLM batches (0: none; only then is the id as before)

    @property
    def id(self) -> str:
        data = "" if self.intermediate_data == "en" else f".{self.intermediate_data}"
        inter = f"{self.intermediate}{data}{_mlm(self.mlm_weight)}{_budget_suffix(self.budget)}"
        return _safe(f"{_model_key(self.model, self.variant)}__{inter}__s{self.seed}")


@dataclass(frozen=True)
class Pair:
    """One (model, intermediate task, target task, seed) run of the pair notebook."""

    model: str
    variant: str
    intermediate: str  # `none` = baseline
    intermediate_data: str
    checkpoint: float  # fraction of the phase-2 steps
    target: str
    seed: int
    budget: float = 1.0  # the encoder's phase-2 budget (1.0 for the baseline)
    mlm_weight: float = 0.0  # of the encoder (0 for the baseline)
    # a baseline pair that embeds with an English-fine-tuned encoder instead of the pretrained model: its
    # intermediate task (`baseline_encoder`; XTREME-R's Tatoeba: squad); "" = the pretrained model
    embeds_with: str = ""

    @property
    def encoder(self) -> Encoder | None:
        if self.intermediate == "none":
            return Encoder(self.model, self.variant, self.embeds_with, "en", self.seed) if self.embeds_with else None
        return Encoder(self.model, self.variant, self.intermediate, self.intermediate_data, self.seed, self.budget,
                       self.mlm_weight)

    @property
    def id(self) -> str:
        data = "" if self.intermediate_data == "en" else f".{self.intermediate_data}"
        ckpt = "" if self.checkpoint == 1 else f"@{self.checkpoint:g}"
        inter = f"{self.intermediate}{data}{_mlm(self.mlm_weight)}{_budget_suffix(self.budget)}{ckpt}"
        inter += f".{self.embeds_with}-encoder" if self.embeds_with else ""  # only then: other ids as before
        return _safe(f"{_model_key(self.model, self.variant)}__{inter}__{self.target}__s{self.seed}")


def _budget_suffix(budget: float) -> str:
    """`@b0.25` for a phase-2 budget below the full run; nothing for the full run (ids made before budgets)."""
    return "" if budget == 1 else f"@b{budget:g}"


def _model_key(model: str, variant: str) -> str:
    return model.replace("/", "_") + (f"+{variant}" if variant else "")


def _mlm(weight: float) -> str:
    return f".mlm{weight:g}" if weight else ""


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+@-]", "-", text)


# ---- the grid ---------------------------------------------------------------------------------------

def encoders(study) -> list[Encoder]:
    """One per (model, variant, intermediate task, intermediate data, seed, phase-2 budget, MLM weight); the
    baseline needs none, but where a baseline pair embeds with a fine-tuned encoder (`baseline_encoder`)."""
    grid = [Encoder(m, v, i, d, s, float(b), float(w)) for m, v, i, d, s, b, w in product(
        study.models, study.variant_names, study.intermediate, study.intermediate_data, study.seeds,
        _budgets(study), study.mlm_weight) if i != "none"]
    extra = [p.encoder for p in pairs(study) if p.intermediate == "none" and p.encoder is not None]
    return list(dict.fromkeys(grid + extra))


def baseline_encoder(study, intermediate: str, target: str) -> str:
    """The intermediate task whose phase-2 encoder a pair embeds with in place of the pretrained model: for
    a baseline (`none`) pair under `benchmark: xtreme-r`, its target's `xtreme_r_encoder` (Tatoeba: squad,
    as XTREME-R's run_tatoeba.sh); "" otherwise, and always under XTREME."""
    if intermediate != "none" or study.benchmark != "xtreme-r":
        return ""
    return REGISTRY[target].xtreme_r_encoder


def _budgets(study) -> list[float]:
    return sorted(study.phase2_budgets, reverse=True)


def pairs(study) -> list[Pair]:
    """Baseline pairs once per (model, variant, target, seed); intermediate pairs per data, phase-2 budget
    and checkpoint.

    Ordered so that pairs sharing an encoder run together and targets follow the study file."""
    out = []
    for m, v, s in product(study.models, study.variant_names, study.seeds):
        for inter in study.intermediate:
            datas = ["en"] if inter == "none" else study.intermediate_data
            budgets = [1.0] if inter == "none" else _budgets(study)
            ckpts = [1.0] if inter == "none" else sorted(study.checkpoints, reverse=True)
            weights = [0.0] if inter == "none" else study.mlm_weight
            for d, b, w, c, t in product(datas, budgets, weights, ckpts, study.targets):
                out.append(Pair(m, v, inter, d, float(c), t, s, float(b), float(w),
                                baseline_encoder(study, inter, t)))
    return out


# ---- keys -------------------------------------------------------------------------------------------

def target_languages(study) -> list[str]:
    """Non-English target languages: where continued-MLM text comes from, and the default translations."""
    target_langs = {lang for t in study.targets for lang in study.languages_for(t)}
    return sorted(target_langs - {"en"})


def translation_languages(study) -> list[str]:
    """Languages of `translated` / `en+translated` intermediate data (RQ3): the study's `translation_languages`,
    by default the non-English target languages (the sandbox's RQ3 as it always was)."""
    return list(study.translation_languages) or target_languages(study)


def split_data(intermediate_data: str) -> tuple[str, str | None]:
    """`translated:de` -> ("translated", "de"): data translated into one language; `translated` -> (.., None)."""
    kind, _, lang = intermediate_data.partition(":")
    return kind, lang or None


def data_languages(study, intermediate_data: str) -> list[str]:
    """The translation languages a phase-2 run reads: none for `en`, the one named after `:`, else all."""
    kind, lang = split_data(intermediate_data)
    if kind == "en":
        return []
    return [lang] if lang else translation_languages(study)


def encoder_key(study, job: Encoder) -> str:
    """Hash of everything that changes a phase-2 encoder: the pretrained model and the settings."""
    mlm = target_languages(study) if job.mlm_weight else []
    langs = data_languages(study, job.intermediate_data) if job.intermediate_data != "en" else mlm
    key = {"pretrained": study.world_impl.pretrained_key(job.model, job.variant), "phase2": train_key(study.phase2),
           "checkpoints": sorted(study.checkpoints), "mlm_weight": job.mlm_weight,
           "multitask": study.multitask if job.intermediate == "multitask" else None,
           "languages": langs, "data": study.data_dirs, "threads": study.threads}
    if mlm and mlm != langs:  # both, and they differ (before translation_languages existed they could not)
        key["mlm_languages"] = mlm
    key.update(_long_sentences_key(study))  # CCG (tagging) may train here
    key.update(_model_settings_key(study, job.model))
    if job.budget != 1:  # only then: the full run keeps the key it had before budgets existed
        key["budget"] = job.budget
    if study.phase2_processes > 1:  # DDP reduces gradients in another order: not bit-identical to one process
        key["processes"] = study.phase2_processes
    return short_hash(key)


def pair_key(study, pair: Pair) -> str:
    """Hash of everything that changes a pair's result besides its own fields."""
    task = REGISTRY[pair.target]
    encoder = (encoder_key(study, pair.encoder) if pair.encoder
               else study.world_impl.pretrained_key(pair.model, pair.variant))
    key = {"encoder": encoder, "checkpoint": pair.checkpoint, "languages": study.languages_for(pair.target),
           "settings": train_key(study.target_settings(pair.target)) if task.trains else study.retrieval,
           "data": study.data_dirs, "threads": study.threads}
    key.update(_protocol_key(study, task))
    if task.trains:
        key.update(_model_settings_key(study, pair.model))
    return short_hash(key)


def train_key(settings) -> str:
    """What a run's training settings put into its key: the effective batch, not how it is split into
    micro-batches (a device setting: 4 x 8 and 32 x 1 train the same thing, tests/test_batch.py). Written as
    the TrainSettings repr the keys were hashed from before effective_batch and micro_batch existed, with
    the effective batch as batch_size and grad_accum 1, so every key of a grad_accum-1 study stays valid."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings)
              if f.name not in ("effective_batch", "micro_batch")}
    values.update(batch_size=settings.examples_per_step(), grad_accum=1)
    return f"TrainSettings({', '.join(f'{k}={v!r}' for k, v in values.items())})"


def _model_settings_key(study, model: str) -> dict:
    """A model's own optimizer, lr and schedule, only where not the default (AdamW, the study's lr, linear):
    the keys of every study without `model_settings` stay as they were."""
    own = study.settings_of(model).training()
    return {"model_settings": own} if own else {}


def _protocol_key(study, task) -> dict:
    """The protocol settings that change this target's results (only those: other targets keep their keys)."""
    key = {}
    if task.kind == "tagging":
        key["tagging_f1"] = study.protocol.tagging_f1
        key.update(_long_sentences_key(study))
    if task.xtreme_keeps_last:
        key["selection"] = study.protocol.selection
    if task.recipes:  # XCOPA: siqa-copa or copa
        key["recipe"] = study.protocol.recipe(task)
    return key


def _long_sentences_key(study) -> dict:
    """Only a non-default value enters a key, so the keys of runs made before the setting existed stay valid."""
    value = study.protocol.long_sentences
    return {} if value == "windows" else {"long_sentences": value}


# ---- paths ------------------------------------------------------------------------------------------

def _in_study_dir(name: str) -> property:
    """`<study folder>/<name>` as a read-only attribute of StudyPaths."""
    return property(lambda self: self.dir / name)


class StudyPaths:
    """All locations of one study; caches shared between studies live under `<output_root>/cache`."""

    def __init__(self, study):
        self.study = study
        self.out = study.output_dir
        self.dir = self.out / study.name
        self.cache = self.out / "cache"
        if self.dir.parent != self.out or study.name in ("", ".", "..", "cache"):  # config.NAME keeps names safe
            raise StudyError(f"study name {study.name!r}: its outputs would not be a folder of its own in {self.out}")

    # phase 2
    def encoder_dir(self, job: Encoder) -> Path:
        return self.cache / "intermediate" / f"{job.id}-{encoder_key(self.study, job)}"

    def encoder_done(self, job: Encoder) -> bool:
        """Finished and undamaged (atomic.MANIFEST): a damaged encoder is trained again."""
        return intact(self.encoder_dir(job))

    # phase 3
    def run_dir(self, pair: Pair) -> Path:
        return self.dir / "runs" / f"{pair.id}-{pair_key(self.study, pair)}"

    def rows(self, pair: Pair) -> Path:
        return self.run_dir(pair) / "rows.json"

    def predictions(self, pair: Pair) -> Path:
        return self.run_dir(pair) / "predictions"

    def is_done(self, job: Encoder | Pair) -> bool:
        return self.rows(job).exists() if isinstance(job, Pair) else self.encoder_done(job)

    def notebook(self, job: Encoder | Pair) -> Path:
        kind = "pairs" if isinstance(job, Pair) else "intermediate"
        return self.dir / "notebooks" / kind / f"{job.id}.ipynb"

    def analysis_notebook(self, name: str) -> Path:
        return self.dir / "notebooks" / "analysis" / Path(name).name

    def results(self, ext: str = "parquet") -> Path:
        return self.dir / f"results.{ext}"

    languages = _in_study_dir("languages.csv")
    models = _in_study_dir("models.csv")  # model, family, volume_corpus (analysis/report_data.corpora)
    analysis_stamp = _in_study_dir("analysis.stamp")
    figures = _in_study_dir("figures")
    tables = _in_study_dir("tables")
