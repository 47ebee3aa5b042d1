"""LAReQA (XTREME-R): language-agnostic answer retrieval over XQuAD-R, every language's sentences in one pool.

Scored from submission folders only (`score --benchmark xtreme-r`): training needs a fine-tuned dual
encoder (xtreme third_party/run_retrieval_qa.py), a kind this package does not have yet, so the task is in
tasks.SCORE_ONLY. xtreme's evaluate.py has no reader for it (`'lareqa': []`); the official number is
evaluate_retrieval.py's mAP@20 (utils_lareqa.mean_avg_prec_at_k). Submission: `lareqa/test-<lang>.json` =
{question id: [candidate sentence ids, best first]} for that language's questions; labels {question id:
[every relevant sentence id]} (the answer sentence in each language). The task score is the mean over
its languages (evaluate.py's rule); utils_lareqa pools every question of every language, the same number
when each language has as many questions as XQuAD-R's (1190). evaluate.py's XTREME_R_GROUP2TASK puts it in
no group; it counts in the overall score.
"""
from .base import Source, Task
from .languages import LAREQA

TASK = Task(
    name="lareqa", title="LAReQA", benchmark="xtreme-r", kind="dual_encoder", role="target", metric="map@20",
    source=Source("lareqa", reader="none",
                  note="Not on the hub: github.com/google-research-datasets/lareqa (XQuAD-R), as "
                       "google-research/xtreme scripts/download_data.sh (download_lareqa)."),
    languages=tuple(LAREQA), eval_splits=("test",), scorer="map@20", xtreme_format="ranking",
    xtreme_r_languages=tuple(LAREQA),
    # LAReQA answer-sentence retrieval (XQuAD-R); mAP@20 over every relevant sentence
)
