from .base import Source, Task
from .languages import BUCC

TASK = Task(
    name="bucc2018", title="BUCC 2018", xtreme_group="retrieval", xtreme_format="pairs",
    kind="retrieval", role="target", metric="f1",
    source=Source("bucc2018", None, {"dev": "sample", "test": "training"}, reader="bucc_files",
                  note="BUCC 2018 raw files: download bucc2018-<lang>-en.{sample,training}-gold.tar.bz2 from "
                       "https://comparable.limsi.fr/bucc2018/ and extract them under <data_dirs.bucc2018>/"),
    languages=tuple(BUCC), mining=True,
    # BUCC 2018 bitext mining; margin threshold chosen on sample (dev) gold, applied to test
)
