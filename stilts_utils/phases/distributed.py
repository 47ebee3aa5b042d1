"""Phase 2 in several processes (DDP), one per GPU: `phase2_processes: N` in the study file.

The runner's notebook for an encoder stays one process; it launches N workers with torchrun
(torch.distributed.run, the launcher the HF Trainer detects through WORLD_SIZE/RANK/LOCAL_RANK) and waits.
Each worker builds the same model and data, and the Trainer averages gradients over them. The effective
batch stays the study's (each process takes 1/N of it, phases/training.split_batch), so the steps, the schedule and the
examples seen are those of one process; only rank 0 saves, scores English dev and writes the summary.
On the CPU (tests) the workers talk over gloo; on GPUs over NCCL, each on its LOCAL_RANK device."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def world_size(environ=None) -> int:
    return int((os.environ if environ is None else environ).get("WORLD_SIZE", "1"))


def rank(environ=None) -> int:
    return int((os.environ if environ is None else environ).get("RANK", "0"))


def launch(processes: int, study_file: str, job: dict, out: Path) -> None:
    """Run phase 2 of `job` (an Encoder's fields) in `processes` torchrun workers that write into `out`."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
           "-m", "stilts_utils.phases.ddp_worker", json.dumps({"study": str(study_file), "job": job, "out": str(out)})]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}  # torchrun warns otherwise
    done = subprocess.run(cmd, env=env)
    if done.returncode:
        raise RuntimeError(f"phase 2 in {processes} processes failed (exit {done.returncode}); the workers' "
                           "output is above")
