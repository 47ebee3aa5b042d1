"""The task registry: one line per task, explicit imports, no discovery magic."""
from . import bucc2018, mnli, panx, qqp, squad, tatoeba, udpos, xnli, xquad
from .base import Source, Task

REGISTRY: dict[str, Task] = {
    # intermediate (English)
    "mnli": mnli.TASK,
    "qqp": qqp.TASK,
    "squad": squad.TASK,
    # targets (XTREME)
    "xnli": xnli.TASK,
    "udpos": udpos.TASK,
    "panx": panx.TASK,
    "xquad": xquad.TASK,
    "bucc2018": bucc2018.TASK,
    "tatoeba": tatoeba.TASK,
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
