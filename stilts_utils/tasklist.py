"""The task listing of `python -m stilts_utils tasks`."""
from __future__ import annotations

import pandas as pd

from .evaluation import scorer
from .tasks import REGISTRY


def task_table() -> pd.DataFrame:
    rows = []
    for name, t in REGISTRY.items():
        rows.append({
            "task": name, "role": t.role, "type": t.kind, "metric": f"{t.metric} ({scorer(t) if t.trains else 'retrieval'})",
            "trains on": (t.train_task + " (en)") if t.trains else "-",
            "selects on": (t.select_task + " en dev") if t.trains else ("dev threshold" if t.mining else "-"),
            "eval splits": "/".join(t.eval_splits),
            "languages": f"{len(t.languages)}: {' '.join(t.languages)}" if t.role == "target" else "en",
            "data": t.source.hf_id + (f" [{t.source.config}]" if t.source.config else ""),
        })
    rows.append({"task": "multitask", "role": "intermediate", "type": "mixture",
                 "metric": "per task", "trains on": "multitask.tasks (en)", "selects on": "-",
                 "eval splits": "-", "languages": "en",
                 "data": "sampling ∝ min(N, cap)^(1/T)"})
    return pd.DataFrame(rows)
