"""Atomic writes: a file via a temp sibling and a rename, a directory built once and marked COMPLETE.

A leaf: every layer (and the sandbox) writes its results through these two, so a crash never leaves a
half-written file or directory that counts. A finished directory also records the size and SHA-256 of
its weight files (MANIFEST.json), so one damaged afterwards (a truncated weight file, a deleted
checkpoint folder) is found, moved aside and rebuilt instead of failing every run that reads it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

MARKER = "COMPLETE"
MANIFEST = "MANIFEST.json"  # {relative path: [bytes, sha256]}: deterministic, so equal builds are equal files
# Files the manifest covers: model weights, what a damaged checkpoint breaks. Not every file: some are
# meant to differ between equal builds (wall times), and a manifest must not.
WEIGHTS = ("*.safetensors", "*.bin", "*.pt", "*.pth")


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename: a reader sees all of it or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_with(path: str | Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` writes the file at a temp sibling, then a rename: for writers that take a path
    (`Dataset.to_json`), so a large file is never held as one string."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(root: Path) -> None:
    files = sorted({p for pattern in WEIGHTS for p in root.rglob(pattern) if p.is_file()})
    entries = {str(p.relative_to(root)): [p.stat().st_size, sha256_file(p)] for p in files}
    (root / MANIFEST).write_text(json.dumps(entries, indent=0, sort_keys=True) + "\n")


def damage(path: Path) -> str | None:
    """What is wrong with a finished directory (None: nothing). Sizes are compared always; a file's hash
    only when it was modified after the marker was written (built files are all older than the marker),
    so checking a multi-GB checkpoint costs a stat, not a read. No manifest (built before manifests
    existed, or by hand): the marker is trusted, as it was then."""
    path = Path(path)
    manifest = path / MANIFEST
    if not manifest.exists():
        return None
    try:
        entries = json.loads(manifest.read_text())
        built = (path / MARKER).stat().st_mtime_ns
    except (OSError, ValueError) as err:
        return f"unreadable {MANIFEST} ({type(err).__name__})"
    for rel, (size, sha) in entries.items():
        file = path / rel
        try:
            stat = file.stat()
        except OSError:
            return f"{rel} is missing"
        if stat.st_size != size:
            return f"{rel} has {stat.st_size} bytes, {size} when built"
        if stat.st_mtime_ns > built and sha256_file(file) != sha:
            return f"{rel} changed since it was built (SHA-256 differs)"
    return None


def intact(path: Path) -> bool:
    """A finished directory (marker present) whose files are all as they were built."""
    return (Path(path) / MARKER).exists() and damage(path) is None


def set_aside(path: Path, why: str) -> Path:
    """Rename damaged work out of the way (never delete it: it may be all someone has) and say so."""
    path = Path(path)
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    os.rename(path, aside)
    print(f"warning: {path} is damaged ({why}); moved to {aside.name} and redone", file=sys.stderr, flush=True)
    return aside


def is_complete(path: Path, key: str) -> bool:
    """True when path was built for `key` and is intact; a directory built for other settings is an
    error, since silently reusing it would mix two worlds. A damaged one is not complete."""
    marker = path / MARKER
    if not marker.exists():
        return False
    found = marker.read_text().strip()
    if found != key:
        raise ValueError(f"{path} was built for {found}, not {key}; use another directory")
    return damage(path) is None


def build_once(path: Path, key: str, build: Callable[[Path], None]) -> Path:
    path = Path(path)
    if is_complete(path, key):
        return path
    if (path / MARKER).exists():  # finished once, damaged since: rebuild it from scratch
        set_aside(path, damage(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        build(tmp)
        write_manifest(tmp)
        (tmp / MARKER).write_text(key + "\n")
        if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
            # never delete what we did not write: builds only ever rename a finished tmp here
            raise ValueError(f"{path} exists, is not empty and has no {MARKER} marker")
        os.rename(tmp, path)
    except OSError:  # rename onto a non-empty directory
        if not is_complete(path, key):  # another process may have won the race
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return path
