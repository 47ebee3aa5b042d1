"""The one place that says which notebook a run executes and with which parameters, and the cold papermill
run (a kernel of its own per notebook: what a Slurm job and an analysis notebook use)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from ..study.config import REPO_ROOT
from ..study.identity import Pair
from .kernels import START_TRIES, die_with_parent, port_clash

NOTEBOOKS = REPO_ROOT / "notebooks"


class RunFailed(RuntimeError):
    """A notebook run that did not finish; the message is the last line papermill reported."""


def template(job) -> Path:
    return NOTEBOOKS / ("pair.ipynb" if isinstance(job, Pair) else "intermediate.ipynb")


def parameters(study_file: str, job, threads: int, checkpoint_every: int) -> dict:
    """The notebook's parameters cell: the run's identity, plus how it executes (torch threads, steps between
    resumable checkpoints), which the executor decides and which never change its rows."""
    params = {"study_file": str(Path(study_file).resolve()), "model": job.model, "variant": job.variant,
              "intermediate": job.intermediate, "intermediate_data": job.intermediate_data, "seed": job.seed,
              "budget": job.budget, "threads": threads, "checkpoint_every": checkpoint_every}
    if isinstance(job, Pair):
        params.update(checkpoint=job.checkpoint, target=job.target)
    if job.mlm_weight:  # only then: the notebooks of every other run keep their parameters
        params["mlm_weight"] = job.mlm_weight
    return params


def papermill(template: Path, out: Path, params: dict) -> None:
    """One notebook run by the papermill command on a cold kernel of its own; a run whose kernel lost its
    ports at start is run again (kernels.START_TRIES)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(template), str(out), "-k", "python3", "--cwd", str(REPO_ROOT),
           "--no-progress-bar", "--no-log-output", "-y", yaml.safe_dump(params)]
    log = out.with_suffix(".log")
    for _ in range(START_TRIES):
        with open(log, "w") as fh:
            code = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, preexec_fn=die_with_parent()).returncode
        if code == 0 or not port_clash(log.read_text()):
            break
    if code != 0:
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        raise RunFailed(lines[-1] if lines else f"papermill exited with {code}")


def last_line(err: Exception) -> str:
    """The line of an error the summary shows (a notebook's traceback ends with the exception)."""
    text = str(err).strip().splitlines()
    return (text[-1] if text else type(err).__name__)[:300]
