"""The Slurm executor on a real single-node Slurm (tests/local_slurm.py, started and stopped here): a tiny
sandbox study gives the rows of the local executor; a crashed encoder job fails, its pair is reported
blocked and the run ends; a job cancelled with scancel is reported with its log; a rerun submits only what
is missing, recognizes jobs still queued or running, and completes the study. Plus the parts that need no
cluster: study-file settings, --dry-run, status."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from local_slurm import Cluster, install, missing
from stilts_utils.executors import slurm as executor
from stilts_utils.cli.main import main
from stilts_utils.study.config import load_study, study_from_dict
from stilts_utils.study.errors import StudyError
from stilts_utils.study.executor import minutes
from stilts_utils.study.identity import StudyPaths
from test_faults import KEYS, SMALL, like_a_terminal

ROOT = Path(__file__).resolve().parent.parent
# One encoder, one baseline pair and one pair waiting for the encoder: 3 jobs of ~20-45 s each here.
STUDY = {**SMALL, "targets": ["xnli"], "checkpoints": [1.0], "parallel": 1, "slurm": {"poll_seconds": 1.0}}
ENCODER, BASELINE, PAIR = "sandbox-tiny__mnli__s0", "sandbox-tiny__none__xnli__s0", "sandbox-tiny__mnli__xnli__s0"


def write_study(folder: Path, **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "slurmy.yaml"  # one file name: one study name, the same run ids in every folder
    path.write_text(yaml.safe_dump({**STUDY, **extra, "output_root": str(folder / "outputs")}))
    return path


# ---- no cluster needed ------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, message", [
    ({"executor": "cluster"}, "executor: unknown value 'cluster'; allowed: local, slurm"),
    ({"slurm": {"phase2": {"gpu": 1}}}, "slurm.phase2: unknown key 'gpu'"),
    ({"slurm": {"phase3": {"mem": "lots"}}}, "slurm.phase3.mem: 'lots' is not a memory size"),
    ({"slurm": {"phase2": {"time": "soon"}}}, "slurm.phase2.time: 'soon' is not a time limit"),
    ({"slurm": {"phase2": {"extra": {"dependency": "afterany:1"}}}}, "option 'dependency' is not allowed"),
    ({"slurm": {"poll_seconds": 0}}, "slurm.poll_seconds: 0 is not allowed"),
])
def test_bad_slurm_settings_are_one_clear_error(extra, message):
    with pytest.raises(StudyError, match=message.replace("(", r"\(").replace("[", r"\[")):
        study_from_dict({"world": "sandbox", "targets": ["xnli"], **extra}, "bad")


def test_time_limits_in_minutes():
    assert [minutes(t) for t in ("90", "2:00:00", "1:30", "1-00:00:00", "0:00:30")] == [90, 120, 90, 1440, 1]
    with pytest.raises(ValueError):
        minutes("2h")


def test_bad_executor_flag_exits_2_before_any_compute(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(write_study(tmp_path)), "--executor", "kubernetes"])
    assert exit_info.value.code == 2
    assert "kubernetes" in capsys.readouterr().err


def test_dry_run_shows_resources_and_the_dependency(tmp_path, capsys):
    path = write_study(tmp_path, slurm={"phase2": {"gpus": 2, "mem": "64G", "time": "1-00:00:00", "partition": "gpu",
                                                    "extra": {"constraint": "h100"}},
                                         "phase3": {"gpus": 1, "account": "xnli"}})
    assert main(["run", str(path), "--dry-run", "--executor", "slurm"]) == 0
    out = capsys.readouterr().out
    encoder = out[out.index(ENCODER):].splitlines()[1]
    assert "--gpus-per-node=2" in encoder and "--mem=64G" in encoder and "--time=1440" in encoder
    assert "--partition=gpu" in encoder and "--constraint=h100" in encoder and "--requeue" in encoder
    pair = out[out.index(PAIR):].splitlines()[1]
    assert f"--dependency=afterok:<{ENCODER}>" in pair and "--account=xnli" in pair
    baseline = out[out.index(BASELINE):].splitlines()[1]
    assert "dependency" not in baseline
    assert "3 job(s) would be submitted" in out
    assert not (tmp_path / "outputs" / "slurmy" / "slurm").exists(), "a dry run submits and writes nothing"


def test_status_without_jobs_says_todo(tmp_path, capsys):
    assert main(["status", str(write_study(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.count("  todo ") == 3 and out.strip().endswith("3 todo")


# ---- the real cluster -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A single-node Slurm for this session (packages installed when missing, ~25 s once)."""
    if missing():
        if os.geteuid() != 0:
            pytest.skip(f"Slurm is not installed ({', '.join(missing())} missing) and installing needs root")
        install()
    root = Path(f"/tmp/stilts-slurm-{os.getpid()}")  # short: munge's socket path must fit in 108 bytes
    shutil.rmtree(root, ignore_errors=True)
    node = Cluster(root, cpus=min(2, os.cpu_count() or 1)).start()
    os.environ.update(node.env)  # submitit and sacct in this process, and every job, talk to this cluster
    yield node
    node.stop()
    os.environ.pop("SLURM_CONF", None)
    shutil.rmtree(root, ignore_errors=True)


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def _start(path: Path, *flags) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stilts_utils", "run", str(path), "--no-analysis", *flags],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=like_a_terminal)


def _finish(proc: subprocess.Popen, timeout: float = 600) -> str:
    out, _ = proc.communicate(timeout=timeout)
    return out


def _read_until(proc: subprocess.Popen, needle: str) -> str:
    """The runner's output up to the first line containing `needle` (the rest stays for _finish)."""
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if needle in line:
            return "".join(lines)
    raise AssertionError(f"the runner ended before printing {needle!r}: {''.join(lines)[-3000:]}")


