from .base import Source, Task
from .languages import NLI, XNLI
from .mapping import pair

TASK = Task(
    name="xnli", title="XNLI", xtreme_group="classification", xtreme_format="lines",
    kind="classification", role="target", metric="accuracy",
    source=Source("facebook/xnli", "{lang}", {"dev": "validation", "test": "test"}),
    to_canonical=pair("premise", "hypothesis"), labels=NLI, languages=tuple(XNLI), xtreme_r_languages=tuple(XNLI),
    xtreme_r_groups=("classification",),
    train_on="mnli", select_on="xnli", train_size=392_702,
    # XNLI; trains on MNLI, selects on XNLI English dev
)
