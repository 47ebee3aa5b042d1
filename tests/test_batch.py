"""The effective batch (examples per optimiser step) is the study's; the micro-batch is a device setting.

4 x 8, 32 x 1 and `auto` at the same effective batch train the same thing (the same rows per step, the
same loss curve up to float rounding) and have the same run identity; a study file that says batch_size x
grad_accum means what it meant."""
from pathlib import Path

import numpy as np
import pytest
import torch
from datasets import Dataset

from stilts_utils.model.heads import StiltsModel
from stilts_utils.model.kinds import classification, common
from stilts_utils.phases import training
from stilts_utils.phases.multitask import TaskBatchSampler
from stilts_utils.study.config import TrainSettings, load_study
from stilts_utils.study.errors import StudyError
from stilts_utils.study.identity import encoder_key, encoders, pair_key, pairs, train_key

ROOT = Path(__file__).resolve().parent.parent
STEPS = 20
SPLITS = {"4 x 8 (batch_size x grad_accum)": dict(batch_size=4, grad_accum=8),
          "32 x 1 (batch_size x grad_accum)": dict(batch_size=32, grad_accum=1),
          "effective 32, micro 8": dict(effective_batch=32, micro_batch=8),
          "effective 32, auto": dict(effective_batch=32)}  # the CPU: the whole batch in one pass


def _model():
    from transformers import XLMRobertaConfig, XLMRobertaModel

    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=32, max_position_embeddings=40, hidden_dropout_prob=0.0,
                              attention_probs_dropout_prob=0.0)
    model = StiltsModel(XLMRobertaModel(config), classification.make_head(16, 3, "mean"))
    for m in model.modules():  # dropout draws other masks for other micro-batch shapes: not the same numbers
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    return model


def _data():
    rng = np.random.default_rng(0)
    rows = [list(rng.integers(5, 40, rng.integers(3, 20))) for _ in range(64)]  # 2 effective batches
    return Dataset.from_dict({"input_ids": rows, "attention_mask": [[1] * len(r) for r in rows],
                              "labels": [int(r[0]) % 3 for r in rows]})


def _collate(rows):
    longest = max(len(r["input_ids"]) for r in rows)
    pad = lambda r, key, v: list(r[key]) + [v] * (longest - len(r[key]))  # noqa: E731
    return {"input_ids": torch.tensor([pad(r, "input_ids", 1) for r in rows]),
            "attention_mask": torch.tensor([pad(r, "attention_mask", 0) for r in rows]),
            "labels": torch.tensor([r["labels"] for r in rows])}


def _train(settings, auto_after_oom=False):
    """(loss of every optimiser step, final weights, FitResult) of 20 steps at `settings`."""
    model, losses = _model(), []
    model.register_forward_hook(lambda m, args, out: losses.append((len(args[0]) if args else 0, out["loss"].item())))
    if not auto_after_oom:
        result = training.fit(model, _data(), _collate, settings, 0, ["labels"], steps=STEPS)
    else:  # `auto` on a GPU that fits only 8 rows: the first try (32) steps twice, then runs out of memory
        calls = {"n": 0}

        def pre(module, args, kwargs):
            calls["n"] += 1
            if len(kwargs["input_ids"]) > 8 and calls["n"] > 2:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        model.register_forward_pre_hook(pre, with_kwargs=True)
        run = dict(features=_data(), collate=_collate, settings=settings, seed=0, label_names=["labels"],
                   score_fn=None, save_at=None, steps=STEPS, sampler_factory=None, checkpoint_every=0,
                   resume_dir=None, report_to="none")
        result = training._fit_auto(model, 32, run)
    micro_losses = [loss for _, loss in losses[-STEPS * result.grad_accum:]]
    per_step = np.asarray(micro_losses).reshape(STEPS, result.grad_accum).mean(1)  # the Trainer divides by accum
    return per_step, {k: v.clone() for k, v in model.state_dict().items()}, result


@pytest.fixture(scope="module")
def runs():
    return {name: _train(TrainSettings(lr=1e-3, warmup_ratio=0.0, **kw)) for name, kw in SPLITS.items()}


def test_every_split_of_32_trains_the_same_loss_curve(runs):
    reference, weights, _ = runs["32 x 1 (batch_size x grad_accum)"]
    assert reference[0] - reference[-1] > 0.05, "the tiny model learns something in 20 steps"
    for name, (curve, w, result) in runs.items():
        assert result.micro_batch * result.grad_accum == 32, name
        np.testing.assert_allclose(curve, reference, rtol=1e-4, atol=1e-5, err_msg=name)
        for key in weights:
            torch.testing.assert_close(w[key], weights[key], rtol=1e-3, atol=1e-4, msg=f"{name}: {key}")
    assert [runs[n][2].micro_batch for n in SPLITS] == [4, 32, 8, 32]  # auto on the CPU: the whole batch


def test_auto_falls_back_to_a_smaller_divisor_on_out_of_memory_from_the_initial_weights(runs, capsys):
    curve, weights, result = _train(TrainSettings(lr=1e-3, warmup_ratio=0.0, effective_batch=32),
                                    auto_after_oom=True)
    assert (result.micro_batch, result.grad_accum) == (8, 4)  # 32 and 16 did not fit
    assert "micro-batch 16 did not fit in GPU memory: trying 8" in capsys.readouterr().out
    np.testing.assert_allclose(curve, runs["4 x 8 (batch_size x grad_accum)"][0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n, below, expected", [(32, 32, 16), (32, 16, 8), (24, 12, 8), (30, 10, 6), (7, 7, 1),
                                                (32, 1, 0)])
