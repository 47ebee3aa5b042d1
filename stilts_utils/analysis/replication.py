"""Does the study's baseline reproduce the published numbers? Checked before any gain is trusted.

The baseline (no intermediate task; seed mean of each target's headline metric) is matched with the
published zero-shot test scores packaged in `stilts_utils/reference/published/` (sources in SOURCES.md)
on model, target, language, split and metric. A study's model matches a published one by the last part
of its id or folder, lower-cased (`FacebookAI/xlm-roberta-large` and `/scratch/xlm-roberta-large` both
match `xlm-roberta-large`). Published rows exist for xlm-roberta-large, xlm-roberta-base and
bert-base-multilingual-cased; a sandbox model matches none, so a sandbox study compares nothing.
"""
from __future__ import annotations

import math
from pathlib import PurePosixPath

import pandas as pd

from .. import reference
from .effects import BASELINE

# Points on the 0-100 scale. A rule of thumb, not a test: XLM-R's published rows are means over seeds
# (XNLI: five), and a replication with another recipe (lr, epochs, checkpoint selection, seqeval version)
# typically lands within a point or two; a gap beyond 2 points means: check the recipe before trusting a gain.
TOLERANCE = 2.0
WITHIN, BEYOND, NOT_PUBLISHED = "within", "beyond", "not published"
COLUMNS = ["model", "target", "language", "split", "metric", "value", "n_seeds", "published", "deviation",
           "tolerance", "status", "published_model", "source"]


def published_id(model: str) -> str:
    """The published model name a study's model is matched with (see the module docstring)."""
    return PurePosixPath(str(model).rstrip("/")).name.lower()


def check_tolerance(tolerance) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not math.isfinite(tolerance) \
            or tolerance < 0:
        raise ValueError(f"tolerance {tolerance!r} is not allowed; allowed: a number of points >= 0")
    return float(tolerance)


def compare(head: pd.DataFrame, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """One row per baseline (model, target, language, split, metric) of the headline rows `head`: the seed
    mean, the published score with its source, the deviation (ours - published) and its status
    (`within` / `beyond` the tolerance, or `not published`)."""
    tolerance = check_tolerance(tolerance)
    keys = ["model", "target", "language", "split", "metric"]
    base = head[head.intermediate == BASELINE]
    ours = base.groupby(keys, as_index=False).agg(value=("value", "mean"), n_seeds=("seed", "nunique"))
    ours["published_model"] = ours.model.map(published_id)
    pub = reference.published_results().rename(columns={"model": "published_model", "value": "published"})
    on = ["published_model", *keys[1:]]
    out = ours.merge(pub[[*on, "published", "source"]], on=on, how="left", validate="many_to_one")
    out["deviation"] = out.value - out.published
    out["tolerance"] = tolerance
    out["status"] = NOT_PUBLISHED
    out.loc[out.published.notna(), "status"] = BEYOND
    out.loc[out.deviation.abs() <= tolerance + 1e-9, "status"] = WITHIN  # 1e-9: 2.0 off is within ±2
    return out[COLUMNS].sort_values(["model", "target", "language"]).reset_index(drop=True)


def per_target(table: pd.DataFrame) -> pd.DataFrame:
    """Per (model, target, metric): languages compared of those run, how many within, mean and largest
    deviation (with its language), and the sources."""
    rows = []
    for (model, target, metric), part in table.groupby(["model", "target", "metric"], sort=True):
        cmp = part[part.status != NOT_PUBLISHED]
        worst = cmp.loc[cmp.deviation.abs().idxmax()] if len(cmp) else None
        rows.append({"model": model, "target": target, "metric": metric, "n_languages": len(part),
                     "n_compared": len(cmp), "n_within": int((cmp.status == WITHIN).sum()),
                     "mean_deviation": cmp.deviation.mean() if len(cmp) else float("nan"),
                     "largest_deviation": worst.deviation if worst is not None else float("nan"),
                     "largest_at": worst.language if worst is not None else "",
                     "sources": tuple(dict.fromkeys(cmp.source.dropna()))})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The summary's replication section; one line when nothing of the study is published (the sandbox)."""
    if table.empty:
        return ""
    compared = table[table.status != NOT_PUBLISHED]
    tol = table.tolerance.iloc[0]
    if compared.empty:
        return (f"Replication check: nothing published for {', '.join(sorted(table.model.unique()))} (published "
                "baselines: xlm-roberta-large, xlm-roberta-base, bert-base-multilingual-cased); nothing compared.")
    beyond = compared[compared.status == BEYOND]
    lines = ["## Replication of the baseline", "",
             f"The baseline (no intermediate task, seed mean) against published zero-shot test scores, "
             f"tolerance ±{tol:g} points (`--tolerance`): {len(compared) - len(beyond)} of {len(compared)} "
             f"compared (model, target, language) within, {len(beyond)} beyond"
             + (": check the recipe before trusting a gain." if len(beyond) else "."), "",
             "| model | target | metric | languages compared | within | mean deviation | largest deviation | "
             "source |", "|---|---|---|---|---|---|---|---|"]
    sources: dict[str, int] = {}
    for r in per_target(table).itertuples():
        if not r.n_compared:
            lines.append(f"| {r.model} | {r.target} | {r.metric} | 0 of {r.n_languages} | - | - | - | "
                         "nothing published |")
            continue
        refs = ", ".join(f"[{sources.setdefault(s, len(sources) + 1)}]" for s in r.sources)
        lines.append(f"| {r.model} | {r.target} | {r.metric} | {r.n_compared} of {r.n_languages} | {r.n_within} | "
                     f"{r.mean_deviation:+.1f} | {r.largest_deviation:+.1f} ({r.largest_at}) | {refs} |")
    if len(beyond):
        lines += ["", f"Beyond ±{tol:g} points:"]
        lines += [f"- {r.model} {r.target} {r.language}: {r.value:.1f} vs {r.published:.1f} published "
                  f"({r.deviation:+.1f})" for r in beyond.itertuples()]
    lines += ["", "Sources: " + " ".join(f"[{n}] {s}." for s, n in sources.items())]
    return "\n".join(lines)
