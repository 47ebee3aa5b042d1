from .base import Task, parquet_export
from .mapping import choices

TASK = Task(
    name="hellaswag", title="HellaSwag", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=parquet_export("Rowan/hellaswag"),
    # jiant's reading: prompt = ctx_a, choice = ctx_b + " " + ending; the hub keeps the label as a string.
    to_canonical=choices(lambda r: r["ctx_a"], lambda r: [f"{r['ctx_b']} {e}" for e in r["endings"]],
                         lambda r: int(r["label"])),
    n_choices=4, eval_splits=("dev",), train_size=39_905,
    # HellaSwag sentence completion, 4 endings; test labels are hidden, so dev only
)
