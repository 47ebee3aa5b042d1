"""Social IQa (SIQA): the first training task of XTREME-R's XCOPA recipe (train on SIQA, then on COPA).

Multiple choice over three answers, read as XTREME-R's third_party/run_xcopa.py does: prompt = context and
question, choices = answerA-C. Usable as an intermediate task as well.
"""
from .base import Task, parquet_export
from .mapping import choices

TASK = Task(
    name="siqa", title="SIQA", benchmark="xtreme-r", kind="multiple_choice", role="intermediate", metric="accuracy",
    source=parquet_export("allenai/social_i_qa"),
    # the hub keeps the label as a string, 1-based
    to_canonical=choices(lambda r: f"{r['context']} {r['question']}",
                         lambda r: [r["answerA"], r["answerB"], r["answerC"]], lambda r: int(r["label"]) - 1),
    n_choices=3, eval_splits=("dev",), train_size=33_410,
    # Social IQa (Sap et al. 2019), 3 answers; test labels are hidden, so dev only
)
