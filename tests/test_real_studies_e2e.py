"""Every shipped real study file (params/xtreme_*.yaml) runs end to end against a local stand-in for the hub.

Each test runs THE file as it is, through the CLI (`run FILE --set ... --no-analysis`: the real runner,
stilts_utils.cli.runner.run, and the notebooks through papermill on a warm kernel). The file's structure is what
runs: its models, intermediate tasks, intermediate_data kinds, phase2_budgets, model_settings and targets;
`--set` only shrinks it (one seed, a few steps on tiny batches and sequences, the fixture languages, where needed
a subset of the targets and intermediate tasks) and points user-supplied data (CCGbank, BUCC, the translated SQuAD
copy) at the fixtures. The hub (tests/hub_server.py) serves tiny random models under the REAL ids the files name
(xlm-roberta-large and -base: the tiny XLM-R; google/mt5-base: the tiny mT5 encoder, model_type mt5) and every
dataset under its real id, config and split names, rows from tests/fixtures/data in the hubs' schemas.

RQ3's translations: MNLI's are XNLI's train sets on the hub (German: the fixture's translated MNLI; Chinese:
XNLI's zh rows, borrowed as udpos kk borrows German in test_hub_protocol.py); SQuAD's are not on the hub but
XTREME's translate-train files, converted into the local copy `download-data` writes (its own conversion code,
stilts_utils.data.download.fetch_converted, on the fixture file put where download-data looks first).
"""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hub_server import HubServer, config_dataset, model_files, parquet_export
from test_hub_protocol import add_datasets, client_env, rows
from tiny_models import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params"

# the tiny models of tests/tiny_models.py, under the ids the real study files name
HUB_MODELS = {"xlm-roberta-large": "xlm-roberta", "xlm-roberta-base": "xlm-roberta", "google/mt5-base": "mt5"}

# shrinking every study the same way: one seed, two steps of two examples, short sequences (--set items)
TINY = ["seeds=[0]", "threads=1",
        "phase2.max_steps=2", "phase2.effective_batch=2", "phase2.max_seq_len=64", "phase2.doc_stride=24",
        "phase2.max_query_len=16", "phase2.eval_subset=4", "phase2.eval_batch_size=4",
        "phase3.max_steps=2", "phase3.effective_batch=2", "phase3.max_seq_len=64", "phase3.doc_stride=24",
        "phase3.max_query_len=16", "phase3.eval_subset=4", "phase3.eval_batch_size=4",
        "retrieval.max_seq_len=32", "retrieval.batch_size=4"]
QA_TINY = {"effective_batch": 2, "max_seq_len": 64, "doc_stride": 24, "max_query_len": 16}


def qa_target(name: str) -> list[str]:
    """The file's phase3_overrides of a span-QA target (384 tokens, batch 16) shrunk like phase3."""
    return [f"phase3_overrides.{name}.{k}={v}" for k, v in QA_TINY.items()]


def langs(task: str, *codes: str) -> str:
    return f"target_languages.{task}=[{','.join(codes)}]"


# per study file: the --set items beyond TINY, and what its results must hold
STUDIES = {
    # the flagship: CCGbank and BUCC from the fixtures (user-supplied); ccg kept, so the nine-task mixture runs
    # whole; one tagging and one QA target of the nine
    "xtreme_xlmr_large": {
        "set": ["intermediate=[none,ccg,multitask]", "targets=[udpos,xquad]", langs("udpos", "en", "de"),
                langs("xquad", "en", "de"), *qa_target("xquad")],
        "user_data": ("ccg", "bucc2018"),
    },
    # RQ2: both models, every budget (8 steps: 1, 2, 4 and 8 of them), one tagging and one QA target
    "xtreme_rq2_duration": {
        "set": ["intermediate=[none,mnli]", "phase2.max_steps=8", "targets=[udpos,tydiqa]",
                langs("udpos", "en", "de"), langs("tydiqa", "en", "ar"), *qa_target("tydiqa")],
    },
    # RQ3: every intermediate_data kind of the file (translated MNLI and SQuAD, de and zh), one target
    "xtreme_rq3_translated": {
        "set": ["translation_languages=[de,zh]", "targets=[xnli]", langs("xnli", "en", "de")],
        "squad_copy": True,
    },
    # RQ4: both sizes, every intermediate task, one QA target of the three
    "xtreme_model_size": {
        "set": ["targets=[mlqa]", langs("mlqa", "en", "de"), *qa_target("mlqa")],
    },
    # RQ5: mT5 (Adafactor, constant 1e-3) beside XLM-R Base, every intermediate task; XCOPA (SIQA, then COPA)
    # and WikiANN
    "xtreme_r_mt5": {
        "set": ["targets=[xcopa,wikiann]", langs("xcopa", "it", "zh"), langs("wikiann", "en", "de")],
    },
}


