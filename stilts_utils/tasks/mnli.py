from .base import Source, Task
from .languages import NLI
from .mapping import pair

TASK = Task(
    name="mnli", title="MNLI", kind="classification", role="intermediate", metric="accuracy",
    source=Source("nyu-mll/glue", "mnli", {"train": "train", "dev": "validation_matched",
                                           "test": "validation_mismatched"}),
    to_canonical=pair("premise", "hypothesis"), labels=NLI, train_size=392_702,
    # RQ3: XNLI's train split in each language is MNLI train machine-translated (same columns and labels)
    translated=Source("facebook/xnli", "{lang}", {"train": "train"}),
    # MultiNLI; dev = matched, test = mismatched validation (GLUE test labels are hidden)
)
