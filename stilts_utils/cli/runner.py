"""Batch runner: expands a study into notebook runs and executes them headless with papermill.

Finished work is never redone: an encoder is done when its COMPLETE marker exists, a pair when its rows
file exists (written atomically as the pair's last step). So a crash or Ctrl-C loses only the run in
flight, and running the same command again finishes the rest.
"""
from __future__ import annotations

import hashlib
import queue
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..study import identity
from ..study.config import REPO_ROOT, Study, load_study
from ..study.identity import Pair, StudyPaths

ROOT = REPO_ROOT
NOTEBOOKS = ROOT / "notebooks"


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (job id, notebook path, error line)
    blocked: list = field(default_factory=list)  # pairs whose encoder failed
    seconds: dict = field(default_factory=dict)  # job id -> wall seconds of its notebook, start-up included
    phase1_seconds: float = 0.0


def parameters(study_file: str, job, threads: int) -> dict:
    params = {"study_file": str(Path(study_file).resolve()), "model": job.model, "variant": job.variant,
              "intermediate": job.intermediate, "intermediate_data": job.intermediate_data, "seed": job.seed,
              "threads": threads}
    if isinstance(job, Pair):
        params.update(checkpoint=job.checkpoint, target=job.target)
    if job.mlm_weight:  # only then: the notebooks of every other run keep their parameters
        params["mlm_weight"] = job.mlm_weight
    return params


class RunFailed(RuntimeError):
    """A notebook run that did not finish; the message is the last line papermill reported."""


_worker = threading.local()  # the calling worker's warm kernel (cli/kernels.py), started on first use


def execute(paths: StudyPaths, study_file: str, job, threads: int) -> None:
    """One notebook run on this worker's warm kernel; the traceback of a failure goes to a log beside
    the executed notebook, the exception's last line to the summary."""
    from . import kernels

    template = NOTEBOOKS / ("pair.ipynb" if isinstance(job, Pair) else "intermediate.ipynb")
    out = paths.notebook(job)
    if getattr(_worker, "kernel", None) is None:
        from .gpus import kernel_env, visible_devices

        _worker.kernel = kernels.WarmKernel(ROOT, paths.dir / "notebooks" / f"kernel-{_worker.index}.log",
                                            env=kernel_env(_worker.index, visible_devices()))  # one GPU each
        _worker.started.append(_worker.kernel)
    try:
        kernels.execute(_worker.kernel, template, out, parameters(study_file, job, threads))
    except Exception as err:
        out.with_suffix(".log").write_text(str(err))
        raise RunFailed(_last_line(err)) from None
    finally:
        if not _worker.kernel.alive():  # a crashed kernel (e.g. out of memory) is replaced for the next run
            _worker.kernel = None


def papermill(template: Path, out: Path, params: dict) -> None:
    """One notebook run by the papermill command on a cold kernel of its own (the Slurm jobs' path); a run
    whose kernel lost its ports at start is run again (kernels.START_TRIES)."""
    import yaml

    from .kernels import START_TRIES, die_with_parent, port_clash

    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(template), str(out), "-k", "python3", "--cwd", str(ROOT),
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


def _run_jobs(paths, study_file, jobs, parallel, outcome, desc) -> None:
    """`parallel` workers, each with one warm kernel, take jobs from a queue until it is empty."""
    if not jobs:
        return
    todo, done = queue.Queue(), queue.Queue()
    for job in jobs:
        todo.put(job)
    stop, kernels = threading.Event(), []
    workers = [threading.Thread(target=_work, args=(k, paths, study_file, todo, done, stop, kernels), daemon=True)
               for k in range(min(parallel, len(jobs)))]
    bar = tqdm(total=len(jobs), desc=desc, unit="run", file=sys.stdout, dynamic_ncols=True)
    for worker in workers:
        worker.start()
    try:
        while bar.n < len(jobs):
            try:
                job, err, secs = done.get(timeout=0.5)
            except queue.Empty:
                if not any(w.is_alive() for w in workers):
                    break
                continue
            _record(paths, outcome, bar, job, err, secs)
    except KeyboardInterrupt:
        stop.set()  # nothing queued starts; the runs in flight get Ctrl-C in their kernels
        for kernel in list(kernels):
            kernel.interrupt()
        _stop_workers(workers, kernels)
        raise
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        bar.close()


