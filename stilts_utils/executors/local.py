"""The local executor: `parallel` workers on this machine, each with one warm kernel (kernels.py) that
executes the notebooks it takes from a queue; one GPU per kernel where there are GPUs (gpus.py).

Ctrl-C (and SIGTERM, which the study run turns into Ctrl-C) interrupts the runs in flight and stops their
kernels; nothing queued starts.
"""
from __future__ import annotations

import queue
import sys
import threading
import time

from tqdm.auto import tqdm

from ..study.config import REPO_ROOT, Study
from ..study.identity import StudyPaths
from . import kernels, notebooks
from .base import Outcome, Todo
from .gpus import kernel_env, visible_devices

_worker = threading.local()  # the calling worker's warm kernel, started on first use


def run(todo: Todo, outcome: Outcome) -> None:
    """Phase 2, then the pairs whose encoder did not fail in it."""
    _run_jobs(todo, todo.encoders, outcome, "phase 2 (intermediate)")
    failed = {f[0] for f in outcome.failed}
    ready = [p for p in todo.pairs if p.encoder is None or p.encoder.id not in failed]
    outcome.blocked += [p.id for p in todo.pairs if p not in ready]
    _run_jobs(todo, ready, outcome, "phase 3 (pairs)")


def dry_run(study_file: str, study: Study) -> None:
    """Nothing beyond the study run's grid: every run not done executes here."""
    return None


def status(study: Study, paths: StudyPaths) -> dict:
    """No record: a local run's notebooks end with it (finished ones are done, the others todo)."""
    return {}


def execute(paths: StudyPaths, study_file: str, job, threads: int) -> None:
    """One notebook run on this worker's warm kernel; the traceback of a failure goes to a log beside
    the executed notebook, the exception's last line to the summary."""
    out = paths.notebook(job)
    if getattr(_worker, "kernel", None) is None:
        _worker.kernel = kernels.WarmKernel(REPO_ROOT, paths.dir / "notebooks" / f"kernel-{_worker.index}.log",
                                            env=kernel_env(_worker.index, visible_devices()))  # one GPU each
        _worker.started.append(_worker.kernel)
    # checkpoints only where the study asks: nothing pre-empts a run on this machine
    params = notebooks.parameters(study_file, job, threads, paths.study.checkpoint_every)
    try:
        kernels.execute(_worker.kernel, notebooks.template(job), out, params)
    except Exception as err:
        out.with_suffix(".log").write_text(str(err))
        raise notebooks.RunFailed(notebooks.last_line(err)) from None
    finally:
        if not _worker.kernel.alive():  # a crashed kernel (e.g. out of memory) is replaced for the next run
            _worker.kernel = None


def _run_jobs(todo: Todo, jobs: list, outcome: Outcome, desc: str) -> None:
    """`parallel` workers, each with one warm kernel, take jobs from a queue until it is empty."""
    if not jobs:
        return
    waiting, done = queue.Queue(), queue.Queue()
    for job in jobs:
        waiting.put(job)
    stop, started = threading.Event(), []
    workers = [threading.Thread(target=_work, args=(k, todo, waiting, done, stop, started), daemon=True)
               for k in range(min(todo.parallel, len(jobs)))]
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
            _record(todo.paths, outcome, bar, job, err, secs)
    except KeyboardInterrupt:
        stop.set()  # nothing queued starts; the runs in flight get Ctrl-C in their kernels
        for kernel in list(started):
            kernel.interrupt()
        _stop_workers(workers, started)
        raise
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        bar.close()


def _stop_workers(workers, started, grace: float = 5.0) -> None:
    """Interrupted runs get `grace` seconds to stop (their notebooks record the interrupt); kernels still
    busy then (a cell deep in C code) are killed, so stopping the runner stops its children promptly."""
    deadline = time.time() + grace
    for worker in workers:
        worker.join(max(0.0, deadline - time.time()))
    if any(w.is_alive() for w in workers):
        for kernel in list(started):
            kernel.kill()


def _work(index, todo: Todo, waiting, done, stop, started) -> None:
    _worker.index, _worker.kernel, _worker.started = index, None, started
    try:
        while not stop.is_set():
            try:
                job = waiting.get_nowait()
            except queue.Empty:
                return
            t0 = time.time()
            try:
                execute(todo.paths, todo.study_file, job, todo.study.threads)
                done.put((job, None, time.time() - t0))
            except Exception as err:  # a failing run must not stop the others
                done.put((job, notebooks.last_line(err), time.time() - t0))
    finally:
        if _worker.kernel is not None:
            _worker.kernel.shutdown()


def _record(paths: StudyPaths, outcome: Outcome, bar, job, err, secs) -> None:
    if err is None:
        outcome.done.append(job.id)
        outcome.seconds[job.id] = secs
    else:
        outcome.failed.append((job.id, str(paths.notebook(job)), err))
    bar.set_postfix_str(f"{job.id[:48]} {secs:.0f}s{' FAILED' if err else ''}")
    bar.update()