def add_real_datasets(hub: HubServer) -> None:
    """test_hub_protocol's datasets, plus every other one the real studies read, under their real ids."""
    add_datasets(hub)
    # XNLI again, with Chinese: its train split (translated MNLI) borrows XNLI zh's dev rows
    hub.add("dataset", "facebook/xnli", config_dataset(
        {lang: {"validation": rows("xnli", lang, "dev"), "test": rows("xnli", lang, "test"),
                **({"train": rows("mnli", lang, "train") if lang == "de" else rows("xnli", lang, "dev")}
                   if lang != "en" else {})} for lang in ("en", "de", "zh")}))
    hub.add("dataset", "nyu-mll/glue", config_dataset({
        "mnli": {"train": rows("mnli", "en", "train"), "validation_matched": rows("mnli", "en", "dev")},
        "qqp": {"train": rows("qqp", "en", "train"), "validation": rows("qqp", "en", "dev")}}))
    for task, hf_id in (("squad", "rajpurkar/squad"), ("squad_v2", "rajpurkar/squad_v2")):
        hub.add("dataset", hf_id, config_dataset({"plain_text" if task == "squad" else "squad_v2": {
            "train": rows(task, "en", "train"), "validation": rows(task, "en", "dev")}}))
    hub.add("dataset", "tau/commonsense_qa", config_dataset({"default": {
        "train": rows("commonsenseqa", "en", "train"), "validation": rows("commonsenseqa", "en", "dev")}}))
    for task, hf_id, data_dir in (("hellaswag", "Rowan/hellaswag", None), ("siqa", "allenai/social_i_qa", None),
                                  ("copa", "aps/super_glue", "copa")):  # loading-script repos: parquet export
        hub.add("dataset", hf_id, {f"{task}.py": "# a loading script", "README.md": f"# {task}\n"})
        hub.add("dataset", hf_id, parquet_export({"train": rows(task, "en", "train"),
                                                  "validation": rows(task, "en", "dev")}, data_dir or "default"),
                revision="refs/convert/parquet")
    xtreme = hub.repos["dataset", "google/xtreme"].revisions["main"]  # keep test_hub_protocol's configs
    configs = {
        **{f"udpos.{name}": {"validation": rows("udpos", lang, "dev"), "test": rows("udpos", lang, "test"),
                             **({"train": rows("udpos", lang, "train")} if lang == "en" else {})}
           for lang, name in (("en", "English"), ("de", "German"), ("zh", "Chinese"))},
        **{f"MLQA.{lang}.{lang}": {"validation": rows("mlqa", lang, "dev"), "test": rows("mlqa", lang, "test")}
           for lang in ("en", "de", "zh")},
        **{f"PAN-X.{lang}": {"validation": rows("panx", lang, "dev"), "test": rows("panx", lang, "test"),
                             **({"train": rows("panx", lang, "train")} if lang == "en" else {})}
           for lang in ("en", "de", "ar")},
        **{f"tatoeba.{iso3}": {"validation": rows("tatoeba", lang, "test")} for lang, iso3 in (("de", "deu"),
                                                                                              ("zh", "cmn"))},
    }
    files = config_dataset(configs)
    kept = {p: b for p, b in xtreme.items() if p != "README.md" and p.split("/")[0] not in configs}
    card = yaml.safe_load(files["README.md"].split("---\n")[1])
    old = yaml.safe_load(xtreme["README.md"].decode().split("---\n")[1])
    card["configs"] += [c for c in old["configs"] if c["config_name"] not in configs]
    hub.add("dataset", "google/xtreme", {**kept, **files,
                                         "README.md": "---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n"})
    hub.add("dataset", "google/xquad", config_dataset(
        {f"xquad.{lang}": {"validation": rows("xquad", lang, "test")} for lang in ("en", "de", "zh")}))
    # TyDiQA-GoldP: one config, every language in one split, told apart by the id prefix
    hub.add("dataset", "google-research-datasets/tydiqa", config_dataset({"secondary_task": {
        "train": rows("tydiqa", "en", "train"),
        "validation": rows("tydiqa", "en", "test") + rows("tydiqa", "ar", "test")}}))
    hub.add("dataset", "google-research-datasets/paws-x", config_dataset(
        {lang: {"validation": rows("pawsx", lang, "dev"), "test": rows("pawsx", lang, "test"),
                **({"train": rows("pawsx", lang, "train")} if lang == "en" else {})} for lang in ("en", "de", "zh")}))
    hub.add("dataset", "unimelb-nlp/wikiann", config_dataset(
        {lang: {"validation": rows("wikiann", lang, "dev"), "test": rows("wikiann", lang, "test"),
                **({"train": rows("wikiann", lang, "train")} if lang == "en" else {})} for lang in ("en", "de", "ar")}))
    hub.add("dataset", "cambridgeltl/xcopa", config_dataset(
        {lang: {"validation": rows("xcopa", lang, "dev"), "test": rows("xcopa", lang, "test")} for lang in ("it", "zh")}))


