"""Phase 1, the pretrained encoder every run starts from: what the study's world describes (`recipe()`),
built once and cached. A hub model is its own pretrained model; a sandbox model is built here from its
recipe: the world's data (`sandbox.build_world`), the tokenizer and masked LM (`pretrain.py`), and the
phase-1 report of what it learned (`phase1_report.py`), all in the world's cache folder. A sandbox encoder the
kit ships (`published.py`: same world, same size) is copied there, verified, instead of pretrained.

Light to import: a study whose models are cached (or on the hub) loads no torch here.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atomic import build_once, is_complete
from ..sandbox import ModelSize, WorldSettings, build_world, settings_hash
from ..study.config import Study
from . import published


def pretrained(study: Study, model: str, variant: str = "") -> str:
    """The pretrained model's directory (or hub id), built on first use."""
    recipe = study.world_impl.recipe(model, variant)
    if recipe is None:
        return model  # a hub id or a local directory: nothing to build
    data_root = build_world(recipe.settings, recipe.data_dir)
    shipped = published.find(recipe.settings, recipe.size)  # verified; a damaged one is an error, never skipped
    if shipped is not None:
        return str(published.install(shipped, recipe.model_dir, model_key(recipe.settings, recipe.size)))
    return str(pretrain_model(recipe.settings, recipe.size, data_root, recipe.model_dir))


def origin(study: Study, model: str, variant: str = "") -> str:
    """Where the model's phase-1 encoder came from: the hub, a published sandbox encoder, or built here."""
    recipe = study.world_impl.recipe(model, variant)
    return "as given (hub id or folder)" if recipe is None else published.origin(recipe.model_dir)


def origins(study: Study) -> str:
    """Every (model, variant)'s origin in one line, for run_info.json (read after phase 1 ran)."""
    return "; ".join(f"{model}{' (' + variant + ')' if variant else ''}: {origin(study, model, variant)}"
                     for variant in study.variant_names for model in study.models)


def report(study: Study, model: str, variant: str = "") -> pd.DataFrame | None:
    """What the pretrained model learned, computed once and cached beside it; None for a hub model (it was
    pretrained elsewhere: nothing of its pretraining to report)."""
    recipe = study.world_impl.recipe(model, variant)
    if recipe is None:
        return None
    model_dir = pretrained(study, model, variant)
    cached = recipe.model_dir / "phase1_report.csv"
    if cached.exists():
        return pd.read_csv(cached, keep_default_na=False, na_values=[""])
    from .phase1_report import phase1_report  # lazy: torch and transformers, only when not cached

    return phase1_report(recipe.settings, recipe.size, recipe.data_dir, model_dir)


def pretrain_model(settings: WorldSettings, size: ModelSize, data_root, out_dir) -> Path:
    """Train tokenizer + MLM on the world's corpus into `out_dir` (exactly), once per settings."""
    world_key = f"sandbox-world {settings_hash(settings)}"
    if not is_complete(Path(data_root), world_key):
        raise ValueError(f"{data_root} holds no complete world; run build_world first")
    return build_once(Path(out_dir), model_key(settings, size), lambda tmp: _train(settings, size, data_root, tmp))


def model_key(settings: WorldSettings, size: ModelSize) -> str:
    """The cache marker of a sandbox model: pretrained here or copied from a published one, same key."""
    return f"sandbox-model {settings_hash(settings)} {size.name} {settings_hash(size)}"


def _train(settings: WorldSettings, size: ModelSize, data_root, out: Path) -> None:
    from .pretrain import train  # lazy: torch and transformers, only when a model is built

    train(settings, size, data_root, out)
