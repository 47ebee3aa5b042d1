"""A synthetic, deterministic multilingual world for running the X-STILTs study offline on CPU.

`build_world` writes a pretraining corpus and every task in the real HF schemas (docs/design.md
§2-3); `pretrain_model` trains phase 1 (tokenizer + XLM-R-style MLM) on that corpus, deterministically,
and fails with `UnhealthyEncoder` when the held-out loss ends above the size's bound;
`phase1_report` writes what the encoder learned per language next to it.

The settings are imported at once; the world, the report and the languages (which need pandas or build
lexicons) on first use, so validating a study file stays fast.
"""
import importlib

from .pretrain import DEFAULT_SIZES, ModelSize, UnhealthyEncoder, pretrain_model
from .settings import LanguageSpec, WorldSettings, settings_hash

# The tasks `build_world` writes (world.py: _write_intermediate, _write_targets, _write_retrieval); a sandbox
# study may name no other (study/worlds.py), and tests/test_sandbox.py checks the world has each of them.
TASKS = {"intermediate": ("mnli", "qqp", "squad"),
         "target": ("xnli", "udpos", "panx", "xquad", "tatoeba", "bucc2018")}

_LAZY = {"check_ladder": ".ladder", "world_languages": ".languages", "phase1_report": ".report",
         "build_world": ".world", "language_table": ".world", "train_rows": ".world"}

__all__ = [
    "DEFAULT_SIZES", "TASKS", "LanguageSpec", "ModelSize", "UnhealthyEncoder", "WorldSettings", "build_world",
    "check_ladder", "language_table", "phase1_report", "pretrain_model", "settings_hash", "train_rows",
    "world_languages",
]


def __getattr__(name):  # PEP 562: the heavier exports load when first asked for
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
