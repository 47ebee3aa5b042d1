"""Scoring XTREME submission folders (stilts_utils.evaluation.submission) on the mock submission from xtreme."""
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from stilts_utils.evaluation.xtreme import TASK2LANGS, xtreme_scores
from stilts_utils.metrics.qa import answers_from_squad
from stilts_utils.evaluation.submission import (format_report, main, prediction_path, read_tags, score_file, score_folder,
                                     write_predictions)

MOCK = Path(__file__).parent / "fixtures" / "xtreme_mock_submission"
PRED, LABELS = MOCK / "predictions", MOCK / "labels"


@pytest.fixture(scope="module")
def mock_scores():
    return score_folder(PRED, LABELS)


def _value(df, task, lang, metric):
    return df[(df.task == task) & (df.language == lang) & (df.metric == metric)].value.item()


def test_every_task_and_language_is_scored(mock_scores):
    assert list(mock_scores.columns) == ["task", "language", "metric", "value"]
    got = set(zip(mock_scores.task, mock_scores.language))
    assert got == {(t, lang) for t, langs in TASK2LANGS.items() for lang in langs}
    metrics = mock_scores.groupby("task").metric.agg(set).to_dict()
    assert metrics["xquad"] == {"em", "f1"} and metrics["xnli"] == {"accuracy"}
    assert metrics["udpos"] == {"f1", "precision", "recall", "token_accuracy"}


def test_mock_values_hand_checked(mock_scores):
    # xnli/test-en: lines 3, 6 and 8 agree -> 3 of 10.
    assert _value(mock_scores, "xnli", "en", "accuracy") == pytest.approx(30.0)
    # bucc2018/test-de: 5 of the 10 predicted pairs are gold pairs, 10 gold pairs -> P = R = F1 = 50.
    assert _value(mock_scores, "bucc2018", "de", "f1") == pytest.approx(50.0)
    # mlqa/test-zh: the single prediction equals its answer.
    assert _value(mock_scores, "mlqa", "zh", "em") == 100.0


# xtreme evaluate_test.py @838c13b: TASK2AVG_SCORES, the official per-task means on this mock submission.
XTREME_EXPECTED = {
    "pawsx": {"accuracy": 51.42857142857143}, "xnli": {"accuracy": 30.666666666666668},
    "panx": {"f1": 57.50793650793652, "precision": 54.729166666666664, "recall": 62.750000000000014},
    "udpos": {"f1": 70.21746048354693, "precision": 71.02232625883823, "recall": 69.54982073976082},
    "bucc2018": {"f1": 55.0, "precision": 55.0, "recall": 55.0}, "tatoeba": {"accuracy": 53.611111111111114},
    "xquad": {"em": 77.27272727272727, "f1": 79.9586776859504},
    "mlqa": {"em": 57.142857142857146, "f1": 81.76870748299321},
    "tydiqa": {"em": 88.88888888888889, "f1": 97.22222222222223},
}


def test_mock_task_means_match_xtreme_evaluate_test(mock_scores):
    s = xtreme_scores(mock_scores)
    assert s["missing_tasks"] == []
    for task, metrics in XTREME_EXPECTED.items():
        for metric, want in metrics.items():
            assert s["tasks"][task][f"avg_{metric}"] == pytest.approx(want, abs=1e-9), (task, metric)
    assert round(s["tasks"]["udpos"]["score"], 2) == 70.22  # XTREME-era seqeval 0.0.12 chunking, the default
    task_scores = [(m["em"] + m["f1"]) / 2 if "em" in m else m.get("f1", m.get("accuracy"))
                   for m in XTREME_EXPECTED.values()]
    assert s["overall"] == pytest.approx(sum(task_scores) / len(task_scores))
    assert s["groups"]["qa"] == pytest.approx(80.37568011593986)


def test_mock_udpos_under_current_seqeval_is_a_named_setting():
    df = score_folder(PRED, LABELS, tagging_f1="seqeval-1.2.2")
    s = xtreme_scores(df)
    assert s["tasks"]["udpos"]["score"] == pytest.approx(70.39805810699043)  # seqeval 1.x merges CCONJ/SCONJ
    assert s["tasks"]["panx"]["score"] == pytest.approx(XTREME_EXPECTED["panx"]["f1"])  # BIO tags: the same


def _labels_as_predictions(root: Path) -> Path:
    """The label folder turned into a submission: files copied, QA gold reduced to {id: first answer}."""
    for task in TASK2LANGS:
        for lang in TASK2LANGS[task]:
            label_file = prediction_path(LABELS, task, lang)
            if label_file.suffix == ".json":
                gold = answers_from_squad(json.loads(label_file.read_text(encoding="utf-8")))
                write_predictions(root, task, lang, {qid: answers[0] for qid, answers in gold})
            else:
                prediction_path(root, task, lang).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(label_file, prediction_path(root, task, lang))
    return root


