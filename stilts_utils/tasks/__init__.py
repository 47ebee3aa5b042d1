"""The task registry: one line per task, explicit imports, no discovery magic."""
from . import (anliplus, bucc2018, ccg, commonsenseqa, copa, cosmosqa, hellaswag, mlqa, mnli, panx, pawsx,
               qqp, squad, squad_v2, tatoeba, tydiqa, udpos, wikiann, xcopa, xnli, xquad)
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
    # XTREME-R (RQ5): targets, and English COPA as XCOPA's training task
    "copa": copa.TASK,
    "xcopa": xcopa.TASK,
    "wikiann": wikiann.TASK,
}


def task_languages(task: Task, study) -> list[str]:
    """Evaluation languages of a task in a study's world (the sandbox has its own languages)."""
    if study.world != "sandbox":
        return list(task.languages) if task.role == "target" else ["en"]
    from ..config import world_settings
    from ..sandbox import world_languages

    langs = world_languages(world_settings(study))
    if task.kind == "retrieval":  # pairs with English: English itself is no query language
        return [lang for lang in langs if lang != "en"]
    return langs if task.role == "target" else ["en"]


__all__ = ["REGISTRY", "Source", "Task", "task_languages"]
