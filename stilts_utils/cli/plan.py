"""Training-step estimates for the dry run, and the cost plan (`python -m stilts_utils plan STUDY`).

Examples come from local copies when they are there, else from the tasks' published sizes (marked ≈).
GPU-hours are training compute only: FLOPs per trained token = 6 N + 12 L s d (Kaplan et al. 2020,
Table 1; N non-embedding parameters, L layers, s sequence length, d hidden size), tokens = steps x
effective batch x max_seq_len (an upper bound: every row counted at full length), divided by the GPU's
peak dense tensor TFLOPS (reference/gpus.csv, datasheets) at an assumed MFU. The MFU is a stated
assumption unless measured: `--mfu-from RESULT.json` reads the `auto` row (the study files' setting) of a
`benchmarks/gpu_benchmark.py` result, or pass one with --mfu.
"""
from __future__ import annotations

import csv
import dataclasses
import json
from collections import defaultdict

from ..data.loading import count_rows
from ..reference import DATA, model_parameters
from ..study.config import missing_user_data, share_of_steps
from ..study.errors import StudyError
from ..study.identity import Pair, encoders, pairs
from ..tasks import REGISTRY

DEFAULT_MFU = 0.30  # assumed for tuned bf16 fine-tuning; the study's batch 4 may reach far less (issue 11: 1-2 %)


def _rows(study, task_name: str, variant: str) -> tuple[int, str]:
    n = count_rows(task_name, "en", "train", study, variant)
    if n is not None:
        return n, ""
    return study.world_impl.train_rows_estimate(REGISTRY[task_name], variant)


def training(study, job):
    """(settings, examples, published, sequences per example) of a run that trains, or None for retrieval.

    A multiple-choice example is n_choices sequences (one per choice), so it costs that many."""
    if isinstance(job, Pair):
        task = REGISTRY[job.target]
        if not task.trains:
            return None
        settings, names = study.target_settings(job.target), list(study.protocol.training_stages(task))
    else:
        settings = study.phase2
        names = study.intermediate_tasks(job.intermediate)
    counted = [_rows(study, n, job.variant) for n in names]
    rows = sum(n for n, _ in counted)
    sequences = sum(n * max(1, REGISTRY[name].n_choices) for name, (n, _) in zip(names, counted))
    per_row = sequences / rows if rows else 1.0
    if not isinstance(job, Pair) and job.intermediate_data.startswith("en+translated"):  # also en+translated:<lang>
        rows *= 2
    if settings.max_train_examples:
        rows = min(rows, settings.max_train_examples)
    if not isinstance(job, Pair) and job.budget != 1 and rows:  # a phase-2 budget: its own, shorter run
        settings = dataclasses.replace(settings, max_steps=share_of_steps(job.budget, settings.total_steps(rows)))
    return settings, rows, any(m for _, m in counted), per_row


def steps_estimate(study, job) -> str:
    got = training(study, job)
    if got is None:
        return "0 (retrieval: no training)"
    settings, rows, published, _ = got
    if rows == 0:
        return "? (size unknown until the data is local)"
    return f"{'≈' if published else ''}{settings.total_steps(rows)}"


# ---- the cost plan ------------------------------------------------------------------------------------

def gpu_table() -> dict[str, dict]:
    with open(DATA / "gpus.csv", newline="", encoding="utf-8") as f:
        return {row["gpu"]: row for row in csv.DictReader(f)}


def _flops_per_token(model: str, seq_len: int) -> float | None:
    """6 N + 12 L s d for a model with a packaged shape and parameter count, else None. N is the shape's
    `non_embedding` where given (an encoder-decoder, e.g. mT5, trains only its encoder stack here), else the
    published parameter count minus the embedding matrix."""
    with open(DATA / "model_shapes.csv", newline="", encoding="utf-8") as f:
        shapes = {row["model"]: row for row in csv.DictReader(f)}
    params = dict(zip(*model_parameters()[["model", "parameters"]].values.T))
    if model not in shapes or not (shapes[model]["non_embedding"] or model in params):
        return None
    layers, hidden, vocab = (int(shapes[model][k]) for k in ("layers", "hidden", "vocab"))
    non_embedding = int(shapes[model]["non_embedding"] or int(params[model]) - vocab * hidden)
    return 6 * non_embedding + 12 * layers * seq_len * hidden


def _cost(study, job, tflops: float, mfu: float) -> tuple[int, int, bool, float | None] | None:
    """(examples, steps, published, GPU-hours or None) of a training run."""
    got = training(study, job)
    if got is None:
        return None
    settings, rows, published, per_row = got
    steps = settings.total_steps(rows) if rows else 0
    per_token = _flops_per_token(job.model, settings.max_seq_len)
    if per_token is None or not rows:
        return rows, steps, published, None
    tokens = steps * settings.examples_per_step() * per_row * settings.max_seq_len
    return rows, steps, published, per_token * tokens / (tflops * 1e12 * mfu) / 3600