def _stop_workers(workers, kernels, grace: float = 5.0) -> None:
    """Interrupted runs get `grace` seconds to stop (their notebooks record the interrupt); kernels still
    busy then (a cell deep in C code) are killed, so stopping the runner stops its children promptly."""
    deadline = time.time() + grace
    for worker in workers:
        worker.join(max(0.0, deadline - time.time()))
    if any(w.is_alive() for w in workers):
        for kernel in list(kernels):
            kernel.kill()


def _work(index, paths, study_file, todo, done, stop, kernels) -> None:
    _worker.index, _worker.kernel, _worker.started = index, None, kernels
    try:
        while not stop.is_set():
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            t0 = time.time()
            try:
                execute(paths, study_file, job, paths.study.threads)
                done.put((job, None, time.time() - t0))
            except Exception as err:  # a failing run must not stop the others
                done.put((job, _last_line(err), time.time() - t0))
    finally:
        if _worker.kernel is not None:
            _worker.kernel.shutdown()


def _record(paths, outcome, bar, job, err, secs) -> None:
    if err is None:
        outcome.done.append(job.id)
        outcome.seconds[job.id] = secs
    else:
        outcome.failed.append((job.id, str(paths.notebook(job)), err))
    bar.set_postfix_str(f"{job.id[:48]} {secs:.0f}s{' FAILED' if err else ''}")
    bar.update()


def _last_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return (text[-1] if text else type(err).__name__)[:300]


def run(study_file: str, parallel: int | None = None, analysis: bool = True, body=None) -> Outcome:
    """The study's runs, finished work kept. `body(study_file, study, paths, analysis, start)` replaces the
    local phases 2-3 under the same checks and lock (the Slurm executor, cli/slurm.py, passes its own)."""
    start = time.time()
    study = load_study(study_file)  # validation first: a bad study fails before the heavy imports
    from ..data.preflight import check

    check(study)  # models and data readable? answers in seconds, before torch is imported
    if parallel is not None and (isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1):
        from ..study.errors import StudyError

        raise StudyError(f"parallel: {parallel!r} is not a number of notebooks; allowed: integers >= 1")
    parallel = parallel or study.parallel
    paths = StudyPaths(study)
    from .lock import study_lock

    with study_lock(paths.dir, f"run {study_file}"), _terminate_as_interrupt():
        if body is not None:
            return body(study_file, study, paths, analysis, start)
        return _run_locked(study_file, study, paths, parallel, analysis, start)


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM (kill, a batch scheduler) and SIGHUP end the runner as Ctrl-C does: runs in flight are
    interrupted and their kernels stopped, finished runs are kept. Only the main thread sets handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")

    before = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _run_locked(study_file: str, study: Study, paths: StudyPaths, parallel: int, analysis: bool,
                start: float) -> Outcome:
    outcome = Outcome()
    t0 = time.time()
    prepare(study, paths)  # phase 1: fails fast, before any notebook starts
    outcome.phase1_seconds = time.time() - t0
    write_language_table(study, paths)
    encoders = identity.encoders(study)
    set_aside_damaged_encoders(paths, encoders)
    todo = [e for e in encoders if not paths.is_done(e)]
    outcome.skipped += [e.id for e in encoders if e not in todo]
    _run_jobs(paths, study_file, todo, parallel, outcome, "phase 2 (intermediate)")
    failed = {f[0] for f in outcome.failed}
    pairs = identity.pairs(study)
    ready = [p for p in pairs if p.encoder is None or p.encoder.id not in failed]
    outcome.blocked = [p.id for p in pairs if p not in ready]
    set_aside_damaged_rows(paths, ready)
    todo = [p for p in ready if not paths.is_done(p)]
    outcome.skipped += [p.id for p in ready if p not in todo]
    _run_jobs(paths, study_file, todo, parallel, outcome, "phase 3 (pairs)")
    _write_timings(paths, outcome)
    df = collect(study, paths)
    if analysis and not df.empty:
        outcome.failed += run_analysis(study, paths)
    print(summary(study, paths, outcome, df))
    _write_run_info(paths, outcome, time.time() - start)
    return outcome


