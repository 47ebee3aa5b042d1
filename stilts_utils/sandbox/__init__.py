"""A synthetic, deterministic multilingual world for running the X-STILTs study offline on CPU.

`build_world` writes a pretraining corpus and every task in the real HF schemas (docs/design.md
§2-3); `pretrain_model` trains phase 1 (tokenizer + XLM-R-style MLM) on that corpus, deterministically,
and fails with `UnhealthyEncoder` when the held-out loss ends above the size's bound;
`phase1_report` writes what the encoder learned per language next to it.
"""

from .ladder import check_ladder
from .languages import world_languages
from .pretrain import DEFAULT_SIZES, ModelSize, UnhealthyEncoder, pretrain_model
from .report import phase1_report
from .settings import LanguageSpec, WorldSettings, settings_hash
from .world import build_world, language_table

__all__ = [
    "DEFAULT_SIZES", "LanguageSpec", "ModelSize", "UnhealthyEncoder", "WorldSettings", "build_world",
    "check_ladder", "language_table", "phase1_report", "pretrain_model", "settings_hash",
    "world_languages",
]