def test_labels_against_themselves_score_100_everywhere(tmp_path):
    df = score_folder(_labels_as_predictions(tmp_path), LABELS)
    assert len(df) == 416 and (df.value == 100.0).all()
    s = xtreme_scores(df)
    assert s["overall"] == pytest.approx(100.0) and s["overall_f1"] == pytest.approx(100.0)


def test_mewslix_is_ignored_and_said(mock_scores):
    assert "mewslix" not in set(mock_scores.task)
    assert any("mewslix" in note for note in mock_scores.attrs["notes"])


def _copy_task(tmp_path, task):
    for side in ("predictions", "labels"):
        shutil.copytree(MOCK / side / task, tmp_path / side / task)
    return tmp_path / "predictions", tmp_path / "labels"


def test_line_count_mismatch_names_the_file(tmp_path):
    pred, labels = _copy_task(tmp_path, "xnli")
    path = pred / "xnli" / "test-de.tsv"
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(ValueError, match=r"test-de\.tsv has 9 lines but .*test-de\.tsv has 10"):
        score_folder(pred, labels)


def test_tagging_trailing_blank_lines_tolerated(tmp_path):
    pred, labels = _copy_task(tmp_path, "panx")
    before = score_file(pred / "panx" / "test-en.tsv", labels / "panx" / "test-en.tsv", "panx", "en")
    path = pred / "panx" / "test-en.tsv"
    path.write_text(path.read_text() + "\n\n\n")
    assert score_file(path, labels / "panx" / "test-en.tsv", "panx", "en") == before


def test_tagging_sentence_mismatch_names_the_file(tmp_path):
    pred, labels = _copy_task(tmp_path, "udpos")
    path = pred / "udpos" / "test-fr.tsv"
    path.write_text(path.read_text().replace("\n\n", "\n", 1))  # two sentences become one
    with pytest.raises(ValueError, match=r"udpos/test-fr\.tsv has \d+ sentences but"):
        score_file(path, labels / "udpos" / "test-fr.tsv", "udpos", "fr")


def test_missing_language_file_is_an_error(tmp_path):
    pred, labels = _copy_task(tmp_path, "pawsx")
    (pred / "pawsx" / "test-ko.tsv").unlink()
    with pytest.raises(FileNotFoundError, match=r"pawsx/ko: missing file .*test-ko\.tsv"):
        score_folder(pred, labels)


def test_write_predictions_round_trip(tmp_path):
    tags = [["B-PER", "I-PER", "O"], ["O"]]
    path = write_predictions(tmp_path, "panx", "de", tags)
    assert path == prediction_path(tmp_path, "panx", "de") and path.name == "test-de.tsv"
    assert read_tags(path) == tags
    assert path.read_text() == "B-PER\nI-PER\nO\n\nO\n\n"
    qa = write_predictions(tmp_path, "mlqa", "zh", {"q1": "北京"})
    assert qa.name == "test-zh.json" and json.loads(qa.read_text(encoding="utf-8")) == {"q1": "北京"}
    bucc = write_predictions(tmp_path, "bucc2018", "de", [("de-2", "en-1"), ("de-1", "en-9")])
    assert bucc.read_text() == "de-1\ten-9\nde-2\ten-1\n"
    assert write_predictions(tmp_path, "tatoeba", "af", [3, 0]).read_text() == "3\n0\n"
    choice = write_predictions(tmp_path, "xcopa", "qu", [1, 0])
    assert choice.name == "test-qu.jsonl" and choice.read_text() == '{"label": 1}\n{"label": 0}\n'
    ranking = write_predictions(tmp_path, "mewslix", "en", {"m1": ["Q2", "Q1"]})
    assert ranking.name == "test-en.json" and json.loads(ranking.read_text()) == {"m1": ["Q2", "Q1"]}
    with pytest.raises(ValueError, match="no XTREME submission format"):
        write_predictions(tmp_path, "mnli", "en", [])


def test_written_predictions_score_against_labels(tmp_path):
    gold = (LABELS / "xnli" / "test-en.tsv").read_text().split()
    write_predictions(tmp_path, "xnli", "en", gold[:9] + ["neutral" if gold[9] != "neutral" else "entailment"])
    scores = score_file(tmp_path / "xnli" / "test-en.tsv", LABELS / "xnli" / "test-en.tsv", "xnli", "en")
    assert scores == {"accuracy": pytest.approx(90.0)}


