"""benchmarks/gpu_benchmark.py: --smoke runs the real benchmark code (training at both settings, MFU,
embedding, mining) on a tiny config on the CPU; without --smoke and without CUDA it refuses in one line."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "gpu_benchmark.py"
sys.path.insert(0, str(SCRIPT.parent))

import gpu_benchmark  # noqa: E402


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def test_smoke_prints_throughput_mfu_ratio_and_retrieval(tmp_path):
    peak = 0.001  # TFLOPS: a tiny peak, so the tiny model's MFU is a number the check can read back
    done = _run("--smoke", "--peak-tflops", str(peak), "--out", str(tmp_path / "result.json"))
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    params = int(re.search(r"model: ([\d,]+) non-embedding", out).group(1).replace(",", ""))
    rates = {}
    for setting in ("study", "tuned", "auto"):
        m = re.search(rf"phase 2 {setting}: .*: ([\d,]+) tokens/s, MFU ([\d.]+)%", out)
        assert m, out
        rates[setting], mfu = float(m.group(1).replace(",", "")), float(m.group(2))
        assert rates[setting] > 0
        assert mfu == pytest.approx(100 * 6 * params * rates[setting] / (peak * 1e12), rel=0.02, abs=0.06)
    ratio = float(re.search(r"tuned/study throughput ratio: ([\d.]+)x", out).group(1))
    assert ratio == pytest.approx(rates["tuned"] / rates["study"], rel=0.02)
    assert "batch 4 x accum 8" in out and "batch 32 x accum 1" in out and "bf16 autocast" in out
    assert "auto: batch 32 x accum 1 (micro-batch chosen by auto)" in out  # the CPU: the whole batch
    result = json.loads((tmp_path / "result.json").read_text())  # what `plan --mfu-from` reads
    assert result["settings"]["auto"]["micro_batch"] == 32 and result["smoke"] is True
    assert result["settings"]["auto"]["tokens_per_s"] == pytest.approx(rates["auto"], rel=0.01)
    assert re.search(r"retrieval embedding: 64 sentences in [\d.]+ s", out), out
    recall = float(re.search(r"500 x 500, d=32, in [\d.]+ s \(noisy-partner recall ([\d.]+)%", out).group(1))
    assert recall > 50, "mining finds the noisy partners: the mined pairs are real, not a timing of nothing"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_without_cuda_it_says_it_needs_a_gpu():
    done = _run()
    assert done.returncode == 2
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and "needs a CUDA GPU" in lines[0] and "--smoke" in lines[0]


@pytest.mark.parametrize("device, peak", [("NVIDIA H100 80GB HBM3", 989), ("NVIDIA H100 PCIe", 756),
                                          ("NVIDIA A100-SXM4-80GB", 312), ("Tesla V100-SXM2-32GB", 125),
                                          ("NVIDIA H200", 989), ("NVIDIA L40S", 362)])
def test_peak_from_the_gpu_table(device, peak):
    assert gpu_benchmark.peak_tflops(device, None)[0] == peak


def test_unknown_gpu_needs_a_stated_peak():
    assert gpu_benchmark.peak_tflops("NVIDIA RTX 9090", None)[0] is None
    assert gpu_benchmark.peak_tflops("NVIDIA RTX 9090", 123.0) == (123.0, "--peak-tflops")


def test_bad_step_count_is_one_clear_line():
    done = _run("--smoke", "--steps", "0")
    assert done.returncode == 2 and "--steps 0: must be >= 1" in done.stderr