def measured_mfu(path: str) -> tuple[float, str]:
    """(MFU, what it is) from a benchmarks/gpu_benchmark.py result file: its `auto` row, the setting the
    study files train at (effective batch 32, micro-batch chosen for the device, bf16)."""
    try:
        result = json.loads(open(path, encoding="utf-8").read())
        auto = result["settings"]["auto"]
        mfu = auto["mfu"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise StudyError(f"--mfu-from {path!r}: not a gpu_benchmark.py result ({type(err).__name__}: {err}); "
                         "allowed: the JSON file `python benchmarks/gpu_benchmark.py --out FILE` writes") from None
    if mfu is None:
        raise StudyError(f"--mfu-from {path!r}: the benchmark measured no MFU on {result['device']!r} (its peak "
                         "was unknown); allowed: a result run with --peak-tflops, or a GPU in gpus.csv")
    smoke = " (a --smoke run: tiny model on the CPU, not a GPU measurement)" if result.get("smoke") else ""
    return mfu, (f"MFU {100 * mfu:.3g} % measured by benchmarks/gpu_benchmark.py on {result['device']}{smoke}, "
                 f"setting auto: micro-batch {auto['micro_batch']} x accumulation {auto['grad_accum']} "
                 f"({path})")


def total_hours(study, gpu: str = "h100", mfu: float = DEFAULT_MFU) -> float | None:
    """Training GPU-hours of the whole study, as `plan` totals them; None when a run's cost is unknown."""
    tflops = float(gpu_table()[gpu]["peak_tflops"])
    costs = [_cost(study, job, tflops, mfu) for job in encoders(study) + pairs(study)]
    hours = [c[3] for c in costs if c is not None]
    return None if None in hours else sum(hours)


def missing_data_lines(study) -> list[str]:
    """What user-supplied data is not here yet and which runs it blocks: the grid and the plan are shown
    before the data exists; a real run refuses before any compute until it is there."""
    missing = missing_user_data(study)
    if not missing:
        return []
    lines = ["\nuser-supplied data not here yet (`run` refuses before any compute until it is):"]
    for task, why in missing.items():
        needs = [j for j in encoders(study) if task in study.intermediate_tasks(j.intermediate)]
        skipped = study.multitask.skip_missing and all(j.intermediate == "multitask" for j in needs)
        blocked = {j.id for j in needs if not skipped}
        pairs_blocked = [p for p in pairs(study) if (p.encoder is not None and p.encoder.id in blocked)
                         or task in study.protocol.training_stages(REGISTRY[p.target]) or p.target == task]
        lines.append(f"  {task}: {why}; blocks {len(blocked)} encoder run(s) and {len(pairs_blocked)} pair run(s)"
                     f"{' (multitask.skip_missing mixes the rest)' if skipped else ''}")
        lines.append(f"    how to get it: {REGISTRY[task].source.note}")
    return lines


def _hours(h: float | None) -> str:
    return "?" if h is None else f"{h:.1f}"


def plan(study, gpu: str, mfu: float = DEFAULT_MFU, mfu_from: str | None = None) -> str:
    gpus = gpu_table()
    if gpu not in gpus:
        raise StudyError(f"--gpu {gpu!r}: allowed: {', '.join(gpus)}")
    said = f"assumed MFU {100 * mfu:g} %"
    if mfu_from is not None:
        mfu, said = measured_mfu(mfu_from)
    if not 0 < mfu <= 1:
        raise StudyError(f"--mfu {mfu!r}: a fraction in (0, 1]")
    g = gpus[gpu]
    tflops = float(g["peak_tflops"])
    lines = [f"plan {study.name}: {g['name']}, {tflops:g} TFLOPS peak dense {g['dtype']} ({g['source']}), {said}",
             "training compute only: FLOPs/token = 6 N + 12 L s d (Kaplan et al. 2020), every sequence at max_seq_len "
             "(n_choices per multiple-choice example); evaluation and retrieval embedding not counted"]
    total, any_published, unknown = 0.0, False, False
    lines.append(f"\nphase 2: {len(encoders(study))} encoder run(s)")
    lines.append(f"  {'run':48s} {'examples':>10s} {'steps':>8s} {'GPU-h':>8s}")
    phase = 0.0
    for job in encoders(study):
        rows, steps, published, h = _cost(study, job, tflops, mfu)
        any_published |= published
        unknown |= h is None
        phase += h or 0.0
        lines.append(f"  {job.id:48s} {('≈' if published else '') + str(rows):>10s} {steps:>8d} {_hours(h):>8s}")
    lines.append(f"  {'phase 2 total':48s} {'':>10s} {'':>8s} {phase:>8.1f}")
    total += phase
    by_target = defaultdict(list)
    for pair in pairs(study):
        by_target[pair.target].append(pair)
    lines.append(f"\nphase 3: {len(pairs(study))} pair run(s), per target (examples and steps of its first run; "
                 "GPU-h/run: the mean over its runs, whose models may differ)")
    lines.append(f"  {'target':14s} {'runs':>5s} {'examples/run':>13s} {'steps/run':>10s} {'GPU-h/run':>10s} {'GPU-h':>8s}")
    phase = 0.0
    for target, runs in by_target.items():
        costs = [_cost(study, run, tflops, mfu) for run in runs]
        if costs[0] is None:
            lines.append(f"  {target:14s} {len(runs):>5d} {'retrieval: no training':>33s} {'':>8s}")
            continue
        rows, steps, published, _ = costs[0]
        hours = [c[3] for c in costs]
        h = None if None in hours else sum(hours)
        any_published |= published
        unknown |= h is None
        phase += h or 0.0
        lines.append(f"  {target:14s} {len(runs):>5d} {('≈' if published else '') + str(rows):>13s} {steps:>10d} "
                     f"{_hours(None if h is None else h / len(runs)):>10s} {_hours(h):>8s}")
    lines.append(f"  {'phase 3 total':14s} {'':>5s} {'':>13s} {'':>10s} {'':>10s} {phase:>8.1f}")
    total += phase
    lines.append(f"\ntotal: {total:.1f} GPU-hours on {g['name']} at {100 * mfu:.3g} % MFU"
                 + (" (measured)" if mfu_from is not None else " (assumed)"))
    if any_published:
        lines.append("≈: published dataset sizes (the data is not local), not read from data")
    if unknown:
        lines.append("?: no packaged shape or parameter count for the model (reference/model_shapes.csv), or no size")
    return "\n".join(lines + missing_data_lines(study))