def test_report_lists_languages_tasks_and_overall(mock_scores):
    text = format_report(mock_scores)
    assert "== xquad: score 78.62 ((EM+F1)/2), F1 79.96" in text
    assert "== overall XTREME 62.17" in text
    assert "structured_prediction" in text and "ignored mewslix" in text
    assert "sw " in text  # per-language rows are printed


def test_report_says_which_tasks_are_missing(mock_scores):
    text = format_report(mock_scores[mock_scores.task != "tatoeba"])
    assert "overall: not computed, missing tasks: tatoeba" in text


def test_main_prints_report_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main([str(PRED), str(LABELS), "--output", str(out)]) == 0
    assert "overall XTREME 62.17" in capsys.readouterr().out
    assert len(pd.read_csv(out)) > 0


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_score_output_is_accepted(tmp_path, capsys, suffix):
    from stilts_utils.cli.main import main as cli

    out = tmp_path / f"scores{suffix}"
    assert cli(["score", str(PRED), str(LABELS), "--output", str(out)]) == 0
    assert "udpos        70.22" in capsys.readouterr().out
    df = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(df.columns) == ["task", "language", "metric", "value"] and len(df) == 416
    assert cli(["score", str(PRED), str(LABELS), "--tagging-f1", "seqeval-1.2.2"]) == 0
    assert "udpos        70.40" in capsys.readouterr().out


# ---- XTREME-R (`--benchmark xtreme-r`): evaluate.py --xtreme_version xtreme-r ---------------------------------

R_LANGS = {  # XTREME_R_TASK2LANGS of xtreme evaluate.py @838c13b, typed out (lareqa: XQuAD-R's 11)
    "xnli": "ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh",
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,yo,my,"
            "zh,kk,tr,et,fi,hu,qu,pl,uk,az,lt,pa,gu,ro",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh,"
             "lt,pl,uk,wo,ro",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,kk,tr,"
               "et,fi,hu,az,lt,pl,uk,ro",
    "xcopa": "et,ht,id,it,qu,sw,ta,th,tr,vi,zh",
    "lareqa": "ar,de,el,en,es,hi,ru,th,tr,vi,zh",
    "mewslix": "ar,de,en,es,fa,ja,pl,ro,ta,tr,uk",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi,ro",
    "mlqa": "en,es,de,ar,hi,vi,zh",
    "tydiqa": "en,ar,bn,fi,id,ko,ru,sw,te",
}
R_LANGS = {task: langs.split(",") for task, langs in R_LANGS.items()}
XCOPA_GOLD = [0, 1, 1, 0]


def _copy_side(task, side, root):
    shutil.copytree(MOCK / side / task, root / side / task)


def _perfect_language(root, task, lang, like):
    """A language XTREME's mock lacks: its labels are the mock's `like` file, its predictions the gold (100)."""
    label_file = prediction_path(LABELS, task, like)
    shutil.copy(label_file, prediction_path(root / "labels", task, lang))
    if label_file.suffix == ".json":
        gold = answers_from_squad(json.loads(label_file.read_text(encoding="utf-8")))
        write_predictions(root / "predictions", task, lang, {qid: answers[0] for qid, answers in gold})
    else:
        shutil.copy(label_file, prediction_path(root / "predictions", task, lang))


def _xtreme_r_submission(root: Path) -> Path:
    """A complete XTREME-R submission: xtreme's mock files where it has them (XTREME's languages, Mewsli-X),
    XTREME-R's added languages predicted perfectly, and hand-made XCOPA and LAReQA files."""
    for task in ("xnli", "udpos", "panx", "tatoeba", "mewslix", "xquad", "mlqa", "tydiqa", "pawsx", "bucc2018"):
        for side in ("predictions", "labels"):
            _copy_side(task, side, root)
    for task, like in (("udpos", "en"), ("panx", "en"), ("tatoeba", "de"), ("xquad", "en")):
        for lang in R_LANGS[task]:
            if not prediction_path(LABELS, task, lang).exists():
                _perfect_language(root, task, lang, like)
    for i, lang in enumerate(R_LANGS["xcopa"]):  # language i gets its first i % 5 answers right
        right = i % 5
        pred = [g if n < right else 1 - g for n, g in enumerate(XCOPA_GOLD)]
        gold_path = prediction_path(root / "labels", "xcopa", lang)
        gold_path.parent.mkdir(parents=True, exist_ok=True)
        gold_path.write_text("".join(json.dumps({"idx": n, "label": g, "premise": "p"}) + "\n"
                                     for n, g in enumerate(XCOPA_GOLD)))
        write_predictions(root / "predictions", "xcopa", lang, pred)
    for lang in R_LANGS["lareqa"]:  # q1: all 11 relevant sentences first; q2: one miss, then 10 of 11
        rel = {q: [f"{q}-{other}" for other in R_LANGS["lareqa"]] for q in ("q1", "q2", "q3")}
        gold = {f"{lang}-q1": rel["q1"], f"{lang}-q2": rel["q2"]}
        pred = {f"{lang}-q1": rel["q1"] + ["x"] * 9, f"{lang}-q2": ["x"] + rel["q2"][:10]}
        if lang == "en":  # q3: nothing relevant retrieved
            gold["en-q3"], pred["en-q3"] = rel["q3"], ["y", "z"]
        label_file = prediction_path(root / "labels", "lareqa", lang)
        label_file.parent.mkdir(parents=True, exist_ok=True)
        label_file.write_text(json.dumps(gold))
        write_predictions(root / "predictions", "lareqa", lang, pred)
    return root


