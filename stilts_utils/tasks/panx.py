from .base import Source, Task
from .languages import NER, PANX
from .mapping import tags

TASK = Task(
    name="panx", title="PAN-X (NER)", xtreme_group="structured_prediction", xtreme_format="tags",
    kind="tagging", role="target", metric="f1",
    source=Source("google/xtreme", "PAN-X.{lang}", {"train": "train", "dev": "validation", "test": "test"}),
    to_canonical=tags("tokens", "ner_tags"), labels=NER, languages=tuple(PANX),
    train_size=20_000,  # XTREME only: XTREME-R's `panx` (WikiANN, 48 languages) is the `wikiann` target
    # WikiANN NER with Rahimi et al. splits (XTREME PAN-X); seqeval entity F1
)
