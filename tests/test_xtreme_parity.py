"""Our scorer against the official XTREME semantics on many randomized cases, not only the mock files.

Each reference below is written here, independently of stilts_utils, from the logic of the official code:
google-research/xtreme evaluate.py and third_party/evaluate_squad.py @838c13b, seqeval 0.0.12's
`get_entities` (the seqeval XTREME ran), and xtreme utils_preprocess.py / utils_retrieve.py for the Tatoeba
file order. The references are deliberately plain loops, shaped like the official code, not like ours.
"""
import json
import random
import re
import string
from collections import Counter

import pytest
import yaml

from stilts_utils.evaluation.submission import score_file, tatoeba_lines, tatoeba_order, write_predictions
from stilts_utils.metrics.qa import answers_from_squad, squad_v1
from stilts_utils.metrics.tagging import tagging_scores
from stilts_utils.tasks.languages import UPOS
from tiny_models import FIXTURES

N_CASES = 2000
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


# ---- reference: seqeval 0.0.12 chunk F1, as evaluate.py's f1/precision/recall called it ----------------

def _ref_entities(seq):
    """seqeval 0.0.12 get_entities over a list of sentences: flatten with an 'O' after each sentence, then
    walk the tags with that version's end-of-chunk and start-of-chunk tests."""
    flat = []
    for sentence in seq:
        flat.extend(sentence)
        flat.append("O")
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate(flat + ["O"]):
        tag = chunk[0]
        type_ = chunk.split("-")[-1]
        end = False
        if prev_tag == "E" or prev_tag == "S":
            end = True
        if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
            end = True
        if prev_tag != "O" and prev_tag != "." and prev_type != type_:
            end = True
        start = False
        if tag == "B" or tag == "S":
            start = True
        if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
            start = True
        if tag != "O" and tag != "." and prev_type != type_:
            start = True
        if end:
            chunks.append((prev_type, begin, i - 1))
        if start:
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def _ref_tagging(labels, predictions):
    true, pred = set(_ref_entities(labels)), set(_ref_entities(predictions))
    correct = len(true & pred)
    p = correct / len(pred) if len(pred) > 0 else 0
    r = correct / len(true) if len(true) > 0 else 0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0
    return {"f1": f1 * 100, "precision": p * 100, "recall": r * 100}


def _random_tagging_case(rng, tags, agree):
    sentences = [[rng.choice(tags) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(1, 4))]
    pred = [[t if rng.random() < agree else rng.choice(tags) for t in s] for s in sentences]
    return sentences, pred


@pytest.mark.parametrize("tags", [UPOS, NER], ids=["udpos", "panx"])
def test_tagging_f1_matches_seqeval_0012_on_random_cases(tags):
    rng = random.Random(0)
    differ_from_current = 0
    for _ in range(N_CASES):
        gold, pred = _random_tagging_case(rng, list(tags), agree=rng.choice([0.5, 0.8, 0.95]))
        got, want = tagging_scores(gold, pred), _ref_tagging(gold, pred)
        for metric in want:
            assert got[metric] == pytest.approx(want[metric], abs=1e-9), (gold, pred, metric)
        current = tagging_scores(gold, pred, tagging_f1="seqeval-1.2.2")
        differ_from_current += abs(current["f1"] - got["f1"]) > 1e-9
    if tags is UPOS:  # seqeval 1.x chunks POS tags differently (CCONJ/SCONJ, X): a real, frequent difference
        assert differ_from_current > N_CASES // 20
    else:  # BIO entity tags: both versions agree (PAN-X numbers do not depend on the setting)
        assert differ_from_current == 0


def test_a_known_0012_vs_1x_difference():
    # 0.0.12 types are whole tags (CCONJ, SCONJ); seqeval 1.x reads both as type "CONJ" and chunks them
    # differently, so a CCONJ predicted as SCONJ costs less under 1.x
    gold, pred = [["NOUN", "CCONJ", "SCONJ"]], [["NOUN", "SCONJ", "SCONJ"]]
    assert tagging_scores(gold, pred)["f1"] == pytest.approx(_ref_tagging(gold, pred)["f1"]) == pytest.approx(200 / 3)
    assert tagging_scores(gold, pred, tagging_f1="seqeval-1.2.2")["f1"] == pytest.approx(80.0)


