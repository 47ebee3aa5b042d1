"""The task listing of `python -m stilts_utils tasks`."""
from __future__ import annotations

import pandas as pd

from ..model.kinds import kind_of
from ..tasks import REGISTRY
from ..tasks.base import BENCHMARKS


def _selects_on(t) -> str:
    if not t.trains:
        return "dev threshold" if t.mining else "-"
    dev = t.select_task + " en dev"
    return f"last step (held_out: {dev})" if t.xtreme_keeps_last else dev


def _trains_on(t) -> str:
    """The English task(s) phase 3 trains on; with recipes, the default's stages and the other recipes."""
    if not t.trains:
        return "-"
    if not t.recipes:
        return t.train_task + " (en)"
    (default, stages), *others = t.recipes.items()
    other = "; ".join(f"{name}: {' then '.join(s)}" for name, s in others)
    return f"{' then '.join(stages)} (en; protocol.recipes {default}" + (f", or {other})" if other else ")")


def _languages(t) -> str:
    """Evaluation languages under each study `benchmark:` (XTREME's list, then XTREME-R's where it differs)."""
    if t.role != "target":
        return "en"
    xtreme, xtreme_r = len(t.languages_in("xtreme")), len(t.languages_in("xtreme-r"))
    return str(xtreme) if xtreme == xtreme_r else f"{xtreme} (xtreme-r: {xtreme_r})"


def _xtreme_r(t) -> str:
    """How the target enters XTREME-R (`benchmark: xtreme-r`): scored as which evaluate.py task, in which
    groups, and what that benchmark changes about its run; "-" when XTREME-R does not score it."""
    if not t.xtreme_r_languages:
        return "-"
    parts = [f"scored as {t.submission_name}" if t.submission else "scored", "/".join(t.xtreme_r_groups) or "no group"]
    if t.xtreme_r_encoder:
        parts.append(f"baseline embeds with the {t.xtreme_r_encoder} encoder")
    return "; ".join(parts)


def task_table() -> pd.DataFrame:
    rows = []
    for name, t in REGISTRY.items():
        rows.append({
            "task": name, "benchmark": t.benchmark, "role": t.role, "type": t.kind, "metric": f"{t.metric} ({kind_of(t).scorer(t) if t.trains else 'retrieval'})",
            "trains on": _trains_on(t),
            "selects on": _selects_on(t),
            "eval splits": "/".join(t.eval_splits),
            "languages": _languages(t),
            "xtreme-r": _xtreme_r(t),
            "data": t.source.hf_id + (f" [{t.source.config}]" if t.source.config else ""),
        })
    rows.append({"task": "multitask", "benchmark": "xtreme", "role": "intermediate", "type": "mixture",
                 "metric": "per task", "trains on": "multitask.tasks (en)", "selects on": "-",
                 "eval splits": "-", "languages": "en", "xtreme-r": "-",
                 "data": "sampling ∝ min(N, cap)^(1/T)"})
    order = {"xtreme": 0, "xtreme-r": 1}
    return pd.DataFrame(rows).sort_values(["benchmark", "role"], key=lambda c: c.map(order).fillna(c),
                                          kind="stable")


def language_lines() -> list[str]:
    """Each target's languages under each benchmark (study `benchmark:`), XTREME-R's only where they differ."""
    lines = []
    for n, t in REGISTRY.items():
        if t.role != "target":
            continue
        lists = {b: t.languages_in(b) for b in BENCHMARKS}
        lines.append(f"{n:9s} {len(t.languages):2d}: {' '.join(t.languages)}")
        if lists["xtreme-r"] != lists["xtreme"]:
            added = [lang for lang in lists["xtreme-r"] if lang not in lists["xtreme"]]
            lines.append(f"{'':9s} xtreme-r {len(lists['xtreme-r'])}: + {' '.join(added)}")
    return lines


def formatted(table: pd.DataFrame, fmt: str) -> str:
    """The task table as Markdown (as in the README), CSV or JSON records."""
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        return table.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    return table.to_markdown(index=False)
