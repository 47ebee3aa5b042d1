"""One study run, from validation to analysis, whatever executes its notebooks (stilts_utils/executors).

The run validates the study, builds phase 1 here, sets damaged work aside, hands the runs not done yet to
the executor (phases 2-3), then collects the results, runs the analysis and prints the summary. Finished
work is never redone: an encoder is done when its COMPLETE marker exists, a pair when its rows file exists
(written atomically as the pair's last step). So a crash or Ctrl-C loses only the runs in flight, and
running the same command again finishes the rest.
"""
from __future__ import annotations

import hashlib
import json
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..atomic import MARKER, atomic_write_text, damage, set_aside
from ..data.preflight import check
from ..executors import EXECUTORS
from ..executors.base import Outcome, Todo
from ..executors.notebooks import RunFailed, papermill
from ..progress import quiet_libraries
from ..study import identity
from ..study.config import REPO_ROOT, Study, load_study
from ..study.errors import StudyError
from ..study.identity import Pair, StudyPaths
from .lock import study_lock
from .provenance import run_facts

ROOT = REPO_ROOT


def run(study_file: str, parallel: int | None = None, analysis: bool = True, executor: str | None = None) -> Outcome:
    """The study's runs, finished work kept, through `executor` (default: the study file's `executor`)."""
    start = time.time()
    study = load_study(study_file)  # validation first: a bad study fails before the heavy imports
    check(study)  # models and data readable? answers in seconds, before torch is imported
    if parallel is not None and (isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1):
        raise StudyError(f"parallel: {parallel!r} is not a number of notebooks; allowed: integers >= 1")
    chosen = executor_named(executor or study.executor)
    paths = StudyPaths(study)
    with study_lock(paths.dir, f"run {study_file}"), _terminate_as_interrupt():
        return _run_locked(study_file, study, paths, chosen, parallel or study.parallel, analysis, start)


def executor_named(name: str):
    """The executor module of `name` (executors.EXECUTORS)."""
    if name not in EXECUTORS:
        raise StudyError(f"executor: unknown value {name!r}; allowed: {', '.join(EXECUTORS)}", key="executor")
    return EXECUTORS[name]


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


def _run_locked(study_file: str, study: Study, paths: StudyPaths, executor, parallel: int, analysis: bool,
                start: float) -> Outcome:
    outcome = Outcome()
    t0 = time.time()
    prepare(study, paths)  # phase 1: fails fast, before any notebook starts
    outcome.phase1_seconds = time.time() - t0
    write_language_table(study, paths)
    encoders, pairs = identity.encoders(study), identity.pairs(study)
    set_aside_damaged_encoders(paths, encoders)
    set_aside_damaged_rows(paths, pairs)
    todo = Todo(study_file, study, paths, _not_done(paths, encoders, outcome), _not_done(paths, pairs, outcome),
                parallel)
    executor.run(todo, outcome)
    _write_timings(paths, outcome)
    df = collect(study, paths)
    if analysis and not df.empty:
        outcome.failed += run_analysis(study, paths)
    print(summary(study, paths, outcome, df))
    for line in outcome.notes:
        print(line)
    _write_run_info(paths, outcome, time.time() - start)
    return outcome


def _not_done(paths: StudyPaths, jobs: list, outcome: Outcome) -> list:
    """The jobs still to run; the others are counted as already done."""
    outcome.skipped += [job.id for job in jobs if paths.is_done(job)]
    return [job for job in jobs if not paths.is_done(job)]


def _write_run_info(paths: StudyPaths, outcome: Outcome, seconds: float) -> None:
    """Facts of the last run that did work on this machine, stated in the README (a rerun with nothing to do
    keeps them). Only where the executor timed its runs here: a scheduler's wall time is mostly its queue."""
    if not outcome.seconds:
        return
    info = run_facts(seconds, outcome.phase1_seconds, len(outcome.done), len(outcome.skipped), len(outcome.failed))
    from ..phases.phase1 import origins  # lazy: pandas (0.2 s); validation and --dry-run import this module

    info["phase-1 encoders"] = origins(paths.study)  # published, or built here
    atomic_write_text(paths.dir / "run_info.json", json.dumps(info))


def prepare(study: Study, paths: StudyPaths) -> None:
    """Phase 1, once per (model, variant) before any notebook: the sandbox builds its world and pretrains
    its models (cached: a rerun imports nothing heavy); a real study has nothing to build. Where the world
    reports on its encoders (the sandbox's phase-1 health report) the report goes beside the results."""
    from ..phases import phase1  # lazy: torch and transformers; validation and --dry-run import this module

    reports = []
    with quiet_libraries(paths.dir / "phase1.log"):  # HF/datasets chatter to the log, not the terminal
        for variant in study.variant_names:
            for model in study.models:
                label = f"{model}{' (' + variant + ')' if variant else ''}"
                encoder = phase1.pretrained(study, model, variant)
                print(f"phase 1: {label}: {encoder} ({phase1.origin(study, model, variant)})", flush=True)
                report = phase1.report(study, model, variant)
                if report is not None:
                    reports.append(report.assign(model=model, variant=variant))
    if reports:
        import pandas as pd  # lazy: only a world with a phase-1 report needs it; validation stays fast

        atomic_write_text(paths.dir / "phase1_report.csv", pd.concat(reports).to_csv(index=False))


PHASE1_JOB = "phase-1"  # timings.csv row of prepare() (world, pretraining, phase-1 report); no notebook


