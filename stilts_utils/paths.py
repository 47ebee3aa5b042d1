"""Run identities and every path derived from them. Nobody types a path by hand."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent  # relative output roots resolve here, whatever the cwd


@dataclass(frozen=True)
class Encoder:
    """One phase-2 training run, shared by every target task."""

    model: str
    variant: str
    intermediate: str
    data: str  # en | translated | en+translated
    seed: int

    @property
    def id(self) -> str:
        data = "" if self.data == "en" else f".{self.data}"
        return _safe(f"{_model_key(self.model, self.variant)}__{self.intermediate}{data}__s{self.seed}")


@dataclass(frozen=True)
class Pair:
    """One (model, intermediate task, target task, seed) run of the pair notebook."""

    model: str
    variant: str
    intermediate: str  # `none` = baseline
    data: str
    checkpoint: float  # fraction of the phase-2 steps
    target: str
    seed: int

    @property
    def encoder(self) -> Encoder | None:
        if self.intermediate == "none":
            return None
        return Encoder(self.model, self.variant, self.intermediate, self.data, self.seed)

    @property
    def id(self) -> str:
        data = "" if self.data == "en" else f".{self.data}"
        ckpt = "" if self.checkpoint == 1 else f"@{self.checkpoint:g}"
        inter = f"{self.intermediate}{data}{ckpt}"
        return _safe(f"{_model_key(self.model, self.variant)}__{inter}__{self.target}__s{self.seed}")


def _model_key(model: str, variant: str) -> str:
    return model.replace("/", "_") + (f"+{variant}" if variant else "")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+@-]", "-", text)


def short_hash(obj) -> str:
    """Stable 10-hex-digit hash of plain data (dataclasses included)."""
    data = asdict(obj) if hasattr(obj, "__dataclass_fields__") else obj
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:10]


class StudyPaths:
    """All locations of one study; caches shared between studies live under `<output_root>/cache`."""

    def __init__(self, study, root: str | Path | None = None):
        self.study = study
        self.out = Path(root or REPO_ROOT) / study.output_root  # absolute output_root wins
        self.dir = self.out / study.name
        self.cache = self.out / "cache"

    # phase 1 (sandbox world and its pretrained models)
    def world(self, world_hash: str) -> Path:
        return self.cache / "sandbox" / world_hash

    # phase 2
    def encoder_dir(self, job: Encoder, settings_hash: str) -> Path:
        return self.cache / "intermediate" / f"{job.id}-{settings_hash}"

    # phase 3
    def run_dir(self, pair: Pair) -> Path:
        from .pipeline import pair_key  # the key needs the study's model and settings resolved

        return self.dir / "runs" / f"{pair.id}-{pair_key(self.study, pair)}"

    def rows(self, pair: Pair) -> Path:
        return self.run_dir(pair) / "rows.json"

    def predictions(self, pair: Pair) -> Path:
        return self.run_dir(pair) / "predictions"

    def notebook(self, job: Encoder | Pair) -> Path:
        kind = "pairs" if isinstance(job, Pair) else "intermediate"
        return self.dir / "notebooks" / kind / f"{job.id}.ipynb"

    def results(self, ext: str = "parquet") -> Path:
        return self.dir / f"results.{ext}"

    @property
    def figures(self) -> Path:
        return self.dir / "figures"

    @property
    def tables(self) -> Path:
        return self.dir / "tables"
