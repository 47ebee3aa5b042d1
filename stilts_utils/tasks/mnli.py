from .base import Source, Task
from .languages import NLI, XNLI
from .mapping import pair

TASK = Task(
    name="mnli", title="MNLI", kind="classification", role="intermediate", metric="accuracy",
    source=Source("nyu-mll/glue", "mnli", {"train": "train", "dev": "validation_matched",
                                           "test": "validation_mismatched"}),
    to_canonical=pair("premise", "hypothesis"), labels=NLI, train_size=392_702,
    # RQ3: XNLI's train split in each language is MNLI train machine-translated (same columns and labels;
    # XNLI-MT-1.0, https://dl.fbaipublicfiles.com/XNLI/XNLI-MT-1.0.zip, as XTREME's download_data.sh)
    translated=Source("facebook/xnli", "{lang}", {"train": "train"}),
    translations=tuple(lang for lang in XNLI if lang != "en"),
    # MultiNLI; dev = matched, test = mismatched validation (GLUE test labels are hidden)
)
