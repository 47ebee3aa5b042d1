"""Statistics used by the analysis layer: bootstrap CIs, correlations, regressions, group summaries.

Every table states n, an effect size and a 95% CI. Rows that cannot be computed carry a `note` saying
why, rather than bare NaNs.
"""
import re
import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

MIN_POINTS = 4  # below this a correlation (and its bootstrap) says nothing


def bootstrap_ci(samples, statistic, n_boot=2000, seed=0, level=0.95):
    """Percentile CI of `statistic` over bootstrap resamples.

    `samples` is a list of tuples of equal-length arrays; each tuple is resampled with its own indices
    (arrays within a tuple stay paired). `statistic(*arrays)` gets arrays of shape (n_boot, n) and
    returns shape (n_boot,). Degenerate resamples (e.g. constant x) give NaN and are dropped; scipy's
    `bootstrap` would return a NaN interval as soon as one resample is degenerate.
    """
    if n_boot <= 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    drawn = []
    for group in samples:
        idx = rng.integers(0, len(group[0]), size=(n_boot, len(group[0])))
        drawn.extend(np.asarray(a, dtype=float)[idx] for a in group)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = np.asarray(statistic(*drawn), dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < n_boot / 2:  # mostly degenerate resamples: no honest interval
        return np.nan, np.nan
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _pearson(x, y):
    return stats.pearsonr(x, y, axis=-1).statistic


def _spearman(x, y):  # Spearman = Pearson of ranks; rankdata averages ties like spearmanr does
    return _pearson(stats.rankdata(x, axis=-1), stats.rankdata(y, axis=-1))


def _too_few(x, y):
    """Why a correlation cannot be computed, or '' when it can."""
    if len(x) < MIN_POINTS:
        return f"too few points (n={len(x)} < {MIN_POINTS})"
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return "constant input: correlation undefined"
    return ""


def _correlate_one(x, y, n_boot, seed):
    row = {"n": len(x), "note": _too_few(x, y)}
    if row["note"]:
        return row
    for name, exact, vectorised in (("spearman", stats.spearmanr, _spearman),
                                    ("pearson", stats.pearsonr, _pearson)):
        res = exact(x, y)
        low, high = bootstrap_ci([(x, y)], vectorised, n_boot, seed)
        row.update({name: float(res.statistic), f"{name}_ci_low": low, f"{name}_ci_high": high,
                    f"{name}_p": float(res.pvalue)})
    return row


def holm(pvalues):
    """Holm-adjusted p-values; NaNs (rows that were not tested) stay NaN."""
    p = pd.Series(pvalues, dtype=float)
    out = pd.Series(np.nan, index=p.index)
    tested = p.notna()
    if tested.any():
        out[tested] = _holm(p[tested].to_numpy())
    return out.to_numpy()


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjustment, as statsmodels' multipletests(method="holm"), written out because
    multipletests runs a full gc.collect() per call (~0.2 s), which dominated report time."""
    order = np.argsort(p)
    adjusted = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]).clip(max=1.0)
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def groups(df, by):
    """(key dict, part) per group of `by` (all of df as one group when `by` is empty), NaN keys kept."""
    if not by:
        return [({}, df)]
    return [(dict(zip(by, k if isinstance(k, tuple) else (k,))), part)
            for k, part in df.groupby(list(by), dropna=False, sort=True)]


def correlate(df, x, y, by=None, n_boot=2000, seed=0):
    """Spearman and Pearson of y on x (per `by` group) with bootstrap 95% CIs, n, p and Holm p."""
    by = [by] if isinstance(by, str) else list(by or [])
    rows = []
    for key, part in groups(df, by):
        part = part[[x, y]].apply(pd.to_numeric, errors="coerce").dropna()
        rows.append({**key, "x": x, "y": y,
                     **_correlate_one(part[x].to_numpy(), part[y].to_numpy(), n_boot, seed)})
    cols = ["n", *[f"{m}{s}" for m in ("spearman", "pearson") for s in ("", "_ci_low", "_ci_high", "_p")]]
    out = pd.DataFrame(rows).reindex(columns=[*by, "x", "y", *cols, "note"])
    for name in ("spearman", "pearson"):  # Holm across the rows of `by`, separately per coefficient
        out.insert(out.columns.get_loc(f"{name}_p") + 1, f"{name}_p_holm", holm(out[f"{name}_p"]))
    return out


def summarize(df, by, value="gain", n_boot=2000, seed=0):
    """Mean of `value` per group with bootstrap CI, n, sd and Cohen's d (mean / sd, d_z for differences)."""
    by = list(by)
    rows = [{**key, **_mean_row(pd.to_numeric(part[value], errors="coerce").dropna().to_numpy(), n_boot, seed)}
            for key, part in groups(df, by)]
    return pd.DataFrame(rows, columns=[*by, "n", "mean", "ci_low", "ci_high", "sd", "d", "note"])


def _mean_row(v, n_boot, seed):
    if len(v) == 0:
        return {"n": 0, "note": "no data"}
    row = {"n": len(v), "mean": float(v.mean()), "note": ""}
    if len(v) < 2:
        return {**row, "note": "one value: no CI or sd"}
    sd = float(v.std(ddof=1))
    low, high = bootstrap_ci([(v,)], lambda a: a.mean(axis=-1), n_boot, seed)
    return {**row, "ci_low": low, "ci_high": high, "sd": sd, "d": row["mean"] / sd if sd > 0 else np.nan,
            "note": "" if sd > 0 else "zero variance: d undefined"}


def _formula_columns(df, formula, group):
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula))
    return [c for c in df.columns if c in names] + ([group] if group else [])


