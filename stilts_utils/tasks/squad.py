from .base import Source, Task
from .languages import XQUAD
from .mapping import squad

# XTREME's translate-train SQuAD v1.1 (google-research/xtreme README "Translations": the public bucket
# gs://xtreme_translations), one SQuAD-format JSON per XQuAD language. Not on the hub: `download-data` fetches
# it and writes <root>/squad/<lang>/train.jsonl in the hub's SQuAD columns (data/readers.py squad_json_rows).
TRANSLATE_TRAIN = ("https://storage.googleapis.com/xtreme_translations/SQuAD/translate-train/"
                   "squad.translate.train.en-{lang}.json")

TASK = Task(
    name="squad", title="SQuAD v1.1", kind="span_qa", role="intermediate", metric="f1",
    source=Source("rajpurkar/squad", None, {"train": "train", "dev": "validation"}),
    to_canonical=squad, eval_splits=("dev",), train_size=87_599,
    translated=Source("", None, {"train": "train"}, reader="squad_json", url=TRANSLATE_TRAIN,
                      note="XTREME's translate-train SQuAD is not on the hub. `python -m stilts_utils download-data "
                           "STUDY.yaml --to DIR` fetches it from " + TRANSLATE_TRAIN + " (gs://xtreme_translations/"
                           "SQuAD/translate-train/); where that cannot be reached, put the file in "
                           "DIR/squad/<lang>/ (e.g. `gsutil cp` it elsewhere) and rerun download-data, which "
                           "converts it. Then set `data_dirs: {squad: DIR}`."),
    translations=tuple(lang for lang in XQUAD if lang != "en"),
    # SQuAD v1.1 extractive QA
)
