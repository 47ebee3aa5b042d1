"""TyDiQA-GoldP. All languages share one split; rows of a language are picked by the `id` prefix.

Trains on the ENGLISH train rows only (jiant trained on all nine languages). XTREME's test set is
the GoldP dev set, so checkpoints are selected on the held-out last 10% of English train and the test split is
never tuned on.
"""
from .base import Source, Task
from .languages import TYDIQA, TYDIQA_NAMES
from .mapping import squad

TASK = Task(
    name="tydiqa", xtreme_group="qa", xtreme_format="qa",
    kind="span_qa", role="target", metric="f1",
    source=Source("google-research-datasets/tydiqa", "secondary_task", {"train": "train", "test": "validation"}),
    to_canonical=squad, languages=tuple(TYDIQA), eval_splits=("test",),
    filter_language=lambda row, lang: row["id"].startswith(TYDIQA_NAMES[lang] + "-"),
    dev_from_train=0.1, train_size=3_696,
    description="TyDiQA-GoldP; English-only training, selection on held-out English train, test = GoldP dev",
)
