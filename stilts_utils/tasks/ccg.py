"""CCG supertagging (jiant `ccg`). CCGbank is LDC-licensed, so it is read from a directory the user supplies.

Files `<data_dirs.ccg>/ccg/en/{train,dev,test}.tsv`: one `word<TAB>supertag` per line, a blank line between
sentences (standard split: sections 02-21 train, 00 dev, 23 test). The tag set is the training file's own
(`readers.ccg_tags`) plus `<unseen>` for dev/test tags absent from train, which therefore always count as
errors; `labels` stays empty here and `readers.with_data_labels(task, study)` fills it in.

Optional: a real study without these files says so when it is validated. `ccg` named as an intermediate task
is then an error; inside `multitask.tasks` it is an error too unless `multitask.skip_missing: true`, which
mixes the other tasks only.
"""
from .base import Source, Task
from .mapping import tags

NOTE = ("CCGbank (LDC2005T13, https://catalog.ldc.upenn.edu/LDC2005T13) is licensed by the LDC and not on the "
        "hub. Convert its derivations to supertags and write train.tsv (sections 02-21), dev.tsv (00) and "
        "test.tsv (23) under DIR/ccg/en/, one `word<TAB>supertag` per line and a blank line between "
        "sentences, then set `data_dirs: {ccg: DIR}` in the study file.")

TASK = Task(
    name="ccg", title="CCG", kind="tagging", role="intermediate", metric="token_accuracy",
    source=Source("ccgbank", None, {"train": "train", "dev": "dev", "test": "test"}, reader="supertags", note=NOTE,
                  local_files=("ccg/en/train.tsv", "ccg/en/dev.tsv", "ccg/en/test.tsv")),
    to_canonical=tags("tokens", "tags"), train_size=39_604,
    # CCG supertagging on CCGbank (user-supplied); token accuracy, as jiant
)