def _write_run_info(paths: StudyPaths, outcome: Outcome, seconds: float) -> None:
    """Facts of the last run that did work (a rerun with nothing to do keeps them), stated in the README."""
    import json

    from ..atomic import atomic_write_text
    from .provenance import run_facts

    if not outcome.done:
        return
    info = run_facts(seconds, outcome.phase1_seconds, len(outcome.done), len(outcome.skipped), len(outcome.failed))
    atomic_write_text(paths.dir / "run_info.json", json.dumps(info))


def prepare(study: Study, paths: StudyPaths) -> None:
    """Phase 1, once per (model, variant) before any notebook: the sandbox builds its world and pretrains
    its models (cached: a rerun imports nothing heavy); a real study has nothing to build. Where the world
    reports on its encoders (the sandbox's phase-1 health report) the report goes beside the results."""
    from ..atomic import atomic_write_text

    from ..phases import phase1  # lazy: torch and transformers; validation and --dry-run import this module
    from ..progress import quiet_libraries

    reports = []
    with quiet_libraries(paths.dir / "phase1.log"):  # HF/datasets chatter to the log, not the terminal
        for variant in study.variant_names:
            for model in study.models:
                label = f"{model}{' (' + variant + ')' if variant else ''}"
                print(f"phase 1: {label}: {phase1.pretrained(study, model, variant)}", flush=True)
                report = phase1.report(study, model, variant)
                if report is not None:
                    reports.append(report.assign(model=model, variant=variant))
    if reports:
        import pandas as pd

        atomic_write_text(paths.dir / "phase1_report.csv", pd.concat(reports).to_csv(index=False))


PHASE1_JOB = "phase-1"  # timings.csv row of prepare() (world, pretraining, phase-1 report); no notebook


def _write_timings(paths: StudyPaths, outcome: Outcome) -> None:
    """Wall seconds of each notebook run now (start-up included), for benchmarks/startup_share.py."""
    if outcome.seconds:
        lines = ["job,seconds", f"{PHASE1_JOB},{outcome.phase1_seconds:.3f}"]
        lines += [f"{job},{secs:.3f}" for job, secs in outcome.seconds.items()]
        from ..atomic import atomic_write_text

        atomic_write_text(paths.dir / "timings.csv", "\n".join(lines) + "\n")


def write_language_table(study: Study, paths: StudyPaths) -> None:
    """The study's language metadata and its models' pretraining corpora (models.csv: model, family,
    volume_corpus) beside its results, so analysis reads only the study folder."""
    from ..atomic import atomic_write_text

    atomic_write_text(paths.languages, study.world_impl.language_table().to_csv(index=False))
    atomic_write_text(paths.models, study.world_impl.model_table().to_csv(index=False))


def set_aside_damaged_encoders(paths: StudyPaths, encoders) -> None:
    """A finished encoder whose files changed since (atomic.MANIFEST: a truncated weight file, a deleted
    checkpoint folder) is moved aside here, where the warning is seen, and trained again."""
    from ..atomic import MARKER, damage, set_aside

    for job in encoders:
        out = paths.encoder_dir(job)
        if (out / MARKER).exists() and (why := damage(out)) is not None:
            set_aside(out, why)


def set_aside_damaged_rows(paths: StudyPaths, pairs) -> None:
    """A rows file that no longer reads (truncated, edited) is moved aside, so its pair runs again and it
    is never counted."""
    from ..atomic import set_aside
    from ..phases.results import rows_damage

    for pair in pairs:
        if paths.rows(pair).exists() and (why := rows_damage(paths.rows(pair))) is not None:
            set_aside(paths.rows(pair), why)


def collect(study: Study, paths: StudyPaths | None = None):
    from ..phases.results import collect as collect_rows

    paths = paths or StudyPaths(study)
    set_aside_damaged_rows(paths, identity.pairs(study))
    files = [paths.rows(p) for p in identity.pairs(study) if paths.rows(p).exists()]
    paths.dir.mkdir(parents=True, exist_ok=True)
    return collect_rows(files, paths.results("parquet"), paths.results("csv"))


