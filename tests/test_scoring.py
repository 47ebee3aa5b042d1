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
    with pytest.raises(ValueError, match="no XTREME submission format"):
        write_predictions(tmp_path, "mewslix", "en", [])


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
