"""Mewsli-X (XTREME-R): entity linking of news mentions as retrieval from a pool of ~1M WikiData entities.

XTREME-R's recipe (scripts/train_mewslix.sh, third_party/run_retrieval_el.py): a dual encoder
(model/kinds/dual_encoder.py) fine-tuned on English Wikipedia mention-entity pairs (wikipedia_pairs-train,
as its authors release them), sequences of 64 tokens on both sides, then each language's WikiNews mentions
ranked against the whole entity pool. Submission: `mewslix/test-<lang>.json` = {mention id: [entity ids,
best first]}; labels {mention id: [gold entity id]} (xtreme mock_test_data). Its recipe's own settings
(2 epochs, lr 2e-5 mBERT / 1e-5 XLM-R Large, no warm-up, no weight decay) go in `phase3_overrides`.
"""
from .base import Source, Task
from .languages import MEWSLIX

TASK = Task(
    name="mewslix", title="Mewsli-X", benchmark="xtreme-r", kind="dual_encoder", role="target", metric="map@20",
    source=Source("mewsli-x", None, {"train": "wikipedia_pairs-train", "dev": "wikipedia_pairs-dev",
                                     "test": "wikinews_mentions/test"}, reader="mewslix_files",
                  note="Mewsli-X is not on the hub: run `download_mewslix` of google-research/xtreme "
                       "scripts/download_data.sh (it builds the data from WikiNews and WikiData dumps in a conda "
                       "env of its own), then set `data_dirs: {mewslix: <its download folder>}`; the files read "
                       "are <folder>/mewslix/wikipedia_pairs-{train,dev}.jsonl, candidate_set_entities.jsonl and "
                       "wikinews_mentions/test-<lang>.jsonl.",
                  local_files=("mewslix/wikipedia_pairs-train.jsonl", "mewslix/wikipedia_pairs-dev.jsonl",
                               "mewslix/candidate_set_entities.jsonl")),
    languages=tuple(MEWSLIX), eval_splits=("test",), scorer="map@20_first_gold", xtreme_format="ranking",
    train_size=300_000,  # a step estimate only (no local copy); the release's exact count is unverified here
    xtreme_r_languages=tuple(MEWSLIX), xtreme_r_groups=("retrieval",),
    # Mewsli-X entity linking; evaluate.py's map@20 (MRR@20 on the single gold entity)
)
