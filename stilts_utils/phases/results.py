"""Tidy result rows (docs/design.md §1): written atomically per pair, collected per study."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write_text

COLUMNS = ["study", "model", "model_params", "intermediate", "intermediate_data", "mlm_weight",
           "intermediate_steps", "target", "language", "split", "metric", "value", "seed", "target_steps", "run_id",
           "wall_time_s", "variant"]
# Columns added after rows were first written: a rows file without one is intact and reads with this value.
ADDED = {"mlm_weight": 0.0}


def make_rows(meta: dict, scores: dict) -> list[dict]:
    """meta: every column except language/split/metric/value; scores: {(language, split): {metric: v}}."""
    rows = []
    for (language, split), metrics in scores.items():
        for metric, value in metrics.items():
            rows.append({**meta, "language": language, "split": split, "metric": metric,
                         "value": float(value)})
    missing = set(COLUMNS) - set(rows[0]) if rows else set()
    if missing:
        raise ValueError(f"result rows lack columns {sorted(missing)}")
    return [{c: r[c] for c in COLUMNS} for r in rows]


def write_rows(path: str | Path, rows: list[dict]) -> None:
    if not rows:
        raise ValueError("a finished pair must produce at least one result row")
    atomic_write_text(path, json.dumps(rows, indent=1))


def rows_damage(path: str | Path) -> str | None:
    """What is wrong with a rows file (None: nothing): it must be a non-empty JSON list of rows with
    exactly COLUMNS and a numeric value. Rows are written atomically, so a bad one was damaged later."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return f"not readable as JSON: {type(err).__name__}: {str(err)[:80]}"
    if not isinstance(rows, list) or not rows:
        return "not a non-empty list of rows"
    for n, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) | set(ADDED) != set(COLUMNS):
            got = sorted(row) if isinstance(row, dict) else type(row).__name__
            return f"row {n} has columns {got}, expected {COLUMNS}"
        if not isinstance(row["value"], (int, float)) or isinstance(row["value"], bool):
            return f"row {n} has value {row['value']!r}, expected a number"
    return None


def read_rows(path: str | Path) -> list[dict]:
    why = rows_damage(path)
    if why is not None:
        raise ValueError(f"{path}: {why}")
    with open(path) as fh:
        return [{**ADDED, **row} for row in json.load(fh)]


def collect(row_files, parquet: Path, csv: Path) -> pd.DataFrame:
    """Concatenate every finished pair's rows into the study table (parquet + CSV, atomically)."""
    rows = [r for f in sorted(row_files) for r in read_rows(f)]
    df = pd.DataFrame(rows, columns=COLUMNS)
    for path, write in ((parquet, lambda p: df.to_parquet(p, index=False)),
                        (csv, lambda p: df.to_csv(p, index=False))):
        tmp = path.with_name(f".{path.name}.tmp")
        write(tmp)
        os.replace(tmp, path)
    return df


def load(study_dir: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(study_dir) / "results.parquet")
