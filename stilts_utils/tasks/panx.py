from .base import Source, Task
from .languages import NER, PANX, WIKIANN
from .mapping import tags

TASK = Task(
    name="panx", title="PAN-X (NER)", xtreme_group="structured_prediction", xtreme_format="tags",
    kind="tagging", role="target", metric="f1",
    source=Source("google/xtreme", "PAN-X.{lang}", {"train": "train", "dev": "validation", "test": "test"}),
    to_canonical=tags("tokens", "ner_tags"), labels=NER, languages=tuple(PANX),
    xtreme_r_languages=tuple(WIKIANN), xtreme_r_groups=("structured_prediction",),  # XTREME-R: WikiANN's 48
    train_size=20_000,
    # WikiANN NER with Rahimi et al. splits (XTREME PAN-X); seqeval entity F1
)