def _rows(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(StudyPaths(load_study(path)).results())
    return df[KEYS + ["value"]].sort_values(KEYS).reset_index(drop=True)


def _squeue() -> dict:
    """{job name: (id, state)} of the jobs Slurm still has."""
    out = subprocess.run(["squeue", "-h", "-o", "%i|%j|%T"], capture_output=True, text=True, check=True).stdout
    return {name: (jid, state) for jid, name, state in (line.split("|") for line in out.splitlines())}


def _until(what: str, ok, timeout: float = 300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (found := ok()):
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _kernel_of(job_id: str) -> int | None:
    """The notebook kernel a Slurm job started (its environment names the job)."""
    for proc in Path("/proc").iterdir():
        try:
            if (proc.name.isdigit() and f"SLURM_JOB_ID={job_id}".encode() in (proc / "environ").read_bytes().split(b"\0")
                    and b"ipykernel" in (proc / "cmdline").read_bytes()):
                return int(proc.name)
        except OSError:
            continue
    return None


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory):
    """The same study through the local executor: the rows Slurm must reproduce, and its phase-1 cache."""
    path = write_study(tmp_path_factory.mktemp("local"))
    proc = _start(path, "--executor", "local")
    out = _finish(proc)
    assert proc.returncode == 0, out[-3000:]
    return path, _rows(path)


@pytest.mark.slow
def test_slurm_failures_cancellations_reruns_and_the_same_rows(cluster, local_reference, tmp_path):
    ref_path, ref_rows = local_reference
    path = write_study(tmp_path, executor="slurm")
    shutil.copytree(ref_path.parent / "outputs" / "cache" / "sandbox", tmp_path / "outputs" / "cache" / "sandbox")
    study = load_study(path)

    # 1. The encoder's kernel dies (as an out-of-memory kill would): its job fails, the pair waiting for it
    #    is cancelled by Slurm (kill_invalid_depend) and reported blocked; the baseline is scancel-ed.
    proc = _start(path)
    enc_id = _until("the encoder job running", lambda: _squeue().get(f"stilts-{ENCODER}", ("", ""))[1] == "RUNNING"
                    and _squeue()[f"stilts-{ENCODER}"][0])
    base_id = _until("the baseline job running", lambda: _squeue().get(f"stilts-{BASELINE}", ("", ""))[1] == "RUNNING"
                      and _squeue()[f"stilts-{BASELINE}"][0])
    os.kill(_until("the encoder's kernel", lambda: _kernel_of(enc_id)), signal.SIGKILL)
    subprocess.run(["scancel", base_id], check=True)
    out = _finish(proc)
    assert proc.returncode == 1, out[-3000:]
    ledger = executor.read_ledger(StudyPaths(study))
    assert f"FAILED {ENCODER}: slurm job {enc_id} FAILED" in out, out[-3000:]
    assert "DeadKernelError" in out or "died" in out.lower(), "the notebook's own error line is shown"
    assert f"FAILED {BASELINE}: slurm job {base_id} CANCELLED (log {ledger[BASELINE]['log']})" in out
    assert Path(ledger[BASELINE]["log"]).exists()
    assert f"BLOCKED {PAIR}" in out and "1 blocked" in out
    assert not _squeue(), "nothing is left pending for ever"
    status = subprocess.run([sys.executable, "-m", "stilts_utils", "status", str(path)], cwd=ROOT, env=_env(),
                            capture_output=True, text=True, check=True).stdout
    assert f"failed    {ENCODER}" in status and f"cancelled {BASELINE}" in status and f"blocked   {PAIR}" in status

    # 2. A rerun submits the three again; stopped while they run, the next rerun submits nothing twice.
    proc = _start(path)
    head = _read_until(proc, "waiting (Ctrl-C stops waiting")  # submitted: Ctrl-C now stops the waiting only
    assert len(_squeue()) == 3, head[-3000:]
    proc.send_signal(signal.SIGINT)
    out = head + _finish(proc)
    assert proc.returncode == 130 and "keep running in Slurm" in out, out[-3000:]
    submitted = {run: e["slurm_id"] for run, e in executor.read_ledger(StudyPaths(study)).items()}
    proc = _start(path)
    out = _finish(proc)
    assert proc.returncode == 0, out[-3000:]
    assert "slurm: 0 job(s) submitted" in out, out[-3000:]
    acct = subprocess.run(["sacct", "-X", "-n", "-P", "-S", "2000-01-01", "-o", "JobID,JobName,State"],
                          capture_output=True, text=True, check=True).stdout
    assert {run: e["slurm_id"] for run, e in executor.read_ledger(StudyPaths(study)).items()} == submitted
    assert max(int(line.split("|")[0]) for line in acct.splitlines()) == max(map(int, submitted.values())), \
        f"no job submitted twice: {acct}"
    assert _rows(path).equals(ref_rows), "the Slurm executor gives the local executor's rows"
    for nb in ("intermediate/" + ENCODER, "pairs/" + BASELINE, "pairs/" + PAIR):
        assert json.loads((StudyPaths(study).dir / "notebooks" / f"{nb}.ipynb").read_text())["cells"]

    # 3. Everything done: a rerun submits nothing and status says so.
    out = _finish(_start(path))
    assert "slurm: 0 job(s) submitted, 0 already queued or running, 3 run(s) done" in out
    status = subprocess.run([sys.executable, "-m", "stilts_utils", "status", str(path)], cwd=ROOT, env=_env(),
                            capture_output=True, text=True, check=True).stdout
    assert "3 done" in status
