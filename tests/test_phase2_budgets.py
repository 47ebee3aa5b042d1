"""RQ2's `phase2_budgets`: each duration is a phase-2 run of its own, whose warm-up and linear decay span its
own steps (not a save in the middle of the longest run's schedule), and whose pairs report its step count.

A tiny random XLM-R on the MNLI and XNLI fixtures, through pipeline.train_intermediate and run_pair."""
import math

import pytest
import yaml
from transformers import TrainerCallback

from stilts_utils.phases import pipeline, training
from stilts_utils.study import identity as grid
from stilts_utils.study.config import load_study
from tiny_models import FIXTURES

LR, STEPS, WARMUP = 0.01, 20, 0.1  # the full phase-2 run; the budgets are 5, 10 and 20 of its steps
BUDGETS = {0.25: 5, 0.5: 10, 1.0: 20}
TINY = {"batch_size": 2, "lr": LR, "warmup_ratio": WARMUP, "max_seq_len": 64, "eval_every": 0,
        "eval_subset": 4, "eval_batch_size": 4}


class _Rates(TrainerCallback):
    """The scheduler's learning rate as each optimiser step begins, and after the last one."""

    def __init__(self):
        self.rates, self.end = [], None

    def on_step_begin(self, args, state, control, lr_scheduler=None, **kw):
        self.rates.append(lr_scheduler.get_last_lr()[0])

    def on_train_end(self, args, state, control, lr_scheduler=None, **kw):
        self.end = lr_scheduler.get_last_lr()[0]


@pytest.fixture
def recorded(monkeypatch):
    """Every Trainer that training.fit builds records its learning rates (one _Rates per run, in order)."""
    runs = []

    class Recording(training.Trainer):
        def __init__(self, *args, callbacks=(), **kwargs):
            runs.append(_Rates())
            super().__init__(*args, callbacks=[*callbacks, runs[-1]], **kwargs)

    monkeypatch.setattr(training, "Trainer", Recording)
    return runs


def _linear(n: int) -> list[float]:
    """The rate at each step of an n-step run: linear warm-up over ceil(0.1 n) steps, linear decay to 0 at n."""
    warm = math.ceil(WARMUP * n)
    return [LR * (k / warm if k < warm else (n - k) / (n - warm)) for k in range(n)]


def test_each_budget_trains_with_a_schedule_that_ends_at_its_own_last_step(tmp_path, tiny_model_dirs, recorded):
    data = {"world": "xtreme", "models": [str(tiny_model_dirs["xlm-roberta"])], "intermediate": ["none", "mnli"],
            "targets": ["xnli"], "target_languages": {"xnli": ["en", "de"]}, "seeds": [0],
            "phase2_budgets": list(BUDGETS), "data_dirs": {"mnli": str(FIXTURES), "xnli": str(FIXTURES)},
            "phase2": {**TINY, "max_steps": STEPS}, "phase3": {**TINY, "max_steps": 2},
            "output_root": str(tmp_path / "outputs")}
    path = tmp_path / "budgets.yaml"
    path.write_text(yaml.safe_dump(data))
    study = load_study(path)
    jobs = grid.encoders(study)
    assert [j.budget for j in jobs] == [1.0, 0.5, 0.25], "one encoder per budget"
    assert len({grid.StudyPaths(study).encoder_dir(j) for j in jobs}) == 3, "each budget is its own encoder"

    for job in jobs:
        table = pipeline.train_intermediate(str(path), job.model, "", "mnli", "en", 0, job.budget)
        assert list(table.steps) == [BUDGETS[job.budget]] and list(table.fraction) == [1.0]
    full = recorded[0]
    for job, run in zip(jobs, recorded):
        n = BUDGETS[job.budget]
        assert run.rates == pytest.approx(_linear(n)), f"budget {job.budget}: its own warm-up and decay over {n}"
        assert run.rates[-1] == pytest.approx(LR / (n - math.ceil(WARMUP * n)))  # the last step: one decay step
        assert run.end == pytest.approx(0.0, abs=1e-12), f"budget {job.budget} decays to 0 at its own end"
        if job.budget < 1:  # a save at the same step of the longest run would be far from decayed
            assert full.rates[n - 1] > 0.5 * LR

    for job in jobs:  # phase 3 reads each budget's encoder and reports that run's step count
        rows = pipeline.run_pair(str(path), job.model, "", "mnli", "en", 1.0, "xnli", 0, job.budget)
        assert set(rows.intermediate_steps) == {BUDGETS[job.budget]}
        assert set(rows.run_id) == {grid.Pair(job.model, "", "mnli", "en", 1.0, "xnli", 0, job.budget).id}
