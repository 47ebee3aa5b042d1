from .base import Source, Task
from .languages import MLQA
from .mapping import squad

TASK = Task(
    name="mlqa", title="MLQA", xtreme_group="qa", xtreme_format="qa",
    kind="span_qa", role="target", metric="f1",
    # Same-language context/question pairs only (XTREME). google/xtreme holds the MLQA files as parquet;
    # facebook/mlqa (`mlqa.<c>.<q>`) is a loading script that datasets >= 4 cannot run.
    source=Source("google/xtreme", "MLQA.{lang}.{lang}", {"dev": "validation", "test": "test"}),
    to_canonical=squad, languages=tuple(MLQA),
    xtreme_r_languages=tuple(MLQA), xtreme_r_groups=("qa",), train_on="squad", select_on="squad", scorer="mlqa",
    xtreme_keeps_last=True, train_size=87_599,
    # MLQA with MLQA's per-language answer normalisation; trains on SQuAD v1.1, last checkpoint as XTREME
    # (protocol.selection: held_out selects on SQuAD dev)
)
