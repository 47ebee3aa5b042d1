from .base import Source, Task
from .languages import PAWSX
from .mapping import pair

TASK = Task(
    name="pawsx", title="PAWS-X", xtreme_group="classification", xtreme_format="lines",
    kind="classification", role="target", metric="accuracy",
    # Non-English `train` splits are machine translations: only the English train is ever trained on.
    source=Source("google-research-datasets/paws-x", "{lang}", {"train": "train", "dev": "validation",
                                                               "test": "test"}),
    to_canonical=pair("sentence1", "sentence2"), labels=("0", "1"),  # XTREME writes 0/1 per line
    languages=tuple(PAWSX), train_size=49_401,
    # PAWS-X paraphrase identification; trains on English train, dev = dev_2k, test = test_2k
)
