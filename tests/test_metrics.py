"""Hand-computed cases for the metric layer (stilts_utils.metrics); numbers are worked out in comments."""
import math

import numpy as np
import pandas as pd
import pytest

from stilts_utils.metrics import METRICS
from stilts_utils.evaluation.xtreme import GROUPS, TASK2LANGS, xtreme_scores
from stilts_utils.metrics.classification import accuracy
from stilts_utils.metrics.ranking import average_precision_at_k, lareqa_map, mean_average_precision, mewslix_map
from stilts_utils.metrics.qa import answers_from_rows, answers_from_squad, mlqa, normalize_mlqa, squad_v1, squad_v2
from stilts_utils.metrics.retrieval import (apply_threshold, bucc_scores, center, cosine, mine_pairs, mine_rows,
                                            optimize_threshold, pair_prf, tatoeba_accuracy, tatoeba_scores, top_k)
from stilts_utils.metrics.tagging import tagging_scores

# ---- classification -------------------------------------------------------------------------------------


def test_accuracy_counts_matches():
    assert accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == {"accuracy": 75.0}


def test_accuracy_rejects_length_mismatch():
    with pytest.raises(ValueError, match="3 predictions for 2"):
        accuracy([0, 1], [0, 1, 1])


# ---- tagging ---------------------------------------------------------------------------------------------


def test_pos_seqeval_f1_differs_from_token_accuracy():
    # seqeval reads NOUN as prefix N + type OUN, so runs of one tag are one chunk:
    # gold chunks OUN[0-1] ERB[2] DJ[3-4]; pred OUN[0] ERB[1-2] DJ[3-4]; only DJ[3-4] matches -> P=R=F1=1/3.
    # Token accuracy: 4 of 5 words right.
    scores = tagging_scores([["NOUN", "NOUN", "VERB", "ADJ", "ADJ"]], [["NOUN", "VERB", "VERB", "ADJ", "ADJ"]])
    assert scores["f1"] == pytest.approx(100 / 3)
    assert scores["precision"] == pytest.approx(100 / 3)
    assert scores["recall"] == pytest.approx(100 / 3)
    assert scores["token_accuracy"] == pytest.approx(80.0)


def test_ner_entity_f1_and_label_ids():
    # gold PER[0-1] LOC[3]; pred PER[0] LOC[3]: 1 of 2 chunks right each way -> 50; 3 of 4 tags right.
    labels = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")
    scores = tagging_scores([[1, 2, 0, 3]], [[1, 0, 0, 3]], labels=labels)
    assert scores == pytest.approx({"f1": 50.0, "precision": 50.0, "recall": 50.0, "token_accuracy": 75.0})


def test_tagging_rejects_ragged_sentences():
    with pytest.raises(ValueError, match="sentence 1 has 1 predicted tags for 2 words"):
        tagging_scores([["O"], ["O", "O"]], [["O"], ["O"]])


# ---- QA --------------------------------------------------------------------------------------------------


def test_squad_v1_hand_computed():
    gold = {"q1": ["The Eiffel Tower"], "q2": ["Paris", "in Paris"], "q3": ["1889"]}
    pred = {"q1": "eiffel tower!", "q2": "Paris, France", "extra": "ignored"}  # q3 unanswered -> 0
    # q1 exact after normalisation; q2 best F1 vs "Paris": P=1/2, R=1 -> 2/3 ("in Paris" gives 1/2).
    scores = squad_v1(gold, pred)
    assert scores["em"] == pytest.approx(100 / 3)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3) / 3)


def test_squad_v1_empty_prediction_scores_zero():
    assert squad_v1({"q": ["Paris"]}, {"q": ""}) == {"em": 0.0, "f1": 0.0}


def test_squad_v1_needs_an_answer():
    with pytest.raises(ValueError, match="'q' has no gold answer"):
        squad_v1({"q": []}, {"q": ""})


