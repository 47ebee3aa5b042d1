"""Faults on a small sandbox study: the runner killed at random points (SIGKILL, Ctrl-C, SIGTERM), a
truncated rows file, a truncated encoder weight file and a deleted checkpoint folder. Every rerun must end
with exactly the rows of an uninterrupted run, and a killed runner must leave no kernel running."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from stilts_utils.study import identity as grid
from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

SMALL = {  # test_smoke.TINY, fewer targets and no analysis: every run here is a few tens of seconds
    "world": "sandbox", "models": ["sandbox-tiny"], "intermediate": ["none", "mnli"],
    "targets": ["xnli", "udpos", "tatoeba"], "seeds": [0], "checkpoints": [0.5, 1.0],
    "phase2": {"epochs": 1, "batch_size": 16, "lr": 0.001, "max_seq_len": 64, "eval_every": 0},
    "phase3": {"epochs": 1, "batch_size": 16, "lr": 0.001, "max_seq_len": 64, "eval_every": 2, "eval_subset": 16},
    "sandbox": {"train_size": 48, "eval_size": 12, "pretrain_sentences": 600, "bucc_pairs": 10,
                "bucc_distractors": 6,
                "languages": [{"code": "xa", "name": "Alderan", "cc100_tokens_m": 10297, "copies": "de"},
                              {"code": "xe", "name": "Eskelic", "cc100_tokens_m": 2736, "word_order": "SOV",
                               "morphology": "agglutinative", "adposition": "post", "copies": "tr"}]},
    "sandbox_sizes": {"tiny": {"hidden_size": 32, "num_layers": 2, "num_heads": 2, "intermediate_size": 64,
                               "vocab_size": 400, "max_length": 64, "epochs": 0.5}},
    "parallel": 2,
}
KEYS = ["model", "intermediate", "intermediate_data", "intermediate_steps", "target", "language", "split",
        "metric", "seed", "target_steps", "run_id", "model_params", "variant"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def write_study(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "faults.yaml"  # same file name everywhere: same study name, same run ids
    path.write_text(yaml.safe_dump({**SMALL, "output_root": str(folder / "outputs")}))
    return path


def like_a_terminal() -> None:
    """preexec_fn of a runner that a test will Ctrl-C: SIGINT handled as in a terminal. A process started in the
    background by a non-interactive shell (nohup, `cmd &`) ignores SIGINT, its children inherit that, and Python
    then never raises KeyboardInterrupt: the runner would never see the test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stilts_utils", "run", str(path), "--no-analysis"], cwd=ROOT,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=like_a_terminal)


def run_to_end(path: Path) -> str:
    proc = start(path)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return err


def rows(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(StudyPaths(load_study(path)).results())
    return df[KEYS + ["value"]].sort_values(KEYS).reset_index(drop=True)


def children_of(pid: int) -> list[int]:
    """Kernels started by `pid` (ipykernel's JPY_PARENT_PID), still running."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if f"JPY_PARENT_PID={pid}".encode() in environ and "zombie" not in state:
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run: its rows, its wall time, and its phase-1 cache (copied, not rebuilt, below)."""
    folder = tmp_path_factory.mktemp("reference")
    path = write_study(folder)
    t0 = time.time()
    run_to_end(path)
    return path, rows(path), time.time() - t0


def fresh_copy(reference_path: Path, folder: Path) -> Path:
    """A new output root holding only the reference's phase-1 world and model: phases 2-3 start from nothing."""
    path = write_study(folder)
    shutil.copytree(reference_path.parent / "outputs" / "cache" / "sandbox", folder / "outputs" / "cache" / "sandbox")
    return path


def _finished_rows(path: Path) -> int:
    return len(list((path.parent / "outputs" / "faults" / "runs").glob("*/rows.json")))


def _phase2_started(path: Path) -> bool:
    return any((path.parent / "outputs" / "faults" / "notebooks").glob("intermediate/*.ipynb"))


def test_killed_at_random_points_the_rerun_gives_the_same_rows(reference, tmp_path):
    """Faults at random points of the work (not of the clock, which differs between machines): during
    phase 2, and after a random number of finished pairs; each rerun goes on from what the last one left."""
    ref_path, expected, _ = reference
    path = fresh_copy(ref_path, tmp_path)
    rng = random.Random(10)
    total = expected.run_id.nunique()
    for sig, in_phase2 in ((signal.SIGKILL, True), (signal.SIGINT, False), (signal.SIGTERM, False),
                           (signal.SIGKILL, False)):
        goal = min(_finished_rows(path) + rng.randint(1, 2), total - 1)  # never the last: work stays in flight
        reached = (lambda: _phase2_started(path)) if in_phase2 else (lambda: _finished_rows(path) >= goal)
        proc = start(path)
        while not reached():
            assert proc.poll() is None, f"the run ended before the {sig.name} point"
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.5))  # somewhere inside the pairs now running
        assert proc.poll() is None, f"the run ended before the {sig.name} point"
        kernels = children_of(proc.pid)
        proc.send_signal(sig)
        proc.communicate(timeout=60)
        deadline = time.time() + 10
        while [k for k in kernels if k in children_of(proc.pid)] and time.time() < deadline:
            time.sleep(0.1)
        assert not [k for k in kernels if k in children_of(proc.pid)], f"kernels outlived the runner ({sig.name})"
    run_to_end(path)
    pd.testing.assert_frame_equal(rows(path), expected, check_exact=True)


