"""Published sandbox encoders: phase 1 as the paper has it ("use a publicly available MLM").

The kit ships the encoders of its default world inside the package, one folder per size
(`stilts_utils/sandbox/published/<size>/`): weights (safetensors), tokenizer, loss curve, phase-1 report and
`PUBLISHED.json`, the manifest: bytes and SHA-256 of every file, the world and size settings hashes the
encoder was built from, and how (command, commit, machine, threads, wall time). A study whose world and size
match one copies it, verified, into its cache instead of pretraining (`phase1.pretrained`); any other world
or size pretrains as before. `publish.py` builds one (`python -m stilts_utils sandbox build`).

Light to import (no torch): a study checks for a published encoder on every `phase1.pretrained` call.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from ..atomic import build_once, sha256_file
from ..sandbox import ModelSize, WorldSettings, settings_hash

ROOT = Path(__file__).resolve().parents[1] / "sandbox" / "published"  # package data (pyproject.toml)
MANIFEST = "PUBLISHED.json"


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
        if not isinstance(manifest["files"], dict) or "size" not in manifest["identity"]:
            raise ValueError("no files or identity")
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
