"""WikiANN NER over XTREME-R's 48 languages: XTREME-R's `panx` task.

XTREME-R's evaluate.py scores it as `panx` (XTREME_R_TASK2LANGS: PAN-X's 40 plus qu pl uk az lt pa gu ro), so
its submission files go to `panx/test-<lang>.tsv` (`submission`) and its scores stand for XTREME-R's panx.
The hub's google/xtreme PAN-X configs have XTREME's 40 languages only, hence a task of its own on
unimelb-nlp/wikiann (Rahimi et al.'s splits, as PAN-X), which has all 48.
"""
from .base import Source, Task
from .languages import NER, WIKIANN
from .mapping import tags

TASK = Task(
    name="wikiann", title="WikiANN", benchmark="xtreme-r", kind="tagging", role="target", metric="f1",
    source=Source("unimelb-nlp/wikiann", "{lang}", {"train": "train", "dev": "validation", "test": "test"}),
    to_canonical=tags("tokens", "ner_tags"), labels=NER, languages=tuple(WIKIANN), train_size=20_000,
    xtreme_format="tags", submission="panx",
    xtreme_r_languages=tuple(WIKIANN), xtreme_r_groups=("structured_prediction",),
    # WikiANN NER (Rahimi et al. splits) over XTREME-R's 48 languages; seqeval entity F1
)
