from .base import Source, Task
from .mapping import choices

TASK = Task(
    name="cosmosqa", title="Cosmos QA", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=Source("allenai/cosmos_qa", None, {"train": "train", "dev": "validation"},
                  revision="refs/convert/parquet",
                  note="Its main branch is a loading script (datasets >= 4 cannot run it): we read the hub's "
                       "parquet export. Unverified against the live hub from this sandbox."),
    to_canonical=choices(lambda r: f"{r['context']} {r['question']}",
                         lambda r: [r[f"answer{i}"] for i in range(4)], lambda r: r["label"]),
    n_choices=4, eval_splits=("dev",), train_size=25_262,
    description="Cosmos QA commonsense reading comprehension, 4 answers; test labels are hidden, so dev only",
)
