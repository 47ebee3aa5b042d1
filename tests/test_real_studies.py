"""Every shipped real-model study file plans before any data or weights exist, also once the models'
configs are in the Hugging Face cache (12- and 24-layer encoders: retrieval.layer must fit each depth), and
says which user-supplied data is still missing and what it blocks; `run` itself still refuses it."""
import json
import os
import subprocess
import sys

import pytest

from stilts_utils.study.config import REPO_ROOT, load_study

REAL = sorted(p.relative_to(REPO_ROOT) for p in (REPO_ROOT / "params").glob("xtreme_*.yaml"))
# the configs' depth and width as published (huggingface.co/<id>/config.json): 12 and 24 layers
CONFIGS = {
    "xlm-roberta-base": {"model_type": "xlm-roberta", "num_hidden_layers": 12, "hidden_size": 768},
    "xlm-roberta-large": {"model_type": "xlm-roberta", "num_hidden_layers": 24, "hidden_size": 1024},
    "google/mt5-base": {"model_type": "mt5", "num_layers": 12, "num_decoder_layers": 12, "d_model": 768},
    "bert-base-multilingual-cased": {"model_type": "bert", "num_hidden_layers": 12, "hidden_size": 768},
}


def _hub_cache(root, models):
    """A Hugging Face hub cache holding only each model's config.json (the layout huggingface_hub reads)."""
    for model in models:
        repo = root / f"models--{model.replace('/', '--')}"
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "main").write_text("0" * 40)
        snap = repo / "snapshots" / ("0" * 40)
        snap.mkdir(parents=True)
        (snap / "config.json").write_text(json.dumps(CONFIGS[model]))
    return root


def _cli(*args, cache=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    if cache is not None:
        env["HF_HUB_CACHE"] = str(cache)
    return subprocess.run([sys.executable, "-m", "stilts_utils", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_every_question_has_a_real_study_file():
    assert {p.name for p in REAL} >= {"xtreme_xlmr_large.yaml", "xtreme_rq2_duration.yaml",
                                       "xtreme_rq3_translated.yaml", "xtreme_model_size.yaml", "xtreme_r_mt5.yaml"}


@pytest.mark.parametrize("study", REAL, ids=lambda p: p.stem)
@pytest.mark.parametrize("cached", [False, True], ids=["no-cache", "configs-cached"])
def test_a_real_study_dry_runs_and_plans_before_its_data(study, cached, tmp_path):
    models = load_study(REPO_ROOT / study, check_data=False).models
    assert set(models) <= set(CONFIGS), f"add the config of {set(models) - set(CONFIGS)} to CONFIGS"
    cache = _hub_cache(tmp_path / "hub", models) if cached else None
    dry = _cli("run", str(study), "--dry-run", cache=cache)
    assert dry.returncode == 0, dry.stderr
    assert "runs done" in dry.stdout
    plan = _cli("plan", str(study), "--gpu", "h100", cache=cache)
    assert plan.returncode == 0, plan.stderr
    assert "total:" in plan.stdout and "GPU-hours" in plan.stdout


def test_missing_user_data_is_listed_with_what_it_blocks_and_a_run_refuses():
    dry = _cli("run", "params/xtreme_xlmr_large.yaml", "--dry-run")
    assert "user-supplied data not here yet" in dry.stdout and "ccg:" in dry.stdout
    assert "blocks 2 encoder run(s)" in dry.stdout  # ccg and the multitask mixture that needs it
    run = _cli("run", "params/xtreme_xlmr_large.yaml")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "ccg has no data" in run.stderr


def test_the_cache_is_read_an_absolute_layer_must_exist_only_with_a_retrieval_target(tmp_path):
    cache = _hub_cache(tmp_path / "hub", ["xlm-roberta-base"])
    base = "extends: {}\nmodels: [xlm-roberta-base]\nretrieval: {{layer: 14}}\n".format(
        REPO_ROOT / "params" / "base" / "xtreme.yaml")
    retrieval = tmp_path / "r.yaml"
    retrieval.write_text(base + "targets: [tatoeba]\n")
    bad = _cli("run", str(retrieval), "--dry-run", cache=cache)
    assert bad.returncode == 2 and "retrieval.layer: 14" in bad.stderr and "12 layers" in bad.stderr, bad.stderr
    assert _cli("run", str(retrieval), "--dry-run").returncode == 0  # depth unknown without the config
    other = tmp_path / "x.yaml"
    other.write_text(base + "targets: [xnli]\n")
    assert _cli("run", str(other), "--dry-run", cache=cache).returncode == 0  # no retrieval target: not checked
