"""Batch runner: expands a study into notebook runs and executes them headless with papermill.

Finished work is never redone: an encoder is done when its COMPLETE marker exists, a pair when its rows
file exists (written atomically as the pair's last step). So a crash or Ctrl-C loses only the run in
flight, and running the same command again finishes the rest.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from . import grid
from .config import Study, load_study
from .paths import Pair, StudyPaths

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (job id, notebook path, error line)
    blocked: list = field(default_factory=list)  # pairs whose encoder failed


def is_done(study: Study, job) -> bool:
    from .pipeline import COMPLETE, encoder_dir

    if isinstance(job, Pair):
        return StudyPaths(study).rows(job).exists()
    return (encoder_dir(study, job) / COMPLETE).exists()


def parameters(study_file: str, job, threads: int) -> dict:
    params = {"study_file": str(Path(study_file).resolve()), "model": job.model, "variant": job.variant,
              "intermediate": job.intermediate, "intermediate_data": job.data, "seed": job.seed,
              "threads": threads}
    if isinstance(job, Pair):
        params.update(checkpoint=job.checkpoint, target=job.target)
    return params


class RunFailed(RuntimeError):
    """A notebook run that did not finish; the message is the last line papermill reported."""


def execute(study: Study, study_file: str, job, threads: int) -> None:
    """papermill in a child process of our process group: Ctrl-C reaches it, and it shuts its kernel
    down. Its log (kernel warnings, the traceback of a failure) goes beside the executed notebook."""
    template = NOTEBOOKS / ("pair.ipynb" if isinstance(job, Pair) else "intermediate.ipynb")
    papermill(template, StudyPaths(study, ROOT).notebook(job), parameters(study_file, job, threads))


def papermill(template: Path, out: Path, params: dict) -> None:
    import yaml

    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(template), str(out), "-k", "python3", "--cwd", str(ROOT),
           "--no-progress-bar", "--no-log-output", "-y", yaml.safe_dump(params)]
    log = out.with_suffix(".log")
    with open(log, "w") as fh:
        code = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT).returncode
    if code != 0:
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        raise RunFailed(lines[-1] if lines else f"papermill exited with {code}")


def _run_jobs(study, study_file, jobs, parallel, outcome, desc) -> None:
    threads = max(1, (os.cpu_count() or 1) // parallel)
    bar = tqdm(total=len(jobs), desc=desc, unit="run", file=sys.stdout, dynamic_ncols=True)

    def one(job):
        t0 = time.time()
        try:
            execute(study, study_file, job, threads)
            return job, None, time.time() - t0
        except Exception as err:  # a failing run must not stop the others
            return job, _last_line(err), time.time() - t0

    def record(job, err, secs):
        if err is None:
            outcome.done.append(job.id)
        else:
            outcome.failed.append((job.id, str(StudyPaths(study).notebook(job)), err))
        bar.set_postfix_str(f"{job.id[:48]} {secs:.0f}s{' FAILED' if err else ''}")
        bar.update()

    pool = ThreadPoolExecutor(parallel)
    try:
        for fut in as_completed([pool.submit(one, j) for j in jobs]):
            record(*fut.result())
    except KeyboardInterrupt:
        # papermill children got the same Ctrl-C and stop their kernels; nothing queued starts
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        bar.close()


def _last_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return (text[-1] if text else type(err).__name__)[:300]


def run(study_file: str, parallel: int | None = None, analysis: bool = True) -> Outcome:
    study = load_study(study_file)  # validation first: a bad study fails before the heavy imports
    if study.world != "sandbox":
        from .preflight import check

        check(study)  # models and data readable? answers in seconds, before torch is imported
    from .pipeline import prepare

    parallel = parallel or study.parallel
    paths = StudyPaths(study, ROOT)
    outcome = Outcome()
    prepare(study)  # phase 1 and preflight: fails fast, before any notebook starts
    write_language_table(study, paths)
    encoders = grid.encoders(study)
    todo = [e for e in encoders if not is_done(study, e)]
    outcome.skipped += [e.id for e in encoders if e not in todo]
    _run_jobs(study, study_file, todo, parallel, outcome, "phase 2 (intermediate)")
    failed = {f[0] for f in outcome.failed}
    pairs = grid.pairs(study)
    ready = [p for p in pairs if p.encoder is None or p.encoder.id not in failed]
    outcome.blocked = [p.id for p in pairs if p not in ready]
    todo = [p for p in ready if not is_done(study, p)]
    outcome.skipped += [p.id for p in ready if p not in todo]
    _run_jobs(study, study_file, todo, parallel, outcome, "phase 3 (pairs)")
    df = collect(study)
    if analysis and not df.empty:
        outcome.failed += run_analysis(study, study_file, paths)
    print(summary(study, outcome, df))
    return outcome


def write_language_table(study: Study, paths: StudyPaths) -> None:
    """The study's language metadata beside its results, so analysis reads only the study folder."""
    from .results import atomic_write_text

    if study.world == "sandbox":
        import pandas as pd

        from .config import world_settings
        from .sandbox import language_table

        table = pd.concat([language_table(world_settings(study, v)).assign(variant=v)
                           for v in study.variant_names])
    else:
        from .langmeta import language_table

        table = language_table().assign(variant="")
    atomic_write_text(paths.dir / "languages.csv", table.to_csv(index=False))