def test_the_next_micro_batch_divides_the_effective_batch(n, below, expected):
    assert training.smaller_divisor(n, below) == expected


def test_the_run_identity_is_the_effective_batch():
    keys = {train_key(TrainSettings(**kw)) for kw in SPLITS.values()}
    assert len(keys) == 1
    assert train_key(TrainSettings(effective_batch=16)) not in keys
    sets = [(), ("phase2.batch_size=4", "phase2.grad_accum=8", "phase3.batch_size=4", "phase3.grad_accum=8"),
            ("phase2.effective_batch=32", "phase3.effective_batch=32", "phase3.micro_batch=8")]
    studies = [load_study(ROOT / "params" / "sandbox.yaml", s) for s in sets]  # sandbox: batch_size 32
    for study in studies[1:]:
        assert [encoder_key(study, e) for e in encoders(study)] == [encoder_key(studies[0], e)
                                                                    for e in encoders(studies[0])]
        assert [pair_key(study, p) for p in pairs(study)] == [pair_key(studies[0], p) for p in pairs(studies[0])]


def test_batch_size_and_grad_accum_mean_what_they_meant():
    old = TrainSettings(batch_size=4, grad_accum=8)
    assert (old.examples_per_step(), training.split_batch(old)) == (32, (4, 8))  # micro 4 whatever the device
    assert old.fixed_micro_batch() == 4 and old.total_steps(100) == 3 * 4  # 3 epochs of ceil(100 / 32)
    assert training.split_batch(TrainSettings()) == (32, 1)  # the defaults: as before
    assert training.split_batch(TrainSettings(effective_batch=32, micro_batch=8)) == (8, 4)
    assert training.split_batch(TrainSettings(effective_batch=32), micro=16) == (16, 2)
    assert training.split_batch(TrainSettings(batch_size=8, grad_accum=2), environ={"WORLD_SIZE": "2"}) == (4, 2)


def test_the_shipped_real_studies_name_the_effective_batch_and_let_the_device_choose():
    for name in ("xtreme_xlmr_large", "xtreme_model_size", "xtreme_r_mt5"):
        study = load_study(ROOT / "params" / f"{name}.yaml", check_data=False)
        for settings in (study.phase2, *(study.target_settings(t) for t in study.targets)):
            assert settings.micro_batch == "auto" and settings.fixed_micro_batch() is None, name
            assert (settings.batch_size, settings.grad_accum) == (32, 1), "no stale fixed split"
        assert study.phase2.examples_per_step() == 32
        if study.benchmark == "xtreme":  # the RQ5 file follows XTREME-R's scripts (32 for QA too)
            for qa in {"xquad", "mlqa", "tydiqa"} & set(study.targets):
                assert study.target_settings(qa).examples_per_step() == 16  # jiant's 4 x 4 for QA


@pytest.mark.parametrize("sets, key, words", [
    (("phase3.effective_batch=32", "phase3.grad_accum=2"), "phase3.effective_batch", "not both"),
    (("phase3.micro_batch=8",), "phase3.micro_batch", "without effective_batch"),
    (("phase3.effective_batch=32", "phase3.micro_batch=12"), "phase3.micro_batch", "does not divide"),
    (("phase3.effective_batch=32", "phase3.micro_batch=big"), "phase3.micro_batch", "auto or integers >= 1"),
    (("phase3.effective_batch=32", "phase3_overrides.xnli={grad_accum: 4}"), "phase3_overrides.xnli",
     "not both"),
    (("phase2.effective_batch=32", "phase2_processes=2"), "phase2_processes", "fixed phase2.micro_batch"),
])
def test_a_bad_batch_is_one_line_naming_the_key(sets, key, words):
    with pytest.raises(StudyError) as err:
        load_study(ROOT / "params" / "sandbox.yaml", sets)
    message = str(err.value)
    assert "\n" not in message and key in message and words in message, message


def test_multitask_draws_one_task_per_step_whatever_the_micro_batch():
    def batches(micro):
        return list(TaskBatchSampler([50, 70], np.array([0.4, 0.6]), 8, 12, seed=3, micro_batch=micro))
    whole, split = batches(0), batches(2)
    assert len(split) == 4 * len(whole) == 48
    assert [i for b in split for i in b] == [i for b in whole for i in b]
    assert all(len({i >= 50 for i in b}) == 1 for b in whole), "each step within one task"


def test_inference_batches_are_the_studys_on_the_cpu_and_grow_with_the_gpu(monkeypatch):
    sizes = []

    def run(size):
        sizes.append(size)
        if size > 100:
            raise torch.OutOfMemoryError("CUDA out of memory.")
        return size
    assert common.scaled_batches(run, 8, torch.device("cpu")) == 8  # the CPU: bit-identical results
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda d: type("P", (), {"total_memory": 80 * 2**30}))
    sizes.clear()
    assert common.scaled_batches(run, 64, torch.device("cuda")) == 80 and sizes == [320, 160, 80]
