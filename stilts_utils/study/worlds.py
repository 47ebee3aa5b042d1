"""Where a study's models and data come from: the synthetic sandbox world or the real hub (XTREME).

Every difference between the two lives here, behind one interface (`World`), so that no module outside
this one and `sandbox/` asks which world a study is in. `world_of(study)` gives the study's world.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from .errors import StudyError
from .hashing import short_hash

# Architecture families a real study's models may come from, by the `model_type` of their config.json: how
# the encoder is loaded ("auto": AutoModel; "t5-encoder": the encoder stack of a T5-family model) and the
# pooling its classification head uses. Any hub id or local directory of one of these families works; sizes
# are read from each model's config at run time.
FAMILIES = {
    "xlm-roberta": {"model_types": ("xlm-roberta",), "loader": "auto", "pooling": "cls"},
    "bert": {"model_types": ("bert",), "loader": "auto", "pooling": "cls"},  # mBERT
    "deberta-v2": {"model_types": ("deberta-v2",), "loader": "auto", "pooling": "cls"},  # mDeBERTa-v3
    "t5": {"model_types": ("t5", "mt5", "umt5"), "loader": "t5-encoder", "pooling": "mean"},  # mT5, umT5
}
# With trust_remote_code a model brings its own architecture: AutoModel, first-token pooling.
REMOTE_CODE_FAMILY = {"model_types": (), "loader": "auto", "pooling": "cls"}


def family_of(model_type: str) -> str | None:
    """The family name of a config's `model_type`, None when no supported family has it."""
    return next((name for name, f in FAMILIES.items() if model_type in f["model_types"]), None)


def families_text() -> str:
    return ", ".join(f"{name} ({'/'.join(f['model_types'])})" for name, f in FAMILIES.items())


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").strip().upper() in ("1", "ON", "YES", "TRUE")


def remote_code_help(model: str) -> str:
    return (f"models: {model!r} brings its own code (`auto_map` in its config.json), which runs only for a model "
            f"listed under `trust_remote_code:`; allowed: add `trust_remote_code: [{model}]` to the study file if "
            f"you trust that code, or name a model of a supported family: {families_text()}")


def model_type_of(model: str) -> str | None:
    """`model_type` of a model's config.json without loading it (see `model_config_of`)."""
    return (model_config_of(model) or {}).get("model_type")


def model_config_of(model: str) -> dict | None:
    """A model's config.json without loading it: a local directory's own file, a hub id's cached config,
    or (online) the hub's metadata. None when it cannot be found cheaply: the preflight then says whether
    the model is reachable at all, so a valid id is never rejected here for being uncached."""
    path = Path(model)
    if path.is_dir():
        config = path / "config.json"
        if not config.is_file():
            raise StudyError(f"models: {model!r} is a directory without config.json (not a saved model)")
        return _read_config(config, model)
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, "config.json")
    except Exception:  # not a valid repo id, unreadable cache: the preflight names the problem
        return None
    if isinstance(cached, str):
        return _read_config(Path(cached), model)
    if _hub_offline():
        return None
    try:
        from huggingface_hub import HfApi

        config = HfApi().model_info(model, timeout=5, expand=["config"]).config or {}
    except Exception:  # unreachable, unknown or gated: the preflight's job
        return None
    return config


def _read_config(config: Path, model: str) -> dict:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StudyError(f"models: cannot read {config} of {model!r}: {err}") from None
    return data if isinstance(data, dict) else {}


