"""TyDiQA-GoldP. All languages share one split; rows of a language are picked by the `id` prefix.

Trains on the ENGLISH train rows only (jiant trained on all nine languages). XTREME's test set is the
GoldP dev set, so the test split is never tuned on. By default (`protocol.selection: xtreme`) it trains,
as XTREME, on all of English train and keeps the last checkpoint; `held_out` trains on the first 90 % and
selects the checkpoint on the held-out last 10 % of English train.
"""
from .base import Source, Task
from .languages import TYDIQA, TYDIQA_NAMES
from .mapping import squad

TASK = Task(
    name="tydiqa", title="TyDiQA-GoldP", xtreme_group="qa", xtreme_format="qa",
    kind="span_qa", role="target", metric="f1",
    source=Source("google-research-datasets/tydiqa", "secondary_task", {"train": "train", "test": "validation"}),
    to_canonical=squad, languages=tuple(TYDIQA),
    xtreme_r_languages=tuple(TYDIQA), xtreme_r_groups=("qa",), eval_splits=("test",),
    filter_language=lambda row, lang: row["id"].startswith(TYDIQA_NAMES[lang] + "-"),
    dev_from_train=0.1, xtreme_keeps_last=True, train_size=3_696,
    # TyDiQA-GoldP; English-only training on all of en train, last checkpoint (as XTREME; protocol.selection:
    # held_out selects on the last 10 %), test = GoldP dev
)