def collect(study: Study):
    from .results import collect as collect_rows

    paths = StudyPaths(study, ROOT)
    files = [paths.rows(p) for p in grid.pairs(study) if paths.rows(p).exists()]
    paths.dir.mkdir(parents=True, exist_ok=True)
    return collect_rows(files, paths.results("parquet"), paths.results("csv"))


def run_analysis(study: Study, study_file: str, paths: StudyPaths) -> list:
    """Re-run the analysis notebooks only when the results table changed since they last ran.

    Returns the failures as (name, notebook, error line); a failed analysis is retried next time."""
    digest = hashlib.sha256(paths.results("csv").read_bytes()).hexdigest()[:16]
    stamp = paths.dir / "analysis.stamp"
    if stamp.exists() and stamp.read_text() == digest:
        return []
    failed = []
    for name in study.analysis:
        out = paths.dir / "notebooks" / "analysis" / Path(name).name
        print(f"analysis: {name} -> {out}")
        try:
            papermill(ROOT / name, out, {"study_dir": str(paths.dir)})
        except RunFailed as err:
            failed.append((f"analysis {Path(name).stem}", str(out), str(err)))
    if not failed:
        stamp.write_text(digest)
    return failed


def summary(study: Study, outcome: Outcome, df) -> str:
    paths = StudyPaths(study, ROOT)
    lines = [f"\nstudy {study.name}: {len(outcome.done)} run now, {len(outcome.skipped)} already done, "
             f"{len(outcome.failed)} failed, {len(outcome.blocked)} blocked by a failed encoder",
             f"results: {paths.results('parquet')} ({len(df)} rows)"]
    if study.analysis:
        lines.append(f"figures: {paths.figures}")
    for job_id, nb, err in outcome.failed:
        lines.append(f"FAILED {job_id}: {err}\n    notebook: {nb}")
    return "\n".join(lines)


def dry_run(study_file: str) -> str:
    """The grid, with what is already done and the training steps of each run."""
    from .plan import steps_estimate

    study = load_study(study_file)
    lines = [f"study {study.name} ({study.world}): {len(study.models)} model(s) x "
             f"{len(study.intermediate)} intermediate x {len(study.targets)} targets x {len(study.seeds)} seed(s)"]
    encoders, pairs = grid.encoders(study), grid.pairs(study)
    lines.append(f"\nphase 2: {len(encoders)} encoder run(s)")
    for job in encoders:
        lines.append(f"  [{'done' if is_done(study, job) else 'todo'}] {job.id:60s} "
                     f"steps {steps_estimate(study, job)}")
    lines.append(f"\nphase 3: {len(pairs)} pair run(s)")
    for pair in pairs:
        lines.append(f"  [{'done' if is_done(study, pair) else 'todo'}] {pair.id:60s} "
                     f"steps {steps_estimate(study, pair)}")
    done = sum(is_done(study, j) for j in encoders + pairs)
    lines.append(f"\n{done} of {len(encoders) + len(pairs)} runs done")
    return "\n".join(lines)


def export(study_file: str) -> None:
    """Every figure and table of a study, from its results table (forces the analysis notebooks)."""
    study = load_study(study_file)
    paths = StudyPaths(study, ROOT)
    if not paths.results("csv").exists():
        collect(study)
    (paths.dir / "analysis.stamp").unlink(missing_ok=True)
    for name, notebook, err in run_analysis(study, study_file, paths):
        print(f"FAILED {name}: {err}\n    notebook: {notebook}")
    print(f"figures: {paths.figures}\ntables: {paths.tables}")