def _xtreme_r_expected() -> dict:
    """Task scores by evaluate.py's XTREME-R semantics, from the official mock means (XTREME_EXPECTED,
    evaluate_test.py's Mewsli-X 14.39...) and hand-worked values for what the mock lacks."""
    def with_perfect(mean, n_mock, task):  # n_mock languages at the mock mean, the added ones at 100
        n = len(R_LANGS[task])
        return (mean * n_mock + 100.0 * (n - n_mock)) / n
    xquad_em = with_perfect(XTREME_EXPECTED["xquad"]["em"], 11, "xquad")
    xquad_f1 = with_perfect(XTREME_EXPECTED["xquad"]["f1"], 11, "xquad")
    # LAReQA AP@20 per question: q1 = 1; q2 = (1/2 + 2/3 + ... + 10/11) / 11 (divisor min(11 relevant, 20));
    # q3 = 0. Per language the mean over its questions; the task the mean over the 11 languages.
    q2 = sum(h / (h + 1) for h in range(1, 11)) / 11
    lareqa = (10 * 100 * (1 + q2) / 2 + 100 * (1 + q2 + 0) / 3) / 11
    xcopa = 100 * sum(i % 5 for i in range(11)) / (11 * len(XCOPA_GOLD))  # 20 right of 44
    return {
        "xnli": XTREME_EXPECTED["xnli"]["accuracy"],
        "udpos": with_perfect(XTREME_EXPECTED["udpos"]["f1"], 33, "udpos"),
        "panx": with_perfect(XTREME_EXPECTED["panx"]["f1"], 40, "panx"),
        "tatoeba": with_perfect(XTREME_EXPECTED["tatoeba"]["accuracy"], 36, "tatoeba"),
        "xcopa": xcopa, "lareqa": lareqa, "mewslix": 14.39025156130419,
        "xquad": (xquad_em + xquad_f1) / 2,
        "mlqa": (XTREME_EXPECTED["mlqa"]["em"] + XTREME_EXPECTED["mlqa"]["f1"]) / 2,
        "tydiqa": (XTREME_EXPECTED["tydiqa"]["em"] + XTREME_EXPECTED["tydiqa"]["f1"]) / 2,
    }


@pytest.fixture(scope="module")
def xtreme_r_folder(tmp_path_factory):
    return _xtreme_r_submission(tmp_path_factory.mktemp("xtreme_r"))


def test_xtreme_r_languages_and_tasks_are_evaluate_pys():
    from stilts_utils.evaluation.xtreme import BENCHMARKS

    got = BENCHMARKS["xtreme-r"].task2langs
    assert {t: set(langs) for t, langs in got.items()} == {t: set(langs) for t, langs in R_LANGS.items()}
    assert all(len(langs) == len(set(langs)) for langs in got.values())
    assert BENCHMARKS["xtreme-r"].groups == {  # XTREME_R_GROUP2TASK: LAReQA is in no group, XCOPA in two
        "classification": ["xnli", "xcopa"], "structured_prediction": ["udpos", "panx"],
        "qa": ["xquad", "mlqa", "tydiqa"], "retrieval": ["tatoeba", "mewslix"], "multiple_choice": ["xcopa"]}


