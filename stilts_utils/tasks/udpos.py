from .base import Source, Task
from .languages import UDPOS, UDPOS_NAMES, UDPOS_R, UPOS
from .mapping import tags

TASK = Task(
    name="udpos", title="UD-POS", xtreme_group="structured_prediction", xtreme_format="tags",
    kind="tagging", role="target", metric="f1",
    source=Source("google/xtreme", "udpos.{name}", {"train": "train", "dev": "validation", "test": "test"},
                  lang_names=UDPOS_NAMES,
                  note="google/xtreme holds XTREME's UD 2.5 conversion of its 33 languages (udpos.<Name>). "
                       "XTREME-R (`benchmark: xtreme-r`) scores 38 on UD 2.7 (google-research/xtreme "
                       "scripts/download_data.sh, ud-treebanks-v2.7): lt pl uk wo ro are not on the hub, nor is "
                       "UD 2.7 for the other 33. For them, write a local copy (`python -m stilts_utils "
                       "download-data STUDY.yaml --to DIR`, then add <DIR>/udpos/<lang>/{train,dev,test}.jsonl "
                       "with tokens and pos_tags from UD 2.7, as XTREME's utils_preprocess.py reads the "
                       "treebanks) and set `data_dirs: {udpos: DIR}`."),
    to_canonical=tags("tokens", "pos_tags"), labels=UPOS, languages=tuple(UDPOS),
    xtreme_r_languages=tuple(UDPOS_R), xtreme_r_groups=("structured_prediction",), train_size=21_253,
    test_only=("kk", "th", "tl", "yo"),  # XTREME: no dev treebank for these (kk also has train)
    # UD v2.5 POS (XTREME conversion); XTREME's seqeval F1 and token accuracy
)
