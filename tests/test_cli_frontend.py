"""The command line as a researcher meets it: `--version`, `tasks --format`, studies named by file or by
name, and `--set key.sub=value` overrides validated like the study file and entering the run identity."""
import io
import json
import re
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
import pytest
import yaml

from stilts_utils.cli import main as cli_main
from stilts_utils.cli import studies
from stilts_utils.cli.tasklist import task_table
from stilts_utils.study import identity
from stilts_utils.study.config import load_study
from stilts_utils.study.errors import StudyError

BASE = {"world": "sandbox", "models": ["sandbox-small"], "intermediate": ["none", "mnli"],
        "targets": ["xnli", "tatoeba"], "seeds": [0], "phase2": {"epochs": 1, "lr": 0.001},
        "phase3": {"epochs": 1, "lr": 0.001}}


@pytest.fixture
def study_file(tmp_path):
    def write(changes=None, name="mini.yaml"):
        data = {**BASE, "output_root": str(tmp_path / "out"), **(changes or {})}
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data))
        return path
    return write


def run_cli(capsys, *args):
    code = cli_main.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_comes_from_the_package_metadata(capsys):
    try:
        expected = version("stilts-utils")
    except PackageNotFoundError:
        from stilts_utils import __version__ as expected
    with pytest.raises(SystemExit) as stop:
        cli_main.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"python -m stilts_utils {expected}"


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_tasks_formats_hold_the_whole_table(capsys, fmt):
    code, out, _ = run_cli(capsys, "tasks", "--format", fmt)
    assert code == 0
    table = task_table()
    if fmt == "csv":
        back = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
        assert list(back.columns) == list(table.columns)
        assert back.task.tolist() == table.task.tolist()
    elif fmt == "json":
        back = json.loads(out)
        assert [r["task"] for r in back] == table.task.tolist()
        assert set(back[0]) == set(table.columns)
    else:
        rows = [line for line in out.splitlines() if line.startswith("| ")]
        assert rows[0].split("|")[1].strip() == "task"
        assert len(rows) == len(table) + 1  # header + one row per task
        assert "Evaluation languages:" in out


def test_a_study_is_named_by_file_or_by_name(tmp_path, monkeypatch, study_file):
    path = study_file(name="named.yaml")
    monkeypatch.setattr(studies, "PARAMS", tmp_path)
    assert studies.resolve("named") == str(tmp_path / "named.yaml")
    assert studies.resolve(str(path)) == str(path)
    with pytest.raises(StudyError, match=r"'nope'.*allowed: a study file, or one of named"):
        studies.resolve("nope")


def test_summary_of_a_named_study_never_run_is_one_line(tmp_path, monkeypatch, study_file, capsys):
    study_file(name="never.yaml")
    monkeypatch.setattr(studies, "PARAMS", tmp_path)
    code, out, err = run_cli(capsys, "summary", "never")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "'never' has no results yet" in err
    code, _, err = run_cli(capsys, "summary", "never-written")
    assert code == 2 and "no params/never-written.yaml" in err
    assert not (tmp_path / "out").exists()


def _where_stripped(message: str) -> str:
    """A validation message of a file without its location (`FILE, line N: `)."""
    return re.sub(r"^.*?, line \d+: ", "", message)


@pytest.mark.parametrize("item, changes", [
    ("phase2.lr=-1", {"phase2": {"epochs": 1, "lr": -1}}),
    ("phase2.bogus=1", {"phase2": {"epochs": 1, "lr": 0.001, "bogus": 1}}),
    ("seeds=0", {"seeds": 0}),
    ("seeds=[0, 0]", {"seeds": [0, 0]}),
    ("targets=[nope]", {"targets": ["nope"]}),
    ("retrieval.pooling=max", {"retrieval": {"pooling": "max"}}),
    ("frobnicate=1", {"frobnicate": 1}),
], ids=["range", "unknown-nested", "type", "duplicate", "unknown-value", "choice", "unknown-top"])
def test_set_is_validated_exactly_like_the_file(study_file, item, changes):
    with pytest.raises(StudyError) as from_file:
        load_study(study_file(changes, name="inline.yaml"))
    with pytest.raises(StudyError) as from_set:
        load_study(study_file(name="base.yaml"), (item,))
    prefix = f"with --set {item}: "
    assert prefix in str(from_set.value)
    assert str(from_set.value).split(prefix, 1)[1] == _where_stripped(str(from_file.value))


