from .base import Source, Task
from .languages import NLI
from .mapping import pair

TASK = Task(
    name="mnli", kind="classification", role="intermediate", metric="accuracy",
    source=Source("nyu-mll/glue", "mnli", {"train": "train", "dev": "validation_matched",
                                           "test": "validation_mismatched"}),
    to_canonical=pair("premise", "hypothesis"), labels=NLI, train_size=392_702,
    description="MultiNLI; dev = matched, test = mismatched validation (GLUE test labels are hidden)",
)
