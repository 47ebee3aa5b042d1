"""The Slurm executor: one job per phase-2 encoder and per phase-3 pair, submitted through submitit.

Each job executes its notebook with the papermill command (notebooks.papermill, the same template and
parameters as a local run), so the executed record lands in `outputs/` as a local one does. A pair
depends on its encoder's job (`afterok`); the cluster must set `DependencyParameters=kill_invalid_depend`
so that the pairs of a failed encoder are cancelled instead of pending for ever; they are reported as
blocked. Which run went to which job is kept in a small
ledger in the study's folder (`slurm/ledger.json`, written atomically after every submission): a rerun
submits only what is neither done nor still queued or running, and waits for the rest.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..atomic import atomic_write_text
from ..study import identity
from ..study.config import REPO_ROOT, Study, load_study
from ..study.identity import Pair, StudyPaths
from . import notebooks
from .base import Outcome, Todo

ACTIVE = {"PENDING", "RUNNING", "REQUEUED", "COMPLETING", "CONFIGURING", "SUSPENDED", "RESIZING",
          "PREEMPTED", "REQUEUE_HOLD", "REQUEUE_FED", "STAGE_OUT", "SIGNALING"}
# A job sacct does not know yet counts as queued this long after its submission; after that it is lost
# (another cluster, purged accounting) and a rerun submits the run again.
UNKNOWN_GRACE_S = 120


def is_active(state: str, entry: dict) -> bool:
    if state == "UNKNOWN":
        return time.time() - entry.get("submitted_s", 0) < UNKNOWN_GRACE_S
    return state in ACTIVE


class NotebookJob:
    """What one Slurm job runs: its notebook, unless the run is done already (a requeued job that had
    finished). Checkpointable (submitit requeues it at its time limit): training resumes from the run's
    own checkpoints (phases/training.py), so running the same call again is the checkpoint."""

    def __init__(self, study_file: str, job, params: dict):
        self.study_file, self.job, self.params = study_file, job, params

    def __call__(self) -> str:
        paths = StudyPaths(load_study(self.study_file))
        if paths.is_done(self.job):
            return "done"
        notebooks.papermill(notebooks.template(self.job), paths.notebook(self.job), self.params)
        if not paths.is_done(self.job):
            raise RuntimeError(f"{self.job.id}: the notebook finished but the run left no result")
        return "done"

    def checkpoint(self, *args, **kwargs):
        from submitit.helpers import DelayedSubmission  # lazy: submitit only where Slurm is asked (not --dry-run)

        return DelayedSubmission(self, *args, **kwargs)


# ---- the ledger -------------------------------------------------------------------------------------

def ledger_path(paths: StudyPaths) -> Path:
    return paths.dir / "slurm" / "ledger.json"


def logs_dir(paths: StudyPaths) -> Path:
    return paths.dir / "slurm" / "logs"


def read_ledger(paths: StudyPaths) -> dict:
    """{run id: {slurm_id, kind, log, notebook, after, submitted}}; a missing or unreadable file is empty
    (at worst a run still queued is submitted again, never one counted twice: rows decide what is done)."""
    try:
        data = json.loads(ledger_path(paths).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_ledger(paths: StudyPaths, ledger: dict) -> None:
    atomic_write_text(ledger_path(paths), json.dumps(ledger, indent=1, sort_keys=True))


def states(ids) -> dict:
    """{slurm id: state} in one sacct call (submitit's watcher); CANCELLED by 0 -> CANCELLED."""
    import submitit  # lazy: every command imports the executors (--executor choices); most never ask Slurm

    watcher = submitit.SlurmJob.watcher
    ids = [str(i) for i in ids]
    for job_id in ids:
        watcher.register_job(job_id)
    watcher._finished.clear()  # ask again about jobs seen finished: a requeued job starts again
    watcher.update()
    return {i: (watcher.get_state(i, mode="cache").split() or ["UNKNOWN"])[0] for i in ids}


# ---- submission -------------------------------------------------------------------------------------

def checkpoint_every(study: Study) -> int:
    """Steps between resumable checkpoints of a training inside a job, where pre-emption and time limits
    happen: the study's `checkpoint_every`, else `slurm.checkpoint_every` (0 = none)."""
    return study.checkpoint_every or study.slurm.checkpoint_every


def _resources(study: Study, job):
    return study.slurm.phase3 if isinstance(job, Pair) else study.slurm.phase2


def sbatch_parameters(study: Study, job, after: str | None) -> dict:
    res = _resources(study, job)
    params = res.sbatch(study.threads)
    params.update(job_name=f"stilts-{job.id}"[:120], stderr_to_stdout=True,
                  additional_parameters={**res.extra, "requeue": True},
                  # the job imports this checkout's package, whatever is installed where it runs
                  setup=[f"export PYTHONPATH={REPO_ROOT}${{PYTHONPATH:+:$PYTHONPATH}}"])
    if after:
        params["dependency"] = f"afterok:{after}"
    return params


def _submit(study_file: str, study: Study, paths: StudyPaths, job, after: str | None) -> dict:
    import submitit  # lazy: as in states()

    executor = submitit.SlurmExecutor(folder=logs_dir(paths) / "%j", max_num_timeout=study.slurm.max_requeues)
    executor.update_parameters(**sbatch_parameters(study, job, after))
    params = notebooks.parameters(study_file, job, study.threads, checkpoint_every(study))
    sjob = executor.submit(NotebookJob(study_file, job, params))
    return {"slurm_id": str(sjob.job_id), "kind": "pair" if isinstance(job, Pair) else "encoder",
            "log": str(sjob.paths.stdout), "notebook": str(paths.notebook(job)), "after": after,
            "submitted": time.strftime("%Y-%m-%d %H:%M:%S"), "submitted_s": time.time()}


def plan(paths: StudyPaths, jobs: list, ledger: dict, known: dict):
    """[job, action, slurm id or None, id of the encoder run it must wait for or None] of `jobs` (encoders
    first). action: done | queued (its job is still queued or running) | submit."""
    out = []
    for job in jobs:
        entry = ledger.get(job.id)
        waits = isinstance(job, Pair) and job.encoder is not None and not paths.is_done(job.encoder)
        if paths.is_done(job):
            action, sid = "done", None
        elif entry and is_active(known.get(entry["slurm_id"], "UNKNOWN"), entry):
            action, sid = "queued", entry["slurm_id"]
        else:
            action, sid = "submit", None
        out.append([job, action, sid, job.encoder.id if waits else None])
    return out


def submit_missing(todo: Todo) -> tuple[dict, list]:
    """Submit every run of `todo` not queued yet; returns (ledger, plan rows with the new ids)."""
    paths = todo.paths
    ledger = read_ledger(paths)
    known = states(e["slurm_id"] for e in ledger.values()) if ledger else {}
    rows = plan(paths, todo.encoders + todo.pairs, ledger, known)
    ids = {}
    for row in rows:
        job, action, sid, encoder = row
        if action == "submit":
            ledger[job.id] = _submit(todo.study_file, todo.study, paths, job, ids.get(encoder) if encoder else None)
            write_ledger(paths, ledger)  # after each: a crash mid-way forgets no job it submitted
            row[2] = ledger[job.id]["slurm_id"]
        ids[job.id] = row[2]
    return ledger, rows


# ---- waiting and reporting --------------------------------------------------------------------------

def wait(paths: StudyPaths, ledger: dict, rows: list, poll: float) -> dict:
    """Poll sacct until no job of this run is queued or running; {slurm id: final state}."""
    entries = {r[2]: ledger[r[0].id] for r in rows if r[2]}
    ids, final = list(entries), {}
    while ids:
        now = states(ids)
        final.update({i: s for i, s in now.items() if not is_active(s, entries[i])})
        ids = [i for i in ids if i not in final]
        if ids:
            time.sleep(poll)
    return final


def _why(paths: StudyPaths, job, entry: dict, state: str) -> str:
    """The line a failed job gets in the summary: Slurm's state, the notebook's last error line if any."""
    log = Path(entry["notebook"]).with_suffix(".log")
    detail = ""
    if state != "CANCELLED" and log.exists():
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        detail = f": {lines[-1][:300]}" if lines else ""
    return f"slurm job {entry['slurm_id']} {state}{detail} (log {entry['log']})"


def record(paths: StudyPaths, ledger: dict, rows: list, final: dict, outcome: Outcome) -> None:
    failed = set()
    for job, action, sid, after in rows:
        if action == "done":
            outcome.skipped.append(job.id)
            continue
        state = final.get(sid, "UNKNOWN")
        if paths.is_done(job):
            outcome.done.append(job.id)
        elif isinstance(job, Pair) and job.encoder is not None and job.encoder.id in failed:
            outcome.blocked.append(job.id)
        else:
            failed.add(job.id)
            outcome.failed.append((job.id, ledger[job.id]["notebook"], _why(paths, job, ledger[job.id], state)))
    outcome.notes += [f"BLOCKED {job_id}: its encoder's job failed, so Slurm cancelled it; a rerun submits both"
                      for job_id in outcome.blocked]


def run(todo: Todo, outcome: Outcome) -> None:
    """Submit what is neither done nor queued, then wait for every job of the study's runs."""
    ledger, rows = submit_missing(todo)
    submitted = sum(r[1] == "submit" for r in rows)
    queued = sum(r[1] == "queued" for r in rows)
    print(f"slurm: {submitted} job(s) submitted, {queued} already queued or running, "
          f"{len(outcome.skipped)} run(s) done; waiting (Ctrl-C stops waiting, not the jobs)", flush=True)
    try:
        final = wait(todo.paths, ledger, rows, todo.study.slurm.poll_seconds)
    except KeyboardInterrupt:
        print(f"\nthe jobs keep running in Slurm: `python -m stilts_utils status {todo.study_file}` shows them; "
              "running the same command again waits for them", file=sys.stderr)
        raise
    record(todo.paths, ledger, rows, final, outcome)


def dry_run(study_file: str, study: Study) -> str:
    """What a run would submit, with each job's sbatch options; nothing is submitted."""
    paths = StudyPaths(study)
    ledger = read_ledger(paths)
    known = {}
    if ledger:
        try:
            known = states(e["slurm_id"] for e in ledger.values())
        except Exception:  # no Slurm here: a dry run still shows the plan
            known = {}
    rows = plan(paths, identity.encoders(study) + identity.pairs(study), ledger, known)
    lines = [f"study {study.name}: executor slurm, {len(rows)} run(s)"]
    for job, action, sid, after in rows:
        params = sbatch_parameters(study, job, None)
        opts = " ".join(f"--{k.replace('_', '-')}={v}" for k, v in params.items()
                        if k in ("time", "cpus_per_task", "gpus_per_node", "mem", "partition", "account", "qos"))
        opts += "".join(f" --{k}" if v is True else f" --{k}={v}" for k, v in params["additional_parameters"].items())
        dep = f" --dependency=afterok:<{job.encoder.id}>" if after is not None else ""
        what = {"done": "[done]  ", "queued": f"[queued {sid}]", "submit": "[submit]"}[action]
        lines.append(f"  {what} {job.id}" + (f"\n      sbatch {opts}{dep}" if action == "submit" else ""))
    n = sum(r[1] == "submit" for r in rows)
    lines.append(f"\n{n} job(s) would be submitted (time in minutes; logs in {logs_dir(paths)})")
    if not study.slurm.checkpoint_every and not study.checkpoint_every:
        lines.append("note: slurm.checkpoint_every is 0: a pre-empted training restarts from zero")
    return "\n".join(lines)


def status(study: Study, paths: StudyPaths) -> dict:
    """{run id: (word, detail)} of every run in the ledger: its job's state and log."""
    ledger = read_ledger(paths)
    known = states(e["slurm_id"] for e in ledger.values()) if ledger else {}
    return {run: (_word(known.get(entry["slurm_id"], "UNKNOWN"), entry),
                  f"  slurm {entry['slurm_id']} {known.get(entry['slurm_id'], 'UNKNOWN')}  log {entry['log']}")
            for run, entry in ledger.items()}


def _word(state: str, entry: dict) -> str:
    if state in ("PENDING", "REQUEUED", "UNKNOWN"):
        return "queued"
    if is_active(state, entry):
        return "running"
    return "cancelled" if state == "CANCELLED" else "failed"
