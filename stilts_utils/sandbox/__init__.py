"""A synthetic, deterministic multilingual world for running the X-STILTs study offline on CPU.

`build_world` writes a pretraining corpus and every task in the real HF schemas (docs/design.md
§2-3); `pretrain_model` trains phase 1 (tokenizer + XLM-R-style MLM) on that corpus.
"""

from .languages import world_languages
from .pretrain import DEFAULT_SIZES, ModelSize, pretrain_model
from .settings import LanguageSpec, WorldSettings, settings_hash
from .world import build_world, language_table

__all__ = [
    "DEFAULT_SIZES", "LanguageSpec", "ModelSize", "WorldSettings", "build_world",
    "language_table", "pretrain_model", "settings_hash", "world_languages",
]
