from .base import Source, Task
from .languages import UDPOS, UDPOS_NAMES, UDPOS_R, UPOS
from .mapping import tags

TASK = Task(
    name="udpos", title="UD-POS", xtreme_group="structured_prediction", xtreme_format="tags",
    kind="tagging", role="target", metric="f1",
    source=Source("google/xtreme", "udpos.{name}", {"train": "train", "dev": "validation", "test": "test"},
                  lang_names=UDPOS_NAMES),
    to_canonical=tags("tokens", "pos_tags"), labels=UPOS, languages=tuple(UDPOS),
    xtreme_r_languages=tuple(UDPOS_R), xtreme_r_groups=("structured_prediction",), train_size=21_253,
    test_only=("kk", "th", "tl", "yo"),  # XTREME: no dev treebank for these (kk also has train)
    # UD v2.5 POS (XTREME conversion); XTREME's seqeval F1 and token accuracy
)
