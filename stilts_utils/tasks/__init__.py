"""The task registry: one line per task, explicit imports, no discovery magic."""
from . import (anliplus, bucc2018, ccg, commonsenseqa, copa, cosmosqa, hellaswag, lareqa, mewslix, mlqa, mnli, panx,
               pawsx, qqp, siqa, squad, squad_v2, tatoeba, tydiqa, udpos, wikiann, xcopa, xnli, xquad)
from .base import Source, Task

REGISTRY: dict[str, Task] = {
    # intermediate (English)
    "mnli": mnli.TASK,
    "qqp": qqp.TASK,
    "squad": squad.TASK,
    "anliplus": anliplus.TASK,
    "squad_v2": squad_v2.TASK,
    "hellaswag": hellaswag.TASK,
    "ccg": ccg.TASK,
    "cosmosqa": cosmosqa.TASK,
    "commonsenseqa": commonsenseqa.TASK,
    # targets (XTREME)
    "xnli": xnli.TASK,
    "pawsx": pawsx.TASK,
    "udpos": udpos.TASK,
    "panx": panx.TASK,
    "xquad": xquad.TASK,
    "mlqa": mlqa.TASK,
    "tydiqa": tydiqa.TASK,
    "bucc2018": bucc2018.TASK,
    "tatoeba": tatoeba.TASK,
    # XTREME-R (RQ5): targets, and English SIQA and COPA as XCOPA's training tasks
    "siqa": siqa.TASK,
    "copa": copa.TASK,
    "xcopa": xcopa.TASK,
    "wikiann": wikiann.TASK,
    "mewslix": mewslix.TASK,
    "lareqa": lareqa.TASK,
}


# Scored from submission folders only (`score --benchmark xtreme-r`), no study can target them: a task whose
# kind has no training implementation yet. It moves to REGISTRY with its kind and its fixture rows (as
# Mewsli-X and LAReQA did with the dual encoder).
SCORE_ONLY: dict[str, Task] = {}


def scored_tasks() -> dict[str, Task]:
    """Every task a submission folder can hold: the registry's, then the score-only ones."""
    return {**REGISTRY, **SCORE_ONLY}


def xtreme_tasks() -> dict[str, Task]:
    """The nine XTREME-scored targets, in XTREME's order (the registry's order)."""
    return {name: task for name, task in REGISTRY.items() if task.xtreme_group}


def xtreme_r_tasks() -> dict[str, Task]:
    """The ten XTREME-R-scored targets (those with `xtreme_r_languages`), in registry order."""
    return {name: task for name, task in scored_tasks().items() if task.xtreme_r_languages}


__all__ = ["REGISTRY", "SCORE_ONLY", "Source", "Task", "scored_tasks", "xtreme_r_tasks", "xtreme_tasks"]