def test_unicode_punctuation_only_stripped_by_mlqa():
    # SQuAD v1.1 strips ASCII punctuation only, so guillemets stay part of the token; MLQA strips category P*.
    gold, pred = {"q": ["Paris"]}, {"q": "«Paris»"}
    assert squad_v1(gold, pred) == {"em": 0.0, "f1": 0.0}
    assert mlqa(gold, pred, "en") == {"em": 100.0, "f1": 100.0}
    assert normalize_mlqa("¿Dónde? ¡Aquí!", "es") == "dónde aquí"


def test_mlqa_chinese_mixed_segmentation():
    assert normalize_mlqa("Abc，北京大学。2008年", "zh") == "abc 北 京 大 学 2008 年"
    # "北京" vs "北京大学": 2 common chars, P=1, R=1/2 -> F1 2/3.
    assert mlqa({"q": ["北京大学"]}, {"q": "北京"}, "zh") == pytest.approx({"em": 0.0, "f1": 200 / 3})
    # "2008年" vs "2008年奥运会": tokens [2008, 年] vs [2008, 年, 奥, 运, 会]: P=1, R=2/5 -> F1 4/7.
    assert mlqa({"q": ["2008年奥运会"]}, {"q": "2008年"}, "zh")["f1"] == pytest.approx(400 / 7)


def test_mlqa_articles_per_language():
    de_gold, de_pred = {"q": ["der Vertrag von Versailles"]}, {"q": "Vertrag von Versailles"}
    assert mlqa(de_gold, de_pred, "de")["em"] == 100.0
    assert mlqa(de_gold, de_pred, "en")["em"] == 0.0  # "der" is not an English article
    assert mlqa({"q": ["la Revolución Francesa"]}, {"q": "Revolución Francesa"}, "es")["em"] == 100.0
    assert mlqa({"q": ["الكتاب"]}, {"q": "كتاب؟"}, "ar")["em"] == 100.0  # article and Arabic "?" removed


def test_mlqa_arabic_quirk_removes_al_inside_words():
    # The official pattern removes every "ال", not only the article prefix; kept for comparability.
    assert normalize_mlqa("حال", "ar") == "ح"


def test_mlqa_unknown_language():
    with pytest.raises(ValueError, match="'fr'"):
        mlqa({"q": ["x"]}, {"q": "x"}, "fr")


def test_squad_v2_no_answer_semantics():
    gold = {"a": ["Paris"], "b": []}
    # a: empty prediction vs an answer -> 0/0; b: empty vs unanswerable -> 1/1.
    both_empty = squad_v2(gold, {"a": "", "b": ""})
    assert both_empty == {"em": 50.0, "f1": 50.0, "has_ans_em": 0.0, "has_ans_f1": 0.0, "no_ans_em": 100.0}
    # b answered although unanswerable -> 0; a gets F1 2/3 ("Paris" in "Paris France").
    answered = squad_v2(gold, {"a": "Paris France", "b": "Paris"})
    assert answered["em"] == 0.0
    assert answered["f1"] == pytest.approx(100 * (2 / 3) / 2)
    assert answered["no_ans_em"] == 0.0


def test_answers_from_squad_and_rows():
    data = {"data": [{"paragraphs": [{"qas": [{"id": "x", "answers": [{"text": "A", "answer_start": 0}]}]}]}]}
    assert answers_from_squad(data) == [("x", ["A"])]
    assert answers_from_squad(data["data"]) == [("x", ["A"])]
    assert answers_from_rows([{"id": "y", "answers": {"text": ["B", "C"], "answer_start": [0, 3]}}]) == \
        [("y", ["B", "C"])]


def test_repeated_question_ids_count_every_time_as_the_official_script():
    qa = [{"id": "q", "answers": [{"text": "Paris", "answer_start": 0}]},
          {"id": "q", "answers": [{"text": "Rome", "answer_start": 0}]}]
    data = {"data": [{"paragraphs": [{"qas": qa}]}]}
    gold = answers_from_squad(data)
    assert gold == [("q", ["Paris"]), ("q", ["Rome"])]
    assert squad_v1(gold, {"q": "Paris"}) == {"em": 50.0, "f1": 50.0}  # two questions, one right
    assert mlqa(gold, {"q": "Rome"}, "en")["em"] == 50.0


# ---- retrieval -------------------------------------------------------------------------------------------


