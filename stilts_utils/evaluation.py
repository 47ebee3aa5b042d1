"""Scoring a model on a task: English dev for selection, every language for zero-shot transfer, and the
retrieval tasks straight from the encoder. Test predictions also go out in XTREME's submission format."""
from __future__ import annotations


from . import data, submission
from .kinds import KINDS
from .kinds.retrieval import embed, sides
from .metrics import METRICS, bucc_scores, mine_pairs, tatoeba_scores
from .metrics.qa import answers_from_rows
from .metrics.retrieval import apply_threshold, nearest
from .models import retrieval_layer
from .paths import StudyPaths

DEFAULT_SCORER = {"classification": "accuracy", "multiple_choice": "accuracy", "tagging": "seqeval",
                  "span_qa": "squad_v1"}


def scorer(task) -> str:
    if task.scorer:
        return task.scorer
    return "squad_v2" if task.null_answer else DEFAULT_SCORER[task.kind]


def score(task, lang: str, preds, gold) -> dict:
    if task.kind == "span_qa":  # QA gold arrives as SQuAD rows; metrics take {id: [answers]}
        gold = answers_from_rows(gold)
    name = scorer(task)
    return METRICS[name](gold, preds, lang=lang) if name == "mlqa" else METRICS[name](gold, preds)


def headline(task, scores: dict) -> float:
    return float(scores[task.metric])


def _cap(rows, n: int):
    return rows.select(range(n)) if n and len(rows) > n else rows


def predict_and_score(study, task, net, tokenizer, settings, lang, split, variant, cap):
    kind = KINDS[task.kind]
    rows = _cap(data.load_split(task.name, lang, split, study, variant), cap)
    preds = kind.predict(net, kind.featurize(rows, tokenizer, task, settings), rows, task, tokenizer, settings)
    return preds, score(task, lang, preds, kind.gold(rows, task))


def english_dev(study, task, net, tokenizer, settings, variant="") -> dict:
    """The intermediate task's own English dev score after phase 2 (a sanity check, not a result)."""
    split = "dev" if "dev" in task.eval_splits else task.eval_splits[0]
    return predict_and_score(study, task, net, tokenizer, settings, "en", split, variant,
                             settings.max_eval_examples)[1]


def zero_shot(study, pair, task, net, tokenizer, settings) -> dict:
    """{(language, split): metrics} over every language of the task; test predictions are written."""
    out_dir = StudyPaths(study).predictions(pair)
    scores = {}
    for lang in study.languages_for(task.name):
        for split in task.eval_splits:
            if split != "test" and lang in task.test_only:
                continue
            preds, scores[(lang, split)] = predict_and_score(study, task, net, tokenizer, settings, lang,
                                                             split, pair.variant, settings.max_eval_examples)
            if split == "test" and task.name in submission.FORMAT:
                submission.write_predictions(out_dir, task.name, lang, preds)
    return scores


def _embed_side(encoder, tokenizer, texts, study):
    r = study.retrieval
    layer = retrieval_layer(encoder.config, r.layer)
    return embed(encoder, tokenizer, texts, layer, r.pooling, r.max_seq_len, r.batch_size)


def _load_sides(study, task, lang, split, variant):
    rows = data.load_split(task.name, lang, split, study, variant)
    got = sides(rows)
    if study.retrieval.max_eval_examples:  # keep aligned pairs: cap both sides by position
        n = study.retrieval.max_eval_examples
        got["src"] = {k: v[:n] for k, v in got["src"].items()}
        got["trg"] = {k: v[:n] for k, v in got["trg"].items()}
        keep = set(got["src"]["id"]), set(got["trg"]["id"])
        got["gold"] = {(s, t) for s, t in got["gold"] if s in keep[0] and t in keep[1]}
    return got


def retrieval(study, pair, task, encoder, tokenizer) -> dict:
    """BUCC: margin mining, threshold from dev gold carried to test. Tatoeba: accuracy@1."""
    scores, out_dir = {}, StudyPaths(study).predictions(pair)
    for lang in study.languages_for(task.name):
        if task.mining:
            scores.update(_bucc(study, task, lang, pair, encoder, tokenizer, out_dir))
            continue
        got = _load_sides(study, task, lang, "test", pair.variant)
        xx = _embed_side(encoder, tokenizer, got["src"]["text"], study)
        en = _embed_side(encoder, tokenizer, got["trg"]["text"], study)
        scores[(lang, "test")] = tatoeba_scores(xx, en)
        submission.write_predictions(out_dir, task.name, lang, [int(i) for i in nearest(en, xx)])
    return scores


def _bucc(study, task, lang, pair, encoder, tokenizer, out_dir) -> dict:
    mined = {}
    for split in ("dev", "test"):
        got = _load_sides(study, task, lang, split, pair.variant)
        src = _embed_side(encoder, tokenizer, got["src"]["text"], study)
        trg = _embed_side(encoder, tokenizer, got["trg"]["text"], study)
        mined[split] = (mine_pairs(got["src"]["id"], src, got["trg"]["id"], trg,
                                   got["src"]["text"], got["trg"]["text"]), got["gold"])
    dev = bucc_scores(*mined["dev"])  # threshold tuned on dev gold: the oracle dev number of jiant/XTREME
    test = bucc_scores(*mined["test"], threshold=dev["threshold"])  # applied unchanged
    submission.write_predictions(out_dir, task.name, lang,
                                 sorted(apply_threshold(mined["test"][0], dev["threshold"])))
    return {(lang, "dev"): dev, (lang, "test"): test}
