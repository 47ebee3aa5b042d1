"""Training-step estimates for the dry run, from local copies or the tasks' published sizes."""
from __future__ import annotations

from ..data.loading import count_rows
from ..study.identity import Pair
from ..tasks import REGISTRY


def _rows(study, task_name: str, variant: str) -> tuple[int, str]:
    n = count_rows(task_name, "en", "train", study, variant)
    if n is not None:
        return n, ""
    return study.world_impl.train_rows_estimate(REGISTRY[task_name], variant)


def steps_estimate(study, job) -> str:
    if isinstance(job, Pair):
        task = REGISTRY[job.target]
        if not task.trains:
            return "0 (retrieval: no training)"
        settings, names = study.target_settings(job.target), [task.train_task]
    else:
        settings = study.phase2
        names = study.multitask.tasks if job.intermediate == "multitask" else [job.intermediate]
    counted = [_rows(study, n, job.variant) for n in names]
    rows = sum(n for n, _ in counted)
    if not isinstance(job, Pair) and job.intermediate_data == "en+translated":
        rows *= 2
    if settings.max_train_examples:
        rows = min(rows, settings.max_train_examples)
    mark = "≈" if any(m for _, m in counted) else ""
    if rows == 0:
        return "? (size unknown until the data is local)"
    return f"{mark}{settings.total_steps(rows)}"