def test_top_k_matches_brute_force_across_chunks():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 8)), rng.normal(size=(45, 8))
    sims, ids = top_k(x, y, 4, chunk=7)
    full = cosine(x, y)
    expected = np.argsort(-full, axis=1, kind="stable")[:, :4]
    assert (ids == expected).all()
    assert np.allclose(sims, np.take_along_axis(full, expected, axis=1), atol=1e-6)


def test_top_k_ties_go_to_lower_index():
    keys = np.array([[0, 1], [1, 0], [1, 0], [1, 0]], dtype=np.float32)
    sims, ids = top_k(np.array([[1, 0]]), keys, 2, chunk=1)
    assert ids.tolist() == [[1, 2]]


def _brute_margin_mining(x, y, k):
    # Independent full-matrix version of the ratio margin and "max" retrieval, for comparison.
    c = cosine(x, y)
    mean_x = np.sort(c, axis=1)[:, ::-1][:, :k].mean(axis=1)
    mean_y = np.sort(c.T, axis=1)[:, ::-1][:, :k].mean(axis=1)
    margin = c / ((mean_x[:, None] + mean_y[None, :]) / 2)
    props = []
    for i in range(len(x)):
        nn = np.argsort(-c[i], kind="stable")[:k]
        j = nn[np.argmax(margin[i, nn])]
        props.append((margin[i, j], i, j))
    for j in range(len(y)):
        nn = np.argsort(-c[:, j], kind="stable")[:k]
        i = nn[np.argmax(margin[nn, j])]
        props.append((margin[i, j], i, j))
    used_x, used_y, kept = set(), set(), []
    for score, i, j in sorted(props, key=lambda p: -p[0]):
        if i not in used_x and j not in used_y:
            used_x.add(i), used_y.add(j), kept.append((i, j, score))
    return kept


def test_margin_mining_matches_brute_force():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 16))
    y = np.concatenate([x[:20] + 0.3 * rng.normal(size=(20, 16)), rng.normal(size=(15, 16))])
    mined = mine_rows(x, y, k=4, chunk=8)
    expected = _brute_margin_mining(x, y, 4)
    assert [(i, j) for i, j, _ in mined] == [(i, j) for i, j, _ in expected]
    assert np.allclose([s for *_, s in mined], [s for *_, s in expected], atol=1e-5)
    assert {(i, i) for i in range(20)} <= {(i, j) for i, j, _ in mined}


def test_bucc_duplicate_sentences_keep_every_id():
    e = np.eye(3)
    src_ids, src_texts = ["s1", "s2", "s3"], ["Hallo Welt", "Hallo Welt", "Guten Tag"]
    trg_ids, trg_texts = ["t1", "t2", "t3"], ["Hello world", "Hello world", "Good day"]
    src_emb, trg_emb = e[[0, 0, 1]], e[[0, 0, 1]]
    cands = mine_pairs(src_ids, src_emb, trg_ids, trg_emb, src_texts, trg_texts, k=1)
    pairs = {(s, t) for s, t, _ in cands}
    # The duplicated text is mined once and handed to every id that carries it.
    assert pairs == {("s1", "t1"), ("s1", "t2"), ("s2", "t1"), ("s2", "t2"), ("s3", "t3")}
    gold = {("s1", "t1"), ("s2", "t2"), ("s3", "t3")}
    assert bucc_scores(cands, gold)["recall"] == 100.0


def test_optimize_threshold_hand_computed():
    cands = [("a", "x", 1.5), ("b", "q", 1.3), ("c", "y", 1.2), ("d", "q2", 1.0)]
    gold = {("a", "x"), ("c", "y")}
    # Sweep F1 = 2c / (n + |gold|): 2/3, 1/2, 4/5, 2/3 -> best after 3 candidates, midpoint (1.2 + 1.0) / 2.
    assert optimize_threshold(cands, gold) == pytest.approx(1.1)
    scores = bucc_scores(cands, gold)
    assert scores == pytest.approx({"precision": 200 / 3, "recall": 100.0, "f1": 80.0, "threshold": 1.1})


