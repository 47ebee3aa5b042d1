"""Bad input, as a new user gives it: each case runs the real CLI (`python -m stilts_utils ...`) and must end
in under 2 s with exit code 2, one line on stderr naming the bad value, no traceback, and nothing written.

Classes: YAML syntax, field values, names and output paths, CLI flags, local data folders, submission
folders, and each command (run, tasks, score, summary, export, download-data). A second runner on a locked
study is here too (exit 2, naming the owner)."""
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# CPU seconds of the rejecting process (user + system), not wall time: the goal is < 2 s before any
# compute, and CPU time does not grow when a busy machine makes the wall clock slow.
LIMIT_S = 2.0

# A small valid sandbox study; each case changes one thing.
BASE = {"world": "sandbox", "models": ["sandbox-small"], "intermediate": ["none", "mnli"],
        "targets": ["xnli", "tatoeba"], "seeds": [0], "phase2": {"epochs": 1, "lr": 0.001},
        "phase3": {"epochs": 1, "lr": 0.001}}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli(*args, cwd: Path, timeout: float = 60):
    """Run the CLI; returns the process and the CPU seconds it took."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    before = _child_cpu()
    proc = subprocess.run([sys.executable, "-m", "stilts_utils", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return proc, _child_cpu() - before


def files_under(path: Path) -> set:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


def assert_rejected(proc, seconds, needle: str) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert len(err.splitlines()) == 1, f"not one line:\n{proc.stderr}"
    assert err.startswith("error: "), err
    assert needle in err, f"{needle!r} not in {err!r}"
    assert seconds < LIMIT_S, f"{seconds:.2f} CPU s: {err}"


# ---- study files ------------------------------------------------------------------------------------

def _text(changes: dict) -> str:
    data = {**BASE, **changes}
    return yaml.safe_dump({k: v for k, v in data.items() if v != "<drop>"}, allow_unicode=True)


RAW = {  # the study file as written (syntax), id -> (text, needle)
    "unclosed-list": ("world: sandbox\ntargets: [xnli, tatoeba\nseeds: [0]\n", "line"),
    "unclosed-quote": ("world: 'sandbox\nmodels: [sandbox-small]\n", "line"),
    "list-not-mapping": ("- xnli\n- tatoeba\n", "got a list"),
    "scalar-not-mapping": ("just some words\n", "got a string"),
    "python-tag": ("world: !!python/object/apply:os.system ['echo hi']\n", "python/object"),
    "duplicate-key": (_text({}) + "seeds: [1]\n", "duplicate key 'seeds'"),
    "duplicate-nested-key": (_text({}).replace("phase2:\n", "phase2:\n  lr: 0.1\n"), "duplicate key 'lr'"),
    "bad-indentation": ("world: sandbox\n  models: [sandbox-small]\n", "line 2"),
    "two-documents": (_text({}) + "---\nworld: sandbox\n", "single document"),
}

VALUES = {  # one field changed, id -> (changes, needle)
    "seeds-string": ({"seeds": "0"}, "seeds"),
    "seeds-negative": ({"seeds": [-1]}, "-1"),
    "seeds-duplicate": ({"seeds": [0, 0]}, "appears twice"),
    "seeds-empty": ({"seeds": []}, "seeds: the list is empty"),
    "seeds-word": ({"seeds": ["zero"]}, "'zero'"),
    "seeds-bool": ({"seeds": [True]}, "True"),
    "seeds-null": ({"seeds": None}, "seeds: null"),
    "seeds-float": ({"seeds": [0.5]}, "0.5"),
    "lr-negative": ({"phase2": {"lr": -1e-5}}, "phase2.lr"),
    "lr-zero": ({"phase3": {"lr": 0}}, "phase3.lr"),
    "lr-string": ({"phase2": {"lr": "fast"}}, "'fast'"),
    "epochs-zero": ({"phase2": {"epochs": 0}}, "phase2.epochs"),
    "epochs-nan": ({"phase2": {"epochs": float("nan")}}, "nan"),
    "max-steps-negative": ({"phase2": {"max_steps": -5}}, "-5"),
    "warmup-2": ({"phase2": {"warmup_ratio": 2.0}}, "2.0"),
    "batch-size-zero": ({"phase3": {"batch_size": 0}}, "phase3.batch_size"),
    "precision-fp8": ({"phase3": {"precision": "fp8"}}, "'fp8'"),
    "override-lr": ({"phase3_overrides": {"xnli": {"lr": -1}}}, "phase3_overrides.xnli.lr"),
    "override-null": ({"phase3_overrides": {"xnli": None}}, "phase3_overrides.xnli"),
    "phase2-list": ({"phase2": [1, 2]}, "phase2"),
    "unknown-key": ({"seedz": [0]}, "'seedz'"),
    "unknown-nested-key": ({"phase2": {"learning_rate": 1e-5}}, "'learning_rate'"),
    "models-string": ({"models": "sandbox-small"}, "'sandbox-small'"),
    "models-empty": ({"models": []}, "models: the list is empty"),
    "models-duplicate": ({"models": ["sandbox-small", "sandbox-small"]}, "appears twice"),
    "models-unknown": ({"models": ["xlm-roberta-base"]}, "'xlm-roberta-base'"),
    "intermediate-empty": ({"intermediate": []}, "intermediate: the list is empty"),
    "intermediate-duplicate": ({"intermediate": ["none", "none"]}, "'none' appears twice"),
    "intermediate-typo": ({"intermediate": ["none", "mnlii"]}, "'mnlii'"),
    "targets-empty": ({"targets": []}, "targets"),
    "targets-string": ({"targets": "xnli"}, "'xnli'"),
    "targets-duplicate": ({"targets": ["xnli", "xnli"]}, "'xnli' appears twice"),
    # the sandbox writes only its own tasks and data (sandbox.TASKS): others fail now, not after phase 1
    "sandbox-target-unwritten": ({"targets": ["mlqa", "pawsx"]},
                                 "targets: 'mlqa' is a task the sandbox world does not write; allowed in a sandbox "
                                 "study: xnli, udpos, panx, xquad, tatoeba, bucc2018"),
    "sandbox-intermediate-unwritten": ({"intermediate": ["none", "hellaswag"]}, "'hellaswag'"),
    "sandbox-data-dirs": ({"data_dirs": {"xnli": "/tmp/copies"}}, "data_dirs: xnli given, but a sandbox study"),
    "trust-remote-code-not-a-model": ({"trust_remote_code": ["someone/model"]},
                                      "trust_remote_code: unknown value 'someone/model'"),
    "layer-too-deep": ({"retrieval": {"layer": 99}}, "99"),
    "layer-below-minus-one": ({"retrieval": {"layer": -2}}, "-2"),
    "model-settings-optimizer": ({"model_settings": {"sandbox-small": {"optimizer": "adam"}}},
                                 "model_settings.sandbox-small.optimizer: 'adam' is not allowed; allowed: adamw | adafactor"),
    "model-settings-unknown-key": ({"model_settings": {"sandbox-small": {"optim": "adamw"}}}, "'optim'"),
    "model-settings-other-model": ({"model_settings": {"sandbox-tiny": {"lr": 0.001}}}, "'sandbox-tiny'"),
    "model-settings-corpus": ({"model_settings": {"sandbox-small": {"volume_corpus": "mc4"}}}, "own CC-100-like"),
    "mlm-weight-list": ({"mlm_weight": [0.0, 1.0]}, "mlm_weight: 1.0"),
    "center-not-bool": ({"retrieval": {"center": "yes"}}, "retrieval.center: expected a boolean, got a string 'yes'"),
    "parallel-zero": ({"parallel": 0}, "parallel: 0"),
    "parallel-negative": ({"parallel": -1}, "parallel: -1"),
    "threads-zero": ({"threads": 0}, "threads: 0"),
    "languages-leave-none": ({"languages": ["en"]}, "'tatoeba'"),
    "languages-unknown": ({"languages": ["en", "klingon"]}, "'klingon'"),
    "target-languages-empty": ({"target_languages": {"xnli": []}}, "target_languages.xnli"),
    "target-languages-string": ({"target_languages": {"xnli": "xa"}}, "'xa'"),
    "variant-null": ({"variants": {"low": None}}, "variants.low"),
    "variant-no-change": ({"variants": {"same": {"seed": 0}}}, "changes nothing"),
    "variants-twins": ({"variants": {"a": {"volume_multiplier": {"xa": 2}},
                                     "b": {"volume_multiplier": {"xa": 2}}}}, "variants.b"),
    "checkpoints-zero": ({"checkpoints": [0]}, "checkpoints: 0"),
    "checkpoints-empty": ({"checkpoints": []}, "checkpoints"),
    "budgets-above-one": ({"phase2_budgets": [0.5, 2]}, "phase2_budgets: 2 is not allowed; allowed: shares in (0, 1]"),
    "budgets-zero": ({"phase2_budgets": [0, 1]}, "phase2_budgets: 0 is not allowed"),
    "budgets-empty": ({"phase2_budgets": []}, "phase2_budgets: the list is empty"),
    "budgets-string": ({"phase2_budgets": "half"}, "phase2_budgets: expected a list"),
    "budgets-duplicate": ({"phase2_budgets": [0.5, 0.5]}, "phase2_budgets: 0.5 appears twice"),
    "budgets-and-checkpoints": ({"phase2_budgets": [0.5, 1.0], "checkpoints": [0.5, 1.0]},
                                "allowed: one of the two"),
    "mlm-weight": ({"mlm_weight": 1.5}, "1.5"),
    "temperature-zero": ({"multitask": {"temperature": 0}}, "temperature"),
    "world-unknown": ({"world": "mars"}, "'mars'"),
    "analysis-missing": ({"analysis": ["notebooks/nope.ipynb"]}, "'notebooks/nope.ipynb'"),
    # names and output paths: nothing may land outside <output_root>/<name>
    "name-escape": ({"name": "../../etc"}, "'../../etc'"),
    "name-absolute": ({"name": "/etc"}, "'/etc'"),
    "name-space": ({"name": "my study"}, "'my study'"),
    "name-unicode": ({"name": "stüdy"}, "stüdy"),
    "name-dot": ({"name": ".hidden"}, "'.hidden'"),
    "name-cache": ({"name": "cache"}, "'cache'"),
    "name-number": ({"name": 7}, "name"),
    "output-root-dotdot": ({"output_root": "../escape"}, "'../escape'"),
    "output-root-inner-dotdot": ({"output_root": "outputs/../../x"}, "'outputs/../../x'"),
    "output-root-empty": ({"output_root": ""}, "output_root"),
}


@pytest.fixture
def place(tmp_path):
    """(folder the CLI runs in, output root every study writes to): nothing may appear in either."""
    work = tmp_path / "work"
    work.mkdir()
    return work, tmp_path / "out"


def _study(work: Path, out: Path, text: str, name: str = "bad.yaml", root: bool = True) -> Path:
    path = work / name
    if root and "output_root" not in text:  # every study writes below the test's own folder
        text += f"output_root: {out}\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, needle", RAW.values(), ids=RAW.keys())
def test_bad_yaml(place, text, needle):
    work, out = place
    path = _study(work, out, text, root=False)
    before = files_under(work.parent)
    assert_rejected(*cli("run", path, cwd=work), needle)
    assert files_under(work.parent) == before and not (ROOT / "outputs" / "bad").exists()


@pytest.mark.parametrize("changes, needle", VALUES.values(), ids=VALUES.keys())
def test_bad_value(place, changes, needle):
    work, out = place
    changes = {"output_root": str(out), **changes}
    path = _study(work, out, _text(changes))
    before = files_under(work.parent)
    proc, secs = cli("run", path, cwd=work)
    assert_rejected(proc, secs, needle)
    assert str(path) in proc.stderr and "line" in proc.stderr or "name" in needle, "says where"
    assert files_under(work.parent) == before and not out.exists(), "nothing written"
    assert not (ROOT / "outputs" / "bad").exists()


def test_error_names_the_line(place):
    work, out = place
    path = _study(work, out, _text({"phase2": {"epochs": 1, "lr": -1.0}}))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("lr:"))
    assert_rejected(*cli("run", path, cwd=work), f"line {line}: phase2.lr: -1.0")


def test_study_file_name_is_checked(place):
    work, out = place
    path = _study(work, out, _text({}), name="my study.yaml")
    assert_rejected(*cli("run", path, cwd=work), "'my study'")
    assert not out.exists()


def test_output_root_that_is_a_file(place):
    work, out = place
    out.write_text("not a folder")
    path = _study(work, out, _text({"output_root": str(out)}))
    assert_rejected(*cli("run", path, cwd=work), "is a file")


@pytest.mark.parametrize("case", ["missing", "folder", "binary"])
def test_bad_study_path(place, case):
    work, out = place
    path = {"missing": work / "nope.yaml", "folder": work, "binary": work / "bin.yaml"}[case]
    if case == "binary":
        path.write_bytes(b"\xff\xfe\x00\x01garbage")
    assert_rejected(*cli("run", path, cwd=work), {"missing": "does not exist", "folder": "folder",
                                                   "binary": "UTF-8"}[case])


@pytest.mark.parametrize("command", ["summary", "export", "download-data"])
def test_other_commands_validate_the_study_too(place, command):
    work, out = place
    path = _study(work, out, _text({}) + "seeds: [1]\n")
    extra = ["--to", work / "copies"] if command == "download-data" else []
    assert_rejected(*cli(command, path, *extra, cwd=work), "duplicate key 'seeds'")
    assert not (work / "copies").exists()


# ---- CLI flags -------------------------------------------------------------------------------------

FLAGS = {
    "parallel-zero": (["run", "{study}", "--parallel", "0"], "'0'"),
    "parallel-negative": (["run", "{study}", "--parallel", "-1"], "'-1'"),
    "parallel-word": (["run", "{study}", "--parallel", "two"], "'two'"),
    "unknown-command": (["frobnicate"], "'frobnicate'"),
    "tasks-extra-flag": (["tasks", "--bogus"], "--bogus"),
    "tasks-extra-arg": (["tasks", "xnli"], "xnli"),
    "run-without-study": (["run"], "study"),
    "score-one-folder": (["score", "{work}"], "labels"),
    "download-without-to": (["download-data", "{study}"], "--to"),
    "tasks-bad-format": (["tasks", "--format", "xml"], "'xml'"),
    "study-unknown-name": (["summary", "no-such-study"], "no params/no-such-study.yaml"),
    "set-without-equals": (["run", "{study}", "--set", "phase2.lr"], "key.sub=value"),
    "set-unknown-key": (["run", "{study}", "--set", "phase2.bogus=1"], "unknown key 'bogus'"),
    "set-bad-value": (["run", "{study}", "--set", "phase2.lr=-1"], "--set phase2.lr=-1: phase2.lr: -1"),
    "set-bad-yaml": (["run", "{study}", "--set", "seeds=[0"], "not YAML"),
    "set-not-a-block": (["run", "{study}", "--set", "seeds.x=1"], "not a block"),
    "set-never-ran": (["summary", "{study}", "--set", "phase2.lr=0.5"], "never ran with --set"),
    "summary-tolerance-negative": (["summary", "{study}", "--tolerance", "-1"],
                                   "'-1' is not a tolerance; allowed: a number of points >= 0"),
    "summary-tolerance-word": (["summary", "{study}", "--tolerance", "two"], "'two' is not a tolerance"),
    "summary-tolerance-nan": (["summary", "{study}", "--tolerance", "nan"], "'nan' is not a tolerance"),
}


@pytest.mark.parametrize("args, needle", FLAGS.values(), ids=FLAGS.keys())
def test_bad_flags(place, args, needle):
    work, out = place
    study = _study(work, out, _text({}), name="ok.yaml")
    args = [a.format(study=study, work=work) for a in args]
    assert_rejected(*cli(*args, cwd=work), needle)
    assert not out.exists()


# ---- local data folders (a real-world study reading local copies) ----------------------------------

@pytest.fixture
def data_study(tmp_path):
    """A hub-world study on a local model folder (config.json only: validation reads no weights) and local
    copies of its data, copied from the fixtures; returns (write study, data root, work folder, output root)."""
    work, out, data = tmp_path / "work", tmp_path / "out", tmp_path / "data"
    work.mkdir()
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "xlm-roberta", "num_hidden_layers": 2}))
    for task, lang in (("mnli", "en"), ("xnli", "en"), ("xnli", "de")):
        shutil.copytree(FIXTURES / "data" / task / lang, data / task / lang)

    def write(**changes):
        study = {"world": "xtreme", "models": [str(model)], "intermediate": ["none", "mnli"], "targets": ["xnli"],
                 "languages": ["en", "de"], "data_dirs": {"mnli": str(data), "xnli": str(data)},
                 "output_root": str(out), **changes}
        path = work / "local.yaml"
        path.write_text(yaml.safe_dump(study))
        return path
    return write, data, work, out


def test_the_data_study_itself_passes_validation_and_preflight(data_study):
    write, data, work, out = data_study
    code = ("import sys; from stilts_utils.study.config import load_study; from stilts_utils.data.preflight import "
            f"check; check(load_study({str(write())!r})); print(sorted(m for m in ('torch', 'transformers') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", "validation and preflight must not import torch or transformers"


def _truncate(path: Path) -> None:
    text = path.read_bytes()
    path.write_bytes(text[: len(text) - 25])


DATA = {  # id -> (damage(data root), study changes, needle)
    "data-dir-missing": (None, {"data_dirs": {"mnli": "/nonexistent/copies", "xnli": "/nonexistent/copies"}},
                         "'/nonexistent/copies'"),
    "language-file-missing": (lambda d: (d / "xnli/de/test.jsonl").unlink(), {}, "xnli/de/test.jsonl"),
    "jsonl-truncated": (lambda d: _truncate(d / "xnli/de/dev.jsonl"), {}, "dev.jsonl, line"),
    "jsonl-binary": (lambda d: (d / "mnli/en/train.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00"), {},
                     "not UTF-8"),
    "jsonl-column-missing": (lambda d: (d / "xnli/en/test.jsonl").write_text(
        '{"premise": "a", "hypo": "b", "label": 0}\n'), {}, "'hypothesis'"),
    "jsonl-empty": (lambda d: (d / "xnli/en/dev.jsonl").write_text(""), {}, "no rows"),
    "jsonl-list-line": (lambda d: (d / "xnli/en/dev.jsonl").write_text("[1, 2]\n"), {}, "line 1"),
    # an absolute layer is checked where a retrieval target reads it (tests/test_family_settings.py: only there)
    "layer-beyond-config": (None, {"retrieval": {"layer": 5}, "targets": ["xnli", "tatoeba"]}, "2 layers"),
    "model-config-broken": (lambda d: (d.parent / "model" / "config.json").write_text("{"),
                            {"retrieval": {"layer": 1}}, "config.json"),
    "model-with-own-code-not-listed": (lambda d: (d.parent / "model" / "config.json").write_text(json.dumps(
        {"model_type": "tiny-remote", "auto_map": {"AutoModel": "modeling_tiny_remote.TinyRemoteModel"}})), {},
        "`trust_remote_code:`"),
}


@pytest.mark.parametrize("damage, changes, needle", DATA.values(), ids=DATA.keys())
def test_bad_data(data_study, damage, changes, needle):
    write, data, work, out = data_study
    if damage:
        damage(data)
    assert_rejected(*cli("run", write(**changes), cwd=work), needle)
    assert not out.exists(), "the preflight fails before anything is written"


# ---- submission folders (`score`) -------------------------------------------------------------------

@pytest.fixture
def submission(tmp_path):
    pred, labels = tmp_path / "pred", tmp_path / "labels"
    for task in ("xnli", "xquad"):
        shutil.copytree(FIXTURES / "xtreme_mock_submission" / "predictions" / task, pred / task)
        shutil.copytree(FIXTURES / "xtreme_mock_submission" / "labels" / task, labels / task)
    return pred, labels


SCORE = {  # id -> (damage(pred, labels) -> extra args, needle)
    "predictions-missing": (lambda p, lab: (shutil.rmtree(p), [])[1], "does not exist"),
    "both-missing": (lambda p, lab: (shutil.rmtree(p), shutil.rmtree(lab), [])[2], "does not exist"),
    "labels-missing": (lambda p, lab: (shutil.rmtree(lab), [])[1], "labels folder"),
    "labels-is-a-file": (lambda p, lab: (shutil.rmtree(lab), lab.write_text("x"), [])[2], "is a file"),
    "language-missing": (lambda p, lab: ((p / "xnli/test-de.tsv").unlink(), [])[1], "xnli/de: missing file"),
    "json-malformed": (lambda p, lab: ((p / "xquad/test-de.json").write_text('{"a": "b",'), [])[1],
                       "test-de.json, line 1"),
    "json-not-object": (lambda p, lab: ((p / "xquad/test-de.json").write_text("[1]"), [])[1], "JSON object"),
    "labels-not-squad": (lambda p, lab: ((lab / "xquad/test-de.json").write_text('{"x": 1}'), [])[1],
                         "SQuAD-format"),
    "file-empty": (lambda p, lab: ((p / "xnli/test-en.tsv").write_text(""), [])[1], "is empty"),
    "file-too-long": (lambda p, lab: ((p / "xnli/test-en.tsv").write_text(
        (lab / "xnli/test-en.tsv").read_text() + "entailment\n" * 3), [])[1], "lines but"),
    "file-binary": (lambda p, lab: ((p / "xnli/test-en.tsv").write_bytes(b"ok\n\xff\xfe"), [])[1], "UTF-8"),
    "no-common-task": (lambda p, lab: (shutil.rmtree(lab / "xnli"), shutil.rmtree(lab / "xquad"), [])[2],
                       "no XTREME task"),
    "benchmark-unknown": (lambda p, lab: ["--benchmark", "xtreme-s"], "--benchmark: invalid choice: 'xtreme-s'"),
    "benchmark-empty": (lambda p, lab: ["--benchmark="], "xtreme-r"),
    "xtreme-r-language-missing": (lambda p, lab: ["--benchmark", "xtreme-r"], "xquad/ro: missing file"),
    "xtreme-r-no-common-task": (lambda p, lab: (shutil.rmtree(lab / "xnli"), shutil.rmtree(lab / "xquad"),
                                                ["--benchmark", "xtreme-r"])[2], "no XTREME-R task folder"),
    "bucc-gold-empty": (lambda p, lab: (shutil.copytree(FIXTURES / "xtreme_mock_submission/predictions/bucc2018",
                                                        p / "bucc2018"),
                                        shutil.copytree(FIXTURES / "xtreme_mock_submission/labels/bucc2018",
                                                        lab / "bucc2018"),
                                        (lab / "bucc2018/test-de.tsv").write_text(""), [])[3], "is empty"),
    "output-suffix": (lambda p, lab: ["--output", str(p.parent / "scores.txt")], "--output"),
    "output-folder-missing": (lambda p, lab: ["--output", str(p.parent / "nope" / "s.csv")], "--output"),
}


@pytest.mark.parametrize("damage, needle", SCORE.values(), ids=SCORE.keys())
def test_bad_submission(submission, damage, needle):
    pred, labels = submission
    extra = damage(pred, labels)
    before = files_under(pred.parent)
    assert_rejected(*cli("score", pred, labels, *extra, cwd=pred.parent), needle)
    assert files_under(pred.parent) == before


def test_score_output_is_written(submission):
    pred, labels = submission
    for task in ("xnli", "xquad"):  # every language the fixture has; the rest of XTREME stays missing
        assert (pred / task).is_dir()
    proc, _ = cli("score", pred, labels, "--output", pred.parent / "scores.csv", cwd=pred.parent)
    assert proc.returncode == 0, proc.stderr
    head = (pred.parent / "scores.csv").read_text().splitlines()[0]
    assert head == "task,language,metric,value"


# ---- commands on a study that never ran, and the study lock -------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["summary", "{study}"], "no results yet"),
    (["summary", "{study}", "--readme", "{work}/NOPE.md"], "--readme"),
    (["export", "{study}"], "no results to export"),
    (["download-data", "{study}", "--to", "{work}/afile"], "--to"),
], ids=["summary-never-run", "summary-readme-missing", "export-never-run", "download-to-a-file"])
def test_commands_on_a_study_never_run(place, args, needle):
    work, out = place
    study = _study(work, out, _text({}), name="fresh.yaml")
    (work / "afile").write_text("x")
    before = files_under(work.parent)
    assert_rejected(*cli(*[a.format(study=study, work=work) for a in args], cwd=work), needle)
    assert files_under(work.parent) == before and not out.exists()


def test_a_second_runner_exits_naming_the_first(place):
    from stilts_utils.cli.lock import study_lock

    work, out = place
    study = _study(work, out, _text({}), name="busy.yaml")
    with study_lock(out / "busy", "run busy.yaml"):
        proc, secs = cli("run", study, cwd=work)
    assert_rejected(proc, secs, f"being run by PID {os.getpid()}")
    assert "run busy.yaml" in proc.stderr


def test_a_dead_runners_lock_is_taken_over(tmp_path, capfd):
    from stilts_utils.cli.lock import LOCK, study_lock

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / "s").mkdir()
    import socket

    (tmp_path / "s" / LOCK).write_text(json.dumps({"pid": int(dead), "host": socket.gethostname()}))
    with study_lock(tmp_path / "s") as owner:
        assert owner["pid"] == os.getpid()
        assert json.loads((tmp_path / "s" / LOCK).read_text())["pid"] == os.getpid()
    assert f"PID {dead}" in capfd.readouterr().err
