"""A synthetic, deterministic multilingual world for running the X-STILTs study offline on CPU.

`build_world` writes a pretraining corpus and every task in the real HF schemas (docs/design.md
§2-3); `recipe.py` describes what phase 1 pretrains on that corpus (model sizes, the tokenizer's
specials, the held-out split) and `probes.py` the phase-1 report's probe sets and anchor-only baselines.
Phase 1 itself (training, the report) is `phases/phase1.py`: this package only describes.

The settings and the recipe are imported at once; the world and the languages (which need pandas or build
lexicons) on first use, so validating a study file stays fast.
"""
import importlib

from .recipe import DEFAULT_SIZES, ModelSize
from .settings import LanguageSpec, WorldSettings, settings_hash

# The tasks `build_world` writes (world.py: _write_intermediate, _write_targets, _write_retrieval); a sandbox
# study may name no other (study/worlds.py), and tests/test_sandbox.py checks the world has each of them.
TASKS = {"intermediate": ("mnli", "qqp", "squad"),
         "target": ("xnli", "udpos", "panx", "xquad", "tatoeba", "bucc2018")}

_LAZY = {"check_ladder": ".ladder", "world_languages": ".languages",
         "build_world": ".world", "language_table": ".world", "train_rows": ".world"}

__all__ = [
    "DEFAULT_SIZES", "TASKS", "LanguageSpec", "ModelSize", "WorldSettings", "build_world", "check_ladder",
    "language_table", "settings_hash", "train_rows", "world_languages",
]


def __getattr__(name):  # PEP 562: the heavier exports load when first asked for
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
