"""Study files are validated before any compute, with messages that name the bad value."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from stilts_utils.study.config import StudyError, load_study, study_from_dict

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "params" / "sandbox.yaml").read_text())


def study(**changes):
    return study_from_dict({**BASE, **changes}, "t")


def test_default_study_is_valid():
    s = load_study(ROOT / "params" / "sandbox.yaml")
    assert s.name == "sandbox" and "none" in s.intermediate and s.targets


SHIPPED = sorted([*(ROOT / "params").glob("*.yaml"), *(ROOT / "benchmarks").glob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_study_file_is_valid(path):
    # check_data=False: the real grid names user-supplied CCGbank, absent here by design
    s = load_study(path, check_data=False)
    assert s.name == path.stem and s.models and s.targets


def test_benchmark_world_copies_the_ladder_rungs():
    """benchmarks/xnli_small_world.yaml claims to keep the ladder's vocabulary-only rungs unchanged."""
    import dataclasses

    from stilts_utils.sandbox.defaults import LADDER

    s = load_study(ROOT / "benchmarks" / "xnli_small_world.yaml")
    kept = {spec.code: spec for spec in s.world_impl.settings().languages}
    ladder = {spec.code: spec for spec in LADDER}
    assert sorted(kept) == ["xa", "xb", "xc"]
    for code, spec in kept.items():  # xc's twin (xd) is not in this world
        assert spec == dataclasses.replace(ladder[code], twin=spec.twin), code


@pytest.mark.parametrize("changes, needle", [
    ({"targets": ["xnli", "udpos_typo"]}, "'udpos_typo'"),
    ({"intermediate": ["none", "mnlii"]}, "'mnlii'"),
    ({"models": ["sandbox-huge"]}, "'sandbox-huge'"),
    ({"languages": ["en", "klingon"]}, "'klingon'"),
    ({"intermediate_data": ["french"]}, "'french'"),
    ({"checkpoints": [0.5, 1.5]}, "1.5"),
    ({"phase2": {"lr": "fast"}}, "phase2.lr"),
    ({"phase2": {"learning_rate": 1e-5}}, "'learning_rate'"),
    ({"seedz": [0]}, "'seedz'"),
    ({"world": "mars"}, "'mars'"),
    ({"retrieval": {"pooling": "max"}}, "'max'"),
    ({"phase3_overrides": {"tatoeba_x": {"epochs": 1}}}, "'tatoeba_x'"),
    ({"sandbox": {"seed": 0, "colour": "blue"}}, "'colour'"),
])
def test_bad_values_are_named(changes, needle):
    with pytest.raises(StudyError) as err:
        study(**changes)
    assert needle in str(err.value)


def test_misspelt_task_lists_the_valid_ones():
    with pytest.raises(StudyError) as err:
        study(targets=["xnl"])
    msg = str(err.value)
    for valid in ("xnli", "udpos", "panx", "xquad", "bucc2018", "tatoeba"):
        assert valid in msg


