from .base import Source, Task
from .languages import NER, WIKIANN
from .mapping import tags

TASK = Task(
    name="wikiann", title="WikiANN", benchmark="xtreme-r", kind="tagging", role="target", metric="f1",
    source=Source("unimelb-nlp/wikiann", "{lang}", {"train": "train", "dev": "validation", "test": "test"}),
    to_canonical=tags("tokens", "ner_tags"), labels=NER, languages=tuple(WIKIANN), train_size=20_000,
    # WikiANN NER (Rahimi et al. splits) over XTREME-R's 48 languages; seqeval entity F1
)