def test_threshold_at_last_candidate_does_not_index_past_the_end():
    cands = [("a", "x", 2.0), ("b", "y", 1.5)]
    assert optimize_threshold(cands, {("a", "x"), ("b", "y")}) == 1.5
    assert bucc_scores(cands, {("a", "x"), ("b", "y")})["f1"] == 100.0


def test_threshold_never_splits_tied_scores():
    # Keeping only the first of two equal scores is not expressible as a threshold: both are kept.
    scores = bucc_scores([("a", "x", 1.0), ("b", "y", 1.0)], {("a", "x")})
    assert scores["precision"] == 50.0 and scores["recall"] == 100.0
    # Cuts after a (F1 2/3), after the tied b, c (4/5) or after d (2/3); a cut between b and c (F1 1) is
    # not allowed, so the threshold is the midpoint (1.0 + 0.5) / 2 and the promised F1 80 is what it gives.
    cands = [("a", "x", 2.0), ("b", "y", 1.0), ("c", "z", 1.0), ("d", "w", 0.5)]
    gold = {("a", "x"), ("b", "y")}
    assert optimize_threshold(cands, gold) == 0.75
    assert bucc_scores(cands, gold)["f1"] == pytest.approx(80.0)


def test_threshold_with_no_correct_candidate_keeps_nothing():
    cands = [("a", "x", 2.0)]
    th = optimize_threshold(cands, {("b", "y")})
    assert th > 2.0 and apply_threshold(cands, th) == set()


def test_dev_threshold_applied_to_test_unchanged():
    test = [("a", "x", 1.4), ("b", "y", 1.1), ("c", "z", 1.0)]
    scores = bucc_scores(test, {("a", "x"), ("c", "z")}, threshold=1.1)
    assert scores["threshold"] == 1.1
    # kept {(a,x), (b,y)}: 1 correct -> P 50, R 50.
    assert scores["f1"] == 50.0


def test_pair_prf_uses_sets():
    gold = [("a", "x"), ("b", "y")]
    pred = [("a", "x"), ("c", "z"), ("a", "x")]
    assert pair_prf(gold, pred) == {"precision": 50.0, "recall": 50.0, "f1": 50.0}
    assert pair_prf(gold, [])["f1"] == 0.0


def test_centering_removes_a_language_offset_that_hides_the_translations():
    rng = np.random.default_rng(0)
    meaning = rng.normal(size=(50, 16)).astype(np.float32)
    en_offset, xx_offset = 10 * rng.normal(size=16), 10 * rng.normal(size=16)  # one per language
    en, xx = meaning + en_offset, meaning + 0.3 * rng.normal(size=meaning.shape) + xx_offset
    assert tatoeba_accuracy(xx, en) < 20  # the offsets swamp the cosine
    assert tatoeba_accuracy(center(xx), center(en)) == 100.0
    assert np.allclose(center(xx).mean(0), 0, atol=1e-4)


def test_tatoeba_both_directions():
    xx = np.array([[1.0, 0.0], [0.6, 0.8]])
    en = np.array([[0.8, 0.6], [0.6, 0.8]])
    # en0 is closer to xx1 (0.96) than to xx0 (0.8): en->xx gets 1 of 2; each xx row finds its own en row.
    assert tatoeba_accuracy(xx, en) == 50.0
    assert tatoeba_accuracy(xx, en, direction="xx2en") == 100.0
    assert tatoeba_scores(xx, en) == {"accuracy": 50.0, "accuracy_en2xx": 50.0, "accuracy_xx2en": 100.0}
    with pytest.raises(ValueError, match="direction"):
        tatoeba_accuracy(xx, en, direction="both")


# ---- aggregation -----------------------------------------------------------------------------------------

# Task -> {metric: value} used for every language (xnli ar is lowered to check the unweighted mean).
VALUES = {"xnli": {"accuracy": 80}, "pawsx": {"accuracy": 90}, "udpos": {"f1": 70, "token_accuracy": 75},
          "panx": {"f1": 60}, "xquad": {"em": 60, "f1": 80}, "mlqa": {"em": 50, "f1": 70},
          "tydiqa": {"em": 40, "f1": 60}, "bucc2018": {"f1": 80}, "tatoeba": {"accuracy": 50}}


