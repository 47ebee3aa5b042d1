"""Where a study's models and data come from: the synthetic sandbox world or the real hub (XTREME).

Every difference between the two lives here, behind one interface (`HubWorld`, `SandboxWorld`), so that no
module outside this one and `sandbox/` asks which world a study is in. `Study.world_impl` gives the study's
world (`WORLDS[study.world]`). A world describes; it builds nothing: phase 1 (`phases/phase1.py`) builds
what `recipe()` describes (the sandbox's data and pretrained models), and a hub model is its own
pretrained model.
"""
from __future__ import annotations

import dataclasses
import json
import os
import warnings
from pathlib import Path

from ..families import FAMILIES, FINE_TUNING, REMOTE_CODE_FAMILY, depth, families_text, family_of
from ..sandbox import DEFAULT_SIZES, TASKS, ModelSize, WorldSettings, settings_hash
from .errors import StudyError
from .hashing import short_hash

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
        from huggingface_hub import try_to_load_from_cache  # lazy: slow to import, only for a hub id

        cached = try_to_load_from_cache(model, "config.json")
    except Exception:  # not a valid repo id, unreadable cache: the preflight names the problem
        return None
    if isinstance(cached, str):
        return _read_config(Path(cached), model)
    if _hub_offline():
        return None
    try:
        from huggingface_hub import HfApi  # lazy: only online, for an uncached hub id

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
            if not family_of(model_type):
                raise StudyError(f"models: {model!r} is a {model_type!r} model, not of a supported architecture "
                                 f"family: {families_text()} (or list it under trust_remote_code)", key="models")
            self._recipe_note(model, family_of(model_type))

    def _recipe_note(self, model: str, family: str) -> None:
        """A model whose family its authors fine-tune otherwise (mT5: Adafactor) trained as the study says: said
        once per load, since the study file alone decides a run (and its identity)."""
        recipe = FINE_TUNING.get(family, {})
        own = self.study.settings_of(model)
        if recipe and any(getattr(own, k) != v for k, v in recipe.items()):
            given = ", ".join(f"{k}: {v}" for k, v in recipe.items())
            warnings.warn(f"models: {model} is a {family}-family model, fine-tuned by its authors with {{{given}}}; "
                          f"this study trains it with {own.optimizer}, lr "
                          f"{own.lr or 'phase2.lr/phase3.lr'}, {own.schedule} schedule (set model_settings: "
                          f"{{{model}: {{{given}}}}} for the authors' recipe)", stacklevel=2)

    def model_table(self):
        """{model, family, volume_corpus} per model: the corpus its family was pretrained on (families.py), or
        the one the study names. A family unknown without a download (offline, config not cached) counts in
        CC-100 and says so."""
        import pandas as pd  # lazy: not needed to validate a study

        rows = []
        for model in self.study.models:
            model_type = model_type_of(model)
            name = family_of(model_type or "") or ("remote code" if model in self.study.trust_remote_code else "")
            corpus = self.study.settings_of(model).volume_corpus
            if corpus == "auto":
                corpus = FAMILIES.get(name, REMOTE_CODE_FAMILY)["corpus"]
                if not name:
                    warnings.warn(f"model_settings: the family of {model} is unknown here (config.json neither "
                                  f"local nor cached): its volumes are counted in {corpus}; name its corpus with "
                                  f"model_settings: {{{model}: {{volume_corpus: ...}}}}", stacklevel=2)
            rows.append({"model": model, "family": name, "volume_corpus": corpus})
        return pd.DataFrame(rows, columns=["model", "family", "volume_corpus"])

    def languages(self, task) -> list[str]:
        """A target's evaluation languages under the study's benchmark (XTREME's lists by default; a bare
        study object of the tests has none)."""
        benchmark = getattr(self.study, "benchmark", "xtreme")
        return list(task.languages_in(benchmark)) if task.role == "target" else ["en"]

    def translation_languages(self, task) -> list[str]:
        """Languages an intermediate task's published machine translations exist in (RQ3)."""
        return list(task.translations)

    def depth(self, model: str) -> int | None:
        """Encoder layers from the model's config.json, where it is on disk (a local directory, or the
        Hugging Face cache); None when unknown without a download."""
        config = Path(model) / "config.json"
        if not config.is_file():
            from huggingface_hub import try_to_load_from_cache  # lazy: slow to import, only for a hub id

            cached = try_to_load_from_cache(model, "config.json")
            if not isinstance(cached, str):
                return None
            config = Path(cached)
        try:
            data = json.loads(config.read_text())
        except (OSError, ValueError) as err:
            raise StudyError(f"models: {model!r} has an unreadable config.json ({config}: {type(err).__name__})",
                             key="models") from None
        return depth(data)

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

    def recipe(self, model: str, variant: str = "") -> None:
        return None  # a hub id or a local directory is the pretrained model: nothing to build or report

    def pretrained_key(self, model: str, variant: str = "") -> str:
        return model

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
        from .. import reference  # lazy: pandas, not needed to validate a study

        return reference.language_table().assign(variant="")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A sandbox model to pretrain: the world (its corpus), the size (tokenizer, shape, budget), and the
    cache folder of the world (`outputs/cache/sandbox/<settings hash>`: data/ and models/)."""

    settings: WorldSettings
    size: ModelSize
    world_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.world_dir / "data"

    @property
    def model_dir(self) -> Path:
        return self.world_dir / "models" / f"{self.size.name}-{short_hash(self.size)}"


class SandboxWorld:
    """The synthetic world of `stilts_utils.sandbox`: phase 1 builds and pretrains it on first use, cached by
    settings."""

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
        for model, own in self.study.model_settings.items():
            if own.volume_corpus not in ("auto", SANDBOX_CORPUS):
                key = f"model_settings.{model}.volume_corpus"
                raise StudyError(f"{key}: {own.volume_corpus!r} is not allowed in the sandbox world, which counts "
                                 f"its languages in its own CC-100-like volumes; allowed: auto | {SANDBOX_CORPUS}",
                                 key=key)

    def _check_tasks(self) -> None:
        """Only the tasks the world writes (sandbox.TASKS), and no local copies: it writes its own data."""
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

    def model_table(self):
        """{model, family, volume_corpus} per model: XLM-R-like models, volumes counted in the world's own
        CC-100-like corpus (its language table's cc100_tokens_m)."""
        import pandas as pd  # lazy: not needed to validate a study

        return pd.DataFrame([{"model": m, "family": SANDBOX_FAMILY, "volume_corpus": SANDBOX_CORPUS}
                             for m in self.study.models], columns=["model", "family", "volume_corpus"])

    def settings(self, variant: str = ""):
        """The world of a variant: the study's settings with the variant's overrides.

        `volume_multiplier: {code: factor}` in a variant scales one language's pretraining text and leaves
        every other language as it is (the RQ1 intervention); other keys replace WorldSettings fields."""
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
        return Path(self.study.output_dir) / "cache" / "sandbox" / settings_hash(self.settings(variant))

    def languages(self, task) -> list[str]:
        from ..sandbox import world_languages  # lazy: builds the lexicons on import

        langs = world_languages(self.settings())
        if task.kind == "retrieval":  # pairs with English: English itself is no query language
            return [lang for lang in langs if lang != "en"]
        return langs if task.role == "target" else ["en"]

    def translation_languages(self, task) -> list[str]:
        """The world renders every meaning in every language: each one but English (RQ3)."""
        from ..sandbox import world_languages  # lazy: builds the lexicons on import

        return [lang for lang in world_languages(self.settings()) if lang != "en"]

    def data_root(self, task, variant: str = "") -> Path:
        return self.world_dir(variant) / "data"

    def recipe(self, model: str, variant: str = "") -> Recipe:
        """What phase 1 builds for a model (`phases/phase1.py`), and where its cache lives."""
        return Recipe(self.settings(variant), self.size(model), self.world_dir(variant))

    def pretrained_key(self, model: str, variant: str = "") -> str:
        recipe = self.recipe(model, variant)
        return f"{recipe.world_dir.name}/{recipe.model_dir.name}"

    def hub_models(self) -> list[str]:
        return []

    def missing_data(self, task) -> str:
        return ""  # the world writes every dataset it has

    def train_rows_estimate(self, task, variant: str = "") -> tuple[int, str]:
        from ..sandbox import train_rows  # lazy: sandbox.world imports pandas

        return train_rows(self.settings(variant), task.name), ""  # world not built yet: its settings fix it

    def mlm_corpus(self, pretrained: str) -> Path:
        return Path(pretrained).parent.parent / "data" / "corpus"  # the world's own pretraining text

    def language_table(self):
        import pandas as pd  # lazy: not needed to validate a study

        from ..sandbox import language_table  # lazy: sandbox.world imports pandas

        return pd.concat([language_table(self.settings(v)).assign(variant=v) for v in self.study.variant_names])


WORLDS = {"sandbox": SandboxWorld, "xtreme": HubWorld}
SANDBOX_FAMILY, SANDBOX_CORPUS = "xlm-roberta", "cc100"  # phases/pretrain.py: an XLMRobertaConfig MLM


def _merge(base: dict, overrides: dict) -> dict:
    """Shallow-merge world overrides; nested mappings (e.g. per-language specs) merge one level down."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) else value
    return out