def test_cli_fails_fast_on_a_misspelt_task(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**BASE, "targets": ["xnli", "tatoebaa"]}))
    proc = subprocess.run([sys.executable, "-m", "stilts_utils", "run", str(bad)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "'tatoebaa'" in proc.stderr and "tatoeba" in proc.stderr.replace("'tatoebaa'", "")
    # "before any compute" is measured in CPU seconds by tests/test_bad_input.py (wall time is noisy here)


def test_phase3_overrides_apply_per_target():
    s = study(phase3_overrides={"xnli": {"epochs": 7}})
    assert s.target_settings("xnli").epochs == 7
    assert s.target_settings("udpos").epochs == s.phase3.epochs


def test_protocol_settings_are_checked_and_key_only_the_targets_they_change():
    from stilts_utils.study.identity import Pair, pair_key

    base = {"world": "sandbox", "targets": ["xnli", "udpos", "xquad"], "sandbox": BASE.get("sandbox", {})}
    default = study_from_dict(base, "p")
    assert default.protocol.tagging_f1 == "seqeval-0.0.12" and default.protocol.selection == "xtreme"
    for bad in ({"tagging_f1": "seqeval-2"}, {"selection": "best"}, {"chunking": "x"}, {"long_sentences": "cut"}):
        with pytest.raises(StudyError, match="protocol"):
            study_from_dict({**base, "protocol": bad}, "p")
    other = study_from_dict({**base, "protocol": {"tagging_f1": "seqeval-1.2.2", "selection": "held_out"}}, "p")

    def key(study, target):
        return pair_key(study, Pair("sandbox-small", "", "none", "en", 1.0, target, 0))
    assert key(default, "xnli") == key(other, "xnli")  # neither setting changes XNLI
    assert key(default, "udpos") != key(other, "udpos") and key(default, "xquad") != key(other, "xquad")
    # long_sentences: only `truncate` enters a key (the default's keys are those of runs made before it existed)
    windows = study_from_dict({**base, "protocol": {"long_sentences": "windows"}}, "p")
    truncate = study_from_dict({**base, "protocol": {"long_sentences": "truncate"}}, "p")
    assert key(windows, "udpos") == key(default, "udpos") and key(truncate, "xnli") == key(default, "xnli")
    assert key(truncate, "udpos") != key(default, "udpos")


# ---- extends (study/loading.py) ---------------------------------------------------------------------

def _write(path, text):
    path.write_text(text)
    return path


def test_extends_child_keys_win_blocks_merge_lists_replace_and_name_is_own(tmp_path):
    _write(tmp_path / "parent.yaml", "name: parent\nworld: sandbox\ntargets: [xnli, udpos]\nseeds: [0, 1]\n"
           "phase2: {epochs: 3, lr: 0.0005}\nparallel: 2\n")
    child = load_study(_write(tmp_path / "child.yaml", "extends: parent.yaml\nseeds: [7]\nphase2: {lr: 0.001}\n"))
    assert child.name == "child" and child.seeds == [7] and child.targets == ["xnli", "udpos"]
    assert (child.phase2.epochs, child.phase2.lr, child.parallel) == (3, 0.001, 2)
    again = load_study(tmp_path / "child.yaml", overrides=("phase2.lr=0.002",))  # --set applies last
    assert again.phase2.lr == 0.002


def test_a_bad_value_from_the_parent_names_the_parent_file_and_line(tmp_path):
    parent = _write(tmp_path / "parent.yaml", "world: sandbox\ntargets: [xnli]\nphase2:\n  epochs: 3\n  lr: -1\n")
    child = _write(tmp_path / "child.yaml", "extends: parent.yaml\nseeds: [3]\n")
    with pytest.raises(StudyError) as err:
        load_study(child)
    assert str(err.value).startswith(f"{parent}, line 5 (extended by {child}): phase2.lr: -1")
    with pytest.raises(StudyError) as err:  # a bad value of the child itself names the child
        load_study(_write(tmp_path / "child.yaml", "extends: parent.yaml\nphase2: {lr: 0.1}\nseeds: [-3]\n"))
    assert str(err.value).startswith(f"{child}, line 3: seeds")


@pytest.mark.parametrize("files, needle", [
    ({"a.yaml": "extends: nowhere.yaml\n"}, "'nowhere.yaml' is no study file"),
    ({"a.yaml": "extends: no_such_study\n"}, "params/no_such_study.yaml does not exist"),
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, "a cycle (a.yaml -> b.yaml -> a.yaml)"),
    ({"a.yaml": "extends: a.yaml\n"}, "a cycle (a.yaml -> a.yaml)"),
    ({"a.yaml": "extends: [sandbox]\n"}, "expected a study name or a path"),
])
def test_a_missing_parent_or_a_cycle_is_one_clear_line(tmp_path, files, needle):
    for name, text in files.items():
        _write(tmp_path / name, text)
    with pytest.raises(StudyError) as err:
        load_study(tmp_path / "a.yaml")
    msg = str(err.value)
    assert needle in msg and "\n" not in msg and ".yaml, line 1: extends: " in msg


def _blocks(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", sorted((ROOT / "params").glob("rq*.yaml")), ids=lambda p: p.name)
def test_rq_studies_are_the_sandbox_study_with_only_their_own_keys(path):
    """Each RQ file holds only what it changes: its effective study is sandbox.yaml with those keys."""
    own = _blocks(path)
    assert own.pop("extends") == "sandbox" and not {"phase2", "phase3", "retrieval"} & set(own)
    expected = study_from_dict({**BASE, **own}, path.stem, check_data=False)
    assert load_study(path, check_data=False) == expected


def test_no_study_file_repeats_a_block_of_its_parent():
    from stilts_utils.study.loading import read_study

    for path in sorted((ROOT / "params").rglob("*.yaml")):
        own = _blocks(path)
        if "extends" not in own:
            continue
        parent = read_study(path).stamp[1][0]  # the file it extends
        inherited = _blocks(parent)
        assert not [k for k, v in own.items() if inherited.get(k) == v], path


def test_no_two_study_files_repeat_a_block_or_a_per_target_setting():
    """A block (or one target's phase3_overrides entry) written in two files belongs in a parent both extend."""
    seen = {}
    for path in sorted((ROOT / "params").rglob("*.yaml")):
        own = _blocks(path)
        items = [(k, v) for k, v in own.items() if isinstance(v, dict) and v and k != "phase3_overrides"]
        items += [(f"phase3_overrides.{t}", v) for t, v in own.get("phase3_overrides", {}).items()]
        for key, value in items:
            first = seen.setdefault((key, repr(value)), path)
            assert first == path, f"{path.name} repeats {key} of {first.name}"
