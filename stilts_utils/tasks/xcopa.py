from .base import Source, Task
from .copa import TO_CANONICAL
from .languages import XCOPA

TASK = Task(
    name="xcopa", title="XCOPA", benchmark="xtreme-r", kind="multiple_choice", role="target", metric="accuracy",
    # The hub has validation (100) and test (500) per language and no training data: XTREME-R trains on English
    # COPA (after SIQA, see `recipes`), so `copa` is the train and selection task, as MNLI is for XNLI.
    source=Source("cambridgeltl/xcopa", "{lang}", {"dev": "validation", "test": "test"}),
    to_canonical=TO_CANONICAL, n_choices=2, languages=tuple(XCOPA),
    train_on="copa", select_on="copa", train_size=400, xtreme_format="choice",
    # XTREME-R (scripts/train_xcopa.sh): SIQA first, then COPA from that model (head included); plain COPA kept
    recipes={"siqa-copa": ("siqa", "copa"), "copa": ("copa",)},
    xtreme_r_languages=tuple(XCOPA), xtreme_r_groups=("classification", "multiple_choice"),  # evaluate.py: both
    # XCOPA (XTREME-R) causal commonsense; trains and selects on English COPA
)
