"""Building a published sandbox encoder (`python -m stilts_utils sandbox build`; loading is `published.py`).

It pretrains through the very function a study uses (`phase1.pretrain_model`): same settings and threads,
same bytes on the same machine. Staged in a dot folder and renamed into place, so a crash or Ctrl-C leaves at
most a dot folder, which never counts.
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import transformers
from safetensors.numpy import load_file

from ..atomic import sha256_file
from ..sandbox import ModelSize, WorldSettings, build_world
from ..study.config import REPO_ROOT
from .phase1 import pretrain_model
from .phase1_report import phase1_report
from .published import MANIFEST, identity, read_manifest

CACHE_ONLY = {"MANIFEST.json", "COMPLETE"}  # build_once's bookkeeping: a study's cache copy writes its own
VARYING = {"pretrain_time.json"}  # wall time: differs between equal builds, and so does the manifest


def build(settings: WorldSettings, size: ModelSize, root: Path, world_dir: Path, command: str) -> tuple[Path, str]:
    """Pretrain (the study's own function), report, and publish into `root/<size>`; returns the folder and
    how it differs from the copy it replaces."""
    start = time.time()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{size.name}.build-", dir=root))
    try:
        data_root = build_world(settings, Path(world_dir) / "data")
        model = pretrain_model(settings, size, data_root, staging / "model")
        phase1_report(settings, size, data_root, model)
        new = _assemble(model, staging / size.name, settings, size, command, time.time() - start)
        target = root / size.name
        diff = difference(target, new)
        _swap(new, target)
        return target, diff
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _assemble(model: Path, new: Path, settings, size: ModelSize, command: str, wall: float) -> Path:
    files = sorted(p for p in model.rglob("*") if p.is_file() and p.name not in CACHE_ONLY)
    new.mkdir()
    for p in files:
        (new / p.relative_to(model)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, new / p.relative_to(model))
    curve = (model / "loss_curve.csv").read_text().splitlines()
    manifest = {
        "model": f"sandbox-{size.name}", "identity": identity(settings, size), "threads": size.threads,
        "size": dataclasses.asdict(size),
        "files": {str(p.relative_to(model)): [p.stat().st_size, sha256_file(p)] for p in files},
        "build": {"command": command, "commit": _commit(), "machine": _machine(), "wall_time_s": round(wall, 1),
                  "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **_versions()},
        "held_out_loss_curve": [dict(zip(curve[0].split(","), row.split(","))) for row in curve[1:]],
        "phase1_report": json.loads((model / "phase1_report.json").read_text())}
    (new / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return new


def difference(old: Path, new: Path) -> str:
    """One line: how the new build differs from the shipped copy at `old` (identical on the same machine)."""
    if not (old / MANIFEST).is_file():
        return "no shipped copy to compare with (first build)"
    before, after = read_manifest(old)["files"], read_manifest(new)["files"]
    differ = sorted(rel for rel in set(before) | set(after) if rel not in VARYING and before.get(rel) != after.get(rel))
    if not differ:
        return "identical to the shipped copy (every file but the wall time, byte for byte)"
    line = f"differs from the shipped copy in {', '.join(differ)}"
    if "model.safetensors" in differ and "model.safetensors" in before:
        line += f"; {_weight_difference(old / 'model.safetensors', new / 'model.safetensors')}"
    return line


def _weight_difference(old: Path, new: Path) -> str:
    a, b = load_file(str(old)), load_file(str(new))
    same = [k for k in a if k in b and a[k].shape == b[k].shape]
    if len(same) < max(len(a), len(b)):
        return f"{max(len(a), len(b)) - len(same)} tensors differ in name or shape"
    worst = max((float(abs(a[k].astype("float64") - b[k].astype("float64")).max()), k) for k in same)
    return f"max abs weight difference {worst[0]:.3g} ({worst[1]})"


def _swap(new: Path, target: Path) -> None:
    """Rename the finished folder into place. Between the two renames (a crash there) the target is absent,
    so studies pretrain as before, and the old copy waits in a dot folder."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _machine() -> str:
    """CPU model and core count: equal builds are byte-identical on the same machine only."""
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _versions() -> dict:
    return {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__}
