"""English COPA: the training data of XCOPA (XTREME-R trains on SIQA, then COPA).

Not one of the paper's nine intermediate tasks; registered so `xcopa` can name it in `train_on`, as
`xnli` names `mnli`. Its rows and XCOPA's share one schema, hence one mapping (`TO_CANONICAL`).
"""
from .base import Task, parquet_export
from .mapping import choices

# The relation (cause/effect) is the hub's English word; it joins the premise as an English question in
# every language, the usual COPA multiple-choice template, so train and test inputs have one shape.
TO_CANONICAL = choices(lambda r: f"{r['premise']} What was the {r['question']}?",
                       lambda r: [r["choice1"], r["choice2"]], lambda r: r["label"])

TASK = Task(
    name="copa", title="COPA", benchmark="xtreme-r", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=parquet_export("aps/super_glue", data_dir="copa"),
    to_canonical=TO_CANONICAL, n_choices=2, eval_splits=("dev",), train_size=400,
    # COPA (SuperGLUE), 2 alternatives; test labels are hidden, so dev only
)