def test_submission_tags_file_is_scored_with_the_0012_semantics(tmp_path):
    rng = random.Random(1)
    gold, pred = zip(*[_random_tagging_case(rng, list(UPOS), 0.8) for _ in range(30)])
    gold = [s for case in gold for s in case]
    pred = [s for case in pred for s in case]
    labels = write_predictions(tmp_path / "labels", "udpos", "de", gold)
    preds = write_predictions(tmp_path / "preds", "udpos", "de", pred)
    got = score_file(preds, labels, "udpos", "de")
    want = _ref_tagging(gold, pred)
    assert {m: got[m] for m in want} == pytest.approx(want)


# ---- reference: SQuAD v1.1 (XQuAD, TyDiQA in evaluate.py), question by question -------------------------

def _ref_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def _ref_f1(prediction, truth):
    p, t = _ref_normalize(prediction).split(), _ref_normalize(truth).split()
    same = sum((Counter(p) & Counter(t)).values())
    if same == 0:
        return 0
    precision, recall = same / len(p), same / len(t)
    return 2 * precision * recall / (precision + recall)


def _ref_squad(dataset, predictions):
    f1 = em = total = 0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    continue
                truths = [a["text"] for a in qa["answers"]]
                em += max(float(_ref_normalize(predictions[qa["id"]]) == _ref_normalize(t)) for t in truths)
                f1 += max(_ref_f1(predictions[qa["id"]], t) for t in truths)
    return {"em": 100.0 * em / total, "f1": 100.0 * f1 / total}


WORDS = ["the", "a", "an", "Paris", "paris", "river", "Rhine", "1990", "red", "blue", "of", "in", "The", "cat"]
PUNCT = ["", ".", ",", "!", "'s", " -", "?"]


def _phrase(rng):
    return " ".join(rng.choice(WORDS) + rng.choice(PUNCT) for _ in range(rng.randint(1, 4)))