@pytest.fixture(scope="module")
def hub(tiny_model_dirs):
    with HubServer() as server:
        for hf_id, kind in HUB_MODELS.items():
            server.add("model", hf_id, model_files(tiny_model_dirs[kind]))
        add_real_datasets(server)
        yield server


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One Hugging Face cache for the module: a model downloaded by one study is reused by the next."""
    return tmp_path_factory.mktemp("hf_home")


@pytest.fixture(scope="module")
def squad_copy(tmp_path_factory):
    """The local SQuAD copy RQ3's `data_dirs: {squad: ...}` names, written as `download-data` writes it: English
    from the hub's rows, each translation converted from XTREME's translate-train file by download-data's own
    code (the file put where download-data looks before fetching; Chinese borrows the German file)."""
    from stilts_utils.data.download import fetch_converted
    from stilts_utils.tasks import REGISTRY

    copy = tmp_path_factory.mktemp("stilts-data")
    shutil.copytree(FIXTURES / "squad" / "en", copy / "squad" / "en")
    squad = REGISTRY["squad"]
    for lang in ("de", "zh"):
        folder = copy / "squad" / lang
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "squad" / "de" / "squad.translate.train.en-de.json",
                    folder / f"squad.translate.train.en-{lang}.json")
        fetch_converted(squad, squad.translated, lang, folder).to_json(str(folder / "train.jsonl"), lines=True,
                                                                        force_ascii=False)
    return copy


def run_study(name: str, hub, home: Path, out: Path, extra: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    sets = [*TINY, f"output_root={out}", *extra]
    cmd = [sys.executable, "-m", "stilts_utils", "run", f"params/{name}.yaml", "--no-analysis"]
    for item in sets:
        cmd += ["--set", item]
    env = {**client_env(hub, home), "TOKENIZERS_PARALLELISM": "false"}
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return proc, time.time() - t0


def grid(results: pd.DataFrame) -> set:
    cols = ["model", "intermediate", "intermediate_data", "intermediate_budget", "target"]
    return set(results[[c for c in cols if c in results]].drop_duplicates().itertuples(index=False, name=None))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(STUDIES))
def test_a_real_study_runs_end_to_end_on_the_hub(name, hub, home, squad_copy, tmp_path):
    spec = STUDIES[name]
    extra = list(spec["set"])
    extra += [f"data_dirs.{t}={FIXTURES}" for t in spec.get("user_data", ())]
    if spec.get("squad_copy"):
        extra.append(f"data_dirs.squad={squad_copy}")
    out = Path(os.environ.get("E2E_OUT", tmp_path)) / "outputs"
    proc, took = run_study(name, hub, home, out, extra)
    print(f"{name}: {took:.1f} s")
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    results = pd.read_parquet(out / name / "results.parquet")
    print(results.columns.tolist(), len(results))
    print(sorted(grid(results)))
