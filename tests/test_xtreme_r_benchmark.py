"""The study setting `benchmark: xtreme | xtreme-r` (issue 23): XTREME-R's language lists, Tatoeba's baseline on
the SQuAD encoder, WikiANN as XTREME-R's panx, the summary's XTREME-R score, and what it leaves unchanged."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from stilts_utils.study.config import load_study
from stilts_utils.study.errors import StudyError
from stilts_utils.study.identity import encoders, pair_key, pairs
from stilts_utils.tasks import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
XTREME_STUDY = ROOT / "params" / "xtreme_xlmr_large.yaml"
R_STUDY = ROOT / "params" / "xtreme_r_mt5.yaml"


def _load(path, *overrides, check_data=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_study(path, tuple(overrides), check_data=check_data)


def _runs(study) -> dict:
    return {(p.model, p.intermediate, p.target, p.seed): (p.id, pair_key(study, p)) for p in pairs(study)}


def test_xtreme_r_changes_exactly_the_xtreme_r_lists_and_tatoebas_baseline():
    xtreme, xtreme_r = _load(XTREME_STUDY), _load(XTREME_STUDY, "benchmark=xtreme-r")
    assert xtreme.benchmark == "xtreme"
    added = {"udpos": {"lt", "pl", "uk", "wo", "ro"}, "tatoeba": {"az", "lt", "pl", "uk", "ro"}, "xquad": {"ro"}}
    for target in xtreme.targets:
        got = set(xtreme_r.languages_for(target)) - set(xtreme.languages_for(target))
        assert got == added.get(target, set()), target
        assert xtreme.languages_for(target) == list(REGISTRY[target].languages)  # XTREME's lists, unchanged
    before, after = _runs(xtreme), _runs(xtreme_r)
    assert before.keys() == after.keys()
    changed = {run for run in before if before[run] != after[run]}
    assert changed == {run for run in before if run[2] in added}  # their languages enter their keys
    for run in changed:  # ids change only where the encoder does: Tatoeba's baseline
        baseline_tatoeba = run[1:3] == ("none", "tatoeba")
        assert (before[run][0] == after[run][0]) != baseline_tatoeba, run
        if baseline_tatoeba:
            assert after[run][0].split("__")[1] == "none.squad-encoder"


def test_tatoebas_baseline_embeds_with_a_squad_encoder_the_study_trains():
    study = _load(R_STUDY, "intermediate=[none,mnli]")
    baseline = [p for p in pairs(study) if p.target == "tatoeba" and p.intermediate == "none"]
    assert baseline and all(p.encoder.intermediate == "squad" for p in baseline)
    assert {p.encoder for p in baseline} <= set(encoders(study))  # trained although `squad` is not a treatment
    assert all(p.encoder is None for p in pairs(study) if p.intermediate == "none" and p.target != "tatoeba")
    full = _load(R_STUDY)  # with `squad` in the study: the same encoder, not a second one
    assert len(encoders(full)) == len(set(encoders(full))) == 4


def test_benchmark_is_checked():
    with pytest.raises(StudyError, match="benchmark: unknown value 'xtreme-s'; allowed: xtreme, xtreme-r"):
        _load(R_STUDY, "benchmark=xtreme-s")


def test_xtreme_r_study_runs_the_ten_tasks_and_a_real_run_needs_their_data():
    study = _load(R_STUDY)
    from stilts_utils.tasks import xtreme_r_tasks

    assert study.benchmark == "xtreme-r" and set(study.targets) == set(xtreme_r_tasks())
    assert study.models == ["google/mt5-base", "xlm-roberta-base"]
    assert study.target_settings("lareqa").max_query_len == 96 and study.target_settings("xnli").epochs == 5
    with pytest.raises(StudyError, match="targets: mewslix has no data"):
        _load(R_STUDY, check_data=True)
    assert _load(R_STUDY, "targets=[xnli,xcopa]", check_data=True).targets == ["xnli", "xcopa"]  # a subset


def test_wikiann_writes_xtreme_rs_panx_files(tmp_path):
    from stilts_utils.evaluation.submission import prediction_path, write_predictions
    from stilts_utils.evaluation.xtreme import BENCHMARKS

    path = write_predictions(tmp_path, "wikiann", "qu", [["O", "B-PER"]])
    assert path == tmp_path / "panx" / "test-qu.tsv" == prediction_path(tmp_path, "wikiann", "qu")
    bench = BENCHMARKS["xtreme-r"]
    assert bench.tasks["panx"] is REGISTRY["wikiann"] and len(bench.task2langs["panx"]) == 48
    assert "wikiann" not in bench.task2langs and BENCHMARKS["xtreme"].tasks["panx"] is REGISTRY["panx"]


def test_summary_reports_the_xtreme_r_score(monkeypatch):
    from stilts_utils.analysis import report_data, summary
    from stilts_utils.evaluation.xtreme import BENCHMARKS

    rows = []
    for inter, value in (("none", 50.0), ("squad", 60.0)):
        for name, task in REGISTRY.items():
            if not task.xtreme_r_languages or (inter == "squad" and name == "lareqa"):
                continue
            metrics = ["em", "f1"] if task.is_qa else [task.metric]
            for lang in task.xtreme_r_languages:
                for seed, shift in ((0, -1.0), (1, 1.0)):  # the seed mean is `value`
                    rows += [{"model": "m", "intermediate": inter, "intermediate_data": "en", "mlm_weight": 0.0,
                              "variant": "", "seed": seed, "intermediate_steps": 0 if inter == "none" else 10,
                              "target": name, "language": lang, "split": "test", "metric": m,
                              "value": value + shift} for m in metrics]
    results, languages = pd.DataFrame(rows), pd.DataFrame({"variant": [""], "language": ["en"]})
    monkeypatch.setattr(report_data, "load", lambda study_dir: (results, languages))
    lines = summary.xtreme_r_lines("unused")
    assert lines[1].startswith("- m, none: XTREME-R 50.0; tasks: ") and "panx 50.0" in lines[1]
    assert "groups: classification 50.0" in lines[1] and len(BENCHMARKS["xtreme-r"].task2langs) == 10
    assert lines[2].startswith("- m, squad: XTREME-R not computed, missing tasks: lareqa;")
    assert "retrieval 60.0" in lines[2]
