"""ANLI+ (as in X-STILTs): ANLI R1-R3 train + MNLI train + SNLI train with gold labels, one 3-way NLI task.

1,104,934 = 162,865 + 392,702 + 549,367 training rows, the size the study notes give. The parts are read and
merged by `readers.read_anliplus`, each through the hub or a local copy laid out like a task of its own
(`<root>/<part>/en/<split>.jsonl`, so the `mnli` part is the mnli task's own copy). Dev is ANLI dev R1-R3 and
test ANLI test R1-R3 (labels public): MNLI-m dev already selects the `mnli` task, and ANLI+ differs from
MNLI exactly by its adversarial rounds. Parts are interleaved round-robin, so the 500-row selection subset
(eval_subset) holds all three rounds instead of R1 alone.
"""
from .base import Source, Task
from .languages import NLI
from .mapping import pair


def _anli(r: int) -> Source:
    return Source("facebook/anli", None, {"train": f"train_r{r}", "dev": f"dev_r{r}", "test": f"test_r{r}"})


# (part, source, the part's own label names in id order). All three hubs use 0/1/2 = e/n/c today; mapping by
# name means a part with another order could not silently flip labels. SNLI's -1 (no gold label) is dropped.
PARTS = (
    ("anli_r1", _anli(1), NLI),
    ("anli_r2", _anli(2), NLI),
    ("anli_r3", _anli(3), NLI),
    ("mnli", Source("nyu-mll/glue", "mnli", {"train": "train"}), NLI),
    ("snli", Source("stanfordnlp/snli", None, {"train": "train"}), NLI),
)

TASK = Task(
    name="anliplus", title="ANLI+", kind="classification", role="intermediate", metric="accuracy",
    source=Source("facebook/anli", None, {"train": "train", "dev": "dev", "test": "test"}, reader="nli_parts",
                  note="ANLI+ is merged from its parts (tasks/anliplus.py PARTS): a local copy holds each part as "
                       "<root>/<part>/en/<split>.jsonl for parts anli_r1, anli_r2, anli_r3, mnli and snli."),
    to_canonical=pair("premise", "hypothesis"), labels=NLI, train_size=1_104_934,
    # ANLI+ = ANLI R1-R3 + MNLI + SNLI (gold labels); dev/test = ANLI R1-R3 dev/test
)
