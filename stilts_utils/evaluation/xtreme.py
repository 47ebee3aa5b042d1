"""XTREME and XTREME-R aggregation: per-task means over the benchmark's language lists, group scores and the
overall score.

Semantics of google-research/xtreme evaluate.py (`--xtreme_version xtreme` or `xtreme-r`), minus jiant's
defect of averaging the English *training* task's dev score into the aggregate: only the benchmark's target
tasks and only their listed languages ever enter a mean. Everything is on a 0-100 scale. Which tasks,
languages, groups and headline metrics these are is read from the task modules (`xtreme_group`, `languages`
for XTREME; `xtreme_r_groups`, `xtreme_r_languages` for XTREME-R; `metric`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..tasks import scored_tasks, xtreme_r_tasks, xtreme_tasks
from ..tasks.base import XTREME_GROUPS, XTREME_R_GROUPS


@dataclass(frozen=True)
class Benchmark:
    """A scoring benchmark: its tasks' languages (evaluate.py TASK2LANGS) and groups (GROUP2TASK)."""

    name: str  # the --benchmark value
    title: str  # as reports name it
    task2langs: dict  # keyed by evaluate.py's task (submission folder) names
    groups: dict
    tasks: dict  # evaluate.py's name -> the Task behind it (XTREME-R's `panx` is our `wikiann`)


def _benchmark(name: str, title: str, tasks: dict, groups_of, group_names: tuple) -> Benchmark:
    by_folder = {t.submission_name: t for t in tasks.values()}
    return Benchmark(name, title, {n: list(t.languages_in(name)) for n, t in by_folder.items()},
                     {g: [n for n, t in by_folder.items() if g in groups_of(t)] for g in group_names}, by_folder)


BENCHMARKS = {
    "xtreme": _benchmark("xtreme", "XTREME", xtreme_tasks(), lambda t: (t.xtreme_group,), XTREME_GROUPS),
    "xtreme-r": _benchmark("xtreme-r", "XTREME-R", xtreme_r_tasks(), lambda t: t.xtreme_r_groups, XTREME_R_GROUPS),
}
DEFAULT_BENCHMARK = "xtreme"

# XTREME evaluation languages per scored task (xtreme evaluate.py TASK2LANGS), from the task modules.
TASK2LANGS = BENCHMARKS["xtreme"].task2langs
GROUPS = BENCHMARKS["xtreme"].groups


def benchmark(name: str) -> Benchmark:
    """The benchmark called `name`; an unknown one names the value and the benchmarks there are."""
    try:
        return BENCHMARKS[name]
    except (KeyError, TypeError):
        raise ValueError(f"benchmark {name!r} is not one of {', '.join(BENCHMARKS)}") from None


def _per_language(df: pd.DataFrame, task: str, task_col: str, langs: list[str]) -> pd.DataFrame:
    """One task's rows as a [language x metric] table, restricted to the benchmark's languages."""
    rows = df[(df[task_col] == task) & df["language"].isin(langs)]
    dup = rows.duplicated(["language", "metric"])
    if dup.any():
        first = rows[dup].iloc[0]
        raise ValueError(f"{task}: several values for language {first['language']!r}, metric "
                         f"{first['metric']!r}; select one split/seed/model (or average) before aggregating")
    return rows.pivot(index="language", columns="metric", values="value")


def task_score(table: pd.DataFrame, task: str, langs: list[str] | None = None, facts=None) -> dict:
    """Unweighted mean over the task's languages (XTREME's unless `langs`); NaN where a language or metric
    is missing.

    `table` is [language x metric]; the result holds avg_<metric>, score, score_f1 and missing. `facts`: the
    Task scored (by default the registry's `task`)."""
    langs = TASK2LANGS[task] if langs is None else langs
    facts = facts or scored_tasks()[task]
    missing = [lang for lang in langs if lang not in table.index]
    out = {f"avg_{m}": float(table[m].reindex(langs).mean(skipna=False)) for m in table.columns}
    if facts.is_qa:  # (em + f1) / 2 as evaluate.py, and f1 alone
        em, f1 = out.get("avg_em", math.nan), out.get("avg_f1", math.nan)
        out["score"], out["score_f1"] = (em + f1) / 2, f1
    else:
        out["score"] = out["score_f1"] = out.get(f"avg_{facts.metric}", math.nan)
    out["missing"] = missing
    return out


def xtreme_scores(df: pd.DataFrame, task_col: str = "task", benchmark_name: str = DEFAULT_BENCHMARK) -> dict:
    """Task, group and overall scores of a benchmark (XTREME by default) from tidy rows (task_col, language,
    metric, value).

    Tasks outside the benchmark (intermediate tasks; Mewsli-X under XTREME) are ignored. A group or the
    overall score is given only when all its tasks have a complete score; otherwise `missing_tasks` says what
    is lacking. "overall" uses QA = (EM+F1)/2 as evaluate.py; "overall_f1" uses QA F1 alone."""
    bench = benchmark(benchmark_name)
    task2langs = bench.task2langs
    tasks = {t: task_score(_per_language(df, t, task_col, langs), t, langs, bench.tasks[t])
             for t, langs in task2langs.items() if (df[task_col] == t).any()}
    complete = {t for t, s in tasks.items() if not math.isnan(s["score"])}
    missing = [t for t in task2langs if t not in complete]
    groups = {g: _mean([tasks[t]["score"] for t in ts]) for g, ts in bench.groups.items() if set(ts) <= complete}
    out = {"tasks": tasks, "groups": groups, "missing_tasks": missing,
           "overall": None, "overall_f1": None, "benchmark": bench.name}
    if not missing:
        out["overall"] = _mean([tasks[t]["score"] for t in task2langs])
        out["overall_f1"] = _mean([tasks[t]["score_f1"] for t in task2langs])
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)

