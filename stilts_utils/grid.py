"""The study grid: which phase-2 encoders and which pairs a study asks for."""
from __future__ import annotations

from itertools import product

from .paths import Encoder, Pair


def encoders(study) -> list[Encoder]:
    """One per (model, variant, intermediate task, intermediate data, seed); the baseline needs none."""
    return [Encoder(m, v, i, d, s) for m, v, i, d, s in product(
        study.models, study.variant_names, study.intermediate, study.intermediate_data, study.seeds)
        if i != "none"]


def pairs(study) -> list[Pair]:
    """Baseline pairs once per (model, variant, target, seed); intermediate pairs per data and checkpoint.

    Ordered so that pairs sharing an encoder run together and targets follow the study file."""
    out = []
    for m, v, s in product(study.models, study.variant_names, study.seeds):
        for inter in study.intermediate:
            datas = ["en"] if inter == "none" else study.intermediate_data
            ckpts = [1.0] if inter == "none" else sorted(study.checkpoints, reverse=True)
            for d, c, t in product(datas, ckpts, study.targets):
                out.append(Pair(m, v, inter, d, float(c), t, s))
    return out
