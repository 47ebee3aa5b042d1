"""Pre-emption safety (Slurm sends SIGTERM before it pre-empts or requeues a job): a training killed mid-run
resumes from its last checkpoint on the rerun and gives the rows of an uninterrupted run that saved no
checkpoint at all, in phase 2 (the RQ2 saves included) and in phase 3 (checkpoint selection included)."""
import shutil
import signal
import time
from pathlib import Path

import pytest

from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths
from test_faults import SMALL, rows, run_to_end, start

pytestmark = pytest.mark.slow
LONG = {"max_steps": 240, "eval_every": 40, "eval_subset": 16}  # long enough to be killed between checkpoints
STUDY = {**SMALL, "intermediate": ["mnli"], "targets": ["xnli"], "parallel": 1,
         "phase2": {**SMALL["phase2"], **LONG}, "phase3": {**SMALL["phase3"], **LONG}}


def write(folder: Path, **extra) -> Path:
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "faults.yaml"  # test_faults' helpers read outputs/faults
    path.write_text(yaml.safe_dump({**STUDY, **extra, "output_root": str(folder / "outputs")}))
    return path


def _kill_when(proc, ready, what: str, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read()[-2000:]}"
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode == 130


def test_sigterm_mid_training_resumes_with_the_same_rows(tmp_path):
    ref = write(tmp_path / "ref")
    run_to_end(ref)
    path = write(tmp_path / "killed", checkpoint_every=20)
    shutil.copytree(ref.parent / "outputs" / "cache" / "sandbox", path.parent / "outputs" / "cache" / "sandbox")
    paths = StudyPaths(load_study(path))
    inter = path.parent / "outputs" / "cache" / "intermediate"

    # phase 2 killed after its second checkpoint (the RQ2 save at half the steps is then behind it)
    proc = start(path)
    _kill_when(proc, lambda: len(list(inter.glob("*.resume/checkpoint-*/stilts_state.pt"))) >= 2, "phase 2 checkpoints")
    # the rerun resumes phase 2, then phase 3 is killed after a checkpoint
    proc = start(path)
    _kill_when(proc, lambda: any(paths.dir.glob("runs/*/resume/checkpoint-*/stilts_state.pt")), "a phase 3 checkpoint")
    run_to_end(path)
    notebooks = {p.stem: p.read_text() for p in paths.dir.glob("notebooks/*/*.ipynb")}
    assert "resuming from" in notebooks["sandbox-tiny__mnli__s0"], "phase 2 continued from its checkpoint"
    resumed_pairs = [name for name, text in notebooks.items() if "__xnli__" in name and "resuming from" in text]
    assert resumed_pairs, "a phase-3 run continued from its checkpoint"
    assert rows(path).equals(rows(ref)), "the same rows as the uninterrupted run"
    assert not list(inter.glob("*.resume")) and not list(paths.dir.glob("runs/*/resume")), "checkpoints removed"
