"""Phase 2 in two DDP processes (torchrun, gloo on the CPU): the encoder is built once, by rank 0, with the
steps of a one-process run; the setting is checked before any compute and keys the encoder."""
import json

import pytest
import yaml

from stilts_utils.phases import pipeline
from stilts_utils.study.config import StudyError, load_study
from stilts_utils.study.identity import StudyPaths, encoder_key, encoders
from tiny_models import FIXTURES

TRAIN = {"max_steps": 4, "batch_size": 4, "lr": 0.001, "max_seq_len": 32, "eval_subset": 4, "eval_batch_size": 4}


def _study(tmp_path, name, **extra):
    model = extra.pop("model")
    data = {"world": "xtreme", "models": [model], "intermediate": ["none", "mnli"], "targets": ["xnli"],
            "target_languages": {"xnli": ["en"]}, "data_dirs": {"mnli": str(FIXTURES), "xnli": str(FIXTURES)},
            "phase2": TRAIN, "phase3": TRAIN, "output_root": str(tmp_path / name), **extra}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.slow
def test_phase2_in_two_processes_builds_one_encoder_with_the_same_steps(tmp_path, tiny_model_dirs):
    model = str(tiny_model_dirs["xlm-roberta"])
    one, two = _study(tmp_path, "one", model=model), _study(tmp_path, "two", model=model, phase2_processes=2)
    tables = {n: pipeline.train_intermediate(str(p), model, "", "mnli", "en", 0) for n, p in (("1", one), ("2", two))}
    assert list(tables["1"].steps) == list(tables["2"].steps) == [4]
    study = load_study(two)
    job = encoders(study)[0]
    out = StudyPaths(study).encoder_dir(job)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["processes"] == 2 and summary["steps"] == 4
    assert (out / "step-4" / "config.json").exists()
    assert not list(out.parent.glob("*.tmp*")), "no worker left a partial build"
    assert encoder_key(study, job) != encoder_key(load_study(one), encoders(load_study(one))[0])


@pytest.mark.parametrize("extra, needle", [
    ({"phase2_processes": 0}, "phase2_processes: 0"),
    ({"phase2_processes": 3}, "does not divide phase2.batch_size 4"),
    ({"phase2_processes": 2, "mlm_weight": 0.2}, "not supported"),
    ({"phase2_processes": 2, "executor": "slurm", "slurm": {"phase2": {"gpus": 4}}}, "slurm.phase2.gpus is 4"),
])
def test_bad_process_counts_are_rejected_before_compute(tmp_path, extra, needle):
    path = _study(tmp_path, "bad", model="xlm-roberta-large", **extra)
    with pytest.raises(StudyError, match=needle):
        load_study(path, check_data=False)


def test_gradient_accumulation_divides_the_loss_of_our_batch_averaging_heads(tiny_model_dirs, tmp_path):
    """The Trainer scales a loss for accumulation (and for DDP) only if it thinks the model normalised it by the
    global token count; our heads average per batch, so StiltsModel says it does not take loss kwargs."""
    import torch
    from transformers import AutoModel, Trainer, TrainingArguments

    from stilts_utils.model.heads import StiltsModel
    from stilts_utils.model.kinds import KINDS

    path = str(tiny_model_dirs["xlm-roberta"])
    encoder = AutoModel.from_pretrained(path, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    net = StiltsModel(encoder, KINDS["classification"].make_head(encoder.config.hidden_size, 3, "cls"))
    for module in net.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    args = TrainingArguments(output_dir=str(tmp_path), gradient_accumulation_steps=2, use_cpu=True, report_to=[])
    trainer = Trainer(model=net, args=args)
    assert trainer.model_accepts_loss_kwargs is False
    inputs = {"input_ids": torch.tensor([[0, 5, 6, 2], [0, 7, 8, 2]]), "attention_mask": torch.ones(2, 4, dtype=torch.long),
              "labels": torch.tensor([0, 2])}
    full = trainer.compute_loss(net, dict(inputs)).item()
    trainer.current_gradient_accumulation_steps = 2  # set by the training loop, which this test skips
    step = trainer.training_step(net, dict(inputs), num_items_in_batch=torch.tensor(2)).item()
    assert step == pytest.approx(full / 2, rel=1e-5)
