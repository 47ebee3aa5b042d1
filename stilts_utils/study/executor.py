"""Where a study's notebook runs execute: `executor: local` (a pool of warm kernels on this machine) or
`executor: slurm` (one Slurm job per phase-2 encoder and per phase-3 pair, submitted with submitit),
and the Slurm resources of each phase. None of it enters a run's identity: where a run executes does
not change its rows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import StudyError

EXECUTORS = ("local", "slurm")  # the keys of stilts_utils/executors EXECUTORS (a test checks they agree)
# [D-]HH:MM:SS, HH:MM or plain minutes, as sbatch --time takes them
TIME = re.compile(r"(?:(\d+)-)?(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?")
MEM = re.compile(r"\d+[KMGT]?")
# sbatch options set from named fields or by the executor itself: not allowed under `extra`
RESERVED = {"dependency", "time", "mem", "partition", "account", "qos", "cpus_per_task", "gpus_per_node",
            "job_name", "output", "error", "array"}


def minutes(text: str) -> int:
    """sbatch's --time formats -> whole minutes (submitit takes minutes): '90' is 90, '2:00:00' is 120,
    '1-00:00:00' is 1440. Raises ValueError for anything else."""
    m = TIME.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    days, a, b, c = (int(g) if g else None for g in m.groups())
    if b is None:  # "MM"
        hours, mins = 0, a
    elif c is None:  # "HH:MM" ... sbatch reads MM:SS here, but nobody means seconds for a training job
        hours, mins = a, b
    else:  # "HH:MM:SS", seconds rounded up
        hours, mins = a, b + (1 if c else 0)
    return (days or 0) * 1440 + hours * 60 + mins


@dataclass(frozen=True)
class Resources:
    """What one job of a phase asks Slurm for."""

    gpus: int = 0  # GPUs per job (--gpus-per-node); each job then sees only its own (CUDA_VISIBLE_DEVICES)
    cpus: int = 0  # --cpus-per-task; 0 = the study's `threads`
    mem: str = ""  # --mem, e.g. 64G; "" = the cluster's default (DefMemPerCPU)
    time: str = "4:00:00"  # --time: [D-]HH:MM:SS, HH:MM or minutes
    partition: str = ""
    account: str = ""
    qos: str = ""
    extra: dict = field(default_factory=dict)  # further sbatch options, e.g. {constraint: h100, exclude: n01}

    def __post_init__(self):
        for name in ("gpus", "cpus"):
            if getattr(self, name) < 0:
                raise StudyError(f"{name}: {getattr(self, name)!r} is not allowed; allowed: integers >= 0", key=name)
        if self.mem and not MEM.fullmatch(self.mem):
            raise StudyError(f"mem: {self.mem!r} is not a memory size; allowed: a number with an optional "
                             "K/M/G/T suffix, e.g. 64G", key="mem")
        try:
            if minutes(self.time) < 1:
                raise ValueError(self.time)
        except ValueError:
            raise StudyError(f"time: {self.time!r} is not a time limit; allowed: [D-]HH:MM:SS, HH:MM or minutes, "
                             "at least one minute", key="time") from None
        for key, value in self.extra.items():
            if not isinstance(key, str) or key in RESERVED or key.replace("-", "_") in RESERVED:
                raise StudyError(f"extra: option {key!r} is not allowed here; allowed: sbatch options other than "
                                 f"{', '.join(sorted(RESERVED))} (those have their own keys or are set by the "
                                 "executor)", key="extra")
            if isinstance(value, (dict, list)) or value is None:
                raise StudyError(f"extra.{key}: {value!r} is not an sbatch value; allowed: a string, number or "
                                 "boolean", key=f"extra.{key}")

    def sbatch(self, threads: int) -> dict:
        """submitit SlurmExecutor parameters of one job."""
        params = {"time": minutes(self.time), "cpus_per_task": self.cpus or threads}
        if self.gpus:
            params["gpus_per_node"] = self.gpus
        for name in ("mem", "partition", "account", "qos"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        return params


@dataclass(frozen=True)
class SlurmSettings:
    phase2: Resources = field(default_factory=Resources)
    phase3: Resources = field(default_factory=lambda: Resources(time="2:00:00"))
    poll_seconds: float = 5.0  # how often the waiting runner asks sacct about its jobs
    # steps between resumable training checkpoints of a run inside a Slurm job (pre-emption, --requeue);
    # 0 = none. Locally the study's top-level `checkpoint_every` decides (default: none).
    checkpoint_every: int = 200
    max_requeues: int = 3  # submitit requeues a job that hits its time limit this many times

    def __post_init__(self):  # phase2/phase3 arrive as Resources (config.slurm_settings checks their keys)
        if self.poll_seconds <= 0:
            raise StudyError(f"poll_seconds: {self.poll_seconds!r} is not allowed; allowed: numbers > 0",
                             key="poll_seconds")
        for name in ("checkpoint_every", "max_requeues"):
            if getattr(self, name) < 0:
                raise StudyError(f"{name}: {getattr(self, name)!r} is not allowed; allowed: integers >= 0", key=name)


def check_executor(name: str, where: str = "executor") -> str:
    if name not in EXECUTORS:
        raise StudyError(f"{where}: unknown value {name!r}; allowed: {', '.join(EXECUTORS)}", key="executor")
    return name
