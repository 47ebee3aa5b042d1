from .base import Source, Task
from .mapping import choices

TASK = Task(
    name="cosmosqa", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=Source("allenai/cosmos_qa", None, {"train": "train", "dev": "validation"},
                  note="allenai/cosmos_qa is a loading script on its main branch; with datasets >= 4 load its "
                       "parquet export (revision='refs/convert/parquet') or write a local copy."),
    to_canonical=choices(lambda r: f"{r['context']} {r['question']}",
                         lambda r: [r[f"answer{i}"] for i in range(4)], lambda r: r["label"]),
    n_choices=4, eval_splits=("dev",), train_size=25_262,
    description="Cosmos QA commonsense reading comprehension, 4 answers; test labels are hidden, so dev only",
)
