from .base import Source, Task
from .mapping import squad

TASK = Task(
    name="squad_v2", title="SQuAD v2.0", kind="span_qa", role="intermediate", metric="f1",
    source=Source("rajpurkar/squad_v2", None, {"train": "train", "dev": "validation"}),
    to_canonical=squad, null_answer=True, eval_splits=("dev",), train_size=130_319,
    # SQuAD v2.0: span QA with unanswerable questions (empty `answers`); test is hidden, so dev only
)
