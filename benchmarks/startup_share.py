"""Start-up share of a study's compute: how much of the wall time goes to starting notebooks (kernel,
imports, papermill) rather than to the phases themselves, measured on one fresh run of a study.

    .venv/bin/python benchmarks/startup_share.py [params/sandbox.yaml] [--keep DIR]
    .venv/bin/python benchmarks/startup_share.py params/sandbox.yaml --from-run outputs

With --from-run ROOT it runs nothing and measures the last run of the study under the output root ROOT
(e.g. the `outputs/` of a fresh clone after `bash stilts.sh study`): its timings.csv holds every
notebook's wall time and phase 1's (row `phase-1`).

It runs the study into a fresh output root (phase 1 included), then reads what each notebook took
(`timings.csv`, written by the runner) and what the phase call inside it took (`wall_time_s` of the
pair's rows, `summary.json` of each encoder). Start-up = notebook wall time - phase time. Side by side
it also times the fixed cost of one notebook started cold (a new papermill process and kernel, as
before the warm kernels) and on a warm kernel, and prints their ratio.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROBE = ["from stilts_utils.phases import pipeline, session", "session.setup(1)"]  # what every run imports


def _phase_seconds(paths, study) -> dict:
    from stilts_utils.study import identity

    out = {}
    for pair in identity.pairs(study):
        if paths.rows(pair).exists():
            out[pair.id] = json.loads(paths.rows(pair).read_text())[0]["wall_time_s"]
    for job in identity.encoders(study):
        summary = paths.encoder_dir(job) / "summary.json"
        if summary.exists():
            out[job.id] = json.loads(summary.read_text()).get("wall_time_s", 0.0)
    return out


def _probe_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("\n".join(PROBE))])
    nbformat.write(nb, path)
    return path


def fixed_costs(tmp: Path, repeats: int = 3) -> tuple[float, float]:
    """Median seconds of one import-only notebook: cold (papermill process + new kernel) and warm."""
    from stilts_utils.executors import kernels

    nb = _probe_notebook(tmp / "probe.ipynb")
    cold, warm = [], []
    for i in range(repeats):
        t0 = time.time()
        subprocess.run([sys.executable, "-m", "papermill", str(nb), str(tmp / f"cold{i}.ipynb"), "-k", "python3",
                        "--cwd", str(ROOT), "--no-progress-bar"], check=True, capture_output=True)
        cold.append(time.time() - t0)
    kernel = kernels.WarmKernel(ROOT, tmp / "kernel.log")
    try:
        kernels.execute(kernel, nb, tmp / "warm0.ipynb", {})  # the first run pays the imports once
        for i in range(repeats):
            t0 = time.time()
            kernels.execute(kernel, nb, tmp / f"warm{i + 1}.ipynb", {})
            warm.append(time.time() - t0)
    finally:
        kernel.shutdown()
    return sorted(cold)[repeats // 2], sorted(warm)[repeats // 2]


def _read_timings(path: Path) -> tuple[dict, float, str]:
    """(notebook seconds by job, phase-1 seconds, failures) of the run that wrote timings.csv."""
    import csv

    from stilts_utils.cli.runner import PHASE1_JOB

    if not path.exists():
        sys.exit(f"--from-run: {path} does not exist; run the study first (bash stilts.sh study)")
    rows = {r["job"]: float(r["seconds"]) for r in csv.DictReader(path.open())}
    if PHASE1_JOB not in rows:
        sys.exit(f"--from-run: {path} has no {PHASE1_JOB!r} row (written by an older runner); run the study again")
    return rows, rows.pop(PHASE1_JOB), "unknown (not recorded)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("study", nargs="?", default=str(ROOT / "params" / "sandbox.yaml"))
    ap.add_argument("--keep", help="output root to use (and keep); default: a temporary one")
    ap.add_argument("--from-run", help="output root of a finished run of the study: measure it, run nothing")
    args = ap.parse_args()
    from stilts_utils.cli import runner
    from stilts_utils.study.config import load_study
    from stilts_utils.study.loading import study_data
    from stilts_utils.study.identity import StudyPaths

    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    out_root = Path(args.from_run or args.keep or tmp / "outputs")
    data = study_data(args.study)  # `extends` resolved: the copy in tmp stands alone
    data.update(output_root=str(out_root.resolve()), analysis=[])
    study_file = tmp / Path(args.study).name
    study_file.write_text(yaml.safe_dump(data))
    t0 = time.time()
    if args.from_run:
        notebook, phase1, failed = _read_timings(StudyPaths(load_study(study_file)).dir / "timings.csv")
    else:
        outcome = runner.run(str(study_file), analysis=False)
        notebook, phase1, failed = outcome.seconds, outcome.phase1_seconds, len(outcome.failed)
    total = time.time() - t0
    study = load_study(study_file)
    paths = StudyPaths(study)
    phase = _phase_seconds(paths, study)
    startup = sum(notebook[j] - phase.get(j, 0.0) for j in notebook)
    cold, warm = fixed_costs(tmp)
    label = f"measured from {out_root}" if args.from_run else f"{total:.0f} s wall"
    print(f"\nstudy {study.name}: {label}, {len(notebook)} notebooks, {failed} failed")
    print(f"notebook time {sum(notebook.values()):.0f} s, of it inside the phase calls {sum(phase.get(j, 0) for j in notebook):.0f} s")
    compute = sum(notebook.values()) + phase1  # worker-seconds: notebooks run side by side
    print(f"phase 1 {phase1:.0f} s; compute (phase 1 + every notebook) {compute:.0f} s")
    print(f"start-up share of the study's compute: {startup / compute:.1%} ({startup:.0f} s of {compute:.0f} s)")
    print(f"one notebook's fixed cost: cold {cold:.1f} s, warm {warm:.2f} s, ratio cold/warm {cold / warm:.0f}x")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
