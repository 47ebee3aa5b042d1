"""XTREME aggregation: per-task means over XTREME's language lists, group scores and the overall score.

Semantics of google-research/xtreme evaluate.py, minus jiant's defect of averaging the English *training*
task's dev score into the aggregate: only the nine target tasks and only their listed languages ever
enter a mean. Everything is on a 0-100 scale. Which tasks, languages, groups and headline metrics these
are is read from the task modules (`xtreme_group`, `languages`, `metric`).
"""
from __future__ import annotations

import math
import pandas as pd

from ..tasks import REGISTRY, xtreme_tasks
from ..tasks.base import XTREME_GROUPS

# XTREME evaluation languages per scored task (xtreme evaluate.py TASK2LANGS), from the task modules.
TASK2LANGS = {name: list(task.languages) for name, task in xtreme_tasks().items()}
GROUPS = {group: [n for n, t in xtreme_tasks().items() if t.xtreme_group == group] for group in XTREME_GROUPS}


def _per_language(df: pd.DataFrame, task: str, task_col: str) -> pd.DataFrame:
    """One task's rows as a [language x metric] table, restricted to XTREME's languages."""
    rows = df[(df[task_col] == task) & df["language"].isin(TASK2LANGS[task])]
    dup = rows.duplicated(["language", "metric"])
    if dup.any():
        first = rows[dup].iloc[0]
        raise ValueError(f"{task}: several values for language {first['language']!r}, metric "
                         f"{first['metric']!r}; select one split/seed/model (or average) before aggregating")
    return rows.pivot(index="language", columns="metric", values="value")


def task_score(table: pd.DataFrame, task: str) -> dict:
    """Unweighted mean over the task's languages; NaN where a language or metric is missing.

    `table` is [language x metric]; the result holds avg_<metric>, score, score_f1 and missing."""
    langs = TASK2LANGS[task]
    missing = [lang for lang in langs if lang not in table.index]
    out = {f"avg_{m}": float(table[m].reindex(langs).mean(skipna=False)) for m in table.columns}
    if REGISTRY[task].is_qa:  # (em + f1) / 2 as evaluate.py, and f1 alone
        em, f1 = out.get("avg_em", math.nan), out.get("avg_f1", math.nan)
        out["score"], out["score_f1"] = (em + f1) / 2, f1
    else:
        out["score"] = out["score_f1"] = out.get(f"avg_{REGISTRY[task].metric}", math.nan)
    out["missing"] = missing
    return out


def xtreme_scores(df: pd.DataFrame, task_col: str = "task") -> dict:
    """Task, group and overall XTREME scores from tidy rows (task_col, language, metric, value).

    Tasks outside the nine (intermediate tasks, Mewsli-X) are ignored. A group or the overall score is
    given only when all its tasks have a complete score; otherwise `missing_tasks` says what is lacking.
    "overall" uses QA = (EM+F1)/2 as evaluate.py; "overall_f1" uses QA F1 alone."""
    tasks = {t: task_score(_per_language(df, t, task_col), t)
             for t in TASK2LANGS if (df[task_col] == t).any()}
    complete = {t for t, s in tasks.items() if not math.isnan(s["score"])}
    missing = [t for t in TASK2LANGS if t not in complete]
    groups = {g: _mean([tasks[t]["score"] for t in ts]) for g, ts in GROUPS.items() if set(ts) <= complete}
    out = {"tasks": tasks, "groups": groups, "missing_tasks": missing,
           "overall": None, "overall_f1": None}
    if not missing:
        out["overall"] = _mean([tasks[t]["score"] for t in TASK2LANGS])
        out["overall_f1"] = _mean([tasks[t]["score_f1"] for t in TASK2LANGS])
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)

