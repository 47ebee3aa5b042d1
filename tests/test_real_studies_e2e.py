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
from stilts_utils.study import identity
from stilts_utils.study.config import load_study, share_of_steps
from stilts_utils.study.identity import StudyPaths
from stilts_utils.tasks import REGISTRY
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


def shrink(spec: dict) -> list[str]:
    """The --set items of one study beyond TINY: the kept intermediate tasks and targets, each target's fixture
    languages, a span-QA target's own phase3_overrides (384 tokens, batch 16 in the files) shrunk like phase3,
    and user-supplied data (CCGbank, BUCC) from the fixtures."""
    items = [f"targets=[{','.join(spec['targets'])}]"]
    if "intermediate" in spec:
        items.append(f"intermediate=[{','.join(spec['intermediate'])}]")
    for target, codes in spec["targets"].items():
        items.append(f"target_languages.{target}=[{','.join(codes)}]")
        if REGISTRY[target].kind == "span_qa":
            items += [f"phase3_overrides.{target}.{k}={v}" for k, v in QA_TINY.items()]
    items += [f"data_dirs.{task}={FIXTURES}" for task in spec.get("user_data", ())]
    return items + spec.get("set", [])


def mixture_trained_whole(study) -> None:
    """The flagship's multitask encoder trained on all nine tasks of the file's mixture, CCG included."""
    job = next(j for j in identity.encoders(study) if j.intermediate == "multitask")
    summary = json.loads((StudyPaths(study).encoder_dir(job) / "summary.json").read_text())
    assert len(study.multitask.tasks) == 9 and set(summary["train_rows"]) == set(study.multitask.tasks)
    assert all(n > 0 for n in summary["train_rows"].values()), summary["train_rows"]


def translations_trained(study) -> None:
    """Each translated encoder read its language's rows (MNLI: XNLI's train sets from the hub; SQuAD: the
    converted copy); en+translated is English plus the spread over translation_languages."""
    rows_of = {}
    for job in identity.encoders(study):
        summary = json.loads((StudyPaths(study).encoder_dir(job) / "summary.json").read_text())
        rows_of[job.intermediate, job.intermediate_data] = summary["train_rows"][job.intermediate]
    for task in ("mnli", "squad"):
        assert rows_of[task, "en+translated"] == rows_of[task, "en"] + rows_of[task, "translated"], rows_of
        assert rows_of[task, "translated:de"] > 0 and rows_of[task, "translated:zh"] > 0, rows_of


# per study file: what is kept of it (the rest of the file runs as written) and what else to check
STUDIES = {
    # the flagship: CCGbank and BUCC user-supplied (here the fixtures), so the file's nine-task mixture runs
    # whole (CCG included); one tagging and one QA target of the nine
    "xtreme_xlmr_large": {"intermediate": ["none", "multitask"],
                          "targets": {"udpos": ["en", "de"], "xquad": ["en", "de"]},
                          "user_data": ("ccg", "bucc2018"), "check": mixture_trained_whole},
    # RQ2: both models, every budget (of 8 steps: 1, 2, 4 and 8), one QA and the retrieval target (no
    # phase-3 training: cheap; its layer the default share of each model's depth)
    "xtreme_rq2_duration": {"intermediate": ["none", "mnli"], "set": ["phase2.max_steps=8"],
                            "targets": {"tydiqa": ["en", "ar"], "tatoeba": ["de", "zh"]}},
    # RQ3: every intermediate task and intermediate_data kind of the file (translated MNLI and SQuAD into the
    # fixture languages de and zh), one target; SQuAD from the download-data copy the file's data_dirs names
    "xtreme_rq3_translated": {"targets": {"xnli": ["en", "de"]}, "set": ["translation_languages=[de,zh]"],
                              "squad_copy": True, "check": translations_trained},
    # RQ4: both sizes, every intermediate task, one QA target of the three
    "xtreme_model_size": {"targets": {"mlqa": ["en", "de"]}},
    # RQ5: mT5 (its model_settings: Adafactor, constant 1e-3) beside XLM-R Base, every intermediate task; XCOPA
    # (its default recipe: SIQA, then COPA) and WikiANN
    "xtreme_r_mt5": {"targets": {"xcopa": ["it", "zh"], "wikiann": ["en", "de"]}},
}


def splits(task: str, lang: str) -> dict:
    """A language's hub splits from the fixtures: validation (dev) and test, and train where the fixture has it."""
    out = {"validation": rows(task, lang, "dev"), "test": rows(task, lang, "test")}
    if (FIXTURES / task / lang / "train.jsonl").is_file():
        out["train"] = rows(task, lang, "train")
    return out