def _random_qa_case(rng):
    ids = [f"q{k}" for k in range(rng.randint(1, 6))]
    qas = [{"id": rng.choice(ids), "answers": [{"text": _phrase(rng), "answer_start": 0}
                                                for _ in range(rng.randint(1, 3))]}
           for _ in range(rng.randint(1, 8))]  # ids repeat on purpose
    data = [{"paragraphs": [{"qas": qas[:len(qas) // 2]}, {"qas": qas[len(qas) // 2:]}]}]
    preds = {}
    for qa in qas:
        if rng.random() < 0.85:  # some questions stay unanswered
            preds[qa["id"]] = rng.choice([a["text"] for a in qa["answers"]] + [_phrase(rng)])
    return data, preds


def test_squad_scores_match_the_official_loop_on_random_cases():
    rng = random.Random(2)
    repeated = 0
    for _ in range(N_CASES):
        data, preds = _random_qa_case(rng)
        gold = answers_from_squad({"data": data})
        repeated += len({q for q, _ in gold}) < len(gold)
        got, want = squad_v1(gold, preds), _ref_squad(data, preds)
        assert got == pytest.approx(want, abs=1e-9), (data, preds)
    assert repeated > N_CASES // 4  # the cases exercise repeated ids


def test_qa_submission_files_with_repeated_ids_score_as_official(tmp_path):
    rng = random.Random(3)
    for k in range(50):
        data, preds = _random_qa_case(rng)
        label = tmp_path / f"label{k}.json"
        label.write_text(json.dumps({"version": "1.1", "data": data}))
        pred = write_predictions(tmp_path / f"p{k}", "xquad", "de", preds)
        got = score_file(pred, label, "xquad", "de")
        assert got == pytest.approx(_ref_squad(data, preds), abs=1e-9)


# ---- reference: BUCC, sets of gold and predicted lines (evaluate.py bucc_f1) ----------------------------

def _ref_bucc(labels, predictions):
    labels = set(tuple(line.split("\t")) for line in labels)
    predictions = set(tuple(line.split("\t")) for line in predictions)
    correct = len(labels & predictions)
    if correct > 0:
        p, r = correct / len(predictions), correct / len(labels)
        return {"f1": 200 * p * r / (p + r), "precision": 100 * p, "recall": 100 * r}
    return {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_bucc_files_with_several_targets_per_source_score_as_official(tmp_path):
    rng = random.Random(4)
    for k in range(200):
        gold = [(f"de-{rng.randint(0, 9)}", f"en-{rng.randint(0, 9)}") for _ in range(rng.randint(1, 12))]
        pred = [(f"de-{rng.randint(0, 9)}", f"en-{rng.randint(0, 9)}") for _ in range(rng.randint(1, 12))]
        pred += rng.sample(gold, rng.randint(0, len(gold)))
        label = tmp_path / f"gold{k}.tsv"
        label.write_text("".join(f"{s}\t{t}\n" for s, t in gold))
        path = write_predictions(tmp_path / f"p{k}", "bucc2018", "de", pred)
        want = _ref_bucc([f"{s}\t{t}" for s, t in gold], [f"{s}\t{t}" for s, t in pred])
        assert score_file(path, label, "bucc2018", "de") == pytest.approx(want)


def test_bucc_reader_keeps_every_gold_target(tmp_path):
    from stilts_utils.data.readers import read_bucc
    from stilts_utils.model.kinds.retrieval import sides
    from stilts_utils.tasks import REGISTRY

    base = tmp_path / "bucc2018" / "de-en"
    base.mkdir(parents=True)
    (base / "de-en.sample.de").write_text("de-1\tHallo\nde-2\tWelt\n")
    (base / "de-en.sample.en").write_text("en-1\tHello\nen-2\tHi\nen-3\tWorld\n")
    (base / "de-en.sample.gold").write_text("de-1\ten-1\nde-1\ten-2\nde-2\ten-3\n")
    got = sides(read_bucc(REGISTRY["bucc2018"], "de", "dev", tmp_path))
    assert got["gold"] == {("de-1", "en-1"), ("de-1", "en-2"), ("de-2", "en-3")}


# ---- reference: Tatoeba file order (utils_preprocess.tatoeba_preprocess + similarity_search) -----------

def _ref_tatoeba_labels(english):
    """XTREME's English file is the stripped lines sorted; line j's label is the row (of the non-English
    file, kept in data order) that translates the j-th sorted English sentence."""
    data = zip([t.strip() for t in english], range(len(english)))
    return [i for _, i in sorted(data, key=lambda x: x[0])]


def _accuracy(pred, gold):
    return 100.0 * sum(int(p == g) for p, g in zip(pred, gold)) / len(pred)


def test_tatoeba_lines_follow_xtreme_order_on_random_cases(tmp_path):
    rng = random.Random(5)
    for k in range(200):
        n = rng.randint(1, 15)
        english = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))) for _ in range(n)]
        found = [i if rng.random() < 0.6 else rng.randrange(n) for i in range(n)]  # retrieved xx row per en row
        assert tatoeba_order(english) == _ref_tatoeba_labels(english)
        lines = tatoeba_lines(english, found)
        label = tmp_path / f"l{k}.tsv"
        label.write_text("".join(f"{i}\n" for i in _ref_tatoeba_labels(english)))
        path = write_predictions(tmp_path / f"p{k}", "tatoeba", "de", lines)
        want = _accuracy(found, list(range(n)))  # accuracy@1 en->xx in data order
        assert score_file(path, label, "tatoeba", "de")["accuracy"] == pytest.approx(want)


def test_tatoeba_submission_written_by_a_run_scores_under_the_official_order(tiny_model_dirs, tmp_path):
    from stilts_utils.phases import pipeline
    from stilts_utils.study.config import load_study
    from stilts_utils.study.identity import Pair, StudyPaths

    model = str(tiny_model_dirs["xlm-roberta"])
    study_file = tmp_path / "tatoeba.yaml"
    study_file.write_text(yaml.safe_dump({
        "world": "xtreme", "models": [model], "targets": ["tatoeba"],
        "target_languages": {"tatoeba": ["de", "zh"]}, "data_dirs": {"tatoeba": str(FIXTURES)},
        "retrieval": {"max_seq_len": 32, "batch_size": 4}, "output_root": str(tmp_path / "outputs")}))
    rows = pipeline.run_pair(str(study_file), model, "", "none", "en", 1.0, "tatoeba", 0)
    study = load_study(study_file)
    out = StudyPaths(study).predictions(Pair(model, "", "none", "en", 1.0, "tatoeba", 0))
    for lang in ("de", "zh"):
        english = [json.loads(line)["target_sentence"]
                   for line in (FIXTURES / "tatoeba" / lang / "test.jsonl").read_text().splitlines()]
        assert _ref_tatoeba_labels(english) != list(range(len(english)))  # the order matters in the fixture
        label = tmp_path / f"labels-{lang}.tsv"
        label.write_text("".join(f"{i}\n" for i in _ref_tatoeba_labels(english)))
        official = score_file(out / "tatoeba" / f"test-{lang}.tsv", label, "tatoeba", lang)["accuracy"]
        ours = rows[(rows.language == lang) & (rows.metric == "accuracy")].value.item()
        assert official == pytest.approx(ours)
