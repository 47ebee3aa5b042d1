"""The seam between a study run (cli/runner.py) and where its notebooks execute.

The study run does everything once: validation, phase 1, damaged-state checks, skipping finished runs,
collecting, analysis, the summary. What it hands an executor is the runs still to do; an executor is a
module with the three functions of `Executor` below and one line in `executors.EXECUTORS`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..study.config import Study
from ..study.identity import Encoder, Pair, StudyPaths


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (job id, notebook path, error line)
    blocked: list = field(default_factory=list)  # pairs whose encoder failed
    seconds: dict = field(default_factory=dict)  # job id -> wall seconds of its notebook, timed on this machine
    phase1_seconds: float = 0.0
    notes: list = field(default_factory=list)  # lines the executor adds under the summary


@dataclass
class Todo:
    """The runs of one study run that are not done yet, and what executing them needs."""

    study_file: str  # the notebooks load it (the effective file of a run with --set)
    study: Study
    paths: StudyPaths
    encoders: list[Encoder]  # phase-2 runs
    pairs: list[Pair]  # phase-3 runs; one whose encoder is among `encoders` (or not done) waits for it
    parallel: int  # notebooks at once on this machine (--parallel, else the study's); a scheduler ignores it


class Executor(Protocol):
    """What an executor module provides (executors/local.py and executors/slurm.py are the two)."""

    def run(self, todo: Todo, outcome: Outcome) -> None:
        """Execute the phase-2 runs, then each phase-3 run after its encoder, through notebooks.py (template,
        parameters, checkpoint spacing); record each run in `outcome`: done (seconds if timed here), failed
        (job id, notebook, error line), or blocked (a pair whose encoder failed). Ctrl-C may end it."""

    def dry_run(self, study_file: str, study: Study) -> str | None:
        """What a run would execute here, nothing run or written; None: the study run's grid says it all."""

    def status(self, study: Study, paths: StudyPaths) -> dict:
        """{run id: (word, detail)} of the runs this executor keeps a record of beyond its own run (Slurm:
        queued, running, failed, cancelled, with job and log); the others are done or todo."""
