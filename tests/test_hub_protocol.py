"""The hub path without internet: the real `huggingface_hub` and `datasets` clients, pointed by `HF_ENDPOINT`
at a local stand-in for the hub (tests/hub_server.py) that serves tiny repos under the ids the tasks use, in
the hubs' own layouts (parquet per config and split, a card's `configs:`, a `refs/convert/parquet` export).

Each client runs in a subprocess, since huggingface_hub reads HF_ENDPOINT and HF_HUB_OFFLINE at import."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hub_server import HubServer, config_dataset, model_files, parquet_export
from tiny_models import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
MODEL = "stilts-test/tiny-xlmr"
TINY_TRAIN = {"max_steps": 2, "batch_size": 2, "lr": 0.001, "max_seq_len": 64, "eval_every": 1, "eval_subset": 4,
              "eval_batch_size": 4}


def rows(task: str, lang: str, split: str) -> list[dict]:
    path = FIXTURES / task / lang / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def add_datasets(hub: HubServer) -> None:
    """The study's datasets under their real ids and configs, rows from the fixtures (each in its real schema)."""
    # XNLI's train split of a language is MNLI train machine-translated: RQ3's translated MNLI
    hub.add("dataset", "facebook/xnli", config_dataset(
        {lang: {"validation": rows("xnli", lang, "dev"), "test": rows("xnli", lang, "test"),
                **({"train": rows("mnli", lang, "train")} if lang != "en" else {})} for lang in ("en", "de")}))
    hub.add("dataset", "nyu-mll/glue", config_dataset({"mnli": {
        "train": rows("mnli", "en", "train"), "validation_matched": rows("mnli", "en", "dev")}}))
    hub.add("dataset", "facebook/anli", config_dataset({"plain_text": {
        f"{split}_r{r}": rows(f"anli_r{r}", "en", ours) for r in (1, 2, 3)
        for split, ours in (("train", "train"), ("dev", "dev"), ("test", "test"))}}))
    hub.add("dataset", "stanfordnlp/snli", config_dataset({"plain_text": {"train": rows("snli", "en", "train")}}))
    # UD-POS: Kazakh is test-only in XTREME (train and test, no dev treebank); its rows borrowed from German
    hub.add("dataset", "google/xtreme", config_dataset({
        "udpos.English": {"train": rows("udpos", "en", "train"), "validation": rows("udpos", "en", "dev"),
                          "test": rows("udpos", "en", "test")},
        "udpos.Kazakh": {"train": rows("udpos", "de", "dev"), "test": rows("udpos", "de", "test")}}))
    # Cosmos QA: a loading-script repo whose data is only in the hub's parquet export
    hub.add("dataset", "allenai/cosmos_qa", {"cosmos_qa.py": "# a loading script", "README.md": "# Cosmos QA\n"})
    hub.add("dataset", "allenai/cosmos_qa", parquet_export(
        {"train": rows("cosmosqa", "en", "train"), "validation": rows("cosmosqa", "en", "dev")}),
        revision="refs/convert/parquet")


@pytest.fixture(scope="module")
def hub(tiny_model_dirs):
    with HubServer() as server:  # the session's tiny XLM-R (built once for the whole suite), as a hub repo
        server.add("model", MODEL, model_files(tiny_model_dirs["xlm-roberta"]))
        add_datasets(server)
        yield server


def client_env(hub, home: Path, offline: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, "HF_ENDPOINT": hub.url, "HF_HOME": str(home), "HF_HUB_OFFLINE": "1" if offline else "0",
            "HF_DATASETS_OFFLINE": "1" if offline else "0", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}


