"""All 18 X-STILTs/XTREME tasks through the real code path on fixture files in each dataset's own schema
and a tiny random XLM-R: phase 2 for every intermediate task, phase 3 for every target (notebooks via
papermill for the baseline and MNLI), scored and written in XTREME's submission format."""
import pandas as pd
import pytest
import yaml

from stilts_utils.cli import runner
from stilts_utils.phases import pipeline
from stilts_utils.study import identity as grid
from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths
from tiny_models import FIXTURES, ONE_PER_KIND, run_both_phases

INTERMEDIATE = ["anliplus", "mnli", "qqp", "squad", "squad_v2", "hellaswag", "ccg", "cosmosqa", "commonsenseqa"]
TARGETS = ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"]
TINY_TRAIN = {"max_steps": 2, "batch_size": 2, "lr": 0.001, "max_seq_len": 64, "doc_stride": 24,
              "max_query_len": 16, "eval_every": 1, "eval_subset": 4, "eval_batch_size": 4}


def _languages(task):
    found = sorted(p.name for p in (FIXTURES / task).iterdir())
    return sorted({name.split("-")[0] for name in found})  # bucc2018 folders are <lang>-en


@pytest.fixture(scope="module")
def study_file(tmp_path_factory, tiny_model_dirs):
    root = tmp_path_factory.mktemp("e2e")
    data = {"world": "xtreme", "models": [str(tiny_model_dirs["xlm-roberta"])],
            "intermediate": ["none", "mnli"], "targets": TARGETS, "seeds": [0],
            "target_languages": {t: _languages(t) for t in TARGETS},
            "data_dirs": {t: str(FIXTURES) for t in INTERMEDIATE + TARGETS},
            "phase2": TINY_TRAIN, "phase3": TINY_TRAIN,
            "retrieval": {"max_seq_len": 32, "batch_size": 4}, "output_root": str(root / "outputs"), "threads": 2}
    path = root / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.slow
def test_all_targets_through_the_pair_notebook(study_file):
    outcome = runner.run(study_file, analysis=False)
    assert not outcome.failed, outcome.failed
    study = load_study(study_file)
    df = pd.read_parquet(StudyPaths(study).results())
    for target in TARGETS:
        part = df[(df.target == target) & (df.split != "select")]
        assert set(part.intermediate) == {"none", "mnli"}, target
        assert set(part.language) == set(study.languages_for(target)), target
        assert part[part.metric.isin(["accuracy", "f1", "em"])].value.between(0, 100).all(), target
    for pair in grid.pairs(study):
        assert StudyPaths(study).notebook(pair).exists()


@pytest.mark.slow
def test_test_predictions_are_written_per_language(study_file):
    study = load_study(study_file)
    pair = next(p for p in grid.pairs(study) if p.intermediate == "none" and p.target == "xnli")
    preds = StudyPaths(study).predictions(pair)
    assert sorted(p.name for p in (preds / "xnli").iterdir()) == ["test-de.tsv", "test-en.tsv", "test-zh.tsv"]


@pytest.mark.slow
@pytest.mark.parametrize("task", INTERMEDIATE)
def test_every_intermediate_task_trains_and_saves_an_encoder(study_file, task, tmp_path):
    data = yaml.safe_load(open(study_file))
    data["intermediate"] = ["none", task]
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data))
    table = pipeline.train_intermediate(str(path), data["models"][0], "", task, "en", 0)
    assert list(table.fraction) == [1.0] and list(table.steps) == [2]
    job = grid.encoders(load_study(path))[0]
    saved = StudyPaths(load_study(path)).encoder_dir(job) / "step-2"
    assert (saved / "config.json").exists(), "the encoder is saved for phase 3"


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["bert", "deberta-v2", "mt5"])
def test_other_encoders_run_both_phases(arch, tiny_model_dirs, tmp_path):
    """mBERT-, mDeBERTa- and mT5-encoder-shaped models: phase 2 on MNLI, then one target per kind."""
    model = str(tiny_model_dirs[arch])
    langs = {t: [lang for lang in _languages(t) if lang in ("en", "de")] for t in ONE_PER_KIND}
    for target, rows in zip(ONE_PER_KIND, run_both_phases(model, tmp_path, langs, TINY_TRAIN)):
        assert set(rows.language) >= {"de"}, (arch, target)
        assert rows.model_params.iloc[0] > 0 and (rows.intermediate_steps == 2).all()


PINNED = FIXTURES.parent / "e2e_results.csv"
PIN_KEYS = ["intermediate", "intermediate_data", "intermediate_steps", "target", "language", "split", "metric",
            "seed", "target_steps", "model_params"]


def pinned_view(df: pd.DataFrame) -> pd.DataFrame:
    """The result values keyed by everything but paths and timings, in a stable order."""
    out = df[PIN_KEYS + ["value"]].sort_values(PIN_KEYS, kind="stable").reset_index(drop=True)
    return out.assign(value=out.value.round(6))


@pytest.mark.slow
def test_results_match_the_pinned_table(study_file):
    """The fixture study's every value, pinned (tests/fixtures/e2e_results.csv): a refactoring that changes
    any result fails here. Regenerate deliberately with STILTS_WRITE_PIN=1 when a change is meant to."""
    import os

    study = load_study(study_file)
    if not StudyPaths(study).results().exists():
        runner.run(study_file, analysis=False)
    got = pinned_view(pd.read_parquet(StudyPaths(study).results()))
    if os.environ.get("STILTS_WRITE_PIN") == "1":
        got.to_csv(PINNED, index=False)
    want = pd.read_csv(PINNED, keep_default_na=False, dtype={"intermediate_data": str})
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.slow
def test_udpos_pair_under_xtreme_truncation_scores_and_writes_a_full_submission(study_file, tmp_path):
    """`protocol.long_sentences: truncate` through run_pair: rows are written, and the test submission still has
    one line per gold word (the words past the cut as `_`), so XTREME's scorer reads it."""
    from stilts_utils.evaluation import submission

    data = yaml.safe_load(open(study_file))
    short = {**TINY_TRAIN, "max_seq_len": 8}
    data.update(targets=["udpos"], target_languages={"udpos": data["target_languages"]["udpos"]},
                intermediate=["none"], phase3=short, protocol={"long_sentences": "truncate"},
                output_root=str(tmp_path / "outputs"))
    path = tmp_path / "truncate.yaml"
    path.write_text(yaml.safe_dump(data))
    rows = pipeline.run_pair(str(path), data["models"][0], "", "none", "en", 1.0, "udpos", 0)
    assert rows[rows.metric == "f1"].value.between(0, 100).all()
    study = load_study(path)
    pair = grid.pairs(study)[0]
    written = submission.read_tags(submission.prediction_path(StudyPaths(study).predictions(pair), "udpos", "de"))
    gold = pd.read_json(FIXTURES / "udpos" / "de" / "test.jsonl", lines=True)
    assert [len(s) for s in written] == [len(t) for t in gold["tokens"]]
    assert any("_" in sent for sent in written), "an 8-token budget truncates the fixture sentences"