def add_real_datasets(hub: HubServer) -> None:
    """test_hub_protocol's datasets, plus every other one the real studies read, under their real ids."""
    add_datasets(hub)
    # XNLI again, with Chinese: its train split (translated MNLI) borrows XNLI zh's dev rows
    hub.add("dataset", "facebook/xnli", config_dataset({
        "en": splits("xnli", "en"), "de": {**splits("xnli", "de"), "train": rows("mnli", "de", "train")},
        "zh": {**splits("xnli", "zh"), "train": rows("xnli", "zh", "dev")}}))
    hub.add("dataset", "nyu-mll/glue", config_dataset({
        "mnli": {"train": rows("mnli", "en", "train"), "validation_matched": rows("mnli", "en", "dev")},
        "qqp": {"train": rows("qqp", "en", "train"), "validation": rows("qqp", "en", "dev")}}))
    english = {t: {"train": rows(t, "en", "train"), "validation": rows(t, "en", "dev")}
               for t in ("squad", "squad_v2", "commonsenseqa", "hellaswag", "siqa", "copa")}
    hub.add("dataset", "rajpurkar/squad", config_dataset({"plain_text": english["squad"]}))
    hub.add("dataset", "rajpurkar/squad_v2", config_dataset({"squad_v2": english["squad_v2"]}))
    hub.add("dataset", "tau/commonsense_qa", config_dataset({"default": english["commonsenseqa"]}))
    for task, hf_id, folder in (("hellaswag", "Rowan/hellaswag", "default"), ("siqa", "allenai/social_i_qa", "default"),
                                ("copa", "aps/super_glue", "copa")):  # loading-script repos: their parquet export
        hub.add("dataset", hf_id, {f"{task}.py": "# a loading script", "README.md": f"# {task}\n"})
        hub.add("dataset", hf_id, parquet_export(english[task], folder), revision="refs/convert/parquet")
    # google/xtreme: test_hub_protocol's configs kept, these added
    configs = {**{f"udpos.{name}": splits("udpos", lang) for lang, name in (("en", "English"), ("de", "German"),
                                                                              ("zh", "Chinese"))},
               **{f"MLQA.{lang}.{lang}": splits("mlqa", lang) for lang in ("en", "de", "zh")},
               **{f"PAN-X.{lang}": splits("panx", lang) for lang in ("en", "de", "ar")},
               **{f"tatoeba.{iso3}": {"validation": rows("tatoeba", lang, "test")}
                  for lang, iso3 in (("de", "deu"), ("zh", "cmn"))}}
    xtreme = hub.repos["dataset", "google/xtreme"].revisions["main"]
    files = config_dataset(configs)
    card = yaml.safe_load(files["README.md"].split("---\n")[1])
    card["configs"] += [c for c in yaml.safe_load(xtreme["README.md"].decode().split("---\n")[1])["configs"]
                        if c["config_name"] not in configs]
    kept = {p: b for p, b in xtreme.items() if p != "README.md" and p.split("/")[0] not in configs}
    hub.add("dataset", "google/xtreme", {**kept, **files,
                                         "README.md": "---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n"})
    hub.add("dataset", "google/xquad", config_dataset(
        {f"xquad.{lang}": {"validation": rows("xquad", lang, "test")} for lang in ("en", "de", "zh")}))
    # TyDiQA-GoldP: one config, every language in one split, told apart by the id prefix
    hub.add("dataset", "google-research-datasets/tydiqa", config_dataset({"secondary_task": {
        "train": rows("tydiqa", "en", "train"),
        "validation": rows("tydiqa", "en", "test") + rows("tydiqa", "ar", "test")}}))
    hub.add("dataset", "google-research-datasets/paws-x",
            config_dataset({lang: splits("pawsx", lang) for lang in ("en", "de", "zh")}))
    hub.add("dataset", "unimelb-nlp/wikiann",
            config_dataset({lang: splits("wikiann", lang) for lang in ("en", "de", "ar")}))
    hub.add("dataset", "cambridgeltl/xcopa", config_dataset({lang: splits("xcopa", lang) for lang in ("it", "zh")}))


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

    copy = tmp_path_factory.mktemp("stilts-data")
    shutil.copytree(FIXTURES / "squad" / "en", copy / "squad" / "en")
    squad = REGISTRY["squad"]
    for lang in ("de", "zh"):
        folder = copy / "squad" / lang
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "squad" / "de" / "squad.translate.train.en-de.json",
                    folder / f"squad.translate.train.en-{lang}.json")
        converted = fetch_converted(squad, squad.translated, lang, folder)
        converted.to_json(str(folder / "train.jsonl"), lines=True, force_ascii=False)  # as download-data
    return copy


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """One output root for the module, as a user's `outputs/`: an encoder another study already trained with
    the same key (model, phase-2 settings, data_dirs) is reused, as it would be there. E2E_OUT=DIR keeps it."""
    return Path(os.environ.get("E2E_OUT") or tmp_path_factory.mktemp("real_e2e")) / "outputs"


