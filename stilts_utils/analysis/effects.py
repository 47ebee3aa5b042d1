"""Gains over the no-intermediate baseline and one helper per research question.

Input is the results table of docs/design.md §1 (optionally joined with `reference.join_languages`).
The statistics themselves live in `stilts_utils.stats`; `correlate`, `regress` and `summarize` are
re-exported here so notebooks need one import.
"""
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..tasks import REGISTRY
from .stats import bootstrap_ci, correlate, groups, holm, regress, summarize  # noqa: F401 (re-export)

BASELINE = "none"
MATCH = ["study", "model", "variant", "target", "language", "split", "metric", "seed"]  # design §1
QA_TARGETS = tuple(n for n, t in REGISTRY.items() if t.role == "target" and t.is_qa)  # xquad, mlqa, tydiqa
# Columns that differ between seeds of one configuration: averaged over or dropped by average_seeds.
PER_SEED = ["seed", "run_id", "wall_time_s", "target_steps", "value", "baseline_value", "gain"]
# Columns that follow from another one (so they must not be pairing keys when that one is compared).
FOLLOWS = {"model": ["model_params", "log10_params"]}
TIERS = ("low", "mid", "high")  # pretraining-volume tiers, in order
NO_VOLUME = "no volume"  # the tier of a language its model's corpus lacks: named in every table, never dropped
ONE_TIER = "all"  # fewer than three languages with a volume: no tertiles to cut, one tier
TIER_ORDER = (*TIERS, ONE_TIER, NO_VOLUME)


def gains(df):
    """Intermediate rows with `baseline_value` and `gain` = value - value(intermediate == "none")."""
    missing = [c for c in [*MATCH, "intermediate", "value"] if c not in df.columns and c != "variant"]
    if missing:
        raise ValueError(f"results table lacks columns {missing} (see docs/design.md §1)")
    df = df.assign(variant=df["variant"].fillna("") if "variant" in df else "")
    base = df[df.intermediate == BASELINE][[*MATCH, "value"]].rename(columns={"value": "baseline_value"})
    repeated = base[base.duplicated(MATCH, keep=False)]
    if len(repeated):
        raise ValueError(f"{len(repeated)} baseline rows share a match key, e.g.\n{repeated.head(3)}")
    out = df[df.intermediate != BASELINE].merge(base, on=MATCH, how="left", validate="many_to_one")
    unmatched = out.baseline_value.isna()
    if unmatched.any():
        warnings.warn(f"{int(unmatched.sum())} rows have no matching '{BASELINE}' baseline and are dropped")
    out = out[~unmatched].assign(gain=lambda d: d.value - d.baseline_value)
    if "model_params" in out:
        out["log10_params"] = np.log10(out.model_params.astype(float))
    return out.reset_index(drop=True)


def average_seeds(df, value="gain"):
    """Mean over seeds per configuration (every column not in PER_SEED), with `n_seeds`."""
    values = [c for c in dict.fromkeys([value, "value", "baseline_value", "gain"]) if c in df.columns]
    keys = [c for c in df.columns if c not in PER_SEED and c != value]
    grouped = df.groupby(keys, dropna=False, sort=False)
    out = grouped[values].mean().join(grouped.size().rename("n_seeds"))
    return out.reset_index()


def one_metric_per_target(df):
    """Raise unless each target has one metric and one split (pooling f1 with em would double count)."""
    counts = df.groupby("target")[["metric", "split"]].nunique()
    mixed = counts[(counts > 1).any(axis=1)]
    if len(mixed):
        raise ValueError(f"targets {list(mixed.index)} mix metrics or splits; keep one "
                         "(e.g. the task's headline metric on test) before this analysis")


def one_row_per_unit(df, keys):
    """Raise if, after averaging seeds, `keys` do not identify a row (something else varies: pooled units)."""
    repeated = df[df.duplicated(keys, keep=False)]
    if len(repeated):
        varying = [c for c in repeated.columns if c not in keys
                   and repeated.groupby(keys, dropna=False)[c].nunique(dropna=False).gt(1).any()]
        raise ValueError(f"several rows per {keys}; {varying} vary: add them to `by` or filter first")


def pair_up(df, column, a, b, value="gain"):
    """One row per matched unit with `value_a` (column == a), `value_b` and diff = a - b, seeds averaged."""
    df = average_seeds(df[df[column].isin([a, b])], value)
    ids = ["study", "variant", "model", "intermediate", "intermediate_data", "mlm_weight", "intermediate_steps",
           "target", "language", "split", "metric"]
    keys = [c for c in ids if c in df.columns and c != column and c not in FOLLOWS.get(column, [])]
    one_row_per_unit(df, [*keys, column])
    wide = df.set_index([*keys, column])[value].unstack(column).reindex(columns=[a, b])
    wide = wide.dropna().rename(columns={a: "value_a", b: "value_b"}).reset_index()
    wide.columns.name = None
    return wide.assign(a=a, b=b, diff=wide.value_a - wide.value_b)


def paired_difference(df, column, a, b, value="gain", by=("model", "target"), n_boot=2000, seed=0):
    """Mean of (a - b) per `by` group with bootstrap CI, d_z, Wilcoxon p and Holm p (e.g. RQ3)."""
    one_metric_per_target(df)
    pairs = pair_up(df, column, a, b, value)
    if pairs.empty:
        raise ValueError(f"no units have both {column}={a!r} and {column}={b!r}")
    by = [c for c in by if c != column]  # the compared column cannot also be a grouping column
    out = summarize(pairs, by, "diff", n_boot, seed).rename(columns={"mean": "mean_diff", "d": "d_z"})
    parts = [part for _, part in groups(pairs, by)]  # same order as summarize's rows
    out["mean_a"] = [part.value_a.mean() for part in parts]
    out["mean_b"] = [part.value_b.mean() for part in parts]
    out["p_wilcoxon"] = [_wilcoxon(part["diff"]) for part in parts]
    out["p_holm"] = holm(out.p_wilcoxon)
    return out.assign(a=a, b=b)


