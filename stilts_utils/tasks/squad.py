from .base import Source, Task
from .mapping import squad

TASK = Task(
    name="squad", title="SQuAD v1.1", kind="span_qa", role="intermediate", metric="f1",
    source=Source("rajpurkar/squad", None, {"train": "train", "dev": "validation"}),
    to_canonical=squad, eval_splits=("dev",), train_size=87_599,
    # SQuAD v1.1 extractive QA
)
