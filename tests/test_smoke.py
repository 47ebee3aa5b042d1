"""End to end at tiny scale: the real notebooks through papermill on a tiny sandbox world."""
import json

import pandas as pd
import pytest
import yaml

from stilts_utils.cli import runner
from stilts_utils.executors import local
from stilts_utils.study import identity as grid
from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths
from stilts_utils.phases.results import COLUMNS

TINY = {
    "world": "sandbox",
    "models": ["sandbox-tiny"],
    "intermediate": ["none", "mnli"],
    "targets": ["xnli", "udpos", "panx", "xquad", "bucc2018", "tatoeba"],
    "seeds": [0],
    "checkpoints": [0.5, 1.0],
    "phase2": {"epochs": 1, "batch_size": 16, "lr": 0.001, "max_seq_len": 64, "doc_stride": 24,
               "max_query_len": 16, "eval_every": 0},
    "phase3": {"epochs": 1, "batch_size": 16, "lr": 0.001, "max_seq_len": 64, "doc_stride": 24,
               "max_query_len": 16, "eval_every": 2, "eval_subset": 16},
    "sandbox": {
        "train_size": 48, "eval_size": 12, "pretrain_sentences": 600, "bucc_pairs": 10,
        "bucc_distractors": 6,
        "languages": [
            {"code": "xa", "name": "Alderan", "cc100_tokens_m": 10297, "copies": "de"},
            {"code": "xe", "name": "Eskelic", "cc100_tokens_m": 2736, "word_order": "SOV",
             "morphology": "agglutinative", "adposition": "post", "copies": "tr"},
        ],
    },
    "sandbox_sizes": {"tiny": {"hidden_size": 32, "num_layers": 2, "num_heads": 2, "intermediate_size": 64,
                               "vocab_size": 400, "max_length": 64, "epochs": 0.5}},
    "analysis": ["notebooks/analysis_default.ipynb"],
}


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    root = tmp_path_factory.mktemp("smoke")
    path = root / "tiny.yaml"
    path.write_text(yaml.safe_dump({**TINY, "output_root": str(root / "outputs")}))
    outcome = runner.run(str(path))
    return str(path), load_study(path), outcome


@pytest.mark.slow
def test_every_pair_writes_rows(tiny_study):
    path, study, outcome = tiny_study
    assert not outcome.failed, outcome.failed
    paths = StudyPaths(study)
    df = pd.read_parquet(paths.results())
    assert list(df.columns) == COLUMNS
    for pair in grid.pairs(study):
        assert paths.notebook(pair).exists(), "the executed notebook is the record of the run"
        assert paths.rows(pair).exists()
    langs = {"en", "xa", "xe"}
    for target in study.targets:
        part = df[(df.target == target) & (df.split != "select")]
        assert set(part.intermediate) == {"none", "mnli"}
        expected = langs - {"en"} if target in ("bucc2018", "tatoeba") else langs
        assert set(part.language) == expected, target
    assert df["value"].between(-1e-9, 100 + 1e-9).all() or (df.metric == "threshold").any()
    scored = df[df.metric.isin(["accuracy", "f1", "em"])]
    assert scored["value"].between(0, 100).all()
    assert (df[df.intermediate == "mnli"].intermediate_steps > 0).all()
    assert (df[df.intermediate == "none"].intermediate_steps == 0).all()
    assert df.model_params.gt(0).all() and df.wall_time_s.ge(0).all()
    assert df[df.target_steps > 0].wall_time_s.gt(0).all()  # a tiny retrieval pair may take < 0.05 s: 0.0
    assert (paths.figures / "gain_heatmap.pdf").exists(), "the analysis notebook ends the study"
    assert (paths.tables / "volume_correlation.csv").exists()


@pytest.mark.slow
def test_checkpoints_and_submission_files(tiny_study):
    path, study, _ = tiny_study
    df = pd.read_parquet(StudyPaths(study).results())
    steps = sorted(df[df.intermediate == "mnli"].intermediate_steps.unique())
    assert len(steps) == 2 and steps[0] < steps[1], "one encoder per checkpoint fraction"
    pair = next(p for p in grid.pairs(study) if p.target == "xnli" and p.intermediate == "none")
    pred = StudyPaths(study).predictions(pair) / "xnli" / "test-xa.tsv"
    assert pred.exists() and len(pred.read_text().splitlines()) == 12


@pytest.mark.slow
def test_rerun_recomputes_nothing(tiny_study, monkeypatch):
    path, study, _ = tiny_study
    calls = []
    monkeypatch.setattr(local, "execute", lambda *a, **k: calls.append(a))
    again = runner.run(path, analysis=False)
    assert calls == [] and not again.failed
    rows = json.loads(StudyPaths(study).rows(grid.pairs(study)[0]).read_text())
    assert rows and set(rows[0]) == set(COLUMNS)


@pytest.mark.slow
def test_multitask_with_mlm_trains_and_saves(tiny_study, tmp_path):
    """Multi-task phase 2 (two tasks) plus continued MLM, in-process on the tiny world."""
    from stilts_utils.phases import pipeline

    path, study, _ = tiny_study
    data = yaml.safe_load(open(path))
    data.update(intermediate=["none", "multitask"], multitask={"tasks": ["mnli", "squad"]}, mlm_weight=0.3,
                checkpoints=[1.0])
    new = tmp_path / "mt.yaml"
    new.write_text(yaml.safe_dump(data))
    table = pipeline.train_intermediate(str(new), "sandbox-tiny", "", "multitask", "en", 0, mlm_weight=0.3)
    assert list(table.fraction) == [1.0] and table.steps.iloc[0] > 0
    summary = json.loads((StudyPaths(load_study(new)).encoder_dir(grid.encoders(load_study(new))[0])
                          / "summary.json").read_text())
    assert set(summary["dev_after_training"]) == {"mnli", "squad"}


@pytest.mark.slow
def test_a_fresh_run_with_two_workers_gives_identical_values(tiny_study, tmp_path):
    """Determinism: the same study from scratch (phase 1 rebuilt in another output root) with --parallel 2
    gives the very same values as the first run with one worker."""
    path, study, _ = tiny_study
    data = yaml.safe_load(open(path))
    data.update(output_root=str(tmp_path / "outputs"), analysis=[])
    again = tmp_path / "tiny.yaml"  # same file name: same study name
    again.write_text(yaml.safe_dump(data))
    outcome = runner.run(str(again), parallel=2, analysis=False)
    assert not outcome.failed, outcome.failed
    keys = ["model", "intermediate", "intermediate_data", "intermediate_steps", "target", "language", "split",
            "metric", "seed", "target_steps", "run_id", "model_params"]

    def values(s):
        df = pd.read_parquet(StudyPaths(s).results())
        return df[keys + ["value"]].sort_values(keys).reset_index(drop=True)

    first, second = values(study), values(load_study(again))
    assert len(first) == len(second) > 0
    pd.testing.assert_frame_equal(first, second, check_exact=True)
