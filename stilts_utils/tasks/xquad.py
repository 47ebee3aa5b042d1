from .base import Source, Task
from .languages import XQUAD, XQUAD_R
from .mapping import squad

TASK = Task(
    name="xquad", title="XQuAD", xtreme_group="qa", xtreme_format="qa",
    kind="span_qa", role="target", metric="f1",
    # google/xquad has XTREME-R's Romanian too (xquad.ro): all 12 languages come from the hub
    source=Source("google/xquad", "xquad.{lang}", {"test": "validation"}),
    to_canonical=squad, languages=tuple(XQUAD),
    xtreme_r_languages=tuple(XQUAD_R), xtreme_r_groups=("qa",), train_on="squad", select_on="squad", xtreme_keeps_last=True,
    eval_splits=("test",), train_size=87_599,
    # XQuAD; trains on SQuAD v1.1, last checkpoint as XTREME (protocol.selection: held_out selects on SQuAD
    # dev); its only split is XTREME's test
)
