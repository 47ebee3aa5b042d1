"""Start-up share of a study's compute: how much of the wall time goes to starting notebooks (kernel,
imports, papermill) rather than to the phases themselves, measured on one fresh run of a study.

    .venv/bin/python benchmarks/startup_share.py [params/sandbox.yaml] [--keep DIR]

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
    from stilts_utils.cli import kernels

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("study", nargs="?", default=str(ROOT / "params" / "sandbox.yaml"))
    ap.add_argument("--keep", help="output root to use (and keep); default: a temporary one")
    args = ap.parse_args()
    from stilts_utils.cli import runner
    from stilts_utils.study.config import load_study
    from stilts_utils.study.identity import StudyPaths

    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    out_root = Path(args.keep) if args.keep else tmp / "outputs"
    data = yaml.safe_load(Path(args.study).read_text())
    data.update(output_root=str(out_root.resolve()), analysis=[])
    study_file = tmp / Path(args.study).name
    study_file.write_text(yaml.safe_dump(data))
    t0 = time.time()
    outcome = runner.run(str(study_file), analysis=False)
    total = time.time() - t0
    study = load_study(study_file)
    paths = StudyPaths(study)
    phase = _phase_seconds(paths, study)
    notebook = outcome.seconds
    startup = sum(notebook[j] - phase.get(j, 0.0) for j in notebook)
    cold, warm = fixed_costs(tmp)
    print(f"\nstudy {study.name}: {total:.0f} s wall, {len(notebook)} notebooks, {len(outcome.failed)} failed")
    print(f"notebook time {sum(notebook.values()):.0f} s, of it inside the phase calls {sum(phase.get(j, 0) for j in notebook):.0f} s")
    compute = sum(notebook.values()) + outcome.phase1_seconds  # worker-seconds: notebooks run side by side
    print(f"phase 1 {outcome.phase1_seconds:.0f} s; compute (phase 1 + every notebook) {compute:.0f} s")
    print(f"start-up share of the study's compute: {startup / compute:.1%} ({startup:.0f} s of {compute:.0f} s)")
    print(f"one notebook's fixed cost: cold {cold:.1f} s, warm {warm:.2f} s, ratio cold/warm {cold / warm:.0f}x")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