class HubWorld:
    """The real study: models and datasets from the Hugging Face hub or local copies (`data_dirs`)."""

    name = "xtreme"

    def __init__(self, study):
        self.study = study

    def validate(self) -> None:
        if self.study.variants:
            raise StudyError("variants: world variants exist only in the sandbox world", key="variants")
        for model in self.study.models:
            config = model_config_of(model)
            if config is None or model in self.study.trust_remote_code:
                continue
            model_type = config.get("model_type")
            if config.get("auto_map") and not family_of(model_type):
                raise StudyError(remote_code_help(model), key="models")
            if family_of(model_type):
                continue
            raise StudyError(f"models: {model!r} is a {model_type!r} model, not of a supported architecture "
                             f"family: {families_text()} (or list it under trust_remote_code)", key="models")

    def languages(self, task) -> list[str]:
        return list(task.languages) if task.role == "target" else ["en"]

    def depth(self, model: str) -> int | None:
        """Encoder layers from the model's config.json, where it is on disk (a local directory, or the
        Hugging Face cache); None when unknown without a download."""
        config = Path(model) / "config.json"
        if not config.is_file():
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(model, "config.json")
            if not isinstance(cached, str):
                return None
            config = Path(cached)
        try:
            data = json.loads(config.read_text())
        except (OSError, ValueError) as err:
            raise StudyError(f"models: {model!r} has an unreadable config.json ({config}: {type(err).__name__})",
                             key="models") from None
        depth = data.get("num_hidden_layers") or data.get("num_layers")
        return depth if isinstance(depth, int) else None

    def data_root(self, task, variant: str = "") -> Path | None:
        path = self.study.data_dirs.get(task.name)
        return Path(path) if path else None

    def missing_data(self, task) -> str:
        """Why a user-supplied dataset (`source.local_files`, e.g. CCGbank) cannot be read; "" when it can."""
        if not task.source.local_files:
            return ""
        root = self.data_root(task)
        if root is None:
            return f"no `data_dirs: {{{task.name}: DIR}}` entry"
        absent = [f for f in task.source.local_files if not (root / f).is_file()]
        return f"{', '.join(str(root / f) for f in absent)} not found" if absent else ""

    def pretrained(self, model: str, variant: str = "") -> str:
        return model  # a hub id or a local directory: nothing to build

    def pretrained_key(self, model: str, variant: str = "") -> str:
        return model

    def phase1_report(self, model: str, variant: str = ""):
        return None  # a hub model was pretrained elsewhere: nothing of its pretraining to report

    def hub_models(self) -> list[str]:
        """Models the preflight must find on the hub or in its cache (local directories need neither)."""
        return [m for m in self.study.models if not Path(m).is_dir()]

    def train_rows_estimate(self, task, variant: str = "") -> tuple[int, str]:
        return task.train_size, "≈"  # published size; QA windows add a few percent

    def mlm_corpus(self, pretrained: str) -> Path:
        if not self.study.mlm_corpus:
            raise StudyError("mlm_weight > 0 needs `mlm_corpus`: a directory of <lang>.txt files (one sentence "
                             "per line), e.g. CC-100 samples of the target languages")
        return Path(self.study.mlm_corpus)

    def language_table(self):
        from .. import reference

        return reference.language_table().assign(variant="")