@pytest.mark.parametrize("item, needle", [
    ("phase2.lr", "expected key.sub=value"),
    ("=3", "expected key.sub=value"),
    ("seeds=[0", "not YAML"),
    ("seeds.x=1", "seeds is a list in the study"),
])
def test_malformed_set_items(study_file, item, needle):
    with pytest.raises(StudyError, match=re.escape(needle)):
        load_study(study_file(), (item,))


def test_set_enters_the_run_identity(study_file):
    path = study_file()
    base, same, changed = (load_study(path), load_study(path, ("phase2.lr=0.001",)),
                           load_study(path, ("phase2.lr=0.002",)))
    assert changed.phase2.lr == 0.002 and base.phase2.lr == 0.001
    enc = identity.encoders(base)[0]
    assert identity.encoder_key(same, enc) == identity.encoder_key(base, enc)
    assert identity.encoder_key(changed, enc) != identity.encoder_key(base, enc)
    pair = next(p for p in identity.pairs(base) if p.intermediate == "mnli")
    assert identity.StudyPaths(changed).run_dir(pair) != identity.StudyPaths(base).run_dir(pair)
    grid = load_study(path, ("seeds=[0, 3]",))
    assert {p.seed for p in identity.pairs(grid)} == {0, 3}


def test_a_run_with_set_reads_one_effective_study_file(study_file, capsys, tmp_path):
    path = study_file()
    overrides = ["phase2.lr=0.002", "phase3.epochs=2"]
    code, out, err = run_cli(capsys, "run", path, "--dry-run", *sum((["--set", s] for s in overrides), []))
    assert code == 0, err
    written = list((tmp_path / "out" / "mini" / "overrides").glob("*.yaml"))
    assert len(written) == 1
    effective = load_study(written[0])
    assert effective == load_study(path, tuple(overrides)) and effective.name == "mini"
    assert effective.phase2.lr == 0.002 and effective.phase3.epochs == 2
    assert "--set phase2.lr=0.002 --set phase3.epochs=2" in written[0].read_text().splitlines()[0]
    # summary/export with the same --set find that file; with other overrides they say it never ran
    assert studies.resolve(str(path), overrides, write=False) == str(written[0])
    code, _, err = run_cli(capsys, "export", path, "--set", "phase2.lr=0.003")
    assert code == 2 and "never ran with --set phase2.lr=0.003" in err


def test_a_bad_set_writes_nothing(study_file, capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", study_file(), "--dry-run", "--set", "phase2.lr=-1")
    assert code == 2 and "--set phase2.lr=-1" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_runtimes_states_each_studys_last_run_and_fills_the_readme_block(study_file, capsys, tmp_path):
    from stilts_utils.cli import provenance

    ran, never = study_file(name="ran.yaml"), study_file(name="never.yaml")
    out = identity.StudyPaths(load_study(ran)).dir
    out.mkdir(parents=True)
    facts = provenance.run_facts(754.2, 421.6, 12, 0, 1)
    (out / "run_info.json").write_text(json.dumps(facts))
    assert facts["last run"].startswith("12 min 34 s wall") and facts["phase 1"] == "422 s"
    assert re.fullmatch(r"([0-9a-f]{4,}|unknown)(\+changes)?", facts["code at commit"])
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{provenance.BEGIN}\nold\n{provenance.END}\nrest\n")
    code, printed, _ = run_cli(capsys, "runtimes", ran, never, "--readme", readme)
    assert code == 0
    text = readme.read_text()
    assert text.startswith("intro\n" + provenance.BEGIN) and text.endswith(provenance.END + "\nrest\n")
    assert "old" not in text and printed.strip() in text
    rows = [line for line in text.splitlines() if line.startswith("| ran") or line.startswith("| never")]
    assert rows[0] == (f"| ran | `bash stilts.sh study {ran}` | 12 min 34 s wall on {facts['last run'].split()[-2]} "
                       f"cores | 422 s | 12 run, 0 already done, 1 failed | {facts['code at commit']} |")
    assert rows[1].endswith("| - | - | - | - |")  # never run: said, not invented


def test_runtimes_into_a_readme_without_the_block_is_one_line(study_file, capsys, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no block\n")
    code, _, err = run_cli(capsys, "runtimes", study_file(), "--readme", readme)
    assert code == 2 and "runtimes:begin" in err and len(err.strip().splitlines()) == 1
    assert readme.read_text() == "no block\n"
