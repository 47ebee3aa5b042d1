"""A real study with no network fails in seconds with a message that says what to do."""
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stilts_utils.study.config import study_from_dict
from stilts_utils.study.loading import study_data
from stilts_utils.data.hub import DataUnavailable
from stilts_utils.data.preflight import check

ROOT = Path(__file__).resolve().parent.parent


def test_real_study_offline_fails_fast_naming_the_model(tmp_path):
    import yaml

    # the flagship study, with CCGbank supplied (without it, validation stops first: tests/test_ccg_optional.py)
    data = study_data(ROOT / "params" / "xtreme_xlmr_large.yaml")  # `extends` resolved: the copy stands alone
    data["data_dirs"]["ccg"] = str(ROOT / "tests" / "fixtures" / "data")
    study_file = tmp_path / "xtreme_xlmr_large.yaml"
    study_file.write_text(yaml.safe_dump(data))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": "/nonexistent-hf-home"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "stilts_utils", "run", str(study_file)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 5, f"{cpu:.2f} CPU s"  # CPU seconds of the run, not wall time: robust on a busy machine
    assert proc.returncode == 2
    assert "xlm-roberta-large" in proc.stderr and "hf download" in proc.stderr


def test_missing_data_names_tasks_and_the_fix(tiny_model_dirs, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", "/nonexistent-datasets-cache")
    study = study_from_dict({"world": "xtreme", "models": [str(tiny_model_dirs["xlm-roberta"])],
                             "intermediate": ["none", "mnli"], "targets": ["xnli", "udpos"]}, "offline")
    t0 = time.process_time()
    with pytest.raises(DataUnavailable) as err:
        check(study)
    assert time.process_time() - t0 < 5  # CPU seconds (wall time is noisy on a shared machine)
    msg = str(err.value)
    for task in ("mnli", "udpos", "xnli"):
        assert task in msg
    assert "download-data" in msg and "data_dirs" in msg


def test_translated_intermediate_data_comes_from_a_translation_source():
    from stilts_utils.data.hub import hub_source
    from stilts_utils.tasks import REGISTRY

    assert hub_source(REGISTRY["mnli"], "en") is REGISTRY["mnli"].source
    assert hub_source(REGISTRY["mnli"], "de").hf_id == "facebook/xnli"  # never English MNLI in disguise
    squad = hub_source(REGISTRY["squad"], "de")  # XTREME's translate-train: not on the hub, fetched by URL
    assert squad.reader == "squad_json" and "xtreme_translations" in squad.url
    with pytest.raises(DataUnavailable) as err:
        hub_source(REGISTRY["qqp"], "de")
    assert "qqp" in str(err.value) and "mnli" in str(err.value) and "squad" in str(err.value)
    with pytest.raises(DataUnavailable, match="'ja'"):  # PAWS-X's Japanese: XNLI has no Japanese
        hub_source(REGISTRY["mnli"], "ja")
