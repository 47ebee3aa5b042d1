from .base import Task, parquet_export
from .mapping import choices

TASK = Task(
    name="cosmosqa", title="Cosmos QA", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=parquet_export("allenai/cosmos_qa"),
    to_canonical=choices(lambda r: f"{r['context']} {r['question']}",
                         lambda r: [r[f"answer{i}"] for i in range(4)], lambda r: r["label"]),
    n_choices=4, eval_splits=("dev",), train_size=25_262,
    # Cosmos QA commonsense reading comprehension, 4 answers; test labels are hidden, so dev only
)
