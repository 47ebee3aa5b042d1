"""Tables for the write-up: one LaTeX `table` (booktabs, caption, label) per exported table, built from the
same frame as its CSV (which keeps every column at full precision).

What changes on the way: a confidence interval's two columns become one "[lo, hi]" column; a column that
is the same on every row leaves the table for the caption; each column gets a fixed number of decimals
(counts 0, coefficients and p-values 2-3, scores and gains 1); headers are human names (style.COLUMNS);
a table wider than MAX_COLUMNS is transposed when it has few rows, else split into parts that each repeat
the key (text) columns.
"""
from __future__ import annotations

import re

import pandas as pd

from . import style

MAX_COLUMNS = 8
DECIMALS = [  # (column-name pattern, decimals); first match wins, the default is 1 (points)
    (r"^(n|n_.*|.*_steps|seed|model_params)$", 0),
    (r"^(p|p_.*|.*_p|pvalue|.*p_holm)$", 3),
    (r"^(rho|r|spearman.*|pearson.*|d_z|slope.*|transfer_ratio|.*ratio|log10_.*)$", 2),
]
# LaTeX has no glyphs for these in its default fonts; `escape` leaves them as they are
SYMBOLS = {"ρ": r"$\rho$", "₁₀": r"$_{10}$", "−": "--", "–": "--"}


def decimals(column: str) -> int:
    return next((d for pattern, d in DECIMALS if re.match(pattern, column)), 1)


def merge_cis(df: pd.DataFrame) -> pd.DataFrame:
    """`X_ci_low` + `X_ci_high` (or `ci_low` + `ci_high`) -> one `X_ci` column "[lo, hi]"."""
    df = df.copy()
    for low in [c for c in df.columns if c.endswith("ci_low")]:
        high = low[: -len("ci_low")] + "ci_high"
        if high not in df:
            continue
        stem = low[: -len("ci_low")]
        d = decimals(stem.rstrip("_") or "mean")
        text = [("" if pd.isna(lo) or pd.isna(hi) else f"[{lo:.{d}f}, {hi:.{d}f}]")
                for lo, hi in zip(df[low], df[high])]
        at = list(df.columns).index(low)
        df = df.drop(columns=[low, high])
        df.insert(at, f"{stem}ci", text)
    return df


def constant_columns(df: pd.DataFrame) -> dict:
    """{column: value} of the columns that hold one value on every row (only when there are rows to spare)."""
    if len(df) < 2:
        return {}
    return {c: df[c].iloc[0] for c in df.columns if df[c].astype(str).nunique() == 1 and len(df.columns) > 2}


def formatted(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text: fixed decimals per column, task names shown as the paper writes them."""
    out = pd.DataFrame(index=df.index)
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_bool_dtype(values):
            out[column] = values.map({True: "yes", False: "no"})
        elif pd.api.types.is_numeric_dtype(values):
            d = 0 if pd.api.types.is_integer_dtype(values) else decimals(column)
            out[column] = values.map(lambda v, d=d: _number(v, d))
        elif column in ("target", "intermediate"):
            out[column] = values.map(style.task)
        else:
            out[column] = values.fillna("").astype(str)
    return out


def _number(v, d: int) -> str:
    if pd.isna(v):
        return ""
    if d == 3 and 0 <= v < 0.001:  # p-values: no "0.000"
        return "<0.001"
    return f"{v:,.{d}f}".replace(",", "{,}")


def _parts(df: pd.DataFrame, keys: list) -> list[pd.DataFrame]:
    """The table as it fits a page: itself, its transpose (few rows), or column blocks sharing the keys."""
    if len(df.columns) <= MAX_COLUMNS:
        return [df]
    if len(df) <= MAX_COLUMNS and len(keys) >= 1:
        label = df[keys].astype(str).agg(" | ".join, axis=1)
        wide = df.drop(columns=keys).T
        wide.columns = label
        return [wide.reset_index(names="")]
    rest = [c for c in df.columns if c not in keys]
    step = max(1, MAX_COLUMNS - len(keys))
    return [df[keys + rest[i:i + step]] for i in range(0, len(rest), step)]


def to_latex(df: pd.DataFrame, name: str, caption: str | None = None) -> str:
    """The LaTeX of one exported table: booktabs `table` environment(s) with caption and label."""
    table = merged = merge_cis(df)
    fixed = constant_columns(table)
    table = table.drop(columns=list(fixed))
    keys = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c]) and not c.endswith("ci")][:3]
    table = formatted(table)
    caption = caption or name.replace("_", " ").capitalize()
    if fixed:
        caption += " (all rows: " + "; ".join(f"{style.column(k)} {formatted(merged[[k]].head(1))[k].iloc[0]}"
                                               for k in fixed) + ")"
    parts = _parts(table, keys)
    blocks = []
    for i, part in enumerate(parts, 1):
        part = part.rename(columns=lambda c: style.column(c) if c else "")
        label = f"tab:{name}" + (f"-{i}" if len(parts) > 1 else "")
        cap = caption + (f", part {i} of {len(parts)}" if len(parts) > 1 else "")
        text = part.to_latex(index=False, escape=True, caption=cap, label=label, position="htbp",
                             column_format="l" * len(part.columns))
        blocks.append(text.replace(r"\{,\}", "{,}"))
    tex = "\n".join(blocks)
    for symbol, latex in SYMBOLS.items():
        tex = tex.replace(symbol, latex)
    return tex