def regress(df, formula, group=None):
    """OLS with HC3 errors and, when `group` has repeated levels, a MixedLM with a random intercept.

    Returns one tidy row per (model, term): coef, se, CI, p, n, n_groups and a note; one row with only a
    note when a model cannot be fit.
    """
    data = df[_formula_columns(df, formula, group)].dropna()
    tables = [_fit(lambda: smf.ols(formula, data).fit(cov_type="HC3"), "ols_hc3", len(data))]
    if group:
        counts = data[group].value_counts()
        if len(counts) >= 2 and (counts > 1).any():
            fit = lambda: smf.mixedlm(formula, data, groups=data[group]).fit(reml=True)
            tables.append(_fit(fit, "mixedlm", len(data), n_groups=len(counts)))
        else:
            tables.append(_failed("mixedlm", len(data), f"group '{group}' needs >= 2 levels and repeats"))
    return pd.concat(tables, ignore_index=True)


def _fit(make, name, n, n_groups=np.nan):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = make()
        except Exception as err:  # patsy/linalg errors all mean "cannot be fit"; report instead of raising
            return _failed(name, n, f"cannot fit: {type(err).__name__}: {err}")
    if res.df_resid <= 0:
        return _failed(name, n, f"cannot fit: n={n} is not more than the {n - int(res.df_resid)} parameters")
    return _tidy(res, name, n, n_groups, _warning_note(caught))


def _warning_note(caught):
    """Convergence/boundary warnings matter for reading a MixedLM; keep their first line."""
    notes = dict.fromkeys(f"{w.category.__name__}: {str(w.message).splitlines()[0][:90]}" for w in caught
                          if "Convergence" in w.category.__name__ or "singular" in str(w.message).lower())
    return ("warning: " + "; ".join(notes)) if notes else ""


def _tidy(res, name, n, n_groups, note):
    ci = res.conf_int()
    terms = [t for t in res.params.index if t != "Group Var"]  # the MixedLM variance is not a coefficient
    out = pd.DataFrame({"model": name, "term": terms, "coef": res.params[terms].to_numpy(),
                        "se": res.bse[terms].to_numpy(), "ci_low": ci.loc[terms, 0].to_numpy(),
                        "ci_high": ci.loc[terms, 1].to_numpy(), "p": res.pvalues[terms].to_numpy(),
                        "n": n, "n_groups": n_groups, "note": note})
    if hasattr(res, "cov_re"):  # random-intercept variance, in squared units of the outcome
        out.loc[len(out)] = {"model": name, "term": "group_var", "coef": float(res.cov_re.iloc[0, 0]),
                             "n": n, "n_groups": n_groups, "note": note}
    return out


def _failed(name, n, note):
    return pd.DataFrame([{"model": name, "term": "", "n": n, "note": note}])
