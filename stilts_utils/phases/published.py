"""Published sandbox encoders: phase 1 as the paper has it ("use a publicly available MLM").

The kit ships the encoders of its default world inside the package, one folder per size
(`stilts_utils/sandbox/published/<size>/`): weights (safetensors), tokenizer, loss curve, phase-1 report and
`PUBLISHED.json`, the manifest: bytes and SHA-256 of every file, the world and size settings hashes the
encoder was built from, and how (command, commit, machine, threads, wall time). A study whose world and size
match one copies it, verified, into its cache instead of pretraining (`phase1.pretrained`); any other world
or size pretrains as before. `build` pretrains through the very function a study uses
(`phase1.pretrain_model`): same settings and threads, same bytes.

Light to import (no torch): a study checks for a published encoder on every `phase1.pretrained` call.
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

from ..atomic import build_once, sha256_file
from ..sandbox import ModelSize, WorldSettings, settings_hash

ROOT = Path(__file__).resolve().parents[1] / "sandbox" / "published"  # package data (pyproject.toml)
MANIFEST = "PUBLISHED.json"
CACHE_ONLY = {"MANIFEST.json", "COMPLETE"}  # build_once's bookkeeping: the cache copy writes its own
VARYING = {"pretrain_time.json"}  # wall time: differs between equal builds, and so does the manifest


class PublishedEncoderDamaged(Exception):
    """A shipped encoder's file is missing, truncated or edited: loading it would give another model."""


def identity(settings: WorldSettings, size: ModelSize) -> dict:
    """What a published encoder must match: the world's and the size's settings hashes, the thread count
    aside (threads move the last bits of the weights, not the recipe; the manifest records them)."""
    return {"world_hash": settings_hash(settings), "size": size.name,
            "size_hash": settings_hash(dataclasses.replace(size, threads=0))}


def build_command(name: str) -> str:
    return f"python -m stilts_utils sandbox build --size {name}"


def _damaged(folder: Path, what: str) -> PublishedEncoderDamaged:
    return PublishedEncoderDamaged(f"published encoder {folder}: {what}; rebuild it with "
                                   f"`{build_command(folder.name)}` or restore the folder from git")


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        manifest["files"].items(), manifest["identity"]["size"]  # noqa: B018 — the keys every reader needs
    except FileNotFoundError:
        raise _damaged(Path(folder), f"{path} is missing") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise _damaged(Path(folder), f"{path} is unreadable ({type(err).__name__})") from None
    return manifest


def verify(folder: Path) -> dict:
    """The manifest, once every file it lists has its bytes and SHA-256 (all hashed: a few MB)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    for rel, (size, sha) in sorted(manifest["files"].items()):
        file = folder / rel
        if not file.is_file():
            raise _damaged(folder, f"{file} is missing")
        if file.stat().st_size != size:
            raise _damaged(folder, f"{file} has {file.stat().st_size} bytes, {size} when published (truncated?)")
        if sha256_file(file) != sha:
            raise _damaged(folder, f"{file} was changed since it was published (SHA-256 differs)")
    return manifest


def shipped(root: Path | None = None) -> list[Path]:
    """The published folders (a dot folder is a build in progress or a replaced copy: never counted)."""
    root = Path(root or ROOT)
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) \
        if root.is_dir() else []


def find(settings: WorldSettings, size: ModelSize, root: Path | None = None) -> Path | None:
    """The verified published folder built from these settings, or None (then phase 1 pretrains)."""
    want = identity(settings, size)
    for folder in shipped(root):
        if read_manifest(folder)["identity"] == want:
            verify(folder)
            return folder
    return None


def install(folder: Path, out: Path, key: str) -> Path:
    """Copy a published encoder into a study's cache folder `out` (build_once: atomic, once)."""
    manifest = verify(folder)

    def copy(tmp: Path) -> None:
        for rel in [*manifest["files"], MANIFEST]:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder) / rel, tmp / rel)

    return build_once(Path(out), key, copy)


def origin(model_dir: Path) -> str:
    """Where a cached sandbox encoder came from: a published one (its manifest travels with it) or here."""
    path = Path(model_dir) / MANIFEST
    if not path.is_file():
        return "built here"
    manifest = json.loads(path.read_text())
    b = manifest["build"]
    return (f"published {manifest['identity']['size']} (commit {b['commit']}, {manifest['threads']} threads, "
            f"{b['date']})")


def build(settings: WorldSettings, size: ModelSize, root: Path, world_dir: Path, command: str) -> tuple[Path, str]:
    """Pretrain (the study's own function), report, and publish into `root/<size>`; returns the folder and
    how it differs from the copy it replaces. Staged in a dot folder and renamed into place: a crash or
    Ctrl-C leaves at most a dot folder, which never counts."""
    from ..sandbox import build_world
    from .phase1 import pretrain_model  # lazy: phase1 imports this module
    from .phase1_report import phase1_report

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
    from safetensors.numpy import load_file

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
    from ..study.config import REPO_ROOT

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
    import torch
    import transformers

    return {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__}