def _full_frame(skip_task=None):
    rows = [{"task": t, "language": lang, "metric": m, "value": float(v)}
            for t, metrics in VALUES.items() if t != skip_task for lang in TASK2LANGS[t] for m, v in metrics.items()]
    df = pd.DataFrame(rows)
    df.loc[(df.task == "xnli") & (df.language == "ar"), "value"] = 50.0
    extra = pd.DataFrame([{"task": "mnli", "language": "en", "metric": "accuracy", "value": 0.0},
                          {"task": "xnli", "language": "ja", "metric": "accuracy", "value": 0.0},
                          {"task": "mewslix", "language": "en", "metric": "map", "value": 0.0}])
    return pd.concat([df, extra], ignore_index=True)


def test_task2langs_sizes():
    sizes = {t: len(langs) for t, langs in TASK2LANGS.items()}
    assert sizes == {"xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7, "tydiqa": 9,
                     "bucc2018": 4, "tatoeba": 36}
    assert all(len(set(langs)) == len(langs) for langs in TASK2LANGS.values())
    assert sorted(t for ts in GROUPS.values() for t in ts) == sorted(TASK2LANGS)


def test_xtreme_scores_hand_computed():
    s = xtreme_scores(_full_frame())
    # xnli: (50 + 14 * 80) / 15 = 78; the mnli (training task) and xnli-ja rows never enter a mean.
    assert s["tasks"]["xnli"]["score"] == pytest.approx(78.0)
    assert s["tasks"]["xquad"]["score"] == pytest.approx(70.0) and s["tasks"]["xquad"]["score_f1"] == 80.0
    assert s["tasks"]["udpos"]["avg_token_accuracy"] == 75.0
    assert s["groups"] == pytest.approx({"classification": 84.0, "structured_prediction": 65.0, "qa": 60.0,
                                         "retrieval": 65.0})
    # overall: (78 + 90 + 70 + 60 + 70 + 60 + 50 + 80 + 50) / 9; with QA F1 only: 80, 70, 60 for QA.
    assert s["overall"] == pytest.approx(608 / 9)
    assert s["overall_f1"] == pytest.approx(638 / 9)
    assert s["missing_tasks"] == []
    assert "mewslix" not in s["tasks"] and "mnli" not in s["tasks"]


def test_overall_needs_all_nine_tasks():
    s = xtreme_scores(_full_frame(skip_task="tatoeba"))
    assert s["overall"] is None and s["missing_tasks"] == ["tatoeba"]
    assert "retrieval" not in s["groups"] and "qa" in s["groups"]


def test_missing_language_leaves_task_incomplete():
    df = _full_frame()
    df = df[~((df.task == "panx") & (df.language == "yo"))]
    s = xtreme_scores(df)
    assert math.isnan(s["tasks"]["panx"]["score"]) and s["tasks"]["panx"]["missing"] == ["yo"]
    assert s["missing_tasks"] == ["panx"] and s["overall"] is None


def test_duplicate_rows_are_an_error():
    df = _full_frame()
    df = pd.concat([df, df[df.task == "pawsx"].head(1)])
    with pytest.raises(ValueError, match="pawsx: several values"):
        xtreme_scores(df)


def test_metrics_registry_scores_perfect_predictions():
    assert METRICS["accuracy"]([1, 0], [1, 0])["accuracy"] == 100.0
    assert METRICS["seqeval"]([["B-PER", "O"]], [["B-PER", "O"]])["f1"] == 100.0
    assert METRICS["squad_v1"]({"q": ["a b"]}, {"q": "a b"}) == {"em": 100.0, "f1": 100.0}
    assert METRICS["squad_v2"]({"q": []}, {"q": ""})["em"] == 100.0
    assert METRICS["mlqa"]({"q": ["北京"]}, {"q": "北京"}, lang="zh")["f1"] == 100.0
    assert METRICS["bucc"]([("a", "x")], [("a", "x")])["f1"] == 100.0


# ---- ranked retrieval: mAP@20 (XTREME-R Mewsli-X and LAReQA) -------------------------------------------------


def _ranked(*ids, fill=20):
    """A ranked list: `ids` first, then distinct non-relevant fillers up to `fill` entries."""
    return list(ids) + [f"junk{i}" for i in range(fill - len(ids))]


