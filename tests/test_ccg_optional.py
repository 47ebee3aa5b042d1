"""CCG is optional: without CCGbank a real study says so when it is validated, and multitask mixes the other
tasks only when asked to (`multitask.skip_missing: true`)."""
import json
import warnings
from pathlib import Path

import pytest
import yaml

from stilts_utils.study.config import load_study, study_from_dict
from stilts_utils.study.loading import study_data
from stilts_utils.study.errors import StudyError
from tiny_models import FIXTURES

ROOT = Path(__file__).resolve().parents[1]


def _study(tiny, intermediate, tasks=(), skip=None, ccg_dir=None, **extra):
    multitask = {"tasks": list(tasks)}
    if skip is not None:
        multitask["skip_missing"] = skip
    data_dirs = {"mnli": str(FIXTURES), "qqp": str(FIXTURES), "xnli": str(FIXTURES)}
    if ccg_dir is not None:
        data_dirs["ccg"] = str(ccg_dir)
    return study_from_dict({"world": "xtreme", "models": [str(tiny)], "intermediate": intermediate,
                            "multitask": multitask, "targets": ["xnli"], "data_dirs": data_dirs, **extra}, "ccg")


def test_ccg_as_an_intermediate_task_without_ccgbank_fails_at_validation(tiny_model_dirs, tmp_path):
    for ccg_dir in (None, tmp_path / "empty"):
        with pytest.raises(StudyError) as err:
            _study(tiny_model_dirs["xlm-roberta"], ["none", "ccg"], ccg_dir=ccg_dir)
        msg = str(err.value)
        assert msg.startswith("intermediate: ccg has no data") and "CCGbank" in msg and "data_dirs" in msg
    assert _study(tiny_model_dirs["xlm-roberta"], ["none", "ccg"], ccg_dir=FIXTURES).intermediate == ["none", "ccg"]


def test_multitask_with_ccg_but_no_ccgbank_needs_an_explicit_skip(tiny_model_dirs):
    with pytest.raises(StudyError, match=r"multitask.tasks: ccg has no data .*skip_missing: true"):
        _study(tiny_model_dirs["xlm-roberta"], ["none", "multitask"], ["mnli", "qqp", "ccg"])
    with pytest.raises(StudyError, match="skip_missing"):
        _study(tiny_model_dirs["xlm-roberta"], ["none", "multitask"], ["mnli", "qqp", "ccg"], skip=False)


def test_skip_missing_mixes_the_available_tasks_and_says_so(tiny_model_dirs):
    with pytest.warns(UserWarning, match=r"multitask: skipping ccg \(no `data_dirs.*mixing mnli, qqp"):
        study = _study(tiny_model_dirs["xlm-roberta"], ["none", "multitask"], ["mnli", "qqp", "ccg"], skip=True)
    assert study.multitask.tasks == ["mnli", "qqp"] and study.multitask.skip_missing
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # with CCGbank there, nothing is skipped and nothing is said
        full = _study(tiny_model_dirs["xlm-roberta"], ["none", "multitask"], ["mnli", "qqp", "ccg"], skip=True,
                      ccg_dir=FIXTURES)
    assert full.multitask.tasks == ["mnli", "qqp", "ccg"]
    with pytest.raises(StudyError, match="at least two tasks"), pytest.warns(UserWarning):
        _study(tiny_model_dirs["xlm-roberta"], ["none", "multitask"], ["mnli", "ccg"], skip=True)


def test_the_flagship_study_without_ccgbank_says_so(tmp_path):
    data = study_data(ROOT / "params" / "xtreme_xlmr_large.yaml")  # `extends` resolved: the copy stands alone
    path = tmp_path / "flagship.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(StudyError, match="ccg has no data .*CCGbank"):
        load_study(path)
    data["intermediate"].remove("ccg")
    data["multitask"]["skip_missing"] = True
    path.write_text(yaml.safe_dump(data))
    with pytest.warns(UserWarning, match="skipping ccg"):
        study = load_study(path)
    assert "ccg" not in study.multitask.tasks and len(study.multitask.tasks) == 8


@pytest.mark.slow
def test_skipped_ccg_multitask_trains_on_the_other_tasks(tiny_model_dirs, tmp_path):
    from stilts_utils.phases import pipeline
    from stilts_utils.study import identity

    tiny = {"max_steps": 2, "batch_size": 2, "lr": 0.001, "max_seq_len": 64, "eval_batch_size": 4}
    path = tmp_path / "skip.yaml"
    path.write_text(yaml.safe_dump({
        "world": "xtreme", "models": [str(tiny_model_dirs["xlm-roberta"])], "intermediate": ["none", "multitask"],
        "multitask": {"tasks": ["mnli", "qqp", "ccg"], "skip_missing": True}, "targets": ["xnli"],
        "data_dirs": {"mnli": str(FIXTURES), "qqp": str(FIXTURES), "xnli": str(FIXTURES)},
        "phase2": tiny, "output_root": str(tmp_path / "outputs")}))
    with pytest.warns(UserWarning, match="skipping ccg"):
        study = load_study(path)
    job = identity.encoders(study)[0]
    pipeline.train_intermediate(str(path), job.model, "", "multitask", "en", 0)
    summary = json.loads((identity.StudyPaths(study).encoder_dir(job) / "summary.json").read_text())
    assert set(summary["train_rows"]) == {"mnli", "qqp"}
