"""Where a study's notebook runs execute. An executor is one module with the functions of
`base.Executor` (run the phase-2 and phase-3 runs a study run hands it, dry run, status) plus one line
here; `run --executor` offers these names. The study file's `executor:` key is checked at load against
study/executor.py's EXECUTORS, beside the executor's own settings block (`slurm:`)."""
from . import local, slurm

EXECUTORS = {
    "local": local,  # warm-kernel workers on this machine (--parallel)
    "slurm": slurm,  # one Slurm job per encoder and per pair, through submitit
}
