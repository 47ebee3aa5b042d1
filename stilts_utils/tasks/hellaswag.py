from .base import Source, Task
from .mapping import choices

TASK = Task(
    name="hellaswag", title="HellaSwag", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=Source("Rowan/hellaswag", None, {"train": "train", "dev": "validation"},
                  revision="refs/convert/parquet",
                  note="Its main branch is a loading script (datasets >= 4 cannot run it): we read the hub's "
                       "parquet export. Unverified against the live hub from this sandbox."),
    # jiant's reading: prompt = ctx_a, choice = ctx_b + " " + ending; the hub keeps the label as a string.
    to_canonical=choices(lambda r: r["ctx_a"], lambda r: [f"{r['ctx_b']} {e}" for e in r["endings"]],
                         lambda r: int(r["label"])),
    n_choices=4, eval_splits=("dev",), train_size=39_905,
    description="HellaSwag sentence completion, 4 endings; test labels are hidden, so dev only",
)
