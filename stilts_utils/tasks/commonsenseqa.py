from .base import Source, Task
from .mapping import choices

TASK = Task(
    name="commonsenseqa", title="CommonsenseQA", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=Source("tau/commonsense_qa", None, {"train": "train", "dev": "validation"}),
    # answerKey is a letter A-E; its index among the row's own choice letters is the label.
    to_canonical=choices(lambda r: r["question"], lambda r: r["choices"]["text"],
                         lambda r: r["choices"]["label"].index(r["answerKey"])),
    n_choices=5, eval_splits=("dev",), train_size=9_741,
    # CommonsenseQA, 5 choices A-E; test answer keys are hidden, so dev only
)
