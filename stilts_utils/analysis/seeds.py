"""Uncertainty over seeds: gains with 95 % CIs, the seed-to-seed noise floor and transfer ratios.

With a handful of seeds a bootstrap interval is too narrow (it cannot reach past the values seen), so the
intervals here are Student-t intervals. A gain per language has its CI over seeds; a gain pooled over
languages adds the spread between languages, as a two-way (seed x language) random-effects approximation:
SE² = var_seeds(language-mean) / n_seeds + var_languages(seed-mean) / n_languages, with the degrees of
freedom of the smaller side. A gain is "distinguishable from zero" when its CI excludes 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..tasks import REGISTRY

CONFIG = ["model", "variant", "intermediate", "intermediate_data", "mlm_weight", "intermediate_steps", "target",
          "metric", "split"]


def chance_level(target: str) -> float:
    """Score of a guess on a 0-100 scale: uniform over labels or choices; 0 for tagging F1, QA, retrieval."""
    task = REGISTRY[target]
    if task.kind == "classification" and task.labels:
        return 100.0 / len(task.labels)
    if task.kind == "multiple_choice" and task.n_choices:
        return 100.0 / task.n_choices
    return 0.0


def _keys(df, keys):
    return [k for k in keys if k in df.columns]


def _t_interval(mean: float, se: float, df: int) -> tuple[float, float]:
    if df < 1 or not np.isfinite(se):
        return np.nan, np.nan
    half = float(stats.t.ppf(0.975, df)) * se
    return mean - half, mean + half


def per_language(gains: pd.DataFrame, value: str = "gain") -> pd.DataFrame:
    """Mean of `value` over seeds per (configuration, language) with its t CI, sd and n_seeds."""
    keys = _keys(gains, [*CONFIG, "language"])
    rows = []
    for key, part in gains.groupby(keys, dropna=False, sort=True):
        v = part[value].to_numpy(float)
        n, mean = len(v), float(v.mean())
        sd = float(v.std(ddof=1)) if n > 1 else np.nan
        low, high = _t_interval(mean, sd / np.sqrt(n) if n > 1 else np.nan, n - 1)
        rows.append({**dict(zip(keys, key)), "mean": mean, "ci_low": low, "ci_high": high, "sd_seeds": sd,
                     "n_seeds": n})
    return _flag(pd.DataFrame(rows))


def pooled(gains: pd.DataFrame, value: str = "gain") -> pd.DataFrame:
    """Mean of `value` over seeds and languages per configuration, CI over both (module docstring)."""
    keys = _keys(gains, CONFIG)
    rows = []
    for key, part in gains.groupby(keys, dropna=False, sort=True):
        grid = part.pivot_table(index="seed", columns="language", values=value, aggfunc="mean")
        grid = grid.dropna(axis=1)  # a language must have every seed
        n_s, n_l = grid.shape
        mean = float(grid.to_numpy().mean()) if grid.size else np.nan
        var_s = grid.mean(axis=1).var(ddof=1) if n_s > 1 else np.nan
        var_l = grid.mean(axis=0).var(ddof=1) if n_l > 1 else 0.0
        se = float(np.sqrt(var_s / n_s + var_l / n_l)) if n_s > 1 else np.nan
        low, high = _t_interval(mean, se, min(n_s, max(n_l, 2)) - 1)
        rows.append({**dict(zip(keys, key)), "mean": mean, "ci_low": low, "ci_high": high,
                     "sd_seeds": float(np.sqrt(var_s)) if n_s > 1 else np.nan, "n_seeds": n_s, "n_languages": n_l})
    return _flag(pd.DataFrame(rows))


def _flag(out: pd.DataFrame) -> pd.DataFrame:
    if out.empty:
        return out.assign(distinguishable=pd.Series(dtype=bool))
    excludes = (out.ci_low > 0) | (out.ci_high < 0)
    return out.assign(distinguishable=excludes.fillna(False).astype(bool))


def noise_floor(scores: pd.DataFrame) -> pd.DataFrame:
    """Seed-to-seed SD of the score per (model, intermediate, target), averaged over languages: a gain
    smaller than about twice this cannot be told from a re-run with another seed."""
    keys = _keys(scores, CONFIG)
    sd = scores.groupby([*keys, "language"], dropna=False).value.std(ddof=1).rename("sd").reset_index()
    out = sd.groupby(keys, dropna=False).sd.agg(["mean", "max", "count"]).reset_index()
    n = scores.groupby(keys, dropna=False).seed.nunique().rename("n_seeds").reset_index()
    return out.rename(columns={"mean": "sd_seeds_mean", "max": "sd_seeds_max", "count": "n_languages"}).merge(
        n, on=keys, how="left")


def transfer_ratio(scores: pd.DataFrame) -> pd.DataFrame:
    """(score - chance) / (en - chance) per run and language: 1 = as good as English, 0 = chance."""
    keys = _keys(scores, [*CONFIG, "seed"])
    en = scores[scores.language == "en"].set_index(keys).value.rename("en_value")
    df = scores[scores.language != "en"].join(en, on=keys, how="inner")
    chance = df.target.map(chance_level)
    ratio = (df.value - chance) / (df.en_value - chance)
    return df.assign(chance=chance, transfer_ratio=ratio.where(df.en_value > chance))
