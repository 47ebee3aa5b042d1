"""LAReQA (XTREME-R): language-agnostic answer retrieval over XQuAD-R, every language's sentences in one pool.

XTREME-R's recipe (scripts/train_lareqa.sh, third_party/run_retrieval_qa.py): a dual encoder
(model/kinds/dual_encoder.py) fine-tuned on English SQuAD v1.1 question - answer-sentence pairs, the
candidate being the sentence followed by its paragraph (queries cut at 96 tokens, candidates at 256: set
`max_query_len: 96, max_seq_len: 256` in `phase3_overrides`, with 3 epochs, lr 2e-5, no warm-up, no weight
decay). Zero-shot: each language's questions ranked against the sentences of all 11 languages.
Submission: `lareqa/test-<lang>.json` = {question id: [candidate sentence ids, best first]}; labels
{question id: [every relevant sentence id]} (the answer sentence in each language; ids
`<lang>_<paragraph number>_<sentence>` as utils_lareqa). xtreme's evaluate.py has no reader for it
(`'lareqa': []`); the official number is evaluate_retrieval.py's mAP@20 (utils_lareqa.mean_avg_prec_at_k).
The task score is the mean over its languages (evaluate.py's rule); utils_lareqa pools every question of
every language, the same number when each language has as many questions as XQuAD-R's (1190).
evaluate.py's XTREME_R_GROUP2TASK puts it in no group; it counts in the overall score.
"""
from .base import Source, Task
from .languages import LAREQA

TASK = Task(
    name="lareqa", title="LAReQA", benchmark="xtreme-r", kind="dual_encoder", role="target", metric="map@20",
    source=Source("lareqa", None, {"train": "train-v1.1", "dev": "dev-v1.1", "test": "xquad-r"},
                  reader="lareqa_files",
                  note="Not on the hub: put XQuAD-R (https://github.com/google-research-datasets/lareqa/archive/"
                       "master.zip, its xquad-r/<lang>.json files) under <data_dirs.lareqa>/lareqa/xquad-r/ and "
                       "SQuAD v1.1 (https://rajpurkar.github.io/SQuAD-explorer/dataset/train-v1.1.json and "
                       "dev-v1.1.json) under <data_dirs.lareqa>/squad/, the layout of google-research/xtreme "
                       "scripts/download_data.sh (download_lareqa, download_squad).",
                  local_files=("squad/train-v1.1.json", "squad/dev-v1.1.json")),
    languages=tuple(LAREQA), eval_splits=("test",), scorer="map@20", xtreme_format="ranking",
    train_size=87_599,  # SQuAD v1.1 train questions
    xtreme_r_languages=tuple(LAREQA),
    # LAReQA answer-sentence retrieval (XQuAD-R); mAP@20 over every relevant sentence
)
