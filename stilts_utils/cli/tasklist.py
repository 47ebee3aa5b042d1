"""The task listing of `python -m stilts_utils tasks`."""
from __future__ import annotations

import pandas as pd

from ..model.kinds import kind_of
from ..tasks import REGISTRY


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


def task_table() -> pd.DataFrame:
    rows = []
    for name, t in REGISTRY.items():
        rows.append({
            "task": name, "benchmark": t.benchmark, "role": t.role, "type": t.kind, "metric": f"{t.metric} ({kind_of(t).scorer(t) if t.trains else 'retrieval'})",
            "trains on": _trains_on(t),
            "selects on": _selects_on(t),
            "eval splits": "/".join(t.eval_splits),
            "languages": len(t.languages) if t.role == "target" else "en",
            "data": t.source.hf_id + (f" [{t.source.config}]" if t.source.config else ""),
        })
    rows.append({"task": "multitask", "benchmark": "xtreme", "role": "intermediate", "type": "mixture",
                 "metric": "per task", "trains on": "multitask.tasks (en)", "selects on": "-",
                 "eval splits": "-", "languages": "en",
                 "data": "sampling ∝ min(N, cap)^(1/T)"})
    order = {"xtreme": 0, "xtreme-r": 1}
    return pd.DataFrame(rows).sort_values(["benchmark", "role"], key=lambda c: c.map(order).fillna(c),
                                          kind="stable")


def language_lines() -> list[str]:
    return [f"{n:9s} {len(t.languages):2d}: {' '.join(t.languages)}" for n, t in REGISTRY.items()
            if t.role == "target"]


def formatted(table: pd.DataFrame, fmt: str) -> str:
    """The task table as Markdown (as in the README), CSV or JSON records."""
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        return table.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    return table.to_markdown(index=False)
