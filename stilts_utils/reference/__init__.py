"""Language metadata and the published reference numbers packaged with stilts_utils.

Everything is read from this folder (provenance in `SOURCES.md`); nothing outside the
package is read at run time.
"""
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent
PUBLISHED = DATA / "published"
# per-language published results of these targets (one CSV each, see SOURCES.md)
PUBLISHED_TARGETS = tuple(sorted(p.stem for p in PUBLISHED.glob("*.csv") if p.stem != "model_parameters"))

# The columns any language table must have: the packaged one and the sandbox world's both do.
JOIN_COLUMNS = ("language", "name", "family", "script", "cc100_tokens_m", "word_order", "morphology")


def language_table(benchmark=None):
    """One row per XTREME / XTREME-R language; `benchmark="XTREME"` keeps the 40 XTREME ones."""
    table = pd.read_csv(DATA / "languages.csv", dtype={"wiki_in_mbert": "string"})
    table["wiki_in_mbert"] = table.wiki_in_mbert.map({"y": True, "n": False}).astype("boolean")
    if benchmark is not None:
        table = table[table.benchmark.str.split(",").map(lambda b: benchmark in b)]
    return table.reset_index(drop=True)


def join_languages(df, table=None):
    """Left join language metadata onto `df` by `language` and add `log10_cc100_tokens`.

    `table` is the packaged table by default, or any table with JOIN_COLUMNS (e.g. the sandbox world's).
    A table holding several `variant`s (one sandbox world per study variant) joins on (variant, language).
    Columns that `df` already has are not joined again, so joining twice is harmless.
    """
    table = language_table() if table is None else table
    missing = [c for c in JOIN_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"language table lacks columns {missing}; it needs {list(JOIN_COLUMNS)}")
    per_variant = "variant" in table and "variant" in df and table.variant.nunique(dropna=False) > 1
    keys = ["variant", "language"] if per_variant else ["language"]
    table = table if per_variant else table.drop(columns="variant", errors="ignore")
    if table.duplicated(keys).any():
        raise ValueError(f"language table repeats {keys}: {table[table.duplicated(keys)][keys].head(3).values}")
    extra = [c for c in table.columns if c in keys or c not in df.columns]
    out = df.merge(table[extra], on=keys, how="left", validate="many_to_one")
    tokens = pd.to_numeric(out.cc100_tokens_m, errors="coerce")
    # log10 of the token count itself (millions * 1e6); missing or non-positive volumes stay NaN.
    out["log10_cc100_tokens"] = np.log10(tokens.where(tokens > 0) * 1e6)
    return out


def published_results(targets=PUBLISHED_TARGETS):
    """Published zero-shot test scores per language (long format, one row per model/language/metric)."""
    frames = [pd.read_csv(PUBLISHED / f"{t}.csv") for t in targets]
    return pd.concat(frames, ignore_index=True)


def model_parameters(preferred=True):
    """Published parameter counts; `preferred` keeps one row per model (exact backbone counts first)."""
    table = pd.read_csv(PUBLISHED / "model_parameters.csv")
    table["parameters"] = table.parameters.astype("Int64")
    return table[table.preferred].reset_index(drop=True) if preferred else table