def run_python(code: str, env: dict, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def write_study(path: Path, **fields) -> Path:
    data = {"world": "xtreme", "models": [MODEL], "seeds": [0], "phase2": TINY_TRAIN, "phase3": TINY_TRAIN,
            "output_root": str(path.parent / "outputs"), **fields}
    path.write_text(yaml.safe_dump(data))
    return path


def test_model_and_datasets_load_through_hf_endpoint(hub, tmp_path):
    code = f"""
import json
from types import SimpleNamespace
from stilts_utils.data.loading import load_split
from stilts_utils.model.encoders import load_encoder, load_tokenizer
from stilts_utils.study.config import study_from_dict
study = study_from_dict({{"world": "xtreme", "models": [{MODEL!r}], "targets": ["xnli"]}}, "hubtest")
out = {{}}
for task, lang, split in [("xnli", "de", "test"), ("mnli", "en", "train"), ("mnli", "de", "train"),
                          ("udpos", "kk", "test"),
                          ("cosmosqa", "en", "dev"), ("anliplus", "en", "dev")]:
    part = load_split(task, lang, split, study)
    out[f"{{task}}/{{lang}}/{{split}}"] = [len(part), sorted(part.column_names)]
tok = load_tokenizer({MODEL!r})
enc = load_encoder({MODEL!r})
out["model"] = [type(enc).__name__, len(tok("ein Satz")["input_ids"])]
print(json.dumps(out))
"""
    proc = run_python(code, client_env(hub, tmp_path / "hf"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["xnli/de/test"] == [len(rows("xnli", "de", "test")), ["label", "text_a", "text_b"]]
    assert got["mnli/en/train"][0] == len(rows("mnli", "en", "train"))
    assert got["mnli/de/train"] == [len(rows("mnli", "de", "train")), ["label", "text_a", "text_b"]]  # via XNLI
    assert got["udpos/kk/test"] == [len(rows("udpos", "de", "test")), ["tags", "tokens"]]
    assert got["cosmosqa/en/dev"] == [len(rows("cosmosqa", "en", "dev")), ["choices", "label", "prompt"]]
    assert got["anliplus/en/dev"][0] == sum(len(rows(f"anli_r{r}", "en", "dev")) for r in (1, 2, 3))
    assert got["model"][0] == "XLMRobertaModel" and got["model"][1] > 2
    served = {path for method, path in hub.requests if method == "GET"}
    assert any(p.startswith(f"/{MODEL}/resolve/") and p.endswith("model.safetensors") for p in served)
    assert any("/datasets/allenai/cosmos_qa/resolve/" in p and p.endswith(".parquet") for p in served)


def test_hub_reachability_goes_through_the_client_and_its_proxy(hub, tmp_path):
    code = "from stilts_utils.data.hub import hub_reachable; print(hub_reachable())"
    env = client_env(hub, tmp_path / "hf")
    assert run_python(code, env).stdout.strip() == "True"
    # a dead proxy: the client cannot reach the hub through it (a raw TCP connect to the hub would say True)
    assert run_python(code, {**env, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
                      ).stdout.strip() == "False"
    assert run_python(code, {**env, "HF_HUB_OFFLINE": "1"}).stdout.strip() == "False"
    assert run_python(code, {**env, "HF_ENDPOINT": "http://127.0.0.1:9"}).stdout.strip() == "False"


@pytest.fixture
def broken_hub(tmp_path_factory):
    """A hub where XNLI lost its German config and its English dev split, Cosmos QA has no parquet export,
    and the model id does not exist."""
    with HubServer() as server:
        add_datasets(server)
        server.add("dataset", "facebook/xnli", config_dataset({"en": {"test": rows("xnli", "en", "test")}}))
        del server.repos["dataset", "allenai/cosmos_qa"].revisions["refs/convert/parquet"]
        yield server


def test_preflight_lists_every_problem_with_its_fix_in_seconds(broken_hub, tmp_path):
    study = write_study(tmp_path / "broken.yaml", models=["stilts-test/no-such-model"],
                        intermediate=["none", "cosmosqa"], targets=["xnli", "udpos"],
                        target_languages={"xnli": ["en", "de"], "udpos": ["en", "kk"]})
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "stilts_utils", "run", str(study)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=client_env(broken_hub, tmp_path / "hf"))
    took = time.time() - t0
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert took < 10, f"preflight took {took:.1f} s"
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "xnli/de/" in err and "no config 'de'" in err  # the wrong config, named with what the hub has
    assert "xnli/en/dev" in err and "no split 'validation'" in err and "it has test" in err  # the missing split
    assert "cosmos_qa" in err and "refs/convert/parquet" in err  # the missing parquet export
    assert "stilts-test/no-such-model" in err  # the model
    assert "udpos" not in err.replace("udpos]", "")  # what resolves is not listed
    assert "download-data" in err and "target_languages" in err  # the command that fixes each
    # metadata only: no data file downloaded, nothing computed
    assert not any(p.endswith(".parquet") for _, p in broken_hub.requests), broken_hub.requests
    assert not (tmp_path / "outputs").exists()


def test_download_data_writes_a_copy_a_study_then_runs_on_offline(hub, tmp_path):
    home, copy = tmp_path / "hf", tmp_path / "copy"
    online = client_env(hub, home)
    study = write_study(tmp_path / "hubstudy.yaml", intermediate=["none", "anliplus"], targets=["xnli", "udpos"],
                        target_languages={"xnli": ["en", "de"], "udpos": ["en", "kk"]})
    cmd = [sys.executable, "-m", "stilts_utils", "download-data", str(study), "--to", str(copy)]
    proc = subprocess.run(cmd, cwd=ROOT, env=online, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = sorted(str(p.relative_to(copy)) for p in copy.rglob("*.jsonl"))
    for part in ("anli_r1", "anli_r2", "anli_r3", "mnli", "snli"):  # ANLI+ as its parts
        assert f"{part}/en/train.jsonl" in written
    assert "udpos/kk/test.jsonl" in written and "udpos/kk/dev.jsonl" not in written  # test-only language
    assert {"xnli/de/dev.jsonl", "xnli/de/test.jsonl", "udpos/en/train.jsonl"} <= set(written)
    assert len((copy / "xnli/de/test.jsonl").read_text().splitlines()) == len(rows("xnli", "de", "test"))
    # a rerun writes nothing again (a file that exists is whole)
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*.jsonl")}
    again = subprocess.run(cmd, cwd=ROOT, env=online, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0 and "already written" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*.jsonl")} == before
    offline_preflight_checks_every_language(hub, home, tmp_path)
    # the model into the cache while online, then the study on the copy with the hub switched off
    proc = run_python(f"from huggingface_hub import snapshot_download; snapshot_download({MODEL!r})", online)
    assert proc.returncode == 0, proc.stderr[-2000:]
    offline_study = write_study(tmp_path / "offline.yaml", intermediate=["none"], targets=["xnli"],
                                target_languages={"xnli": ["en", "de"]},
                                data_dirs={t: str(copy) for t in ("mnli", "xnli")}, analysis=[])
    seen = len(hub.requests)
    proc = subprocess.run([sys.executable, "-m", "stilts_utils", "run", str(offline_study), "--no-analysis"],
                          cwd=ROOT, env=client_env(hub, home, offline=True), capture_output=True, text=True,
                          timeout=400)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    assert len(hub.requests) == seen, hub.requests[seen:]  # offline: the hub was never asked
    import pandas as pd

    results = pd.read_parquet(tmp_path / "outputs" / "offline" / "results.parquet")
    test = results[(results.split == "test") & (results.metric == "accuracy")]
    assert sorted(test.language) == ["de", "en"] and test.value.between(0, 100).all()


def offline_preflight_checks_every_language(hub, home: Path, tmp_path: Path) -> None:
    """Offline, every (task, language, split) is looked up in the datasets cache (which download-data filled
    for xnli en/de and mnli), not only a task's first language."""
    model = tmp_path / "local_model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "xlm-roberta", "num_hidden_layers": 2}))
    studies = [write_study(tmp_path / f"cached{len(langs)}.yaml", models=[str(model)], targets=["xnli"],
                           target_languages={"xnli": langs}) for langs in (["en", "de"], ["en", "de", "zh"])]
    code = ("import sys; from stilts_utils.study.config import load_study; from stilts_utils.data.preflight import "
            "check\nfor path in sys.argv[1:]:\n    try:\n        check(load_study(path)); print('ok')\n"
            "    except Exception as err:\n        print(' '.join(str(err).split()))")
    proc = subprocess.run([sys.executable, "-c", code, *map(str, studies)], cwd=ROOT, capture_output=True, text=True,
                          env=client_env(hub, home, offline=True), timeout=120)
    cached, uncached = proc.stdout.strip().splitlines()
    assert cached == "ok", cached
    assert uncached.startswith("no network and no local copy of: xnli.") and "'zh'" in uncached, uncached


def test_card_configs_and_file_layouts_give_the_splits():
    from stilts_utils.data.hubmeta import _card_configs, _splits

    card = {"configs": [{"config_name": "en", "data_files": [{"split": "train", "path": "en/train-*"},
                                                            {"split": "test", "path": "en/test-*"}]},
                        {"config_name": "plain", "data_files": "plain/*.parquet"}]}
    configs = _card_configs(card)
    assert configs == {"en": {"train", "test"}, "plain": {"train"}}
    assert _splits(configs, [], "en", None) == {"train", "test"} and _splits(configs, [], "fr", None) is None
    export = ["default/train/0000.parquet", "default/validation/0000.parquet", "other/test/0000.parquet"]
    assert _splits({}, export, None, "default") == {"train", "validation"}
    assert _splits({}, export, None, "missing") is None
    assert _splits({}, ["data/dev-00000.jsonl", "data/test.jsonl"], None, None) == {"validation", "test"}
