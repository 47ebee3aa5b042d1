"""Mewsli-X (XTREME-R): entity linking of news mentions as retrieval from a pool of ~1M WikiData entities.

Scored from submission folders only (`score --benchmark xtreme-r`): training needs a fine-tuned dual
encoder (xtreme third_party/run_retrieval_el.py), a kind this package does not have yet, so the task is in
tasks.SCORE_ONLY and no study can target it. Submission: `mewslix/test-<lang>.json` =
{mention id: [entity ids, best first]}; labels {mention id: [gold entity id]} (xtreme mock_test_data).
"""
from .base import Source, Task
from .languages import MEWSLIX

TASK = Task(
    name="mewslix", title="Mewsli-X", benchmark="xtreme-r", kind="dual_encoder", role="target", metric="map@20",
    source=Source("mewsli-x", reader="none",
                  note="Not on the hub: google-research/xtreme scripts/download_data.sh (download_mewslix) "
                       "builds it from WikiNews dumps and WikiData."),
    languages=tuple(MEWSLIX), eval_splits=("test",), scorer="map@20_first_gold", xtreme_format="ranking",
    xtreme_r_languages=tuple(MEWSLIX), xtreme_r_groups=("retrieval",),
    # Mewsli-X entity linking; evaluate.py's map@20 (MRR@20 on the single gold entity)
)
