from .base import Source, Task
from .languages import ISO3, TATOEBA, TATOEBA_R
from .mapping import parallel_pairs

TASK = Task(
    name="tatoeba", title="Tatoeba", xtreme_group="retrieval", xtreme_format="lines",
    kind="retrieval", role="target", metric="accuracy",
    source=Source("google/xtreme", "tatoeba.{name}", {"test": "validation"}, lang_names=ISO3),
    to_canonical=parallel_pairs("source_sentence", "target_sentence"), languages=tuple(TATOEBA),
    xtreme_r_languages=tuple(TATOEBA_R), xtreme_r_groups=("retrieval",),
    eval_splits=("test",),
    # Tatoeba (LASER v1) <-> English; accuracy@1, no training; its only split is XTREME's test
)
