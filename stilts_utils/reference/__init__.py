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

# Pretraining corpora a language's volume is counted in: the language-table column that holds it and the
# tokens one unit of that column is. Which corpus a model saw is a fact of its family (families.py
# `corpus`: XLM-R CC-100, mT5 mC4, mBERT Wikipedia); the sandbox world's volumes are CC-100-like.
CORPORA = {
    "cc100": {"column": "cc100_tokens_m", "tokens_per_unit": 1e6, "title": "CC-100"},
    "mc4": {"column": "mc4_tokens_b", "tokens_per_unit": 1e9, "title": "mC4"},
    "wikipedia": {"column": "wiki_tokens", "tokens_per_unit": 1.0, "title": "Wikipedia"},
}
DEFAULT_CORPUS = "cc100"
# The volume columns join_languages adds: the corpus each row's model was pretrained on, its token count of
# the row's language there, and its log10 (NaN where the corpus has no such language: reported, not dropped)
VOLUME_COLUMNS = ("volume_corpus", "volume_tokens", "log10_volume_tokens")


def language_table(benchmark=None):
    """One row per XTREME / XTREME-R language; `benchmark="XTREME"` keeps the 40 XTREME ones."""
    table = pd.read_csv(DATA / "languages.csv", dtype={"wiki_in_mbert": "string"})
    table["wiki_in_mbert"] = table.wiki_in_mbert.map({"y": True, "n": False}).astype("boolean")
    if benchmark is not None:
        table = table[table.benchmark.str.split(",").map(lambda b: benchmark in b)]
    return table.reset_index(drop=True)


def join_languages(df, table=None, corpora=None):
    """Left join language metadata onto `df` by `language`, add `log10_cc100_tokens` and the volume of each
    row's language in its model's pretraining corpus (VOLUME_COLUMNS; `corpora`: {model: corpus}, CC-100
    for a model not named).

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
    return add_volume(out, corpora)


def corpus_title(corpus: str) -> str:
    return CORPORA[corpus]["title"]


def add_volume(df, corpora=None):
    """VOLUME_COLUMNS from the language-table columns already on `df`: each row counted in the corpus of
    its model (`corpora`: {model: corpus}; CC-100 for a model not named or a frame without `model`)."""
    corpora = corpora or {}
    unknown = sorted(set(corpora.values()) - set(CORPORA))
    if unknown:
        raise ValueError(f"unknown pretraining corpora {unknown}; known: {', '.join(CORPORA)}")
    models = df["model"] if "model" in df else pd.Series("", index=df.index)
    corpus = models.map(lambda m: corpora.get(m, DEFAULT_CORPUS)).astype(str)
    tokens = pd.Series(np.nan, index=df.index)
    for name, spec in CORPORA.items():
        rows = corpus == name
        if rows.any() and spec["column"] in df:
            tokens[rows] = pd.to_numeric(df.loc[rows, spec["column"]], errors="coerce") * spec["tokens_per_unit"]
    return df.assign(volume_corpus=corpus, volume_tokens=tokens,
                     log10_volume_tokens=np.log10(tokens.where(tokens > 0)))


def published_results(targets=PUBLISHED_TARGETS):
    """Published zero-shot test scores per language (long format, one row per model/language/metric)."""
    frames = [pd.read_csv(PUBLISHED / f"{t}.csv") for t in targets]
    return pd.concat(frames, ignore_index=True)


def model_parameters(preferred=True):
    """Published parameter counts; `preferred` keeps one row per model (exact backbone counts first)."""
    table = pd.read_csv(PUBLISHED / "model_parameters.csv")
    table["parameters"] = table.parameters.astype("Int64")
    return table[table.preferred].reset_index(drop=True) if preferred else table