def test_xtreme_r_submission_scores_as_evaluate_py(xtreme_r_folder):
    from stilts_utils.evaluation.xtreme import xtreme_scores

    df = score_folder(xtreme_r_folder / "predictions", xtreme_r_folder / "labels", "xtreme-r")
    assert set(zip(df.task, df.language)) == {(t, lang) for t, langs in R_LANGS.items() for lang in langs}
    s = xtreme_scores(df, benchmark_name="xtreme-r")
    want = _xtreme_r_expected()
    assert s["missing_tasks"] == []
    for task, value in want.items():
        assert s["tasks"][task]["score"] == pytest.approx(value, abs=1e-9), task
    mean = lambda *ts: sum(want[t] for t in ts) / len(ts)  # noqa: E731
    assert s["groups"] == pytest.approx({
        "classification": mean("xnli", "xcopa"), "structured_prediction": mean("udpos", "panx"),
        "qa": mean("xquad", "mlqa", "tydiqa"), "retrieval": mean("tatoeba", "mewslix"),
        "multiple_choice": want["xcopa"]}, abs=1e-9)
    assert s["overall"] == pytest.approx(sum(want.values()) / 10, abs=1e-9)
    assert _value(df, "mewslix", "en", "map@20") == pytest.approx(100 / 12)  # gold Q720285 is 12th of 20
    assert {n for n in df.attrs["notes"]} == {"ignored bucc2018: not one of the ten XTREME-R tasks",
                                              "ignored pawsx: not one of the ten XTREME-R tasks"}


def test_cli_score_xtreme_r(xtreme_r_folder, capsys):
    from stilts_utils.cli.main import main as cli

    pred, labels = xtreme_r_folder / "predictions", xtreme_r_folder / "labels"
    assert cli(["score", str(pred), str(labels), "--benchmark", "xtreme-r"]) == 0
    out = capsys.readouterr().out
    want = _xtreme_r_expected()
    assert f"== overall XTREME-R {sum(want.values()) / 10:.2f}" in out
    assert f"mewslix      {want['mewslix']:.2f}" in out and "multiple_choice" in out
    assert "ignored pawsx" in out
    assert cli(["score", str(pred), str(labels)]) == 0  # the default stays XTREME: nine tasks, its languages
    out = capsys.readouterr().out
    assert "overall XTREME 62.17" in out and "ignored mewslix" in out and "ignored xcopa" in out


def test_xtreme_r_partial_folder_scores_what_is_there(tmp_path):
    for side in ("predictions", "labels"):
        _copy_side("mewslix", side, tmp_path)
    df = score_folder(tmp_path / "predictions", tmp_path / "labels", "xtreme-r")
    text = format_report(df)
    assert "== mewslix: score 14.39" in text and "overall: not computed, missing tasks: xnli" in text


def test_unknown_benchmark_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"benchmark 'xtreme-s' is not one of xtreme, xtreme-r"):
        score_folder(PRED, LABELS, "xtreme-s")


def test_xtreme_r_task_folder_missing_a_language(tmp_path):
    _xtreme_r_submission(tmp_path)
    (tmp_path / "predictions" / "udpos" / "test-wo.tsv").unlink()
    with pytest.raises(FileNotFoundError, match=r"udpos/wo: missing file .*test-wo\.tsv"):
        score_folder(tmp_path / "predictions", tmp_path / "labels", "xtreme-r")


# ---- BUCC: an empty prediction file is no mined pair (evaluate.py bucc_f1 scores it 0) ------------------------

def test_empty_bucc_prediction_file_scores_zero(tmp_path):
    pred, labels = _copy_task(tmp_path, "bucc2018")
    (pred / "bucc2018" / "test-de.tsv").write_text("")
    scores = score_file(pred / "bucc2018" / "test-de.tsv", labels / "bucc2018" / "test-de.tsv", "bucc2018", "de")
    assert scores == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    write_predictions(pred, "bucc2018", "fr", [])  # what scoring._bucc writes when no test pair passes
    assert (pred / "bucc2018" / "test-fr.tsv").read_text() == ""
    df = score_folder(pred, labels)
    assert _value(df, "bucc2018", "fr", "f1") == 0.0 and _value(df, "bucc2018", "ru", "f1") > 0


@pytest.mark.parametrize("task, lang", [("xnli", "en"), ("udpos", "de"), ("xquad", "de")])
def test_empty_file_stays_an_error_where_evaluate_py_needs_one_line_per_example(tmp_path, task, lang):
    pred, labels = _copy_task(tmp_path, task)
    prediction_path(pred, task, lang).write_text("")
    with pytest.raises(ValueError, match="is empty"):
        score_folder(pred, labels)


def test_empty_bucc_gold_file_is_an_error(tmp_path):
    pred, labels = _copy_task(tmp_path, "bucc2018")
    (labels / "bucc2018" / "test-de.tsv").write_text("\n")
    with pytest.raises(ValueError, match=r"labels/bucc2018/test-de\.tsv is empty"):
        score_folder(pred, labels)
