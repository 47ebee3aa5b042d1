"""The GPU code paths, checked on the CPU where they can be: one GPU per warm kernel (the environment a
kernel really gets, for a fake device list), the guard against the Trainer's silent nn.DataParallel, TF32,
and the length-sorted eval batches (outputs back in feature order). On a CPU-only machine none of them may
change a number: forward_batches keeps data order there and autocast stays off."""
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from stilts_utils.executors import gpus
from stilts_utils.executors.kernels import WarmKernel
from stilts_utils.model.kinds import common
from stilts_utils.phases import session, training
from stilts_utils.study.config import TrainSettings


@pytest.mark.parametrize("listed, expected", [("2,5", ["2", "5"]), ("", []), ("-1", []), ("0,-1,2", ["0"]),
                                              ("GPU-aa11, GPU-bb22", ["GPU-aa11", "GPU-bb22"])])
def test_visible_devices_follow_cuda_visible_devices(listed, expected):
    assert gpus.visible_devices({"CUDA_VISIBLE_DEVICES": listed}, count=lambda: 8) == expected


@pytest.mark.parametrize("count", [0, 1, 3])
def test_visible_devices_without_the_variable_are_the_gpus_torch_counts(count):
    assert gpus.visible_devices({}, count=lambda: count) == [str(k) for k in range(count)]


def test_kernels_get_one_device_each_round_robin():
    base = {"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": "4,6"}
    devices = gpus.visible_devices(base)
    got = [gpus.kernel_env(k, devices, base) for k in range(5)]
    assert [e["CUDA_VISIBLE_DEVICES"] for e in got] == ["4", "6", "4", "6", "4"]
    assert all(e["PATH"] == "/usr/bin" for e in got), "the rest of the environment is inherited"
    assert base["CUDA_VISIBLE_DEVICES"] == "4,6", "the runner's own environment is left alone"


def test_no_gpu_leaves_the_kernel_environment_alone():
    assert gpus.kernel_env(0, gpus.visible_devices({}, count=lambda: 0), {"A": "1"}) is None


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the kernel's environment from /proc")
def test_a_warm_kernel_starts_with_its_pinned_device(tmp_path):
    env = gpus.kernel_env(1, gpus.visible_devices({}, count=lambda: 3), os.environ)
    kernel = WarmKernel(tmp_path, tmp_path / "kernel.log", env=env)
    try:
        raw = Path(f"/proc/{kernel.pid}/environ").read_bytes().split(b"\0")
        seen = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
        assert seen["CUDA_VISIBLE_DEVICES"] == "1"
    finally:
        kernel.shutdown()


@pytest.mark.parametrize("count, environ, forced", [(0, {}, False), (1, {}, False), (2, {}, True),
                                                    (8, {"WORLD_SIZE": ""}, True), (2, {"WORLD_SIZE": "2"}, False)])
def test_one_device_only_without_a_distributed_launcher(count, environ, forced):
    assert training.one_device_only(count, environ) is forced


def _args(tmp_path):
    settings = TrainSettings(batch_size=4, grad_accum=8)
    return training._args(settings, 10, 0, str(tmp_path), ["labels"])


def test_two_visible_gpus_train_with_the_study_batch_not_dataparallel(tmp_path, capsys):
    args = training._single_device(_args(tmp_path), 2, {})
    assert args.n_gpu == 1  # Trainer wraps in nn.DataParallel only when n_gpu > 1
    assert args.train_batch_size == 4, "the batch is not multiplied by the GPU count"
    assert "torchrun" in capsys.readouterr().out, "the record says how to use the other GPUs"


def test_a_distributed_launch_is_left_to_the_trainer(tmp_path):
    plain = _args(tmp_path)
    assert training._single_device(_args(tmp_path), 2, {"WORLD_SIZE": "2"}).n_gpu == plain.n_gpu


def test_tf32_only_with_cuda():
    before = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("highest")
        session.fast_float32(False)
        assert torch.get_float32_matmul_precision() == "highest"
        session.fast_float32(True)
        assert torch.get_float32_matmul_precision() == "high" and torch.backends.cuda.matmul.allow_tf32
        assert torch.backends.cudnn.allow_tf32
    finally:
        torch.set_float32_matmul_precision(before)


def test_cpu_inference_stays_fp32_on_the_cpu():
    model = torch.nn.Linear(2, 2)
    device = common.inference_device(model)
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        with common.inference_precision(device):
            assert (model(torch.ones(1, 2))).dtype == torch.float32


def _classifier():
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=32, max_position_embeddings=80, num_labels=3,
                              initializer_range=0.5)  # large weights: rows far apart, so order shows
    return XLMRobertaForSequenceClassification(config)


def _features(lengths):
    import datasets

    rng = np.random.default_rng(0)
    ids = [[0, *rng.integers(5, 50, n - 2).tolist(), 2] for n in lengths]
    return datasets.Dataset.from_dict({"input_ids": ids, "attention_mask": [[1] * n for n in lengths]})


def _collate(seen):
    def collate(rows):
        longest = max(len(r["input_ids"]) for r in rows)
        seen.append([len(r["input_ids"]) for r in rows])
        return {"input_ids": torch.tensor([r["input_ids"] + [1] * (longest - len(r["input_ids"])) for r in rows]),
                "attention_mask": torch.tensor([r["attention_mask"] + [0] * (longest - len(r["attention_mask"]))
                                                for r in rows])}
    return collate


def test_length_sorted_batches_come_back_in_feature_order():
    lengths = [30, 4, 17, 4, 60, 9, 12, 33, 5]
    model, feats = _classifier(), _features(lengths)
    plain_batches, sorted_batches = [], []
    plain = common.forward_batches(model, feats, _collate(plain_batches), 3, ("logits",), sort=False)
    ordered = common.forward_batches(model, feats, _collate(sorted_batches), 3, ("logits",), sort=True)
    assert [n for b in plain_batches for n in b] == lengths, "unsorted: data order, the CPU default"
    assert [n for b in sorted_batches for n in b] == sorted(lengths), "sorted: batches of similar length"
    np.testing.assert_allclose(np.stack(ordered["logits"]), np.stack(plain["logits"]), rtol=1e-4, atol=1e-5)
    assert not np.allclose(np.stack(plain["logits"])[0], np.stack(plain["logits"])[4], rtol=1e-2, atol=1e-2), \
        "rows differ, so a wrong order would show"


def test_cpu_default_is_data_order():
    if torch.cuda.is_available():
        pytest.skip("on a GPU the default is length-sorted")
    seen = []
    common.forward_batches(_classifier(), _features([8, 3, 20]), _collate(seen), 2, ("logits",))
    assert seen == [[8, 3], [20]]


def test_multiple_choice_rows_are_sorted_by_their_longest_choice():
    assert common._length([[1, 2, 3], [1, 2, 3, 4, 5]]) == 5 and common._length([7, 8]) == 2
    assert list(common.batch_order([5, 2, 5, 1], True)) == [3, 1, 0, 2]  # stable: ties keep data order