def test_ap_at_20_several_relevant_items():
    # relevant a, b, c found at ranks 1, 3, 5: (1/1 + 2/3 + 3/5) / 3 = 0.755...
    assert average_precision_at_k(["a", "b", "c"], _ranked("a", "x", "b", "y", "c")) == pytest.approx(
        (1 + 2 / 3 + 3 / 5) / 3)
    # one of the three never retrieved: the divisor stays 3 (min(relevant, k)): (1/2 + 2/4) / 3
    assert average_precision_at_k(["a", "b", "c"], _ranked("x", "a", "y", "b")) == pytest.approx((1 / 2 + 2 / 4) / 3)


def test_ap_at_20_fewer_than_20_predictions():
    assert average_precision_at_k(["g"], ["x", "g"]) == pytest.approx(1 / 2)  # a 2-entry list is scored as it is
    # 3 relevant, 2 predicted, both relevant: (1/1 + 2/2) / 3
    assert average_precision_at_k(["a", "b", "c"], ["b", "a"]) == pytest.approx(2 / 3)
    assert average_precision_at_k(["g"], []) == 0.0


def test_ap_at_20_cuts_at_20_and_divides_by_at_most_20():
    assert average_precision_at_k(["g"], _ranked(fill=20) + ["g"]) == 0.0  # rank 21 is not retrieved
    assert average_precision_at_k(["g"], _ranked(fill=19) + ["g"]) == pytest.approx(1 / 20)
    many = [f"r{i}" for i in range(25)]  # 25 relevant, the top 20 all relevant: 20 / min(25, 20) = 1
    assert average_precision_at_k(many, many) == pytest.approx(1.0)


def test_ap_at_20_ties_repeated_ids_count_once_but_keep_their_rank():
    # "a" listed twice (a tie between two entries of one candidate): the repeat is no second hit but
    # still takes rank 2, so "b" is a hit at rank 3: (1/1 + 2/3) / 2, as utils_lareqa.average_precision_at_k
    assert average_precision_at_k(["a", "b"], ["a", "a", "b"]) == pytest.approx((1 + 2 / 3) / 2)
    # Mewsli-X (utils_mewslix.mean_reciprocal_rank): the first occurrence's rank
    assert mewslix_map({"m": ["g"]}, {"m": ["x", "x", "g", "g"]}) == {"map@20": pytest.approx(100 / 3)}


def test_ap_without_relevant_ids_is_an_error():
    with pytest.raises(ValueError, match="without relevant"):
        average_precision_at_k([], ["a"])


def test_map_none_retrieved_missing_and_extra_queries():
    gold = {"q1": ["a"], "q2": ["b"], "q3": ["c"]}
    pred = {"q1": ["a"], "q2": _ranked("x"), "q9": ["c"]}  # q2 nothing relevant; q3 no prediction; q9 extra
    assert lareqa_map(gold, pred) == {"map@20": pytest.approx(100 / 3)}
    assert mean_average_precision({}, pred) == {"map@20": 0.0}  # no gold query: 0, as mean_reciprocal_rank


def test_mewslix_counts_only_the_first_gold_id_lareqa_every_one():
    gold, pred = {"m": ["Q1", "Q2"]}, {"m": ["Q2", "Q1"]}
    assert mewslix_map(gold, pred) == {"map@20": pytest.approx(50.0)}  # utils_mewslix: labels[0] only, at rank 2
    assert lareqa_map(gold, pred) == {"map@20": pytest.approx(100.0)}
    assert mewslix_map({"m": [" Q1 "]}, {"m": ["Q1"]}) == {"map@20": 100.0}  # the gold id is stripped


def test_ranking_metrics_are_registered():
    assert METRICS["map@20"]({"q": ["a", "b"]}, {"q": ["b", "x", "a"]}) == {"map@20": pytest.approx(
        100 * (1 + 2 / 3) / 2)}
    assert METRICS["map@20_first_gold"]({"q": ["a", "b"]}, {"q": ["b", "x", "a"]}, lang="en") == {
        "map@20": pytest.approx(100 / 3)}
