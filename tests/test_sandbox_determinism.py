"""Phase 1 is deterministic: two fresh processes, with different torch thread counts set by the caller,
write byte-identical world files, tokenizer.json and model weights (issue 8, determinism)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from pathlib import Path
import torch
torch.set_num_threads(int(sys.argv[2]))  # the caller's setting, which must not matter
from stilts_utils.phases.phase1 import pretrain_model
from stilts_utils.sandbox import ModelSize, WorldSettings, build_world
settings = WorldSettings(pretrain_sentences=700, train_size=20, eval_size=12, bucc_pairs=6,
                         bucc_distractors=4)
out = Path(sys.argv[1])
root = build_world(settings, out / "data")
size = ModelSize("tiny", hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64,
                 vocab_size=300, max_length=48, batch_size=8, steps=24, eval_every=12)
pretrain_model(settings, size, root, out / "model")
"""
VARYING = {"pretrain_time.json"}  # wall time only, kept out of the model's other files on purpose


def _digests(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in VARYING}


@pytest.mark.slow
def test_phase1_is_bit_identical_across_fresh_processes(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    runs = []
    for i, (threads, hashseed) in enumerate(((1, "1"), (2, "2"))):
        out = tmp_path / f"run{i}"
        subprocess.run([sys.executable, "-c", SCRIPT, str(out), str(threads)], check=True,
                       env={**env, "PYTHONHASHSEED": hashseed}, capture_output=True)
        runs.append(_digests(out))
    first, second = runs
    for name in ("model/tokenizer.json", "model/model.safetensors", "model/loss_curve.csv",
                 "data/corpus/en.txt", "data/xnli/en/test.jsonl"):
        assert name in first, name
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, differ
    curve = (tmp_path / "run0/model/loss_curve.csv").read_text().splitlines()
    assert curve[0] == "step,train_loss,held_out_loss" and len(curve) >= 3
    metrics = json.loads((tmp_path / "run0/model/pretrain_metrics.json").read_text())
    assert metrics["steps"] == 24 and metrics["threads"] == 1  # pinned, whatever the caller set