def _pairs_of(study, intermediate: str):
    return [p for p in grid.pairs(study) if p.intermediate == intermediate]


def test_damaged_rows_and_encoders_are_redone_with_the_same_rows(reference, tmp_path):
    ref_path, expected, _ = reference
    path = tmp_path / "faults.yaml"
    shutil.copytree(ref_path.parent / "outputs", tmp_path / "outputs")
    path.write_text(yaml.safe_dump({**SMALL, "output_root": str(tmp_path / "outputs")}))
    study = load_study(path)
    paths = StudyPaths(study)
    encoder = paths.encoder_dir(grid.encoders(study)[0])
    weights = sorted(encoder.glob("step-*/model.safetensors"))
    built = {w.relative_to(encoder): w.read_bytes() for w in weights}
    assert len(weights) == 2

    # a truncated rows file: set aside with a warning, its pair redone
    baseline = _pairs_of(study, "none")[0]
    text = paths.rows(baseline).read_text()
    paths.rows(baseline).write_text(text[: len(text) // 2])
    err = run_to_end(path)
    assert "is damaged" in err and str(paths.rows(baseline)) in err
    assert list(paths.run_dir(baseline).glob("rows.json.damaged-*"))
    pd.testing.assert_frame_equal(rows(path), expected, check_exact=True)

    # a truncated weight file, then a deleted checkpoint folder: the encoder is rebuilt (the same bytes) and
    # a pair that needs it runs on the rebuilt one, with the reference's rows
    for damage in (lambda: weights[0].write_bytes(weights[0].read_bytes()[:1000]),
                   lambda: shutil.rmtree(weights[1].parent)):
        damage()
        pair = next(p for p in _pairs_of(study, "mnli") if p.target == "xnli" and p.checkpoint == 1.0)
        paths.rows(pair).unlink()
        assert not paths.encoder_done(grid.encoders(study)[0]), "damage is detected"
        err = run_to_end(path)
        assert "is damaged" in err, err[-2000:]
        assert {w.relative_to(encoder): w.read_bytes() for w in encoder.glob("step-*/model.safetensors")} == built
        pd.testing.assert_frame_equal(rows(path), expected, check_exact=True)
    assert len(list(encoder.parent.glob(f"{encoder.name}.damaged-*"))) == 2, "damaged encoders are kept aside"


def test_the_manifest_is_deterministic(reference):
    ref_path, _, _ = reference
    study = load_study(ref_path)
    encoder = StudyPaths(study).encoder_dir(grid.encoders(study)[0])
    manifest = json.loads((encoder / "MANIFEST.json").read_text())
    assert "step-1/model.safetensors" in manifest or any(k.endswith("model.safetensors") for k in manifest)
    assert all(isinstance(size, int) and len(sha) == 64 for size, sha in manifest.values())


def test_ctrl_c_during_phase_1_stops_promptly_and_keeps_no_model(tmp_path):
    """Ctrl-C (SIGINT, as a terminal sends it) while the sandbox pretrains: the runner exits 130, its
    message says what is kept, and no model directory (not even a partial one) is left to count as built.
    The 180 s bound is a liveness check (the stop takes a few seconds even on a busy machine), not a timing."""
    study = {**SMALL, "output_root": str(tmp_path / "outputs"),
             "sandbox_sizes": {"tiny": {**SMALL["sandbox_sizes"]["tiny"], "steps": 100000}}}
    path = tmp_path / "ctrlc.yaml"
    path.write_text(yaml.safe_dump(study))
    proc = subprocess.Popen([sys.executable, "-m", "stilts_utils", "run", str(path), "--no-analysis"], cwd=ROOT,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=like_a_terminal)
    models = tmp_path / "outputs" / "cache" / "sandbox"
    deadline = time.time() + 300
    while not list(models.glob("*/models")) and time.time() < deadline:  # phase 1 has begun
        time.sleep(0.5)
    time.sleep(5)  # well inside the 100,000 pretraining steps
    assert proc.poll() is None, proc.communicate()[1][-2000:]
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 130, err[-2000:]
    assert "finished runs are kept" in err
    assert [p.name for folder in models.glob("*/models") for p in folder.iterdir()] == []  # temporaries too