def _wilcoxon(diff):
    if len(diff) < 2 or (diff == 0).all():
        return np.nan
    return float(stats.wilcoxon(diff).pvalue)


def size_interaction(gains_df, targets=QA_TARGETS, by=("intermediate", "target"), n_boot=2000, seed=0):
    """RQ4: gain of the largest model minus gain of the smallest, matched on language (and seed-averaged)."""
    df = gains_df if targets is None else gains_df[gains_df.target.isin(targets)]
    sizes = df.groupby("model").model_params.first().sort_values()
    if len(sizes) < 2:
        raise ValueError(f"size_interaction needs >= 2 models in the selected targets, got {list(sizes.index)}")
    out = paired_difference(df, "model", sizes.index[-1], sizes.index[0], "gain", by, n_boot, seed)
    return out.assign(params_a=sizes.iloc[-1], params_b=sizes.iloc[0])


def language_tiers(df, edges=None, column="volume_tokens"):
    """Add `tier` (low/mid/high): tertiles of the languages present, or `edges=(low_max, mid_max)`, per
    model (each model's volumes are counted in its own pretraining corpus, reference.add_volume).

    A language without a volume (e.g. Yoruba in CC-100) gets the tier 'no volume': not imputed, not dropped.
    """
    parts = [part.assign(tier=part.language.map(_tiers(part, edges, column)).fillna(NO_VOLUME))
             for _, part in (df.groupby("model", sort=False) if "model" in df else [(None, df)])]
    return pd.concat(parts).loc[df.index] if parts else df.assign(tier=pd.Series(dtype=str))


def _tiers(df, edges, column) -> pd.Series:
    """{language: tier} of the languages of `df` that have a volume."""
    volume = df.groupby("language")[column].first().dropna()
    labels = list(TIERS)
    if volume.empty:
        return pd.Series(dtype=str)
    if edges is None and len(volume) < len(TIERS):
        return pd.Series(ONE_TIER, index=volume.index)
    if edges is None:  # rank first so ties cannot collapse two tertiles into one
        tiers = pd.qcut(volume.rank(method="first"), 3, labels=labels)
    else:
        tiers = pd.cut(volume, [-np.inf, *edges, np.inf], labels=labels)
    return tiers.astype(str)


def duration_curve(gains_with_meta, by=("model", "intermediate"), edges=None, n_boot=2000, seed=0):
    """RQ2: mean gain per (by, tier, intermediate_steps); the unit is a (target, language) seed mean."""
    one_metric_per_target(gains_with_meta)
    df = average_seeds(language_tiers(gains_with_meta, edges))
    df = df[df.tier.notna()]
    one_row_per_unit(df, [*by, "intermediate_steps", "target", "language"])
    return summarize(df, [*by, "tier", "intermediate_steps"], "gain", n_boot, seed)


def typology_contrast(gains_with_meta, feature="morphology", reference=None,
                      by=("model", "intermediate", "target"), n_boot=2000, seed=0):
    """RQ5: mean gain per `feature` level and each level minus the reference level (languages as units).

    `reference` defaults to the most frequent level. Effect size: difference in means with a two-sample
    bootstrap CI, and the rank-biserial correlation from the Mann-Whitney U test.
    """
    one_metric_per_target(gains_with_meta)
    df = average_seeds(gains_with_meta.dropna(subset=[feature]))
    if df.empty:
        raise ValueError(f"no rows with a value for {feature!r}")
    one_row_per_unit(df, [*by, "language"])
    reference = df.groupby(feature).language.nunique().idxmax() if reference is None else reference
    out = summarize(df, [*by, feature], "gain", n_boot, seed)
    contrasts = [_contrast(part, list(by), feature, reference, n_boot, seed)
                 for _, part in groups(df, list(by))]
    out = out.merge(pd.concat(contrasts, ignore_index=True), on=[*by, feature], how="left", validate="1:1")
    out["p_holm"] = holm(out.p_mannwhitney)
    return out.assign(reference=reference)


def _contrast(part, by, feature, reference, n_boot, seed):
    ref = part.loc[part[feature] == reference, "gain"].to_numpy()
    rows = [{**part[by].iloc[0].to_dict(), feature: level,
             **_two_sample(grp.gain.to_numpy(), ref, level == reference, n_boot, seed)}
            for level, grp in part.groupby(feature, sort=True)]
    return pd.DataFrame(rows).reindex(columns=[*by, feature, "diff_vs_ref", "diff_ci_low", "diff_ci_high",
                                               "rank_biserial", "p_mannwhitney", "contrast_note"])


def _two_sample(x, ref, is_reference, n_boot, seed):
    if is_reference:
        return {"contrast_note": "reference level"}
    if len(ref) == 0:
        return {"contrast_note": "reference level absent in this group"}
    diff = float(x.mean() - ref.mean())
    if len(x) < 2 or len(ref) < 2:
        return {"diff_vs_ref": diff, "contrast_note": f"too few languages (n={len(x)} vs {len(ref)}) for CI/test"}
    low, high = bootstrap_ci([(x,), (ref,)], lambda a, r: a.mean(-1) - r.mean(-1), n_boot, seed)
    u = stats.mannwhitneyu(x, ref)
    return {"diff_vs_ref": diff, "diff_ci_low": low, "diff_ci_high": high, "p_mannwhitney": float(u.pvalue),
            "rank_biserial": 2 * u.statistic / (len(x) * len(ref)) - 1, "contrast_note": ""}