class SandboxWorld:
    """The synthetic world of `stilts_utils.sandbox`: built and pretrained on first use, cached by settings."""

    name = "sandbox"

    def __init__(self, study):
        self.study = study

    def validate(self) -> None:
        for name in {"": {}, **self.study.variants}:
            where = f"variants.{name}" if name else "sandbox"
            try:
                self.settings(name)
            except StudyError:
                raise
            except (TypeError, ValueError, AttributeError) as err:
                raise StudyError(f"{where}: {err}", key=where) from None
        worlds = {}
        for name, overrides in self.study.variants.items():
            # `{}` is the study's own world (the reference of an intervention); any other variant must
            # give a world of its own, or it measures nothing
            made = self.settings(name)
            same = "the study's own world" if overrides and made == self.settings() else worlds.get(made)
            if same:
                raise StudyError(f"variants.{name}: {overrides!r} changes nothing: it gives {same}; allowed: "
                                 "overrides of sandbox WorldSettings fields that differ from `sandbox:`, e.g. "
                                 "volume_multiplier: {code: factor != 1}, or {} for the reference",
                                 key=f"variants.{name}")
            worlds[made] = f"the world of variant {name!r}"
        self._check_tasks()
        allowed = [f"sandbox-{n}" for n in self.sizes()]
        for model in self.study.models:
            if model not in allowed:
                raise StudyError(f"models: unknown model {model!r}; allowed: {', '.join(allowed)}", key="models")

    def _check_tasks(self) -> None:
        """Only the tasks the world writes (sandbox.TASKS), and no local copies: it writes its own data."""
        from ..sandbox import TASKS

        study = self.study
        if study.data_dirs:
            raise StudyError(f"data_dirs: {', '.join(study.data_dirs)} given, but a sandbox study reads only the data "
                             "the sandbox writes itself; allowed: no `data_dirs` (local copies are for "
                             "`world: xtreme`)", key="data_dirs")
        named = [("targets", study.targets, TASKS["target"]),
                 ("intermediate", [i for i in study.intermediate if i not in ("none", "multitask")],
                  TASKS["intermediate"]), ("multitask.tasks", study.multitask.tasks, TASKS["intermediate"])]
        for key, names, allowed in named:
            for name in names:
                if name not in allowed:
                    raise StudyError(f"{key}: {name!r} is a task the sandbox world does not write; allowed in a "
                                     f"sandbox study: {', '.join(allowed)} (the others need `world: xtreme`)",
                                     key=key)

    def depth(self, model: str) -> int | None:
        return self.size(model).num_layers

    def settings(self, variant: str = ""):
        """The world of a variant: the study's settings with the variant's overrides.

        `volume_multiplier: {code: factor}` in a variant scales one language's pretraining text and leaves
        every other language as it is (the RQ1 intervention); other keys replace WorldSettings fields."""
        from ..sandbox import WorldSettings

        overrides = dict(self.study.variants.get(variant, {}))
        volumes = overrides.pop("volume_multiplier", {})
        settings = WorldSettings.from_dict(_merge(self.study.sandbox, overrides))
        unknown = set(volumes) - {s.code for s in settings.languages} - {"en"}
        if unknown:
            raise StudyError(f"variant {variant!r}: volume_multiplier names unknown languages {sorted(unknown)}; "
                             f"languages: en, {', '.join(s.code for s in settings.languages)}")
        langs = tuple(dataclasses.replace(s, volume_multiplier=volumes.get(s.code, s.volume_multiplier))
                      for s in settings.languages)
        return dataclasses.replace(settings, languages=langs,
                                   en_volume_multiplier=volumes.get("en", settings.en_volume_multiplier))

    def sizes(self) -> dict:
        """Model sizes: the defaults plus the study's own (e.g. a tiny one for tests)."""
        from ..sandbox import DEFAULT_SIZES, ModelSize

        extra = {}
        for name, spec in self.study.sandbox_sizes.items():
            try:
                extra[name] = ModelSize.from_dict({"name": name, **spec})
            except (TypeError, ValueError, AttributeError) as err:
                raise StudyError(f"sandbox_sizes.{name}: {err}", key=f"sandbox_sizes.{name}") from None
        return {**DEFAULT_SIZES, **extra}

    def size(self, model: str):
        return self.sizes()[model.removeprefix("sandbox-")]

    def world_dir(self, variant: str = "") -> Path:
        from ..sandbox import settings_hash

        return Path(self.study.output_dir) / "cache" / "sandbox" / settings_hash(self.settings(variant))

    def languages(self, task) -> list[str]:
        from ..sandbox import world_languages

        langs = world_languages(self.settings())
        if task.kind == "retrieval":  # pairs with English: English itself is no query language
            return [lang for lang in langs if lang != "en"]
        return langs if task.role == "target" else ["en"]

    def data_root(self, task, variant: str = "") -> Path:
        return self.world_dir(variant) / "data"

    def pretrained(self, model: str, variant: str = "") -> str:
        """Phase 1: the world's data and the model pretrained on it, built on first use."""
        from ..sandbox import build_world, pretrain_model

        settings, root, size = self.settings(variant), self.world_dir(variant), self.size(model)
        data_root = build_world(settings, root / "data")
        return str(pretrain_model(settings, size, data_root, root / "models" / f"{size.name}-{short_hash(size)}"))

    def phase1_report(self, model: str, variant: str = ""):
        """What the pretrained model learned (sandbox/report.py), computed once and cached beside it."""
        import pandas as pd

        from ..sandbox import phase1_report

        settings, root, size = self.settings(variant), self.world_dir(variant), self.size(model)
        model_dir = Path(self.pretrained(model, variant))
        cached = model_dir / "phase1_report.csv"
        if cached.exists():
            return pd.read_csv(cached, keep_default_na=False, na_values=[""])
        return phase1_report(settings, size, root / "data", model_dir)

    def pretrained_key(self, model: str, variant: str = "") -> str:
        size = self.size(model)
        return f"{self.world_dir(variant).name}/{size.name}-{short_hash(size)}"

    def hub_models(self) -> list[str]:
        return []

    def missing_data(self, task) -> str:
        return ""  # the world writes every dataset it has

    def train_rows_estimate(self, task, variant: str = "") -> tuple[int, str]:
        from ..sandbox import train_rows

        return train_rows(self.settings(variant), task.name), ""  # world not built yet: its settings fix it

    def mlm_corpus(self, pretrained: str) -> Path:
        return Path(pretrained).parent.parent / "data" / "corpus"  # the world's own pretraining text

    def language_table(self):
        import pandas as pd

        from ..sandbox import language_table

        return pd.concat([language_table(self.settings(v)).assign(variant=v) for v in self.study.variant_names])


WORLDS = {"sandbox": SandboxWorld, "xtreme": HubWorld}


def _merge(base: dict, overrides: dict) -> dict:
    """Shallow-merge world overrides; nested mappings (e.g. per-language specs) merge one level down."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) else value
    return out
