"""Scoring a model on a task: English dev for selection, every language for zero-shot transfer, and the
retrieval tasks straight from the encoder. Test predictions also go out in XTREME's submission format."""
from __future__ import annotations


from ..data.loading import cap_rows, load_split
from ..families import retrieval_layer
from ..metrics import bucc_scores, mine_pairs, tatoeba_scores
from ..metrics.retrieval import apply_threshold, center, nearest
from ..model.kinds import kind_of
from ..model.kinds.retrieval import embed, sides
from . import submission


def score(task, lang: str, preds, gold, **options) -> dict:
    """Metrics of predictions; `options` are the study's scorer options (`protocol.score_options()`)."""
    return kind_of(task).score(task, lang, preds, gold, **options)


def headline(task, scores: dict) -> float:
    return float(scores[task.metric])


def predict_and_score(study, task, net, tokenizer, settings, lang, split, variant, cap):
    kind = kind_of(task)
    rows = cap_rows(load_split(task.name, lang, split, study, variant), cap)
    feats = kind.featurize(rows, tokenizer, task, settings, **study.protocol.feature_options())
    preds = kind.predict(net, feats, rows, task, tokenizer, settings)
    return preds, score(task, lang, preds, kind.gold(rows, task), **study.protocol.score_options())


def english_dev(study, task, net, tokenizer, settings, variant="") -> dict:
    """The intermediate task's own English dev score after phase 2 (a sanity check, not a result)."""
    split = "dev" if "dev" in task.eval_splits else task.eval_splits[0]
    return predict_and_score(study, task, net, tokenizer, settings, "en", split, variant,
                             settings.max_eval_examples)[1]


def zero_shot(study, pair, task, net, tokenizer, settings, out_dir) -> dict:
    """{(language, split): metrics} over every language of the task; test predictions go to `out_dir`."""
    scores = {}
    for lang in study.languages_for(task.name):
        for split in task.eval_splits:
            if split != "test" and lang in task.test_only:
                continue
            preds, scores[(lang, split)] = predict_and_score(study, task, net, tokenizer, settings, lang,
                                                             split, pair.variant, settings.max_eval_examples)
            if split == "test" and task.xtreme_format:
                submission.write_predictions(out_dir, task.name, lang, preds)
    return scores


def _embed_side(encoder, tokenizer, texts, study):
    """One side's sentence vectors (one language), centred on their mean when `retrieval.center`."""
    r = study.retrieval
    layer = retrieval_layer(encoder.config, r.layer)
    vectors = embed(encoder, tokenizer, texts, layer, r.pooling, r.max_seq_len, r.batch_size)
    return center(vectors) if r.center else vectors


def _load_sides(study, task, lang, split, variant):
    rows = load_split(task.name, lang, split, study, variant)
    got = sides(rows)
    if study.retrieval.max_eval_examples:  # keep aligned pairs: cap both sides by position
        n = study.retrieval.max_eval_examples
        got["src"] = {k: v[:n] for k, v in got["src"].items()}
        got["trg"] = {k: v[:n] for k, v in got["trg"].items()}
        keep = set(got["src"]["id"]), set(got["trg"]["id"])
        got["gold"] = {(s, t) for s, t in got["gold"] if s in keep[0] and t in keep[1]}
    return got


def retrieval(study, pair, task, encoder, tokenizer, out_dir) -> dict:
    """BUCC: margin mining, threshold from dev gold carried to test. Tatoeba: accuracy@1."""
    scores = {}
    for lang in study.languages_for(task.name):
        if task.mining:
            scores.update(_bucc(study, task, lang, pair, encoder, tokenizer, out_dir))
            continue
        got = _load_sides(study, task, lang, "test", pair.variant)
        xx = _embed_side(encoder, tokenizer, got["src"]["text"], study)
        en = _embed_side(encoder, tokenizer, got["trg"]["text"], study)
        scores[(lang, "test")] = tatoeba_scores(xx, en)
        submission.write_predictions(out_dir, task.name, lang,
                                     submission.tatoeba_lines(got["trg"]["text"], nearest(en, xx)))
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