def _write_timings(paths: StudyPaths, outcome: Outcome) -> None:
    """Wall seconds of each notebook run now (start-up included), for benchmarks/startup_share.py."""
    if outcome.seconds:
        lines = ["job,seconds", f"{PHASE1_JOB},{outcome.phase1_seconds:.3f}"]
        lines += [f"{job},{secs:.3f}" for job, secs in outcome.seconds.items()]
        atomic_write_text(paths.dir / "timings.csv", "\n".join(lines) + "\n")


def write_language_table(study: Study, paths: StudyPaths) -> None:
    """The study's language metadata beside its results, so analysis reads only the study folder."""
    atomic_write_text(paths.languages, study.world_impl.language_table().to_csv(index=False))
    atomic_write_text(paths.models, study.world_impl.model_table().to_csv(index=False))


def set_aside_damaged_encoders(paths: StudyPaths, encoders) -> None:
    """A finished encoder whose files changed since (atomic.MANIFEST: a truncated weight file, a deleted
    checkpoint folder) is moved aside here, where the warning is seen, and trained again."""
    for job in encoders:
        out = paths.encoder_dir(job)
        if (out / MARKER).exists() and (why := damage(out)) is not None:
            set_aside(out, why)


def set_aside_damaged_rows(paths: StudyPaths, pairs) -> None:
    """A rows file that no longer reads (truncated, edited) is moved aside, so its pair runs again and it
    is never counted."""
    from ..phases.results import rows_damage  # lazy: pyarrow (0.3 s), not needed by validation or --dry-run

    for pair in pairs:
        if paths.rows(pair).exists() and (why := rows_damage(paths.rows(pair))) is not None:
            set_aside(paths.rows(pair), why)


def collect(study: Study, paths: StudyPaths | None = None):
    from ..phases.results import collect as collect_rows  # lazy: as in set_aside_damaged_rows

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
    from ..analysis import summary as headline  # lazy: plotting libraries (1.7 s), only once there are rows

    try:
        table = headline.markdown(headline.summary_table(paths.dir))
    except Exception as err:  # noqa: BLE001 — partial or odd results (no baseline yet, a failed pair): the
        # runs are done and saved, so the headline is left to `summary` rather than failing the run here
        return [f"headline: not yet ({' '.join(str(err).split())[:120]})"]
    named = (ROOT / "params" / f"{paths.study.name}.yaml").is_file()
    return ["", table, "", f"again: python -m stilts_utils summary {paths.study.name if named else 'STUDY.yaml'}"]


def dry_run(study_file: str, executor: str | None = None) -> str:
    """What a run would do through `executor` (default: the study file's), nothing run or written."""
    # first: a bad study fails before plan.py imports torch; user-supplied data (CCGbank) may be absent yet:
    # the grid is shown with what the missing data blocks, and `run` itself still refuses
    study = load_study(study_file, check_data=False)
    return executor_named(executor or study.executor).dry_run(study_file, study) or _grid(study)


def _grid(study: Study) -> str:
    """The grid, with what is already done and the training steps of each run."""
    from .plan import missing_data_lines, steps_estimate  # lazy: plan.py imports the data layer (0.4 s)

    paths = StudyPaths(study)
    lines = [f"study {study.name} ({study.world}): {len(study.models)} model(s) x "
             f"{len(study.intermediate)} intermediate x {len(study.targets)} targets x {len(study.seeds)} seed(s)"
             + (f" x {len(study.phase2_budgets)} phase-2 budgets" if study.phase2_budgets != [1.0] else "")]
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
    return "\n".join(lines + missing_data_lines(study))


def status(study_file: str) -> str:
    """Every run of the grid: done, todo, or what an executor's record says (Slurm: the job's state and
    log); the pairs of a failed encoder are blocked."""
    study = load_study(study_file)
    paths = StudyPaths(study)
    records = {}
    for executor in EXECUTORS.values():  # a run of this study may have used another executor (--executor)
        records.update(executor.status(study, paths))
    lines, counts, bad = [f"study {study.name}: {paths.dir}"], {}, set()
    for job in identity.encoders(study) + identity.pairs(study):
        word, detail = records.get(job.id, ("todo", ""))
        if paths.is_done(job):
            word = "done"
        elif isinstance(job, Pair) and job.encoder is not None and job.encoder.id in bad:
            word = "blocked"
        elif word in ("failed", "cancelled"):
            bad.add(job.id)
        counts[word] = counts.get(word, 0) + 1
        lines.append(f"  {word:9s} {job.id}{detail}")
    lines.append(", ".join(f"{n} {w}" for w, n in sorted(counts.items())))
    return "\n".join(lines)


def export(study_file: str) -> None:
    """Every figure and table of a study, from its results table (forces the analysis notebooks)."""
    study = load_study(study_file)
    paths = StudyPaths(study)
    if not paths.results("csv").exists() and not any(paths.rows(p).exists() for p in identity.pairs(study)):
        raise StudyError(f"study {study.name!r} has no results to export ({paths.dir} holds no finished run); "
                         f"run `python -m stilts_utils run {study_file}` first")
    with study_lock(paths.dir, f"export {study_file}"):  # not while a runner writes the same tables
        if not paths.results("csv").exists():
            collect(study, paths)
        paths.analysis_stamp.unlink(missing_ok=True)
        failed = run_analysis(study, paths)
    for name, notebook, err in failed:
        print(f"FAILED {name}: {err}\n    notebook: {notebook}")
    print(f"figures: {paths.figures}\ntables: {paths.tables}")