def run_analysis(study: Study, paths: StudyPaths) -> list:
    """Re-run the analysis notebooks only when the results table changed since they last ran.

    Returns the failures as (name, notebook, error line); a failed analysis is retried next time."""
    digest = hashlib.sha256(paths.results("csv").read_bytes()).hexdigest()[:16]
    stamp = paths.analysis_stamp
    if stamp.exists() and stamp.read_text() == digest:
        return []
    failed = []
    for name in study.analysis:
        out = paths.analysis_notebook(name)
        print(f"analysis: {name} -> {out}")
        try:
            papermill(ROOT / name, out, {"study_dir": str(paths.dir)})
        except RunFailed as err:
            failed.append((f"analysis {Path(name).stem}", str(out), str(err)))
    if not failed:
        stamp.write_text(digest)
    return failed


def summary(study: Study, paths: StudyPaths, outcome: Outcome, df) -> str:
    lines = [f"\nstudy {study.name}: {len(outcome.done)} run now, {len(outcome.skipped)} already done, "
             f"{len(outcome.failed)} failed, {len(outcome.blocked)} blocked by a failed encoder",
             f"results: {paths.results('parquet')} ({len(df)} rows)"]
    if study.analysis:
        lines.append(f"figures: {paths.figures}\ntables: {paths.tables}")
    lines.append(f"notebooks: {paths.dir / 'notebooks'}")
    lines += _headline(paths, df)
    for job_id, nb, err in outcome.failed:
        lines.append(f"FAILED {job_id}: {err}\n    notebook: {nb}")
    return "\n".join(lines)


def _headline(paths: StudyPaths, df) -> list[str]:
    """The headline table (analysis/summary.py) under the run's summary, and the command that repeats it."""
    if df.empty:
        return []
    from ..analysis import summary as headline

    try:
        table = headline.markdown(headline.summary_table(paths.dir))
    except Exception as err:  # noqa: BLE001 — partial or odd results (no baseline yet, a failed pair): the
        # runs are done and saved, so the headline is left to `summary` rather than failing the run here
        return [f"headline: not yet ({' '.join(str(err).split())[:120]})"]
    named = (ROOT / "params" / f"{paths.study.name}.yaml").is_file()
    return ["", table, "", f"again: python -m stilts_utils summary {paths.study.name if named else 'STUDY.yaml'}"]


def dry_run(study_file: str) -> str:
    """The grid, with what is already done and the training steps of each run."""
    study = load_study(study_file)  # first: a bad study fails before plan.py imports torch
    from .plan import steps_estimate

    paths = StudyPaths(study)
    lines = [f"study {study.name} ({study.world}): {len(study.models)} model(s) x "
             f"{len(study.intermediate)} intermediate x {len(study.targets)} targets x {len(study.seeds)} seed(s)"]
    encoders, pairs = identity.encoders(study), identity.pairs(study)
    lines.append(f"\nphase 2: {len(encoders)} encoder run(s)")
    for job in encoders:
        lines.append(f"  [{'done' if paths.is_done(job) else 'todo'}] {job.id:60s} "
                     f"steps {steps_estimate(study, job)}")
    lines.append(f"\nphase 3: {len(pairs)} pair run(s)")
    for pair in pairs:
        lines.append(f"  [{'done' if paths.is_done(pair) else 'todo'}] {pair.id:60s} "
                     f"steps {steps_estimate(study, pair)}")
    done = sum(paths.is_done(j) for j in encoders + pairs)
    lines.append(f"\n{done} of {len(encoders) + len(pairs)} runs done")
    return "\n".join(lines)


def export(study_file: str) -> None:
    """Every figure and table of a study, from its results table (forces the analysis notebooks)."""
    study = load_study(study_file)
    paths = StudyPaths(study)
    if not paths.results("csv").exists() and not any(paths.rows(p).exists() for p in identity.pairs(study)):
        from ..study.errors import StudyError

        raise StudyError(f"study {study.name!r} has no results to export ({paths.dir} holds no finished run); "
                         f"run `python -m stilts_utils run {study_file}` first")
    from .lock import study_lock

    with study_lock(paths.dir, f"export {study_file}"):  # not while a runner writes the same tables
        if not paths.results("csv").exists():
            collect(study, paths)
        paths.analysis_stamp.unlink(missing_ok=True)
        failed = run_analysis(study, paths)
    for name, notebook, err in failed:
        print(f"FAILED {name}: {err}\n    notebook: {notebook}")
    print(f"figures: {paths.figures}\ntables: {paths.tables}")
