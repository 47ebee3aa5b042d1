from .base import Source, Task
from .mapping import pair

TASK = Task(
    name="qqp", title="QQP", kind="classification", role="intermediate", metric="accuracy",
    source=Source("nyu-mll/glue", "qqp", {"train": "train", "dev": "validation"}),
    to_canonical=pair("question1", "question2"), labels=("not_duplicate", "duplicate"),
    eval_splits=("dev",), train_size=363_846,
    # Quora Question Pairs (GLUE); test labels are hidden, so dev only
)
