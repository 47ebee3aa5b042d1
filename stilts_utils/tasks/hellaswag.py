from .base import Source, Task
from .mapping import choices

TASK = Task(
    name="hellaswag", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=Source("Rowan/hellaswag", None, {"train": "train", "dev": "validation"},
                  note="Rowan/hellaswag is a loading script on its main branch; with datasets >= 4 load its "
                       "parquet export (revision='refs/convert/parquet') or write a local copy."),
    # jiant's reading: prompt = ctx_a, choice = ctx_b + " " + ending; the hub keeps the label as a string.
    to_canonical=choices(lambda r: r["ctx_a"], lambda r: [f"{r['ctx_b']} {e}" for e in r["endings"]],
                         lambda r: int(r["label"])),
    n_choices=4, eval_splits=("dev",), train_size=39_905,
    description="HellaSwag sentence completion, 4 endings; test labels are hidden, so dev only",
)