def run_study(name: str, hub, home: Path, out: Path, extra: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m stilts_utils run params/<name>.yaml --set ... --no-analysis`, online against `hub`."""
    cmd = [sys.executable, "-m", "stilts_utils", "run", f"params/{name}.yaml", "--no-analysis"]
    for item in [*TINY, f"output_root={out}", *extra]:
        cmd += ["--set", item]
    env = {**client_env(hub, home), "TOKENIZERS_PARALLELISM": "false"}
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return proc, time.time() - t0


def expected_steps(study, pair) -> int:
    """intermediate_steps of a pair's rows: its encoder's share of the phase-2 run (0 for the baseline)."""
    return 0 if pair.encoder is None else share_of_steps(pair.budget, study.phase2.max_steps)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(STUDIES))
def test_a_real_study_runs_end_to_end_against_the_hub(name, hub, home, squad_copy, outputs):
    spec = STUDIES[name]
    extra = shrink(spec)
    if spec.get("squad_copy"):
        extra.append(f"data_dirs.squad={squad_copy}")
    seen = len(hub.requests)
    proc, took = run_study(name, hub, home, outputs, extra)
    print(f"{name}: {took:.1f} s")
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    assert " 0 failed, 0 blocked" in proc.stdout, proc.stdout[-3000:]

    # what ran is the file: the effective study the notebooks read is the file with the --set items only
    file = load_study(PARAMS / f"{name}.yaml", check_data=False)
    effective = list((outputs / name / "overrides").glob("*.yaml"))
    assert len(effective) == 1, effective
    ran = load_study(effective[0])
    for field in ("models", "intermediate_data", "phase2_budgets", "model_settings", "multitask", "analysis"):
        assert getattr(ran, field) == getattr(file, field), field
    assert ran.intermediate == spec.get("intermediate", file.intermediate)
    assert set(ran.intermediate) <= set(file.intermediate) and set(ran.targets) <= set(file.targets)
    assert {t: ran.target_settings(t).epochs for t in ran.targets} == {
        t: file.target_settings(t).epochs for t in ran.targets}  # the file's phase3_overrides, only shrunk

    # every run the file asks for (within what was kept) has its rows: model x intermediate x data x budget
    # x target, each test split in every language asked for, the headline metric a percentage
    results = pd.read_parquet(outputs / name / "results.parquet")
    pairs = identity.pairs(ran)
    assert set(results.run_id) == {p.id for p in pairs}
    test = results[results.split == "test"]
    got = set(test[["model", "intermediate", "intermediate_data", "intermediate_steps", "target"]]
              .itertuples(index=False, name=None))
    assert got == {(p.model, p.intermediate, p.intermediate_data, expected_steps(ran, p), p.target) for p in pairs}
    assert set(test.model) == set(file.models) and set(test.intermediate_data) == set(file.intermediate_data)
    for pair in pairs:
        rows_of = test[test.run_id == pair.id]
        assert set(rows_of.language) == set(ran.languages_for(pair.target)), pair.id
        headline = rows_of[rows_of.metric == REGISTRY[pair.target].metric]
        assert not headline.empty and headline.value.between(0, 100).all(), pair.id
    # each phase-2 budget is a run of its own length (RQ2: 0.1, 0.25, 0.5, 1.0 of 8 steps)
    for (model, inter, data), steps in test[test.intermediate != "none"].groupby(
            ["model", "intermediate", "intermediate_data"]).intermediate_steps:
        assert sorted(set(steps)) == sorted({share_of_steps(b, ran.phase2.max_steps) for b in file.phase2_budgets})
        assert steps.nunique() == len(file.phase2_budgets), (model, inter, data)

    # each model's volumes are counted in its own pretraining corpus: mT5 in mC4, XLM-R in CC-100
    corpora = dict(pd.read_csv(outputs / name / "models.csv")[["model", "volume_corpus"]].values)
    assert corpora == {m: "mc4" if "mt5" in m else "cc100" for m in file.models}
    # the models came from the hub under the ids the file names (the weights downloaded by the first study
    # that used them, the cache checked against the hub by every later one); local copies were read instead
    # of the hub where data_dirs names them
    served = hub.requests[seen:]
    for model in file.models:
        assert any(path == f"/api/models/{model}" or path.startswith(f"/{model}/resolve/") for _, path in served)
        assert ("GET", f"/{model}/resolve/{hub.repos['model', model].commit('main')}/model.safetensors") \
            in hub.requests, model
    for task in ran.data_dirs:
        hf_id = REGISTRY[task].source.hf_id
        assert not any(f"/datasets/{hf_id}/" in path for _, path in served), task
    if "check" in spec:
        spec["check"](ran)
